'use strict'
// Issue 14: a panic in Rust is an exception (not an abort), and no rendering of an instance,
// a callback code or an error body shows a secret.
const test = require('node:test')
const assert = require('node:assert/strict')
const util = require('node:util')
const { spawnSync } = require('node:child_process')
const he = require('hootsuite-events')

test('the issue repro: console.log(parseInstance(...)) does not show the token', () => {
  // Run as the issue wrote it, in a child process, and read what console.log printed.
  const out = spawnSync(process.execPath, ['-e', `
    const { parseInstance } = require('hootsuite-events')
    const i = parseInstance({status: 200, headers: {}, body: '{"id":1,"name":"n","token":"TOKEN-123456789"}'})
    console.log(i)
    console.log(JSON.stringify(i))
    console.log(i.token === 'TOKEN-123456789')
  `], { encoding: 'utf8', cwd: process.cwd() })
  assert.equal(out.status, 0, out.stderr)
  assert.ok(!out.stdout.split('\n').slice(0, -2).join('\n').includes('TOKEN-123456789'), out.stdout)
  assert.match(out.stdout, /tokenMasked: ['"]TOKE\*{8}['"]/) // Bun and Deno print double quotes
  assert.match(out.stdout, /true\n$/, 'the token stays readable by name')
})

test('instances: configuration secrets sent in clear are masked in every rendering', () => {
  const body = JSON.stringify({ id: 1, name: 'n', token: 'TOK-4e1', accessToken: 'AT-4e5', configuration: { 'oauth.api.secret': 'AS-4e2', 'OAuth.User.Token': 'UT-4e3', 'oauth.user.refresh_token': 'UR-4e4', 'oauth.api.key': 'k' } })
  const i = he.parseInstance({ status: 200, headers: {}, body })
  const page = he.parseInstancePage({ status: 200, headers: {}, body: `[${body}]` })
  const shown = [util.inspect(i, { depth: 9 }), JSON.stringify(i), util.inspect(page, { depth: 9 }), JSON.stringify(page), util.inspect({ ...i })].join('\n')
  for (const s of ['TOK-4e1', 'AS-4e2', 'UT-4e3', 'UR-4e4', 'AT-4e5']) assert.ok(!shown.includes(s), `${s} in ${shown}`)
  assert.equal(i.configuration['OAuth.User.Token'], '********')
  assert.equal(i.configuration['oauth.api.key'], 'k')
  assert.deepEqual(i.configurationSecrets, { 'oauth.api.secret': 'AS-4e2', 'OAuth.User.Token': 'UT-4e3', 'oauth.user.refresh_token': 'UR-4e4' })
  assert.equal(page.instances[0].token, 'TOK-4e1')
})

test('parseCallback hands back a wrapper, not the bare code', () => {
  const code = he.parseCallback('https://a.example/cb?code=CODE-4e6&state=s', 's')
  assert.equal(typeof code, 'object')
  const shown = [util.inspect(code), String(code), `${code}`, JSON.stringify({ code }), util.inspect({ code }, { depth: 5 })].join('\n')
  assert.ok(!shown.includes('CODE-4e6'), shown)
  assert.equal(code.getSecretValue(), 'CODE-4e6')
  // Where the code belongs, the real value is sent.
  const config = new he.Config('us', 'u', 'o')
  const req = he.createInstanceRequest(config, {
    element: { key: 'hootsuite' }, providerData: { code }, name: 'n',
    configuration: { 'oauth.callback.url': 'https://a.example/cb', 'oauth.api.key': 'k', 'oauth.api.secret': 's' },
  })
  assert.equal(JSON.parse(req.body).providerData.code, 'CODE-4e6')
  assert.ok(!util.inspect(req).includes('CODE-4e6'))
  const reauth = he.reauthenticateCodeRequest(config, 5, code)
  assert.match(reauth.body, /CODE-4e6/)
})

test('API errors: no body in the message, a masked excerpt in the data', () => {
  const body = '{"message": "no", "echo": {"TOKEN": "TOK-4e7", "Oauth.Api.Secret": "AS-4e8"}}'
  try {
    he.parseInstance({ status: 400, headers: {}, body })
    assert.fail('expected an ApiError')
  } catch (e) {
    assert.ok(e instanceof he.ApiError, String(e))
    const shown = [e.message, e.stack, util.inspect(e, { depth: 9 }), JSON.stringify(e.details)].join('\n')
    assert.ok(!shown.includes('TOK-4e7') && !shown.includes('AS-4e8'), shown)
    assert.ok(!e.message.includes('echo'), e.message)
    assert.equal(e.bodySize, body.length)
    assert.match(e.body, /"TOKEN":"\*{8}"/)
  }
})

test('a secret passed where a URL belongs is not echoed', () => {
  const config = new he.Config('us', 'u', 'o')
  assert.throws(() => he.updateEventCallbackRequest(config, 1, 'SECRET-4e9-IN-WRONG-PLACE'), (e) => e instanceof he.InvalidArgumentError && !e.message.includes('SECRET-4e9') && /25 characters/.test(e.message))
})

// The fallback has no panic hook: WebAssembly aborts on a panic (wasm-fallback.js, REFUSED).
const onFallback = he.backend === 'wasm' && 'the WebAssembly fallback has no __panicForTests: a panic there aborts the module instead of throwing'
test('a panic in Rust is a JavaScript exception, and the addon goes on', { skip: onFallback }, () => {
  assert.equal(typeof he.__panicForTests, 'function', 'the test build has the hook')
  assert.throws(() => he.__panicForTests(), (e) => e instanceof Error && /forced by the test hook/.test(e.message))
  assert.equal(he.validateInstance({}).valid, false)
})

test("settleUnits settles only the loop its slot id names: a settled, another store's or a made-up id finds none", { skip: he.backend !== 'native' && 'the claim loop in the store is the addon\'s' }, () => {
  const N = he.NativeMemoryStore
  const a = new N()
  const b = new N()
  const units = (key) => JSON.stringify([{ key, kind: 'hootsuite_event' }])
  const refused = (e) => /no claim loop in this slot/.test(e.message)
  // The slot id alone when every unit is to be handled, in order.
  const slot = N.claimUnits(a, units('k1'), 1000, Date.now())
  assert.equal(typeof slot, 'number')
  assert.throws(() => N.settleUnits(b, slot, 1, false, Date.now()), refused)
  for (const forged of [0, 1, slot + 1, slot - 1, slot % 1048576, -1, 0.5, NaN, Infinity]) {
    assert.throws(() => N.settleUnits(a, forged, 1, false, Date.now()), refused, String(forged))
  }
  // The status alone: the one unit processed, nothing else to count.
  assert.equal(N.settleUnits(a, slot, 1, false, Date.now()), 200)
  assert.throws(() => N.settleUnits(a, slot, 1, false, Date.now()), refused)
  // The next loop reuses the slot under another id: the old id still finds nothing.
  const again = N.claimUnits(a, units('k2'), 1000, Date.now())
  assert.equal(again % 1048576, slot % 1048576)
  assert.notEqual(again, slot)
  assert.throws(() => N.settleUnits(a, slot, 1, false, Date.now()), refused)
  assert.equal(N.settleUnits(a, again, 1, false, Date.now()), 200)
})

test('claimUnits names the units to handle when they are not 0, 1, … in order', { skip: he.backend !== 'native' && 'the claim loop in the store is the addon\'s' }, () => {
  const N = he.NativeMemoryStore
  const a = new N()
  const units = (...keys) => JSON.stringify(keys.map((key) => ({ key, kind: 'hootsuite_event' })))
  const first = N.claimUnits(a, units('k1', 'k2'), 1000, Date.now())
  assert.equal(typeof first, 'number')
  assert.equal(N.settleUnits(a, first, 2, false, Date.now()), 200)
  // k2 done before: units 0 and 1 of three, in order, are their count.
  const [inOrder, ...two] = N.claimUnits(a, units('k5', 'k6', 'k2'), 1000, Date.now())
  assert.deepEqual(two, [2])
  assert.deepEqual(N.settleUnits(a, inOrder, 2, false, Date.now()), [200, 2, 1, 0, 0, 0])
  // k1 and k3 done before: only k2b (index 1) and k4 (index 3) are handled.
  const pre = N.claimUnits(a, units('k3'), 1000, Date.now())
  N.settleUnits(a, pre, 1, false, Date.now())
  const [slot, ...handles] = N.claimUnits(a, units('k1', 'k2b', 'k3', 'k4'), 1000, Date.now())
  assert.deepEqual(handles, [2, 1, 3])
  // Two skipped: the whole tally.
  assert.deepEqual(N.settleUnits(a, slot, 2, false, Date.now()), [200, 2, 2, 0, 0, 0])
})
