'use strict'
// Where no native addon matches the platform (an optional platform package not installed, or
// a platform without one), the WebAssembly build of the same core (hootsuite-events-wasm's
// CommonJS build) serves every export of the native addon, with the same results: both give
// the core's types in JavaScript's naming. index.js wraps it as it wraps the addon (errors into
// the same classes, the Request class, the …Async parsers); the tests run the whole suite on it.

// The native addon's functions and classes that the WebAssembly build has under the same name.
const SERVED = [
  'AuthorizationCode',
  'NativeMemoryStore',
  'PostgresProtocol',
  'RedisProtocol',
  'Steps',
  'baseUrlPresets',
  'buildInstanceBody',
  'createInstanceSchema',
  'hootsuiteWebhookUrl',
  'newClaimToken',
  'parseCallback',
  'parseConfiguration',
  'parseConfigurationEntry',
  'parseDeliveries',
  'parseDeliveryPage',
  'parseEmpty',
  'parseEventNotification',
  'parseFailurePolicy',
  'parseInstance',
  'parseInstanceEvent',
  'parseInstanceEventPage',
  'parseInstanceEvents',
  'parseInstancePage',
  'parseRedirectUrl',
  'redactRequest',
  'sign',
  'outcomeStatus',
  'validateInstance',
  'validateInstanceUpdate',
  'verifyEvent',
  'verifySignature',
]
// The request builders: the native ones take a Config, the WebAssembly ones its plain account.
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
// The only exports of the (test build of the) addon that the fallback leaves out, and why.
const REFUSED = {
  __panicForTests: 'a panic in WebAssembly aborts the module (panic = "immediate-abort") instead of unwinding into an exception, so there is no panic to test',
}

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

  // The native Config checks the account when it is made; here the core's check runs through
  // one request built with it, and the plain object the wasm functions take stays private.
  const accounts = new WeakMap()
  const account = (config) => {
    const plain = accounts.get(config)
    if (!plain) throw new TypeError('config must be a hootsuite-events Config (new Config(baseUrl, userSecret, organizationSecret))')
    return plain
  }
  class Config {
    constructor(baseUrl, userSecret, organizationSecret) {
      const plain = { baseUrl, userSecret, organizationSecret }
      const probe = wasm.getInstanceRequest(plain, 1)
      accounts.set(this, plain)
      Object.defineProperty(this, 'baseUrl', { value: probe.url.slice(0, -'/instances/1'.length), enumerable: true })
    }
    instanceAuthorization(token) {
      return wasm.instanceAuthorization(account(this), token)
    }
    toJSON() {
      return { baseUrl: this.baseUrl }
    }
  }

  const api = { __backend: 'wasm', Config, ...wasm.constants() }
  for (const name of SERVED) api[name] = wasm[name]
  for (const name of REQUESTS) api[name] = (config, ...rest) => wasm[name](account(config), ...rest)
  return api
}

module.exports = { load, SERVED, REQUESTS, REFUSED }
