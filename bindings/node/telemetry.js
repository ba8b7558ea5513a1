'use strict'
// OpenTelemetry for receivers, optional: with @opentelemetry/api installed, `receive` and
// `process` report a span per delivery (children: verify, claim, one handle per unit, settle)
// and the receiver's metrics to the providers the application registers; without it, nothing
// is loaded and nothing reported. The names are the Rust core's table (the native module's
// telemetryTable(), the same in Rust and Python). Attributes come from the signed content only.

function create(native) {
  let table
  // The core's table: spans, attributes, metrics, by id.
  function names() {
    if (table === undefined) {
      const t = JSON.parse(native.telemetryTable())
      table = {
        raw: t,
        spans: Object.fromEntries(t.spans.map((s) => [s.id, s.name])),
        attributes: Object.fromEntries(t.attributes.map((a) => [a.id, a.name])),
        metrics: Object.fromEntries(t.metrics.map((m) => [m.id, m])),
      }
    }
    return table
  }

  let api // undefined: not looked up yet; null: not installed
  let reporter = null
  // The reporter, or null without @opentelemetry/api (loaded on the first delivery).
  function current() {
    if (api === undefined) {
      try {
        api = require('@opentelemetry/api')
      } catch (e) {
        if (e && e.code !== 'MODULE_NOT_FOUND') throw e
        api = null
      }
    }
    if (api === null || idle(api)) return null
    const provider = api.metrics.getMeterProvider()
    // The API's meters are not proxies: instruments follow the provider registered now.
    if (reporter === null || reporter.provider !== provider) reporter = new Reporter(api, names(), provider, native)
    return reporter
  }
  return { names, current }
}

// Whether the application registered no tracer provider and no meter provider: the API's own
// no-op ones would record nothing, at a cost.
function idle(api) {
  const tracers = api.trace.getTracerProvider()
  const delegate = typeof tracers.getDelegate === 'function' ? tracers.getDelegate() : tracers
  const meters = api.metrics.getMeterProvider()
  return delegate.constructor.name === 'NoopTracerProvider' && meters.constructor.name === 'NoopMeterProvider'
}

function header(headers, name) {
  if (!headers) return undefined
  if (typeof headers.get === 'function') {
    const v = headers.get(name)
    return v === null ? undefined : v
  }
  if (Array.isArray(headers)) {
    const pair = headers.find(([k]) => String(k).toLowerCase() === name)
    return pair ? pair[1] : undefined
  }
  for (const k of Object.keys(headers)) if (k.toLowerCase() === name) return headers[k]
  return undefined
}

function outcomeOf(status) {
  if (status >= 200 && status < 300) return 'processed'
  if (status === 409) return 'in_progress'
  if (status >= 500 && status < 600) return 'failed'
  return 'refused'
}

class Reporter {
  constructor(api, names, provider, native) {
    this.api = api
    this.provider = provider
    this.native = native
    this.n = names
    const A = names.attributes
    this.A = A
    const version = require('./package.json').version
    this.tracer = api.trace.getTracer(names.raw.scope, version)
    const meter = provider.getMeter(names.raw.scope, version)
    const counter = (id) => {
      const m = names.metrics[id]
      return meter.createCounter(m.name, { unit: m.unit, description: m.description })
    }
    this.deliveries = counter('deliveries')
    this.verificationFailures = counter('verification_failures')
    this.unitsProcessed = counter('units_processed')
    this.duplicates = counter('duplicates')
    this.inProgress = counter('in_progress')
    this.handlerFailures = counter('handler_failures')
    this.lostLeases = counter('lost_leases')
    const d = names.metrics.handler_duration
    this.handlerDuration = meter.createHistogram(d.name, { unit: d.unit, description: d.description, advice: { explicitBucketBoundaries: names.raw.duration_boundaries } })
  }

  // The delivery's context: its span is a child of the active span, else of the traceparent.
  delivery(headers) {
    const { api } = this
    let parent = api.context.active()
    const active = api.trace.getSpan(parent)
    if (!active || !api.trace.isSpanContextValid(active.spanContext())) {
      const value = header(headers, 'traceparent')
      const remote = typeof value === 'string' ? this.native.parseTraceparent(value) : null
      if (remote) parent = api.trace.setSpanContext(parent, { traceId: remote.traceId, spanId: remote.spanId, traceFlags: remote.traceFlags, isRemote: true })
    }
    const span = this.tracer.startSpan(this.n.spans.delivery, { kind: api.SpanKind.CONSUMER }, parent)
    return { span, ctx: api.trace.setSpan(parent, span) }
  }

  child(ctx, id, attributes) {
    return this.tracer.startSpan(this.n.spans[id], attributes ? { attributes } : undefined, ctx)
  }

  fail(span, type) {
    span.setAttribute(this.A.error_type, type)
    span.setStatus({ code: this.api.SpanStatusCode.ERROR, message: type })
  }

  verified(delivery, verify, n) {
    const A = this.A
    if (n.keyIndex !== undefined && n.keyIndex !== null) verify.setAttribute(A.key_index, n.keyIndex)
    verify.end()
    if (!delivery.span.isRecording()) return
    const a = {
      [A.messaging_system]: this.n.raw.messaging_system,
      [A.operation]: this.n.raw.operation,
      [A.unit_count]: n.units.length,
      [A.seq_nos]: n.hootsuiteEvents.map((e) => e.seqNo).filter((s) => s !== undefined && s !== null),
    }
    if (n.eventId !== undefined && n.eventId !== null) a[A.message_id] = n.eventId
    if (n.instanceId !== undefined && n.instanceId !== null) a[A.instance_id] = n.instanceId
    if (n.keyIndex !== undefined && n.keyIndex !== null) a[A.key_index] = n.keyIndex
    delivery.span.setAttributes(a)
  }

  refused(delivery, verify, status, code) {
    this.fail(verify, code)
    verify.end()
    this.verificationFailures.add(1, { [this.A.error_type]: code })
    this.fail(delivery.span, code)
    this.finish(delivery, status)
  }

  finish(delivery, status, outcome, errorType) {
    const A = this.A
    const span = delivery.span
    if (outcome && span.isRecording()) {
      span.setAttributes({
        [A.processed]: outcome.processed,
        [A.skipped]: outcome.skipped,
        [A.in_progress]: outcome.inProgress,
        [A.failed]: outcome.failed,
        [A.lost_leases]: outcome.lostLeases,
        [A.rejected]: outcome.rejected.length,
      })
    }
    if (errorType) this.fail(span, errorType)
    const labels = { [A.outcome]: outcomeOf(status), [A.status_code]: status }
    span.setAttributes(labels)
    this.deliveries.add(1, labels)
    span.end()
  }

  claim(ctx, n) {
    const span = this.child(ctx, 'claim')
    if (span.isRecording()) span.setAttributes({ [this.A.unit_count]: n.units.length, [this.A.unit_keys]: n.units.map((u) => u.key) })
    return span
  }

  claimed(span, answers) {
    if (span.isRecording()) {
      const count = (status) => answers.reduce((c, a) => c + (a && a.status === status ? 1 : 0), 0)
      span.setAttributes({ [this.A.claimed]: count('claimed'), [this.A.skipped]: count('done'), [this.A.in_progress]: count('in_progress') })
    }
    span.end()
  }

  storeFailed(span) {
    this.fail(span, 'store')
    span.end()
  }

  // The unit's span and context (the handler runs in it) and the start time.
  handle(ctx, n, index) {
    const A = this.A
    const unit = n.units[index]
    const span = this.child(ctx, 'handle')
    if (span.isRecording()) {
      const a = { [A.unit_key]: unit.key, [A.unit_kind]: unit.kind }
      if (n.instanceId !== undefined && n.instanceId !== null) a[A.instance_id] = n.instanceId
      if (unit.kind === 'hootsuite_event') {
        const seqNo = n.hootsuiteEvents[unit.index]?.seqNo
        if (seqNo !== undefined && seqNo !== null) a[A.seq_no] = seqNo
      }
      span.setAttributes(a)
    }
    return { span, ctx: this.api.trace.setSpan(ctx, span), kind: unit.kind, started: performance.now() }
  }

  handled(h, failed) {
    const A = this.A
    const seconds = (performance.now() - h.started) / 1000
    const kind = { [A.unit_kind]: h.kind }
    const outcome = failed ? 'failed' : 'processed'
    if (failed) {
      this.handlerFailures.add(1, kind)
      this.fail(h.span, 'handler')
    } else {
      this.unitsProcessed.add(1, kind)
    }
    this.handlerDuration.record(seconds, { ...kind, [A.outcome]: outcome })
    h.span.setAttribute(A.outcome, outcome)
    h.span.end()
  }

  settle(ctx, complete, release) {
    return this.child(ctx, 'settle', { [this.A.completed]: complete.length, [this.A.released]: release.length })
  }

  settled(span, changed, completing) {
    // A completion that changed nothing lost its lease to a takeover.
    span.setAttribute(this.A.lost_leases, changed.slice(0, completing).filter((c) => !c).length)
    span.end()
  }

  done(tally) {
    if (tally.skipped) this.duplicates.add(tally.skipped)
    if (tally.inProgress) this.inProgress.add(tally.inProgress)
    if (tally.lostLeases) this.lostLeases.add(tally.lostLeases)
  }
}

module.exports = { create }
