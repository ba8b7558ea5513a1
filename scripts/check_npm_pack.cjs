'use strict'
// The npm package listing test: `npm pack --dry-run --json` of a package folder must list
// exactly the expected files, no more (no tests, sources, build leftovers) and no fewer.
//   node scripts/check_npm_pack.cjs <package-dir> <kind>
const { execFileSync } = require('node:child_process')
const path = require('node:path')

const WASM_GLUE = ['hootsuite_events_wasm.js', 'hootsuite_events_wasm.d.ts', 'hootsuite_events_wasm_bg.wasm', 'hootsuite_events_wasm_bg.wasm.d.ts']
const EXPECTED = {
  node: ['LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'form-types.d.ts', 'index.d.ts', 'index.js', 'index.mjs', 'native.d.ts', 'native.js', 'package.json', 'postgres.d.ts', 'postgres.js', 'postgres.mjs', 'redis.d.ts', 'redis.js', 'redis.mjs', 'telemetry.js', 'types.d.ts', 'wasm-fallback.js'],
  platform: (name) => ['LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'package.json', `hootsuite-events.${name}.node`],
  wasm: [
    'LICENSE-APACHE', 'LICENSE-MIT', 'README.md', 'package.json', 'errors.js', 'errors.d.ts',
    ...['', 'full/', 'node/'].flatMap((dir) => [...WASM_GLUE, 'index.js', 'index.d.ts'].map((f) => dir + f)),
    'node/package.json', 'node/errors.js', 'node/errors.d.ts', 'full/process.js', 'full/process.d.ts',
  ],
}

const [dir, kind] = process.argv.slice(2)
if (!dir || !kind) throw new Error('usage: node scripts/check_npm_pack.cjs <package-dir> node|platform|wasm')
const expected = (kind === 'platform' ? EXPECTED.platform(path.basename(dir)) : EXPECTED[kind]).slice().sort()
const [report] = JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: dir, encoding: 'utf8' }))
const actual = report.files.map((f) => f.path).sort()
const extra = actual.filter((f) => !expected.includes(f))
const missing = expected.filter((f) => !actual.includes(f))
if (extra.length || missing.length) {
  console.error(`check_npm_pack: ${report.name}@${report.version} (${dir}): unexpected ${JSON.stringify(extra)}, missing ${JSON.stringify(missing)}`)
  process.exit(1)
}
console.log(`check_npm_pack: ${report.name}@${report.version}: ${actual.length} files as expected, ${report.size} B packed, ${report.unpackedSize} B unpacked`)
