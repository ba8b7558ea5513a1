'use strict'
// The TypeScript declarations compile against a usage file, strictly; no `any` reaches an
// exported type; each runtime export is declared and each declared value exists; and the
// functions the Node package and the WebAssembly package both export take and return the same
// types (the shared ones are written once: form-types.d.ts and types.d.ts, which the WebAssembly
// builds include).
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const fs = require('node:fs')
const ts = require('typescript')
const { REPO } = require('./helpers.js')
const declarations = require(path.join(REPO, 'bindings', 'js', 'declarations.cjs'))(ts)

const packageDir = path.dirname(require.resolve('hootsuite-events'))
const wasmDir = path.dirname(require.resolve('hootsuite-events-wasm/package.json'))
// The package's entries and their declarations.
const ENTRIES = { 'hootsuite-events': 'index.d.ts', 'hootsuite-events/redis': 'redis.d.ts', 'hootsuite-events/postgres': 'postgres.d.ts' }
// What the WebAssembly package's entries are checked against.
const WASM_ENTRIES = { 'hootsuite-events-wasm/node': 'node/index.d.ts', 'hootsuite-events-wasm/full': 'full/index.d.ts' }
// A program as a CommonJS user of the package compiles it.
const program = () =>
  declarations.program(
    [...Object.values(ENTRIES).map((f) => path.join(packageDir, f)), ...Object.values(WASM_ENTRIES).map((f) => path.join(wasmDir, f))],
    { types: ['node'], module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10 },
  )

test('index.d.ts describes the API (tsc --strict)', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  // --esModuleInterop: node-redis's declarations (the README's client, in usage.ts) need it.
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--esModuleInterop', '--target', 'es2022', '--module', 'commonjs', '--lib', 'es2022,dom', '--types', 'node', path.join(__dirname, 'usage.ts')], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('no any in a declaration of the package (inputs typed, results typed)', () => {
  const dir = path.dirname(require.resolve('hootsuite-events'))
  for (const file of ['index.d.ts', 'native.d.ts', 'form-types.d.ts', 'types.d.ts', 'redis.d.ts', 'postgres.d.ts']) {
    const lines = fs.readFileSync(path.join(dir, file), 'utf8').split('\n')
    const anys = lines.filter((l) => /\bany\b/.test(l) && !/^\s*(\*|\/\*\*|\/\/)/.test(l))
    assert.deepEqual(anys, [], file)
  }
})

test('the declarations refuse a misspelled create-instance field and a parsed body (tsc --strict)', () => {
  const bad = path.join(__dirname, '.bad-usage.ts')
  fs.writeFileSync(bad, [
    "import * as he from 'hootsuite-events'",
    "const config = new he.Config('us', 'user', 'org')",
    "he.createInstanceRequest(config, { nmae: 'x' })",
    "const parsed: Record<string, unknown> = JSON.parse('{}')",
    "he.verifyEvent('key', {}, parsed)",
    "he.verifySignature('key', '{}', 'sha256=')",
    '',
  ].join('\n'))
  try {
    const tsc = require.resolve('typescript/bin/tsc')
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', '--lib', 'es2022,dom', '--types', 'node', bad], { encoding: 'utf8', timeout: 120000 })
    assert.notEqual(r.status, 0)
    const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'))
    assert.equal(errors.length, 3, r.stdout)
    assert.match(errors[0], /\(3,\d+\): error TS2353: Object literal may only specify known properties, and 'nmae' does not exist/)
    assert.match(errors[1], /\(5,\d+\): error TS2345: Argument of type 'Record<string, unknown>' is not assignable to parameter of type 'Uint8Array<ArrayBufferLike> \| ArrayBuffer'|\(5,\d+\): error TS2345: Argument of type 'Record<string, unknown>' is not assignable/)
    assert.match(errors[2], /\(6,\d+\): error TS2345: Argument of type 'string' is not assignable/)
  } finally {
    fs.rmSync(bad, { force: true })
  }
})

test('no any reaches a type the package exports (parameters, results, members, aliases)', () => {
  const prog = program()
  for (const file of Object.values(ENTRIES)) assert.deepEqual(declarations.anys(prog, path.join(packageDir, file), packageDir), [], file)
})

test('the walk that looks for any finds one behind an alias, in a member, a callback, a result', () => {
  const dir = fs.mkdtempSync(path.join(__dirname, '.planted-'))
  try {
    const file = path.join(dir, 'index.d.ts')
    fs.writeFileSync(file, [
      'type Loose = Record<string, any>',
      'export interface Options { a?: string; b: Loose }',
      'export declare function f(x: Options): void',
      'export declare function g(): Promise<Array<{ deep: any }>>',
      'export declare class C { m(cb: (v: any) => void): void }',
      'export type Fine = { [k: string]: string } | Iterable<[string, string]>',
      '',
    ].join('\n'))
    assert.deepEqual(declarations.anys(declarations.program([file]), file, dir), ['f(x).b[key]', 'g()[][].deep', 'new C().m(cb)(v)'])
  } finally {
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

// Declared by napi's native.d.ts, which index.d.ts re-exports whole, and kept by index.js:
// `redactRequest` (the Request objects show their redacted copy), the loader's
// `__napiBindingTarget`; `__panicForTests` is in the test build's addon only.
const DECLARED_NOT_EXPORTED = ['__napiBindingTarget', 'redactRequest', '__panicForTests']

test('every export of each entry is declared, and every declared value exists', async () => {
  const prog = program()
  for (const [entry, file] of Object.entries({ ...ENTRIES, ...WASM_ENTRIES })) {
    const dir = entry.startsWith('hootsuite-events-wasm') ? wasmDir : packageDir
    const declared = declarations.exportsOf(prog, path.join(dir, file)).filter((e) => e.value).map((e) => e.name)
    const runtime = Object.keys(entry === 'hootsuite-events-wasm/full' ? await import(entry) : require(entry))
    assert.deepEqual(runtime.filter((n) => !declared.includes(n)), [], `${entry}: exported, not declared`)
    const missing = declared.filter((n) => !runtime.includes(n))
    const known = entry === 'hootsuite-events' ? DECLARED_NOT_EXPORTED.filter((n) => n !== '__panicForTests' || !runtime.includes(n)) : []
    assert.deepEqual(missing.sort(), known.sort(), `${entry}: declared, not exported`)
  }
})

// Where the WebAssembly package's generated declarations (bindings/wasm/src/full.rs's
// attributes) may differ from Node's, with why: none, so any difference fails the check.
const KNOWN = {}

test('the functions both packages export take and return the same types (tsc --strict)', () => {
  const prog = program()
  const nodeFunctions = declarations.functionsOf(prog, path.join(packageDir, 'index.d.ts'))
  for (const [entry, file] of Object.entries(WASM_ENTRIES)) {
    const common = declarations.functionsOf(prog, path.join(wasmDir, file)).filter((n) => nodeFunctions.includes(n))
    // The table's exports are in both (and /full's process), not a few.
    const some = ['verifyEvent', 'createInstanceRequest', 'parseInstance', 'validateInstance', 'sign', ...(entry.endsWith('/full') ? ['process'] : [])]
    for (const name of some) assert.ok(common.includes(name), `${entry}: ${name}`)
    assert.ok(common.length >= 45, `${entry}: ${common.length} functions in common`)
    assert.deepEqual(Object.keys(KNOWN).filter((n) => !common.includes(n)), [], entry)
    // The WebAssembly package's own classes stand for Node's; its plain Account is its one
    // wider input (Node takes a Config only), so a Config | Account parameter reads as Config.
    const own = 'type Own<T> = T extends A.Config | A.Account ? B.Config : T extends A.AuthorizationCode ? B.AuthorizationCode : T'
    const check = path.join(__dirname, `.agree-${path.dirname(file)}.ts`)
    fs.writeFileSync(check, declarations.agreement(entry, 'hootsuite-events', common, own, KNOWN))
    try {
      const tsc = require.resolve('typescript/bin/tsc')
      const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'commonjs', '--lib', 'es2022,dom', '--types', 'node', check], { encoding: 'utf8', timeout: 120000 })
      const lines = fs.readFileSync(check, 'utf8').split('\n')
      const failed = [...r.stdout.matchAll(/\((\d+),\d+\): error/g)].map((m) => lines[Number(m[1]) - 1].replace(/^export const (\w+):.*$/, '$1'))
      assert.equal(r.status, 0, `${entry}: ${failed.join(', ') || r.stdout + r.stderr}`)
    } finally {
      fs.rmSync(check, { force: true })
    }
  }
})
