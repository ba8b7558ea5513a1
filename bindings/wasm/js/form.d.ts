import type { CreateInstanceForm, CreateInstanceBody, ValidationReport, RequestPreview } from './hootsuite_events_wasm.js'

export type { CreateInstanceForm, CreateInstanceFields, CreateInstanceConfiguration, CreateInstanceBody, Issue, ValidationResult, ValidationReport, HttpRequest, RequestPreview, InitInput, InitOutput, SyncInitInput } from './hootsuite_events_wasm.js'
export { default, initSync } from './hootsuite_events_wasm.js'
export * from './errors.js'

/**
 * Every problem of a create-instance body (an object or JSON text), as data:
 * `{valid, errors, warnings}`, each issue `{path, code, message, label}`. Never throws on
 * invalid data; fast enough to run on every keystroke (one call into WebAssembly).
 * With `callbackUrl` (step 1's), `oauth.callback.url` must equal it (`callback_mismatch`).
 */
export function validateInstance(form: unknown, callbackUrl?: string | null): ValidationReport

/** The canonical body of a valid input; throws a `ValidationError` otherwise. */
export function buildInstanceBody(form: CreateInstanceForm): CreateInstanceBody

/**
 * The request `POST /instances` would be, made safe to show: built with placeholder account
 * secrets (a browser never holds the real ones), every secret masked, the body
 * pretty-printed, and a `curl` command line. Throws an `InvalidArgumentError` for a bad base
 * URL and a `ValidationError` for an invalid form.
 */
export function previewInstanceRequest(baseUrl: string, form: CreateInstanceForm): RequestPreview

/** `<base URL>/events/hootsuite/<Base64 of the id>`: the URL to paste into the Hootsuite app. */
export function hootsuiteWebhookUrl(baseUrl: string, instanceId: number): string
