'use strict'
// The receivers of examples/ (Express, Fastify, fetch-style) on real loopback servers, and under
// Bun and Deno the fetch-style one on the runtime's own server (Bun.serve, Deno.serve), each
// getting the emulator's real signed deliveries (scenario.js). Every wait is bounded; the
// servers and the emulator stop by themselves.
const test = require('node:test')
const http = require('node:http')
const path = require('node:path')
const he = require('hootsuite-events')
const { startEmulator } = require('./helpers.js')
const { receiverScenario } = require('./scenario.js')

const EXAMPLES = path.join(__dirname, '..', 'examples')

/** The fetch-style handler logging each answer, as each server below serves it. */
function loggedHandler(options, log) {
  const { createHandler } = require(path.join(EXAMPLES, 'fetch-receiver.js'))
  const handler = createHandler(options)
  return async (request) => {
    const response = await handler(request)
    log.push({ status: response.status, webhookId: request.headers.get('elements-webhook-id') })
    return response
  }
}

/** Each receiver as a user serves it, with every answer logged as `{status, webhookId}`. */
const RECEIVERS = {}
// Under Bun and Deno, the fetch-style handler on the runtime's own server; first, since
// @hono/node-server (the `fetch` receiver below) replaces the global Response with its own.
if (globalThis.Bun) {
  RECEIVERS['Bun.serve'] = async (options, log) => {
    const server = globalThis.Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: loggedHandler(options, log) })
    return { url: `http://127.0.0.1:${server.port}/hootsuite/events`, close: () => server.stop(true) }
  }
}
if (globalThis.Deno) {
  RECEIVERS['Deno.serve'] = async (options, log) => {
    const server = globalThis.Deno.serve({ hostname: '127.0.0.1', port: 0, onListen() {} }, loggedHandler(options, log))
    return { url: `http://127.0.0.1:${server.addr.port}/hootsuite/events`, close: () => server.shutdown() }
  }
}
Object.assign(RECEIVERS, {
  async express(options, log) {
    const { createApp } = require(path.join(EXAMPLES, 'express-receiver.js'))
    const app = createApp(options)
    const server = http.createServer((req, res) => {
      res.on('finish', () => log.push({ status: res.statusCode, webhookId: req.headers['elements-webhook-id'] }))
      app(req, res)
    })
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve))
    return { url: `http://127.0.0.1:${server.address().port}/hootsuite/events`, close: () => new Promise((r) => server.close(r)) }
  },
  async fastify(options, log) {
    const { createApp } = require(path.join(EXAMPLES, 'fastify-receiver.js'))
    const app = createApp(options)
    app.addHook('onResponse', async (req, reply) => {
      log.push({ status: reply.statusCode, webhookId: req.headers['elements-webhook-id'] })
    })
    await app.listen({ port: 0, host: '127.0.0.1' })
    return { url: `http://127.0.0.1:${app.server.address().port}/hootsuite/events`, close: () => app.close() }
  },
  async fetch(options, log) {
    const { serve } = require('@hono/node-server')
    const server = await new Promise((resolve) => {
      const s = serve({ fetch: loggedHandler(options, log), port: 0, hostname: '127.0.0.1' }, () => resolve(s))
    })
    return { url: `http://127.0.0.1:${server.address().port}/hootsuite/events`, close: () => new Promise((r) => server.close(r)) }
  },
})

let emulator
test.before(async () => {
  emulator = await startEmulator()
})
test.after(() => emulator.stop())

for (const [name, start] of Object.entries(RECEIVERS)) {
  test(`${name} receiver: replays, a split batch, a failure and its retry, key rotation`, (t) => receiverScenario(t, { he, emulator, name, start }))
}
