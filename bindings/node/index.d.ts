// The addon's generated declarations (native.d.ts, written by `napi build`) are the API:
// index.js keeps every signature and only maps errors. The types of inputs and results are
// written once in form-types.d.ts and types.d.ts, which the WebAssembly package declares too
// (the core's types in JavaScript's naming: camelCase fields, null for an absent value, user
// data as sent); the same from the native addon and from the WebAssembly fallback.
export * from './native'
export * from './form-types'
export * from './types'
import type { Issue, ValidationResult } from './form-types'
import type { Claim, ElementEvent, HootsuiteEvent, Notification, Rejected, ResponseInput, RedirectUrl, Instance, InstancePage, InstanceEvent, InstanceEventPage, Delivery, DeliveryPage, ConfigurationEntry, Unit } from './types'

/** Checks a form against the rules: any value (a parsed request body, JSON text). */
export declare function validateInstance(data: unknown, callbackUrl?: string | null): ValidationResult
/** Checks an instance update against the rules: any value (a parsed request body, JSON text). */
export declare function validateInstanceUpdate(data: unknown): ValidationResult

/** Base class of every error thrown by hootsuite-events. */
export declare class HootsuiteEventsError extends Error {
  /** The stable machine-readable code (`validation`, `api`, `json_syntax`, `signature_mismatch`, ...). */
  readonly code: string
  /** The error's data, the same in every language. */
  readonly details: Record<string, unknown>
}
/** An unusable argument: a blank secret, a bad base URL. */
export declare class InvalidArgumentError extends HootsuiteEventsError {
  readonly field: string
}
/** A body broke the rules: every problem at once. */
export declare class ValidationError extends HootsuiteEventsError {
  readonly errors: Issue[]
  readonly warnings: Issue[]
}
/** Cloud Elements answered with a non-2xx status. */
export declare class ApiError extends HootsuiteEventsError {
  readonly status: number
  /** The `message` of Cloud Elements' error body. */
  readonly apiMessage: string | null
  readonly requestId: string | null
  readonly providerMessage: string | null
  readonly headerRequestId: string | null
  readonly retryAfter: number | null
  /** `Retry-After` given as an HTTP date, in Unix seconds: wait `retryAfterAt - Date.now() / 1000`. */
  readonly retryAfterAt: number | null
  readonly isRetryable: boolean
  /** The body as JSON with every secret masked, cut to 200 characters; null when not JSON. */
  readonly body: string | null
  /** The body's size in bytes. */
  readonly bodySize: number
}
/** A 2xx body or a notification could not be read. */
export declare class ParseError extends HootsuiteEventsError {
  readonly kind: string
  readonly path: Array<string | number>
  readonly line: number | null
  readonly column: number | null
}
/** The OAuth callback gave no code. */
export declare class CallbackError extends HootsuiteEventsError {
  readonly error?: string
  readonly description?: string | null
}
/** A notification's signature did not verify. */
export declare class SignatureError extends HootsuiteEventsError {}

/** The header carrying a notification's signature. */
export declare const SIGNATURE_HEADER: 'Elements-Webhook-Signature'
/** The header identifying one delivery. */
export declare const WEBHOOK_ID_HEADER: 'Elements-Webhook-Id'

/**
 * What the `…Async` parsers read besides `{ status, headers, body }`: a fetch `Response`
 * (Node's global fetch, undici, a browser). Its body is read once, with `arrayBuffer()`.
 */
export interface FetchResponse {
  readonly status: number
  readonly headers: { get(name: string): string | null; forEach(callback: (value: string, key: string) => void): void }
  readonly bodyUsed: boolean
  arrayBuffer(): Promise<ArrayBuffer>
}
type AnyResponse = FetchResponse | ResponseInput
/** `parseRedirectUrl` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseRedirectUrlAsync(response: AnyResponse): Promise<RedirectUrl>
/** `parseInstance` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstanceAsync(response: AnyResponse): Promise<Instance>
/** `parseInstancePage` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstancePageAsync(response: AnyResponse): Promise<InstancePage>
/** `parseInstanceEvents` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstanceEventsAsync(response: AnyResponse): Promise<InstanceEvent[]>
/** `parseInstanceEvent` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstanceEventAsync(response: AnyResponse): Promise<InstanceEvent>
/** `parseInstanceEventPage` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstanceEventPageAsync(response: AnyResponse): Promise<InstanceEventPage>
/** `parseDeliveries` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseDeliveriesAsync(response: AnyResponse): Promise<Delivery[]>
/** `parseDeliveryPage` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseDeliveryPageAsync(response: AnyResponse): Promise<DeliveryPage>
/** `parseFailurePolicy` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseFailurePolicyAsync(response: AnyResponse): Promise<'retry' | 'queue'>
/** `parseConfiguration` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseConfigurationAsync(response: AnyResponse): Promise<ConfigurationEntry[]>
/** `parseConfigurationEntry` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseConfigurationEntryAsync(response: AnyResponse): Promise<ConfigurationEntry>
/** `parseEmpty` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseEmptyAsync(response: AnyResponse): Promise<void>

/**
 * Which build serves this process: `native` (the addon of this platform) or `wasm` (the
 * WebAssembly fallback where no native package matches: the same API and results).
 */
export declare const backend: 'native' | 'wasm'

/** How long a claim is held before another process may take it over (60 000 ms). */
export declare const DEFAULT_LEASE_MS: number
/** How long a completed key is kept (7 days, past Cloud Elements' last retry). */
export declare const DEFAULT_RETENTION_MS: number
/** How many keys a MemoryStore holds by default (100 000). */
export declare const DEFAULT_CAPACITY: number
/** The most keys one verifier holds. */
export declare const MAX_KEYS: number
/** The most signatures one header may hold. */
export declare const MAX_SIGNATURE_CANDIDATES: number

/**
 * Where claims live: a MemoryStore, or a shared store (Redis) with the same methods. With
 * `claimAll` and `settle`, `process` claims and settles a notification's units in one call
 * each (one round trip on Redis) instead of one call per unit.
 */
export interface Store {
  claim(key: string, options: { leaseMs: number; nowMs: number }): Claim | Promise<Claim>
  complete(key: string, token: string, options: { nowMs: number }): boolean | Promise<boolean>
  release(key: string, token: string): boolean | Promise<boolean>
  /** One claim per key, in order. */
  claimAll?(keys: string[], options: { leaseMs: number; nowMs: number }): Claim[] | Promise<Claim[]>
  /** Whether each `[key, token]` claim changed its key (`complete`'s first). */
  settle?(complete: [string, string][], release: [string, string][], options: { nowMs: number }): boolean[] | Promise<boolean[]>
}

/** The core's bounded in-process store (claim → complete, or release on failure). */
export declare class MemoryStore implements Store {
  /** At most `capacity` keys (default 100 000), completed keys kept `retentionMs` (default 7 days). */
  constructor(options?: { capacity?: number; retentionMs?: number })
  /** `leaseMs` defaults to DEFAULT_LEASE_MS, `nowMs` to `Date.now()`. */
  claim(key: string, options?: { leaseMs?: number; nowMs?: number }): Claim
  /** False when the claim was lost (its lease expired and another took it). */
  complete(key: string, token: string, options?: { nowMs?: number }): boolean
  release(key: string, token: string): boolean
  /** One claim per key (the units of one notification), in order. */
  claimAll(keys: string[], options?: { leaseMs?: number; nowMs?: number }): Claim[]
  /** Whether each `[key, token]` claim changed its key (`complete`'s first). */
  settle(complete: [string, string][], release: [string, string][], options?: { nowMs?: number }): boolean[]
  /** How many keys are held. */
  readonly size: number
}

/** One unit handed to the handler, with the event it refers to (read when first read). */
export interface Work {
  readonly unit: Unit
  notification: Notification
  /** For a `hootsuite_event` unit. */
  readonly hootsuiteEvent?: HootsuiteEvent
  /** For an `element_event` unit. */
  readonly elementEvent?: ElementEvent
}

/** What `process` did, and what to answer Cloud Elements (`status`). */
export interface Outcome {
  status: number
  processed: number
  skipped: number
  inProgress: number
  /** The core's field; 0 here: when the handler throws, `process` releases and rethrows. */
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

/** What `receive` did with one delivery: answer `status`. */
export interface Receipt {
  /** 200, 409 while another process holds a unit, 500 after a failure, 401 or 400 refused. */
  status: number
  /** The claim loop's outcome; null when refused or when the handler or the store threw. */
  outcome: Outcome | null
  /** Why it was refused (a SignatureError or ParseError), or what the handler or the store threw: log it. */
  error: unknown
  /** The verified notification; null when refused. */
  notification: Notification | null
}

/**
 * One delivery, whole: verifies the raw `body` with `keys`, runs `process` over `store`, and
 * says what to answer. With @opentelemetry/api installed, a span tree and metrics per delivery.
 */
export declare function receive(
  keys: string | string[],
  store: Store,
  headers: Record<string, string | string[] | undefined> | Iterable<[string, string]> | { get(name: string): string | null },
  body: Uint8Array | ArrayBuffer,
  handler: (work: Work) => void | Promise<void>,
  options?: { leaseMs?: number },
): Promise<Receipt>

/** The core's telemetry table: span, attribute and metric names by id, and the raw table. */
export declare const telemetry: {
  spans: Record<string, string>
  attributes: Record<string, string>
  metrics: Record<string, { id: string; name: string; instrument: 'counter' | 'histogram'; unit: string; attributes: string[]; description: string }>
  raw: { scope: string; spans: unknown[]; attributes: unknown[]; metrics: unknown[]; duration_boundaries: number[]; messaging_system: string; operation: string }
}
