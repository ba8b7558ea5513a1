'use strict'
// The Express receiver on the PostgreSQL inbox (examples/express-postgres-receiver.js) on a
// real loopback server, getting the emulator's real signed deliveries, writing each Hootsuite
// event into the application's table: a replay under other Elements-Webhook-Ids, a 45-event
// batch split in three notifications, a failure and Cloud Elements' retry, a batch with an event
// that cannot be read. Every wait is bounded; the servers stop by themselves.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const he = require('hootsuite-events')
const { Pool } = require('pg')
const { startEmulator, startPostgres, waitFor } = require('./helpers.js')

const { createApp, migrate, writeEvent } = require(path.join(__dirname, '..', 'examples', 'express-postgres-receiver.js'))

async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

async function connect(emulator, key, eventsUrl) {
  const config = new he.Config(emulator.base_url, emulator.user_secret, emulator.organization_secret)
  const callbackUrl = 'https://app.example/cb'
  const consent = he.parseRedirectUrl(await send(he.redirectUrlRequest(config, { apiKey: 'cid', apiSecret: 'csecret', callbackUrl, state: 'pg' })))
  const answer = await fetch(consent.oauthUrl, { redirect: 'manual' })
  const code = he.parseCallback(answer.headers.get('location'), 'pg')
  const configuration = {
    'oauth.callback.url': callbackUrl,
    'oauth.api.key': 'cid',
    'oauth.api.secret': 'csecret',
    'event.notification.enabled': true,
    'event.notification.callback.url': eventsUrl,
    'event.notification.signature.key': key,
  }
  return he.parseInstance(await send(he.createInstanceRequest(config, { element: { key: 'hootsuite' }, providerData: { code }, configuration, name: 'pg receiver' }))).id
}

test('express receiver on the PostgreSQL inbox: each event one row, across replays, a split batch, a failure, a poisoned batch', async (t) => {
  const pg = await startPostgres()
  const emulator = await startEmulator()
  const pool = new Pool({ connectionString: pg.url, max: 4, connectionTimeoutMillis: 5000 })
  pool.on('error', () => {}) // an idle client ended by the server's shutdown
  t.after(async () => {
    await pool.end()
    await emulator.stop()
    await pg.stop()
  })
  await migrate(pool)
  const log = []
  let failNext = false
  let attempts = 0
  const rejected = []
  const app = createApp({
    keys: ['pg-key'],
    pool,
    handle: async (client, work) => {
      attempts++
      await writeEvent(client, work) // the row is written, then the unit fails: both roll back
      if (failNext) {
        failNext = false
        throw new Error('the processing failed (a test failure)')
      }
    },
    onRejected: (r) => rejected.push(r),
  })
  const server = http.createServer((req, res) => {
    res.on('finish', () => log.push({ status: res.statusCode, webhookId: req.headers['elements-webhook-id'] }))
    app(req, res)
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  t.after(() => new Promise((r) => server.close(r)))
  const id = await connect(emulator, 'pg-key', `http://127.0.0.1:${server.address().port}/hootsuite/events`)
  const rows = async () => (await pool.query('SELECT unit_key, seq_no, instance_id FROM hootsuite_events_received ORDER BY received_at, seq_no')).rows
  const emulatorPost = async (pathname, body) => {
    const res = await fetch(`${emulator.base_url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })
    return { status: res.status, body: await res.text() }
  }

  await t.test('one delivery replayed with Elements-Webhook-Id a, b, a: one row', async () => {
    const { body } = await emulatorPost(`/emulator/instances/${id}/sample-event?type=message`)
    const [eventId] = JSON.parse(body).eventIds
    await waitFor('the first delivery', () => log.some((l) => l.status === 200))
    for (const webhookId of ['a', 'b', 'a']) {
      const before = log.length
      await waitFor(`the replay ${webhookId} accepted`, async () => (await emulatorPost('/emulator/replay', { event_id: eventId, webhook_id: webhookId })).status === 200)
      await waitFor(`the replay ${webhookId} answered`, () => log.length > before)
    }
    assert.deepEqual(log.map((l) => l.status), [200, 200, 200, 200])
    const r = await rows()
    assert.equal(r.length, 1)
    assert.equal(r[0].unit_key, `hs:${id}:${r[0].seq_no}`)
    assert.equal(r[0].instance_id, String(id))
  })

  await t.test('a 45-event batch split in three notifications: 45 rows, not 135', async () => {
    const answers = log.length
    const { body } = await emulatorPost(`/emulator/instances/${id}/sample-event?type=message&count=45`)
    assert.equal(JSON.parse(body).eventIds.length, 3)
    await waitFor('three answers', () => log.length - answers >= 3)
    assert.deepEqual(log.slice(answers).map((l) => l.status), [200, 200, 200])
    const r = await rows()
    assert.equal(r.length, 46)
    assert.equal(new Set(r.map((x) => x.unit_key)).size, 46)
  })

  await t.test('a failure rolls its row back; the retry writes it once', async () => {
    const answers = log.length
    const before = (await rows()).length
    const tried = attempts
    failNext = true
    await emulatorPost(`/emulator/instances/${id}/sample-event?type=message`)
    await waitFor('the retry', () => log.slice(answers).some((l) => l.status === 200))
    assert.deepEqual(log.slice(answers).map((l) => l.status), [500, 200])
    assert.equal(attempts - tried, 2, 'tried twice')
    assert.equal((await rows()).length - before, 1, 'one row')
  })

  await t.test('a batch with an event that cannot be read: 200, the good event one row, the bad one reported once', async () => {
    const good = { seq_no: '9001', type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT', message: { id: 'm-1' } } }
    const bad = { seq_no: '9002', type: 'com.hootsuite.messages.event.v1', data: { message: 5 } }
    const answers = log.length
    for (const round of [1, 2]) {
      const res = await fetch(he.hootsuiteWebhookUrl(emulator.base_url, id), { method: 'POST', body: JSON.stringify([good, bad]) })
      assert.equal(res.status, 200, await res.text())
      await waitFor(`delivery ${round}`, () => log.length - answers >= round)
    }
    assert.deepEqual(log.slice(answers).map((l) => l.status), [200, 200])
    const r = await rows()
    assert.equal(r.filter((x) => x.seq_no === '9001').length, 1)
    assert.equal(r.filter((x) => x.seq_no === '9002').length, 0)
    assert.equal(rejected.length, 1, 'reported once')
    assert.deepEqual(rejected[0].path, ['message', 'raw', 1, 'data', 'message'])
    const { rows: kinds } = await pool.query("SELECT count(*) AS n FROM hootsuite_events_inbox WHERE kind = 'rejected'")
    assert.equal(Number(kinds[0].n), 1)
  })
})
