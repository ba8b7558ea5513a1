'use strict'
// The WebAssembly fallback, in the two runs of make test-node:
// - with the native addon (its platform package installed): every function the fallback
//   serves gives the native result on every shared vector;
// - with the platform package removed (HOOTSUITE_EVENTS_EXPECT_BACKEND=wasm): the package
//   loads on the fallback, the served functions run the flow's requests against the emulator,
//   the others throw an error that names the platform, and with the fallback absent too the
//   require fails with what to install.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const he = require('hootsuite-events')
const { REPO, vectors, startEmulator } = require('./helpers.js')

const expected = process.env.HOOTSUITE_EVENTS_EXPECT_BACKEND || 'native'
const packageDir = path.dirname(require.resolve('hootsuite-events'))
const { SERVED, REQUESTS, NOT_YET } = require(path.join(packageDir, 'wasm-fallback.js'))

test(`the package runs on the ${expected} backend`, () => {
  assert.equal(he.backend, expected)
})

// Results compared as data: key order aside, equal; errors by class and code.
function canonical(v) {
  if (Array.isArray(v)) return v.map(canonical)
  if (v === null || typeof v !== 'object') return v
  return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical(v[k])]))
}
function outcome(fn) {
  try {
    return { ok: canonical(JSON.parse(JSON.stringify(fn() ?? null))) }
  } catch (e) {
    return { error: e.name, code: e.code ?? null }
  }
}

test('every function the fallback serves equals the native addon on every vector', { skip: expected !== 'native' && 'the native addon is absent in this run' }, () => {
  const fallback = require(path.join(packageDir, 'wasm-fallback.js')).load(new Error('compared, not failed'))
  const { buildRequest, parsers } = require(path.join(REPO, 'tests', 'vectors', 'js-ops.cjs'))
  const same = (name, a, b, what) => assert.deepEqual(outcome(b), outcome(a), `${name}: ${what}`)
  let compared = 0
  for (const c of vectors('requests.json')) {
    const i = c.input
    if (i.op === 'hootsuite_webhook_url') {
      same('hootsuiteWebhookUrl', () => he.hootsuiteWebhookUrl(i.base_url, i.args.id), () => fallback.hootsuiteWebhookUrl(i.base_url, i.args.id), c.name)
    } else {
      const native = () => buildRequest(he, new he.Config(i.base_url, i.user_secret, i.organization_secret), i.op, i.args)
      const wasm = () => buildRequest(fallback, new fallback.Config(i.base_url, i.user_secret, i.organization_secret), i.op, i.args)
      same(i.op, native, wasm, c.name)
    }
    compared++
  }
  for (const c of vectors('responses.json')) {
    const i = c.input
    const name = { redirect_url: 'parseRedirectUrl', empty: 'parseEmpty' }[i.op]
    if (!name) continue
    const r = { status: i.status, headers: i.headers, body: i.body }
    same(name, () => parsers(he)[i.op](r), () => parsers(fallback)[i.op](r), c.name)
    compared++
  }
  for (const c of vectors('callbacks.json')) {
    same('parseCallback', () => he.parseCallback(c.input.url, c.input.expected_state), () => fallback.parseCallback(c.input.url, c.input.expected_state), c.name)
    compared++
  }
  for (const c of vectors('signatures.json')) {
    const i = c.input
    const body = Buffer.from(i.body ?? '')
    if (i.op === 'sign') same('sign', () => he.sign(i.key, body), () => fallback.sign(i.key, new Uint8Array(body)), c.name)
    else if (i.op === 'verify') same('verifySignature', () => he.verifySignature(i.key, body, i.header, i.options), () => fallback.verifySignature(i.key, new Uint8Array(body), i.header, i.options), c.name)
    else continue
    compared++
  }
  for (const c of vectors('validation.json')) {
    same('buildInstanceBody', () => he.buildInstanceBody(c.input), () => fallback.buildInstanceBody(JSON.stringify(c.input)), c.name)
    compared++
  }
  same('createInstanceSchema', () => he.createInstanceSchema(), () => fallback.createInstanceSchema(), '')
  assert.ok(compared > 100, `${compared} cases compared`)
  // Every export of the native addon is either served, built on Config, or refused.
  const native = Object.keys(require(path.join(packageDir, 'native.js'))).filter((k) => typeof he[k] === 'function' && /^[a-z]/.test(k) && k !== 'redactRequest')
  assert.deepEqual(native.filter((k) => ![...SERVED, ...REQUESTS, ...NOT_YET].includes(k)), [])
})

test('on the fallback: the flow requests run against the emulator; the rest says it is not available', { skip: expected !== 'wasm' && 'the native addon serves this run' }, async (t) => {
  const emu = await startEmulator()
  t.after(() => emu.stop())
  const config = new he.Config(emu.base_url, emu.user_secret, emu.organization_secret)
  assert.equal(config.baseUrl, emu.base_url)
  assert.doesNotMatch(JSON.stringify(config) + require('node:util').inspect(config), new RegExp(emu.user_secret))
  const send = (req) => fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' })

  const consent = await he.parseRedirectUrlAsync(await send(he.redirectUrlRequest(config, { apiKey: 'cid', apiSecret: 'csecret', callbackUrl: 'https://app.example/cb', state: 'st-wasm' })))
  const answer = await fetch(consent.oauthUrl, { redirect: 'manual' })
  const code = he.parseCallback(answer.headers.get('location'), 'st-wasm')
  const req = he.createInstanceRequest(config, {
    element: { key: 'hootsuite' },
    providerData: { code },
    configuration: { 'oauth.callback.url': 'https://app.example/cb', 'oauth.api.key': 'cid', 'oauth.api.secret': 'csecret' },
    name: 'wasm fallback',
  })
  assert.doesNotMatch(JSON.stringify(req) + require('node:util').inspect(req), /csecret|emulator-user-secret/)
  const created = await send(req)
  assert.equal(created.status, 200)
  const id = JSON.parse(await created.text()).id
  assert.ok(Number.isSafeInteger(id))
  assert.equal((await send(he.instanceEventsRequest(config, id))).status, 200)

  await assert.rejects(he.parseEmptyAsync(await send(he.getInstanceRequest(new he.Config(emu.base_url, 'wrong-user-0123', 'wrong-org-0123'), id))), (e) => {
    assert.ok(e instanceof he.ApiError, String(e))
    assert.equal(e.status, 401)
    return true
  })
  assert.throws(() => new he.Config('https;//x', 'u', 'o'), he.InvalidArgumentError)
  assert.throws(() => he.buildInstanceBody({}), he.ValidationError)
  assert.throws(() => he.verifySignature('k', Buffer.from('x'), 'sha256=AAAA'), he.SignatureError)
  for (const name of NOT_YET) {
    assert.throws(() => he[name]('{}', {}), new RegExp(`${name} is not available on ${process.platform}-${process.arch}`), name)
  }
})

test('without the native addon and without the fallback, require says what to install', { skip: expected !== 'wasm' && 'the native addon serves this run' }, () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'he-alone-'))
  try {
    fs.cpSync(packageDir, path.join(scratch, 'node_modules', 'hootsuite-events'), { recursive: true })
    const r = spawnSync(process.execPath, ['-e', "require('hootsuite-events')"], { cwd: scratch, encoding: 'utf8', timeout: 30000 })
    assert.notEqual(r.status, 0)
    assert.match(r.stderr, /no native addon for \S+ .*the WebAssembly fallback hootsuite-events-wasm is not installed either/)
    assert.match(r.stderr, /linux-arm64-musl, darwin-x64, darwin-arm64 and win32-x64-msvc/)
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true })
  }
})
