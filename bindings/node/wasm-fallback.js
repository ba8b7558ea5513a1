'use strict'
// Where no native addon matches the platform (an optional platform package not installed, or
// a platform without one), the WebAssembly build of the same core (hootsuite-events-wasm's
// CommonJS build) serves the functions whose results already equal the native addon's; a
// test compares the two on every shared vector. The others throw an error that says so,
// until Node and WebAssembly share one result model.

// Functions whose wasm results equal the native ones (the request builders through `Config`).
const SERVED = [
  'baseUrlPresets',
  'buildInstanceBody',
  'createInstanceSchema',
  'hootsuiteWebhookUrl',
  'parseEmpty',
  'parseFailurePolicy',
  'parseRedirectUrl',
  'sign',
  'verifySignature',
]
const REQUESTS = [
  'configurationRequest',
  'createInstanceRequest',
  'deleteInstanceRequest',
  'failurePolicyRequest',
  'getInstanceRequest',
  'instanceEventRequest',
  'instanceEventsPageRequest',
  'instanceEventsRequest',
  'listDeliveriesRequest',
  'listInstancesRequest',
  'reauthenticateCodeRequest',
  'reauthenticateRequest',
  'redeliverRequest',
  'redirectUrlRequest',
  'reenableRequest',
  'setEnabledRequest',
  'setEventsRequest',
  'setFailurePolicyRequest',
  'setSignatureKeyRequest',
  'updateConfigurationRequest',
  'updateEventCallbackRequest',
]
// Functions whose wasm results still differ in shape from the native ones (Node leaves absent
// values out where the wasm build writes null: issue 15).
const NOT_YET = [
  'parseConfiguration',
  'parseConfigurationEntry',
  'parseDeliveries',
  'parseDeliveryPage',
  'parseEventNotification',
  'parseInstance',
  'parseInstanceEvent',
  'parseInstanceEventPage',
  'parseInstanceEvents',
  'parseInstancePage',
  'validateInstance',
  'validateInstanceUpdate',
  'verifyEvent',
  // The receiving API (MemoryStore, process): not in the WebAssembly build yet.
  'NativeMemoryStore',
  'NativeRedisProtocol',
  'newClaimToken',
  'status',
]

function platformName() {
  let libc = ''
  if (process.platform === 'linux') {
    const report = process.report && typeof process.report.getReport === 'function' ? process.report.getReport() : null
    libc = report && report.header && report.header.glibcVersionRuntime ? '-gnu' : '-musl'
  }
  return `${process.platform}-${process.arch}${libc}`
}

function load(nativeError) {
  const platform = platformName()
  let wasm
  try {
    wasm = require('hootsuite-events-wasm/node')
  } catch (wasmError) {
    throw new Error(
      `Cannot load hootsuite-events: no native addon for ${platform} (the optional package hootsuite-events-${platform} is not installed, or there is none for this platform), ` +
        'and the WebAssembly fallback hootsuite-events-wasm is not installed either. Native packages exist for linux-x64-gnu, linux-x64-musl, linux-arm64-gnu, ' +
        'linux-arm64-musl, darwin-x64, darwin-arm64 and win32-x64-msvc; reinstall without --omit=optional / --no-optional, or install hootsuite-events-wasm.',
      { cause: new AggregateError([nativeError, wasmError]) },
    )
  }
  const notYet = (name) =>
    function () {
      throw new Error(
        `${name} is not available on ${platform}: no native addon matches this platform, and the WebAssembly fallback does not give the same result for it yet. ` +
          `Install on a platform with a native package (hootsuite-events-${platform} does not exist or is not installed).`,
      )
    }

  // The native Config checks the account when it is made; here the core's check runs through
  // one request built with it, and the plain object the wasm functions take stays private.
  const accounts = new WeakMap()
  class Config {
    constructor(baseUrl, userSecret, organizationSecret) {
      const plain = { baseUrl, userSecret, organizationSecret }
      const probe = wasm.getInstanceRequest(plain, 1)
      accounts.set(this, plain)
      Object.defineProperty(this, 'baseUrl', { value: probe.url.slice(0, -'/instances/1'.length), enumerable: true })
    }
    instanceAuthorization() {
      return notYet('Config.instanceAuthorization')()
    }
    toJSON() {
      return { baseUrl: this.baseUrl }
    }
  }
  const account = (config) => {
    const plain = accounts.get(config)
    if (!plain) throw new TypeError('config must be a hootsuite-events Config (new Config(baseUrl, userSecret, organizationSecret))')
    return plain
  }

  // The native parseCallback hands back the code in a wrapper that prints `********`; the same
  // here, around the wasm build's string.
  class AuthorizationCode {
    #code
    constructor(code) {
      this.#code = code
    }
    getSecretValue() {
      return this.#code
    }
    toString() {
      return '********'
    }
    toJSON() {
      return '********'
    }
  }
  const parseCallback = (url, expectedState) => new AuthorizationCode(wasm.parseCallback(url, expectedState))
  const api = { Config, AuthorizationCode, parseCallback, __backend: 'wasm' }
  for (const name of SERVED) api[name] = wasm[name]
  for (const name of REQUESTS) api[name] = (config, ...rest) => wasm[name](account(config), ...rest)
  for (const name of NOT_YET) api[name] = notYet(name)
  // What util.inspect and JSON.stringify show of a request: no header value, no body, no query.
  api.redactRequest = (r) => ({
    method: r.method,
    url: String(r.url).split('?')[0],
    headers: Object.fromEntries(Object.keys(r.headers || {}).map((k) => [k, '********'])),
    body: r.body === null || r.body === undefined ? null : '********',
  })
  return api
}

module.exports = { load, SERVED: [...SERVED, 'parseCallback'], REQUESTS, NOT_YET }
