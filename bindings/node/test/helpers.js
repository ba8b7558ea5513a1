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

/** The directory of `initdb` and `postgres`: HOOTSUITE_EVENTS_PG_BIN, the PATH's, or Debian's newest. */
function pgBinDir() {
  const fs = require('node:fs')
  if (process.env.HOOTSUITE_EVENTS_PG_BIN) return process.env.HOOTSUITE_EVENTS_PG_BIN
  for (const dir of (process.env.PATH || '').split(path.delimiter)) {
    // A symlink on the PATH: the real directory also holds pg_isready.
    if (dir && fs.existsSync(path.join(dir, 'initdb'))) return path.dirname(fs.realpathSync(path.join(dir, 'initdb')))
  }
  const versions = fs.existsSync('/usr/lib/postgresql') ? fs.readdirSync('/usr/lib/postgresql').filter((v) => /^\d+$/.test(v) && fs.existsSync(`/usr/lib/postgresql/${v}/bin/initdb`)) : []
  if (!versions.length) throw new Error("PostgreSQL's initdb was not found: run `make postgresql` (Debian's postgresql package) or set HOOTSUITE_EVENTS_PG_BIN")
  return `/usr/lib/postgresql/${versions.sort((a, b) => a - b).pop()}/bin`
}

/** As root, the uid and gid of `postgres` (or `nobody`): the server refuses to run as root. */
function pgUser() {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) return {}
  const passwd = require('node:fs').readFileSync('/etc/passwd', 'utf8').split('\n').map((l) => l.split(':'))
  for (const name of ['postgres', 'nobody']) {
    const entry = passwd.find((f) => f[0] === name && f.length > 3)
    if (entry) return { uid: Number(entry[2]), gid: Number(entry[3]) }
  }
  throw new Error('running as root with neither a postgres nor a nobody user to run PostgreSQL as')
}

/**
 * A PostgreSQL server of the test's own: initdb on a private temporary directory, postgres on
 * a free loopback port (its socket directory inside the temporary one); `stop()` ends it and
 * removes the directory. Resolves to `{url, port, stop}` (trust authentication, role postgres).
 */
async function startPostgres() {
  const fs = require('node:fs')
  const net = require('node:net')
  const os = require('node:os')
  const { spawnSync } = require('node:child_process')
  const bin = pgBinDir()
  const user = pgUser()
  const port = await new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port: p } = s.address()
      s.close(() => resolve(p))
    })
  })
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'he-pg-'))
  if (user.uid !== undefined) fs.chownSync(dir, user.uid, user.gid)
  const data = path.join(dir, 'data')
  const init = spawnSync(path.join(bin, 'initdb'), ['-D', data, '-A', 'trust', '-U', 'postgres', '-E', 'UTF8', '--locale=C', '--no-sync'], { ...user, cwd: dir, encoding: 'utf8', timeout: 120000 })
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`)
  // cwd: the server's user may not enter the caller's directory (a home of mode 700).
  // Test settings: no fsync (nothing here survives a machine crash anyway), no log noise.
  const child = spawn(path.join(bin, 'postgres'), ['-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port), '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=60', '-c', 'log_min_messages=fatal'], { ...user, cwd: dir, stdio: 'ignore' })
  let exited = null
  child.once('exit', (code) => (exited = code))
  const stop = () =>
    new Promise((resolve) => {
      const done = () => {
        fs.rmSync(dir, { recursive: true, force: true })
        resolve()
      }
      if (exited !== null) return done()
      const timer = setTimeout(() => child.kill('SIGKILL'), 10000)
      child.once('exit', () => {
        clearTimeout(timer)
        done()
      })
      child.kill('SIGINT') // PostgreSQL's fast shutdown
    })
  const deadline = Date.now() + 30000
  for (;;) {
    if (exited !== null) throw new Error(`postgres exited (${exited}) before answering`)
    const ready = spawnSync(path.join(bin, 'pg_isready'), ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-t', '1'], { timeout: 10000 })
    if (ready.status === 0) break
    if (Date.now() > deadline) {
      await stop()
      throw new Error('postgres did not answer within 30 s')
    }
    await new Promise((r) => setTimeout(r, 50))
  }
  return { url: `postgresql://postgres@127.0.0.1:${port}/postgres`, port, stop }
}

module.exports = { REPO, startEmulator, waitFor, startPostgres, ESM_AFTER_REQUIRE }
