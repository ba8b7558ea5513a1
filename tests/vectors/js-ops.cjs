'use strict'
// The vector operations for the JavaScript packages (Node, its WebAssembly fallback and the
// WebAssembly package share one camelCase API): every runner computes each case's whole result
// here, compares it with the recorded snapshot (js/results.json) and checks the language-neutral
// `expected` of the vector file against it. A new vector operation is added in one place.
const fs = require('node:fs')
const path = require('node:path')

const FILES = ['validation.json', 'requests.json', 'responses.json', 'callbacks.json', 'events.json', 'signatures.json']
const SNAPSHOT = path.join(__dirname, 'js', 'results.json')
const vectors = (file) => JSON.parse(fs.readFileSync(path.join(__dirname, file), 'utf8')).cases

/** The request a `requests.json` case builds; `config` is whatever the package takes. */
function buildRequest(he, config, op, a) {
  const body = a.body_text ?? a.body
  const ops = {
    redirect_url: () => he.redirectUrlRequest(config, { apiKey: a.api_key, apiSecret: a.api_secret, callbackUrl: a.callback_url, state: a.state, scope: a.scope, siteAddress: a.site_address, callbackProxy: a.callback_proxy, requestToken: a.request_token, oauthProxyName: a.oauth_proxy_name, extra: a.extra }),
    redirect_url_post: () => he.redirectUrlRequest(config, { apiKey: a.api_key, apiSecret: a.api_secret, callbackUrl: a.callback_url, state: a.state, callbackProxy: a.callback_proxy, oauthProxyName: a.oauth_proxy_name, extra: a.extra, post: true }),
    create_instance: () => he.createInstanceRequest(config, body),
    get_instance: () => he.getInstanceRequest(config, a.id),
    delete_instance: () => he.deleteInstanceRequest(config, a.id),
    set_enabled: () => he.setEnabledRequest(config, a.id, a.enabled),
    list_instances: () => he.listInstancesRequest(config, { tags: a.tags, searchText: a.search_text, pageSize: a.page_size, nextPage: a.next_page, hydrate: a.hydrate }),
    instance_events: () => he.instanceEventsRequest(config, a.id),
    instance_events_page: () => he.instanceEventsPageRequest(config, a.id ?? null, { pageSize: a.page_size, nextPage: a.next_page }),
    instance_event: () => he.instanceEventRequest(config, a.id ?? null, a.event_id),
    configuration: () => he.configurationRequest(config, a.id),
    update_configuration: () => he.updateConfigurationRequest(config, a.id, a.config_id, a.property_value),
    update_event_callback: () => he.updateEventCallbackRequest(config, a.id, a.url),
    set_events: () => he.setEventsRequest(config, a.id, a.enabled),
    reauthenticate_code: () => he.reauthenticateCodeRequest(config, a.id, a.code),
    reauthenticate: () => he.reauthenticateRequest(config, a.id, body),
    list_deliveries: () => he.listDeliveriesRequest(config, { status: a.status, url: a.url, instanceId: a.instance_id, pageSize: a.page_size, nextPage: a.next_page }),
    redeliver: () => he.redeliverRequest(config, { status: a.status, url: a.url, instanceId: a.instance_id, pageSize: a.page_size }),
    reenable: () => he.reenableRequest(config, a.id),
    failure_policy: () => he.failurePolicyRequest(config),
    set_failure_policy: () => he.setFailurePolicyRequest(config, a.policy),
  }
  if (!ops[op]) throw new Error(`unknown op ${op}`)
  return ops[op]()
}

/** The parsers of `responses.json`, by op. */
function parsers(he) {
  return { instance: he.parseInstance, instance_page: he.parseInstancePage, instance_events: he.parseInstanceEvents, instance_event_page: he.parseInstanceEventPage, instance_event: he.parseInstanceEvent, configuration: he.parseConfiguration, configuration_entry: he.parseConfigurationEntry, redirect_url: he.parseRedirectUrl, deliveries: he.parseDeliveries, delivery_page: he.parseDeliveryPage, failure_policy: he.parseFailurePolicy, empty: (r) => he.parseEmpty(r) ?? null }
}

/** A `validation.json` case's report: with `step1_callback_url`, checked against step 1. */
function validate(he, i) {
  const data = 'text' in i ? i.text : i.json
  return 'step1_callback_url' in i ? he.validateInstance(data, i.step1_callback_url) : he.validateInstance(data)
}

/** The key input of a `signatures.json` case: `keys` (the current one first) or `key`. */
const keysOf = (input) => input.keys ?? input.key

/**
 * A value as plain data with nothing left out: class instances (a Request, an error's details)
 * become plain objects, an own property that is not enumerable (an instance's `token`) is
 * kept under `(hidden) <name>`, so that a comparison sees it and sees that it is hidden, and
 * the getters of a class's prototype (a Request's `url`, `headers`, `body`) are its fields.
 */
function reveal(value) {
  if (Array.isArray(value)) return value.map(reveal)
  if (value === null || typeof value !== 'object') return value
  const out = {}
  for (const key of Object.getOwnPropertyNames(value)) {
    const shown = Object.getOwnPropertyDescriptor(value, key).enumerable ? key : `(hidden) ${key}`
    out[shown] = reveal(value[key])
  }
  const proto = Object.getPrototypeOf(value)
  if (proto !== null && proto !== Object.prototype && !(value instanceof Error)) {
    for (const [key, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
      if (d.get && !(key in out)) out[key] = reveal(value[key])
    }
  }
  return out
}

/** A call's whole outcome: its value, or the error's class and data. */
function outcome(fn) {
  try {
    return { ok: reveal(fn()) }
  } catch (e) {
    if (!(e instanceof Error) || !e.details) throw e
    if (e.code !== e.details.code) throw new Error(`${e.name}: code ${e.code} is not the details' ${e.details.code}`)
    return { error: e.name, details: reveal(e.details) }
  }
}

/**
 * Every case of every vector file through the package `he`, as `{'<file> / <case>': outcome}`.
 * `account(baseUrl, userSecret, organizationSecret)` makes what the request builders take.
 */
function results(he, account) {
  const bytes = (s) => Buffer.from(s ?? '')
  const P = parsers(he)
  const run = {
    'validation.json': (i) => {
      const report = validate(he, i)
      if ('step1_callback_url' in i) return { report }
      return { report, body: outcome(() => he.buildInstanceBody('text' in i ? i.text : i.json)) }
    },
    'requests.json': (i) =>
      i.op === 'hootsuite_webhook_url' ? { value: he.hootsuiteWebhookUrl(i.base_url, i.args.id) } : buildRequest(he, account(i.base_url, i.user_secret, i.organization_secret), i.op, i.args),
    'responses.json': (i) => P[i.op]({ status: i.status, headers: i.headers, body: bytes(i.body) }),
    'callbacks.json': (i) => {
      const code = he.parseCallback(i.url, i.expected_state)
      return { type: code.constructor.name, code: code.getSecretValue(), shown: String(code), json: JSON.stringify({ code }) }
    },
    'events.json': (i) => he.parseEventNotification(bytes(i.body)),
    'signatures.json': (i) => {
      const body = bytes(i.body)
      if (i.op === 'sign') return { header: he.sign(i.key, body) }
      const options = { allowLegacySha1: i.allow_legacy_sha1, maxBodySize: i.max_body_size }
      if (i.op === 'verify') return { keyIndex: he.verifySignature(keysOf(i), body, i.header, options) }
      return he.verifyEvent(keysOf(i), i.headers, body, options)
    },
  }
  const out = {}
  for (const file of FILES) for (const c of vectors(file)) out[`${file} / ${c.name}`] = outcome(() => run[file](c.input))
  return out
}

// Keys whose values are user data: their own keys stay as sent.
const RAW = new Set(['raw', 'extra', 'messageExtra', 'user', 'configuration', 'headers', 'body'])
const snake = (k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())

/**
 * A camelCase result with the snake_case field names the vector files use (user data as it is,
 * and so is the `data` of a Hootsuite event of an unknown type, `kind: 'other'`); a hidden
 * token reads as Rust's plain serialization writes it, masked.
 */
function plain(value) {
  if (Array.isArray(value)) return value.map(plain)
  if (value === null || typeof value !== 'object') return value
  const other = value.kind === 'other'
  const out = {}
  for (const [k, v] of Object.entries(value)) {
    if (k.startsWith('(hidden) ')) continue
    out[snake(k)] = RAW.has(k) || (other && k === 'data') ? v : plain(v)
  }
  if ('token_masked' in out) out.token = out.token_masked
  return out
}

/**
 * Checks what a vector file's language-neutral `expected` says: every key it names equals in
 * `actual` (a null there stands for an absent value too). The whole result is checked against
 * the snapshot; this checks it against the file, which is the same for every language.
 */
function subset(expected, actual, at = '$') {
  if (actual === undefined) actual = null
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) throw new Error(`${at}: expected an object, got ${JSON.stringify(actual)}`)
    for (const [k, v] of Object.entries(expected)) subset(v, actual[k], `${at}.${k}`)
    return
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual) || actual.length !== expected.length) throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
    expected.forEach((e, i) => subset(e, actual[i], `${at}[${i}]`))
    return
  }
  if (expected !== actual) throw new Error(`${at}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`)
}

/** What a case's `expected` describes of its outcome, in the vector file's terms. */
function vectorView(file, input, result) {
  if (result.error) return { error: result.details }
  const r = result.ok
  switch (file) {
    case 'validation.json':
      return r.body && r.body.ok ? { ...plain(r.report), body: r.body.ok, body_text: JSON.stringify(r.body.ok) } : plain(r.report)
    case 'requests.json':
      return 'value' in r ? r : { method: r.method, url: r.url, headers: r.headers, body: r.body === null ? null : JSON.parse(r.body), body_text: r.body }
    case 'callbacks.json':
      return { code: r.code }
    case 'signatures.json':
      if (input.op === 'sign') return r
      if (input.op === 'verify') return { valid: true, key_index: r.keyIndex }
      return { ok: plain(r) }
    default:
      return { ok: plain(r) }
  }
}

/** The recorded results; HOOTSUITE_EVENTS_UPDATE_SNAPSHOTS=1 records `actual` instead. */
function snapshot(actual) {
  if (process.env.HOOTSUITE_EVENTS_UPDATE_SNAPSHOTS === '1') {
    fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true })
    fs.writeFileSync(SNAPSHOT, JSON.stringify(actual, null, 1) + '\n')
  }
  return JSON.parse(fs.readFileSync(SNAPSHOT, 'utf8'))
}

/**
 * The runners' tests: one a case (its whole result equals the snapshot, key order included,
 * and the vector file's `expected` holds of it), and one that every file and case ran.
 */
function testVectors(he, account) {
  const test = require('node:test')
  const assert = require('node:assert/strict')
  const actual = results(he, account)
  const recorded = snapshot(actual)
  for (const file of FILES) {
    for (const c of vectors(file)) {
      const key = `${file} / ${c.name}`
      test(key, () => {
        assert.deepStrictEqual(actual[key], recorded[key])
        assert.equal(JSON.stringify(actual[key]), JSON.stringify(recorded[key]), 'the same key order')
        subset(c.expected, vectorView(file, c.input, actual[key]))
      })
    }
  }
  test('every case of every vector file ran, and the snapshot holds nothing else', () => {
    assert.deepEqual(fs.readdirSync(__dirname).filter((f) => f.endsWith('.json')).sort(), [...FILES].sort())
    assert.equal(Object.keys(actual).length, FILES.reduce((n, f) => n + vectors(f).length, 0))
    assert.deepStrictEqual(Object.keys(recorded).sort(), Object.keys(actual).sort())
  })
  return recorded
}

module.exports = { FILES, vectors, buildRequest, parsers, validate, keysOf, reveal, outcome, results, plain, subset, vectorView, snapshot, testVectors }
