'use strict'
// Issue 32: numbers out of range, `__proto__` keys, classes called without `new`, methods
// called on the wrong object, and what renderings, copies and messages show of secrets. The
// same expectations natively and on the WebAssembly fallback.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { spawnSync } = require('node:child_process')
const he = require('hootsuite-events')

const config = new he.Config('us', 'u', 'o')
const KEY = 'signing-key'
const BODY = Buffer.from('{"message":{"instanceId":1,"raw":[{"seq_no":"1","type":"t"}]}}')
const SIGNED = { [he.SIGNATURE_HEADER]: he.sign(KEY, BODY) }

const typeError = (message) => (e) => {
  assert.ok(e instanceof TypeError, `${e && e.constructor && e.constructor.name}: ${e && e.message}`)
  assert.equal(e.message, message)
  return true
}

test('maxBodySize: a whole number of bytes from 0 to 4294967295, or a precise TypeError', () => {
  for (const n of [-1, 2 ** 32, Infinity, -Infinity, NaN, 1.5, -0.5, 2 ** 53]) {
    const message = `maxBodySize must be an integer number of bytes from 0 to 4294967295, got ${n}`
    assert.throws(() => he.verifySignature(KEY, BODY, SIGNED[he.SIGNATURE_HEADER], { maxBodySize: n }), typeError(message))
    assert.throws(() => he.verifyEvent(KEY, SIGNED, BODY, { maxBodySize: n }), typeError(message))
  }
  for (const v of ['10', true, {}, [1]]) {
    assert.throws(() => he.verifySignature(KEY, BODY, SIGNED[he.SIGNATURE_HEADER], { maxBodySize: v }), (e) => e instanceof TypeError && /maxBodySize/.test(e.message))
  }
  assert.equal(he.verifySignature(KEY, BODY, SIGNED[he.SIGNATURE_HEADER], { maxBodySize: 4294967295 }), 0)
  assert.equal(he.verifySignature(KEY, BODY, SIGNED[he.SIGNATURE_HEADER], { maxBodySize: BODY.length }), 0)
  assert.equal(he.verifySignature(KEY, BODY, SIGNED[he.SIGNATURE_HEADER], { maxBodySize: undefined }), 0)
  assert.throws(() => he.verifySignature(KEY, BODY, SIGNED[he.SIGNATURE_HEADER], { maxBodySize: 0 }), he.SignatureError)
  assert.throws(() => he.verifyEvent(KEY, SIGNED, BODY, { maxBodySize: BODY.length - 1 }), he.SignatureError)
})

test('pageSize, a response status and the status counts: integers in range, or a precise TypeError', () => {
  for (const n of [-1, 2 ** 32, Infinity, NaN, 2.5]) {
    const page = typeError(`pageSize must be an integer from 0 to 4294967295, got ${n}`)
    assert.throws(() => he.listInstancesRequest(config, { pageSize: n }), page)
    assert.throws(() => he.instanceEventsPageRequest(config, 1, { pageSize: n }), page)
    assert.throws(() => he.listDeliveriesRequest(config, { pageSize: n }), page)
    assert.throws(() => he.outcomeStatus(n, 0), typeError(`inProgress must be an integer from 0 to 4294967295, got ${n}`))
    assert.throws(() => he.outcomeStatus(0, n), typeError(`failed must be an integer from 0 to 4294967295, got ${n}`))
  }
  for (const n of [-1, 1000, 2 ** 32 + 200, 200.5, Infinity, NaN]) {
    assert.throws(() => he.parseEmpty({ status: n, headers: {}, body: '' }), typeError(`status must be an integer HTTP status code from 0 to 999, got ${n}`))
  }
  assert.match(he.listInstancesRequest(config, { pageSize: 4294967295 }).url, /pageSize=4294967295/)
  assert.equal(he.outcomeStatus(0, 0), 200)
  assert.equal(he.parseEmpty({ status: 204, headers: {}, body: '' }), undefined)
})

test('a "__proto__" key of a body is an ordinary key of the result, as JSON.parse makes it', () => {
  const form = JSON.parse(`{"element": {"key": "hootsuite"}, "providerData": {"code": "c"}, "name": "n",
    "configuration": {"oauth.callback.url": "https://a.example/cb", "oauth.api.key": "k", "oauth.api.secret": "s",
      "__proto__": {"isAdmin": true}}}`)
  for (const data of [form, JSON.stringify(form)]) {
    const body = he.buildInstanceBody(data)
    assert.equal(Object.getPrototypeOf(body.configuration), Object.prototype)
    assert.equal(body.configuration.isAdmin, undefined)
    assert.ok(Object.hasOwn(body.configuration, '__proto__'))
    assert.deepEqual(Object.getOwnPropertyDescriptor(body.configuration, '__proto__').value, { isAdmin: true })
    assert.equal({}.isAdmin, undefined)
  }
})

test('a class called without new is a TypeError, and the module is left as it was', () => {
  const before = Object.keys(he).sort()
  for (const [name, args] of [['Config', ['us', 'u', 'o']], ['NativeMemoryStore', []], ['RedisProtocol', ['ns', 1000]], ['AuthorizationCode', []]]) {
    assert.throws(() => he[name](...args), typeError(`Class constructor ${name} cannot be invoked without 'new'`))
    assert.throws(() => he[name].call(he, ...args), typeError(`Class constructor ${name} cannot be invoked without 'new'`))
  }
  assert.deepEqual(Object.keys(he).sort(), before)
  assert.equal(new he.Config('us', 'u', 'o').baseUrl, 'https://api.cloud-elements.com/elements/api-v2')
})

test('a method called on an object of another class is a TypeError, never a read of another object', () => {
  // In a child process with a deadline: the failure being fixed spins forever at 100 % CPU.
  const out = spawnSync(process.execPath, ['-e', `
    const he = require('hootsuite-events')
    const store = new he.NativeMemoryStore()
    const protocol = new he.RedisProtocol('ns', 1000)
    const code = he.parseCallback('https://a.example/cb?code=C&state=s', 's')
    const config = new he.Config('us', 'u', 'o')
    const disguised = new he.RedisProtocol('ns', 1000)
    Object.setPrototypeOf(disguised, he.NativeMemoryStore.prototype)
    const cases = [
      ['NativeMemoryStore', 'claim', protocol, ['k', 1000, 1]],
      ['NativeMemoryStore', 'claim', disguised, ['k', 1000, 1]],
      ['NativeMemoryStore', 'complete', code, ['k', 't', 1]],
      ['NativeMemoryStore', 'release', {}, ['k', 't']],
      ['NativeMemoryStore', 'claim', Object.create(he.NativeMemoryStore.prototype), ['k', 1000, 1]],
      ['RedisProtocol', 'claim', store, ['k', 1000]],
      ['RedisProtocol', 'parseClaim', config, ['x', 't']],
      ['AuthorizationCode', 'getSecretValue', store, []],
      ['Config', 'instanceAuthorization', store, ['t']],
    ]
    const seen = []
    for (const [name, method, receiver, args] of cases) {
      try {
        seen.push(['returned', he[name].prototype[method].call(receiver, ...args)])
      } catch (e) {
        seen.push([e.constructor.name, e.message])
      }
    }
    for (const [name, getter, receiver] of [['NativeMemoryStore', 'size', protocol], ['RedisProtocol', 'namespace', store]]) {
      try {
        seen.push(['returned', Object.getOwnPropertyDescriptor(he[name].prototype, getter).get.call(receiver)])
      } catch (e) {
        seen.push([e.constructor.name, e.message])
      }
    }
    seen.push(['store', store.claim('k', 1000, 1).status, protocol.namespace, code.getSecretValue()])
    console.log(JSON.stringify(seen))
  `], { encoding: 'utf8', cwd: process.cwd(), timeout: 60000 })
  assert.equal(out.status, 0, `status ${out.status} signal ${out.signal}: ${out.stderr}`)
  const seen = JSON.parse(out.stdout)
  const expected = [
    ['NativeMemoryStore', 'claim'],
    ['NativeMemoryStore', 'claim'],
    ['NativeMemoryStore', 'complete'],
    ['NativeMemoryStore', 'release'],
    ['NativeMemoryStore', 'claim'],
    ['RedisProtocol', 'claim'],
    ['RedisProtocol', 'parseClaim'],
    ['AuthorizationCode', 'getSecretValue'],
    ['Config', 'instanceAuthorization'],
    ['NativeMemoryStore', 'size'],
    ['RedisProtocol', 'namespace'],
  ].map(([name, member]) => ['TypeError', `${name}.prototype.${member} called on an object that is not a${name.startsWith('A') ? 'n' : ''} ${name}`])
  assert.deepEqual(seen, [...expected, ['store', 'claimed', 'ns', 'C']])
})

test("'%o', a spread, Object.assign and structuredClone of an instance show no secret", () => {
  const body = JSON.stringify({ id: 1, name: 'n', token: 'TOK-5e1', configuration: { 'oauth.api.secret': 'AS-5e2', 'oauth.api.key': 'k' } })
  const i = he.parseInstance({ status: 200, headers: {}, body })
  const page = he.parseInstancePage({ status: 200, headers: {}, body: `[${body}]` })
  const shown = [
    util.format('%o', i),
    util.format('%o', page),
    util.inspect(i, { showHidden: true, depth: 9 }),
    util.inspect(page, { showHidden: true, depth: 9 }),
    util.inspect({ ...i }, { showHidden: true }),
    util.inspect(Object.assign({}, i), { showHidden: true }),
    util.inspect(structuredClone(i), { showHidden: true, depth: 9 }),
    util.inspect(structuredClone(page), { showHidden: true, depth: 9 }),
    JSON.stringify(i),
  ].join('\n')
  for (const s of ['TOK-5e1', 'AS-5e2']) assert.ok(!shown.includes(s), `${s} in ${shown}`)
  assert.equal(i.token, 'TOK-5e1')
  assert.deepEqual(i.configurationSecrets, { 'oauth.api.secret': 'AS-5e2' })
  assert.equal(page.instances[0].token, 'TOK-5e1')
  assert.deepEqual(page.instances[0].configurationSecrets, { 'oauth.api.secret': 'AS-5e2' })
})

test('a spread, Object.assign, structuredClone and %o of a request show no secret; its fields still read', () => {
  const account = new he.Config('us', 'USR-5e3', 'ORG-5e4')
  const create = he.createInstanceRequest(account, {
    element: { key: 'hootsuite' }, providerData: { code: 'CODE-5e5' }, name: 'n',
    configuration: { 'oauth.callback.url': 'https://a.example/cb', 'oauth.api.key': 'k', 'oauth.api.secret': 'AS-5e6' },
  })
  const redirect = he.redirectUrlRequest(account, { apiKey: 'k', apiSecret: 'AS-5e7', callbackUrl: 'https://a.example/cb', state: 'ST-5e8' })
  const secrets = ['USR-5e3', 'ORG-5e4', 'CODE-5e5', 'AS-5e6', 'AS-5e7', 'ST-5e8']
  for (const r of [create, redirect]) {
    const shown = [
      util.inspect({ ...r }, { showHidden: true, depth: 9 }),
      JSON.stringify({ ...r }),
      util.inspect(Object.assign({}, r), { showHidden: true, depth: 9 }),
      util.inspect(structuredClone(r), { showHidden: true, depth: 9 }),
      util.format('%o', r),
      util.format('%j', r),
      util.inspect(r, { showHidden: true, depth: 9 }),
    ].join('\n')
    for (const s of secrets) assert.ok(!shown.includes(s), `${s} in ${shown}`)
  }
  // The documented use: fetch(r.url, { method: r.method, headers: r.headers, body: r.body }).
  assert.equal(create.method, 'POST')
  assert.equal(create.headers.Authorization, 'User USR-5e3, Organization ORG-5e4')
  assert.equal(JSON.parse(create.body).configuration['oauth.api.secret'], 'AS-5e6')
  assert.match(create.url, /\/instances$/)
  assert.match(redirect.url, /AS-5e7/)
  assert.equal(redirect.body, null)
  const sent = new globalThis.Request(create.url, { method: create.method, headers: create.headers, body: create.body })
  assert.equal(sent.headers.get('authorization'), 'User USR-5e3, Organization ORG-5e4')
})

test('a base URL error quotes the URL without its query or fragment', () => {
  for (const url of ['http://ce.example/elements/api-v2?key=QRY-5e9', 'https://ce.example/elements/api-v2?key=QRY-5e9', 'https://ce.example/elements/api-v2#QRY-5e9']) {
    for (const call of [() => new he.Config(url, 'u', 'o'), () => he.hootsuiteWebhookUrl(url, 1)]) {
      assert.throws(call, (e) => {
        assert.ok(e instanceof he.InvalidArgumentError, String(e))
        const shown = [e.message, e.stack, util.inspect(e, { depth: 9 }), JSON.stringify(e.details)].join('\n')
        assert.ok(!shown.includes('QRY-5e9'), shown)
        assert.match(e.message, /ce\.example\/elements\/api-v2…`/)
        return true
      })
    }
  }
})
