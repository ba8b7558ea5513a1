// The error classes of hootsuite-events-wasm, as in the Node package: each error has the
// stable `code`, the `details` (the same data in every language) and the details' fields as
// camelCase properties. The module throws plain Errors named after these; `convert` (used by
// the package's entry modules) turns them into instances.
export class HootsuiteEventsError extends Error {
  constructor(message, details) {
    super(message)
    this.name = new.target.name
    this.code = details.code
    this.details = details
  }
}
export class InvalidArgumentError extends HootsuiteEventsError {}
export class ValidationError extends HootsuiteEventsError {}
export class ApiError extends HootsuiteEventsError {}
export class ParseError extends HootsuiteEventsError {}
export class CallbackError extends HootsuiteEventsError {}
export class SignatureError extends HootsuiteEventsError {}

const CLASSES = { HootsuiteEventsError, InvalidArgumentError, ValidationError, ApiError, ParseError, CallbackError, SignatureError }

/** The module's error as an instance of its class; any other value is returned as it is. */
export function convert(e) {
  if (!(e instanceof Error) || !e.details || !Object.prototype.hasOwnProperty.call(CLASSES, e.name)) return e
  const error = new CLASSES[e.name](e.message, e.details)
  for (const [key, value] of Object.entries(e)) if (!(key in error)) error[key] = value
  return error
}
