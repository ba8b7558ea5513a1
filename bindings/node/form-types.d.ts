// The create-instance form's types, written once: the Node package exports them (index.d.ts),
// and every WebAssembly build declares them (bindings/wasm/src/lib.rs includes this file in
// its TypeScript section). Plain `export interface`/`export type` only, no import: the glue
// of wasm-bindgen takes the text as it is.

/** The configuration of a create-instance form: the element's keys (others pass through). */
export interface CreateInstanceConfiguration {
  /** The callback URL registered at Hootsuite; the same `callbackUrl` as in step 1. */
  'oauth.callback.url'?: string
  /** The REST API client id of your Hootsuite app. */
  'oauth.api.key'?: string
  /** The REST API client secret of your Hootsuite app. */
  'oauth.api.secret'?: string
  /** Whether Cloud Elements sends events for this instance (default false). */
  'event.notification.enabled'?: boolean | 'true' | 'false'
  /** Where Cloud Elements POSTs event notifications; required when events are enabled. */
  'event.notification.callback.url'?: string
  /** Makes Cloud Elements sign each event (`Elements-Webhook-Signature`). */
  'event.notification.signature.key'?: string
  /** How Cloud Elements gets events from Hootsuite. */
  'event.vendor.type'?: 'webhook' | 'polling' | 'webhooks'
  /** Any other key passes through as sent. */
  [key: string]: unknown
}

/**
 * The create-instance form (`POST /instances`): every field optional here, since the rules
 * report what is missing with its label; a misspelled field does not compile.
 */
export interface CreateInstanceFields {
  /** Always `{key: 'hootsuite'}`. */
  element?: { key: 'hootsuite' }
  /**
   * The OAuth code from the callback (step 2): the string, or the `AuthorizationCode` that
   * `parseCallback` returned (its class's shape: the server packages send its
   * `getSecretValue()`).
   */
  providerData?: { code: string | { getSecretValue(): string; toString(): string; toJSON(): string } }
  configuration?: CreateInstanceConfiguration
  /** User-defined tags for the instance. */
  tags?: string[]
  /** The name of the instance. */
  name?: string
  /** Whether the answer lists the element's objects. */
  retrieveObjectsAfterInstantiation?: boolean
}

/** A create-instance form: the object, or its JSON text. */
export type CreateInstanceForm = CreateInstanceFields | string

/** The canonical create-instance body, as Cloud Elements receives it. */
export type CreateInstanceBody = Record<string, unknown>

/** One validation problem. */
export interface Issue {
  /** Keys and indices from the document's root. */
  path: Array<string | number>
  /** A stable machine-readable code. */
  code: string
  /** What is wrong and what was expected. */
  message: string
  /** The field's UI label, when it has one. */
  label: string | null
  /** Line of a JSON syntax error (only on those). */
  line?: number
  /** Column of a JSON syntax error (only on those). */
  column?: number
}

/** Every error and warning of one input. */
export interface ValidationResult {
  /** Whether there are no errors (warnings allowed). */
  valid: boolean
  /** Problems that make the input unusable. */
  errors: Issue[]
  /** Problems that do not block. */
  warnings: Issue[]
}

/** The WebAssembly packages' name of `ValidationResult`. */
export type ValidationReport = ValidationResult

/** A request to send: `fetch(r.url, {method: r.method, headers: r.headers, body: r.body})`. */
export interface HttpRequest {
  /** `GET`, `POST`, `PUT`, `PATCH` or `DELETE`. */
  method: string
  /** The absolute URL. */
  url: string
  /** Header names and values. */
  headers: Record<string, string>
  /** The JSON body, or null for requests without one. */
  body: string | null
}

/** A request safe to show: secrets masked, plus a `curl` command line. */
export interface RequestPreview extends HttpRequest {
  curl: string
}
