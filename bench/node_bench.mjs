// Node benchmarks: hootsuite-events against the peers a Node user would pick, in one run.
// Prints one JSON line per comparison: {work, ours_us, peer, peer_us} (best of 5 timed loops).
import { createRequire } from 'node:module'
import crypto from 'node:crypto'
import Ajv from 'ajv/dist/2020.js'
import * as z from 'zod/mini'
import { zodFormSchema } from './zod_form.mjs'

const require = createRequire(import.meta.url)
const he = require(process.env.HOOTSUITE_EVENTS_NODE || '../bindings/node/index.js')

const BODY = {
  element: { key: 'hootsuite' },
  providerData: { code: 'xoz8AFqScK2ngM04kSSM' },
  configuration: {
    'oauth.callback.url': 'https://mycoolapp.com',
    'oauth.api.key': 'xxxxxxxxxxxxxxxxxx',
    'oauth.api.secret': 'xxxxxxxxxxxxxxxxxxxxxx',
    'event.notification.enabled': true,
    'event.notification.callback.url': 'https://mycoolapp.com/events',
    'event.notification.signature.key': 'MySecretEventSignatureKey',
  },
  tags: ['Docs'],
  name: 'API Instance',
}
const TEXT = JSON.stringify(BODY)
const config = new he.Config('us', 'user', 'org')

function perCallUs(fn, n) {
  let best = Infinity
  for (let r = 0; r < 5; r++) {
    const t = process.hrtime.bigint()
    for (let i = 0; i < n; i++) fn()
    best = Math.min(best, Number(process.hrtime.bigint() - t) / 1e3 / n)
  }
  return best
}

const zodSchema = zodFormSchema(z)
const ajv = new Ajv({ allErrors: true, strict: false, logger: false })
const validate = ajv.compile(he.createInstanceSchema())

const out = []
const ours = perCallUs(() => he.createInstanceRequest(config, BODY), 20000)
out.push({ work: 'Node: validate an object + build the request', ours_us: ours, peer: 'zod/mini safeParse + JSON.stringify', peer_us: perCallUs(() => JSON.stringify(zodSchema.safeParse(BODY).data), 20000) })
out.push({ work: 'Node: JSON text → validate → request', ours_us: perCallUs(() => he.createInstanceRequest(config, TEXT), 20000), peer: 'ajv (compiled) JSON.parse + validate + stringify', peer_us: perCallUs(() => { const v = JSON.parse(TEXT); if (!validate(v)) throw new Error('invalid'); return JSON.stringify(v) }, 20000) })
const key = 'MySecretEventSignatureKey'
// verifyEvent at 1, 5 and 20 Hootsuite events per notification beside the peer on the same body,
// the two alternated so that a change in the machine's load falls on both.
function peerVerify(header, body) {
  const given = Buffer.from(header.slice(7), 'base64')
  const mac = crypto.createHmac('sha256', key).update(body).digest()
  if (!crypto.timingSafeEqual(mac, given)) throw new Error('mismatch')
  return JSON.parse(body)
}
for (const events of [1, 5, 20]) {
  const body = notificationOf(1, events)
  const header = he.sign(key, body)
  const headers = { 'elements-webhook-signature': header }
  let ours = Infinity
  let peer = Infinity
  for (let r = 0; r < 4; r++) {
    ours = Math.min(ours, perCallUs(() => he.verifyEvent(key, headers, body), 5000))
    peer = Math.min(peer, perCallUs(() => peerVerify(header, body), 5000))
  }
  out.push({ work: `Node: verify + parse a notification of ${events} Hootsuite event${events > 1 ? 's' : ''} (${(body.length / 1000).toFixed(1)} KB)`, ours_us: ours, peer: 'crypto.createHmac + timingSafeEqual + JSON.parse', peer_us: peer })
}
// A receiver: verify + parse + claim + complete each unit in the store, over distinct
// notifications of 1, 5 and 20 Hootsuite events (new seq_nos each, so every claim is new work),
// a fresh store each round, ours and the peer alternated.
function receiverUs(deliveries, makeState, one) {
  const state = makeState()
  const t = process.hrtime.bigint()
  for (const d of deliveries) one(state, d)
  return Number(process.hrtime.bigint() - t) / 1e3 / deliveries.length
}
for (const [events, count] of [[1, 4000], [5, 2000], [20, 1000]]) {
  const deliveries = Array.from({ length: count }, (_, i) => {
    const b = notificationOf(1000 + i * events, events)
    return { body: b, headers: { 'elements-webhook-signature': he.sign(key, b) } }
  })
  let processedOurs = 0
  const ours = (store, d) => {
    const n = he.verifyEvent(key, d.headers, d.body)
    for (const unit of n.units) {
      const claim = store.claim(unit.key)
      if (claim.status !== 'claimed') continue
      processedOurs++
      store.complete(unit.key, claim.token)
    }
  }
  let processedPeer = 0
  const peer = (seen, d) => {
    const given = Buffer.from(d.headers['elements-webhook-signature'].slice(7), 'base64')
    const mac = crypto.createHmac('sha256', key).update(d.body).digest()
    if (given.length !== mac.length || !crypto.timingSafeEqual(mac, given)) throw new Error('mismatch')
    const n = JSON.parse(d.body)
    for (const e of n.message.raw) {
      const k = `${n.message.instanceId}:${e.seq_no}`
      if (seen.has(k)) continue
      processedPeer++
      seen.add(k)
    }
  }
  // Ours as a receiver is written: await he.process() (the claim loop, the handler per unit);
  // the loop of claim and complete by hand, for the note. The three alternate.
  let processedVia = 0
  const viaProcess = async (deliveriesOf) => {
    const store = new he.MemoryStore()
    const t = process.hrtime.bigint()
    for (const d of deliveriesOf) await he.process(store, he.verifyEvent(key, d.headers, d.body), () => { processedVia++ })
    return Number(process.hrtime.bigint() - t) / 1e3 / deliveriesOf.length
  }
  let receiverOurs = Infinity
  let receiverPeer = Infinity
  let byHand = Infinity
  for (let r = 0; r < 5; r++) {
    receiverOurs = Math.min(receiverOurs, await viaProcess(deliveries))
    receiverPeer = Math.min(receiverPeer, receiverUs(deliveries, () => new Set(), peer))
    byHand = Math.min(byHand, receiverUs(deliveries, () => new he.MemoryStore(), ours))
  }
  if (processedOurs !== 5 * count * events || processedPeer !== 5 * count * events || processedVia !== 5 * count * events) throw new Error(`processed ${processedVia}, ${processedOurs} and ${processedPeer}, expected ${5 * count * events} each`)
  out.push({ work: `Node: receiver, verify + parse + claim + complete a notification of ${events} Hootsuite event${events > 1 ? 's' : ''} (MemoryStore, await he.process())`, ours_us: receiverOurs, peer: 'createHmac + timingSafeEqual + JSON.parse + a Set of seq_no keys', peer_us: receiverPeer, note: `claim + complete per unit by hand: ${byHand.toFixed(2)} µs` })
}
// The receiver on Redis (loopback) at 1, 5 and 20 Hootsuite events per notification: RedisStore
// through await he.process() (one claimAll and one settle script per notification), beside a
// hand-written peer (SET NX PX, one command per seq_no) on the same node-redis client, and
// MemoryStore the same way at 1 event; the database flushed between rounds.
// A notification of at least 2 KB (element events pad it) carrying `events` Hootsuite events
// with the seq_nos from `first` on.
function notificationOf(first, events) {
  const raw = Array.from({ length: events }, (_, i) => ({ seq_no: String(first + i), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT', message: { id: `m-${first + i}` } } }))
  const elementEvents = []
  for (;;) {
    const text = JSON.stringify({ message: { eventId: 'e-1', instanceId: 12345, elementKey: 'hootsuite', events: elementEvents, raw } })
    if (text.length >= 2048) return Buffer.from(text)
    elementEvents.push({ objectType: 'messages', objectId: String(elementEvents.length), eventType: 'UPDATED', elementKey: 'hootsuite', date: '2026-11-26T10:00:00Z' })
  }
}
if (process.env.HOOTSUITE_EVENTS_BENCH_REDIS) {
  const { createClient } = await import('redis')
  const { RedisStore } = require(process.env.HOOTSUITE_EVENTS_NODE ? `${process.env.HOOTSUITE_EVENTS_NODE.replace(/index\.js$/, '')}redis.js` : '../bindings/node/redis.js')
  const client = await createClient({ url: process.env.HOOTSUITE_EVENTS_BENCH_REDIS }).connect()
  const peerName = 'createHmac + timingSafeEqual + JSON.parse + node-redis SET NX PX per seq_no'
  for (const [events, count] of [
    [1, 4000],
    [5, 2000],
    [20, 1000],
  ]) {
    const some = Array.from({ length: count }, (_, i) => {
      const b = notificationOf(2000000 + i * events, events)
      return { body: b, headers: { 'elements-webhook-signature': he.sign(key, b) } }
    })
    let done = 0
    const timed = async (fn) => {
      const t = process.hrtime.bigint()
      for (const d of some) await fn(d)
      return Number(process.hrtime.bigint() - t) / 1e3 / count
    }
    const viaProcess = (store) => (d) => he.process(store, he.verifyEvent(key, d.headers, d.body), () => { done++ })
    const peerRedis = async (d) => {
      const given = Buffer.from(d.headers['elements-webhook-signature'].slice(7), 'base64')
      const mac = crypto.createHmac('sha256', key).update(d.body).digest()
      if (given.length !== mac.length || !crypto.timingSafeEqual(mac, given)) throw new Error('mismatch')
      const n = JSON.parse(d.body)
      for (const e of n.message.raw) {
        if ((await client.set(`peer:${n.message.instanceId}:${e.seq_no}`, '1', { NX: true, PX: he.DEFAULT_RETENTION_MS })) === 'OK') done++
      }
    }
    const best = [Infinity, Infinity, Infinity]
    for (let r = 0; r < 3; r++) {
      await client.flushDb()
      if (events === 1) best[0] = Math.min(best[0], await timed(viaProcess(new he.MemoryStore())))
      best[1] = Math.min(best[1], await timed(viaProcess(new RedisStore(client))))
      await client.flushDb()
      best[2] = Math.min(best[2], await timed(peerRedis))
    }
    const expected = (events === 1 ? 3 : 2) * 3 * count * events
    if (done !== expected) throw new Error(`processed ${done}, expected ${expected}`)
    if (events === 1) {
      out.push({ work: 'Node: receiver on MemoryStore through await process(), verify + parse + claim + settle a 2 KB notification of 1 Hootsuite event', ours_us: best[0], peer: peerName, peer_us: best[2], note: `${(1e6 / best[0]).toFixed(0)} notifications/s` })
    }
    out.push({ work: `Node: receiver on Redis (loopback, RedisStore) through await process(), verify + parse + claim + settle a notification of ${events} Hootsuite event${events > 1 ? 's' : ''} (${(some[0].body.length / 1000).toFixed(1)} KB)`, ours_us: best[1], peer: peerName, peer_us: best[2], note: `${(1e6 / best[1]).toFixed(0)} notifications/s ours, ${(1e6 / best[2]).toFixed(0)} peer` })
  }
  await client.quit()
}
// The receiver on the PostgreSQL inbox (loopback): PostgresInbox.process writing each event
// into an app table in the unit's transaction, beside a hand-written peer (createHmac +
// JSON.parse + INSERT … ON CONFLICT DO NOTHING and the app row in one transaction), one pg
// Client each, the tables emptied between rounds.
if (process.env.HOOTSUITE_EVENTS_BENCH_POSTGRES) {
  const { default: pg } = await import('pg')
  const { PostgresInbox } = require(process.env.HOOTSUITE_EVENTS_NODE ? `${process.env.HOOTSUITE_EVENTS_NODE.replace(/index\.js$/, '')}postgres.js` : '../bindings/node/postgres.js')
  const client = new pg.Client({ connectionString: process.env.HOOTSUITE_EVENTS_BENCH_POSTGRES })
  await client.connect()
  const inbox = new PostgresInbox(client, { table: 'bench_inbox' })
  await inbox.migrate()
  await client.query('CREATE TABLE IF NOT EXISTS bench_events (key text NOT NULL)')
  await client.query('CREATE TABLE IF NOT EXISTS bench_peer_inbox (key text PRIMARY KEY, done_at timestamptz NOT NULL DEFAULT now())')
  // 1 000 notifications of one Hootsuite event each (2 KB), every seq_no new.
  const some = Array.from({ length: 1000 }, (_, i) => {
    const b = notificationOf(1000 + i, 1)
    return { body: b, headers: { 'elements-webhook-signature': he.sign(key, b) } }
  })
  const timed = async (fn) => {
    const t = process.hrtime.bigint()
    for (const d of some) await fn(d)
    return Number(process.hrtime.bigint() - t) / 1e3 / some.length
  }
  const ours = (d) => inbox.process(he.verifyEvent(key, d.headers, d.body), (c, work) => c.query('INSERT INTO bench_events (key) VALUES ($1)', [work.unit.key]))
  const peerPg = async (d) => {
    const given = Buffer.from(d.headers['elements-webhook-signature'].slice(7), 'base64')
    const mac = crypto.createHmac('sha256', key).update(d.body).digest()
    if (given.length !== mac.length || !crypto.timingSafeEqual(mac, given)) throw new Error('mismatch')
    const n = JSON.parse(d.body)
    for (const e of n.message.raw) {
      const unit = `hs:${n.message.instanceId}:${e.seq_no}`
      await client.query('BEGIN')
      try {
        if ((await client.query('INSERT INTO bench_peer_inbox (key) VALUES ($1) ON CONFLICT DO NOTHING', [unit])).rowCount) {
          await client.query('INSERT INTO bench_events (key) VALUES ($1)', [unit])
        }
        await client.query('COMMIT')
      } catch (err) {
        await client.query('ROLLBACK')
        throw err
      }
    }
  }
  const best = [Infinity, Infinity]
  for (let r = 0; r < 3; r++) {
    await client.query('TRUNCATE bench_inbox, bench_events, bench_peer_inbox')
    best[0] = Math.min(best[0], await timed(ours))
    await client.query('TRUNCATE bench_events')
    best[1] = Math.min(best[1], await timed(peerPg))
  }
  const written = Number((await client.query('SELECT count(*) AS n FROM bench_events')).rows[0].n)
  await client.end()
  if (written !== some.length) throw new Error(`wrote ${written} rows, expected ${some.length}`)
  out.push({ work: 'Node: receiver on the PostgreSQL inbox (loopback, PostgresInbox), verify + parse + one transaction (claim, the handler\'s INSERT, commit) for a 2 KB notification', ours_us: best[0], peer: 'createHmac + timingSafeEqual + JSON.parse + pg INSERT … ON CONFLICT DO NOTHING and the INSERT in one transaction', peer_us: best[1], note: `${(1e6 / best[0]).toFixed(0)} notifications/s ours, ${(1e6 / best[1]).toFixed(0)} peer` })
}
// Start-up: the time require() takes inside a fresh process (best of 9). Timing the whole
// process and subtracting a bare one left a difference smaller than its own noise.
import { execFileSync } from 'node:child_process'
function coldMs(path) {
  const code = `const t = process.hrtime.bigint(); require(${JSON.stringify(path)}); process.stdout.write(String(Number(process.hrtime.bigint() - t) / 1e6))`
  let best = Infinity
  for (let i = 0; i < 9; i++) best = Math.min(best, Number(execFileSync(process.execPath, ['-e', code], { encoding: 'utf8' })))
  return best
}
const entry = process.env.HOOTSUITE_EVENTS_NODE || new URL('../bindings/node/index.js', import.meta.url).pathname
out.push({ work: "Node: require('hootsuite-events') in a fresh process (ms, timed inside it)", ours_us: coldMs(entry), peer: "require('ajv') (same way)", peer_us: coldMs(new URL('node_modules/ajv', import.meta.url).pathname) })
for (const o of out) console.log(JSON.stringify(o))
