'use strict'
// A Node receiver of the scale test: verify, process each unit once through the shared Redis
// store, record each processed unit in Redis (outside the store), answer. Faults are injected
// here, at most once per delivery (webhook id), as in receiver.py.
//   node receiver.js NAME PORT REDIS_PORT   (environment: see tests/scale/run.py)
const http = require('node:http')
const crypto = require('node:crypto')
const zlib = require('node:zlib')
const { createClient } = require('redis')
const he = require('hootsuite-events')

const [NAME, PORT, REDIS_PORT] = process.argv.slice(2)
const KEYS = process.env.SCALE_KEYS.split(',').filter(Boolean)
const LEASE_MS = Number(process.env.SCALE_LEASE_MS)
const FAULT_500 = Number(process.env.SCALE_FAULT_500)
const FAULT_HANG = Number(process.env.SCALE_FAULT_HANG)
const HANG_MS = Number(process.env.SCALE_HANG_MS)
const NAMESPACE = 'scale'
const RETENTION_MS = 7 * 86_400_000

// The same scripts as scale_store.py's stand-in: one semantics, whichever language claims.
const CLAIM = `
local v = redis.call('HMGET', KEYS[1], 'state', 'until')
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if v[1] == 'done' then return 'done' end
if v[1] == 'claimed' and tonumber(v[2]) > now then return 'in_progress' end
redis.call('HSET', KEYS[1], 'state', 'claimed', 'token', ARGV[1], 'until', now + tonumber(ARGV[2]))
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]) + 60000)
return 'claimed'`
const COMPLETE = `
local v = redis.call('HMGET', KEYS[1], 'state', 'token', 'until')
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] or tonumber(v[3]) <= now then return 0 end
redis.call('HSET', KEYS[1], 'state', 'done')
redis.call('HDEL', KEYS[1], 'token', 'until')
redis.call('PEXPIRE', KEYS[1], tonumber(ARGV[2]))
return 1`
const RELEASE = `
local v = redis.call('HMGET', KEYS[1], 'state', 'token')
if v[1] ~= 'claimed' or v[2] ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
return 1`

class StandInRedisStore {
  constructor(client) {
    this.client = client
    this.prefix = `${NAMESPACE}:claim:`
  }
  async claim(key, { leaseMs }) {
    const token = crypto.randomBytes(16).toString('hex')
    const status = await this.client.eval(CLAIM, { keys: [this.prefix + key], arguments: [token, String(leaseMs)] })
    return status === 'claimed' ? { status, token } : { status }
  }
  async complete(key, token) {
    return (await this.client.eval(COMPLETE, { keys: [this.prefix + key], arguments: [token, String(RETENTION_MS)] })) === 1
  }
  async release(key, token) {
    return (await this.client.eval(RELEASE, { keys: [this.prefix + key], arguments: [token] })) === 1
  }
}

/** The library's RedisStore (`hootsuite-events/redis`) when the package has it. */
function storeFor(client) {
  let mod
  try {
    mod = require('hootsuite-events/redis')
  } catch (e) {
    if (e.code !== 'MODULE_NOT_FOUND' && e.code !== 'ERR_PACKAGE_PATH_NOT_EXPORTED') throw e
    return [new StandInRedisStore(client), 'stand-in']
  }
  return [new mod.RedisStore(client, { namespace: NAMESPACE }), 'library']
}

async function main() {
  const client = createClient({ socket: { host: '127.0.0.1', port: Number(REDIS_PORT) } })
  await client.connect()
  const [store, storeKind] = storeFor(client)

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
    console.log(`${NAME} ready pid=${process.pid} store=${storeKind} backend=${he.backend ?? '?'}`)
  })
  const stop = () => server.close(() => client.quit().finally(() => process.exit(0)))
  process.on('SIGTERM', stop)
  process.on('SIGINT', stop)
}

main().catch((e) => {
  console.error(`${NAME}: ${e.stack}`)
  process.exit(1)
})
