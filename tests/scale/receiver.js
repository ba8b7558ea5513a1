'use strict'
// A Node receiver of the scale test: verify, process each unit once through the shared Redis
// store, record each processed unit in Redis (outside the store), answer. Faults are injected
// here, at most once per delivery (webhook id), as in receiver.py.
//   node receiver.js NAME PORT REDIS_PORT   (environment: see tests/scale/run.py)
const http = require('node:http')
const zlib = require('node:zlib')
const { createClient } = require('redis')
const he = require('hootsuite-events')
const { RedisStore } = require('hootsuite-events/redis')

const [NAME, PORT, REDIS_PORT] = process.argv.slice(2)
const KEYS = process.env.SCALE_KEYS.split(',').filter(Boolean)
const LEASE_MS = Number(process.env.SCALE_LEASE_MS)
const FAULT_500 = Number(process.env.SCALE_FAULT_500)
const FAULT_HANG = Number(process.env.SCALE_FAULT_HANG)
const HANG_MS = Number(process.env.SCALE_HANG_MS)
async function main() {
  const client = createClient({ socket: { host: '127.0.0.1', port: Number(REDIS_PORT) } })
  await client.connect()
  // One namespace for every receiver, Python and Node: the same keys and scripts.
  const store = new RedisStore(client, { namespace: 'scale' })

  async function faultFor(webhookId) {
    const bucket = zlib.crc32(webhookId) % 100
    const kind = bucket < FAULT_500 ? '500' : bucket < FAULT_500 + FAULT_HANG ? 'hang' : ''
    if (kind && (await client.set(`scale:fault:${webhookId}`, NAME, { NX: true, EX: 3600 })) === 'OK') return kind
    return ''
  }

  async function answer(res, status, webhookId, injected) {
    await client.rPush('scale:attempts', `${webhookId}|${NAME}|${status}|${injected}`)
    res.writeHead(status, { 'Content-Length': '0' })
    res.end()
  }

  const server = http.createServer((req, res) => {
    if (req.method !== 'POST') {
      res.writeHead(200, { 'Content-Length': '0' })
      return res.end()
    }
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', async () => {
      const body = Buffer.concat(chunks)
      const webhookId = req.headers['elements-webhook-id'] ?? ''
      const fault = { kind: webhookId ? await faultFor(webhookId) : '', fired: '' }
      if (fault.kind === 'hang') await new Promise((r) => setTimeout(r, HANG_MS))
      let notification
      try {
        notification = he.verifyEvent(KEYS, req.headers, body)
      } catch (e) {
        return answer(res, e instanceof he.SignatureError ? 401 : 400, webhookId, fault.kind)
      }
      let status
      try {
        const outcome = await he.process(store, notification, async (work) => {
          if (fault.kind === '500') {
            fault.kind = ''
            fault.fired = '500'
            throw new Error('injected failure') // process releases the claim and rethrows
          }
          const seqNo = work.hootsuiteEvent ? work.hootsuiteEvent.seqNo : work.unit.key
          // The side effect, durable outside the store, then process completes the claim.
          await client.rPush('scale:processed', `${seqNo}|${NAME}|${process.pid}`)
        }, { leaseMs: LEASE_MS })
        // Recorded once by the store, whichever receiver claimed it.
        for (const r of outcome.rejected) await client.rPush('scale:rejected', `${r.key}|${NAME}`)
        status = fault.kind === '500' ? he.STATUS_FAILED : outcome.status
      } catch (e) {
        if (fault.fired !== '500') console.error(`${NAME}: processing failed: ${e.message}`)
        status = he.STATUS_FAILED
      }
      await answer(res, status, webhookId, fault.kind || fault.fired)
    })
  })
  server.keepAliveTimeout = 5000
  server.listen(Number(PORT), '127.0.0.1', () => {
    console.log(`${NAME} ready pid=${process.pid} store=${store.namespace} backend=${he.backend ?? '?'}`)
  })
  const stop = () => server.close(() => client.quit().finally(() => process.exit(0)))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((e) => {
  console.error(`${NAME}: ${e.stack}`)
  process.exit(1)
})
