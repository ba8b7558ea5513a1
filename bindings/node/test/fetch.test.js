'use strict'
// fetch Responses handed to the parsers, with Node's own fetch against the real emulator: the
// `…Async` parsers read them; the synchronous ones refuse them with the form to use.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const he = require('hootsuite-events')
const { startEmulator, ESM_AFTER_REQUIRE } = require('./helpers.js')

const call = (req) => fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' })

test('the Async parsers take a fetch Response', async (t) => {
  const emu = await startEmulator()
  t.after(() => emu.stop())
  const config = new he.Config(emu.base_url, emu.user_secret, emu.organization_secret)

  const consent = await he.parseRedirectUrlAsync(await call(he.redirectUrlRequest(config, { apiKey: 'cid', apiSecret: 'csecret', callbackUrl: 'https://app.example/cb', state: 'st-fetch' })))
  assert.match(consent.oauthUrl, /^http:\/\/127\.0\.0\.1:\d+\/.*state=st-fetch/)

  const page = await he.parseInstancePageAsync(await call(he.listInstancesRequest(config, {})))
  assert.ok(Array.isArray(page.instances))

  await assert.rejects(he.parseInstanceAsync(await call(he.getInstanceRequest(config, 987654))), (e) => {
    assert.ok(e instanceof he.ApiError, String(e))
    assert.equal(e.status, 404)
    assert.ok(e.requestId)
    return true
  })
  const refused = new he.Config(emu.base_url, 'wrong-user-0123', 'wrong-org-0123')
  await assert.rejects(he.parseInstanceAsync(await call(he.getInstanceRequest(refused, 1))), (e) => e instanceof he.ApiError && e.status === 401 && !e.message.includes('wrong-user'))

  // The plain form works in the Async parsers too.
  const res = await call(he.getInstanceRequest(config, 987654))
  const plain = { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
  await assert.rejects(he.parseInstanceAsync(plain), he.ApiError)
})

test('a synchronous parser refuses a fetch Response and shows the form to use', async (t) => {
  const emu = await startEmulator()
  t.after(() => emu.stop())
  const config = new he.Config(emu.base_url, emu.user_secret, emu.organization_secret)
  const res = await call(he.listInstancesRequest(config, {}))
  assert.throws(
    () => he.parseInstancePage(res),
    (e) => {
      assert.ok(e instanceof TypeError)
      assert.match(e.message, /await parseInstancePageAsync\(response\)/)
      assert.match(e.message, /Buffer\.from\(await response\.arrayBuffer\(\)\)/)
      return true
    },
  )
  // The body was not consumed by the refusal: the suggested form still works.
  assert.ok(Array.isArray((await he.parseInstancePageAsync(res)).instances))
  await assert.rejects(he.parseInstancePageAsync(res), /already read/)
})

test('every parser of a response has an Async twin, in both entries and in the types', { skip: ESM_AFTER_REQUIRE }, async () => {
  const dir = path.dirname(require.resolve('hootsuite-events'))
  const native = fs.readFileSync(path.join(dir, 'native.d.ts'), 'utf8')
  const parsers = [...native.matchAll(/export declare function (parse\w+)\((\w+): import\('\.\/index'\)\.ResponseInput\)/g)].map((m) => m[1])
  assert.ok(parsers.length >= 5, native)
  const esm = await import('hootsuite-events')
  const types = fs.readFileSync(path.join(dir, 'index.d.ts'), 'utf8')
  for (const name of parsers) {
    assert.equal(typeof he[`${name}Async`], 'function', name)
    assert.equal(esm[`${name}Async`], he[`${name}Async`], name)
    assert.match(types, new RegExp(`function ${name}Async\\(`), name)
  }
})
