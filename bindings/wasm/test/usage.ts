// Compiled with `tsc --noEmit --strict` by types.test.cjs: the generated declarations of the
// three entries (browser form, full, Node CommonJS) type every parameter and result.
import init, { validateInstance, buildInstanceBody, previewInstanceRequest, hootsuiteWebhookUrl, ValidationError, HootsuiteEventsError } from '../pkg/index.js'
import type { ValidationReport, Issue, RequestPreview, CreateInstanceFields, CreateInstanceConfiguration, ValidationResult } from '../pkg/index.js'
import * as full from '../pkg/full/index.js'
import * as node from '../pkg/node/index.js'

export async function browser(form: Record<string, unknown>): Promise<string> {
  await init()
  const report: ValidationReport = validateInstance(form)
  const first: Issue | undefined = report.errors[0]
  const where: string = first ? first.path.join('.') : ''
  const label: string | null = first?.label ?? null
  const body: Record<string, unknown> = buildInstanceBody(JSON.stringify(form))
  const preview: RequestPreview = previewInstanceRequest('us-legacy', form)
  const curl: string = preview.curl
  const webhook: string = hootsuiteWebhookUrl('eu', 12345)
  // The form's types are the browser entry's too; a pass-through configuration key takes any value.
  const configuration: CreateInstanceConfiguration = { 'oauth.api.key': 'k', 'poll.interval': 5 }
  const typed: CreateInstanceFields = { element: { key: 'hootsuite' }, configuration }
  const checked: ValidationResult = validateInstance(typed)
  const parsed: unknown = JSON.parse('{}')
  const fromUnknown: ValidationResult = validateInstance(parsed)
  void checked; void fromUnknown
  // @ts-expect-error: the browser build takes no account secrets
  previewInstanceRequest({ baseUrl: 'us', userSecret: 'u', organizationSecret: 'o' }, form)
  // @ts-expect-error: an instance id is a number
  hootsuiteWebhookUrl('us', '12345')
  return [where, label, Object.keys(body).length, curl, webhook].join()
}

// An edge runtime's receiver: `process` over a store whose methods may return promises.
export async function edgeReceiver(raw: Uint8Array, headers: Headers, store: full.Store): Promise<number> {
  const n: full.Notification = full.verifyEvent(['new', 'old'], headers, raw, undefined)
  const outcome: full.Outcome = await full.process(store, n, async (work: full.Work) => {
    const key: string = work.unit.key
    void key
  })
  // @ts-expect-error: the handler takes one unit of work
  void full.process(store, n, (a: string) => a)
  return outcome.status
}

export function server(account: full.Account, raw: Uint8Array, headers: Headers): number {
  const req: full.HttpRequest = full.createInstanceRequest(account, { name: 'x' })
  const init: RequestInit = { method: req.method, headers: req.headers, body: req.body }
  const n: full.Notification = full.verifyEvent('key', headers, raw, { allowLegacySha1: false })
  for (const e of n.hootsuiteEvents) {
    if (e.data.kind === 'message') {
      const id: string | null = e.data.messageId
      void id
    }
  }
  const instance: full.Instance = full.parseInstance({ status: 200, headers: [['content-type', 'application/json']], body: '{}' })
  const page: full.InstancePage = full.parseInstancePage({ status: 200, body: raw })
  const events: full.InstanceEvent[] = full.parseInstanceEvents({ status: 200 })
  const redirect: full.RedirectUrl = full.parseRedirectUrl({ status: 200, body: '{}' })
  const list: full.HttpRequest = full.listInstancesRequest(account, { tags: ['a'], pageSize: 10 })
  const url: string = full.redirectUrlRequest(account, { apiKey: 'k', apiSecret: 's', callbackUrl: 'https://a.example/cb' }).url
  const schema: full.JsonSchema = full.createInstanceSchema()
  full.verifySignature('key', raw, 'sha256=x', undefined)
  // @ts-expect-error: the body must be bytes, not a string
  full.sign('key', '{}')
  try {
    full.buildInstanceBody({})
  } catch (e) {
    if (e instanceof ValidationError) {
      const problems: Issue[] = e.errors
      void problems
    } else if (e instanceof HootsuiteEventsError) {
      const code: string = e.code
      void code
    }
  }
  const code: full.AuthorizationCode = full.parseCallback('https://a.example/cb?code=c&state=s', 's')
  const secret: string = code.getSecretValue()
  const store = new full.NativeMemoryStore(10, undefined)
  const claim: full.Claim = store.claim('k', full.constants().DEFAULT_LEASE_MS, Date.now())
  const token: string | undefined = claim.status === 'claimed' ? claim.token : undefined
  const call: full.RedisCall = new full.RedisProtocol(undefined, undefined).claim('k', 100)
  const inboxClaim: full.PostgresStatement = new full.PostgresProtocol(undefined, undefined).claim('k', 'notification')
  const report: full.ValidationReport = full.validateInstanceUpdate({ name: 'x' })
  const shown: full.HttpRequest = full.redactRequest(req)
  const status: number = full.outcomeStatus(0, 0)
  const secrets: Record<string, string> = instance.configurationSecrets
  void init, list, url, schema, redirect, events, page, secret, token, call, inboxClaim, report, shown, status, secrets
  return instance.id + (n.instanceId ?? 0)
}

export function commonjs(account: node.Account): string {
  try {
    return node.getInstanceRequest(account, 1).url
  } catch (e) {
    if (e instanceof node.InvalidArgumentError) return e.field
    throw e
  }
}
