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
type AnyResponse = FetchResponse | import('./native').ResponseInput
/** `parseRedirectUrl` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseRedirectUrlAsync(response: AnyResponse): Promise<import('./native').RedirectUrl>
/** `parseInstance` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstanceAsync(response: AnyResponse): Promise<import('./native').Instance>
/** `parseInstancePage` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstancePageAsync(response: AnyResponse): Promise<import('./native').InstancePage>
/** `parseInstanceEvents` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseInstanceEventsAsync(response: AnyResponse): Promise<import('./native').InstanceEvent[]>
/** `parseEmpty` for a fetch Response (or the `{ status, headers, body }` form). */
export declare function parseEmptyAsync(response: AnyResponse): Promise<void>

/**
 * Which build serves this process: `native` (the addon of this platform) or `wasm` (the
 * WebAssembly fallback where no native package matches; some functions then throw).
 */
export declare const backend: 'native' | 'wasm'
