'use strict'
// OpenTelemetry through the receivers of examples/ (Express, Fastify, fetch-style) on real
// loopback servers, for the emulator's real deliveries, in the SDK's in-memory exporters: a
// split batch and its replays, a failure and its retry, a key rotation, a continued
// traceparent; the spans, their parents, attributes and the metrics' values; no attribute holds
// a secret. Then, in a child process without @opentelemetry/api, receiving works the same.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const api = require('@opentelemetry/api')
const { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base')
const { MeterProvider, MetricReader } = require('@opentelemetry/sdk-metrics')
const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks')
const he = require('hootsuite-events')
const { startEmulator, waitFor } = require('./helpers.js')

const EXAMPLES = path.join(__dirname, '..', 'examples')
const { spans: SPANS, attributes: A, metrics: METRICS } = he.telemetry

const exporter = new InMemorySpanExporter()
api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable())
api.trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }))
class Reader extends MetricReader {
  async onForceFlush() {}
  async onShutdown() {}
}
const reader = new Reader()
api.metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }))

/** The metric's value now over the data points whose attributes hold `labels` (ids). */
async function metric(id, labels = {}) {
  const { resourceMetrics } = await reader.collect()
  let total = 0
  for (const sm of resourceMetrics.scopeMetrics) {
    for (const m of sm.metrics) {
      if (m.descriptor.name !== METRICS[id].name) continue
      for (const p of m.dataPoints) {
        if (Object.entries(labels).every(([k, v]) => p.attributes[A[k]] === v)) total += typeof p.value === 'number' ? p.value : p.value.count
      }
    }
  }
  return total
}

const spanId = (s) => s.spanContext().spanId
const parentId = (s) => (s.parentSpanContext ? s.parentSpanContext.spanId : s.parentSpanId)

/** The delivery spans of `instance`, oldest first, each with its children in start order. */
function deliveries(instance) {
  const spans = exporter.getFinishedSpans()
  const start = (s) => s.startTime[0] * 1e9 + s.startTime[1]
  return spans
    .filter((s) => s.name === SPANS.delivery && s.attributes[A.instance_id] === instance)
    .sort((a, b) => start(a) - start(b))
    .map((d) => ({ d, children: spans.filter((c) => parentId(c) === spanId(d)).sort((a, b) => start(a) - start(b)) }))
}
const names = (children) => children.map((c) => c.name.replace('hootsuite_events.', ''))

function tree({ d, children }) {
  const show = (s) => `${s.name} [${Object.entries(s.attributes).sort().map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ')}]`
  return [show(d), ...children.map((c, i) => `${i === children.length - 1 ? '└──' : '├──'} ${show(c)}`)].join('\n')
}

function noSecret(list, secrets) {
  for (const { d, children } of list) {
    for (const s of [d, ...children]) {
      for (const [k, v] of Object.entries(s.attributes)) {
        assert.ok(!he.isSecretName(k), `${s.name}: ${k}`)
        const shown = JSON.stringify(v)
        assert.ok(!shown.includes('sha256='), `${s.name}: ${k}`)
        for (const secret of secrets) assert.ok(!shown.includes(secret), `${s.name}: ${k} holds ${secret}`)
      }
    }
  }
}

const RECEIVERS = {
  async express(options) {
    const app = require(path.join(EXAMPLES, 'express-receiver.js')).createApp(options)
    const server = http.createServer(app)
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { url: `http://127.0.0.1:${server.address().port}/hootsuite/events`, close: () => new Promise((r) => server.close(r)) }
  },
  async fastify(options) {
    const app = require(path.join(EXAMPLES, 'fastify-receiver.js')).createApp(options)
    await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: `http://127.0.0.1:${app.server.address().port}/hootsuite/events`, close: () => app.close() }
  },
  async fetch(options) {
    const handler = require(path.join(EXAMPLES, 'fetch-receiver.js')).createHandler(options)
    const { serve } = require('@hono/node-server')
    const server = await new Promise((resolve) => {
      const s = serve({ fetch: handler, port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    return { url: `http://127.0.0.1:${server.address().port}/hootsuite/events`, close: () => new Promise((r) => server.close(r)) }
  },
}

let emulator
test.before(async () => {
  emulator = await startEmulator()
})
test.after(() => emulator.stop())

async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

async function connect(name, key, eventsUrl) {
  const config = new he.Config(emulator.base_url, emulator.user_secret, emulator.organization_secret)
  const callbackUrl = 'https://app.example/cb'
  const consent = he.parseRedirectUrl(await send(he.redirectUrlRequest(config, { apiKey: 'cid', apiSecret: 'csecret', callbackUrl, state: name })))
  const answer = await fetch(consent.oauthUrl, { redirect: 'manual' })
  const code = he.parseCallback(answer.headers.get('location'), name)
  const configuration = {
    'oauth.callback.url': callbackUrl,
    'oauth.api.key': 'cid',
    'oauth.api.secret': 'csecret',
    'event.notification.enabled': true,
    'event.notification.callback.url': eventsUrl,
    'event.notification.signature.key': key,
  }
  const instance = he.parseInstance(await send(he.createInstanceRequest(config, { element: { key: 'hootsuite' }, providerData: { code }, configuration, name })))
  return { config, id: instance.id }
}

async function emulatorPost(pathname, body) {
  const res = await fetch(`${emulator.base_url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })
  const text = await res.text()
  assert.equal(res.status, 200, text)
  return JSON.parse(text)
}

async function replay(eventId, webhookId) {
  await waitFor(`the delivery of event ${eventId} recorded`, async () => {
    const res = await fetch(`${emulator.base_url}/emulator/replay`, { method: 'POST', body: JSON.stringify({ event_id: eventId, webhook_id: webhookId }) })
    await res.text()
    return res.status === 200
  })
}

for (const [name, start] of Object.entries(RECEIVERS)) {
  test(`${name} receiver: spans and metrics of a split batch, replays, a failure, a rotation, a traceparent`, async (t) => {
    const keys = [`${name}-secret-key-1`]
    const handled = []
    let failNext = false
    const handle = async (work) => {
      // A span of the application's own: its parent is the unit's span.
      await api.trace.getTracer('app').startActiveSpan('app.work', async (own) => {
        own.end()
      })
      if (failNext) {
        failNext = false
        throw new Error('the processing failed (a test failure)')
      }
      handled.push(work.unit.key)
    }
    const receiver = await start({ keys, handle, store: new he.MemoryStore(), onRejected: () => {} })
    t.after(() => receiver.close())
    const { config, id } = await connect(`${name} telemetry`, keys[0], receiver.url)

    await t.test('a 45-event split batch and two replays', async () => {
      exporter.reset()
      const duplicates = await metric('duplicates')
      const processed = await metric('units_processed', { unit_kind: 'hootsuite_event' })
      const { eventIds } = await emulatorPost(`/emulator/instances/${id}/sample-event?type=message&count=45`)
      await waitFor('the three parts', () => deliveries(id).length === 3)
      for (const webhookId of ['a', 'b']) await replay(eventIds[0], webhookId)
      await waitFor('two replays', () => deliveries(id).length === 5)
      const all = deliveries(id)
      const first = all[0]
      assert.deepEqual(names(first.children), ['verify', 'claim', ...Array(45).fill('handle'), 'settle'], tree(first))
      for (const c of first.children) assert.equal(c.spanContext().traceId, first.d.spanContext().traceId)
      const d = first.d.attributes
      assert.deepEqual([d[A.processed], d[A.status_code], d[A.outcome], d[A.key_index], d[A.unit_count]], [45, 200, 'processed', 0, 45])
      assert.equal(d[A.seq_nos].length, 45)
      const handleSpan = first.children[2]
      assert.equal(handleSpan.attributes[A.unit_key], `hs:${id}:${handleSpan.attributes[A.seq_no]}`)
      assert.equal(handleSpan.attributes[A.outcome], 'processed')
      // The application's span inside the handler is the unit span's child.
      const own = exporter.getFinishedSpans().filter((s) => s.name === 'app.work' && parentId(s) === spanId(handleSpan))
      assert.equal(own.length, 1)
      assert.equal(first.children[1].attributes[A.claimed], 45)
      assert.equal(first.children.at(-1).attributes[A.completed], 45)
      for (const other of all.slice(1)) {
        assert.deepEqual(names(other.children), ['verify', 'claim'], tree(other))
        assert.deepEqual([other.d.attributes[A.skipped], other.d.attributes[A.processed]], [45, 0])
      }
      assert.equal((await metric('duplicates')) - duplicates, 4 * 45)
      assert.equal((await metric('units_processed', { unit_kind: 'hootsuite_event' })) - processed, 45)
      if (name === 'express') console.log(`express: the first part of a split batch (2 of 45 handle spans shown):\n${tree({ d: first.d, children: [...first.children.slice(0, 4), first.children.at(-1)] })}`)
      noSecret(all, [keys[0], 'SENT'])
    })

    await t.test('a failure and its retry', async () => {
      exporter.reset()
      const failures = await metric('handler_failures')
      const failedDeliveries = await metric('deliveries', { outcome: 'failed', status_code: 500 })
      const from = handled.length
      failNext = true
      await emulatorPost(`/emulator/instances/${id}/sample-event?type=comment`)
      await waitFor('the retry', () => handled.length > from && deliveries(id).length === 2)
      const [failed, retry] = deliveries(id)
      assert.deepEqual(names(failed.children), ['verify', 'claim', 'handle', 'settle'])
      for (const c of failed.children) assert.equal(parentId(c), spanId(failed.d))
      const f = failed.d.attributes
      assert.deepEqual([f[A.status_code], f[A.outcome], f[A.error_type]], [500, 'failed', 'handler'])
      assert.equal(failed.d.status.code, api.SpanStatusCode.ERROR)
      assert.equal(failed.children[2].attributes[A.outcome], 'failed')
      assert.equal(failed.children[3].attributes[A.released], 1)
      assert.equal(retry.d.attributes[A.outcome], 'processed')
      assert.equal((await metric('handler_failures')) - failures, 1)
      assert.equal((await metric('deliveries', { outcome: 'failed', status_code: 500 })) - failedDeliveries, 1)
      if (name === 'express') console.log(`express: a failed delivery:\n${tree(failed)}`)
      noSecret([failed, retry], [keys[0]])
    })

    await t.test('a rotation: the previous key verifies (key index 1)', async () => {
      exporter.reset()
      keys.unshift(`${name}-secret-key-2`)
      const from = handled.length
      await emulatorPost(`/emulator/instances/${id}/sample-event?type=app`)
      await waitFor('the delivery signed with the previous key', () => handled.length > from && deliveries(id).length === 1)
      const [old] = deliveries(id)
      assert.equal(old.d.attributes[A.key_index], 1)
      assert.equal(old.children[0].attributes[A.key_index], 1)
      const req = he.updateEventCallbackRequest(config, id, 'https://unused.example')
      const res = await send({ method: req.method, url: req.url, headers: req.headers, body: JSON.stringify({ configuration: { 'event.notification.signature.key': keys[0] } }) })
      assert.equal(res.status, 200)
      await emulatorPost(`/emulator/instances/${id}/sample-event?type=message`)
      await waitFor('the delivery signed with the new key', () => deliveries(id).length === 2)
      assert.equal(deliveries(id)[1].d.attributes[A.key_index], 0)
      noSecret(deliveries(id), keys)
    })

    await t.test('a traceparent is continued; a forgery is counted by reason', async () => {
      exporter.reset()
      const refused = await metric('verification_failures', { error_type: 'signature_mismatch' })
      const body = Buffer.from('{"message": {"instanceId": 424242, "raw": [{"seq_no": "1", "type": "t"}]}}')
      const post = async (signature, extra = {}) => (await fetch(receiver.url, { method: 'POST', headers: { 'Elements-Webhook-Signature': signature, 'content-type': 'application/json', ...extra }, body })).status
      assert.equal(await post(he.sign(keys[0], body), { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' }), 200)
      assert.equal(await post(he.sign('not-the-key', body)), 401)
      const [continued] = deliveries(424242)
      assert.equal(continued.d.spanContext().traceId, '4bf92f3577b34da6a3ce929d0e0e4736')
      assert.equal(parentId(continued.d), '00f067aa0ba902b7')
      assert.equal((await metric('verification_failures', { error_type: 'signature_mismatch' })) - refused, 1)
    })
  })
}

test('without @opentelemetry/api nothing is loaded and receiving works', () => {
  const script = `
    const Module = require('node:module')
    const load = Module._load
    Module._load = function (request, ...rest) {
      if (request.startsWith('@opentelemetry/')) { const e = new Error('not installed'); e.code = 'MODULE_NOT_FOUND'; throw e }
      return load.call(this, request, ...rest)
    }
    const he = require('hootsuite-events')
    const body = Buffer.from('{"message": {"instanceId": 1, "raw": [{"seq_no": "1", "type": "t"}]}}')
    const seen = []
    he.receive('k', new he.MemoryStore(), { 'elements-webhook-signature': he.sign('k', body) }, body, (w) => { seen.push(w.unit.key) }).then(async (r) => {
      if (r.status !== 200 || seen.length !== 1) throw new Error(JSON.stringify(r))
      const refused = await he.receive('k', new he.MemoryStore(), {}, body, () => {})
      if (refused.status !== 401) throw new Error('not refused')
      console.log('ok')
    })
  `
  const r = spawnSync(process.execPath, ['-e', script], { cwd: process.cwd(), encoding: 'utf8', timeout: 60000 })
  assert.equal(r.stdout.trim(), 'ok', r.stdout + r.stderr)
  // The API installed but no provider registered: nothing reported, receiving the same.
  const idle = spawnSync(process.execPath, ['-e', script.replace('Module._load = function', 'Module._unused = function')], { cwd: process.cwd(), encoding: 'utf8', timeout: 60000 })
  assert.equal(idle.stdout.trim(), 'ok', idle.stdout + idle.stderr)
})
