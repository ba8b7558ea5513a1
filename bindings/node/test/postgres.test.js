'use strict'
// The PostgreSQL inbox (node-postgres, a Pool and a Client) against a PostgreSQL server of the
// suite's own (loopback, private data directory): a unit processed once, skipped on a replay,
// in progress at once for a concurrent delivery, rejected events recorded once; and the
// inbox's own cases: the handler's write and the record commit together or not at all, a
// process SIGKILLed inside the transaction leaves nothing, exactly one of several concurrent
// deliveries commits, the cleanup deletes only rows past the retention.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const readline = require('node:readline')
const he = require('hootsuite-events')
const { PostgresInbox, DEFAULT_TABLE, MIGRATION, CLEANUP } = require('hootsuite-events/postgres')
const { Pool, Client } = require('pg')
const { startPostgres, waitFor } = require('./helpers.js')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let pg
const pools = []
test.before(async () => {
  pg = await startPostgres()
})
test.after(async () => {
  for (const p of pools) await p.end()
  await pg.stop()
})

function pool(max = 4) {
  const p = new Pool({ connectionString: pg.url, max, connectionTimeoutMillis: 5000 })
  // An idle client's connection ended by the server's shutdown is not a failure of a test.
  p.on('error', () => {})
  pools.push(p)
  return p
}

function notification(seqNos, instanceId = 3, extra = []) {
  const raw = [...seqNos.map((s) => ({ seq_no: s, type: 't' })), ...extra]
  return he.parseEventNotification(Buffer.from(JSON.stringify({ message: { instanceId, raw } })))
}

// The application's table: one row per effect, no unique key (duplicates would show).
const appTable = (db, name) => db.query(`CREATE TABLE IF NOT EXISTS ${name} (key text NOT NULL, seq_no text)`)
const count = async (db, sql) => Number((await db.query(sql)).rows[0].n)
const writer = (table) => (client, work) => client.query(`INSERT INTO ${table} (key, seq_no) VALUES ($1, $2)`, [work.unit.key, work.hootsuiteEvent ? work.hootsuiteEvent.seqNo : null])

test('the texts are the core\'s', () => {
  const p = new he.PostgresProtocol()
  assert.equal(DEFAULT_TABLE, 'hootsuite_events_inbox')
  assert.equal(p.migration, MIGRATION)
  assert.equal(p.cleanup, CLEANUP)
  assert.match(CLEANUP, /604800000 milliseconds/)
  const { sql, params } = p.claim('hs:1:2', 'rejected')
  assert.equal(sql, p.claimSql)
  assert.deepEqual(params, ['hs:1:2', 'rejected'])
  assert.deepEqual([[true, true], [true, false], [false, false]].map(([l, i]) => p.parseClaim(l, i)), ['claimed', 'done', 'in_progress'])
  assert.equal(p.seal, 'SELECT 1')
  assert.equal(p.retentionMs, he.DEFAULT_RETENTION_MS)
})

test('bad arguments are refused precisely', () => {
  const p = pool()
  assert.throws(() => new PostgresInbox(p, { table: 'Bad Name' }), (e) => e instanceof he.InvalidArgumentError && e.field === 'table')
  assert.throws(() => new PostgresInbox(p, { retentionMs: 0 }), (e) => e instanceof he.InvalidArgumentError && e.field === 'retention_ms')
  assert.throws(() => new PostgresInbox({}), /pg Pool .* or a connected pg Client/)
  const proto = new he.PostgresProtocol()
  assert.throws(() => proto.claim('k', 'other'), (e) => e instanceof he.InvalidArgumentError && e.field === 'kind')
  assert.throws(() => proto.claim('', 'notification'), (e) => e instanceof he.InvalidArgumentError && e.field === 'key')
  assert.throws(() => proto.parseClaim(false, true), (e) => e instanceof he.InvalidArgumentError && e.field === 'reply')
})

test('processed once, skipped on a replay, rolled back on failure', async () => {
  const p = pool()
  const inbox = new PostgresInbox(p, { table: 'js_inbox_a', retentionMs: 60000 })
  await inbox.migrate()
  await inbox.migrate()
  await appTable(p, 'js_effects_a')
  const n = notification(['1', '2'])
  const write = writer('js_effects_a')
  await assert.rejects(
    inbox.process(n, async (client, work) => {
      await write(client, work)
      if (work.unit.key === 'hs:3:2') throw new Error('the handler failed')
    }),
    /the handler failed/,
  )
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_effects_a'), 1)
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_inbox_a'), 1)
  assert.equal(await count(p, "SELECT count(*) AS n FROM js_effects_a WHERE key = 'hs:3:2'"), 0, 'rolled back with its unit')
  const retry = await inbox.process(n, write)
  assert.deepEqual([retry.status, retry.processed, retry.skipped], [200, 1, 1])
  const replay = await inbox.process(n, () => assert.fail('called for a unit done before'))
  assert.deepEqual([replay.status, replay.processed, replay.skipped, replay.inProgress], [200, 0, 2, 0])
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_effects_a'), 2)
  const { rows } = await p.query('SELECT key, kind FROM js_inbox_a ORDER BY key')
  assert.deepEqual(rows, [{ key: 'hs:3:1', kind: 'hootsuite_event' }, { key: 'hs:3:2', kind: 'hootsuite_event' }])
  assert.equal(p.idleCount, p.totalCount, 'every client went back to the pool')
})

test('a swallowed database error is not counted as done', async () => {
  const p = pool()
  const inbox = new PostgresInbox(p, { table: 'js_inbox_b' })
  await inbox.migrate()
  await assert.rejects(
    inbox.process(notification(['1']), async (client) => {
      await client.query('INSERT INTO no_such_table VALUES (1)').catch(() => {}) // the transaction is aborted now
    }),
    /current transaction is aborted/,
  )
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_inbox_b'), 0)
  assert.equal((await inbox.process(notification(['1']), () => {})).processed, 1)
})

test('rejected events are recorded once without the handler', async () => {
  const p = pool()
  const inbox = new PostgresInbox(p, { table: 'js_inbox_r' })
  await inbox.migrate()
  await appTable(p, 'js_effects_r')
  const bad = { seq_no: '9', type: 'com.hootsuite.messages.event.v1', data: { message: 5 } }
  const n = notification(['1'], 2, [bad])
  const first = await inbox.process(n, writer('js_effects_r'))
  assert.deepEqual([first.status, first.processed, first.rejected.length, first.rejected[0].position], [200, 1, 1, 1])
  const again = await inbox.process(n, writer('js_effects_r'))
  assert.deepEqual([again.processed, again.skipped, again.rejected], [0, 2, []])
  assert.equal(await count(p, "SELECT count(*) AS n FROM js_inbox_r WHERE kind = 'rejected'"), 1)
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_effects_r'), 1)
})

test('a concurrent delivery is in progress at once, then done', async () => {
  const p = pool()
  const inbox = new PostgresInbox(p, { table: 'js_inbox_c' })
  await inbox.migrate()
  await appTable(p, 'js_effects_c')
  let inside
  const reached = new Promise((r) => (inside = r))
  let go
  const released = new Promise((r) => (go = r))
  const held = inbox.process(notification(['1'], 4), async (client, work) => {
    await writer('js_effects_c')(client, work)
    inside()
    await released
  })
  await reached
  const started = Date.now()
  const second = await inbox.process(notification(['1'], 4), () => assert.fail('held by the other'))
  assert.deepEqual([second.status, second.inProgress], [409, 1])
  assert.ok(Date.now() - started < 2000, 'answered without waiting for the other transaction')
  go()
  assert.equal((await held).processed, 1)
  const third = await inbox.process(notification(['1'], 4), () => assert.fail('done'))
  assert.deepEqual([third.status, third.skipped], [200, 1])
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_effects_c'), 1)
})

test('of eight concurrent deliveries exactly one commits (eight clients)', async () => {
  const clients = await Promise.all(Array.from({ length: 8 }, async () => {
    const c = new Client({ connectionString: pg.url, connectionTimeoutMillis: 5000 })
    await c.connect()
    return c
  }))
  try {
    const inboxes = clients.map((c) => new PostgresInbox(c, { table: 'js_inbox_e' }))
    await Promise.all(inboxes.map((i) => i.migrate()))
    await appTable(clients[0], 'js_effects_e')
    for (let round = 0; round < 5; round++) {
      const n = notification([String(round)], 5)
      const outcomes = await Promise.all(inboxes.map((i) => i.process(n, async (client, work) => {
        await writer('js_effects_e')(client, work)
        await sleep(20)
      })))
      assert.equal(outcomes.reduce((s, o) => s + o.processed, 0), 1, JSON.stringify(outcomes))
      assert.ok(outcomes.every((o) => o.processed + o.skipped + o.inProgress === 1))
    }
    assert.equal(await count(clients[0], 'SELECT count(*) AS n FROM js_effects_e'), 5)
    assert.equal(await count(clients[0], 'SELECT count(DISTINCT key) AS n FROM js_effects_e'), 5)
    // One client serves calls in turn: two notifications at once do not share a transaction.
    const one = new PostgresInbox(clients[0], { table: 'js_inbox_e' })
    const both = await Promise.all([one.process(notification(['a', 'b'], 6), writer('js_effects_e')), one.process(notification(['c'], 6), writer('js_effects_e'))])
    assert.deepEqual(both.map((o) => o.processed), [2, 1])
  } finally {
    await Promise.all(clients.map((c) => c.end()))
  }
})

test('cleanup removes only rows past the retention', async () => {
  const p = pool()
  await p.query('CREATE SCHEMA IF NOT EXISTS app')
  const inbox = new PostgresInbox(p, { table: 'app.js_inbox_d', retentionMs: 3600000 })
  await inbox.migrate()
  const n = notification(['1', '2', '3'], 6)
  await inbox.process(n, () => {})
  await p.query("UPDATE app.js_inbox_d SET done_at = now() - interval '2 hours' WHERE key = 'hs:6:1'")
  await p.query("UPDATE app.js_inbox_d SET done_at = now() - interval '59 minutes' WHERE key = 'hs:6:2'")
  assert.equal(await inbox.cleanup(), 1)
  const { rows } = await p.query('SELECT key FROM app.js_inbox_d ORDER BY key')
  assert.deepEqual(rows.map((r) => r.key), ['hs:6:2', 'hs:6:3'])
  const again = await inbox.process(n, () => {})
  assert.deepEqual([again.processed, again.skipped], [1, 2])
})

const CHILD = `
const he = require('hootsuite-events')
const { PostgresInbox } = require('hootsuite-events/postgres')
const { Pool } = require('pg')
const n = he.parseEventNotification(Buffer.from(JSON.stringify({ message: { instanceId: 7, raw: [{ seq_no: '1', type: 't' }] } })))
new PostgresInbox(new Pool({ connectionString: process.env.HOOTSUITE_EVENTS_TEST_PG_URL }), { table: 'js_inbox_k' }).process(n, async (client, work) => {
  await client.query('INSERT INTO js_effects_k (key) VALUES ($1)', [work.unit.key])
  console.log('inside-the-transaction')
  await new Promise((r) => setTimeout(r, 60000))
})
`

test('a process killed inside the transaction leaves nothing, and the retry processes it once', async () => {
  const p = pool()
  const inbox = new PostgresInbox(p, { table: 'js_inbox_k' })
  await inbox.migrate()
  await appTable(p, 'js_effects_k')
  // The URL in the environment: Deno's eval gives the script's own path as argv[1].
  const child = spawn(process.execPath, ['-e', CHILD], { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, HOOTSUITE_EVENTS_TEST_PG_URL: pg.url } })
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the child did not reach its handler within 30 s')), 30000)
      readline.createInterface({ input: child.stdout }).on('line', (l) => {
        if (l === 'inside-the-transaction') {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before its handler`)))
    })
  } finally {
    child.kill('SIGKILL')
  }
  await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', r)))
  const calls = []
  const outcome = await waitFor('the killed transaction to end', async () => {
    assert.equal(await count(p, 'SELECT count(*) AS n FROM js_effects_k'), 0, 'nothing of the killed transaction is visible')
    const o = await inbox.process(notification(['1'], 7), async (client, work) => {
      calls.push(work.unit.key)
      await client.query('INSERT INTO js_effects_k (key) VALUES ($1)', [work.unit.key])
    })
    return o.inProgress === 0 && o
  }, 20000)
  assert.deepEqual([outcome.status, outcome.processed, calls], [200, 1, ['hs:7:1']])
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_effects_k'), 1)
  assert.equal(await count(p, 'SELECT count(*) AS n FROM js_inbox_k'), 1)
})

test('the package loads and serves its protocol without pg installed', () => {
  const script = `
    const Module = require('node:module')
    const load = Module._load
    Module._load = function (request, ...rest) {
      if (request === 'pg' || request.startsWith('pg/')) throw new Error('pg blocked')
      return load.call(this, request, ...rest)
    }
    const { PostgresInbox, MIGRATION } = require('hootsuite-events/postgres')
    process.stdout.write(MIGRATION.split('\\n')[0] + ' ' + typeof PostgresInbox)
  `
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', timeout: 60000 })
  assert.equal(r.status, 0, r.stderr)
  assert.equal(r.stdout, 'CREATE TABLE IF NOT EXISTS hootsuite_events_inbox ( function')
})
