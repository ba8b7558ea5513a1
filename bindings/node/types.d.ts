// The types of the server API, written once: the Node package exports them (index.d.ts), and
// the full WebAssembly build (`hootsuite-events-wasm/full`, `/node`, the Node package's
// fallback) declares them (bindings/wasm/src/full.rs includes this file in its TypeScript
// section). Plain `export interface`/`export type` only, no import: the glue of wasm-bindgen
// takes the text as it is. The create-instance form's types are in form-types.d.ts.

/** Raw bytes as received (a Buffer is a Uint8Array). */
export type Bytes = Uint8Array | ArrayBuffer
/**
 * Headers: an object (a value that is not a string is sent as its JSON text, an undefined one
 * left out), `[name, value]` pairs, or fetch's Headers (or a Map): what has `entries()` and
 * `get()`.
 */
export type HeadersInput =
  | Record<string, string | string[] | number | undefined>
  | Array<[string, string]>
  | { entries(): Iterable<[string, string]>; get(name: string): unknown }

/** A JSON Schema (2020-12) document. */
export type JsonSchema = Record<string, unknown>

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

/** A step of the claim loop (`Steps`): what `process` does next. */
export type Step =
  | { type: 'claim'; keys: string[] }
  | { type: 'handle'; index: number }
  | { type: 'settle'; complete: [string, string][]; release: [string, string][] }
  | { type: 'done'; tally: { status: number; processed: number; skipped: number; inProgress: number; failed: number; lostLeases: number; rejected: number[] } }
