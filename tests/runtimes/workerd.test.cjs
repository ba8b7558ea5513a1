'use strict'
// The Cloudflare Worker template (examples/cloudflare-worker) in workerd, Cloudflare's runtime,
// run directly with a capnp config on loopback: the emulator's signed deliveries verified with
// the WebAssembly /full build, each unit processed once by a Durable Object on local SQLite
// storage. The keys are the Worker's bindings, so a rotation restarts workerd, and the claims
// outlive the restart. Run from a project where hootsuite-events and hootsuite-events-wasm are
// installed, with this folder next to the Node suite (test/); HOOTSUITE_EVENTS_WORKERD is the binary,
// HOOTSUITE_EVENTS_WRANGLER wrangler's bin/wrangler.js and HOOTSUITE_EVENTS_WRANGLER_NODE a Node it runs on.
const test = require('node:test')
const assert = require('node:assert/strict')
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const http = require('node:http')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const zlib = require('node:zlib')
const he = require('hootsuite-events')
const { REPO, startEmulator, waitFor } = require('../test/helpers.js')
const { receiverScenario } = require('../test/scenario.js')

const WORKERD = process.env.HOOTSUITE_EVENTS_WORKERD
const WRANGLER = process.env.HOOTSUITE_EVENTS_WRANGLER
const WRANGLER_NODE = process.env.HOOTSUITE_EVENTS_WRANGLER_NODE
const WASM = path.dirname(require.resolve('hootsuite-events-wasm/package.json', { paths: [process.cwd()] }))
const TEMPLATE = path.join(REPO, 'examples', 'cloudflare-worker')

// The template's modules under the test's entry (workerd/worker.js), unbundled: the name each
// import resolves to, and its file.
const MODULES = [
  ['index.js', path.join(__dirname, 'workerd', 'worker.js'), 'esModule'],
  ['receiver.js', path.join(TEMPLATE, 'src', 'receiver.js'), 'esModule'],
  ['hootsuite-events-wasm/full/index.js', path.join(WASM, 'full', 'index.js'), 'esModule'],
  ['hootsuite-events-wasm/full/process.js', path.join(WASM, 'full', 'process.js'), 'esModule'],
  ['hootsuite-events-wasm/full/hootsuite_events_wasm.js', path.join(WASM, 'full', 'hootsuite_events_wasm.js'), 'esModule'],
  ['hootsuite-events-wasm/errors.js', path.join(WASM, 'errors.js'), 'esModule'],
  ['hootsuite-events-wasm/full/hootsuite_events_wasm_bg.wasm', path.join(WASM, 'full', 'hootsuite_events_wasm_bg.wasm'), 'wasm'],
]

const capnpString = (s) => JSON.stringify(s)

/** The capnp config: the Worker's `modules` on `port`, its Durable Object on `storage`, the keys as bindings. */
function config({ dir, port, collectorPort, keys, modules: files }) {
  const modules = files.map(([name, file, kind]) => {
    const copy = path.join('modules', name.replaceAll('/', '__'))
    fs.copyFileSync(file, path.join(dir, copy))
    return `    (name = ${capnpString(name)}, ${kind} = embed ${capnpString(copy)}),`
  })
  // The package's export `hootsuite-events-wasm/full`, as a module of that name.
  if (files.some(([name]) => name.startsWith('hootsuite-events-wasm/'))) {
    modules.push(`    (name = "hootsuite-events-wasm/full", esModule = "export * from './full/index.js'\\n"),`)
  }
  const bindings = [
    '(name = "RECEIPTS", durableObjectNamespace = "Receipts")',
    ...(collectorPort ? ['(name = "COLLECTOR", service = "collector")'] : []),
    `(name = "SIGNATURE_KEY", text = ${capnpString(keys[0])})`,
    ...(keys[1] ? [`(name = "PREVIOUS_SIGNATURE_KEY", text = ${capnpString(keys[1])})`] : []),
  ]
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "receiver", worker = .receiver),
${collectorPort ? `    (name = "collector", external = (address = "127.0.0.1:${collectorPort}", http = ())),\n` : ''}    (name = "storage", disk = (path = ${capnpString(path.join(dir, 'storage'))}, writable = true)),
  ],
  sockets = [(name = "http", address = "127.0.0.1:${port}", http = (), service = "receiver")],
);

const receiver :Workerd.Worker = (
  compatibilityDate = "2026-11-01",
  modules = [
${modules.join('\n')}
  ],
  durableObjectNamespaces = [(className = "Receipts", uniqueKey = "hootsuite-events-receipts", enableSql = true)],
  durableObjectStorage = (localDisk = "storage"),
  bindings = [${bindings.join(', ')}],
);
`
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** workerd serving the config; resolves once the Worker answers. */
async function startWorkerd(dir, port) {
  const child = spawn(WORKERD, ['serve', path.join(dir, 'config.capnp')], { cwd: dir, stdio: ['ignore', 'inherit', 'inherit'] })
  let exited = null
  const kill = () => child.kill('SIGKILL')
  // workerd has no parent to watch: it goes with this process, whatever ends it.
  process.once('exit', kill)
  child.once('exit', (code, signal) => {
    exited = { code, signal }
    process.removeListener('exit', kill)
  })
  await waitFor('workerd to listen', async () => {
    if (exited) throw new Error(`workerd exited: ${JSON.stringify(exited)}`)
    try {
      return (await fetch(`http://127.0.0.1:${port}/`)).status === 405
    } catch {
      return false
    }
  }, 20000)
  return () =>
    new Promise((resolve) => {
      if (exited) return resolve()
      child.once('exit', resolve)
      child.kill('SIGTERM')
    })
}

/** The collector: calls the scenario's `handle` for each unit the Worker reports, 500 when it throws. */
async function startCollector(options, log) {
  const server = http.createServer(async (req, res) => {
    const chunks = []
    for await (const c of req) chunks.push(c)
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8'))
    let status = 200
    if (req.url === '/handled') {
      const work = { unit: { key: value.key }, notification: { keyIndex: value.keyIndex, eventId: value.eventId }, hootsuiteEvent: { seqNo: value.seqNo } }
      try {
        await options.handle(work)
      } catch {
        status = 500
      }
    } else if (req.url === '/rejected') {
      options.onRejected(value)
    } else if (req.url === '/answered') {
      log.push(value)
    } else {
      status = 404
    }
    res.writeHead(status).end()
  })
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
  return server
}

let emulator
test.before(async () => {
  assert.ok(WORKERD, 'set HOOTSUITE_EVENTS_WORKERD to the workerd binary (make test-compat installs it)')
  emulator = await startEmulator()
})
test.after(() => emulator && emulator.stop())

/**
 * The template's Worker under the test's entry, reporting to a collector that calls
 * `options.handle`; `keysChanged()` restarts it with `options.keys`, its storage kept.
 */
async function startWorker(options, log) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hootsuite-events-workerd-'))
  fs.mkdirSync(path.join(dir, 'modules'))
  fs.mkdirSync(path.join(dir, 'storage'))
  const collector = await startCollector(options, log)
  const port = await freePort()
  const write = () => fs.writeFileSync(path.join(dir, 'config.capnp'), config({ dir, port, collectorPort: collector.address().port, keys: options.keys, modules: MODULES }))
  write()
  let stop = await startWorkerd(dir, port)
  return {
    url: `http://127.0.0.1:${port}/hootsuite/events`,
    // A Worker reads its secrets when it starts: a rotation is a new deployment.
    async keysChanged() {
      await stop()
      write()
      stop = await startWorkerd(dir, port)
    },
    async close() {
      await stop()
      await new Promise((r) => collector.close(r))
      fs.rmSync(dir, { recursive: true, force: true })
    },
  }
}

/** A signed one-event notification of instance `instanceId`, as Cloud Elements sends it. */
function signedDelivery(key, instanceId) {
  const body = JSON.stringify({ message: { eventId: `e-${instanceId}`, instanceId, raw: [{ seq_no: '1', type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT', message: { id: 'm-1' } } }] } })
  return { method: 'POST', headers: { [he.SIGNATURE_HEADER]: he.sign(key, Buffer.from(body)) }, body }
}

test('workerd: the Worker template receives replays, a split batch, a failure and its retry, key rotation', (t) =>
  receiverScenario(t, { he, emulator, name: 'workerd', start: startWorker }))

test('workerd: a delivery while another request holds its unit is answered 409; the retry after skips it', async (t) => {
  let release
  const held = new Promise((resolve) => {
    release = resolve
  })
  const handled = []
  const options = {
    keys: ['held-key'],
    async handle(work) {
      handled.push(work.unit.key)
      await held
    },
    onRejected() {},
  }
  const worker = await startWorker(options, [])
  t.after(() => worker.close())
  // Bounded: were the requests serialized, the second would wait for the first, held below.
  const post = () => fetch(worker.url, { ...signedDelivery('held-key', 9), signal: AbortSignal.timeout(10000) }).then((r) => r.status)
  const first = post()
  await waitFor('the first delivery to hold its unit', () => handled.length === 1)
  assert.equal(await post(), 409, 'the Durable Object serves the second request while the first awaits its handler')
  release()
  assert.equal(await first, 200)
  assert.equal(await post(), 200)
  assert.deepEqual(handled, ['hs:9:1'], 'processed once')
})

test("workerd: the Durable Object's claim store: leases, takeover, late completions, release, retention", async (t) => {
  const worker = await startWorker({ keys: ['store-key'], handle() {}, onRejected() {} }, [])
  t.after(() => worker.close())
  const res = await fetch(new URL('/test/store-cases', worker.url), { signal: AbortSignal.timeout(10000) })
  assert.equal(res.status, 200)
  assert.deepEqual(await res.json(), {
    heldWithinLease: 'in_progress',
    takenOver: 'claimed',
    lateCompletionRefused: false,
    takeoverCompleted: true,
    thenDone: 'done',
    lateCompletionRecorded: true,
    lateThenDone: 'done',
    releaseWithAnotherToken: false,
    releaseWithItsToken: true,
    claimableAgain: 'claimed',
    doneWithinRetention: 'done',
    forgottenAfter: 'claimed',
    rowsLeftAfterPrune: 0,
    claimsAreTokens: true,
  })
})

/** The template bundled by `wrangler deploy --dry-run`: what `wrangler deploy` would upload. */
function bundle(t) {
  assert.ok(WRANGLER && WRANGLER_NODE, 'set HOOTSUITE_EVENTS_WRANGLER and HOOTSUITE_EVENTS_WRANGLER_NODE (make test-compat does)')
  // Inside this project, so that the bundler finds hootsuite-events-wasm in its node_modules.
  const project = fs.mkdtempSync(path.join(process.cwd(), 'cloudflare-worker-'))
  t.after(() => fs.rmSync(project, { recursive: true, force: true }))
  for (const f of ['src', 'wrangler.jsonc', 'package.json']) fs.cpSync(path.join(TEMPLATE, f), path.join(project, f), { recursive: true })
  const r = spawnSync(WRANGLER_NODE, [WRANGLER, 'deploy', '--dry-run', '--outdir', 'dist'], {
    cwd: project,
    encoding: 'utf8',
    timeout: 120000,
    // Its logs and settings in the scratch project, not in the home folder.
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: 'true', XDG_CONFIG_HOME: path.join(project, '.config'), WRANGLER_LOG_PATH: path.join(project, 'logs') },
  })
  assert.equal(r.status, 0, r.stdout + r.stderr)
  const dist = path.join(project, 'dist')
  return fs
    .readdirSync(dist)
    .filter((f) => f.endsWith('.js') || f.endsWith('.wasm'))
    .map((f) => [f, path.join(dist, f), f.endsWith('.wasm') ? 'wasm' : 'esModule'])
    .sort((a, b) => (a[0] === 'index.js' ? -1 : b[0] === 'index.js' ? 1 : 0))
}

test("the template as wrangler bundles it: a signed delivery 200, its replay 200, a forged one 401; its size", async (t) => {
  const modules = bundle(t)
  assert.equal(modules[0][0], 'index.js', JSON.stringify(modules))
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hootsuite-events-workerd-'))
  t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  fs.mkdirSync(path.join(dir, 'modules'))
  fs.mkdirSync(path.join(dir, 'storage'))
  const port = await freePort()
  fs.writeFileSync(path.join(dir, 'config.capnp'), config({ dir, port, keys: ['template-key'], modules }))
  const stop = await startWorkerd(dir, port)
  t.after(stop)
  const url = `http://127.0.0.1:${port}/hootsuite/events`
  const post = (key) => fetch(url, signedDelivery(key, 7)).then((r) => r.status)
  assert.equal(await post('template-key'), 200)
  assert.equal(await post('template-key'), 200, 'the replay, skipped')
  assert.equal(await post('another-key'), 401)
  assert.equal((await fetch(url)).status, 405)

  let raw = 0
  let gzipped = 0
  const sizes = modules.map(([name, file]) => {
    const bytes = fs.readFileSync(file)
    const gz = zlib.gzipSync(bytes, { level: 9 }).length
    raw += bytes.length
    gzipped += gz
    return `${name} ${bytes.length} B (${gz} B gzipped)`
  })
  // Cloudflare limits the compressed Worker: 3 MB on the Free plan, 10 MB on the Paid plan.
  assert.ok(gzipped < 3 * 1024 * 1024, sizes.join('; '))
  t.diagnostic(`the bundled Worker is ${raw} B, ${gzipped} B gzipped (${((gzipped / (3 * 1024 * 1024)) * 100).toFixed(1)} % of the Free plan's 3 MB)`)
  for (const s of sizes) t.diagnostic(`  ${s}`)
})
