// The template's Worker (examples/cloudflare-worker) with the test's `handle`: each unit of work,
// each rejected event and each answer is reported to the test through the COLLECTOR service, whose
// answer to a unit says whether its processing failed. /test/store-cases runs SqlStore's cases.
import { ReceiptsObject, SqlStore, receive } from './receiver.js'

async function report(env, what, value) {
  const res = await env.COLLECTOR.fetch(`http://collector/${what}`, { method: 'POST', body: JSON.stringify(value) })
  if (!res.ok) throw new Error(`the collector failed the ${what} report (a test failure)`)
}

export class Receipts extends ReceiptsObject {
  async handle(work) {
    await report(this.env, 'handled', { key: work.unit.key, keyIndex: work.notification.keyIndex, eventId: work.notification.eventId, seqNo: work.hootsuiteEvent?.seqNo ?? null })
  }
  async onRejected(r) {
    await report(this.env, 'rejected', r)
  }

  /** The claim store's rules with explicit times (retention 1 s), on an object of its own. */
  storeCases() {
    const store = new SqlStore(this.ctx.storage.sql, 1000)
    const t = Date.now()
    const lease = { leaseMs: 100 }
    const r = {}
    // A lease that ran out is taken over; the first holder's late completion is refused.
    const a = store.claim('lease', { ...lease, nowMs: t })
    r.heldWithinLease = store.claim('lease', { ...lease, nowMs: t + 99 }).status
    const b = store.claim('lease', { ...lease, nowMs: t + 101 })
    r.takenOver = b.status
    r.lateCompletionRefused = store.complete('lease', a.token, { nowMs: t + 102 })
    r.takeoverCompleted = store.complete('lease', b.token, { nowMs: t + 103 })
    r.thenDone = store.claim('lease', { ...lease, nowMs: t + 104 }).status
    // A late completion nobody took over is recorded.
    const c = store.claim('late', { ...lease, nowMs: t })
    r.lateCompletionRecorded = store.complete('late', c.token, { nowMs: t + 200 })
    r.lateThenDone = store.claim('late', { ...lease, nowMs: t + 201 }).status
    // Release: only with the claim's token.
    const d = store.claim('release', { leaseMs: 60000, nowMs: Date.now() })
    r.releaseWithAnotherToken = store.release('release', 'f'.repeat(32))
    r.releaseWithItsToken = store.release('release', d.token)
    r.claimableAgain = store.claim('release', { leaseMs: 60000, nowMs: Date.now() }).status
    // Retention: done for 1 s, then forgotten.
    const e = store.claim('retention', { ...lease, nowMs: t })
    store.complete('retention', e.token, { nowMs: t })
    r.doneWithinRetention = store.claim('retention', { ...lease, nowMs: t + 999 }).status
    r.forgottenAfter = store.claim('retention', { ...lease, nowMs: t + 1001 }).status
    // Pruning deletes what expired.
    r.rowsLeftAfterPrune = store.prune(t + 10 * 60 * 1000)
    r.claimsAreTokens = [a, b, c, d, e].every((x) => x.status === 'claimed' && /^[0-9a-f]{32}$/.test(x.token))
    return r
  }
}

export default {
  async fetch(request, env) {
    if (new URL(request.url).pathname === '/test/store-cases') {
      return Response.json(await env.RECEIPTS.get(env.RECEIPTS.idFromName('store-cases')).storeCases())
    }
    const response = await receive(request, env)
    await report(env, 'answered', { status: response.status, webhookId: request.headers.get('elements-webhook-id') })
    return response
  },
}
