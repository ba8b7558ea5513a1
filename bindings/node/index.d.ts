// The addon's generated declarations (native.d.ts, written by `napi build`) are the API:
// index.js keeps every signature and only maps errors.
export * from './native'

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
  readonly errors: import('./native').Issue[]
  readonly warnings: import('./native').Issue[]
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
  readonly body: string
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
