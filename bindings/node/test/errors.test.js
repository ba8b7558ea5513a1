'use strict'
// Errors, inspection output and the guard rails around secrets and raw bodies.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const he = require('hootsuite-events')

const SECRETS = ['USER-SECRET-7f3', 'ORG-SECRET-9a1', 'CLIENT-SECRET-c44', 'CODE-SECRET-d55', 'SIGKEY-SECRET-e66', 'TOKEN-SECRET-f77']

test('no secret in any rendering or error', () => {
  const config = new he.Config('us', 'USER-SECRET-7f3', 'ORG-SECRET-9a1')
  const request = he.createInstanceRequest(config, {
    element: { key: 'hootsuite' }, providerData: { code: 'CODE-SECRET-d55' }, name: 'n',
    configuration: { 'oauth.callback.url': 'https://a.example/cb', 'oauth.api.key': 'k', 'oauth.api.secret': 'CLIENT-SECRET-c44', 'event.notification.signature.key': 'SIGKEY-SECRET-e66' },
  })
  const redirect = he.redirectUrlRequest(config, { apiKey: 'k', apiSecret: 'CLIENT-SECRET-c44', callbackUrl: 'https://a.example/cb' })
  assert.match(request.headers.Authorization, /USER-SECRET-7f3/, 'the request itself is sendable')
  const texts = [util.inspect(config), JSON.stringify(config), String(config), util.inspect(request), JSON.stringify(request), util.inspect(redirect), JSON.stringify(redirect), util.inspect([request], { depth: 5 })]
  const attempts = [
    () => new he.Config('us', '', 'ORG-SECRET-9a1'),
    () => new he.Config('us', 'USER-SECRET-7f3\n', 'x'),
    () => he.verifySignature('SIGKEY-SECRET-e66', Buffer.from('x'), 'sha256=AAAA'),
    () => he.createInstanceRequest(config, { providerData: { code: 'CODE-SECRET-d55' }, configuration: { 'oauth.api.secret': 'CLIENT-SECRET-c44' } }),
    () => he.parseCallback('?code=CODE-SECRET-d55&state=evil', 's'),
    () => he.parseInstance({ status: 200, headers: {}, body: '{"id": "x", "token": "TOKEN-SECRET-f77"}' }),
    () => he.redirectUrlRequest(config, { apiKey: '', apiSecret: 'CLIENT-SECRET-c44', callbackUrl: 'x' }),
  ]
  for (const attempt of attempts) {
    try {
      attempt()
      assert.fail('expected an error')
    } catch (e) {
      assert.ok(e instanceof he.HootsuiteEventsError, String(e))
      texts.push(util.inspect(e), e.message, e.stack, JSON.stringify(e.details))
    }
  }
  const all = texts.join('\n')
  for (const s of SECRETS) assert.ok(!all.includes(s), s)
  const instance = he.parseInstance({ status: 200, headers: {}, body: '{"id": 1, "name": "n", "token": "TOKEN-SECRET-f77"}' })
  assert.equal(instance.token, 'TOKEN-SECRET-f77')
  assert.equal(instance.tokenMasked, 'TOKE********')
})

test('error classes carry their data', () => {
  assert.throws(() => he.createInstanceRequest(new he.Config('us', 'u', 'o'), '{"name": '), (e) => e instanceof he.ValidationError && e.errors[0].code === 'json_syntax' && e.errors[0].line === 1)
  assert.throws(() => new he.Config('https;//x', 'u', 'o'), (e) => e instanceof he.InvalidArgumentError && e.field === 'base_url')
  assert.throws(() => he.parseCallback('?error=access_denied&error_description=no&state=s', 's'), (e) => e instanceof he.CallbackError && e.error === 'access_denied' && e.description === 'no')
  assert.throws(() => he.parseEventNotification('{"message": {"events": 3}}'), (e) => e instanceof he.ParseError && e.path.join('.') === 'message.events')
  assert.throws(
    () => he.parseEmpty({ status: 503, headers: [['Retry-After', '7']], body: '<html>' }),
    (e) => e instanceof he.ApiError && e.isRetryable && e.retryAfter === 7 && e.apiMessage === null && e instanceof Error,
  )
})

test('validateInstance returns data and never throws on invalid input', () => {
  const r = he.validateInstance('[1, 2')
  assert.equal(r.valid, false)
  assert.equal(r.errors[0].code, 'json_syntax')
  const r2 = he.validateInstance({ name: '' })
  assert.deepEqual(r2.errors.map((e) => e.path.join('/')), ['element', 'providerData/code', 'configuration/oauth.callback.url', 'configuration/oauth.api.key', 'configuration/oauth.api.secret', 'name'])
})

test('verifyEvent needs the raw bytes', () => {
  const body = Buffer.from('{"message": {"events": []}}')
  const header = he.sign('k', body)
  assert.throws(() => he.verifyEvent('k', { 'elements-webhook-signature': header }, body.toString()), (e) => e instanceof TypeError && /raw bytes/.test(e.message))
  assert.throws(() => he.verifyEvent('k', { 'elements-webhook-signature': header }, JSON.parse(body)), (e) => e instanceof TypeError && /express\.json/.test(e.message))
  assert.deepEqual(he.verifyEvent('k', new Headers({ 'Elements-Webhook-Signature': header }), new Uint8Array(body)).events, [])
  // What Express hands over when no raw-body parser matched the Content-Type (a bare
  // express.raw() reads only application/octet-stream): undefined, or {} after another parser.
  for (const missing of [undefined, null, {}]) {
    assert.throws(
      () => he.verifyEvent('k', { 'elements-webhook-signature': header }, missing),
      (e) => e instanceof TypeError && /no raw-body parser matched the request's Content-Type/.test(e.message) && /express\.raw\(\{ type: '\*\/\*' \}\)/.test(e.message),
      String(missing),
    )
  }
})

test('an empty key is a setup mistake and an empty body a host mistake, each said so', () => {
  const body = Buffer.from('{"message": {"events": []}}')
  const header = he.sign('k', body)
  // An unset variable: an argument error, not a forged delivery (a receiver would answer 401).
  assert.throws(() => he.verifyEvent('', { 'elements-webhook-signature': header }, body), (e) => e instanceof he.InvalidArgumentError && e.field === 'key')
  assert.throws(() => he.verifyEvent(['k', ''], { 'elements-webhook-signature': header }, body), (e) => e instanceof he.InvalidArgumentError && /key 2 of 2 is empty/.test(e.message))
  // The raw bytes were not read: said so, rather than "wrong key".
  assert.throws(() => he.verifyEvent('k', { 'elements-webhook-signature': header }, Buffer.alloc(0)), (e) => e instanceof he.SignatureError && e.code === 'signature_empty_body' && /the body is empty/.test(e.message))
})

test('schema', () => {
  assert.equal(he.createInstanceSchema().properties.name.title, 'Name')
})

test('several keys: the index of the one that matched, precise errors past the limits', () => {
  const body = Buffer.from('{"message": {"eventId": "e", "instanceId": 4, "events": [{"eventType": "CREATED"}]}}')
  const oldSig = he.sign('old-key', body)
  assert.equal(he.verifySignature('old-key', body, oldSig), 0)
  assert.equal(he.verifySignature(['new-key', 'old-key'], body, oldSig), 1)
  assert.equal(he.verifyEvent(['new-key', 'old-key'], { 'Elements-Webhook-Signature': oldSig }, body).keyIndex, 1)
  assert.equal(he.verifyEvent('old-key', { 'Elements-Webhook-Signature': oldSig }, body).keyIndex, 0)
  assert.throws(() => he.verifySignature(['new-key'], body, oldSig), (e) => e instanceof he.SignatureError && e.code === 'signature_mismatch')
  assert.throws(() => he.verifySignature([], body, oldSig), (e) => e instanceof he.InvalidArgumentError && e.field === 'keys')
  const nine = Array.from({ length: he.MAX_KEYS + 1 }, (_, i) => `k${i}`)
  assert.throws(() => he.verifySignature(nine, body, oldSig), (e) => e instanceof he.InvalidArgumentError && /9 keys/.test(e.message))
  const many = Array(he.MAX_SIGNATURE_CANDIDATES + 1).fill(oldSig).join(',')
  assert.throws(() => he.verifySignature('old-key', body, many), (e) => e instanceof he.SignatureError && e.code === 'signature_too_many')
  assert.throws(() => he.verifySignature([1, 2], body, oldSig), TypeError)
  // A signature that no key of the list matches names no key.
  assert.throws(() => he.verifySignature(['SIGKEY-SECRET-e66'], body, oldSig), (e) =>
    e instanceof he.SignatureError && e.code === 'signature_mismatch' &&
    !util.inspect(e).includes('SIGKEY-SECRET-e66') && !e.message.includes('SIGKEY-SECRET-e66'))
})

test('MemoryStore: claim, complete, release, leases, bounds, argument errors', () => {
  const s = new he.MemoryStore({ capacity: 2, retentionMs: 1000 })
  const a = s.claim('a', { leaseMs: 100, nowMs: 0 })
  assert.equal(a.status, 'claimed')
  assert.equal(typeof a.token, 'string')
  assert.deepEqual(s.claim('a', { leaseMs: 100, nowMs: 50 }), { status: 'in_progress' })
  assert.equal(s.complete('a', 'not-the-token', { nowMs: 60 }), false)
  assert.equal(s.complete('a', a.token, { nowMs: 60 }), true)
  assert.deepEqual(s.claim('a', { nowMs: 70 }), { status: 'done' })
  // Retention over: the key is new again.
  assert.equal(s.claim('a', { leaseMs: 100, nowMs: 1061 }).status, 'claimed')
  const b = s.claim('b', { leaseMs: 100, nowMs: 0 })
  assert.equal(s.release('b', b.token), true)
  assert.equal(s.release('b', b.token), false)
  // A crashed claimant's lease expires; its late completion is refused.
  const c1 = s.claim('c', { leaseMs: 100, nowMs: 0 })
  const c2 = s.claim('c', { leaseMs: 100, nowMs: 100 })
  assert.equal(c2.status, 'claimed')
  assert.equal(s.complete('c', c1.token, { nowMs: 150 }), false)
  assert.equal(s.size, 2, 'bounded by its capacity')
  // nowMs defaults to Date.now(), leaseMs to DEFAULT_LEASE_MS.
  const d = new he.MemoryStore()
  const t = d.claim('k')
  assert.deepEqual(d.claim('k', { nowMs: Date.now() + he.DEFAULT_LEASE_MS - 1000 }), { status: 'in_progress' })
  assert.equal(d.claim('k', { nowMs: Date.now() + he.DEFAULT_LEASE_MS + 1000 }).status, 'claimed')
  assert.equal(d.complete('k', t.token), false)
  assert.throws(() => d.claim('k', { nowMs: -1 }), (e) => e instanceof TypeError && /nowMs/.test(e.message))
  assert.throws(() => d.claim('k', { leaseMs: 1.5 }), (e) => e instanceof TypeError && /leaseMs/.test(e.message))
  assert.throws(() => new he.MemoryStore({ capacity: 0 }), (e) => e instanceof TypeError && /capacity/.test(e.message))
  assert.throws(() => new he.MemoryStore({ retentionMs: NaN }), (e) => e instanceof TypeError && /retentionMs/.test(e.message))
  // The stores' one range rule (the Redis store's too): a zero retention would process a
  // replay again, a zero lease would let every concurrent delivery claim the same unit.
  assert.throws(() => new he.MemoryStore({ retentionMs: 0 }), (e) => e instanceof he.InvalidArgumentError && e.field === 'retention_ms')
  const zero = new he.MemoryStore()
  assert.throws(() => zero.claim('k', { leaseMs: 0 }), (e) => e instanceof he.InvalidArgumentError && e.field === 'lease_ms')
  assert.equal(zero.size, 0, 'nothing was claimed')
  // The native class underneath takes the times explicitly; its errors are converted too.
  const native = new he.NativeMemoryStore(1, 10)
  assert.equal(native.claim('x', 5, 0).status, 'claimed')
  assert.throws(() => native.claim('x', 5, -2), (e) => e instanceof TypeError && /nowMs/.test(e.message))
})

test('methods of native classes throw the Error subclasses too', () => {
  assert.throws(() => new he.Config('us', 'u', 'o').instanceAuthorization(''), (e) => e instanceof he.InvalidArgumentError && e.field === 'instance_token')
})

test('constants and status are the core\'s', () => {
  assert.deepEqual([he.STATUS_OK, he.STATUS_IN_PROGRESS, he.STATUS_FAILED], [200, 409, 500])
  assert.deepEqual([he.DEFAULT_LEASE_MS, he.DEFAULT_RETENTION_MS, he.DEFAULT_CAPACITY], [60000, 7 * 24 * 3600 * 1000, 100000])
  assert.deepEqual([he.outcomeStatus(0, 0), he.outcomeStatus(1, 0), he.outcomeStatus(1, 1), he.outcomeStatus(0, 2)], [200, 409, 500, 500])
  assert.equal(he.Deduplicator, undefined)
})

test('MemoryStore and process refuse a wrong-type key or lease with the same TypeError on either backend', async () => {
  const store = new he.MemoryStore()
  assert.throws(() => store.claim(5), { name: 'TypeError', message: 'key must be a string, got a value of type number' })
  assert.throws(() => store.complete('k', 5), { name: 'TypeError', message: 'token must be a string, got a value of type number' })
  assert.throws(() => store.claim('k', { leaseMs: 'x' }), { name: 'TypeError', message: 'leaseMs must be a number, got a value of type string' })
  assert.throws(() => store.claim('k', { nowMs: '1' }), { name: 'TypeError', message: 'nowMs must be a number, got a value of type string' })
  const n = he.parseEventNotification(JSON.stringify({ message: { instanceId: 7, raw: [{ seq_no: '1', type: 't' }] } }))
  await assert.rejects(he.process(store, n, () => {}, { leaseMs: 'x' }), { name: 'TypeError', message: 'leaseMs must be a number, got a value of type string' })
  // The store still answers after the refusals.
  assert.equal((await he.process(store, n, () => {})).processed, 1)
})

test('process: a settle that fails after a handler threw keeps the handler error as its cause', async () => {
  const raw = [1, 2].map((n) => ({ seq_no: String(n), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT' } }))
  const inner = new he.MemoryStore()
  const dropped = () => new Error('connection dropped')
  // A settle that throws synchronously, one that rejects, and the per-unit methods' release.
  const base = { claim: (k, o) => inner.claim(k, o), complete: (k, t, o) => inner.complete(k, t, o), release: (k, t) => inner.release(k, t) }
  const stores = [
    { ...base, claimAll: (keys, o) => inner.claimAll(keys, o), settle: () => { throw dropped() } },
    { ...base, claimAll: async (keys, o) => inner.claimAll(keys, o), settle: async () => { throw dropped() } },
    { ...base, release: async () => { throw dropped() } },
  ]
  for (const [i, store] of stores.entries()) {
    const n = he.parseEventNotification(JSON.stringify({ message: { instanceId: 30 + i, raw } }))
    const boom = new Error('handler fails')
    await assert.rejects(he.process(store, n, () => { throw boom }), (e) => e.message === 'connection dropped' && e.cause === boom, `store ${i}`)
    // A handler that succeeded leaves the store's error as it was.
    const m = he.parseEventNotification(JSON.stringify({ message: { instanceId: 40 + i, raw } }))
    const failing = { ...store, complete: () => { throw dropped() }, ...(store.settle ? { settle: () => { throw dropped() } } : {}) }
    await assert.rejects(he.process(failing, m, () => {}), (e) => e.message === 'connection dropped' && e.cause === undefined, `store ${i}, no handler error`)
  }
})

test('process: one claimAll and one settle per notification; a failure keeps what was done', async () => {
  const raw = [1, 2, 3, 4, 5].map((n) => ({ seq_no: String(n), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT' } }))
  const n = he.parseEventNotification(JSON.stringify({ message: { instanceId: 7, raw } }))
  const inner = new he.MemoryStore()
  const calls = []
  const store = {
    claim: (k, o) => (calls.push('claim'), inner.claim(k, o)),
    complete: (k, t, o) => (calls.push('complete'), inner.complete(k, t, o)),
    release: (k, t) => (calls.push('release'), inner.release(k, t)),
    claimAll: async (keys, o) => (calls.push(['claimAll', keys.length]), inner.claimAll(keys, o)),
    settle: async (c, r, o) => (calls.push(['settle', c.length, r.length]), inner.settle(c, r, o)),
  }
  const seen = []
  const boom = new Error('unit 3 fails')
  await assert.rejects(
    he.process(store, n, (w) => {
      if (w.hootsuiteEvent.seqNo === '3') throw boom
      seen.push(w.unit.key)
    }),
    (e) => e === boom,
  )
  // Units 1 and 2 completed; 3 (failed) and 4, 5 (never handled) released: one call each way.
  assert.deepEqual(calls, [['claimAll', 5], ['settle', 2, 3]])
  calls.length = 0
  const o = await he.process(store, n, (w) => seen.push(w.unit.key))
  assert.deepEqual(calls, [['claimAll', 5], ['settle', 3, 0]])
  assert.deepEqual([o.status, o.processed, o.skipped], [200, 3, 2])
  assert.deepEqual(seen, ['hs:7:1', 'hs:7:2', 'hs:7:3', 'hs:7:4', 'hs:7:5'], 'each unit once')
  // A store without the batch methods: one call per unit, the same outcome.
  const plain = { claim: store.claim, complete: store.complete, release: store.release }
  calls.length = 0
  const other = he.parseEventNotification(JSON.stringify({ message: { instanceId: 8, raw: raw.slice(0, 2) } }))
  assert.equal((await he.process(plain, other, () => {})).processed, 2)
  assert.deepEqual(calls, ['claim', 'claim', 'complete', 'complete'])
  // A store that answers the wrong number of claims is refused, with no token in the message.
  const liar = { ...plain, claimAll: () => [{ status: 'claimed', token: 'SECRET-TOKEN-1' }] }
  await assert.rejects(he.process(liar, n, () => {}), (e) => e instanceof he.InvalidArgumentError && /one claim answer per key \(5\), got 1/.test(e.message) && !e.message.includes('SECRET-TOKEN-1'))
  const odd = { ...plain, claimAll: (keys) => keys.map(() => ({ status: 'maybe', token: 'SECRET-TOKEN-2' })) }
  await assert.rejects(he.process(odd, n, () => {}), (e) => e instanceof TypeError && /answered a claim with status "maybe"/.test(e.message) && !e.message.includes('SECRET-TOKEN-2'))
})

test('process: each unit once, release and rethrow on failure, async stores, 409 while held', async () => {
  const raw = [1, 2, 3].map((n) => ({ seq_no: String(n), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT', message: { id: `m${n}` } } }))
  const n = he.parseEventNotification(JSON.stringify({ message: { eventId: '9', instanceId: 5, raw } }))
  assert.deepEqual(n.units.map((u) => u.key), ['hs:5:1', 'hs:5:2', 'hs:5:3'])
  const store = new he.MemoryStore()
  const seen = []
  const boom = new Error('boom')
  await assert.rejects(
    he.process(store, n, async (w) => {
      if (w.hootsuiteEvent.seqNo === '2') throw boom
      seen.push(w.hootsuiteEvent.data.messageId)
    }),
    (e) => e === boom,
  )
  assert.equal(store.size, 1, 'the failed unit was released')
  const outcome = await he.process(store, n, (w) => {
    seen.push(w.hootsuiteEvent.data.messageId)
  })
  assert.deepEqual(outcome, { status: 200, processed: 2, skipped: 1, inProgress: 0, failed: 0, lostLeases: 0, rejected: [] })
  assert.deepEqual(seen, ['m1', 'm2', 'm3'])

  // A store whose methods return promises (as a Redis store's do), holding one key elsewhere.
  const inner = new he.MemoryStore()
  inner.claim('hs:5:2', { leaseMs: 60000 })
  const calls = []
  const asyncStore = {
    claim: async (k, o) => (calls.push(['claim', k, o.leaseMs, typeof o.nowMs]), inner.claim(k, o)),
    complete: async (k, t, o) => (calls.push(['complete', k]), inner.complete(k, t, o)),
    release: async (k, t) => inner.release(k, t),
  }
  const held = await he.process(asyncStore, n, async () => {}, { leaseMs: 5000 })
  assert.deepEqual(held, { status: 409, processed: 2, skipped: 0, inProgress: 1, failed: 0, lostLeases: 0, rejected: [] })
  assert.deepEqual(calls[0], ['claim', 'hs:5:1', 5000, 'number'])
  assert.equal(calls.filter((c) => c[0] === 'complete').length, 2)

  // A lease that expired during processing is reported.
  const slow = new he.MemoryStore()
  const lost = await he.process(slow, n, async (w) => {
    slow.claim(w.unit.key, { nowMs: Date.now() + 120000 })
  }, { leaseMs: 1000 })
  assert.equal(lost.lostLeases, 3)

  await assert.rejects(he.process({}, n, () => {}), TypeError)
  await assert.rejects(he.process(store, { events: [] }, () => {}), /no units/)
  await assert.rejects(he.process({ claim: () => ({ status: 'maybe' }), complete() {}, release() {} }, n, () => {}), /expected \{status: 'claimed'/)
})

test('process: the same handler calls, outcomes and claims whichever way the loop runs', async () => {
  // The built-in MemoryStore (its claims and settle made natively, no telemetry), a subclass
  // whose claimAll is its own (the store called), and a store of claim/complete/release only.
  class Spied extends he.MemoryStore {
    claimAll(keys, o) {
      return super.claimAll(keys, o)
    }
  }
  const perUnit = () => {
    const inner = new he.MemoryStore()
    return { inner, claim: (k, o) => inner.claim(k, o), complete: (k, t, o) => inner.complete(k, t, o), release: (k, t) => inner.release(k, t) }
  }
  const event = (n) => ({ seq_no: String(n), type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT', message: { id: `m${n}` } } })
  const unreadable = { seq_no: '3', type: 'com.hootsuite.messages.event.v1', data: { message: 5 } }
  const n = he.parseEventNotification(JSON.stringify({ message: { instanceId: 4, raw: [event(1), event(2), unreadable, event(4), event(5)] } }))
  assert.equal(n.units[2].kind, 'rejected')
  // No units at all (a notification always has one; process takes any object with units).
  const empty = { units: [], rejected: [] }
  const run = async (store) => {
    const log = []
    const handler = (failAt) => async (w) => {
      log.push(w.unit.key)
      if (w.hootsuiteEvent.seqNo === failAt) throw new Error(`fails at ${failAt}`)
    }
    const outcome = (p) => p.then((o) => ({ ...o, rejected: o.rejected.map((r) => r.position) }), (e) => e.message)
    const held = (store.inner || store).claim('hs:4:5', { leaseMs: 60000 })
    log.push(await outcome(he.process(store, n, handler('4'))))
    ;(store.inner || store).release('hs:4:5', held.token)
    log.push(await outcome(he.process(store, n, (w) => void log.push(w.unit.key))))
    log.push(await outcome(he.process(store, n, handler('1'))))
    log.push(await outcome(he.process(store, empty, handler('1'), { leaseMs: -1 })))
    log.push(await outcome(he.process(store, n, () => {}, { leaseMs: -1 })))
    log.push((store.inner || store).size)
    return log
  }
  const memory = await run(new he.MemoryStore())
  assert.deepEqual(memory, [
    'hs:4:1', 'hs:4:2', 'hs:4:4', 'fails at 4',
    'hs:4:4', 'hs:4:5',
    { status: 200, processed: 2, skipped: 3, inProgress: 0, failed: 0, lostLeases: 0, rejected: [] },
    { status: 200, processed: 0, skipped: 5, inProgress: 0, failed: 0, lostLeases: 0, rejected: [] },
    { status: 200, processed: 0, skipped: 0, inProgress: 0, failed: 0, lostLeases: 0, rejected: [] },
    'leaseMs must be a non-negative integer number of milliseconds, got -1',
    5,
  ])
  assert.deepEqual(await run(new Spied()), memory)
  assert.deepEqual(await run(perUnit()), memory)
})

test('the header names are the core constants', () => {
  assert.equal(he.SIGNATURE_HEADER, 'Elements-Webhook-Signature')
  assert.equal(he.WEBHOOK_ID_HEADER, 'Elements-Webhook-Id')
})
