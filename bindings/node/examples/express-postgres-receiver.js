'use strict'
// An Express receiver that writes each Hootsuite event into the application's own table through
// the PostgreSQL inbox: the row of the event and the record of its unit of work commit in one
// transaction, so each event is written exactly once (retries, replays, split batches, a crash
// mid-handler) with a plain INSERT: the handler need not be idempotent.
const express = require('express')
const he = require('hootsuite-events')
const { PostgresInbox } = require('hootsuite-events/postgres')

/** The application's table: one row per Hootsuite event (no unique key needed). */
const APP_TABLE = `CREATE TABLE IF NOT EXISTS hootsuite_events_received (
  unit_key text NOT NULL,
  instance_id text,
  seq_no text,
  type text NOT NULL,
  data jsonb,
  received_at timestamptz NOT NULL DEFAULT now()
)`

/** Your processing of one unit, on the inbox's open transaction (`client`). */
async function writeEvent(client, work) {
  const e = work.hootsuiteEvent
  if (!e) return // a Cloud Elements event without Hootsuite's raw payload: nothing to store here
  await client.query(
    'INSERT INTO hootsuite_events_received (unit_key, instance_id, seq_no, type, data) VALUES ($1, $2, $3, $4, $5)',
    [work.unit.key, work.notification.instanceId, e.seqNo, e.type, JSON.stringify(e.data ?? null)],
  )
}

/** Creates the inbox table and the application's (run once at deploy time, like any migration). */
async function migrate(pool) {
  await new PostgresInbox(pool).migrate()
  await pool.query(APP_TABLE)
}

/**
 * `keys`: the current signature key first, then the one it replaced (during a rotation).
 * `pool`: a pg Pool. `handle(client, work)`: the processing (default `writeEvent`).
 * `onRejected(rejected)`: each event that could not be read, once (logged by default).
 */
function createApp({ keys, pool, handle = writeEvent, onRejected = logRejected }) {
  const inbox = new PostgresInbox(pool)
  const app = express()
  // The raw bytes: the signature covers them exactly (express.json() would re-serialize).
  app.post('/hootsuite/events', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    let notification
    try {
      notification = he.verifyEvent(keys, req.headers, req.body)
    } catch (e) {
      if (e instanceof he.SignatureError) return res.sendStatus(401)
      if (e instanceof he.HootsuiteEventsError) return res.sendStatus(400)
      throw e
    }
    try {
      const outcome = await inbox.process(notification, handle)
      outcome.rejected.forEach(onRejected)
      res.sendStatus(outcome.status) // 200, or 409 while another transaction holds a unit
    } catch (e) {
      // The failed unit's transaction was rolled back (its row too): Cloud Elements retries.
      console.error('processing failed:', e.message)
      res.sendStatus(he.STATUS_FAILED)
    }
  })
  return app
}

function logRejected(r) {
  console.warn(`rejected event ${r.key} at ${r.path.join('.')}: ${r.message}`)
}

module.exports = { createApp, migrate, writeEvent, APP_TABLE }

if (require.main === module) {
  const { Pool } = require('pg')
  const pool = new Pool({ connectionString: process.env.DATABASE_URL })
  pool.on('error', (e) => console.error('an idle database connection failed:', e.message))
  const keys = [process.env.SIGNATURE_KEY, process.env.PREVIOUS_SIGNATURE_KEY].filter(Boolean)
  migrate(pool).then(() => {
    createApp({ keys, pool }).listen(Number(process.env.PORT ?? 3000), () => console.log('listening'))
  })
}
