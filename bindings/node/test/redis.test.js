'use strict'
// One conformance suite for the claim stores, run on MemoryStore and on the Redis store
// (node-redis) against a redis-server of the suite's own on a free loopback port, and against
// a Redis Cluster of three primaries of its own (createCluster). Every wait is bounded; the
// servers stop after the suite.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn, execFile } = require('node:child_process')
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const he = require('hootsuite-events')
const { RedisStore, DEFAULT_NAMESPACE, newClaimToken } = require('hootsuite-events/redis')
const { createClient, createCluster } = require('redis')
const { ESM_AFTER_REQUIRE } = require('./helpers.js')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

// `count` distinct free ports: held together while picked, so that none repeats.
async function freePorts(count) {
  const servers = []
  try {
    for (let i = 0; i < count; i++) {
      const s = net.createServer()
      servers.push(s)
      await new Promise((resolve, reject) => {
        s.once('error', reject)
        s.listen(0, '127.0.0.1', resolve)
      })
    }
    return servers.map((s) => s.address().port)
  } finally {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))))
  }
}

function spawnRedis(port, dir, extra = []) {
  const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, ...extra], { stdio: ['ignore', 'ignore', 'inherit'] })
  const failed = new Promise((_, reject) => child.once('error', (e) => reject(new Error(`cannot start redis-server (${e.message}): run \`make redis\``))))
  const exited = new Promise((resolve) => child.once('exit', resolve))
  return { child, failed, exited }
}

async function waitListening(port, failed) {
  const deadline = Date.now() + 20000
  for (;;) {
    const ok = await Promise.race([
      failed,
      new Promise((resolve) => {
        const sock = net.connect(port, '127.0.0.1', () => {
          sock.end()
          resolve(true)
        })
        sock.once('error', () => resolve(false))
      }),
    ])
    if (ok) return
    if (Date.now() > deadline) throw new Error('redis-server did not listen within 20 s')
    await sleep(20)
  }
}

// A redis-server on a free loopback port; `restart()` stops it and starts a new one on the
// same port (its keys are gone), as the Rust store's tests do.
async function startRedis() {
  const port = await freePort()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'he-redis-'))
  let server = spawnRedis(port, dir)
  await waitListening(port, server.failed)
  return {
    url: `redis://127.0.0.1:${port}`,
    get pid() {
      return server.child.pid
    },
    async kill() {
      server.child.kill('SIGKILL')
      await server.exited
    },
    async restart() {
      await this.kill()
      server = spawnRedis(port, dir)
      await waitListening(port, server.failed)
    },
    stop: () => {
      server.child.kill('SIGKILL')
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

// A Redis Cluster of three primaries (no replicas) on loopback: three redis-servers in cluster
// mode, each in a scratch directory, joined by `redis-cli --cluster create`; resolves once every
// node sees every slot served.
async function startCluster() {
  // Bus ports picked too: the default, port + 10000, overflows for high ephemeral ports.
  const picked = await freePorts(6)
  const ports = picked.slice(0, 3)
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'he-redis-cluster-'))
  const servers = []
  const stop = () => {
    for (const s of servers) s.child.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
  try {
    for (const [i, port] of ports.entries()) {
      fs.mkdirSync(path.join(dir, String(port)))
      servers.push(spawnRedis(port, path.join(dir, String(port)), ['--cluster-enabled', 'yes', '--cluster-port', String(picked[i + 3]), '--cluster-config-file', 'nodes.conf']))
    }
    for (const [i, port] of ports.entries()) await waitListening(port, servers[i].failed)
    const addresses = ports.map((p) => `127.0.0.1:${p}`)
    await new Promise((resolve, reject) => {
      execFile('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes'], { timeout: 60000 }, (e, _out, err) => (e ? reject(new Error(`redis-cli --cluster create failed: ${e.message} ${err}`)) : resolve()))
    })
    const deadline = Date.now() + 20000
    for (const port of ports) {
      const c = await connect(`redis://127.0.0.1:${port}`)
      try {
        while (!/cluster_state:ok/.test(await c.clusterInfo())) {
          assert.ok(Date.now() < deadline, `the node on port ${port} did not see every slot served within 20 s`)
          await sleep(50)
        }
      } finally {
        await c.quit()
      }
    }
  } catch (e) {
    stop()
    throw e
  }
  return { ports, urls: ports.map((p) => `redis://127.0.0.1:${p}`), servers, stop }
}

const connect = (url) => createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } }).connect()

function token(c) {
  assert.equal(c.status, 'claimed', JSON.stringify(c))
  return c.token
}

async function claimAfterExpiry(s, key) {
  const deadline = Date.now() + 10000
  for (;;) {
    const c = await s.claim(key, { leaseMs: 60000 })
    if (c.status === 'claimed') return c.token
    assert.equal(c.status, 'in_progress')
    assert.ok(Date.now() < deadline, 'the lease did not expire within 10 s')
    await sleep(10)
  }
}

// `make(namespace)` gives a store on its own namespace (its own client for Redis).
async function conformance(make) {
  const stores = await Promise.all(Array.from({ length: 8 }, () => make('concurrent')))
  const claims = await Promise.all(stores.map((s) => s.claim('k', { leaseMs: 60000 })))
  assert.deepEqual(claims.map((c) => c.status).sort(), ['claimed', ...Array(7).fill('in_progress')])

  const s = await make('cases')
  const t = token(await s.claim('held', { leaseMs: 60000 }))
  assert.equal((await s.claim('held')).status, 'in_progress')
  assert.equal(await s.release('held', t), true)
  assert.equal(await s.release('held', t), false, 'released twice')
  const t2 = token(await s.claim('held'))
  assert.equal(await s.complete('held', t2), true)
  assert.equal((await s.claim('held')).status, 'done')
  assert.equal(await s.complete('held', t2), false)
  assert.equal((await s.claim('held')).status, 'done')

  const old = token(await s.claim('lease', { leaseMs: 100 }))
  const fresh = await claimAfterExpiry(s, 'lease')
  assert.notEqual(fresh, old)
  assert.equal(await s.complete('lease', old), false, 'a lost lease completes nothing')
  assert.equal(await s.release('lease', old), false, 'a lost lease releases nothing')
  assert.equal((await s.claim('lease')).status, 'in_progress')
  assert.equal(await s.complete('lease', fresh), true)
  assert.equal((await s.claim('lease')).status, 'done')
  // A lease that ran out with no claim since: the late completion records the key as done.
  const late = token(await s.claim('late', { leaseMs: 50 }))
  await sleep(120)
  assert.equal(await s.complete('late', late), true, 'a late completion with no takeover completes')
  assert.equal((await s.claim('late', { leaseMs: 60000 })).status, 'done')

  token(await s.claim('wrong'))
  assert.equal(await s.complete('wrong', 'not-the-token'), false)
  assert.equal((await s.claim('wrong')).status, 'in_progress')

  assert.equal((await (await make('other')).claim('held')).status, 'claimed', 'namespaces isolate')

  const n = he.parseEventNotification(Buffer.from(JSON.stringify({ message: { instanceId: 3, raw: [{ seq_no: '1', type: 't' }, { seq_no: '2', type: 't' }] } })))
  const p = await make('process')
  await assert.rejects(
    he.process(p, n, (w) => {
      if (w.unit.key === 'hs:3:2') throw new Error('boom')
    }),
    /boom/,
  )
  const seen = []
  const outcome = await he.process(p, n, (w) => {
    seen.push(w.unit.key)
  })
  assert.deepEqual([outcome.status, outcome.processed, outcome.skipped, seen], [200, 1, 1, ['hs:3:2']])
  const again = await he.process(p, n, async () => {})
  assert.deepEqual([again.status, again.processed, again.skipped], [200, 0, 2])
}

test('the MemoryStore conforms', async () => {
  const spaces = new Map()
  await conformance(async (ns) => {
    if (!spaces.has(ns)) spaces.set(ns, new he.MemoryStore())
    return spaces.get(ns)
  })
})

test('the Redis store', async (t) => {
  const server = await startRedis()
  const clients = []
  t.after(async () => {
    await Promise.allSettled(clients.map((c) => c.quit()))
    server.stop()
  })
  const client = async () => {
    const c = await connect(server.url)
    clients.push(c)
    return c
  }

  await t.test('conforms', async () => {
    await conformance(async (ns) => new RedisStore(await client(), { namespace: `js-${ns}`, retentionMs: 60000 }))
  })

  await t.test('stores the keys, values and expiry of the core protocol', async () => {
    const c = await client()
    const s = new RedisStore(c, { namespace: 'js-ns', retentionMs: 5000 })
    const tok = token(await s.claim('hs:1:7', { leaseMs: 60000 }))
    assert.equal(await c.get('js-ns:{hs:1}:7'), `c:${tok}`)
    const lease = await c.pTTL('js-ns:{hs:1}:7')
    assert.ok(lease > 0 && lease <= 60000, `lease ttl ${lease}`)
    assert.equal(await s.complete('hs:1:7', tok), true)
    assert.equal(await c.get('js-ns:{hs:1}:7'), 'd')
    const kept = await c.pTTL('js-ns:{hs:1}:7')
    assert.ok(kept > 0 && kept <= 5000, `retention ttl ${kept}`)
    // A flushed script cache: EVALSHA answers NOSCRIPT and the store falls back to EVAL.
    await c.scriptFlush()
    assert.equal((await s.claim('after-flush')).status, 'claimed')
    const d = new RedisStore(c)
    assert.equal(d.namespace, DEFAULT_NAMESPACE)
    assert.equal(DEFAULT_NAMESPACE, 'hootsuite-events')
    assert.equal(await d.complete('k', token(await d.claim('k'))), true)
    assert.ok((await c.pTTL('hootsuite-events:{k}')) > 6 * 24 * 3600 * 1000)
    await c.lPush('js-ns:{list}', 'x')
    await assert.rejects(s.complete('list', 'tok'), /WRONGTYPE/)
  })

  await t.test('one notification is two round trips whatever its units: one claimAll (a pipeline of SET), one settle', async () => {
    const c = await client()
    const evalshaCalls = async () => Number((/cmdstat_evalsha:calls=(\d+)/.exec(await c.info('commandstats')) || [0, 0])[1])
    const setCalls = async () => Number((/cmdstat_set:calls=(\d+)/.exec(await c.info('commandstats')) || [0, 0])[1])
    const s = new RedisStore(c, { namespace: 'js-rt', retentionMs: 60000 })
    const raw = [0, 1, 2, 3, 4].map((i) => ({ seq_no: String(i), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT' } }))
    const n = he.parseEventNotification(JSON.stringify({ message: { instanceId: 9, raw } }))
    // Both scripts loaded on the server first: EVALSHA from here on.
    const [warm] = await s.claimAll(['hs:9:warm'])
    await s.settle([['hs:9:warm', warm.token]], [])
    let before = [await evalshaCalls(), await setCalls()]
    const first = await he.process(s, n, async () => {})
    // Five SETs claim (one pipeline); the settle script's five SETs count in commandstats too.
    assert.deepEqual([first.processed, (await evalshaCalls()) - before[0], (await setCalls()) - before[1]], [5, 1, 10])
    assert.equal(await c.get('js-rt:{hs:9}:4'), 'd')
    before = [await evalshaCalls(), await setCalls()]
    const again = await he.process(s, n, async () => {})
    assert.deepEqual([again.skipped, (await evalshaCalls()) - before[0], (await setCalls()) - before[1]], [5, 0, 5], 'all done: nothing to settle')
  })

  await t.test('before Redis 7.0 (NX with GET refused: a syntax error, nothing set), the claims go through the script', async () => {
    const c = await client()
    let pipelines = 0
    // node-redis's pipelines, except that one with a SET fails as the server would.
    const multi = (error) => () => {
      const real = c.multi()
      let claims = false
      const m = {
        set() {
          claims = true
          return m
        },
        evalSha(...args) {
          real.evalSha(...args)
          return m
        },
        eval(...args) {
          real.eval(...args)
          return m
        },
        async execAsPipeline() {
          if (!claims) return real.execAsPipeline()
          pipelines++
          throw new Error(error)
        },
      }
      return m
    }
    const old = new Proxy(c, {
      get(target, name) {
        if (name === 'multi') return multi('ERR syntax error')
        const v = Reflect.get(target, name)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    const s = new RedisStore(old, { namespace: 'js-old', retentionMs: 60000 })
    const first = await s.claimAll(['hs:1:1', 'hs:1:2'])
    assert.deepEqual(first.map((a) => a.status), ['claimed', 'claimed'])
    assert.deepEqual(await s.settle([['hs:1:1', first[0].token]], []), [true])
    assert.deepEqual((await s.claimAll(['hs:1:1', 'hs:1:2'])).map((a) => a.status), ['done', 'in_progress'])
    assert.equal(pipelines, 1, 'refused once, then the script only')
    // Another error is the call's: it fails.
    const broken = new Proxy(c, {
      get(target, name) {
        if (name === 'multi') return multi('WRONGTYPE Operation against a key')
        const v = Reflect.get(target, name)
        return typeof v === 'function' ? v.bind(target) : v
      },
    })
    await assert.rejects(new RedisStore(broken).claimAll(['hs:1:3']), /WRONGTYPE/)
  })

  await t.test('refuses bad arguments precisely', async () => {
    const c = await client()
    assert.throws(() => new RedisStore(c, { namespace: 'bad space' }), (e) => e instanceof he.InvalidArgumentError && e.field === 'namespace')
    assert.throws(() => new RedisStore(c, { retentionMs: 0 }), (e) => e instanceof he.InvalidArgumentError && e.field === 'retention_ms')
    assert.throws(() => new RedisStore({}), /node-redis client/)
    const s = new RedisStore(c)
    await assert.rejects(s.claim(''), (e) => e instanceof he.InvalidArgumentError && e.field === 'key')
    await assert.rejects(s.claim('k', { leaseMs: 0 }), (e) => e instanceof he.InvalidArgumentError && e.field === 'lease_ms')
    await assert.rejects(s.complete('k', 'sec ret'), (e) => e instanceof he.InvalidArgumentError && !e.message.includes('sec ret'))
    const p = new he.RedisProtocol('ns', 1000)
    const call = p.claim('hs:1:2', 50)
    assert.deepEqual([call.keys, call.args, call.token.length, call.sha1.length], [['ns:{hs:1}:2'], [`c:${call.token}`, '50'], 32, 40])
    assert.equal(p.key('hs:1:2'), call.keys[0])
    assert.throws(() => p.key(''), (e) => e instanceof he.InvalidArgumentError && e.field === 'key')
    assert.throws(() => p.parseClaim('OK', call.token), (e) => e instanceof he.InvalidArgumentError && /got "OK"/.test(e.message))
    assert.throws(() => p.parseFlag(2), (e) => e instanceof he.InvalidArgumentError && /1 or 0, got 2/.test(e.message))
    assert.notEqual(newClaimToken(), newClaimToken())
  })
})

test('the Redis store on a cluster of three primaries (createCluster)', async (t) => {
  const cluster = await startCluster()
  const clients = []
  t.after(() => {
    // destroy, not quit: a quit waits for the primary the last subtest stopped.
    for (const c of clients) {
      try {
        c.destroy()
      } catch {}
    }
    cluster.stop()
  })
  const open = async (c) => {
    clients.push(c)
    return c.connect()
  }
  const clusterClient = () => open(createCluster({ rootNodes: [{ url: cluster.urls[0] }], defaults: { socket: { connectTimeout: 5000 } } }))
  // A client per primary, to read what each holds; 'error' expected once a subtest stops one.
  const nodes = await Promise.all(cluster.urls.map((url) => open(createClient({ url, socket: { connectTimeout: 5000, reconnectStrategy: false } }).on('error', () => {}))))
  const evalshaCalls = async (c) => Number((/cmdstat_evalsha:calls=(\d+)/.exec(await c.info('commandstats')) || [0, 0])[1])
  const setCalls = async (c) => Number((/cmdstat_set:calls=(\d+)/.exec(await c.info('commandstats')) || [0, 0])[1])
  const raw = [1, 2, 3, 4, 5].map((i) => ({ seq_no: String(i), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT' } }))
  const instances = Array.from({ length: 30 }, (_, i) => i + 1)
  const notifications = () => instances.map((i) => he.parseEventNotification(JSON.stringify({ message: { instanceId: i, raw } })))
  // Each notification's keys share one slot, all done on the one primary serving it; the
  // notifications land on all three primaries.
  const checkSpread = async (namespace) => {
    const p = new he.RedisProtocol(namespace, 60000)
    const held = new Set()
    for (const i of instances) {
      const keys = raw.map((e) => p.key(`hs:${i}:${e.seq_no}`))
      const slots = new Set(await Promise.all(keys.map((k) => nodes[0].clusterKeySlot(k))))
      assert.equal(slots.size, 1, `instance ${i}: slots ${[...slots]}`)
      const [slot] = slots
      const counts = await Promise.all(nodes.map((n) => n.clusterCountKeysInSlot(slot)))
      const owners = counts.flatMap((n, at) => (n > 0 ? [at] : []))
      assert.equal(owners.length, 1, `instance ${i}: keys on primaries ${owners}`)
      assert.deepEqual(await nodes[owners[0]].mGet(keys), Array(5).fill('d'), `instance ${i}`)
      held.add(owners[0])
    }
    assert.equal(held.size, 3, 'the instances\' notifications spread over the three primaries')
  }

  await t.test('conforms', async () => {
    await conformance(async (ns) => new RedisStore(await clusterClient(), { namespace: `jsc-${ns}`, retentionMs: 60000 }))
  })

  await t.test('claims (a pipeline) and settles (a script) each notification whole on the primary of its slot: 30 instances over the three', async () => {
    const c = await clusterClient()
    const store = new RedisStore(c, { namespace: 'js-spread', retentionMs: 60000 })
    // Both scripts on every primary first: EVALSHA from here on.
    const [warm] = await store.claimAll(['hs:0:1'])
    await store.settle([['hs:0:1', warm.token]], [])
    const p = new he.RedisProtocol('js-spread', 60000)
    for (const call of [p.claimAll(['hs:0:1'], 1000), p.settle([['hs:0:1', 't']], [])]) {
      await Promise.all(nodes.map((n) => n.scriptLoad(call.source)))
    }
    const before = await Promise.all(nodes.map(evalshaCalls))
    const setsBefore = await Promise.all(nodes.map(setCalls))
    const outcomes = []
    for (const n of notifications()) outcomes.push(await he.process(store, n, async () => {}))
    assert.deepEqual(
      outcomes.map((o) => [o.status, o.processed]),
      instances.map(() => [200, 5]),
    )
    const calls = (await Promise.all(nodes.map(evalshaCalls))).map((n, i) => n - before[i])
    assert.equal(calls.reduce((a, b) => a + b), 30, `one settle script per notification: ${calls}`)
    assert.ok(calls.every((n) => n > 0), `every primary ran some: ${calls}`)
    // Per notification, five claiming SETs (one pipeline) and the settle script's five.
    const sets = (await Promise.all(nodes.map(setCalls))).map((n, i) => n - setsBefore[i])
    assert.equal(sets.reduce((a, b) => a + b), 300, `five claims and five completions per notification: ${sets}`)
    await checkSpread('js-spread')
  })

  await t.test('the script cache is per node: a primary that lost it gets EVAL', async () => {
    const c = await clusterClient()
    for (const [namespace, flushed] of [
      ['js-one-flushed', [nodes[1]]],
      ['js-all-flushed', nodes],
    ]) {
      await Promise.all(flushed.map((n) => n.scriptFlush()))
      const store = new RedisStore(c, { namespace, retentionMs: 60000 })
      for (const n of notifications()) assert.equal((await he.process(store, n, () => {})).processed, 5)
      await checkSpread(namespace)
    }
  })

  await t.test('a primary that stops answering fails the calls of its slots within timeoutMs; the others go on', async () => {
    const c = await clusterClient()
    const store = new RedisStore(c, { namespace: 'js-stalled', timeoutMs: 1000 })
    const p = new he.RedisProtocol('js-stalled', 60000)
    // An instance of each primary.
    const byNode = new Map()
    for (const i of instances) {
      const slot = await nodes[0].clusterKeySlot(p.key(`hs:${i}:1`))
      const range = (await nodes[0].clusterSlots()).find((r) => slot >= r.from && slot <= r.to)
      const at = cluster.ports.indexOf(range.master.port)
      if (!byNode.has(at)) byNode.set(at, i)
    }
    assert.equal(byNode.size, 3)
    const stalled = cluster.servers[2].child.pid
    process.kill(stalled, 'SIGSTOP')
    try {
      const started = Date.now()
      await assert.rejects(store.claim(`hs:${byNode.get(2)}:1`), (e) => e.name === 'RedisStoreError' && e.code === 'timeout')
      const waited = Date.now() - started
      assert.ok(waited < 3000, `timed out after ${waited} ms`)
      assert.equal((await store.claim(`hs:${byNode.get(0)}:1`)).status, 'claimed')
      assert.equal((await store.claim(`hs:${byNode.get(1)}:1`)).status, 'claimed')
    } finally {
      process.kill(stalled, 'SIGCONT')
    }
    assert.equal((await store.claim(`hs:${byNode.get(2)}:1`)).status, 'in_progress', 'the script that timed out ran once the primary answered')

    // A primary gone (SIGKILL): its slots' calls fail within timeoutMs, saying why, and the
    // cluster's reconnection errors end no process; the other primaries go on.
    await new Promise((resolve) => {
      cluster.servers[2].child.once('exit', resolve)
      cluster.servers[2].child.kill('SIGKILL')
    })
    const started = Date.now()
    await assert.rejects(store.claim(`hs:${byNode.get(2)}:2`), (e) => e.name === 'RedisStoreError' && e.code === 'timeout' && /last error: .*(ECONNREFUSED|Socket closed unexpectedly)/.test(e.message))
    assert.ok(Date.now() - started < 3000)
    assert.equal((await store.claim(`hs:${byNode.get(0)}:2`)).status, 'claimed')
    assert.equal((await store.claim(`hs:${byNode.get(1)}:2`)).status, 'claimed')
  })
})

test('the Redis store survives a restart of the server: a call in the outage fails within the timeout, the next ones work (issue 32)', async (t) => {
  const server = await startRedis()
  // The README's client: node-redis's own reconnection, and no 'error' listener of the app's.
  const client = await createClient({ url: server.url }).connect()
  t.after(() => {
    try {
      process.kill(server.pid, 'SIGCONT')
    } catch {}
    client.destroy()
    server.stop()
  })
  const TIMEOUT = 1000
  const store = new RedisStore(client, { namespace: 'js-restart', timeoutMs: TIMEOUT })
  assert.equal((await store.claim('before')).status, 'claimed')

  // A call while the server is down fails within the timeout, with an error that says why.
  await server.kill()
  const started = Date.now()
  const during = await Promise.race([
    store.claim('during').then((claim) => ({ claim }), (error) => ({ error })),
    sleep(TIMEOUT + 4000).then(() => ({ hung: true })),
  ])
  const elapsed = Date.now() - started
  assert.ok(during.error, `expected a rejection, got ${JSON.stringify(during)}`)
  assert.ok(elapsed < TIMEOUT + 500, `failed after ${elapsed} ms`)
  assert.ok(during.error instanceof Error && during.error.name === 'RedisStoreError', String(during.error))
  assert.match(during.error.message, /the Redis claim script (was not sent: the node-redis client is not connected|got no answer within 1000 ms)/)
  assert.ok(!during.error.message.includes(server.url), during.error.message)

  // Once the server is back, node-redis reconnects and the calls work again.
  await server.restart()
  const deadline = Date.now() + 20000
  let claim
  while (!claim) {
    claim = await store.claim('after').catch(() => null)
    if (!claim) {
      assert.ok(Date.now() < deadline, 'the store did not work again within 20 s of the restart')
      await sleep(50)
    }
  }
  assert.equal(claim.status, 'claimed')
  assert.equal(await store.complete('after', claim.token), true)
  assert.equal((await store.claim('after')).status, 'done')

  // A server that stops answering (SIGSTOP): the call times out instead of holding the receiver.
  process.kill(server.pid, 'SIGSTOP')
  const stalled = Date.now()
  await assert.rejects(store.claim('stalled'), (e) => e.name === 'RedisStoreError' && e.code === 'timeout' && /got no answer within 1000 ms/.test(e.message))
  const waited = Date.now() - stalled
  assert.ok(waited >= TIMEOUT - 50 && waited < TIMEOUT + 1000, `timed out after ${waited} ms`)
  process.kill(server.pid, 'SIGCONT')
  assert.equal((await store.claim('resumed')).status, 'claimed')
})

test('the Redis store refuses a bad timeout precisely', () => {
  const client = { evalSha() {}, eval() {} }
  for (const bad of [0, -1, 1.5, Infinity, NaN, 2 ** 31, '1000']) {
    assert.throws(() => new RedisStore(client, { timeoutMs: bad }), (e) => e instanceof TypeError && e.message === `timeoutMs must be an integer number of milliseconds from 1 to 2147483647, got ${typeof bad === 'string' ? JSON.stringify(bad) : bad}`)
  }
  assert.equal(new RedisStore(client, { timeoutMs: 2147483647 }).namespace, DEFAULT_NAMESPACE)
})

test('the ES module entry exports the same names', { skip: ESM_AFTER_REQUIRE }, async () => {
  const esm = await import('hootsuite-events/redis')
  assert.deepEqual(Object.keys(esm).filter((k) => k !== 'default').sort(), Object.keys(require('hootsuite-events/redis')).sort())
})
