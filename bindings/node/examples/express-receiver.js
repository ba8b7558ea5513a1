'use strict'
// An Express receiver of Hootsuite events through Cloud Elements: raw body, signature checked
// with the current and the previous key, each unit of work processed once through the store,
// Cloud Elements answered with the outcome's status (a non-2xx makes it retry).
const express = require('express')
const he = require('hootsuite-events')

/**
 * `keys`: the current signature key first, then the one it replaced (during a rotation).
 * `handle(work)`: your processing of one unit (`work.hootsuiteEvent` or `work.elementEvent`);
 * throw to have Cloud Elements retry. `store`: a MemoryStore, or a shared store for several
 * processes. `onRejected(rejected)`: each event that could not be read, once (logged by default).
 */
function createApp({ keys, handle, store = new he.MemoryStore(), onRejected = logRejected }) {
  const app = express()
  // The raw bytes: the signature covers them exactly (express.json() would re-serialize).
  app.post('/hootsuite/events', express.raw({ type: '*/*', limit: '1mb' }), async (req, res) => {
    // Verified, then each unit once (retries, split batches and replays are skipped). With
    // @opentelemetry/api installed, a span tree and the receiver's metrics per delivery.
    const receipt = await he.receive(keys, store, req.headers, req.body, handle)
    // Events that could not be read: recorded once (a refused batch would be retried until
    // Cloud Elements switched the subscription off), never handed to `handle`.
    receipt.outcome?.rejected.forEach(onRejected)
    // A failed unit's claim was released: Cloud Elements' retry processes it.
    if (receipt.status >= 500) console.error('processing failed:', receipt.error?.message)
    res.sendStatus(receipt.status)
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
  app.listen(Number(process.env.PORT ?? 3000), () => console.log('listening'))
}
