'use strict'
// The vector operations for the JavaScript packages (Node and WebAssembly share one camelCase
// API): the node and wasm test runners both use this table, so a new vector operation is added
// in one place.

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
  const r = ops[op]()
  return { method: r.method, url: r.url, headers: r.headers, body: r.body === undefined || r.body === null ? null : JSON.parse(r.body) }
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


// Keys whose values are user data: their own keys stay as sent.
const RAW = new Set(['raw', 'extra', 'messageExtra', 'user', 'configuration', 'headers', 'body'])
const snake = (k) => k.replace(/[A-Z]/g, (c) => '_' + c.toLowerCase())

/**
 * A camelCase result as the snake_case JSON the vectors describe (the JavaScript packages name
 * struct fields in camelCase, as the core's naming adapter writes them); user data stays as it
 * is, and so does the `data` of a Hootsuite event of an unknown type (`kind: 'other'`).
 */
function plain(value) {
  if (Array.isArray(value)) return value.map(plain)
  if (value === null || typeof value !== 'object') return value === undefined ? null : value
  const other = value.kind === 'other'
  const out = {}
  for (const [k, v] of Object.entries(value)) out[snake(k)] = RAW.has(k) || (other && k === 'data') ? v : plain(v)
  if ('token_masked' in out) out.token = out.token_masked
  return out
}

/** The key input of a `signatures.json` case: `keys` (the current one first) or `key`. */
const keysOf = (input) => input.keys ?? input.key

module.exports = { buildRequest, parsers, plain, keysOf, validate }
