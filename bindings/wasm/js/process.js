// `process` for the full build (full/process.js): the loop of the Node package's `process`, so
// that an edge runtime's receiver (a Worker, Deno) processes each unit once through any store
// whose claim/complete/release may return promises (a Durable Object's storage, a MemoryStore).
import { constants, outcomeStatus } from './hootsuite_events_wasm.js'

const CLAIM_STATUSES = new Set(['claimed', 'done', 'in_progress'])

/**
 * Processes each unit of work of `notification` once: claims its key in `store`, awaits
 * `handler(work)`, completes the claim; when the handler throws, releases the claim and
 * rethrows (answer STATUS_FAILED: Cloud Elements retries). Resolves to an Outcome whose
 * `status` is what to answer. A `rejected` unit (an event that could not be read) is recorded
 * once without calling the handler and listed in `outcome.rejected`.
 */
export async function process(store, notification, handler, options = {}) {
  if (!store || typeof store.claim !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function') {
    throw new TypeError('store must have claim(key, {leaseMs, nowMs}), complete(key, token, {nowMs}) and release(key, token) methods')
  }
  if (!notification || !Array.isArray(notification.units)) {
    throw new TypeError('notification must be the result of verifyEvent or parseEventNotification (it has no units)')
  }
  if (typeof handler !== 'function') throw new TypeError('handler must be a function (work) => void or Promise')
  const leaseMs = options.leaseMs === undefined ? constants().DEFAULT_LEASE_MS : options.leaseMs
  const outcome = { status: 0, processed: 0, skipped: 0, inProgress: 0, failed: 0, lostLeases: 0, rejected: [] }
  for (const unit of notification.units) {
    const claim = await store.claim(unit.key, { leaseMs, nowMs: Date.now() })
    if (!claim || !CLAIM_STATUSES.has(claim.status)) {
      // The status only: a claim's token proves ownership and stays out of messages.
      const status = claim === null || typeof claim !== 'object' ? String(claim) : JSON.stringify(String(claim.status))
      throw new TypeError(`store.claim returned status ${status}; expected {status: 'claimed', token}, {status: 'done'} or {status: 'in_progress'}`)
    }
    if (claim.status === 'done') {
      outcome.skipped++
      continue
    }
    if (claim.status === 'in_progress') {
      outcome.inProgress++
      continue
    }
    if (unit.kind === 'rejected') {
      outcome.rejected.push(notification.rejected[unit.index])
    } else {
      const work = {
        unit,
        notification,
        hootsuiteEvent: unit.kind === 'hootsuite_event' ? notification.hootsuiteEvents[unit.index] : undefined,
        elementEvent: unit.kind === 'element_event' ? notification.events[unit.index] : undefined,
      }
      try {
        await handler(work)
      } catch (e) {
        await store.release(unit.key, claim.token)
        throw e
      }
      outcome.processed++
    }
    if (!(await store.complete(unit.key, claim.token, { nowMs: Date.now() }))) outcome.lostLeases++
  }
  outcome.status = outcomeStatus(outcome.inProgress, outcome.failed)
  return outcome
}
