'use strict'
// Fails when a WebAssembly module built with its names kept (cargo's output, before
// wasm-bindgen strips them) has a function of serde or serde_json: the browser build writes its
// results with the core's jsonv, and this keeps serde from coming back unnoticed (issue 27).
//   node no_serde.cjs <module.wasm>
const fs = require('node:fs')

function functionNames(bytes) {
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
  while (pos < bytes.length) {
    const id = bytes[pos++]
    const size = leb()
    const end = pos + size
    if (id === 0 && text(leb()) === 'name') {
      while (pos < end) {
        const sub = bytes[pos++]
        const subEnd = leb() + pos
        if (sub === 1) {
          const names = []
          for (let n = leb(); n > 0; n--) {
            leb() // function index
            names.push(text(leb()))
          }
          return names
        }
        pos = subEnd
      }
    }
    pos = end
  }
  return null
}

// A v0-mangled name may end with the crate that instantiated a generic function
// (`Cs<hash>_10serde_json`): `<&str as SliceContains>::slice_contains` instantiated in serde is
// core's code, so that suffix is dropped before looking for serde in the function's own path.
function withoutInstantiatingCrate(name) {
  if (!name.startsWith('_R')) return name
  for (let i = name.lastIndexOf('C'); i > 2; i = name.lastIndexOf('C', i - 1)) {
    const m = /^C(?:s[0-9A-Za-z]*_)?(\d+)([A-Za-z0-9_]+)$/.exec(name.slice(i))
    if (m && m[2].length === Number(m[1])) return name.slice(0, i)
  }
  return name
}

const file = process.argv[2]
const names = functionNames(fs.readFileSync(file))
// Without names the check would pass on anything: refuse instead.
if (!names || names.length === 0) {
  console.error(`no_serde: ${file} has no function names to check (built with names stripped?)`)
  process.exit(1)
}
const serde = names.filter((n) => /serde/.test(withoutInstantiatingCrate(n)))
if (serde.length > 0) {
  console.error(`no_serde: ${file} has ${serde.length} serde function(s) of ${names.length}, e.g.:\n  ${serde.slice(0, 10).join('\n  ')}`)
  process.exit(1)
}
console.log(`no_serde: ${file}: ${names.length} functions, none of serde or serde_json`)
