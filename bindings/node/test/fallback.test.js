'use strict'
// The WebAssembly fallback. make test-node runs the whole suite twice: with the native addon
// (its platform package installed), then with the platform package removed
// (HOOTSUITE_EVENTS_EXPECT_BACKEND=wasm), when every other test file runs on the fallback.
// Here, in the native run: the fallback serves every export of the addon, and every vector gives
// the same whole result on both; in the fallback run: the package did load the fallback, and
// with the fallback absent too the require fails with what to install.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const v8 = require('node:v8')
const { spawnSync } = require('node:child_process')
const he = require('hootsuite-events')
const { REPO } = require('./helpers.js')

const expected = process.env.HOOTSUITE_EVENTS_EXPECT_BACKEND || 'native'
const packageDir = path.dirname(require.resolve('hootsuite-events'))
const JS_OPS = path.join(REPO, 'tests', 'vectors', 'js-ops.cjs')
const { REFUSED } = require(path.join(packageDir, 'wasm-fallback.js'))

test(`the package runs on the ${expected} backend`, () => {
  assert.equal(he.backend, expected)
})

/** A copy of the installed package next to a copy of hootsuite-events-wasm (or alone), without the platform package. */
function scratchInstall(t, withWasm) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'he-fallback-'))
  t.after(() => fs.rmSync(scratch, { recursive: true, force: true }))
  fs.cpSync(packageDir, path.join(scratch, 'node_modules', 'hootsuite-events'), { recursive: true })
  if (withWasm) {
    const wasmDir = path.dirname(require.resolve('hootsuite-events-wasm/package.json'))
    fs.cpSync(wasmDir, path.join(scratch, 'node_modules', 'hootsuite-events-wasm'), { recursive: true })
  }
  return scratch
}

test('the fallback serves every export of the native addon (only the test hooks are refused, by name)', { skip: expected !== 'native' && 'the native addon is absent in this run' }, () => {
  // napi-rs's loader adds `__napiBindingTarget` (which binary it loaded): not an export of the API.
  const { __napiBindingTarget, ...native } = require(path.join(packageDir, 'native.js'))
  const fallback = require(path.join(packageDir, 'wasm-fallback.js')).load(new Error('compared, not failed'))
  const missing = Object.keys(native).filter((k) => !(k in fallback)).sort()
  assert.deepEqual(missing, Object.keys(REFUSED).sort())
  assert.deepEqual(Object.keys(fallback).filter((k) => !(k in native)), ['__backend'])
  for (const [name, value] of Object.entries(native)) {
    if (name in REFUSED) continue
    assert.equal(typeof fallback[name], typeof value, name)
    if (typeof value !== 'function') assert.equal(fallback[name], value, name)
  }
})

test('every vector gives the same whole result on the native addon and on the WebAssembly fallback', { skip: expected !== 'native' && 'the native addon is absent in this run' }, (t) => {
  const { results } = require(JS_OPS)
  const native = results(he, (...account) => new he.Config(...account))
  const scratch = scratchInstall(t, true)
  const script = `
    const he = require('hootsuite-events')
    if (he.backend !== 'wasm') throw new Error('the fallback did not load: ' + he.backend)
    const out = require(${JSON.stringify(JS_OPS)}).results(he, (...account) => new he.Config(...account))
    process.stdout.write(require('node:v8').serialize(out).toString('base64'))
  `
  const r = spawnSync(process.execPath, ['-e', script], { cwd: scratch, encoding: 'utf8', timeout: 120000, maxBuffer: 64 << 20 })
  assert.equal(r.status, 0, r.stderr)
  const wasm = v8.deserialize(Buffer.from(r.stdout, 'base64'))
  assert.deepStrictEqual(Object.keys(wasm), Object.keys(native))
  assert.ok(Object.keys(native).length > 200, `${Object.keys(native).length} cases`)
  for (const key of Object.keys(native)) {
    assert.deepStrictEqual(wasm[key], native[key], key)
    assert.equal(JSON.stringify(wasm[key]), JSON.stringify(native[key]), `${key}: the same key order`)
  }
})

test('on the fallback, Config keeps its secrets out of what it shows', { skip: expected !== 'wasm' && 'the native addon serves this run' }, () => {
  const config = new he.Config('us', 'USER-SECRET-fb1', 'ORG-SECRET-fb2')
  const shown = [JSON.stringify(config), util.inspect(config, { depth: 9 }), String(config)].join('\n')
  assert.ok(!shown.includes('SECRET-fb'), shown)
  assert.equal(config.baseUrl, 'https://api.cloud-elements.com/elements/api-v2')
})

test('without the native addon and without the fallback, require says what to install', { skip: expected !== 'wasm' && 'the native addon serves this run' }, (t) => {
  const scratch = scratchInstall(t, false)
  const r = spawnSync(process.execPath, ['-e', "require('hootsuite-events')"], { cwd: scratch, encoding: 'utf8', timeout: 30000 })
  assert.notEqual(r.status, 0)
  assert.match(r.stderr, /no native addon for \S+ .*the WebAssembly fallback hootsuite-events-wasm is not installed either/)
  assert.match(r.stderr, /linux-arm64-musl, darwin-x64, darwin-arm64 and win32-x64-msvc/)
})
