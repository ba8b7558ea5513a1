'use strict'
// The shared vectors against the WebAssembly build (the package's CommonJS entry, pkg/node):
// every case of every file, its whole result equal to the recorded snapshot that the Node
// package's runs (native and fallback) compare with too, and the vector file's `expected`
// (the same results as Rust) holding of it.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const he = require(process.env.HOOTSUITE_EVENTS_WASM || path.join(__dirname, '..', 'pkg', 'node', 'index.js'))

const REPO = path.resolve(__dirname, '..', '..', '..')
const { vectors, buildRequest, validate, outcome, testVectors } = require(path.join(REPO, 'tests', 'vectors', 'js-ops.cjs'))

const account = (baseUrl, userSecret, organizationSecret) => ({ baseUrl, userSecret, organizationSecret })
const recorded = testVectors(he, account)

// The form's operations, for the browser build: its results equal the full build's.
const formOps = (he) => ({
  validation: (i) => () => {
    const data = 'text' in i ? i.text : i.json
    const report = validate(he, i)
    if ('step1_callback_url' in i) return { report }
    return { report, body: outcome(() => he.buildInstanceBody(data)) }
  },
  requests: (i) => () => {
    if (i.op === 'hootsuite_webhook_url') return { value: he.hootsuiteWebhookUrl(i.base_url, i.args.id) }
    return buildRequest(he, account(i.base_url, i.user_secret, i.organization_secret), i.op, i.args)
  },
})
const FORM_REQUESTS = new Set(['create_instance', 'hootsuite_webhook_url'])

test('parseCallback hands back an AuthorizationCode; the functions send the code itself (issue 14)', () => {
  const util = require('node:util')
  const code = he.parseCallback('https://a.example/cb?code=CODE-4e6&state=s', 's')
  assert.ok(code instanceof he.AuthorizationCode)
  const shown = [util.inspect(code, { depth: 5 }), String(code), `${code}`, JSON.stringify({ code }), util.inspect({ code }, { depth: 5 })].join('\n')
  assert.ok(!shown.includes('CODE-4e6'), shown)
  assert.equal(code.getSecretValue(), 'CODE-4e6')
  const account = { baseUrl: 'us', userSecret: 'u', organizationSecret: 'o' }
  const form = {
    element: { key: 'hootsuite' }, providerData: { code }, name: 'n',
    configuration: { 'oauth.callback.url': 'https://a.example/cb', 'oauth.api.key': 'k', 'oauth.api.secret': 's' },
  }
  const req = he.createInstanceRequest(account, form)
  assert.equal(JSON.parse(req.body).providerData.code, 'CODE-4e6')
  assert.equal(he.buildInstanceBody(form).providerData.code, 'CODE-4e6')
  assert.match(he.reauthenticateCodeRequest(account, 5, code).body, /CODE-4e6/)
  const redacted = he.redactRequest(req)
  assert.ok(!JSON.stringify(redacted).includes('CODE-4e6') && !JSON.stringify(redacted).includes('User u'), JSON.stringify(redacted))
  assert.equal(he.instanceAuthorization(account, 'tok-1'), 'User u, Element tok-1')
  // A token that is not a string is refused before it reaches the module, which still answers.
  for (const token of [5, {}, null]) {
    assert.throws(() => he.instanceAuthorization(account, token), (e) => e instanceof TypeError && /^token must be a string, got a value of type /.test(e.message))
  }
  assert.equal(he.instanceAuthorization(account, 'tok-2'), 'User u, Element tok-2')
})

test('the claim stores, the Redis protocol and their constants', () => {
  const s = new he.NativeMemoryStore(2, 1000)
  const a = s.claim('a', 100, 0)
  assert.equal(a.status, 'claimed')
  assert.deepEqual(s.claim('a', 100, 50), { status: 'in_progress' })
  assert.equal(s.complete('a', 'not-the-token', 60), false)
  assert.equal(s.complete('a', a.token, 60), true)
  assert.deepEqual(s.claim('a', 100, 70), { status: 'done' })
  assert.equal(s.release('a', a.token), false)
  assert.equal(s.size, 1)
  assert.throws(() => s.claim('b', 1.5, 0), (e) => e instanceof TypeError && /leaseMs/.test(e.message))
  assert.throws(() => new he.NativeMemoryStore(0), (e) => e instanceof TypeError && /capacity/.test(e.message))
  const p = new he.RedisProtocol('ns', 1000)
  assert.equal(p.namespace, 'ns')
  const call = p.claim('hs:1:2', 50)
  assert.match(call.token, /^[0-9a-f]{32}$/)
  assert.deepEqual([call.keys, call.args], [['ns:{hs:1}:2'], [`c:${call.token}`, '50']])
  assert.match(call.sha1, /^[0-9a-f]{40}$/)
  assert.deepEqual(p.parseClaim('claimed', call.token), { status: 'claimed', token: call.token })
  assert.deepEqual(p.parseClaim(new TextEncoder().encode('done'), call.token), { status: 'done' })
  assert.equal(p.complete('hs:1:2', call.token).token, null)
  assert.equal(p.parseFlag(1), true)
  assert.equal(p.key('hs:1'), 'ns:{hs:1}')
  assert.throws(() => p.parseFlag(0.5), TypeError)
  assert.throws(() => new he.RedisProtocol('bad space'), (e) => e instanceof he.InvalidArgumentError && e.field === 'namespace')
  assert.notEqual(he.newClaimToken(), he.newClaimToken())
  assert.deepEqual(he.constants(), {
    DEFAULT_NAMESPACE: 'hootsuite-events', DEFAULT_TABLE: 'hootsuite_events_inbox', DEFAULT_LEASE_MS: 60000, DEFAULT_RETENTION_MS: 604800000, DEFAULT_CAPACITY: 100000,
    STATUS_OK: 200, STATUS_IN_PROGRESS: 409, STATUS_FAILED: 500, MAX_KEYS: 8, MAX_SIGNATURE_CANDIDATES: 8,
    SIGNATURE_HEADER: 'Elements-Webhook-Signature', WEBHOOK_ID_HEADER: 'Elements-Webhook-Id',
  })
  assert.deepEqual([he.outcomeStatus(0, 0), he.outcomeStatus(1, 0), he.outcomeStatus(1, 1)], [200, 409, 500])
  // The PostgreSQL inbox's protocol: the core's texts.
  const inbox = new he.PostgresProtocol('app.inbox', 60000)
  assert.deepEqual([inbox.table, inbox.retentionMs, inbox.seal], ['app.inbox', 60000, 'SELECT 1'])
  assert.match(inbox.migration, /^CREATE TABLE IF NOT EXISTS app\.inbox \(/)
  assert.equal(inbox.cleanup, "DELETE FROM app.inbox WHERE done_at < now() - interval '60000 milliseconds'")
  assert.deepEqual(inbox.claim('hs:1:2', 'rejected'), { sql: inbox.claimSql, params: ['hs:1:2', 'rejected'] })
  assert.deepEqual([inbox.parseClaim(true, true), inbox.parseClaim(true, false), inbox.parseClaim(false, false)], ['claimed', 'done', 'in_progress'])
  assert.throws(() => inbox.parseClaim(false, true), (e) => e instanceof he.InvalidArgumentError && e.field === 'reply')
  assert.throws(() => new he.PostgresProtocol('Bad Name'), (e) => e instanceof he.InvalidArgumentError && e.field === 'table')
  assert.throws(() => new he.PostgresProtocol(undefined, 0), (e) => e instanceof he.InvalidArgumentError && e.field === 'retention_ms')
})

test('errors and raw-bytes guard', () => {
  assert.throws(() => he.buildInstanceBody({}), (e) => e instanceof he.ValidationError && e instanceof he.HootsuiteEventsError && e.code === 'validation' && e.errors.length === 6)
  assert.throws(() => he.getInstanceRequest({ baseUrl: 'https;//x', userSecret: 'u', organizationSecret: 'o' }, 1), (e) => e instanceof he.InvalidArgumentError && e.field === 'base_url')
  assert.throws(() => he.verifySignature('k', new Uint8Array([1]), 'sha256=AAAA', undefined), he.SignatureError)
  assert.throws(() => he.verifySignature('k', '{"a":1}', 'sha256=x'), (e) => e instanceof TypeError && /raw bytes/.test(e.message))
  const preview = he.previewInstanceRequest('us', {
    element: { key: 'hootsuite' }, providerData: { code: 'C-SECRET' }, name: 'n',
    configuration: { 'oauth.callback.url': 'https://a.example', 'oauth.api.key': 'k', 'oauth.api.secret': 'S-SECRET' },
  })
  assert.ok(!JSON.stringify(preview).includes('SECRET'))
  assert.match(preview.curl, /^curl -X POST 'https:\/\/api\.cloud-elements\.com\/elements\/api-v2\/instances'/)
})

test('several keys: the index of the one that matched; the notification in the Node shape', () => {
  const body = new TextEncoder().encode('{"id": "env", "user": {"email_address": "u"}, "message": {"eventId": "7", "instanceId": 4, "instanceTags": ["t"], "raw": [{"seq_no": "9", "type": "com.hootsuite.messages.event.v1", "data": {"state": "SENT", "message": {"id": "m"}}}]}}')
  const old = he.sign('old-key', body)
  assert.equal(he.verifySignature('old-key', body, old), 0)
  assert.equal(he.verifySignature(['new-key', 'old-key'], body, old), 1)
  const n = he.verifyEvent(['new-key', 'old-key'], { 'Elements-Webhook-Signature': old }, body)
  assert.equal(n.keyIndex, 1)
  assert.deepEqual(n.units, [{ key: 'hs:4:9', kind: 'hootsuite_event', index: 0 }])
  assert.deepEqual(n.hootsuiteEvents[0].data, { kind: 'message', state: 'SENT', messageId: 'm', organizationId: null, timestamp: null })
  assert.deepEqual(n.user, { email_address: 'u' })
  assert.deepEqual(n.instanceTags, ['t'])
  assert.equal(n.dedupKey, undefined)
  assert.throws(() => he.verifySignature(['new-key'], body, old), (e) => e.name === 'SignatureError' && e.code === 'signature_mismatch')
  assert.throws(() => he.verifySignature([], body, old), (e) => e.name === 'InvalidArgumentError' && e.field === 'keys')
  assert.throws(() => he.verifySignature(['a', 3], body, old), (e) => e instanceof TypeError && /keys\[1\]/.test(e.message))
  assert.throws(() => he.verifySignature(7, body, old), (e) => e instanceof TypeError)
})

// The browser package (pkg: the form only, ES module) must give the same results as the full
// build on every validation case and every create-instance and webhook-URL request case.
test('the browser build runs the form vectors', async (t) => {
  const pkg = path.join(__dirname, '..', 'pkg')
  const url = (file) => require('node:url').pathToFileURL(path.join(pkg, file)).href
  const browser = await import(url('index.js'))
  browser.initSync({ module: fs.readFileSync(path.join(pkg, 'hootsuite_events_wasm_bg.wasm')) })
  // One set of error classes for the browser and full entries.
  const fullEsm = await import(url('full/index.js'))
  assert.equal(fullEsm.ValidationError, browser.ValidationError)
  assert.throws(() => browser.buildInstanceBody({}), (e) => e instanceof browser.ValidationError && e.errors.length === 6)
  assert.equal(browser.verifyEvent, undefined, 'the browser build leaves the server operations out')
  assert.equal(browser.createInstanceRequest, undefined, 'the browser build takes no account secret')
  // The browser's request is the preview: the full build's request, masked, with placeholder secrets.
  const full = he
  const ops = formOps({
    ...browser,
    createInstanceRequest: (config, form) => {
      const preview = browser.previewInstanceRequest(config.baseUrl, form)
      const masked = full.previewInstanceRequest(config.baseUrl, form)
      assert.deepEqual(preview, masked, 'the browser preview equals the full build preview')
      return full.createInstanceRequest(config, form)
    },
  })
  let ran = 0
  for (const c of vectors('validation.json')) {
    await t.test(`validation.json / ${c.name}`, () => assert.deepStrictEqual(outcome(ops.validation(c.input)), recorded[`validation.json / ${c.name}`]))
    ran++
  }
  for (const c of vectors('requests.json').filter((c) => FORM_REQUESTS.has(c.input.op))) {
    await t.test(`requests.json / ${c.name}`, () => assert.deepStrictEqual(outcome(ops.requests(c.input)), recorded[`requests.json / ${c.name}`]))
    ran++
  }
  assert.ok(ran >= 30, `only ${ran} form cases ran`)
})

// The full build's process (edge runtimes): a settle that fails after a handler threw keeps the
// handler's error as its cause, as Node's loop does.
test('full build: a failing settle after a failing handler keeps the handler error', async () => {
  const pkg = path.join(__dirname, '..', 'pkg')
  const full = await import(require('node:url').pathToFileURL(path.join(pkg, 'full', 'index.js')).href)
  full.initSync({ module: fs.readFileSync(path.join(pkg, 'full', 'hootsuite_events_wasm_bg.wasm')) })
  const raw = [1, 2].map((n) => ({ seq_no: String(n), type: 'com.hootsuite.messages.event.v1' }))
  const n = full.parseEventNotification(JSON.stringify({ message: { instanceId: 7, raw } }))
  const store = {
    claim: async () => ({ status: 'claimed', token: 't' }),
    complete: async () => true,
    release: async () => true,
    settle: async () => { throw new Error('connection dropped') },
  }
  const boom = new Error('handler fails')
  await assert.rejects(full.process(store, n, () => { throw boom }), (e) => e.message === 'connection dropped' && e.cause === boom)
  await assert.rejects(full.process(store, n, () => {}), (e) => e.message === 'connection dropped' && e.cause === undefined)
})

// The browser build's allocator (a free list that never returns memory) must reuse what it
// frees: after a warm-up, 20 000 form calls over every validation input leave the memory as is.
test('the browser build does not grow over 20 000 form calls', async () => {
  const pkg = path.join(__dirname, '..', 'pkg')
  const browser = await import(require('node:url').pathToFileURL(path.join(pkg, 'index.js')).href)
  const { memory } = browser.initSync({ module: fs.readFileSync(path.join(pkg, 'hootsuite_events_wasm_bg.wasm')) })
  const forms = vectors('validation.json').map((c) => ('text' in c.input ? c.input.text : c.input.json))
  const call = (i) => {
    const form = forms[i % forms.length]
    browser.validateInstance(form, i % 3 === 0 ? 'https://app.example/cb' : undefined)
    try {
      browser.buildInstanceBody(form)
      browser.previewInstanceRequest('https://api.cloud-elements.com', form)
    } catch (e) {
      if (!(e instanceof Error) || !e.code) throw e
    }
  }
  for (let i = 0; i < 2000; i++) call(i)
  const warmed = memory.buffer.byteLength
  for (let i = 0; i < 20000; i++) call(i)
  assert.equal(memory.buffer.byteLength, warmed, `grew from ${warmed} B`)
})

// The browser build writes its error details without serde, the full build with
// `Error::to_value`: every property of the thrown error must be the same (issue 27).
test('the browser build throws the errors of the full build, property for property', async () => {
  const pkg = path.join(__dirname, '..', 'pkg')
  const browser = await import(require('node:url').pathToFileURL(path.join(pkg, 'index.js')).href)
  browser.initSync({ module: fs.readFileSync(path.join(pkg, 'hootsuite_events_wasm_bg.wasm')) })
  const thrown = (fn) => {
    try {
      fn()
    } catch (e) {
      return { class: e.constructor.name, name: e.name, message: e.message, ...e }
    }
    assert.fail('expected an error')
  }
  const form = { name: 'n\u0001"', tags: ['', 2], configuration: { 'oauth.callback.url': 'http://a.example/cb?code=C-9', 'we ird': 1e5 } }
  const cases = [
    (m) => m.buildInstanceBody(form),
    (m) => m.buildInstanceBody('{"name": "n",\n "tags": [1e400]}'),
    (m) => m.buildInstanceBody('[1, 2'),
    (m) => m.previewInstanceRequest('ftp://x.example', form),
    (m) => m.previewInstanceRequest('https://user:pw@x.example', {}),
    (m) => m.hootsuiteWebhookUrl('not a url', 5),
  ]
  for (const c of cases) {
    const ours = thrown(() => c(browser))
    assert.deepStrictEqual(ours, thrown(() => c(he)), String(c))
    assert.ok(ours.code && (ours.details || ours.class === 'TypeError'), JSON.stringify(ours))
    assert.ok(!JSON.stringify(ours).includes('C-9') && !JSON.stringify(ours).includes(':pw@'), JSON.stringify(ours))
  }
})

// The browser entry sends `JSON.stringify(form)`, or nothing when there is no JSON for it: the
// module then throws the TypeError of the full build, after the checks that come first.
test('the browser build throws the TypeErrors of the full build', async () => {
  const pkg = path.join(__dirname, '..', 'pkg')
  const browser = await import(require('node:url').pathToFileURL(path.join(pkg, 'index.js')).href)
  browser.initSync({ module: fs.readFileSync(path.join(pkg, 'hootsuite_events_wasm_bg.wasm')) })
  const thrown = (fn) => {
    try {
      fn()
    } catch (e) {
      return { class: e.constructor.name, message: e.message, ...e }
    }
    assert.fail('expected an error')
  }
  const cases = [
    [(m) => m.validateInstance(undefined), 'TypeError'],
    [(m) => m.buildInstanceBody(() => 1), 'TypeError'],
    [(m) => m.previewInstanceRequest('us', undefined), 'TypeError'],
    [(m) => m.previewInstanceRequest('ftp://x.example', undefined), 'TypeError'],
    [(m) => m.previewInstanceRequest('ftp://x.example', {}), 'InvalidArgumentError'],
    [(m) => m.buildInstanceBody(10n), 'TypeError'],
    [(m) => m.validateInstance(Symbol('s')), 'TypeError'],
    [(m) => m.buildInstanceBody({ toJSON: () => undefined }), 'TypeError'],
    [(m) => m.hootsuiteWebhookUrl('us', -1), 'TypeError'],
    [(m) => m.hootsuiteWebhookUrl('not a url', 1.5), 'TypeError'],
    // Wrong types for the module's text parameters: refused before they reach its memory
    // (wasm-bindgen's glue copies a string parameter unchecked).
    [(m) => m.hootsuiteWebhookUrl(5, 1), 'TypeError'],
    [(m) => m.hootsuiteWebhookUrl(undefined, 1), 'TypeError'],
    [(m) => m.hootsuiteWebhookUrl('us', '12'), 'TypeError'],
    [(m) => m.validateInstance({}, 5), 'TypeError'],
    [(m) => m.validateInstance(undefined, 5), 'TypeError'],
    [(m) => m.previewInstanceRequest(5, {}), 'TypeError'],
    [(m) => m.previewInstanceRequest(null, undefined), 'TypeError'],
  ]
  for (const [c, expected] of cases) {
    const ours = thrown(() => c(browser))
    assert.equal(ours.class, expected, String(c))
    assert.deepStrictEqual(ours, thrown(() => c(he)), String(c))
  }
  assert.deepStrictEqual(browser.validateInstance(null), he.validateInstance(null))
  assert.deepStrictEqual(browser.validateInstance({}, null), he.validateInstance({}, null))
  assert.equal(browser.hootsuiteWebhookUrl('us', 5), he.hootsuiteWebhookUrl('us', 5))
})

test('the gzipped size is recorded by the build', () => {
  const size = fs.readFileSync(path.join(__dirname, '..', 'pkg', 'SIZE'), 'utf8').trim().split(' ').map(Number)
  assert.ok(size[0] > 0 && size[1] > 0)
  console.log(`wasm ${size[0]} B + glue ${size[1]} B gzipped`)
})

test('no secret in what console.log and JSON.stringify show of an instance (issue 14)', () => {
  const util = require('node:util')
  const body = JSON.stringify({ id: 1, name: 'n', token: 'TOKEN-123456789', configuration: { 'OAuth.User.Token': 'UT-5e1', 'oauth.api.key': 'k' } })
  const i = he.parseInstance({ status: 200, headers: {}, body: new TextEncoder().encode(body) })
  const page = he.parseInstancePage({ status: 200, headers: {}, body: new TextEncoder().encode(`[${body}]`) })
  const shown = [util.inspect(i, { depth: 9 }), JSON.stringify(i), util.inspect(page, { depth: 9 }), JSON.stringify(page)].join('\n')
  assert.ok(!shown.includes('TOKEN-123456789') && !shown.includes('UT-5e1'), shown)
  // Issue 32: also '%o' (showHidden), a spread and structuredClone.
  const hidden = [util.format('%o', i), util.format('%o', page), util.inspect({ ...i }, { showHidden: true }), util.inspect(structuredClone(page), { showHidden: true, depth: 9 })].join('\n')
  assert.ok(!hidden.includes('TOKEN-123456789') && !hidden.includes('UT-5e1'), hidden)
  assert.equal(i.token, 'TOKEN-123456789')
  assert.equal(i.configurationSecrets['OAuth.User.Token'], 'UT-5e1')
  assert.equal(page.instances[0].token, 'TOKEN-123456789')
  assert.equal(i.configuration['OAuth.User.Token'], '********')
})

// Issue 32: a method called on an object its class did not make reads another object's memory
// as its own (or spins); the entries check the receiver first. In a child process with a
// deadline, since the failure being fixed spins forever.
test('a method or accessor called on an object of another class is a TypeError (issue 32)', () => {
  const { spawnSync } = require('node:child_process')
  const entry = process.env.HOOTSUITE_EVENTS_WASM || path.join(__dirname, '..', 'pkg', 'node', 'index.js')
  const out = spawnSync(process.execPath, ['-e', `
    const he = require(${JSON.stringify(entry)})
    const store = new he.NativeMemoryStore()
    const protocol = new he.RedisProtocol('ns', 1000)
    const code = he.parseCallback('https://a.example/cb?code=C&state=s', 's')
    const disguised = new he.RedisProtocol('ns', 1000)
    Object.setPrototypeOf(disguised, he.NativeMemoryStore.prototype)
    const seen = []
    const attempt = (f) => {
      try {
        seen.push(['returned', f()])
      } catch (e) {
        seen.push([e.constructor.name, e.message])
      }
    }
    attempt(() => he.NativeMemoryStore.prototype.claim.call(protocol, 'k', 1000, 1))
    attempt(() => he.NativeMemoryStore.prototype.claim.call(disguised, 'k', 1000, 1))
    attempt(() => he.RedisProtocol.prototype.claim.call(code, 'k', 1000))
    attempt(() => he.AuthorizationCode.prototype.getSecretValue.call(store))
    attempt(() => Object.getOwnPropertyDescriptor(he.NativeMemoryStore.prototype, 'size').get.call(protocol))
    const freed = new he.NativeMemoryStore()
    freed.free()
    attempt(() => freed.claim('k', 1000, 1))
    seen.push(['still', store.claim('k', 1000, 1).status, protocol.namespace, code.getSecretValue()])
    console.log(JSON.stringify(seen))
  `], { encoding: 'utf8', timeout: 60000 })
  assert.equal(out.status, 0, `status ${out.status} signal ${out.signal}: ${out.stderr}`)
  const not = (name, member) => ['TypeError', `${name}.prototype.${member} called on an object that is not a${name.startsWith('A') ? 'n' : ''} ${name}`]
  assert.deepEqual(JSON.parse(out.stdout), [
    not('NativeMemoryStore', 'claim'),
    not('NativeMemoryStore', 'claim'),
    not('RedisProtocol', 'claim'),
    not('AuthorizationCode', 'getSecretValue'),
    not('NativeMemoryStore', 'size'),
    not('NativeMemoryStore', 'claim'),
    ['still', 'claimed', 'ns', 'C'],
  ])
})

test('numbers out of range are a TypeError with the core\'s message, as in the Node package (issue 32)', () => {
  const body = new TextEncoder().encode('{}')
  const header = he.sign('k', body)
  assert.throws(() => he.verifySignature('k', body, header, { maxBodySize: -1 }), (e) => e instanceof TypeError && e.message === 'maxBodySize must be an integer number of bytes from 0 to 4294967295, got -1')
  assert.throws(() => he.verifySignature('k', body, header, { maxBodySize: Infinity }), (e) => e instanceof TypeError && /got Infinity$/.test(e.message))
  assert.throws(() => he.verifySignature('k', body, header, { maxBodySize: '10' }), (e) => e instanceof TypeError && e.message === 'maxBodySize must be a number, got a value of type string')
  assert.equal(he.verifySignature('k', body, header, { maxBodySize: 2 }), 0)
  const account = { baseUrl: 'us', userSecret: 'u', organizationSecret: 'o' }
  assert.throws(() => he.listInstancesRequest(account, { pageSize: 2 ** 32 }), (e) => e instanceof TypeError && e.message === 'pageSize must be an integer from 0 to 4294967295, got 4294967296')
  assert.throws(() => he.parseEmpty({ status: 200.5 }), (e) => e instanceof TypeError && e.message === 'status must be an integer HTTP status code from 0 to 999, got 200.5')
  assert.throws(() => he.outcomeStatus(-1, 0), (e) => e instanceof TypeError && e.message === 'inProgress must be an integer from 0 to 4294967295, got -1')
})

// The wasm builds abort on a panic (panic = immediate-abort): JavaScript would see a
// WebAssembly.RuntimeError ("unreachable") and the module could be left unusable. No input may
// get there: random bytes and JSON into every parser of the full build, only the library's
// own errors (or TypeErrors for wrong argument types) may come out.
test('random inputs never reach a panic (a RuntimeError) in the full build', () => {
  const crypto = require('node:crypto')
  const keys = ['element', 'key', 'providerData', 'code', 'configuration', 'oauth.callback.url', 'token', 'id', 'name', 'tags', 'message', 'events', 'raw', 'type', 'seq_no']
  const randomJson = (depth = 0) => {
    const r = Math.random()
    if (depth > 4 || r < 0.3) return [null, true, 0, -1.5, 1e300, 'x', 'https://a.example', ''][Math.floor(Math.random() * 8)]
    if (r < 0.6) return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomJson(depth + 1))
    const o = {}
    for (let i = Math.floor(Math.random() * 5); i > 0; i--) o[keys[Math.floor(Math.random() * keys.length)]] = randomJson(depth + 1)
    return o
  }
  const survives = (fn) => {
    try {
      fn()
    } catch (e) {
      assert.ok(!(e instanceof WebAssembly.RuntimeError), `a panic: ${e && e.stack}`)
      assert.ok(e instanceof Error, String(e))
    }
  }
  const enc = new TextEncoder()
  for (let i = 0; i < 1000; i++) {
    const bytes = new Uint8Array(crypto.randomBytes(Math.floor(Math.random() * 200)))
    const value = randomJson()
    const text = JSON.stringify(value)
    survives(() => he.parseEventNotification(bytes))
    survives(() => he.parseInstance({ status: 200, headers: {}, body: bytes }))
    survives(() => he.parseInstance({ status: 200 + (i % 400), headers: {}, body: enc.encode(text) }))
    survives(() => he.parseInstancePage({ status: 200, headers: {}, body: enc.encode(`[${text}]`) }))
    survives(() => he.parseCallback(Buffer.from(bytes).toString('latin1'), 's'))
    survives(() => he.verifySignature('k', bytes, Buffer.from(bytes).toString('base64')))
    survives(() => he.validateInstance(value))
    survives(() => he.buildInstanceBody(text))
  }
  assert.equal(he.validateInstance({}).valid, false, 'the module still works')
})
