'use strict'
// The whole flow against the real emulator: Node's fetch does the HTTP, an http.createServer
// receiver verifies and parses the delivered event. Loopback only; every wait is bounded.
const test = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const he = require('hootsuite-events')
const { startEmulator, waitFor, ESM_AFTER_REQUIRE } = require('./helpers.js')

async function send(req) {
  const res = await fetch(req.url, { method: req.method, headers: req.headers, body: req.body, redirect: 'manual' })
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) }
}

test('connect, wire events, receive a verified event', async (t) => {
  const emu = await startEmulator()
  t.after(() => emu.stop())
  const key = 'node-flow-key'
  const received = []
  const server = http.createServer((req, res) => {
    const chunks = []
    req.on('data', (c) => chunks.push(c))
    req.on('end', () => {
      try {
        received.push(he.verifyEvent(key, req.headers, Buffer.concat(chunks)))
        res.writeHead(200).end()
      } catch (e) {
        res.writeHead(e instanceof he.SignatureError ? 401 : 400).end()
      }
    })
  })
  await new Promise((r) => server.listen(0, '127.0.0.1', r))
  t.after(() => server.close())
  const eventsUrl = `http://127.0.0.1:${server.address().port}/events`

  const config = new he.Config(emu.base_url, emu.user_secret, emu.organization_secret)
  const callbackUrl = 'https://app.example/cb'
  const consent = he.parseRedirectUrl(await send(he.redirectUrlRequest(config, { apiKey: 'cid', apiSecret: 'csecret', callbackUrl, state: 'st-node' })))
  const answer = await fetch(consent.oauthUrl, { redirect: 'manual' })
  assert.equal(answer.status, 302)
  const code = he.parseCallback(answer.headers.get('location'), 'st-node')

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
          'event.notification.callback.url': `${config.baseUrl}/events/hootsuite`,
          'event.notification.signature.key': key,
        },
        name: 'Node flow',
      }),
    ),
  )
  assert.ok(instance.eventsEnabled)
  assert.equal(instance.configuration['event.notification.signature.key'], '********')
  const updated = he.parseInstance(await send(he.updateEventCallbackRequest(config, instance.id, eventsUrl)))
  assert.equal(updated.configuration['event.notification.callback.url'], eventsUrl)

  const webhook = he.hootsuiteWebhookUrl(config.baseUrl, instance.id)
  const hook = await fetch(webhook, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify([{ seq_no: '5', type: 'com.hootsuite.comments.event.v1', data: { state: 'PENDING_APPROVAL', comment: { id: 'c-5' } } }]),
  })
  assert.equal(hook.status, 200)
  await waitFor('the delivery', () => received.length === 1)
  const n = received[0]
  assert.equal(n.instanceId, instance.id)
  assert.ok(n.webhookId)
  assert.equal(n.keyIndex, 0)
  assert.deepEqual(n.units.map((u) => u.kind), ['hootsuite_event'])
  assert.equal(n.units[0].key, `hs:${instance.id}:5`)
  assert.equal(n.instanceName, 'Node flow')
  assert.equal(n.events[0].objectType, 'comments')
  assert.equal(n.events[0].eventType, 'CREATED')
  assert.equal(n.hootsuiteEvents[0].data.kind, 'comment')
  assert.equal(n.hootsuiteEvents[0].data.commentId, 'c-5')

  const events = await waitFor('NOTIFIED', async () => {
    const list = he.parseInstanceEvents(await send(he.instanceEventsRequest(config, instance.id)))
    return list.length && list[0].status === 'NOTIFIED' && list
  })
  assert.equal(events.length, 1)

  const page = he.parseInstancePage(await send(he.listInstancesRequest(config, { searchText: 'node flow' })))
  assert.deepEqual(page.instances.map((i) => i.id), [instance.id])
  assert.deepEqual([page.totalCount, page.returnedCount], [1, 1])

  // The events API: paged per instance and across the account, one event back by the
  // notification's eventId.
  const evPage = he.parseInstanceEventPage(await send(he.instanceEventsPageRequest(config, instance.id, { pageSize: 1 })))
  assert.equal(evPage.totalCount, 1)
  assert.ok(evPage.nextPage == null)
  const account = he.parseInstanceEventPage(await send(he.instanceEventsPageRequest(config, null)))
  assert.deepEqual(account.events.map((e) => e.id), [evPage.events[0].id])
  const one = he.parseInstanceEvent(await send(he.instanceEventRequest(config, null, n.eventId)))
  assert.equal(one.id, n.eventId)
  assert.equal(one.status, 'NOTIFIED')
  assert.match(one.providerData, /c-5/)

  // Configuration: switch events off through the entry's id.
  const entries = he.parseConfiguration(await send(he.configurationRequest(config, instance.id)))
  const sw = entries.find((e) => e.key === 'event.notification.enabled')
  const entry = he.parseConfigurationEntry(await send(he.updateConfigurationRequest(config, instance.id, sw.id, 'false')))
  assert.deepEqual([entry.id, entry.propertyValue], [sw.id, 'false'])
  assert.equal(he.parseInstance(await send(he.getInstanceRequest(config, instance.id))).eventsEnabled, false)

  he.parseEmpty(await send(he.deleteInstanceRequest(config, instance.id)))
  await assert.rejects(
    async () => he.parseInstance(await send(he.getInstanceRequest(config, instance.id))),
    (e) => e instanceof he.ApiError && e.status === 404 && typeof e.requestId === 'string',
  )
})

test('CommonJS and ES module entries export the same names', { skip: ESM_AFTER_REQUIRE }, async () => {
  const esm = await import('hootsuite-events')
  const cjs = require('hootsuite-events')
  // `__panicForTests` exists only in the test build, and only for CommonJS.
  const names = (o) => Object.keys(o).filter((k) => k !== 'default' && !k.startsWith('__')).sort()
  assert.deepEqual(names(esm), names(cjs))
  assert.equal(esm.validateInstance, cjs.validateInstance)
})
