'use strict'
// Where no native addon matches the platform (an optional platform package not installed, or
// a platform without one), the WebAssembly build of the same core (hootsuite-events-wasm's
// CommonJS build) serves every export of the native addon, with the same results: both read
// their arguments with one source (bindings/js/read.rs) and give the core's types in
// JavaScript's naming. index.js wraps it as it wraps the addon (errors into the same classes,
// the Request class, the …Async parsers); the tests run the whole suite on it.

// What the WebAssembly package exports besides the native addon's exports: wasm-bindgen's
// loader, the constants' table (its values are exported too), the plain account's header, the
// browser form's preview, its error conversion and its error classes (index.js has its own).
const PLUMBING = ['constants', 'initSync', 'instanceAuthorization', 'previewInstanceRequest', 'convert']
const isErrorClass = (value) => typeof value === 'function' && value.prototype instanceof Error
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

  // A loader only: the build's own exports (its Config is the addon's kind of value, its
  // constants values).
  const api = { __backend: 'wasm' }
  for (const [name, value] of Object.entries(wasm)) if (!PLUMBING.includes(name) && !isErrorClass(value)) api[name] = value
  return api
}

module.exports = { load, PLUMBING, REFUSED }
