import type { Issue } from './hootsuite_events_wasm.js'

/** Base class of every error thrown by hootsuite-events-wasm. */
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
  readonly requestId: string | null
  readonly isRetryable: boolean
}
/** A 2xx body or a notification could not be read. */
export declare class ParseError extends HootsuiteEventsError {
  readonly path: Array<string | number>
}
/** The OAuth callback gave no code. */
export declare class CallbackError extends HootsuiteEventsError {}
/** A notification's signature did not verify. */
export declare class SignatureError extends HootsuiteEventsError {}
/** The module's error as an instance of its class; any other value is returned as it is. */
export declare function convert(e: unknown): unknown
