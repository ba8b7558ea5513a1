'use strict'
// The core's export table (crates/hootsuite-events/src/api.rs, recorded as tests/api-table.json
// by its own test) against the packages: the package's functions (CommonJS and ES module), the
// declarations, the native addon's exports, the WebAssembly fallback's lists, the WebAssembly
// package's two builds (/full: every export; the browser form: those the table marks browser),
// and the constants.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const url = require('node:url')
const he = require('hootsuite-events')
const { REPO } = require('./helpers.js')

const TABLE = JSON.parse(fs.readFileSync(path.join(REPO, 'tests', 'api-table.json'), 'utf8'))
const NODE = TABLE.exports.filter((e) => e.node)
const names = (list) => list.map((e) => e.js).sort()
const packageDir = path.dirname(require.resolve('hootsuite-events'))
const wasmDir = path.dirname(require.resolve('hootsuite-events-wasm/package.json'))
const { PLUMBING } = require(path.join(packageDir, 'wasm-fallback.js'))
// What the WebAssembly builds export besides the table: wasm-bindgen's loader, and what the
// fallback makes its Config and constants of.
const WASM_PLUMBING = ['constants', 'initSync', 'instanceAuthorization']
const onNative = he.backend === 'native'
// The addon's export index.js keeps to itself (the Request class shows its redacted copy).
const INTERNAL = ['redactRequest']

function declaredFunctions(file) {
  const text = fs.readFileSync(file, 'utf8')
  return new Set([...text.matchAll(/export (?:declare )?function (\w+)\(/g)].map((m) => m[1]))
}

test('every export of the table is a function of the package, the same in CommonJS and ES modules', async () => {
  // The ES module entry by its path: Deno gives a CommonJS file's import() of the package the
  // CommonJS entry's statically found names, which are not what an ES module importer gets.
  const esm = await import(url.pathToFileURL(path.join(packageDir, 'index.mjs')).href)
  const byName = globalThis.Deno ? esm : await import('hootsuite-events')
  for (const e of NODE) {
    if (INTERNAL.includes(e.js)) {
      assert.equal(he[e.js], undefined, e.js)
      continue
    }
    assert.equal(typeof he[e.js], 'function', e.js)
    assert.equal(esm[e.js], he[e.js], e.js)
    assert.equal(byName[e.js], he[e.js], e.js)
  }
})

test('the package declares every export of the table', () => {
  const declared = declaredFunctions(path.join(packageDir, 'native.d.ts'))
  for (const name of declaredFunctions(path.join(packageDir, 'index.d.ts'))) declared.add(name)
  assert.deepEqual(names(NODE).filter((n) => !declared.has(n)), [])
})

test("the native addon's functions are the table", { skip: !onNative && 'the native addon is absent in this run' }, () => {
  const native = require(path.join(packageDir, 'native.js'))
  const functions = Object.keys(native).filter((k) => /^[a-z]/.test(k) && typeof native[k] === 'function')
  assert.deepEqual(functions.sort(), names(NODE))
})

test("the fallback is a loader: the WebAssembly build's functions are the table's, its plumbing named", () => {
  const wasm = require('hootsuite-events-wasm/node')
  const functions = Object.keys(wasm).filter((k) => /^[a-z]/.test(k) && !PLUMBING.includes(k))
  assert.deepEqual(functions.sort(), names(NODE))
  // The fallback's Config is the WebAssembly build's class, as the addon's is its own.
  const fallback = require(path.join(packageDir, 'wasm-fallback.js')).load(new Error('loaded, not failed'))
  assert.equal(fallback.Config, wasm.Config)
  assert.equal(typeof fallback.Config.prototype.instanceAuthorization, 'function')
})

test('the WebAssembly package: /full has every export of the table, the browser form build those marked browser', async () => {
  const full = require('hootsuite-events-wasm/node')
  for (const e of TABLE.exports) assert.equal(typeof full[e.js], 'function', e.js)
  const declared = [...declaredFunctions(path.join(wasmDir, 'node', 'hootsuite_events_wasm.d.ts'))].filter((n) => !WASM_PLUMBING.includes(n))
  assert.deepEqual(declared.sort(), names(TABLE.exports))
  // The browser build's entry module (index.js over the glue's one-call-per-operation exports):
  // its declarations, and the functions it exports (minified: read by importing it).
  const forBrowser = names(TABLE.exports.filter((e) => e.browser))
  const declaredForBrowser = [...declaredFunctions(path.join(wasmDir, 'index.d.ts'))].filter((n) => !WASM_PLUMBING.includes(n))
  assert.deepEqual(declaredForBrowser.sort(), forBrowser, 'index.d.ts')
  const entry = await import(url.pathToFileURL(path.join(wasmDir, 'index.js')).href)
  // Besides the loader: `default` (init) and errors.js's `convert`.
  const exported = Object.keys(entry).filter((n) => /^[a-z]/.test(n) && typeof entry[n] === 'function' && ![...WASM_PLUMBING, 'default', 'convert'].includes(n))
  assert.deepEqual(exported.sort(), forBrowser, 'index.js')
})

// The option objects each declaration names for the core's option structs.
const OPTION_INTERFACES = { RedirectOptions: 'RedirectUrlOptions', PageOptions: 'PageOptions', DeliveryFilter: 'DeliveryOptions', ListOptions: 'ListOptions', VerifyOptions: 'VerifyOptions' }
const camel = (name) => name.replace(/_([a-z])/g, (_, c) => c.toUpperCase())

function interfaceFields(file, name) {
  const m = fs.readFileSync(file, 'utf8').match(new RegExp(`export interface ${name} \\{([\\s\\S]*?)\\n\\}`))
  assert.ok(m, `${name} is declared in ${file}`)
  return [...m[1].matchAll(/^\s*(\w+)\??:/gm)].map((f) => f[1]).sort()
}

test("the option objects the packages declare are the table's option structs", () => {
  const declarations = [path.join(packageDir, 'types.d.ts'), path.join(wasmDir, 'full', 'hootsuite_events_wasm.d.ts')]
  for (const [struct, name] of Object.entries(OPTION_INTERFACES)) {
    const users = TABLE.exports.filter((e) => e.options === struct)
    assert.ok(users.length > 0, struct)
    const fields = [...new Set(users.flatMap((e) => e.fields.map(([f]) => camel(f))))].sort()
    for (const file of declarations) assert.deepEqual(interfaceFields(file, name), fields, `${name} in ${file}`)
  }
})

test('the constants are the table', () => {
  for (const [name, value] of Object.entries(TABLE.constants)) assert.equal(he[name], value, name)
  assert.deepEqual(require('hootsuite-events-wasm/node').constants(), TABLE.constants)
  // The CommonJS entry of the WebAssembly package has them as values too, as the Node package.
  const wasm = require('hootsuite-events-wasm/node')
  for (const [name, value] of Object.entries(TABLE.constants)) assert.equal(wasm[name], value, name)
  assert.deepEqual(interfaceFields(path.join(wasmDir, 'full', 'hootsuite_events_wasm.d.ts'), 'Constants'), Object.keys(TABLE.constants).sort())
})
