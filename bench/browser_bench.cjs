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
    // zod/mini, the peer, straight from bench/node_modules (its ES modules import each other
    // relatively, so serving the package directory is enough).
    const zodDir = path.join(__dirname, 'node_modules', 'zod')
    await page.route('**/zod/**', (route) => {
      const rel = new URL(route.request().url()).pathname.replace(/^\/zod\//, '')
      route.fulfill({ path: path.join(zodDir, rel), contentType: 'text/javascript' })
    })
    await page.route('**/zod-form/zod_form.mjs', (route) => route.fulfill({ path: path.join(__dirname, 'zod_form.mjs'), contentType: 'text/javascript' }))
    await page.goto(`http://127.0.0.1:${server.address().port}/`)
    await page.waitForSelector('body[data-ready="true"]')
    const r = await page.evaluate(async () => {
      // Instantiation = compile + instantiate the fetched bytes (what the module's size and
      // code decide); fetching them from the loopback server is timed apart, since that is
      // the server's and the network's time (5-8 ms per request here, glue or wasm alike).
      const inits = []
      const fetches = []
      for (let i = 0; i < 6; i++) {
        let t = performance.now()
        const bytes = await (await fetch(`./pkg/hootsuite_events_wasm_bg.wasm?fresh=${i}`)).arrayBuffer()
        fetches.push(performance.now() - t)
        const glue = await import(`./pkg/hootsuite_events_wasm.js?fresh=${i}`)
        t = performance.now()
        await glue.default({ module_or_path: await WebAssembly.compile(bytes) })
        inits.push(performance.now() - t)
        if (!glue.formText(0, '{}', undefined, 0).startsWith('{"valid":false,')) throw new Error('the module does not work')
      }
      // The package's entry module, as an application imports it (the form as an object in,
      // the report as data out).
      const mod = await import('./pkg/index.js')
      await mod.default()
      const form = {
        element: { key: 'hootsuite' }, providerData: { code: 'authorization-grant-code' }, name: 'Acme',
        configuration: { 'oauth.callback.url': 'https://mycoolapp.com', 'oauth.api.key': 'k', 'oauth.api.secret': 's', 'event.notification.enabled': true, 'event.notification.callback.url': 'http://mycoolapp.com/events' },
        tags: ['a', ''],
      }
      const z = await import('/zod/mini/index.js')
      // The same zod/mini schema as bench/node_bench.mjs.
      const { zodFormSchema } = await import('/zod-form/zod_form.mjs')
      const zodSchema = zodFormSchema(z)
      // Short rounds, ours and zod/mini alternated, the best of many: on a shared machine a
      // long round is almost always interrupted, and alternating exposes both to the same load.
      // A round is long enough for the page's timer (0.1 ms steps without cross-origin isolation).
      const perCall = (fns) => {
        const best = fns.map(() => Infinity)
        for (let r = 0; r < 200; r++) {
          fns.forEach((fn, k) => {
            const n = 500
            const t = performance.now()
            for (let i = 0; i < n; i++) fn()
            best[k] = Math.min(best[k], ((performance.now() - t) * 1000) / n)
          })
        }
        return best
      }
      // Both must see the same problem (the blank tag), or the comparison is of different work.
      if (mod.validateInstance(form).valid || zodSchema.safeParse(form).success) throw new Error('the form should be invalid for both')
      const [validate_us, zod_us] = perCall([() => mod.validateInstance(form), () => zodSchema.safeParse(form)])
      return { init_ms: Math.min(...inits.slice(1)), fetch_ms: Math.min(...fetches.slice(1)), validate_us, zod_us }
    })
    console.log(JSON.stringify({ work: 'Browser: validate the whole form (keystroke), µs', ours_us: r.validate_us, peer: 'budget', peer_us: 20 }))
    console.log(JSON.stringify({ work: 'Browser: validate the whole form (keystroke), µs', ours_us: r.validate_us, peer: 'zod/mini safeParse in the same page', peer_us: r.zod_us }))
    console.log(JSON.stringify({ work: 'Browser: instantiate the wasm module (compile + instantiate the bytes), ms', ours_us: r.init_ms, peer: 'budget', peer_us: 5, note: `fetching the .wasm from a loopback server: ${r.fetch_ms.toFixed(1)} ms more` }))
  } finally {
    await browser.close()
    server.close()
  }
}
main().catch((e) => {
  console.error(e)
  process.exit(1)
})
