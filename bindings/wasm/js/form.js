// The browser package's entry module (copied to pkg/index.js by entries.mjs): the form's
// operations on the module's text exports (src/lib.rs). The form goes in as JSON text and the
// result comes back as JSON text, so an operation is one call into WebAssembly; a result
// starting with `!` is an error, thrown as its class from errors.js.
import init, * as glue from './hootsuite_events_wasm.js'
import * as errors from './errors.js'

export * from './errors.js'
export default init
export const initSync = glue.initSync

// The module's text parameters take strings only (anything else would reach its memory
// unchecked): refused here with the full build's TypeErrors, in its order.
const kind = (v) => (v === null ? 'null' : typeof v)
const NO_JSON = ['undefined', 'function', 'symbol', 'bigint']

// A value `JSON.stringify` gives no text for is refused; an object whose `toJSON` gives none
// goes in as `undefined`, and the module throws the TypeError.
const text = (form) => {
  if (typeof form === 'string') return form
  if (NO_JSON.includes(typeof form)) throw new TypeError(`the form must be an object or JSON text, got a value of type ${typeof form}`)
  return JSON.stringify(form)
}
const str = (v, name) => {
  if (typeof v === 'string') return v
  throw new TypeError(`${name} must be a string, got a value of type ${kind(v)}`)
}

const result = (out) => {
  if (out[0] !== '!') return JSON.parse(out)
  const { name, details } = JSON.parse(out.slice(1))
  if (name === 'TypeError') throw new TypeError(details.display)
  const error = new errors[name](details.display, details)
  // The details' fields as camelCase properties, as in the Node package.
  for (const key in details) if (key !== 'code' && key !== 'display' && key !== 'message') error[key.replace(/_(.)/g, (_, c) => c.toUpperCase())] = details[key]
  throw error
}

// The module's one export, `formText(op, form, arg, id)` (src/lib.rs): the operations' numbers.
const VALIDATE = 0
const BUILD = 1
const PREVIEW = 2
const WEBHOOK_URL = 3

export function validateInstance(form, callbackUrl) {
  const t = text(form)
  // Without JSON text for the form the module refuses it before reading the URL.
  return result(glue.formText(VALIDATE, t, t === undefined || callbackUrl == null ? undefined : str(callbackUrl, 'callbackUrl'), 0))
}

export function buildInstanceBody(form) {
  return result(glue.formText(BUILD, text(form), undefined, 0))
}

export function previewInstanceRequest(baseUrl, form) {
  const base = str(baseUrl, 'baseUrl')
  return result(glue.formText(PREVIEW, text(form), base, 0))
}

export function hootsuiteWebhookUrl(baseUrl, instanceId) {
  str(baseUrl, 'baseUrl')
  if (typeof instanceId !== 'number') throw new TypeError(`instanceId must be a number, got a value of type ${kind(instanceId)}`)
  return result(glue.formText(WEBHOOK_URL, undefined, baseUrl, instanceId))
}
