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
    let notification
    try {
      notification = he.verifyEvent(keys, req.headers, req.body ?? Buffer.alloc(0))
    } catch (e) {
      if (e instanceof he.SignatureError) return reply.code(401).send()
      if (e instanceof he.HootsuiteEventsError) return reply.code(400).send()
      throw e
    }
    try {
      const outcome = await he.process(store, notification, handle)
      // Events that could not be read: recorded once (a refused batch would be retried until
      // Cloud Elements switched the subscription off), never handed to `handle`.
      outcome.rejected.forEach(onRejected)
      return reply.code(outcome.status).send()
    } catch (e) {
      req.log.error({ err: e }, 'processing failed')
      return reply.code(he.STATUS_FAILED).send()
    }
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
