// The addon's generated declarations (native.d.ts, written by `napi build`) are the API:
// index.js keeps every signature and only maps errors. The results are declared here: the
// core's types in JavaScript's naming (camelCase fields, null for an absent value, user data
// as sent), the same from the native addon and from the WebAssembly fallback.
export * from './native'

/** Raw bytes as received (a Buffer is a Uint8Array). */
export type Bytes = Uint8Array | ArrayBuffer
/** Headers: an object, `[name, value]` pairs, or fetch's Headers (or a Map). */
export type HeadersInput = Record<string, string | string[] | number | undefined> | Array<[string, string]> | { entries(): Iterable<[string, string]> }
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
  [key: string]: string | boolean | undefined
}

/**
 * The create-instance form (`POST /instances`): every field optional here, since the rules
 * report what is missing with its label; a misspelled field does not compile.
 */
export interface CreateInstanceFields {
  /** Always `{key: 'hootsuite'}`. */
  element?: { key: 'hootsuite' }
  /** The OAuth code from the callback (step 2): the string or the AuthorizationCode. */
  providerData?: { code: string | import('./native').AuthorizationCode }
  configuration?: CreateInstanceConfiguration
  /** User-defined tags for the instance. */
  tags?: string[]
  /** The name of the instance. */
  name?: string
  /** Whether the answer lists the element's objects. */
  retrieveObjectsAfterInstantiation?: boolean
}

/** A JSON Schema (2020-12) document. */
export type JsonSchema = Record<string, unknown>

/** A create-instance form: the object, or its JSON text. */
export type CreateInstanceForm = CreateInstanceFields | string

/** Checks a form against the rules: any value (a parsed request body, JSON text). */
export declare function validateInstance(data: unknown, callbackUrl?: string | null): ValidationResult
/** Checks an instance update against the rules: any value (a parsed request body, JSON text). */
export declare function validateInstanceUpdate(data: unknown): ValidationResult

/** A response as received: from `fetch`, `res.status`, `res.headers` and the body's text or bytes. */
export interface ResponseInput {
  /** The status code: an integer from 0 to 999. */
  status: number
  /** Headers: an object, or a list of `[name, value]` pairs. */
  headers?: HeadersInput | null
  /** The body as text or bytes. */
  body?: string | Bytes | null
}

/** Options of the redirect URL (step 1). */
export interface RedirectUrlOptions {
  /** The Hootsuite app's REST API client id. */
  apiKey: string
  /** The Hootsuite app's REST API client secret. */
  apiSecret: string
  /** Where Hootsuite sends the user back. */
  callbackUrl: string
  /** An unguessable value to check in the callback. */
  state?: string | null
  /** `scope`, such as `offline`. */
  scope?: string | null
  /** `siteAddress`. */
  siteAddress?: string | null
  /** `callbackProxy`. */
  callbackProxy?: boolean | null
  /** `requestToken`. */
  requestToken?: string | null
  /** Send the fields as a JSON body (POST), which keeps the client secret out of URLs; the proxy flag is then `isOAuthProxy`. */
  post?: boolean | null
  /** `oauthProxyName`. */
  oauthProxyName?: string | null
  /** Other parameters for the provider, passed through unchanged, in this order. */
  extra?: Record<string, string> | null
}

/** Paging of the event lists. */
export interface PageOptions {
  /** Page size: an integer from 0 to 4294967295. */
  pageSize?: number | null
  /** The `nextPage` token from the previous page. */
  nextPage?: string | null
}

/** Which webhook deliveries: the `where` filters and, for the list, paging. */
export interface DeliveryOptions {
  /** `created`, `retry`, `delivered`, `notified` or `queued`. */
  status?: 'created' | 'retry' | 'delivered' | 'notified' | 'queued' | null
  /** The subscription's callback URL (`config.url`). */
  url?: string | null
  /** The instance whose events they carry. */
  instanceId?: number | null
  /** Page size (the list only): an integer from 0 to 4294967295. */
  pageSize?: number | null
  /** The `nextPage` token from the previous page (the list only). */
  nextPage?: string | null
}

/** Query of `GET /instances`. */
export interface ListOptions {
  /** Only instances with all these tags. */
  tags?: string[] | null
  /** Free-text search. */
  searchText?: string | null
  /** Page size: an integer from 0 to 4294967295. */
  pageSize?: number | null
  /** The `nextPage` token from the previous page. */
  nextPage?: string | null
  /** Full objects. */
  hydrate?: boolean | null
}

/** Options of signature verification. */
export interface VerifyOptions {
  /** Accept legacy `sha1=` signatures. */
  allowLegacySha1?: boolean | null
  /** The largest body accepted (default 1 MiB): an integer from 0 to 4294967295. */
  maxBodySize?: number | null
}

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
  /** Whether there are no errors. */
  valid: boolean
  /** Problems that make the input unusable. */
  errors: Issue[]
  /** Problems that do not block. */
  warnings: Issue[]
}

/** The answer of step 1. */
export interface RedirectUrl {
  /** The element key, `hootsuite`. */
  element: string | null
  /** Where to send the user. */
  oauthUrl: string
}

/** A region preset: the name `Config` takes and its base URL. */
export interface BaseUrlPreset {
  name: string
  url: string
}

/** An element instance. */
export interface Instance {
  /** The id: every later call needs it. */
  id: number
  name: string
  /** The instance token (secret; not enumerable: `util.inspect` and `JSON.stringify` show `tokenMasked` only). */
  token: string
  /** The token masked, safe to log. */
  tokenMasked: string
  tags: string[]
  /** Whether the authentication is valid (false when the answer does not say). */
  valid: boolean
  disabled: boolean
  eventsEnabled: boolean
  /** Configuration values: strings or null; every secret value reads `********`. */
  configuration: Record<string, string | null>
  /** The secret configuration values in clear (not enumerable, like `token`). */
  configurationSecrets: Record<string, string>
  /** The element. */
  element: { id: number | null; key: string | null; name: string | null; hub: string | null } | null
  elementId: number | null
  createdDate: string | null
  /** `user.id`. */
  userId: number | null
  /** Every other field, unchanged (values under secret names masked). */
  extra: Record<string, unknown>
}

/** A page of `totalCount`/`returnedCount` and the `nextPage` token (from the answer's headers). */
interface Paged {
  /** The token of the next page (`Elements-Next-Page-Token`). */
  nextPage: string | null
  /** `Elements-Total-Count`. */
  totalCount: number | null
  /** `Elements-Returned-Count`. */
  returnedCount: number | null
}

/** One page of instances. */
export interface InstancePage extends Paged {
  instances: Instance[]
}

/** An event recorded for an instance. */
export interface InstanceEvent {
  id: string
  /** `NEW`, `RECEIVED`, `DISPATCHED`, `CONSUMED`, `NOTIFIED`, ... */
  status: string | null
  eventDate: string | null
  /** `providerData`, as text. */
  providerData: string | null
  /** The whole object (values under secret names masked). */
  raw: unknown
}

/** One page of events. */
export interface InstanceEventPage extends Paged {
  events: InstanceEvent[]
}

/** One webhook delivery of `GET /notifications/subscriptions/deliveries` (secret values masked). */
export interface Delivery {
  id: string | null
  status: 'created' | 'retry' | 'delivered' | 'notified' | 'queued'
  notificationId: number
  subscriptionId: number
  instanceId: number | null
  eventId: number | null
  /** The callback URL, secret query values masked. */
  url: string | null
  /** Failed attempts so far. */
  attempts: number | null
  webhookId: string | null
  createdDate: string
  updatedDate: string | null
  /** Every other field, secret values masked. */
  extra: Record<string, unknown>
}

/** One page of deliveries. */
export interface DeliveryPage extends Paged {
  deliveries: Delivery[]
}

/** One configuration entry of an instance. */
export interface ConfigurationEntry {
  /** Its id: what an update needs. */
  id: number
  /** The key, such as `event.notification.enabled`. */
  key: string
  /** The value as text (secrets masked), or null. */
  propertyValue: string | null
  name: string | null
  /** Every other field, unchanged. */
  extra: Record<string, unknown>
}

/** One script call of the Redis store: `EVALSHA sha1 <keys.length> ...keys ...args` (or `EVAL source ...`). */
export interface RedisCall {
  /** The script's SHA-1 (for `EVALSHA`). */
  sha1: string
  /** The script's Lua source (for `EVAL` when the server lacks it). */
  source: string
  /** The script's keys: `<namespace>:{<group>}<rest>`, one, or the units of one notification (one hash slot). */
  keys: string[]
  /** The script's arguments, in order. */
  args: string[]
  /** The new claim's token (claims only). */
  token: string | null
}

/** One statement of the PostgreSQL inbox: its SQL (`$1`, `$2` placeholders) and parameters. */
export interface PostgresStatement {
  sql: string
  params: string[]
}

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

/** One normalized Cloud Elements event of a notification. */
export interface ElementEvent {
  /** `messages`, `comments`, ... */
  objectType: string | null
  /** The object's id, as text. */
  objectId: string | null
  /** `CREATED`, `UPDATED`, `DELETED`, `UNKNOWN` or another string. */
  eventType: string
  /** `hootsuite`. */
  elementKey: string | null
  /** `date`, as sent. */
  date: string | null
  /** `hubKey`, such as `social`. */
  hubKey: string | null
  /** Every other field, unchanged. */
  extra: Record<string, unknown>
}

/** The decoded data of a Hootsuite event, by `kind`. */
export type HootsuiteData =
  | { kind: 'message'; state: string | null; messageId: string | null; organizationId: string | null; timestamp: string | null }
  | { kind: 'comment'; state: string | null; commentId: string | null; organizationId: string | null; timestamp: string | null }
  | { kind: 'app'; state: string | null; appId: string | null; memberId: string | null; organizationId: string | null; timestamp: string | null }
  | { kind: 'ping' }
  | { kind: 'other'; data: unknown }

/** One event of Hootsuite's payload (`raw`). */
export interface HootsuiteEvent {
  /** `seq_no`: a 64-bit sequence number as text. */
  seqNo: string | null
  /** `com.hootsuite.messages.event.v1`, ... */
  type: string
  /** The decoded data. */
  data: HootsuiteData
  /** Other fields of the event, unchanged. */
  extra: Record<string, unknown>
}

/** One unit of work: process each `key` once (it is made of signed bytes only). */
export interface Unit {
  /** The idempotency key (`hs:<instanceId>:<seq_no>`, `ce:...`, `nb:...`). */
  key: string
  /** What it refers to; `rejected`: an event that could not be read. */
  kind: 'hootsuite_event' | 'element_event' | 'notification' | 'rejected'
  /** The index in `hootsuiteEvents`, `events` or `rejected`; null for a whole notification. */
  index: number | null
}

/**
 * An event of a notification that could not be read. A signed batch is not refused for one
 * (a refused delivery is retried until Cloud Elements switches the subscription off): `process`
 * records it once without calling the handler and lists it in `Outcome.rejected`.
 */
export interface Rejected {
  /** The list it was in: `hootsuite_event` (`raw`) or `element_event` (`events`). */
  source: 'hootsuite_event' | 'element_event'
  /** Its position in that list, as received. */
  position: number
  /** Its unit's key; null for a Cloud Elements event when the units are the Hootsuite events. */
  key: string | null
  /** What is wrong: `wrong_type`, `missing_field`, ... */
  code: string
  /** Where in the body: keys and indices. */
  path: (string | number)[]
  /** What is wrong and what was expected. */
  message: string
  /** The event's JSON as received. */
  raw: unknown
}

/** An event notification from Cloud Elements: every field kept. */
export interface Notification {
  /** `message` or `legacy`. */
  shape: 'message' | 'legacy'
  /** The envelope's `id`. */
  id: string | null
  topic: string | null
  action: string | null
  severity: string | null
  createdDate: string | null
  /** `user`, as sent. */
  user: unknown
  eventId: string | null
  instanceId: number | null
  instanceName: string | null
  instanceTags: string[] | null
  elementKey: string | null
  accountId: string | null
  companyId: string | null
  userId: string | null
  /** `notificationId` (older shape). */
  notificationId: string | null
  /** The normalized events. */
  events: ElementEvent[]
  /** Hootsuite's own events, decoded from `raw`. */
  hootsuiteEvents: HootsuiteEvent[]
  /** The events of `raw` and `events` that could not be read. */
  rejected: Rejected[]
  /** `raw` as received. */
  raw: unknown
  /** The units of work, each with its idempotency key. */
  units: Unit[]
  /** The `Elements-Webhook-Id` header: information only (not signed). */
  webhookId: string | null
  /** Which verifier key matched (0: the first), when verified. */
  keyIndex: number | null
  /** Other fields of `message`, unchanged. */
  messageExtra: Record<string, unknown>
  /** Other top-level fields, unchanged. */
  extra: Record<string, unknown>
}

/** The answer to a claim. */
export type Claim = { status: 'claimed'; token: string } | { status: 'done' } | { status: 'in_progress' }

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

/** A step of the claim loop (`Steps`): what `process` does next. */
export type Step =
  | { type: 'claim'; keys: string[] }
  | { type: 'handle'; index: number }
  | { type: 'settle'; complete: [string, string][]; release: [string, string][] }
  | { type: 'done'; tally: { status: number; processed: number; skipped: number; inProgress: number; failed: number; lostLeases: number; rejected: number[] } }

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
