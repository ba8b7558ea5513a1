'use strict'
// Browser figures for `make bench`: in headless Chromium, the wasm package's instantiation time
// and a full form validation per call (the keystroke budget). Prints JSON lines like the others.
const path = require('node:path')
const ROOT = path.resolve(__dirname, '..')
const { chromium } = require(path.join(ROOT, 'bindings', 'wasm', 'test', 'node_modules', 'playwright-core'))

async function main() {
  const { serve } = await import(path.join(ROOT, 'docs', 'demo', 'serve.mjs'))
  const server = await serve(0)
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
  try {
    const page = await browser.newPage()
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.waitForSelector('body[data-ready="true"]')
    const r = await page.evaluate(async () => {
      const inits = []
      for (let i = 0; i < 5; i++) {
        const mod = await import(`./pkg/hootsuite_events_wasm.js?fresh=${i}`)
        const t = performance.now()
        await mod.default(`./pkg/hootsuite_events_wasm_bg.wasm?fresh=${i}`)
        inits.push(performance.now() - t)
      }
      const mod = await import('./pkg/hootsuite_events_wasm.js')
      const form = {
        element: { key: 'hootsuite' }, providerData: { code: '<AUTHORIZATION_GRANT_CODE>' }, name: 'Acme',
        configuration: { 'oauth.callback.url': 'https://mycoolapp.com', 'oauth.api.key': 'k', 'oauth.api.secret': 's', 'event.notification.enabled': true, 'event.notification.callback.url': 'http://mycoolapp.com/events' },
        tags: ['a', ''],
      }
      let best = Infinity
      for (let r = 0; r < 5; r++) {
        const n = 5000
        const t = performance.now()
        for (let i = 0; i < n; i++) mod.validateInstance(form)
        best = Math.min(best, ((performance.now() - t) * 1000) / n)
      }
      return { init_ms: Math.min(...inits.slice(1)), validate_us: best }
    })
    console.log(JSON.stringify({ work: 'Browser: validate the whole form (keystroke), µs', ours_us: r.validate_us, peer: 'budget', peer_us: 20 }))
    console.log(JSON.stringify({ work: 'Browser: instantiate the wasm module (fetch + compile), ms', ours_us: r.init_ms, peer: 'budget', peer_us: 5 }))
  } finally {
    await browser.close()
    server.close()
  }
}
main().catch((e) => {
  console.error(e)
  process.exit(1)
})
