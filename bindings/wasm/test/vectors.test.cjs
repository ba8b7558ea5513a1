'use strict'
// The shared vectors against the WebAssembly build (the package's CommonJS entry, pkg/node):
// every case of every file, with the same results as Rust.
const test = require('node:test')
const assert = require('node:assert/strict')
const path = require('node:path')
const fs = require('node:fs')
const he = require(process.env.HOOTSUITE_EVENTS_WASM || path.join(__dirname, '..', 'pkg', 'node', 'index.js'))

const REPO = path.resolve(__dirname, '..', '..', '..')
const { buildRequest, parsers } = require(path.join(REPO, 'tests', 'vectors', 'js-ops.cjs'))
const vectors = (name) => JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'vectors', name), 'utf8')).cases

function subset(expected, actual, at = '$') {
  if (actual === undefined) actual = null
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) throw new Error(`${at}: expected an object, got ${JSON.stringify(actual)}`)
    for (const [k, v] of Object.entries(expected)) subset(v, actual[k], `${at}.${k}`)
  } else if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    expected.forEach((e, i) => subset(e, actual[i], `${at}[${i}]`))
  } else if (expected !== actual) {
    throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
  }
}

const RAW = new Set(['raw', 'extra', 'configuration', 'headers', 'body'])
const snake = (k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())
function plain(v) {
  if (Array.isArray(v)) return v.map(plain)
  if (v === null || typeof v !== 'object') return v
  const other = v.kind === 'other'
  const out = Object.fromEntries(Object.entries(v).map(([k, x]) => [snake(k), RAW.has(k) || (other && k === 'data') ? x : plain(x)]))
  if ('token_masked' in out) out.token = out.token_masked
  return out
}

function outcome(fn) {
  try {
    return fn()
  } catch (e) {
    if (!(e instanceof Error) || !e.details) throw e
    assert.equal(e.code, e.details.code)
    return { error: e.details }
  }
}

const counts = {}
function run(file, op) {
  for (const c of vectors(file)) {
    const fn = op(c.input)
    counts[file] = counts[file] || { ran: 0, total: 0 }
    counts[file].total++
    counts[file].ran++
    test(`${file} / ${c.name}`, () => subset(c.expected, outcome(fn)))
  }
}

// The form's operations, for both builds: the full one here and the browser one below.
const formOps = (he) => ({
  validation: (i) => () => {
    const data = 'text' in i ? i.text : i.json
    const out = he.validateInstance(data)
    if (out.valid) {
      out.body = he.buildInstanceBody(data)
      out.body_text = JSON.stringify(out.body)
    }
    return out
  },
  requests: (i) => () => {
    if (i.op === 'hootsuite_webhook_url') return { value: he.hootsuiteWebhookUrl(i.base_url, i.args.id) }
    return buildRequest(he, { baseUrl: i.base_url, userSecret: i.user_secret, organizationSecret: i.organization_secret }, i.op, i.args)
  },
})
const FORM_REQUESTS = new Set(['create_instance', 'hootsuite_webhook_url'])

run('validation.json', formOps(he).validation)
run('requests.json', formOps(he).requests)

const PARSERS = parsers(he)
run('responses.json', (i) => () => ({ ok: plain(PARSERS[i.op]({ status: i.status, headers: i.headers, body: new TextEncoder().encode(i.body) })) }))

run('callbacks.json', (i) => () => ({ code: he.parseCallback(i.url, i.expected_state) }))

run('events.json', (i) => () => ({ ok: plain(he.parseEventNotification(new TextEncoder().encode(i.body))) }))

run('signatures.json', (i) => () => {
  const body = new TextEncoder().encode(i.body)
  if (i.op === 'sign') return { header: he.sign(i.key, body) }
  if (i.op === 'verify') {
    he.verifySignature(i.key, body, i.header, { allowLegacySha1: i.allow_legacy_sha1, maxBodySize: i.max_body_size })
    return { valid: true }
  }
  return { ok: plain(he.verifyEvent(i.key, i.headers, body)) }
})

test('every case of every vector file ran', () => {
  const files = fs.readdirSync(path.join(REPO, 'tests', 'vectors')).filter((f) => f.endsWith('.json'))
  assert.equal(files.length, 6)
  for (const f of files) assert.equal(counts[f] && counts[f].ran, vectors(f).length, f)
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
    await t.test(`validation.json / ${c.name}`, () => subset(c.expected, outcome(ops.validation(c.input))))
    ran++
  }
  for (const c of vectors('requests.json').filter((c) => FORM_REQUESTS.has(c.input.op))) {
    await t.test(`requests.json / ${c.name}`, () => subset(c.expected, outcome(ops.requests(c.input))))
    ran++
  }
  assert.ok(ran >= 30, `only ${ran} form cases ran`)
})

test('the gzipped size is recorded by the build', () => {
  const size = fs.readFileSync(path.join(__dirname, '..', 'pkg', 'SIZE'), 'utf8').trim().split(' ').map(Number)
  assert.ok(size[0] > 0 && size[1] > 0)
  console.log(`wasm ${size[0]} B + glue ${size[1]} B gzipped`)
})
