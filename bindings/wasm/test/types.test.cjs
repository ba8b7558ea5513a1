'use strict'
// The package's TypeScript declarations: no `any` in a public signature (only wasm-bindgen's
// own InitOutput, the raw module exports, has it), and a usage file compiles with tsc --strict.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const PKG = path.join(__dirname, '..', 'pkg')
const ts = require('typescript')
const declarations = require(path.join(__dirname, '..', '..', 'js', 'declarations.cjs'))(ts)
// The package's entries (browser form, full ES module, Node CommonJS) and their declarations.
const ENTRIES = { 'index.js': 'index.d.ts', 'full/index.js': 'full/index.d.ts', 'node/index.js': 'node/index.d.ts' }
const program = () => declarations.program(Object.values(ENTRIES).map((f) => path.join(PKG, f)))

test('no any in a public signature', () => {
  for (const entry of ['hootsuite_events_wasm.d.ts', 'full/hootsuite_events_wasm.d.ts', 'node/hootsuite_events_wasm.d.ts', 'index.d.ts', 'full/index.d.ts', 'full/process.d.ts', 'node/index.d.ts', 'errors.d.ts', 'node/errors.d.ts']) {
    const text = fs.readFileSync(path.join(PKG, entry), 'utf8')
    const exported = text.replace(/export interface InitOutput \{[\s\S]*?\n\}/, '')
    const lines = exported.split('\n').filter((l) => /\bany\b/.test(l) && !/^\s*(\*|\/\*\*|\/\/)/.test(l))
    assert.deepEqual(lines, [], entry)
    // The form's operations are typed where they are exported: the browser package's entry
    // module (its glue exchanges JSON text), the full builds' glue (a validator there takes
    // any value, as Node's).
    if (entry === 'index.d.ts') assert.match(text, /export function validateInstance\(form: unknown, callbackUrl\?: string \| null\): ValidationReport$/m, entry)
    if (/^(full|node)\/hootsuite_events_wasm\.d\.ts$/.test(entry)) assert.match(text, /export function validateInstance\(form: unknown, callback_url\?: string \| null\): ValidationReport;/, entry)
  }
})

test('a usage file compiles against the declarations (tsc --strict)', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', path.join(__dirname, 'usage.ts')], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('the declarations are checked: a wrong use fails to compile', () => {
  const bad = path.join(__dirname, '.bad-usage.ts')
  fs.writeFileSync(bad, [
    "import { validateInstance, previewInstanceRequest } from '../pkg/index.js'",
    "import * as full from '../pkg/full/index.js'",
    'const n: number = validateInstance({}).valid',
    "previewInstanceRequest('us', { nmae: 'x' })",
    "const account: full.Account = { baseUrl: 'us', userSecret: 'u', organizationSecret: 'o' }",
    "full.createInstanceRequest(account, { name: 'x', configuration: { 'event.vendor.type': 'push' } })",
    "const parsed: Record<string, unknown> = JSON.parse('{}')",
    "full.verifyEvent('key', {}, parsed, undefined)",
    'void n',
    '',
  ].join('\n'))
  try {
    const tsc = require.resolve('typescript/bin/tsc')
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', bad], { encoding: 'utf8', timeout: 120000 })
    assert.notEqual(r.status, 0)
    const errors = r.stdout.split('\n').filter((l) => l.includes('error TS'))
    assert.equal(errors.length, 4, r.stdout)
    assert.match(errors[0], /\(3,\d+\): error TS2322: Type 'boolean' is not assignable to type 'number'/)
    // A misspelled form field, a value the form's type does not have, a parsed body.
    assert.match(errors[1], /\(4,\d+\): error TS2353: Object literal may only specify known properties, and 'nmae' does not exist/)
    assert.match(errors[2], /\(6,\d+\): error TS2322: Type '"push"' is not assignable/)
    assert.match(errors[3], /\(8,\d+\): error TS2345: Argument of type 'Record<string, unknown>' is not assignable/)
  } finally {
    fs.rmSync(bad, { force: true })
  }
})

// wasm-bindgen's InitOutput (what init() and initSync() give: the module's raw exports, typed
// `any` by wasm-bindgen) is the one type left out: the package's API neither takes nor returns it
// elsewhere, and nothing of it is documented for use.
test('no any reaches a type an entry exports (parameters, results, members, aliases)', () => {
  const prog = program()
  for (const file of Object.values(ENTRIES)) assert.deepEqual(declarations.anys(prog, path.join(PKG, file), PKG), [], file)
  assert.deepEqual(declarations.INTERNAL_TYPES, ['InitOutput'])
})

test('every export of each entry is declared, and every declared value exists', async () => {
  const prog = program()
  for (const [entry, file] of Object.entries(ENTRIES)) {
    const declared = declarations.exportsOf(prog, path.join(PKG, file)).filter((e) => e.value).map((e) => e.name).sort()
    const runtime = Object.keys(entry.startsWith('node/') ? require(path.join(PKG, entry)) : await import(path.join(PKG, entry))).sort()
    assert.ok(runtime.length > 5, entry)
    assert.deepEqual(runtime.filter((n) => !declared.includes(n)), [], `${entry}: exported, not declared`)
    assert.deepEqual(declared.filter((n) => !runtime.includes(n)), [], `${entry}: declared, not exported`)
  }
})
