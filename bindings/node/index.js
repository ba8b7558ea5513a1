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
  if (arg instanceof native.AuthorizationCode) return arg.getSecretValue()
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

// An AuthorizationCode serializes as `********` (its toJSON); where it is the value of a JSON
// argument (`providerData: {code}`), the body must carry the code itself. A replacer sees the
// holder (`this`) before toJSON's result replaces the value.
function unwrapCodes(key, value) {
  const original = this[key]
  return original instanceof native.AuthorizationCode ? original.getSecretValue() : value
}

// An instance's token and clear configuration secrets stay readable by name but are not
// enumerable, so util.inspect (console.log), JSON.stringify and spreading leave them out.
function hideInstanceSecrets(instance) {
  for (const key of ['token', 'configurationSecrets']) {
    Object.defineProperty(instance, key, { value: instance[key], enumerable: false, writable: false })
  }
  return instance
}
const INSTANCE_RESULTS = {
  parseInstance: hideInstanceSecrets,
  parseInstancePage: (page) => {
    page.instances.forEach(hideInstanceSecrets)
    return page
  },
}

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
  const instanceResult = INSTANCE_RESULTS[name]
  return function (...args) {
    try {
      if (jsonArg !== undefined && args[jsonArg] !== null && typeof args[jsonArg] === 'object') {
        args[jsonArg] = JSON.stringify(args[jsonArg], unwrapCodes)
      }
      const result = fn(...args.map(normalize))
      if (jsonResult) return JSON.parse(result)
      if (instanceResult) return instanceResult(result)
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
// Present only in the test build (the `test-hooks` feature): forces a panic in Rust.
if (typeof native.__panicForTests === 'function') {
  module.exports.__panicForTests = wrapFunction('__panicForTests', native.__panicForTests)
}
Object.assign(module.exports, classes)
module.exports.SIGNATURE_HEADER = 'Elements-Webhook-Signature'
module.exports.WEBHOOK_ID_HEADER = 'Elements-Webhook-Id'
