import type { Claim, ElementEvent, HootsuiteEvent, Notification, Rejected, Unit } from './hootsuite_events_wasm.js'

/** Where claims live: methods may return promises (a Durable Object's storage, Redis). */
export interface Store {
  claim(key: string, options: { leaseMs: number; nowMs: number }): Claim | Promise<Claim>
  complete(key: string, token: string, options: { nowMs: number }): boolean | Promise<boolean>
  release(key: string, token: string): boolean | Promise<boolean>
}

/** One unit handed to the handler, with the event it refers to. */
export interface Work {
  unit: Unit
  notification: Notification
  /** For a `hootsuite_event` unit. */
  hootsuiteEvent?: HootsuiteEvent
  /** For an `element_event` unit. */
  elementEvent?: ElementEvent
}

/** What `process` did, and what to answer Cloud Elements (`status`). */
export interface Outcome {
  status: number
  processed: number
  skipped: number
  inProgress: number
  /** 0 here: when the handler throws, `process` releases and rethrows. */
  failed: number
  lostLeases: number
  /** The events that could not be read, recorded by this call (log them). */
  rejected: Rejected[]
}

/**
 * Processes each unit of `notification` once through `store`; when `handler` throws, the
 * claim is released and the error rethrown (answer STATUS_FAILED).
 */
export declare function process(
  store: Store,
  notification: Notification,
  handler: (work: Work) => void | Promise<void>,
  options?: { leaseMs?: number },
): Promise<Outcome>
