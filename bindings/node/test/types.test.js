'use strict'
// The TypeScript declarations compile against a usage file, strictly.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')
const fs = require('node:fs')

test('index.d.ts describes the API (tsc --strict)', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  // --esModuleInterop: node-redis's declarations (the README's client, in usage.ts) need it.
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--esModuleInterop', '--target', 'es2022', '--module', 'commonjs', '--lib', 'es2022,dom', '--types', 'node', path.join(__dirname, 'usage.ts')], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})

test('no any in a declaration of the package (inputs typed, results typed)', () => {
  const dir = path.dirname(require.resolve('hootsuite-events'))
  for (const file of ['index.d.ts', 'native.d.ts', 'redis.d.ts', 'postgres.d.ts']) {
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
