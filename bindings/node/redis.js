'use strict'
// hootsuite-events/redis: a claim store shared by several processes, on Redis through a
// node-redis client you create and connect (`redis` on npm, v4 or later: createClient, or
// createCluster for a Redis Cluster). The keys, values, scripts and replies are the Rust
// core's Redis protocol (RedisProtocol); this file only sends its calls, each bounded in
// time, and keeps a dropped connection from ending the process.
// node-redis is not a dependency: the client is passed in.

const core = require('./index.js')

// process()'s loop on a RedisStore (index.js): the claim and the settle made from the loop's
// native state, without its keys, claims and tokens crossing as objects.
const LOOP_CLAIM = Symbol.for('hootsuite-events: loop claim')
const LOOP_SETTLE = Symbol.for('hootsuite-events: loop settle')

/** How long a script call may take before it fails, unless `timeoutMs` says otherwise. */
const DEFAULT_TIMEOUT_MS = 5000
// setTimeout's largest delay: a larger one fires at once.
const MAX_TIMEOUT_MS = 2147483647

/** Why a call to Redis failed: `code` is `not_connected` or `timeout`. */
class RedisStoreError extends Error {
  constructor(message, code, options) {
    super(message, options)
    this.name = 'RedisStoreError'
    this.code = code
  }
}

function isNoScript(e) {
  return e instanceof Error && typeof e.message === 'string' && e.message.startsWith('NOSCRIPT')
}

// What the client last reported on its 'error' event, per client: one listener per client,
// however many stores share it.
const connections = new WeakMap()

function watch(client) {
  let state = connections.get(client)
  if (!state) {
    state = { lastError: null }
    connections.set(client, state)
    // node-redis emits 'error' when the connection drops (a restart, a reset) and on each
    // failed reconnection; an EventEmitter with no listener throws it, which ends the process.
    // The store listens, so that the calls fail instead and node-redis goes on reconnecting.
    if (typeof client.on === 'function') {
      const failed = (e) => {
        state.lastError = e
      }
      const ready = () => {
        state.lastError = null
      }
      client.on('error', failed)
      client.on('ready', ready)
      // A cluster client (createCluster) reports its nodes' connection errors apart.
      client.on('node-error', failed)
      client.on('node-ready', ready)
    }
  }
  return state
}

// The cause's message names the socket's address at most: node-redis's errors carry no URL.
function lastErrorText(state) {
  const e = state.lastError
  return e && typeof e.message === 'string' ? ` (last error: ${e.message})` : ''
}

// Claims as process() reads them: the token when claimed only.
function answers(claims) {
  return claims.map((r) => (r.token === undefined || r.token === null ? { status: r.status } : { status: r.status, token: r.token }))
}

function timeoutOf(options) {
  const n = options.timeoutMs
  if (n === undefined) return DEFAULT_TIMEOUT_MS
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > MAX_TIMEOUT_MS) {
    throw new TypeError(`timeoutMs must be an integer number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${typeof n === 'string' ? JSON.stringify(n) : String(n)}`)
  }
  return n
}

/**
 * A store for `process()` on Redis: atomic claims, completion and release compare-and-set on
 * the claim token, keys `<namespace>:{<group>}<rest>` (one hash slot per notification) kept
 * `retentionMs` once completed; a notification takes two round trips (`claimAll`: a pipeline of
 * `SET … NX PX … GET`, the script before Redis 7.0; `settle`: a script). Redis's
 * clock enforces leases and retention (PX): `nowMs` is accepted and unused. Each call fails
 * with a RedisStoreError when the client is not connected, or when Redis has not answered
 * within `timeoutMs`.
 */
class RedisStore {
  #client
  #protocol
  #timeoutMs
  #connection
  // Set once the server refused SET … NX … GET (before Redis 7.0): claim by script.
  #claimByScript
  // Whether the client has multi() (node-redis's pipelines).
  #pipelined
  constructor(client, options = {}) {
    if (!client || typeof client.evalSha !== 'function' || typeof client.eval !== 'function') {
      throw new TypeError('client must be a connected node-redis client (createClient() or createCluster() from the redis package, v4 or later): it has no evalSha/eval')
    }
    this.#timeoutMs = timeoutOf(options)
    this.#protocol = new core.RedisProtocol(options.namespace, options.retentionMs)
    this.#client = client
    this.#connection = watch(client)
    this.#pipelined = typeof client.multi === 'function'
    this.#claimByScript = !this.#pipelined
  }
  /** The namespace of the keys. */
  get namespace() {
    return this.#protocol.namespace
  }
  // EVALSHA, and EVAL when the server does not have the script (first use, restart, SCRIPT FLUSH),
  // as a one-command pipeline: node-redis answers that sooner than a direct call (measured).
  async #send(call) {
    const options = { keys: call.keys, arguments: call.args }
    const client = this.#client
    try {
      return this.#pipelined ? (await client.multi().evalSha(call.sha1, options).execAsPipeline())[0] : await client.evalSha(call.sha1, options)
    } catch (e) {
      if (!isNoScript(e)) throw e
      return this.#pipelined ? (await client.multi().eval(call.source, options).execAsPipeline())[0] : client.eval(call.source, options)
    }
  }
  // A call sent while node-redis reconnects would wait in its queue and run whenever the server
  // is back (a claim nobody completes): it fails at once instead. One that Redis does not answer
  // fails after timeoutMs; the script may still run, which the protocol allows (a claim is held
  // until its lease ends, a completion or release answers false).
  #run(script, call) {
    return this.#bounded(script, () => this.#send(call))
  }
  // One promise and one timer per call: the answer clears the timer, the timer rejects.
  #bounded(script, send) {
    if (this.#client.isReady === false) {
      return Promise.reject(
        new RedisStoreError(`the Redis ${script} script was not sent: the node-redis client is not connected${lastErrorText(this.#connection)}`, 'not_connected', {
          cause: this.#connection.lastError || undefined,
        }),
      )
    }
    return new Promise((resolve, reject) => {
      // Sent first: a call that throws at once leaves no timer behind to hold the process.
      const sent = send()
      const timer = setTimeout(() => {
        reject(new RedisStoreError(`the Redis ${script} script got no answer within ${this.#timeoutMs} ms (timeoutMs)${lastErrorText(this.#connection)}`, 'timeout'))
      }, this.#timeoutMs)
      sent.then(
        (reply) => {
          clearTimeout(timer)
          resolve(reply)
        },
        (e) => {
          clearTimeout(timer)
          reject(e)
        },
      )
    })
  }
  /** `{status: 'claimed', token}`, `{status: 'done'}` or `{status: 'in_progress'}`. */
  async claim(key, options = {}) {
    const leaseMs = options.leaseMs === undefined ? core.DEFAULT_LEASE_MS : options.leaseMs
    const call = this.#protocol.claim(key, leaseMs)
    const r = this.#protocol.parseClaim(await this.#run('claim', call), call.token)
    return r.token === undefined || r.token === null ? { status: r.status } : { status: r.status, token: r.token }
  }
  /** Marks the claimed key processed; false when the claim was lost (lease expired and taken over). */
  async complete(key, token, _options = {}) {
    const call = this.#protocol.complete(key, token)
    return this.#protocol.parseFlag(await this.#run('complete', call))
  }
  /** Gives the claim up after a failure, so that the next delivery processes the key. */
  async release(key, token) {
    const call = this.#protocol.release(key, token)
    return this.#protocol.parseFlag(await this.#run('release', call))
  }
  /**
   * Claims the units of one notification in one round trip: one `SET key c:<token> NX PX
   * leaseMs GET` per key in one pipeline (Redis 7.0 and later; before, the claim script).
   */
  async claimAll(keys, options = {}) {
    const leaseMs = options.leaseMs === undefined ? core.DEFAULT_LEASE_MS : options.leaseMs
    if (!this.#claimByScript) {
      const set = this.#protocol.claimSet(keys, leaseMs)
      let replies
      try {
        replies = await this.#bounded('claim_all', () => {
          const pipeline = this.#client.multi()
          // The command is the core's (Protocol::claim_set), through node-redis's own SET options.
          for (const key of set.keys) pipeline.set(key, set.value, { NX: true, PX: set.leaseMs, GET: true })
          return pipeline.execAsPipeline()
        })
      } catch (e) {
        // A server before 7.0 refuses NX with GET (a syntax error: nothing was set).
        if (!(e instanceof Error && typeof e.message === 'string' && this.#protocol.claimSetUnsupported(e.message))) throw e
        this.#claimByScript = true
      }
      if (!this.#claimByScript) return answers(this.#protocol.parseClaimSet(replies, keys.length, set.token))
    }
    const call = this.#protocol.claimAll(keys, leaseMs)
    return answers(this.#protocol.parseClaimAll(await this.#run('claim_all', call), keys.length, call.token))
  }
  // process()'s claim (the claimAll pipeline): the indices of the units to handle; undefined
  // where claimAll would claim by script, or where claimAll or settle is not this class's own.
  async [LOOP_CLAIM](state, leaseMs) {
    if (this.#claimByScript || this.claimAll !== ownClaimAll || this.settle !== ownSettle) return undefined
    const set = this.#protocol.claimSetOf(state, leaseMs)
    let replies
    try {
      replies = await this.#bounded('claim_all', () => {
        const pipeline = this.#client.multi()
        for (const key of set.keys) pipeline.set(key, set.value, { NX: true, PX: set.leaseMs, GET: true })
        return pipeline.execAsPipeline()
      })
    } catch (e) {
      if (!(e instanceof Error && typeof e.message === 'string' && this.#protocol.claimSetUnsupported(e.message))) throw e
      this.#claimByScript = true
      return undefined
    }
    return this.#protocol.claimedSet(state, replies)
  }
  // process()'s settle after its claim above (the settle script): the tally.
  async [LOOP_SETTLE](state, ok, failed) {
    const call = this.#protocol.settleOf(state, ok, failed)
    if (call.tally) return call.tally
    return this.#protocol.settledOf(state, await this.#run('settle', call))
  }
  /** Completes `complete`'s and releases `release`'s `[key, token]` claims in one script. */
  async settle(complete, release, _options = {}) {
    if (complete.length === 0 && release.length === 0) return []
    const call = this.#protocol.settle(complete, release)
    return this.#protocol.parseSettle(await this.#run('settle', call), call.keys.length)
  }
}

const ownClaimAll = RedisStore.prototype.claimAll
const ownSettle = RedisStore.prototype.settle

module.exports = { RedisStore, RedisStoreError, DEFAULT_NAMESPACE: core.DEFAULT_NAMESPACE, DEFAULT_TIMEOUT_MS, newClaimToken: core.newClaimToken }
