'use strict'
// A Fastify receiver: the raw body through a content-type parser that keeps the bytes, the
// signature checked with the current and the previous key, each unit processed once.
const Fastify = require('fastify')
const he = require('hootsuite-events')

/** The same options as the Express receiver: `keys`, `handle(work)`, `store`, `onRejected`. */
function createApp({ keys, handle, store = new he.MemoryStore(), onRejected = logRejected }) {
  const app = Fastify({ bodyLimit: 1024 * 1024 })
  // Fastify parses JSON by default: keep the bytes instead, since the signature covers them.
  app.removeAllContentTypeParsers()
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (req, body, done) => done(null, body))
  app.post('/hootsuite/events', async (req, reply) => {
    // Verified, then each unit once (retries, split batches and replays are skipped). With
    // @opentelemetry/api installed, a span tree and the receiver's metrics per delivery.
    const receipt = await he.receive(keys, store, req.headers, req.body ?? Buffer.alloc(0), handle)
    // Events that could not be read: recorded once (a refused batch would be retried until
    // Cloud Elements switched the subscription off), never handed to `handle`.
    receipt.outcome?.rejected.forEach(onRejected)
    if (receipt.status >= 500) req.log.error({ err: receipt.error }, 'processing failed')
    return reply.code(receipt.status).send()
  })
  return app
}

function logRejected(r) {
  console.warn(`rejected event ${r.key} at ${r.path.join('.')}: ${r.message}`)
}

module.exports = { createApp }

if (require.main === module) {
  const keys = [process.env.SIGNATURE_KEY, process.env.PREVIOUS_SIGNATURE_KEY].filter(Boolean)
  const app = createApp({ keys, handle: async (work) => console.log(work.unit.key, work.hootsuiteEvent?.data) })
  app.listen({ port: Number(process.env.PORT ?? 3000) })
}
