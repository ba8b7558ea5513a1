// A receiver of Cloud Elements' Hootsuite events on Cloudflare Workers, with the WebAssembly
// build of hootsuite-events: the Worker verifies each delivery's raw bytes, then hands the
// notification to a Durable Object that processes each unit of work once, its claims kept in
// the object's SQLite storage so that retries, replays and the parts of a split batch meet them.
import { DurableObject } from 'cloudflare:workers'
import { initSync, verifyEvent, process as processNotification, newClaimToken, constants, SignatureError, HootsuiteEventsError } from 'hootsuite-events-wasm/full'
import wasmModule from 'hootsuite-events-wasm/full/hootsuite_events_wasm_bg.wasm'

// Workers compile the module at deploy time and hand it over: no fetch, no await.
initSync({ module: wasmModule })
const { DEFAULT_RETENTION_MS, STATUS_FAILED } = constants()
// How often the object deletes the claims whose lease or retention ended.
const PRUNE_EVERY_MS = 24 * 60 * 60 * 1000

/** The verifier's keys, current first: set SIGNATURE_KEY (and PREVIOUS_SIGNATURE_KEY while a rotation lasts) as secrets. */
function keysOf(env) {
  // No default: a receiver without its key would answer every delivery 401, silently.
  if (!env.SIGNATURE_KEY) throw new Error('set the SIGNATURE_KEY secret: the key Cloud Elements signs events with')
  return [env.SIGNATURE_KEY, env.PREVIOUS_SIGNATURE_KEY].filter(Boolean)
}

/**
 * The Worker's `fetch`: verifies the raw body, then lets the Durable Object of the notification's
 * instance process it (`env.RECEIPTS`, a namespace of a `ReceiptsObject` subclass).
 */
export async function receive(request, env) {
  if (request.method !== 'POST') return new Response(null, { status: 405 })
  // The raw bytes: request.json() would re-serialize and break the signature.
  const body = new Uint8Array(await request.arrayBuffer())
  let notification
  try {
    notification = verifyEvent(keysOf(env), request.headers, body)
  } catch (e) {
    if (e instanceof SignatureError) return new Response(null, { status: 401 })
    if (e instanceof HootsuiteEventsError) return new Response(null, { status: 400 })
    throw e
  }
  // Unit keys name their instance, so one object per instance sees every delivery of its units.
  const id = env.RECEIPTS.idFromName(String(notification.instanceId ?? '-'))
  const status = await env.RECEIPTS.get(id).receive(notification)
  return new Response(null, { status })
}

/**
 * Claims in the object's SQLite storage, with the semantics of the Redis store: a claim holds its
 * key for the lease, `complete` records it done for the retention (when the claim is still its
 * own, or ended with nobody else's since), `release` drops it. The SQL calls are synchronous, so
 * a claim's read and write cannot interleave with another request's.
 */
export class SqlStore {
  #sql
  #retentionMs
  constructor(sql, retentionMs = DEFAULT_RETENTION_MS) {
    this.#sql = sql
    this.#retentionMs = retentionMs
    // token NULL: done. Every row expires: a claim after its lease, a completion after the retention.
    sql.exec('CREATE TABLE IF NOT EXISTS hootsuite_events_claims (key TEXT PRIMARY KEY, token TEXT, expires_ms INTEGER NOT NULL)')
  }
  #row(key, nowMs) {
    const row = this.#sql.exec('SELECT token, expires_ms FROM hootsuite_events_claims WHERE key = ?', key).toArray()[0]
    return row && row.expires_ms > nowMs ? row : null
  }
  claim(key, { leaseMs, nowMs }) {
    const row = this.#row(key, nowMs)
    if (row) return { status: row.token === null ? 'done' : 'in_progress' }
    const token = newClaimToken()
    this.#put(key, token, nowMs + leaseMs)
    return { status: 'claimed', token }
  }
  complete(key, token, { nowMs }) {
    const row = this.#row(key, nowMs)
    if (row && row.token !== token) return false
    this.#put(key, null, nowMs + this.#retentionMs)
    return true
  }
  release(key, token) {
    return this.#sql.exec('DELETE FROM hootsuite_events_claims WHERE key = ? AND token = ? AND expires_ms > ?', key, token, Date.now()).rowsWritten > 0
  }
  /** Deletes the rows whose time ended; how many remain. */
  prune(nowMs) {
    this.#sql.exec('DELETE FROM hootsuite_events_claims WHERE expires_ms <= ?', nowMs)
    return this.#sql.exec('SELECT count(*) AS n FROM hootsuite_events_claims').one().n
  }
  #put(key, token, expiresMs) {
    this.#sql.exec(
      'INSERT INTO hootsuite_events_claims (key, token, expires_ms) VALUES (?, ?, ?) ON CONFLICT (key) DO UPDATE SET token = excluded.token, expires_ms = excluded.expires_ms',
      key,
      token,
      expiresMs,
    )
  }
}

/** The Durable Object: subclass it and write `handle(work)` (and `onRejected` to log elsewhere). */
export class ReceiptsObject extends DurableObject {
  constructor(ctx, env) {
    super(ctx, env)
    this.store = new SqlStore(ctx.storage.sql)
  }

  /** Processes a verified notification; resolves to the status to answer Cloud Elements. */
  async receive(notification) {
    let outcome
    try {
      outcome = await processNotification(this.store, notification, (work) => this.handle(work))
    } catch (e) {
      // Released: Cloud Elements' retry processes the unit.
      console.error('processing failed:', e.message)
      return STATUS_FAILED
    }
    // Events that could not be read: recorded once, never handed to `handle`.
    for (const r of outcome.rejected) await this.onRejected(r)
    if ((await this.ctx.storage.getAlarm()) === null) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS)
    return outcome.status
  }

  async alarm() {
    if (this.store.prune(Date.now()) > 0) await this.ctx.storage.setAlarm(Date.now() + PRUNE_EVERY_MS)
  }

  /** Your processing of one unit of work: `work.unit.key`, `work.hootsuiteEvent`, `work.elementEvent`. */
  async handle(work) {
    throw new Error(`${this.constructor.name} has no handle(work) for ${work.unit.key}`)
  }

  onRejected(r) {
    console.warn(`rejected event ${r.key} at ${r.path.join('.')}: ${r.message}`)
  }
}
