'use strict'
// hootsuite-events/redis: a claim store shared by several processes, on Redis through a
// node-redis client you create and connect (`redis` on npm, v4 or later). The keys, values,
// scripts and replies are the Rust core's Redis protocol (NativeRedisProtocol); this file only
// sends its calls. node-redis is not a dependency: the client is passed in.

const core = require('./index.js')

function isNoScript(e) {
  return e instanceof Error && typeof e.message === 'string' && e.message.startsWith('NOSCRIPT')
}

/**
 * A store for `process()` on Redis: atomic claims, completion and release compare-and-set on
 * the claim token, keys `<namespace>:<unit key>` kept `retentionMs` once completed. Redis's
 * clock enforces leases and retention (PX): `nowMs` is accepted and unused.
 */
class RedisStore {
  #client
  #protocol
  constructor(client, options = {}) {
    if (!client || typeof client.evalSha !== 'function' || typeof client.eval !== 'function') {
      throw new TypeError('client must be a connected node-redis client (createClient() from the redis package, v4 or later): it has no evalSha/eval')
    }
    this.#client = client
    this.#protocol = new core.NativeRedisProtocol(options.namespace, options.retentionMs)
  }
  /** The namespace of the keys. */
  get namespace() {
    return this.#protocol.namespace
  }
  // EVALSHA, and EVAL when the server does not have the script (first use, restart, SCRIPT FLUSH).
  async #run(call) {
    const options = { keys: [call.key], arguments: call.args }
    try {
      return await this.#client.evalSha(call.sha1, options)
    } catch (e) {
      if (!isNoScript(e)) throw e
      return this.#client.eval(call.source, options)
    }
  }
  /** `{status: 'claimed', token}`, `{status: 'done'}` or `{status: 'in_progress'}`. */
  async claim(key, options = {}) {
    const leaseMs = options.leaseMs === undefined ? core.DEFAULT_LEASE_MS : options.leaseMs
    const call = this.#protocol.claim(key, leaseMs)
    const r = this.#protocol.parseClaim(await this.#run(call), call.token)
    return r.token === undefined || r.token === null ? { status: r.status } : { status: r.status, token: r.token }
  }
  /** Marks the claimed key processed; false when the claim was lost (lease expired and taken over). */
  async complete(key, token, _options = {}) {
    const call = this.#protocol.complete(key, token)
    return this.#protocol.parseFlag(await this.#run(call))
  }
  /** Gives the claim up after a failure, so that the next delivery processes the key. */
  async release(key, token) {
    const call = this.#protocol.release(key, token)
    return this.#protocol.parseFlag(await this.#run(call))
  }
}

module.exports = { RedisStore, DEFAULT_NAMESPACE: core.DEFAULT_NAMESPACE, newClaimToken: core.newClaimToken }
