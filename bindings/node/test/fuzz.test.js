'use strict'
// Random inputs into every parser: only the library's own errors, never a crash.
const test = require('node:test')
const assert = require('node:assert/strict')
const crypto = require('node:crypto')
const he = require('hootsuite-events')

function randomJson(depth = 0) {
  const r = Math.random()
  if (depth > 4 || r < 0.3) return [null, true, 0, -1.5, 'x', 'hootsuite', 'https://a.example', 'true', ''][Math.floor(Math.random() * 9)]
  if (r < 0.6) return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomJson(depth + 1))
  const keys = ['element', 'key', 'providerData', 'code', 'configuration', 'oauth.callback.url', 'event.notification.enabled', 'name', 'tags', 'message', 'events', 'raw', 'type', 'seq_no']
  const o = {}
  for (let i = Math.floor(Math.random() * 5); i > 0; i--) o[keys[Math.floor(Math.random() * keys.length)]] = randomJson(depth + 1)
  return o
}

function survives(fn) {
  try {
    fn()
  } catch (e) {
    assert.ok(e instanceof he.HootsuiteEventsError, `unexpected ${e && e.stack}`)
  }
}

test('random bytes and JSON never crash', () => {
  for (let i = 0; i < 2000; i++) {
    const bytes = crypto.randomBytes(Math.floor(Math.random() * 200))
    const value = randomJson()
    const text = JSON.stringify(value)
    survives(() => he.parseEventNotification(bytes))
    survives(() => he.parseEventNotification(JSON.stringify({ message: value })))
    survives(() => he.parseInstance({ status: 200, headers: {}, body: bytes }))
    survives(() => he.parseInstancePage({ status: 200, headers: {}, body: text }))
    survives(() => he.parseRedirectUrl({ status: 200, headers: {}, body: text }))
    survives(() => he.parseCallback(bytes.toString('latin1'), 's'))
    survives(() => he.verifyEvent('k', { 'elements-webhook-signature': bytes.toString('base64') }, bytes))
    const a = he.validateInstance(value)
    assert.deepEqual(he.validateInstance(value), a)
    if (a.valid) assert.deepEqual(he.buildInstanceBody(he.buildInstanceBody(value)), he.buildInstanceBody(value))
  }
})
