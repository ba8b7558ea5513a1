'use strict'
// The README's JavaScript examples run against the emulator; the Express receiver runs on a
// real loopback server and receives a real delivery.
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { startEmulator, waitFor } = require('./helpers.js')

test('README examples run', async (t) => {
  const emu = await startEmulator()
  t.after(() => emu.stop())
  process.env.HOOTSUITE_EVENTS_BASE_URL = emu.base_url
  process.env.HOOTSUITE_EVENTS_USER_SECRET = emu.user_secret
  process.env.HOOTSUITE_EVENTS_ORGANIZATION_SECRET = emu.organization_secret
  process.env.HOOTSUITE_EVENTS_SIGNATURE_KEY = 'readme-signature-key-7e2'

  // The README as published in the package.
  const readme = fs.readFileSync(path.join(path.dirname(require.resolve('hootsuite-events')), 'README.md'), 'utf8')
  const blocks = [...readme.matchAll(/```js\n([\s\S]*?)```/g)].map((m) => m[1])
  assert.equal(blocks.length, 3)
  // Inside the test project, so that `require('hootsuite-events')` finds the installed package.
  const file = path.join(fs.mkdtempSync(path.join(__dirname, '.readme-')), 'example.js')
  t.after(() => fs.rmSync(path.dirname(file), { recursive: true, force: true }))
  fs.writeFileSync(file, blocks.join('\n') + '\nmodule.exports = { startConnect, finishConnect, server, received }\n')
  // Without its key, the README's code stops at start-up instead of answering 401s.
  const keyless = path.join(path.dirname(file), 'keyless.js')
  fs.writeFileSync(keyless, blocks.join('\n'))
  delete process.env.HOOTSUITE_EVENTS_SIGNATURE_KEY
  assert.throws(() => require(keyless), /set HOOTSUITE_EVENTS_SIGNATURE_KEY/)
  process.env.HOOTSUITE_EVENTS_SIGNATURE_KEY = 'readme-signature-key-7e2'
  const example = require(file)

  const listener = await new Promise((resolve) => {
    const l = example.server.listen(0, '127.0.0.1', () => resolve(l))
  })
  t.after(() => listener.close())
  const eventsUrl = `http://127.0.0.1:${listener.address().port}/hootsuite/events`

  const session = {}
  const consentUrl = await example.startConnect(session)
  const answer = await fetch(consentUrl, { redirect: 'manual' })
  const instance = await example.finishConnect(session, answer.headers.get('location'), eventsUrl)
  const sample = await fetch(`${emu.base_url}/emulator/instances/${instance.id}/sample-event?type=message`, { method: 'POST' })
  assert.equal(sample.status, 200)
  await waitFor('an event in the Express app', () => example.received.length === 1)
  assert.equal(example.received[0].data.kind, 'message')
  assert.equal(example.received[0].data.state, 'SENT')
})
