'use strict'
// Lays out the npm packages as they are published, for the tests: the main package (no
// binary; every platform package and the WebAssembly fallback as optionalDependencies, what
// `napi pre-publish` writes at release) and the platform package of each built addon.
//   node scripts/stage.cjs <out-dir>
// writes <out-dir>/hootsuite-events and <out-dir>/<platform> for each *.node found here.
const fs = require('node:fs')
const path = require('node:path')

const here = path.resolve(__dirname, '..')
const root = path.resolve(here, '..', '..')
const out = path.resolve(process.argv[2] || '')
if (!process.argv[2]) throw new Error('usage: node scripts/stage.cjs <out-dir>')

const pkg = JSON.parse(fs.readFileSync(path.join(here, 'package.json'), 'utf8'))
const licences = ['LICENSE-MIT', 'LICENSE-APACHE']
const platforms = fs.readdirSync(path.join(here, 'npm')).sort()
const copy = (from, to) => {
  fs.mkdirSync(path.dirname(to), { recursive: true })
  fs.copyFileSync(from, to)
}

fs.rmSync(out, { recursive: true, force: true })
const main = path.join(out, pkg.name)
for (const file of [...pkg.files, ...licences]) copy(path.join(here, file), path.join(main, file))
const optionalDependencies = {}
for (const platform of platforms) {
  const sub = JSON.parse(fs.readFileSync(path.join(here, 'npm', platform, 'package.json'), 'utf8'))
  optionalDependencies[sub.name] = pkg.version
}
optionalDependencies['hootsuite-events-wasm'] = pkg.version
fs.writeFileSync(path.join(main, 'package.json'), JSON.stringify({ ...pkg, optionalDependencies }, null, 2) + '\n')

for (const addon of fs.readdirSync(here).filter((f) => f.endsWith('.node'))) {
  const platform = addon.split('.').slice(-2, -1)[0]
  if (!platforms.includes(platform)) throw new Error(`${addon}: no npm/${platform} package folder (napi create-npm-dirs)`)
  const dir = path.join(out, platform)
  for (const file of fs.readdirSync(path.join(here, 'npm', platform))) copy(path.join(here, 'npm', platform, file), path.join(dir, file))
  for (const file of licences) copy(path.join(root, file), path.join(dir, file))
  copy(path.join(here, addon), path.join(dir, addon))
}
