// The template's Worker (examples/cloudflare-worker) with the test's `handle`: each unit of work,
// each rejected event and each answer is reported to the test through the COLLECTOR service, whose
// answer to a unit says whether its processing failed.
import { ReceiptsObject, receive } from './receiver.js'

async function report(env, what, value) {
  const res = await env.COLLECTOR.fetch(`http://collector/${what}`, { method: 'POST', body: JSON.stringify(value) })
  if (!res.ok) throw new Error(`the collector failed the ${what} report (a test failure)`)
}

export class Receipts extends ReceiptsObject {
  async handle(work) {
    await report(this.env, 'handled', { key: work.unit.key, keyIndex: work.notification.keyIndex, eventId: work.notification.eventId, seqNo: work.hootsuiteEvent?.seqNo ?? null })
  }
  async onRejected(r) {
    await report(this.env, 'rejected', r)
  }
}

export default {
  async fetch(request, env) {
    const response = await receive(request, env)
    await report(env, 'answered', { status: response.status, webhookId: request.headers.get('elements-webhook-id') })
    return response
  },
}
