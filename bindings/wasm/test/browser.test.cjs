'use strict'
// The demo form in a real browser: Debian's Chromium driven by playwright-core, the page served
// from 127.0.0.1. It types invalid values, checks each message under its field, submits and
// checks the error summary, fixes them, toggles events, checks the preview and the webhook URL
// for every base URL preset, and saves screenshots (target/demo-error-summary.png, target/demo.png).
const test = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { chromium } = require('playwright-core')

const REPO = path.resolve(__dirname, '..', '..', '..')
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium'

test('the create-instance form validates as the user types', { timeout: 120000 }, async (t) => {
  const { serve } = await import(path.join(REPO, 'docs', 'demo', 'serve.mjs'))
  const server = await serve(0)
  t.after(() => server.close())
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    // playwright gives each launch a fresh, temporary profile.
  })
  t.after(() => browser.close())
  const page = await browser.newPage({ viewport: { width: 1200, height: 1300 } })
  const consoleErrors = []
  page.on('pageerror', (e) => consoleErrors.push(String(e)))
  await page.goto(`http://127.0.0.1:${server.address().port}/`)
  await page.waitForSelector('body[data-ready="true"]', { timeout: 15000 })
  const msg = (id) => page.locator(`#${id}-msg`)
  const submit = page.locator('#submit')

  // Invalid values: the library's own messages appear under the right fields.
  await page.fill('#name', 'x')
  await page.fill('#name', '')
  await page.fill('#callbackUrl', 'https;//mycoolapp.com')
  await page.fill('#tags', 'prod, ')
  assert.match(await msg('name').innerText(), /Name \(name\) must not be blank/)
  // The library's `quoted` names and values render as code, never as literal backticks.
  assert.equal(await page.locator('#name-msg code').first().innerText(), 'name')
  assert.doesNotMatch(await page.locator('form').innerText(), /`/)
  assert.match(await msg('callbackUrl').innerText(), /is not an absolute URL: expected :\/\/ after the scheme, found ;\/\//)
  assert.match(await msg('tags').innerText(), /a tag must not be blank/)
  assert.equal(await page.getAttribute('#callbackUrl', 'aria-invalid'), 'true')
  assert.equal(await page.getAttribute('#callbackUrl', 'aria-describedby'), 'callbackUrl-msg')
  assert.equal(await msg('apiKey').innerText(), '', 'untouched fields stay quiet')
  assert.match(await page.locator('#preview-json').innerText(), /problem\(s\) to fix/)
  assert.ok(await page.locator('#preview-curl').isHidden(), 'no empty cURL block while the form is invalid')

  // Submit stays enabled; submitting an invalid form shows the error summary (the GOV.UK
  // pattern): focused, titled, one link per error to its field, and "Error: " in the title.
  assert.ok(await submit.isEnabled())
  assert.ok(await page.locator('#error-summary').isHidden(), 'no summary before a submit')
  await submit.click()
  const summary = page.locator('#error-summary')
  assert.ok(await summary.isVisible())
  assert.equal(await page.evaluate(() => document.activeElement.id), 'error-summary')
  assert.equal(await summary.getAttribute('role'), 'alert')
  assert.match(await page.locator('#error-summary-title').innerText(), /There is a problem/)
  assert.match(await page.title(), /^Error: /)
  const links = await page.$$eval('#error-summary-list a', (as) => as.map((a) => ({ href: a.getAttribute('href'), text: a.textContent })))
  assert.deepEqual([...new Set(links.map((l) => l.href))], ['#name', '#apiKey', '#apiSecret', '#callbackUrl', '#tags'], 'in the order of the fields')
  assert.equal(await page.locator('#error-summary-list li').count(), links.length, 'every error is a link')
  for (const { href, text } of links) {
    // The summary repeats the message shown under the field it links to.
    assert.ok((await msg(href.slice(1)).innerText()).includes(text), `${href}: ${text}`)
  }
  assert.match(links.find((l) => l.href === '#callbackUrl').text, /is not an absolute URL/)
  await page.click('#error-summary-list a[href="#callbackUrl"]')
  assert.equal(await page.evaluate(() => document.activeElement.id), 'callbackUrl')
  assert.equal(await page.locator('#status').innerText(), '')
  fs.mkdirSync(path.join(REPO, 'target'), { recursive: true })
  await page.screenshot({ path: path.join(REPO, 'target', 'demo-error-summary.png'), fullPage: true })

  // Fixing them clears the messages and enables submit.
  await page.fill('#name', 'Acme Hootsuite')
  await page.fill('#apiKey', 'client-id-1')
  await page.fill('#apiSecret', 'CLIENT-SECRET-typed')
  await page.fill('#callbackUrl', 'https://mycoolapp.com/auth')
  await page.fill('#tags', 'prod, acme')
  for (const id of ['name', 'apiKey', 'apiSecret', 'callbackUrl', 'tags']) assert.equal(await msg(id).innerText(), '', id)
  assert.equal(await page.getAttribute('#callbackUrl', 'aria-invalid'), null)
  assert.ok(await summary.isHidden(), 'the summary goes once everything is fixed')
  assert.doesNotMatch(await page.title(), /^Error: /)

  // Events on, by keyboard: the callback URL is required at once.
  await page.focus('#eventsEnabled')
  await page.keyboard.press('Space')
  assert.ok(await page.isChecked('#eventsEnabled'))
  assert.match(await msg('eventCallbackUrl').innerText(), /is required when Events Enabled is true/)
  assert.match(await msg('signatureKey').innerText(), /anyone who learns the callback URL can forge events/)
  assert.equal(await page.locator('#signatureKey-msg .warning').count(), 1, 'a warning, shown as one')
  assert.ok(await summary.isHidden(), 'no summary before the next submit')

  // A plain-http callback is only a warning: submit enables.
  await page.fill('#eventCallbackUrl', 'http://mycoolapp.com/events')
  assert.equal(await page.locator('#eventCallbackUrl-msg .error').count(), 0)
  assert.match(await page.locator('#eventCallbackUrl-msg .warning').innerText(), /plain http/)
  assert.doesNotMatch(await page.locator('#preview-json').innerText(), /problem\(s\) to fix/)
  await page.fill('#eventCallbackUrl', 'https://mycoolapp.com/events')
  // A short key warns (one signed delivery is enough to guess it offline); a long one is quiet.
  await page.fill('#signatureKey', 'k3y-5')
  assert.match(await page.locator('#signatureKey-msg .warning').innerText(), /is 5 characters: a short key can be guessed/)
  await page.fill('#signatureKey', 'SIGKEY-typed-long-enough')
  assert.equal(await msg('signatureKey').innerText(), '')

  // The preview: the request, secrets masked, as JSON and cURL.
  const json = await page.locator('#preview-json').innerText()
  const curl = await page.locator('#preview-curl').innerText()
  assert.match(json, /"method": "POST"/)
  assert.match(json, /"url": "https:\/\/api\.cloud-elements\.com\/elements\/api-v2\/instances"/)
  assert.match(json, /"event\.notification\.enabled": true/)
  assert.match(curl, /^curl -X POST 'https:\/\/api\.cloud-elements\.com\/elements\/api-v2\/instances'/)
  for (const text of [json, curl]) {
    assert.ok(!text.includes('CLIENT-SECRET-typed') && !text.includes('SIGKEY-typed'), 'secrets masked')
    assert.match(text, /\*\*\*\*\*\*\*\*/)
  }
  // The select offers every region preset of the core, in its order, and each one gives its
  // base URL to the preview and the webhook URL.
  const options = await page.locator('#environment option').evaluateAll((os) => os.map((o) => o.value))
  const full = require(path.join(__dirname, '..', 'pkg', 'node', 'hootsuite_events_wasm.js'))
  const presets = full.baseUrlPresets()
  assert.deepEqual(options, presets.map((p) => p.name))
  await page.fill('#instanceId', '7')
  for (const { name, url } of presets) {
    await page.selectOption('#environment', name)
    assert.ok((await page.locator('#preview-curl').innerText()).startsWith(`curl -X POST '${url}/instances'`), name)
    assert.equal(await page.locator('#webhook-url').innerText(), `${url}/events/hootsuite/Nw==`, name)
  }
  await page.selectOption('#environment', 'eu')
  assert.match(await page.locator('#preview-curl').innerText(), /api\.cloud-elements\.co\.uk/)

  // The webhook URL for an instance id.
  await page.fill('#instanceId', '12345')
  assert.equal(await page.locator('#webhook-url').innerText(), 'https://api.cloud-elements.co.uk/elements/api-v2/events/hootsuite/MTIzNDU=')
  await page.fill('#instanceId', '12.5')
  assert.match(await page.locator('#webhook-url').innerText(), /whole number/)
  await page.fill('#instanceId', '12345')

  await page.click('#submit')
  assert.match(await page.locator('#status').innerText(), /^Valid\./)
  assert.ok(await summary.isHidden())
  await page.screenshot({ path: path.join(REPO, 'target', 'demo.png'), fullPage: true })
  assert.deepEqual(consoleErrors, [])
})
