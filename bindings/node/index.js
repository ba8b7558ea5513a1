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

// The parsers of an HTTP answer. Each has an `…Async` twin that also takes a fetch Response.
const RESPONSE_PARSERS = ['parseRedirectUrl', 'parseInstance', 'parseInstancePage', 'parseInstanceEvents', 'parseEmpty']

// A fetch Response (Node's, undici's, a browser's): its body can only be read asynchronously.
function isFetchResponse(v) {
  return v !== null && typeof v === 'object' && typeof v.arrayBuffer === 'function' && typeof v.status === 'number' && v.headers !== null && typeof v.headers === 'object' && typeof v.headers.get === 'function'
}

function refuseFetchResponse(name) {
  return new TypeError(
    `${name}() was given a fetch Response, whose body can only be read asynchronously: use \`await ${name}Async(response)\`, ` +
      `or ${name}({ status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) })`,
  )
}

function wrapFunction(name, fn) {
  const jsonArg = JSON_ARGS[name]
  const jsonResult = JSON_RESULTS.has(name)
  const isRequest = name.endsWith('Request')
  const takesResponse = RESPONSE_PARSERS.includes(name)
  return function (...args) {
    if (takesResponse && isFetchResponse(args[0])) throw refuseFetchResponse(name)
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

for (const [name, value] of Object.entries(native)) {
  if (name.startsWith('__') || name === 'redactRequest') continue
  if (typeof value === 'function') {
    module.exports[name] = /^[A-Z]/.test(name) ? wrapClass(value) : wrapFunction(name, value)
  } else {
    module.exports[name] = value
  }
}
for (const name of RESPONSE_PARSERS) {
  const parse = module.exports[name]
  module.exports[`${name}Async`] = async function (response) {
    if (isFetchResponse(response)) {
      if (response.bodyUsed) {
        throw new TypeError(`${name}Async() was given a fetch Response whose body was already read: pass { status, headers, body } with the bytes you read`)
      }
      response = { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) }
    }
    return parse(response)
  }
}
Object.assign(module.exports, classes)
module.exports.SIGNATURE_HEADER = 'Elements-Webhook-Signature'
module.exports.WEBHOOK_ID_HEADER = 'Elements-Webhook-Id'
