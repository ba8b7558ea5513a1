'use strict'
// Shared test helpers: the repository's folder (its vectors) and a real emulator process.
const { spawn } = require('node:child_process')
const path = require('node:path')
const readline = require('node:readline')

const REPO = process.env.HOOTSUITE_EVENTS_REPO || path.resolve(__dirname, '../../..')

/** Starts `hootsuite-events emulate`; it exits when its stdin closes. */
async function startEmulator() {
  const bin = process.env.HOOTSUITE_EVENTS_BIN || path.join(REPO, 'target', 'debug', 'hootsuite-events')
  const child = spawn(bin, ['emulate', '--json', '--exit-on-stdin-close', '--max-seconds', '600', '--retry-unit-us', '2', '--delivery-timeout-ms', '2000'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  const line = await new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stdout })
    rl.once('line', (l) => {
      rl.close()
      resolve(l)
    })
    child.once('error', reject)
    setTimeout(() => reject(new Error('the emulator did not start within 10 s')), 10000).unref()
  })
  const info = JSON.parse(line)
  info.stop = () =>
    new Promise((resolve) => {
      child.once('exit', resolve)
      child.stdin.end()
    })
  return info
}

async function waitFor(what, check, ms = 10000) {
  const deadline = Date.now() + ms
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

// make test-compat runs this suite under Bun and Deno too. Deno gives a CommonJS file that
// require()d the package and then import()s it the CommonJS module again (with the names its
// static analysis finds), not index.mjs: the ES entry's names are compared on Node and Bun.
const ESM_AFTER_REQUIRE = globalThis.Deno ? 'Deno: import() after require() in one CommonJS file gives the CommonJS module, not index.mjs' : false

module.exports = { REPO, startEmulator, waitFor, ESM_AFTER_REQUIRE }
