'use strict'
// A Node receiver of the inbox's scale test: verify, process each unit through the PostgreSQL
// inbox, writing each Hootsuite event into the app table scale_events with a plain INSERT (no
// unique key, nothing idempotent), answer. Started with SCALE_KILL=<point>, it SIGKILLs itself
// once at that point of a delivery picked at random (the points of inbox_receiver.py).
//   node inbox_receiver.js NAME PORT DATABASE_URL
const http = require('node:http')
const { Pool } = require('pg')
const he = require('hootsuite-events')
const { PostgresInbox } = require('hootsuite-events/postgres')

const [NAME, PORT, DATABASE_URL] = process.argv.slice(2)
const KEYS = process.env.SCALE_KEYS.split(',').filter(Boolean)
const KILL = process.env.SCALE_KILL || ''
const ARM_PERCENT = Number(process.env.SCALE_ARM_PERCENT || 30)
const pool = new Pool({ connectionString: DATABASE_URL, max: 4, connectionTimeoutMillis: 10000 })
pool.on('error', (e) => console.error(`${NAME}: an idle connection failed: ${e.message}`))
const inbox = new PostgresInbox(pool, { table: 'scale_inbox' })

function die(point, detail) {
  console.log(`KILL ${NAME} pid=${process.pid} point=${point} ${detail}`)
  process.kill(process.pid, 'SIGKILL')
}

function answer(res, status) {
  res.writeHead(status, { 'Content-Length': '0' })
  res.end()
}

const server = http.createServer((req, res) => {
  if (req.method !== 'POST') return answer(res, 200)
  const chunks = []
  req.on('data', (c) => chunks.push(c))
  req.on('end', async () => {
    let notification
    try {
      notification = he.verifyEvent(KEYS, req.headers, Buffer.concat(chunks))
    } catch (e) {
      return answer(res, e instanceof he.SignatureError ? 401 : 400)
    }
    const armed = Boolean(KILL) && Math.random() * 100 < ARM_PERCENT
    const at = Math.floor(Math.random() * 5) // which handler call, for the in-transaction points
    let calls = 0
    let status
    try {
      const outcome = await inbox.process(notification, async (client, work) => {
        const seqNo = work.hootsuiteEvent ? work.hootsuiteEvent.seqNo : null
        if (armed && KILL === 'before-write' && calls === at) die(KILL, `seq_no=${seqNo}`)
        await client.query('INSERT INTO scale_events (seq_no, receiver, pid) VALUES ($1, $2, $3)', [seqNo ?? -1, NAME, process.pid])
        if (armed && KILL === 'after-write' && calls === at) die(KILL, `seq_no=${seqNo}`)
        calls++
      })
      status = outcome.status
      if (armed && KILL === 'after-commit' && outcome.processed) die(KILL, `committed=${outcome.processed}`)
    } catch (e) {
      console.error(`${NAME}: processing failed: ${e.message}`)
      status = he.STATUS_FAILED
    }
    answer(res, status)
  })
})
server.keepAliveTimeout = 5000
server.listen(Number(PORT), '127.0.0.1', () => {
  console.log(`${NAME} ready pid=${process.pid} kill=${KILL || '-'} backend=${he.backend}`)
})
const stop = () => server.close(() => pool.end().finally(() => process.exit(0)))
process.on('SIGTERM', stop)
process.on('SIGINT', stop)
