'use strict'
// The scenario every receiver runs against the emulator's real signed deliveries: a replay
// under changed Elements-Webhook-Ids, a 45-event batch split in three notifications, a failure
// followed by Cloud Elements' retry, a batch with an event that cannot be read, and a key
// rotation. receivers.test.js runs it on the example receivers in this runtime (Node, Bun, Deno);
// tests/runtimes/workerd.test.cjs on the Cloudflare Worker template in workerd.
const assert = require('node:assert/strict')
const { waitFor } = require('./helpers.js')

async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

/** A connected instance whose events go to `eventsUrl`, signed with `key`. */
async function connect(he, config, name, key, eventsUrl) {
  const callbackUrl = 'https://app.example/cb'
  const consent = he.parseRedirectUrl(await send(he.redirectUrlRequest(config, { apiKey: 'cid', apiSecret: 'csecret', callbackUrl, state: name })))
  const answer = await fetch(consent.oauthUrl, { redirect: 'manual' })
  const code = he.parseCallback(answer.headers.get('location'), name)
  const instance = he.parseInstance(
    await send(
      he.createInstanceRequest(config, {
        element: { key: 'hootsuite' },
        providerData: { code },
        configuration: {
          'oauth.callback.url': callbackUrl,
          'oauth.api.key': 'cid',
          'oauth.api.secret': 'csecret',
          'event.notification.enabled': true,
          'event.notification.callback.url': eventsUrl,
          'event.notification.signature.key': key,
        },
        name,
      }),
    ),
  )
  return instance.id
}

/** PATCHes the instance's signature key (the request of updateEventCallbackRequest, another body). */
async function rotateKey(he, config, id, key) {
  const req = he.updateEventCallbackRequest(config, id, 'https://unused.example')
  const res = await send({ method: req.method, url: req.url, headers: req.headers, body: JSON.stringify({ configuration: { 'event.notification.signature.key': key } }) })
  assert.equal(res.status, 200, res.body.toString())
}

/**
 * Runs the scenario as subtests of `t`. `start(options, log)` starts the receiver with
 * `{keys, handle, store, onRejected}` and logs each answer as `{status, webhookId}`; it resolves
 * to `{url, close, keysChanged?}`: a receiver that reads `keys` only when it starts (a Worker's
 * secrets) restarts in `keysChanged()` after the array changed in place.
 */
async function receiverScenario(t, { he, emulator, name, start }) {
  const emulatorPost = async (pathname, body) => {
    const res = await fetch(`${emulator.base_url}${pathname}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body && JSON.stringify(body) })
    const text = await res.text()
    assert.equal(res.status, 200, text)
    return JSON.parse(text)
  }
  // The emulator records a delivery as delivered just after the receiver's answer, so a 404
  // (not delivered yet) is retried within a bounded wait.
  const replay = (eventId, webhookId) =>
    waitFor(`the delivery of event ${eventId} recorded`, async () => {
      const res = await fetch(`${emulator.base_url}/emulator/replay`, { method: 'POST', body: JSON.stringify({ event_id: eventId, webhook_id: webhookId }) })
      const text = await res.text()
      if (res.status === 404) return false
      assert.equal(res.status, 200, text)
      return true
    })

  const config = new he.Config(emulator.base_url, emulator.user_secret, emulator.organization_secret)
  const keys = [`${name}-key-1`] // the receiver's keys, current first: rotated in place below
  const handled = [] // every successful processing, in order
  let attempts = 0
  let failNext = false
  const handle = async (work) => {
    attempts++
    if (failNext) {
      failNext = false
      throw new Error('the processing failed (a test failure)')
    }
    handled.push({ key: work.unit.key, keyIndex: work.notification.keyIndex, eventId: work.notification.eventId, seqNo: work.hootsuiteEvent.seqNo })
  }
  const log = []
  const rejected = []
  const receiver = await start({ keys, handle, store: new he.MemoryStore(), onRejected: (r) => rejected.push(r) }, log)
  t.after(() => receiver.close())
  const keysChanged = () => (receiver.keysChanged ? receiver.keysChanged() : undefined)
  const id = await connect(he, config, `${name} receiver`, keys[0], receiver.url)
  const answered = (webhookId, status) => log.some((l) => l.webhookId === webhookId && l.status === status)

  await t.test('one delivery replayed with Elements-Webhook-Id a, b, a is processed once', async () => {
    const { eventIds } = await emulatorPost(`/emulator/instances/${id}/sample-event?type=message`)
    await waitFor('the first delivery', () => handled.length === 1 && log.some((l) => l.status === 200))
    for (const webhookId of ['a', 'b', 'a']) {
      const before = log.filter((l) => l.webhookId === webhookId).length
      await replay(eventIds[0], webhookId)
      await waitFor(`the replay ${webhookId}`, () => log.filter((l) => l.webhookId === webhookId).length > before)
    }
    assert.deepEqual(log.filter((l) => l.webhookId === 'a' || l.webhookId === 'b').map((l) => l.status), [200, 200, 200])
    assert.equal(handled.length, 1, 'processed once')
    assert.equal(handled[0].key, `hs:${id}:${handled[0].seqNo}`)
  })

  await t.test('a 45-event batch split in three notifications is processed 45 times, not 135', async () => {
    const from = handled.length
    const answers = log.length
    const { eventIds } = await emulatorPost(`/emulator/instances/${id}/sample-event?type=message&count=45`)
    assert.equal(eventIds.length, 3, 'split by 20: 20, 20, 5')
    await waitFor('three answers', () => log.length - answers >= 3)
    assert.deepEqual(log.slice(answers).map((l) => l.status), [200, 200, 200])
    const batch = handled.slice(from)
    assert.equal(batch.length, 45)
    assert.equal(new Set(batch.map((h) => h.key)).size, 45)
  })

  await t.test('a processing failure followed by the retry processes the event once', async () => {
    const from = handled.length
    const answers = log.length
    const tried = attempts
    failNext = true
    await emulatorPost(`/emulator/instances/${id}/sample-event?type=comment`)
    await waitFor('the retry', () => log.slice(answers).some((l) => l.status === 200))
    assert.deepEqual(log.slice(answers).map((l) => l.status), [500, 200])
    assert.equal(attempts - tried, 2, 'tried twice')
    assert.equal(handled.length - from, 1, 'processed once')
  })

  await t.test('a batch with an event that cannot be read is answered 200, the rest processed once', async () => {
    // What anyone can do: post to the public Hootsuite webhook URL; Cloud Elements signs it.
    const good = { seq_no: '9001', type: 'com.hootsuite.messages.event.v1', data: { state: 'SENT', message: { id: 'm-1' } } }
    const bad = { seq_no: '9002', type: 'com.hootsuite.messages.event.v1', data: { message: 5 } }
    const from = handled.length
    const answers = log.length
    for (const round of [1, 2]) {
      const res = await fetch(he.hootsuiteWebhookUrl(emulator.base_url, id), { method: 'POST', body: JSON.stringify([good, bad]) })
      assert.equal(res.status, 200, await res.text())
      await waitFor(`delivery ${round}`, () => log.length - answers >= round)
    }
    assert.deepEqual(log.slice(answers).map((l) => l.status), [200, 200], 'a refusal would be retried, then the subscription switched off')
    assert.deepEqual(handled.slice(from).map((h) => h.key), [`hs:${id}:9001`])
    assert.equal(rejected.length, 1, 'reported once')
    assert.deepEqual(rejected[0].path, ['message', 'raw', 1, 'data', 'message'])
    assert.equal(rejected[0].code, 'wrong_type')
    assert.deepEqual(rejected[0].raw, bad)
    assert.ok(rejected[0].key.startsWith(`hs:${id}:@`), rejected[0].key)
  })

  await t.test('key rotation: a delivery signed with the previous key verifies (keyIndex 1)', async () => {
    keys.unshift(`${name}-key-2`) // the receiver takes the new key first, keeps the old one
    await keysChanged()
    const from = handled.length
    const old = await emulatorPost(`/emulator/instances/${id}/sample-event?type=app`)
    await waitFor('the delivery signed with the previous key', () => handled.length > from)
    assert.equal(handled[from].keyIndex, 1)
    await rotateKey(he, config, id, keys[0])
    await emulatorPost(`/emulator/instances/${id}/sample-event?type=message`)
    await waitFor('the delivery signed with the new key', () => handled.length > from + 1)
    assert.equal(handled[from + 1].keyIndex, 0)
    // The old delivery again, after the change: verified (and skipped, processed before).
    await replay(old.eventIds[0], 'after-rotation')
    await waitFor('the replay signed with the previous key', () => answered('after-rotation', 200))
    assert.equal(handled.length, from + 2)
    // Once the previous key is retired, the same delivery is refused.
    keys.pop()
    await keysChanged()
    await replay(old.eventIds[0], 'after-retirement')
    await waitFor('the refusal', () => answered('after-retirement', 401))
    assert.equal(handled.length, from + 2)
  })
}

module.exports = { send, connect, rotateKey, receiverScenario }
