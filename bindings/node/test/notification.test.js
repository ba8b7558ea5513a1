'use strict'
// A notification's events, hootsuiteEvents and raw are parsed on first read (from the native
// addon): whatever was read before, the object is the plain object the fallback gives.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const he = require('hootsuite-events')

const KEY = 'notification-test-key'
const BODY = Buffer.from(
  JSON.stringify({
    later: 1,
    message: { instanceId: 3, eventId: 'e', events: [{ eventType: 'CREATED', x: 1 }], raw: [{ seq_no: '4', type: 't', data: { big: 12345678901234567890, f: 1.5e300 } }, 5] },
  }),
)
const HEADERS = { 'elements-webhook-signature': he.sign(KEY, BODY) }
const fresh = () => he.verifyEvent(KEY, HEADERS, BODY)

test('a notification read field by field equals one read whole', () => {
  const whole = JSON.parse(JSON.stringify(fresh()))
  assert.deepEqual(whole.raw, [{ seq_no: '4', type: 't', data: { big: 12345678901234567890, f: 1.5e300 } }, 5])
  assert.equal(whole.hootsuiteEvents[0].seqNo, '4')
  assert.equal(whole.events[0].extra.x, 1)
  assert.equal(whole.rejected[0].position, 1)
  assert.deepEqual(Object.keys(fresh()), Object.keys(whole))
  assert.equal(Object.getPrototypeOf(fresh()), Object.prototype)

  const partly = fresh()
  assert.equal(partly.units[0].key, 'hs:3:4')
  assert.equal(partly.hootsuiteEvents, partly.hootsuiteEvents, 'parsed once, then kept')
  assert.deepStrictEqual(partly, whole)
  assert.deepStrictEqual(fresh(), whole)
  assert.deepStrictEqual({ ...fresh() }, whole)
  assert.deepStrictEqual(structuredClone(fresh()), whole)
  assert.equal(JSON.stringify(fresh()), JSON.stringify(whole), 'the same key order')
  assert.equal(util.inspect(fresh(), { depth: 5 }), util.inspect(whole, { depth: 5 }))
  assert.equal(util.inspect(partly, { depth: 5 }), util.inspect(whole, { depth: 5 }))

  const edited = fresh()
  edited.events = []
  edited.raw = null
  assert.deepEqual(edited.events, [])
  assert.equal(edited.raw, null)
  assert.deepEqual(Object.keys(edited), Object.keys(whole))
})

test('parseEventNotification gives the same object, from a string or a Buffer', () => {
  const expected = JSON.parse(JSON.stringify(fresh()))
  expected.keyIndex = null
  assert.deepStrictEqual(he.parseEventNotification(BODY), expected)
  assert.deepStrictEqual(he.parseEventNotification(BODY.toString()), expected)
})

test('events and raw are those of the body as verified, whatever becomes of its buffer', () => {
  const body = Buffer.from(BODY)
  const n = he.verifyEvent(KEY, HEADERS, body)
  body.fill(0x20)
  assert.deepStrictEqual(n.events, JSON.parse(JSON.stringify(fresh())).events)
  assert.equal(n.raw[0].seq_no, '4')
})

test('past the default body limit (a larger maxBodySize) every list comes with the notification', () => {
  const raw = Array.from({ length: 3 }, (_, i) => ({ seq_no: String(i), type: 't', data: { pad: 'x'.repeat(400 * 1024) } }))
  const big = Buffer.from(JSON.stringify({ message: { instanceId: 1, events: [{ eventType: 'CREATED' }], raw } }))
  assert.ok(big.length > 1024 * 1024)
  const n = he.verifyEvent(KEY, { 'elements-webhook-signature': he.sign(KEY, big) }, big, { maxBodySize: 2 * 1024 * 1024 })
  assert.equal(n.events[0].eventType, 'CREATED')
  assert.equal(n.raw[2].data.pad.length, 400 * 1024)
  assert.deepEqual(
    n.units.map((u) => u.key),
    ['hs:1:0', 'hs:1:1', 'hs:1:2'],
  )
})

test('a frozen notification still reads, shows and compares as before', () => {
  const whole = JSON.parse(JSON.stringify(fresh()))
  const n = Object.freeze(fresh())
  assert.deepEqual(n.events, whole.events)
  assert.deepStrictEqual(n, whole)
  assert.equal(util.inspect(Object.freeze(fresh()), { depth: 5 }), util.inspect(whole, { depth: 5 }))
  assert.equal(JSON.stringify(Object.seal(fresh())), JSON.stringify(whole))
})

// Two Hootsuite events (units hs:9:1 and hs:9:2) and one element event.
const TWO = Buffer.from(
  JSON.stringify({
    message: { instanceId: 9, eventId: 'e2', events: [{ eventType: 'CREATED' }], raw: [{ seq_no: '1', type: 't', data: {} }, { seq_no: '2', type: 't', data: {} }] },
  }),
)
const twoOf = () => he.verifyEvent(KEY, { 'elements-webhook-signature': he.sign(KEY, TWO) }, TWO)

test('process() claims the units as they are when it runs: read, edited or replaced before', async () => {
  // Untouched: the units as verified.
  let store = new he.MemoryStore()
  const seen = []
  await he.process(store, twoOf(), (work) => seen.push(work.unit.key))
  assert.deepEqual(seen, ['hs:9:1', 'hs:9:2'])

  // A unit edited in place after a read: the edited key is claimed, not the verified one.
  store = new he.MemoryStore()
  const edited = twoOf()
  edited.units[1].key = 'hs:9:edited'
  seen.length = 0
  await he.process(store, edited, (work) => seen.push(work.unit.key))
  assert.deepEqual(seen, ['hs:9:1', 'hs:9:edited'])
  assert.equal((await store.claim('hs:9:edited')).status, 'done')
  assert.equal((await store.claim('hs:9:2')).status, 'claimed', 'the replaced key was never claimed')

  // The units replaced without being read: the new list is claimed.
  store = new he.MemoryStore()
  const replaced = twoOf()
  replaced.units = [{ key: 'hs:9:only', kind: 'hootsuite_event', index: 1 }]
  seen.length = 0
  await he.process(store, replaced, (work) => seen.push([work.unit.key, work.hootsuiteEvent.seqNo]))
  assert.deepEqual(seen, [['hs:9:only', '2']])

  // A units property redefined without its setter: read as it is too.
  store = new he.MemoryStore()
  const redefined = twoOf()
  Object.defineProperty(redefined, 'units', { value: [{ key: 'hs:9:def', kind: 'element_event', index: 0 }], enumerable: true })
  seen.length = 0
  await he.process(store, redefined, (work) => seen.push([work.unit.key, work.elementEvent.eventType, work.hootsuiteEvent]))
  assert.deepEqual(seen, [['hs:9:def', 'CREATED', undefined]])
})

test('each handler gets the unit the loop claimed, whatever an earlier handler did to notification.units', async () => {
  // Reordered by the first handler (read and edited during the loop), on an untouched
  // notification and on one whose units were read first, through MemoryStore and a plain store.
  for (const readFirst of [false, true]) {
    for (const store of [new he.MemoryStore(), plainStore()]) {
      const n = twoOf()
      if (readFirst) assert.equal(n.units.length, 2)
      const seen = []
      await he.process(store, n, (work) => {
        seen.push([work.unit.key, work.hootsuiteEvent.seqNo])
        n.units.reverse()
        n.units[0] = { key: 'hs:9:planted', kind: 'hootsuite_event', index: 0 }
      })
      assert.deepEqual(seen, [['hs:9:1', '1'], ['hs:9:2', '2']], `readFirst ${readFirst}`)
    }
  }
})

// A store of the claim/complete/release methods only: the loop of one call per step.
function plainStore() {
  const inner = new he.MemoryStore()
  return {
    claim: (key, options) => inner.claim(key, options),
    complete: (key, token, options) => inner.complete(key, token, options),
    release: (key, token) => inner.release(key, token),
  }
}

test("a handler's work reads as the plain object it stands for, and what it does not read stays unparsed", async () => {
  const n = twoOf()
  const works = []
  await he.process(new he.MemoryStore(), n, (work) => {
    works.push(work)
  })
  if (he.backend === 'native') {
    for (const name of ['units', 'hootsuiteEvents', 'events', 'raw']) {
      assert.equal(typeof Object.getOwnPropertyDescriptor(n, name).get, 'function', `${name} not parsed by process()`)
    }
  }
  const whole = JSON.parse(JSON.stringify(twoOf()))
  const [first, second] = works
  assert.equal(first.notification, n)
  assert.equal(first.hootsuiteEvent, n.hootsuiteEvents[0], 'the notification\'s own event')
  assert.equal(second.unit, n.units[1])
  assert.equal(second.elementEvent, undefined)
  const plain = { unit: whole.units[0], notification: whole, hootsuiteEvent: whole.hootsuiteEvents[0], elementEvent: undefined }
  assert.deepStrictEqual(JSON.parse(JSON.stringify(first)), JSON.parse(JSON.stringify(plain)))
  assert.equal(util.inspect(first, { depth: 6 }), util.inspect(plain, { depth: 6 }))
  const { unit, hootsuiteEvent, elementEvent, notification } = second
  assert.deepStrictEqual([unit, hootsuiteEvent, elementEvent, notification], [n.units[1], n.hootsuiteEvents[1], undefined, n])
})

// The addon writes the units and hootsuiteEvents lines itself and hands `events` and `raw` the
// body after them: text that needs escaping, non-ASCII text and a body with blank lines, CRLF
// and a trailing newline read back as sent, whichever field is read first.
test('escaped and non-ASCII text reads back as sent, whichever field is read first', () => {
  const controls = Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')
  const odd = `q"b\\s/ ${controls}\u007f\u2028\u2029\ufeffé😀`
  const message = {
    instanceId: 9,
    eventId: odd,
    events: [{ eventType: 'CREATED', [odd]: odd }],
    raw: [
      { seq_no: '7', type: odd, data: { state: odd, [odd]: [odd, 1.5, -0] } },
      { seq_no: '8', type: 'com.hootsuite.messages.event.v1', data: { state: odd, message: { id: odd } } },
    ],
  }
  const body = Buffer.from(`\n\n${JSON.stringify({ message }, null, 1).replace(/\n/g, '\r\n')}\n`)
  const headers = { 'elements-webhook-signature': he.sign(KEY, body) }
  const sent = JSON.parse(body.toString('utf8')).message
  for (const first of ['events', 'raw', 'hootsuiteEvents', 'units']) {
    const n = he.verifyEvent(KEY, headers, body)
    void n[first]
    assert.deepStrictEqual(n.raw, sent.raw, first)
    assert.equal(n.eventId, odd, first)
    assert.equal(n.events[0].extra[odd], odd, first)
    const [other, typed] = n.hootsuiteEvents
    assert.deepStrictEqual([other.seqNo, other.type, other.data.kind], ['7', odd, 'other'], first)
    assert.deepStrictEqual(other.data.data, sent.raw[0].data, first)
    assert.deepStrictEqual([typed.data.kind, typed.data.state, typed.data.messageId], ['message', odd, odd], first)
    assert.deepStrictEqual(n.units.map((u) => u.key), ['hs:9:7', 'hs:9:8'], first)
    assert.deepStrictEqual(JSON.parse(JSON.stringify(n)), JSON.parse(JSON.stringify(he.verifyEvent(KEY, headers, body))), first)
  }
})
