// The Worker you deploy: Cloud Elements POSTs Hootsuite events to it; `handle` is your processing.
import { ReceiptsObject, receive } from './receiver.js'

/** One Durable Object per Hootsuite instance: it holds the claims, so each unit runs once. */
export class Receipts extends ReceiptsObject {
  async handle(work) {
    // Your processing: enqueue it, write it to D1, call your backend (throwing makes Cloud Elements retry).
    console.log(work.unit.key, work.hootsuiteEvent?.type ?? work.elementEvent?.eventType ?? 'notification')
  }
}

export default { fetch: receive }
