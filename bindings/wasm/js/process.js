// `process` for the full build (full/process.js): the Node package's loop over the core's step
// machine (`Steps`), so that an edge runtime's receiver (a Worker, Deno) processes each unit once
// through any store whose methods may return promises (a Durable Object's storage, a MemoryStore).
// The claim rules live in `Steps`; this file only carries its steps to the store and the handler.
// From the entry module: its classes are the ones whose methods accept what they made.
import { Steps, constants } from './index.js'

/**
 * Processes each unit of work of `notification` once: claims every unit's key in `store` (one
 * `claimAll` when the store has it), awaits `handler(work)` for each unit claimed, then
 * completes the handled claims and releases the others (one `settle` when the store has it).
 * When a handler throws, the rest are released and the error is rethrown (answer STATUS_FAILED:
 * Cloud Elements retries). Resolves to an Outcome whose `status` is what to answer. A `rejected`
 * unit (an event that could not be read) is recorded once without calling the handler and listed
 * in `outcome.rejected`.
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
  const steps = new Steps(notification.units)
  try {
    let failure
    let failed = false
    for (;;) {
      const step = steps.nextStep()
      if (step.type === 'handle') {
        const unit = notification.units[step.index]
        const work = {
          unit,
          notification,
          hootsuiteEvent: unit.kind === 'hootsuite_event' ? notification.hootsuiteEvents[unit.index] : undefined,
          elementEvent: unit.kind === 'element_event' ? notification.events[unit.index] : undefined,
        }
        try {
          await handler(work)
        } catch (e) {
          failure = e
          failed = true
        }
        steps.handled(!failed)
      } else if (step.type === 'claim') {
        const answers =
          typeof store.claimAll === 'function'
            ? await store.claimAll(step.keys, { leaseMs, nowMs: Date.now() })
            : await Promise.all(step.keys.map((key) => store.claim(key, { leaseMs, nowMs: Date.now() })))
        steps.claimed(answers)
      } else if (step.type === 'settle') {
        let changed
        try {
          if (typeof store.settle === 'function') {
            changed = await store.settle(step.complete, step.release, { nowMs: Date.now() })
          } else {
            changed = []
            for (const [key, token] of step.complete) changed.push(await store.complete(key, token, { nowMs: Date.now() }))
            for (const [key, token] of step.release) changed.push(await store.release(key, token))
          }
        } catch (e) {
          // The handler's error stays readable as the store error's `cause`, as in Node.
          if (failed && e !== failure && e !== null && typeof e === 'object' && e.cause === undefined) {
            try {
              e.cause = failure
            } catch {
              // A frozen error keeps its own fields.
            }
          }
          throw e
        }
        steps.settled(Array.from(changed, Boolean))
      } else {
        if (failed) throw failure
        const t = step.tally
        return {
          status: t.status,
          processed: t.processed,
          skipped: t.skipped,
          inProgress: t.inProgress,
          failed: t.failed,
          lostLeases: t.lostLeases,
          rejected: t.rejected.map((i) => notification.rejected[notification.units[i].index]),
        }
      }
    }
  } finally {
    // wasm-bindgen objects hold wasm memory until freed; a Worker lives long.
    steps.free()
  }
}
