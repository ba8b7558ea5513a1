'use strict'
// The TypeScript declarations compile against a usage file, strictly.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawnSync } = require('node:child_process')
const path = require('node:path')

test('index.d.ts describes the API (tsc --strict)', () => {
  const tsc = require.resolve('typescript/bin/tsc')
  // --esModuleInterop: node-redis's declarations (the README's client, in usage.ts) need it.
  const r = spawnSync(process.execPath, [tsc, '--noEmit', '--strict', '--esModuleInterop', '--target', 'es2022', '--module', 'commonjs', '--lib', 'es2022,dom', '--types', 'node', path.join(__dirname, 'usage.ts')], { encoding: 'utf8', timeout: 120000 })
  assert.equal(r.status, 0, r.stdout + r.stderr)
})
