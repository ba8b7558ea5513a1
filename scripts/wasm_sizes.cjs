'use strict'
// What takes the bytes of a WebAssembly module: its sections, data segments and the largest
// function bodies by name (issue 27). Run it on a module that keeps its names, e.g. the browser
// build after wasm-bindgen and wasm-opt without stripping them:
//   W=~/.cache/hootsuite-events
//   $W/wasm-bindgen/bin/wasm-bindgen --target web --out-dir /tmp/p --out-name h target/wasm32-unknown-unknown/wasm-release/form.wasm
//   $W/binaryen/node_modules/binaryen/bin/wasm-opt -Oz --converge --low-memory-unused -g /tmp/p/h_bg.wasm -o /tmp/p/named.wasm
//   node scripts/wasm_sizes.cjs /tmp/p/named.wasm [how many functions, default 40]
const fs = require('node:fs')

const bytes = fs.readFileSync(process.argv[2])
const top = Number(process.argv[3] || 40)
let pos = 8 // magic and version
const leb = () => {
  let result = 0
  let shift = 0
  for (;;) {
    const b = bytes[pos++]
    result += (b & 0x7f) * 2 ** shift
    if (b < 0x80) return result
    shift += 7
  }
}
const text = (len) => new TextDecoder().decode(bytes.subarray(pos, (pos += len)))
const skipExpr = () => { while (bytes[pos++] !== 0x0b) {} } // a constant offset expression
let importedFunctions = 0
const bodies = []
const segments = []
const names = new Map()
const sections = []
while (pos < bytes.length) {
  const id = bytes[pos++]
  const size = leb()
  const end = pos + size
  const custom = id === 0 ? text(leb()) : ''
  sections.push(custom ? `custom:${custom} ${size}` : `${id} ${size}`)
  if (id === 2) {
    for (let n = leb(); n > 0; n--) {
      text(leb())
      text(leb())
      const kind = bytes[pos++]
      if (kind === 0) { leb(); importedFunctions++ } else if (kind === 1) { pos++; if (bytes[pos++] & 1) { leb(); leb() } else leb() } else if (kind === 2) { if (bytes[pos++] & 1) { leb(); leb() } else leb() } else pos += 2
    }
  } else if (id === 10) {
    for (let n = leb(); n > 0; n--) { const s = leb(); bodies.push(s); pos += s }
  } else if (id === 11) {
    for (let n = leb(); n > 0; n--) {
      const flags = leb()
      if (flags === 2) leb()
      if (flags !== 1) skipExpr()
      const s = leb()
      segments.push(s)
      pos += s
    }
  } else if (custom === 'name') {
    while (pos < end) {
      const sub = bytes[pos++]
      const subEnd = leb() + pos
      if (sub === 1) for (let n = leb(); n > 0; n--) { const i = leb(); names.set(i, text(leb())) }
      pos = subEnd
    }
  }
  pos = end
}
const functions = bodies.map((s, i) => [s, (names.get(i + importedFunctions) || `function ${i + importedFunctions}`).replace(/\[[0-9a-f]+\]/g, '')])
functions.sort((a, b) => b[0] - a[0])
console.log(`sections (id bytes): ${sections.join(', ')}`)
console.log(`data: ${segments.length} segments, ${segments.reduce((a, s) => a + s, 0)} B`)
console.log(`code: ${functions.length} functions, ${functions.reduce((a, f) => a + f[0], 0)} B; the largest:`)
for (const [s, n] of functions.slice(0, top)) console.log(`${String(s).padStart(6)}  ${n}`)
