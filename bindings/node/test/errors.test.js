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
})

test('Deduplicator and schema', () => {
  const d = new he.Deduplicator(2)
  assert.ok(d.firstTime('a'))
  assert.ok(!d.firstTime('a'))
  assert.equal(d.size, 1)
  assert.equal(he.createInstanceSchema().properties.name.title, 'Name')
})
