'use strict'
// The package entry: the native addon's functions, with its errors turned into Error
// subclasses. This file holds no protocol logic; it only maps errors and normalizes
// `fetch` Headers objects into plain pairs.

const native = require('./native.js')

const MARKER = 'hootsuite-events:'

class HootsuiteEventsError extends Error {
  constructor(message, details) {
    super(message)
    this.name = new.target.name
    /** The stable machine-readable code. */
    this.code = details.code
    /** The error's data, the same in every language. */
    this.details = details
    for (const [key, value] of Object.entries(details)) {
      if (key === 'code' || key === 'display' || key === 'class' || key === 'message') continue
      this[key.replace(/_([a-z])/g, (_, c) => c.toUpperCase())] = value
    }
  }
}
class InvalidArgumentError extends HootsuiteEventsError {}
class ValidationError extends HootsuiteEventsError {}
class ApiError extends HootsuiteEventsError {
  /** The `message` field of Cloud Elements' error body (`error.message` is the whole sentence). */
  get apiMessage() {
    return this.details.message
  }
}
class ParseError extends HootsuiteEventsError {}
class CallbackError extends HootsuiteEventsError {}
class SignatureError extends HootsuiteEventsError {}

const classes = {
  HootsuiteEventsError,
  InvalidArgumentError,
  ValidationError,
  ApiError,
  ParseError,
  CallbackError,
  SignatureError,
}

function convert(e) {
  if (e && typeof e.message === 'string' && e.message.startsWith(MARKER)) {
    const details = JSON.parse(e.message.slice(MARKER.length))
    const Class = classes[details.class] || HootsuiteEventsError
    return new Class(details.display, details)
  }
  if (e && e.code === 'InvalidArg') {
    return new TypeError(e.message)
  }
  return e
}

// fetch's Headers (and Maps) have no own properties: give the addon plain pairs.
function plainHeaders(value) {
  const mapLike = value && typeof value === 'object' && !Array.isArray(value) && !ArrayBuffer.isView(value)
  if (mapLike && typeof value.entries === 'function' && typeof value.get === 'function') {
    return Array.from(value.entries())
  }
  return value
}

function normalize(arg) {
  if (arg && typeof arg === 'object' && !ArrayBuffer.isView(arg) && 'headers' in arg && 'status' in arg) {
    return { ...arg, headers: plainHeaders(arg.headers) }
  }
  return plainHeaders(arg)
}

// Arguments that are JSON documents (a create-instance body and the like): V8's JSON.stringify
// hands them to Rust several times faster than walking the object property by property
// through N-API (measured: validateInstance 7.6 µs from an object, 3.2 µs from text).
const JSON_ARGS = { validateInstance: 0, validateInstanceUpdate: 0, buildInstanceBody: 0, createInstanceRequest: 1, reauthenticateRequest: 2 }

const INSPECT = Symbol.for('nodejs.util.inspect.custom')

// A request holds the Authorization header and perhaps secrets in its body: what
// util.inspect and JSON.stringify show of it is the core's redacted copy. A class (rather than
// properties defined on each result) keeps that on one prototype, and V8 builds it fast.
class Request {
  constructor(r) {
    this.method = r.method
    this.url = r.url
    this.headers = r.headers
    this.body = r.body
  }
  toJSON() {
    return native.redactRequest(this)
  }
  [INSPECT](depth, options, inspect) {
    return `Request ${inspect(native.redactRequest(this), options)}`
  }
}

// Results that cross as JSON text for the same reason (their declared type is the object).
const JSON_RESULTS = new Set(['verifyEvent', 'parseEventNotification'])

function wrapFunction(name, fn) {
  const jsonArg = JSON_ARGS[name]
  const jsonResult = JSON_RESULTS.has(name)
  const isRequest = name.endsWith('Request')
  return function (...args) {
    try {
      if (jsonArg !== undefined && args[jsonArg] !== null && typeof args[jsonArg] === 'object') {
        args[jsonArg] = JSON.stringify(args[jsonArg])
      }
      const result = fn(...args.map(normalize))
      if (jsonResult) return JSON.parse(result)
      return isRequest ? new Request(result) : result
    } catch (e) {
      throw convert(e)
    }
  }
}

function wrapClass(Class) {
  // Methods too: their core errors become the same Error subclasses as the functions'.
  for (const name of Object.getOwnPropertyNames(Class.prototype)) {
    const d = Object.getOwnPropertyDescriptor(Class.prototype, name)
    if (name === 'constructor' || typeof d.value !== 'function') continue
    const method = d.value
    Object.defineProperty(Class.prototype, name, {
      ...d,
      value: function (...args) {
        try {
          return method.apply(this, args)
        } catch (e) {
          throw convert(e)
        }
      },
    })
  }
  return new Proxy(Class, {
    construct(target, args, newTarget) {
      try {
        return Reflect.construct(target, args, newTarget)
      } catch (e) {
        throw convert(e)
      }
    },
  })
}

const LOOPED = new Set(['redactRequest'])
for (const [name, value] of Object.entries(native)) {
  if (name.startsWith('__') || LOOPED.has(name)) continue
  if (typeof value === 'function') {
    module.exports[name] = /^[A-Z]/.test(name) ? wrapClass(value) : wrapFunction(name, value)
  } else {
    module.exports[name] = value
  }
}
Object.assign(module.exports, classes)
module.exports.SIGNATURE_HEADER = 'Elements-Webhook-Signature'
module.exports.WEBHOOK_ID_HEADER = 'Elements-Webhook-Id'

// Time for the store: the native store reads no clock, so `nowMs` comes from here.
function nowOf(options) {
  return options && options.nowMs !== undefined ? options.nowMs : Date.now()
}

/**
 * The core's bounded in-process store of claims (claim → complete, or release on failure).
 * Its methods are synchronous; `process` awaits them like those of any store, so a shared
 * store (Redis) with the same three methods returning promises plugs in the same way.
 */
class MemoryStore {
  #inner
  constructor(options = {}) {
    this.#inner = new module.exports.NativeMemoryStore(options.capacity, options.retentionMs)
  }
  /** `{status: 'claimed', token}`, `{status: 'done'}` or `{status: 'in_progress'}`. */
  claim(key, options = {}) {
    const leaseMs = options.leaseMs === undefined ? native.DEFAULT_LEASE_MS : options.leaseMs
    const r = this.#inner.claim(key, leaseMs, nowOf(options))
    return r.token === undefined || r.token === null ? { status: r.status } : { status: r.status, token: r.token }
  }
  /** Marks the claimed key processed; false when the claim was lost (lease expired and taken over). */
  complete(key, token, options = {}) {
    return this.#inner.complete(key, token, nowOf(options))
  }
  /** Gives the claim up after a failure, so that the next delivery processes the key. */
  release(key, token) {
    return this.#inner.release(key, token)
  }
  /** How many keys are held. */
  get size() {
    return this.#inner.size
  }
}

const CLAIM_STATUSES = new Set(['claimed', 'done', 'in_progress'])

/**
 * Processes each unit of work of `notification` once: claims its key in `store`, awaits
 * `handler(work)`, completes the claim; when the handler throws, releases the claim and
 * rethrows (answer STATUS_FAILED: Cloud Elements retries). Resolves to an Outcome whose
 * `status` (the core's rule) is what to answer Cloud Elements.
 */
async function processNotification(store, notification, handler, options = {}) {
  if (!store || typeof store.claim !== 'function' || typeof store.complete !== 'function' || typeof store.release !== 'function') {
    throw new TypeError('store must have claim(key, {leaseMs, nowMs}), complete(key, token, {nowMs}) and release(key, token) methods (a MemoryStore or a shared store)')
  }
  if (!notification || !Array.isArray(notification.units)) {
    throw new TypeError('notification must be the result of verifyEvent or parseEventNotification (it has no units)')
  }
  if (typeof handler !== 'function') throw new TypeError('handler must be a function (work) => void or Promise')
  const leaseMs = options.leaseMs === undefined ? native.DEFAULT_LEASE_MS : options.leaseMs
  const outcome = { status: 0, processed: 0, skipped: 0, inProgress: 0, failed: 0, lostLeases: 0 }
  for (const unit of notification.units) {
    const claim = await store.claim(unit.key, { leaseMs, nowMs: Date.now() })
    if (!claim || !CLAIM_STATUSES.has(claim.status)) {
      throw new TypeError(`store.claim returned ${JSON.stringify(claim)}; expected {status: 'claimed', token}, {status: 'done'} or {status: 'in_progress'}`)
    }
    if (claim.status === 'done') {
      outcome.skipped++
      continue
    }
    if (claim.status === 'in_progress') {
      outcome.inProgress++
      continue
    }
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
    if (!(await store.complete(unit.key, claim.token, { nowMs: Date.now() }))) outcome.lostLeases++
  }
  outcome.status = native.status(outcome.inProgress, outcome.failed)
  return outcome
}

module.exports.MemoryStore = MemoryStore
module.exports.process = processNotification
