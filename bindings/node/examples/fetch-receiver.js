'use strict'
// A fetch-style receiver, `(Request) => Promise<Response>`: what a Next.js route handler
// (`export const POST = createHandler(...)` in app/hootsuite/events/route.js), a Hono route
// (`app.post('/hootsuite/events', (c) => handler(c.req.raw))`), `Bun.serve({ fetch })` or
// `Deno.serve(handler)` takes. (A Cloudflare Worker: examples/cloudflare-worker at the repository's root.)
const he = require('hootsuite-events')

/** The same options as the Express receiver: `keys`, `handle(work)`, `store`, `onRejected`. */
function createHandler({ keys, handle, store = new he.MemoryStore(), onRejected = logRejected }) {
  return async function handler(request) {
    if (request.method !== 'POST') return new Response(null, { status: 405 })
    // The raw bytes: request.json() would re-serialize and break the signature.
    const body = new Uint8Array(await request.arrayBuffer())
    // Verified, then each unit once (retries, split batches and replays are skipped). With
    // @opentelemetry/api installed, a span tree and the receiver's metrics per delivery.
    const receipt = await he.receive(keys, store, request.headers, body, handle)
    // Events that could not be read: recorded once (a refused batch would be retried until
    // Cloud Elements switched the subscription off), never handed to `handle`.
    receipt.outcome?.rejected.forEach(onRejected)
    if (receipt.status >= 500) console.error('processing failed:', receipt.error?.message)
    return new Response(null, { status: receipt.status })
  }
}

function logRejected(r) {
  console.warn(`rejected event ${r.key} at ${r.path.join('.')}: ${r.message}`)
}

module.exports = { createHandler }

if (require.main === module) {
  // On Node, @hono/node-server turns the handler into an HTTP server: the adapter Hono users
  // deploy on Node, for Node 18.14+, with no dependency but its hono peer (@whatwg-node/server
  // 0.13 needs Node 22 and brings five packages).
  const { serve } = require('@hono/node-server')
  const keys = [process.env.SIGNATURE_KEY, process.env.PREVIOUS_SIGNATURE_KEY].filter(Boolean)
  const fetch = createHandler({ keys, handle: async (work) => console.log(work.unit.key, work.hootsuiteEvent?.data) })
  serve({ fetch, port: Number(process.env.PORT ?? 3000) })
}
