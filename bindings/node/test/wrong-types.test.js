'use strict'
// Wrong-type arguments (undefined, null, numbers for strings, strings for bytes, missing fields)
// give the same outcome, error class, code and message natively, on the WebAssembly fallback
// and in the WebAssembly package: the three read their arguments with one source
// (bindings/js/read.rs). In the native run the fallback's outcomes come from a scratch install
// without the platform package; the WebAssembly package is called directly (it takes the plain
// account where the Node package takes a Config).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const util = require('node:util')
const { spawnSync } = require('node:child_process')
const he = require('hootsuite-events')

const ACCOUNT = ['us', 'USER-SECRET', 'ORG-SECRET']
const BYTES = new TextEncoder().encode('{"message":{}}')
const REDIRECT = { apiKey: 'k', apiSecret: 's', callbackUrl: 'https://app.example/cb' }

/** Each case: a call with wrong-type arguments; `config` is what the package takes. */
const CASES = {
  'verifyEvent: undefined key': (p, c) => p.verifyEvent(undefined, {}, BYTES),
  'verifyEvent: number key': (p, c) => p.verifyEvent(5, {}, BYTES),
  'verifyEvent: a number among the keys': (p, c) => p.verifyEvent(['a', 5], {}, BYTES),
  // Sparse arrays whose length alone is huge: refused before an element is read, and the
  // WebAssembly module still answers the cases after them.
  'verifyEvent: a sparse array of 2e7 keys': (p, c) => p.verifyEvent(new Array(2e7), {}, BYTES),
  'verifyEvent: a sparse array of header pairs': (p, c) => p.verifyEvent('k', new Array(2e7), BYTES),
  'listInstancesRequest: a sparse tags array': (p, c) => p.listInstancesRequest(c, { tags: new Array(70000) }),
  'verifyEvent: undefined headers': (p, c) => p.verifyEvent('k', undefined, BYTES),
  'verifyEvent: number headers': (p, c) => p.verifyEvent('k', 5, BYTES),
  'verifyEvent: undefined body': (p, c) => p.verifyEvent('k', {}, undefined),
  'verifyEvent: null body': (p, c) => p.verifyEvent('k', {}, null),
  'verifyEvent: string body': (p, c) => p.verifyEvent('k', {}, '{}'),
  'verifyEvent: parsed body': (p, c) => p.verifyEvent('k', {}, { message: {} }),
  'verifyEvent: number body': (p, c) => p.verifyEvent('k', {}, 5),
  'verifyEvent: ArrayBuffer body': (p, c) => p.verifyEvent('k', {}, BYTES.buffer.slice(0)),
  'verifyEvent: string maxBodySize': (p, c) => p.verifyEvent('k', {}, BYTES, { maxBodySize: '10' }),
  'verifyEvent: number options': (p, c) => p.verifyEvent('k', {}, BYTES, 5),
  'verifyEvent: string allowLegacySha1': (p, c) => p.verifyEvent('k', {}, BYTES, { allowLegacySha1: 'yes' }),
  'verifySignature: string body': (p, c) => p.verifySignature('k', '{}', 'sha256=00'),
  'verifySignature: number header': (p, c) => p.verifySignature('k', BYTES, 5),
  'sign: number key': (p, c) => p.sign(5, BYTES),
  'sign: undefined body': (p, c) => p.sign('k', undefined),
  'getInstanceRequest: undefined config': (p, c) => p.getInstanceRequest(undefined, 1),
  'getInstanceRequest: string config': (p, c) => p.getInstanceRequest('us', 1),
  'new Config: number base URL': (p, c) => new p.Config(5, 'u', 'o'),
  'new Config: undefined secret': (p, c) => new p.Config('us', undefined, 'o'),
  'new Config: empty secret': (p, c) => new p.Config('us', '', 'o'),
  'new Config: unknown preset': (p, c) => new p.Config('mars', 'u', 'o'),
  'getInstanceRequest: string id': (p, c) => p.getInstanceRequest(c, '12'),
  'getInstanceRequest: undefined id': (p, c) => p.getInstanceRequest(c, undefined),
  'getInstanceRequest: negative id': (p, c) => p.getInstanceRequest(c, -1),
  'setEnabledRequest: string flag': (p, c) => p.setEnabledRequest(c, 1, 'yes'),
  'setEnabledRequest: undefined flag': (p, c) => p.setEnabledRequest(c, 1),
  'updateEventCallbackRequest: number url': (p, c) => p.updateEventCallbackRequest(c, 1, 5),
  'updateConfigurationRequest: null value': (p, c) => p.updateConfigurationRequest(c, 1, 2, null),
  'instanceEventRequest: string id': (p, c) => p.instanceEventRequest(c, 'x', 'e'),
  'instanceEventRequest: number event id': (p, c) => p.instanceEventRequest(c, null, 5),
  'instanceEventsPageRequest: string pageSize': (p, c) => p.instanceEventsPageRequest(c, 1, { pageSize: '10' }),
  'instanceEventsPageRequest: number nextPage': (p, c) => p.instanceEventsPageRequest(c, 1, { nextPage: 5 }),
  'listInstancesRequest: string tags': (p, c) => p.listInstancesRequest(c, { tags: 'a' }),
  'listInstancesRequest: a number among the tags': (p, c) => p.listInstancesRequest(c, { tags: ['a', 1] }),
  'listInstancesRequest: string hydrate': (p, c) => p.listInstancesRequest(c, { hydrate: 'yes' }),
  'listInstancesRequest: number options': (p, c) => p.listInstancesRequest(c, 5),
  'listInstancesRequest: null options': (p, c) => p.listInstancesRequest(c, null),
  'redirectUrlRequest: empty options': (p, c) => p.redirectUrlRequest(c, {}),
  'redirectUrlRequest: no callbackUrl': (p, c) => p.redirectUrlRequest(c, { apiKey: 'k', apiSecret: 's' }),
  'redirectUrlRequest: undefined options': (p, c) => p.redirectUrlRequest(c, undefined),
  'redirectUrlRequest: a number in extra': (p, c) => p.redirectUrlRequest(c, { ...REDIRECT, extra: { a: 1 } }),
  'redirectUrlRequest: string post': (p, c) => p.redirectUrlRequest(c, { ...REDIRECT, post: 'yes' }),
  'listDeliveriesRequest: unknown status': (p, c) => p.listDeliveriesRequest(c, { status: 'bogus' }),
  'listDeliveriesRequest: string instanceId': (p, c) => p.listDeliveriesRequest(c, { instanceId: 'x' }),
  'setFailurePolicyRequest: unknown policy': (p, c) => p.setFailurePolicyRequest(c, 'sometimes'),
  'reauthenticateCodeRequest: number code': (p, c) => p.reauthenticateCodeRequest(c, 1, 5),
  'createInstanceRequest: undefined form': (p, c) => p.createInstanceRequest(c, undefined),
  'parseEmpty: undefined response': (p, c) => p.parseEmpty(undefined),
  'parseEmpty: string status': (p, c) => p.parseEmpty({ status: '200' }),
  'parseEmpty: status 1000': (p, c) => p.parseEmpty({ status: 1000 }),
  'parseEmpty: number body': (p, c) => p.parseEmpty({ status: 200, body: 5 }),
  'parseInstance: null response': (p, c) => p.parseInstance(null),
  'parseInstance: no status': (p, c) => p.parseInstance({ body: '{}' }),
  'parseEventNotification: undefined body': (p, c) => p.parseEventNotification(undefined),
  'parseEventNotification: number body': (p, c) => p.parseEventNotification(5),
  'parseCallback: undefined url': (p, c) => p.parseCallback(undefined, 's'),
  'parseCallback: number state': (p, c) => p.parseCallback('https://app.example/cb?code=c&state=s', 5),
  'hootsuiteWebhookUrl: number base URL': (p, c) => p.hootsuiteWebhookUrl(5, 1),
  'validateInstance: undefined form': (p, c) => p.validateInstance(undefined),
  'validateInstance: number callback URL': (p, c) => p.validateInstance({}, 5),
  'validateInstance: bigint form': (p, c) => p.validateInstance(10n),
  'buildInstanceBody: undefined form': (p, c) => p.buildInstanceBody(undefined),
  'buildInstanceBody: symbol form': (p, c) => p.buildInstanceBody(Symbol('s')),
  // The stores' and protocols' classes: a string argument that is not a string is refused
  // before it reaches the WebAssembly module (whose glue would copy it unchecked, and trap).
  'NativeMemoryStore.claim: number key': (p, c) => new p.NativeMemoryStore().claim(5, 1000, 0),
  'NativeMemoryStore.claim: string leaseMs': (p, c) => new p.NativeMemoryStore().claim('k', 'x', 0),
  'NativeMemoryStore.claim: undefined nowMs': (p, c) => new p.NativeMemoryStore().claim('k', 1000, undefined),
  'NativeMemoryStore.complete: number token': (p, c) => new p.NativeMemoryStore().complete('k', 5, 0),
  'NativeMemoryStore.release: undefined key': (p, c) => new p.NativeMemoryStore().release(undefined, 't'),
  'NativeMemoryStore.claimAll: string leaseMs': (p, c) => new p.NativeMemoryStore().claimAll(['k'], '1', 0),
  'NativeMemoryStore.settle: string nowMs': (p, c) => new p.NativeMemoryStore().settle([], [], 'now'),
  'new RedisProtocol: number namespace': (p, c) => new p.RedisProtocol(5),
  'RedisProtocol.claim: object key': (p, c) => new p.RedisProtocol().claim({}, 1000),
  'RedisProtocol.complete: number token': (p, c) => new p.RedisProtocol().complete('k', 5),
  'RedisProtocol.release: null key': (p, c) => new p.RedisProtocol().release(null, 't'),
  'RedisProtocol.claimAll: string leaseMs': (p, c) => new p.RedisProtocol().claimAll(['k'], 'x'),
  'RedisProtocol.claimSet: negative leaseMs': (p, c) => new p.RedisProtocol().claimSet(['k'], -1),
  'RedisProtocol.claimSetUnsupported: number message': (p, c) => new p.RedisProtocol().claimSetUnsupported(5),
  'RedisProtocol.key: number unit key': (p, c) => new p.RedisProtocol().key(5),
  'RedisProtocol.parseClaim: number token': (p, c) => new p.RedisProtocol().parseClaim('c:x', 5),
  'RedisProtocol.parseClaimAll: undefined token': (p, c) => new p.RedisProtocol().parseClaimAll(['c:x'], 1, undefined),
  'new PostgresProtocol: number table': (p, c) => new p.PostgresProtocol(5),
  'PostgresProtocol.claim: number kind': (p, c) => new p.PostgresProtocol().claim('k', 5),
  'new NativeMemoryStore: string capacity': (p, c) => new p.NativeMemoryStore('10'),
  'new NativeMemoryStore: fractional capacity': (p, c) => new p.NativeMemoryStore(1.5),
  'new RedisProtocol: string retentionMs': (p, c) => new p.RedisProtocol(null, '5'),
  'new PostgresProtocol: boolean retentionMs': (p, c) => new p.PostgresProtocol(undefined, true),
  'RedisProtocol.parseFlag: string reply': (p, c) => new p.RedisProtocol().parseFlag('1'),
  'RedisProtocol.parseClaimAll: string count': (p, c) => new p.RedisProtocol().parseClaimAll(['c:x'], '1', 't'),
  'RedisProtocol.parseSettle: undefined count': (p, c) => new p.RedisProtocol().parseSettle([1], undefined),
  'PostgresProtocol.parseClaim: string locked': (p, c) => new p.PostgresProtocol().parseClaim('x', true),
  'outcomeStatus: string counts': (p, c) => p.outcomeStatus('1', '0'),
  'NativeMemoryStore.claimAll: a number among the keys': (p, c) => new p.NativeMemoryStore().claimAll(['a', 5], 1000, 0),
  'NativeMemoryStore.claimAll: a sparse array of keys': (p, c) => new p.NativeMemoryStore().claimAll(new Array(2e7), 1000, 0),
  'NativeMemoryStore.settle: a pair of three': (p, c) => new p.NativeMemoryStore().settle([['k', 't', 'x']], [], 0),
  'NativeMemoryStore.settle: a number token': (p, c) => new p.NativeMemoryStore().settle([], [['k', 5]], 0),
  'RedisProtocol.claimSet: string keys': (p, c) => new p.RedisProtocol().claimSet('k', 1000),
  'RedisProtocol.settle: object pairs': (p, c) => new p.RedisProtocol().settle({}, []),
  'parseTraceparent: number header': (p, c) => p.parseTraceparent(5),
  'isSecretName: undefined name': (p, c) => p.isSecretName(undefined),
  'getInstanceRequest: a made-up account id': (p, c) => p.getInstanceRequest({ __account: 0 }, 1),
  'getInstanceRequest: a NaN account id': (p, c) => p.getInstanceRequest({ __account: NaN }, 1),
}

// Every argument is read through read.rs in the three (and the browser entry checks the same
// kinds with the same messages): no known difference is left.
const KNOWN = {}

/** Each case's outcome: the result's type, or the error's class, code and message. */
function outcomes(p, config) {
  const out = {}
  for (const [name, call] of Object.entries(CASES)) {
    try {
      const r = call(p, config)
      out[name] = { ok: r === null ? 'null' : typeof r }
    } catch (e) {
      out[name] = { error: e instanceof TypeError ? 'TypeError' : e.name, code: e.code ?? null, message: e.message }
    }
  }
  return out
}

const packageDir = path.dirname(require.resolve('hootsuite-events'))

function fallbackOutcomes(t) {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'he-wrong-types-'))
  t.after(() => fs.rmSync(scratch, { recursive: true, force: true }))
  fs.cpSync(packageDir, path.join(scratch, 'node_modules', 'hootsuite-events'), { recursive: true })
  const wasmDir = path.dirname(require.resolve('hootsuite-events-wasm/package.json'))
  fs.cpSync(wasmDir, path.join(scratch, 'node_modules', 'hootsuite-events-wasm'), { recursive: true })
  const script = `
    const he = require('hootsuite-events')
    if (he.backend !== 'wasm') throw new Error('the fallback did not load: ' + he.backend)
    const { outcomes, ACCOUNT } = require(${JSON.stringify(__filename)})
    process.stdout.write(JSON.stringify(outcomes(he, new he.Config(...ACCOUNT))))
  `
  const r = spawnSync(process.execPath, ['-e', script], { cwd: scratch, encoding: 'utf8', timeout: 120000, env: { ...process.env, HOOTSUITE_EVENTS_WRONG_TYPES_CHILD: '1' } })
  assert.equal(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

if (!process.env.HOOTSUITE_EVENTS_WRONG_TYPES_CHILD) {
  test('wrong-type arguments: the same outcome, class, code and message natively, on the fallback and in the WebAssembly package', { skip: he.backend !== 'native' && 'the native addon is absent in this run' }, (t) => {
    const native = outcomes(he, new he.Config(...ACCOUNT))
    const refused = Object.values(native).filter((o) => o.error).length
    assert.ok(refused >= 45, `${refused} refusals`)
    for (const [name, o] of Object.entries(native)) {
      if (o.error === 'TypeError') assert.doesNotMatch(o.message, /napi|serde|Failed to convert|none of these types/, name)
    }
    const fallback = fallbackOutcomes(t)
    const wasm = require('hootsuite-events-wasm/node')
    const account = { baseUrl: ACCOUNT[0], userSecret: ACCOUNT[1], organizationSecret: ACCOUNT[2] }
    const direct = outcomes(wasm, account)
    const differ = []
    for (const name of Object.keys(CASES)) {
      for (const [where, got] of [['fallback', fallback[name]], ['wasm package', direct[name]]]) {
        if (!util.isDeepStrictEqual(got, native[name])) differ.push(`${where}: ${name}: ${JSON.stringify(got)} natively ${JSON.stringify(native[name])}`)
      }
    }
    const known = differ.filter((d) => Object.keys(KNOWN).some((k) => d.includes(`: ${k}: `)))
    assert.deepEqual(differ.filter((d) => !known.includes(d)), [])
    // A known difference that is gone is taken off the list.
    for (const name of Object.keys(KNOWN)) assert.ok(known.some((d) => d.includes(`: ${name}: `)), `${name} no longer differs: take it off KNOWN`)
  })
}

module.exports = { outcomes, ACCOUNT, CASES }
