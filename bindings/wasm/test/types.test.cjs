'use strict'
// The package's TypeScript declarations: no `any` in a public signature (only wasm-bindgen's
// own InitOutput, the raw module exports, has it), and a usage file compiles with tsc --strict.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')

const PKG = path.join(__dirname, '..', 'pkg')

test('no any in a public signature', () => {
  for (const entry of ['hootsuite_events_wasm.d.ts', 'full/hootsuite_events_wasm.d.ts', 'node/hootsuite_events_wasm.d.ts', 'index.d.ts', 'full/index.d.ts', 'full/process.d.ts', 'node/index.d.ts', 'errors.d.ts', 'node/errors.d.ts']) {
    const text = fs.readFileSync(path.join(PKG, entry), 'utf8')
    const exported = text.replace(/export interface InitOutput \{[\s\S]*?\n\}/, '')
    const lines = exported.split('\n').filter((l) => /\bany\b/.test(l) && !/^\s*(\*|\/\*\*|\/\/)/.test(l))
    assert.deepEqual(lines, [], entry)
    // The form's operations are typed where they are exported: the browser package's entry
    // module (its glue exchanges JSON text), the full builds' glue.
    if (entry === 'index.d.ts') assert.match(text, /export function validateInstance\(form: CreateInstanceForm, callbackUrl\?: string \| null\): ValidationReport$/m, entry)
    if (/^(full|node)\/hootsuite_events_wasm\.d\.ts$/.test(entry)) assert.match(text, /export function validateInstance\(form: CreateInstanceForm, callback_url\?: string \| null\): ValidationReport;/, entry)
  }
})

test('a usage file compiles against the declarations (tsc --strict)', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', path.join(__dirname, 'usage.ts')], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('the declarations are checked: a wrong use fails to compile', () => {
  const bad = path.join(__dirname, '.bad-usage.ts')
  fs.writeFileSync(bad, "import { validateInstance } from '../pkg/index.js'\nconst n: number = validateInstance({}).valid\nvoid n\n")
  try {
    const tsc = require.resolve('typescript/bin/tsc')
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--target', 'es2022', '--module', 'es2022', '--moduleResolution', 'bundler', '--lib', 'es2022,dom,dom.iterable', bad], { encoding: 'utf8', timeout: 120000 })
    assert.notEqual(r.status, 0)
    assert.match(r.stdout, /Type 'boolean' is not assignable to type 'number'/)
  } finally {
    fs.rmSync(bad, { force: true })
  }
})
