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
