'use strict'
// Every case of tests/vectors/*.json through the npm package, on the backend this run loads
// (the native addon, or the WebAssembly fallback): the whole result equals the recorded
// snapshot (tests/vectors/js/results.json, the same for every JavaScript package), and what the
// vector file expects (the same results as Rust) holds of it.
const test = require('node:test')
const assert = require('node:assert/strict')
const he = require('hootsuite-events')
const path = require('node:path')
const { REPO } = require('./helpers.js')
const { subset, testVectors } = require(path.join(REPO, 'tests', 'vectors', 'js-ops.cjs'))

testVectors(he, (...account) => new he.Config(...account))

test('the subset matcher can fail', () => {
  assert.throws(() => subset({ a: 1 }, { a: 2 }))
  assert.throws(() => subset({ a: [1] }, { a: [1, 2] }))
  assert.throws(() => subset({ a: true }, { a: 1 }))
})

// Result objects keep the core's key order, the same on every call (a HashMap made it vary
// from run to run, which breaks users' snapshot tests and diffs of logged requests).
test('requests and instances keep a stable key order', () => {
  const config = new he.Config('us', 'u', 'o')
  const body = { element: { key: 'hootsuite' }, providerData: { code: 'c' }, name: 'n', configuration: { 'oauth.callback.url': 'https://a.example', 'oauth.api.key': 'k', 'oauth.api.secret': 's' } }
  for (let i = 0; i < 20; i++) {
    assert.deepEqual(Object.keys(he.createInstanceRequest(config, body).headers), ['Authorization', 'Accept', 'Content-Type'])
  }
  const keys = ['z.last', 'a.first', 'm.middle']
  const instance = he.parseInstance({
    status: 200,
    headers: {},
    body: JSON.stringify({ id: 1, token: 't', configuration: Object.fromEntries(keys.map((k) => [k, 'v'])) }),
  })
  // The core keeps an instance's configuration sorted by key (as every binding shows it).
  assert.deepEqual(Object.keys(instance.configuration), [...keys].sort())
})
