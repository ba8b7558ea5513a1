// Compiled with `tsc --noEmit --strict` in the tests: the declarations describe the API.
import * as he from 'hootsuite-events'

const config = new he.Config('us', 'user', 'org')
const req: he.Request = he.createInstanceRequest(config, { name: 'x' })
const init: RequestInit = { method: req.method, headers: req.headers, body: req.body }
const report: he.ValidationResult = he.validateInstance('{}')
const firstPath: Array<string | number> = report.errors[0]?.path ?? []
const instance: he.Instance = he.parseInstance({ status: 200, headers: {}, body: '{}' })
const id: number = instance.id
const configured: string | null | undefined = instance.configuration['oauth.api.key']
const n: he.Notification = he.verifyEvent('key', { 'elements-webhook-signature': 'sha256=' }, Buffer.from('{}'))
const kinds: string[] = n.hootsuiteEvents.map((e) => e.data.kind)
const firstId: string | null = n.hootsuiteEvents[0]?.data.kind === 'message' ? n.hootsuiteEvents[0].data.messageId : null
const keyIndex: number | null = he.verifyEvent(['new', 'old'], {}, Buffer.from('{}')).keyIndex
const matched: number = he.verifySignature(['new', 'old'], Buffer.from('{}'), 'sha256=')
const store: he.Store = new he.MemoryStore({ capacity: 10 })
const claim: he.Claim = new he.MemoryStore().claim('k', { leaseMs: he.DEFAULT_LEASE_MS })
const token: string | undefined = claim.status === 'claimed' ? claim.token : undefined
const outcome: Promise<he.Outcome> = he.process(store, n, async (w: he.Work) => {
  void w.unit.key, w.hootsuiteEvent?.seqNo
})
const url: string = he.hootsuiteWebhookUrl(config.baseUrl, id)
// Absent values are null, in the same shape on the native addon and on the fallback.
const body: string | null = req.body
const label: string | null = report.errors[0]?.label ?? null
const created: string | null = instance.createdDate
const secrets: Record<string, string> = instance.configurationSecrets
const deliveries: he.Delivery[] = he.parseDeliveries({ status: 200, headers: {}, body: '[]' })
const entry: he.ConfigurationEntry = he.parseConfigurationEntry({ status: 200, headers: {}, body: '{}' })
const policy: 'retry' | 'queue' = he.parseFailurePolicy({ status: 200, headers: {}, body: '{}' })
const call: he.RedisCall = new he.RedisProtocol().claim('k', 100)
const callToken: string | null = call.token
const stored: he.Claim = new he.NativeMemoryStore().claim('k', 100, Date.now())
const presets: he.BaseUrlPreset[] = he.baseUrlPresets()
const which: 'native' | 'wasm' = he.backend
void body, label, created, secrets, deliveries, entry, policy, callToken, stored, presets, which
try {
  he.parseEmpty({ status: 500, headers: [['a', 'b']], body: '' })
} catch (e) {
  if (e instanceof he.ApiError) {
    const retry: boolean = e.isRetryable
    const status: number = e.status
    void retry, status
  } else if (e instanceof he.ValidationError) {
    const codes: string[] = e.errors.map((i) => i.code)
    void codes
  }
}
// @ts-expect-error: an instance id is a number
he.getInstanceRequest(config, '12')
void init, firstPath, configured, kinds, url, firstId, keyIndex, matched, token, outcome
async function fetched(res: Response): Promise<number> {
  const page: he.InstancePage = await he.parseInstancePageAsync(res)
  const one: he.Instance = await he.parseInstanceAsync({ status: res.status, headers: {}, body: '{}' })
  const redirect: he.RedirectUrl = await he.parseRedirectUrlAsync(res)
  const events: he.InstanceEvent[] = await he.parseInstanceEventsAsync(res)
  await he.parseEmptyAsync(res)
  return page.instances.length + one.id + redirect.oauthUrl.length + events.length
}
void fetched

// The Redis store takes a connected node-redis client (what it calls of it: evalSha, eval).
import { RedisStore, RedisStoreError, DEFAULT_NAMESPACE, DEFAULT_TIMEOUT_MS, newClaimToken } from 'hootsuite-events/redis'
import type { RedisScriptClient } from 'hootsuite-events/redis'
import { createClient } from 'redis'
async function onRedis(client: RedisScriptClient): Promise<he.Outcome> {
  const shared: he.Store = new RedisStore(client, { namespace: DEFAULT_NAMESPACE, retentionMs: he.DEFAULT_RETENTION_MS, timeoutMs: DEFAULT_TIMEOUT_MS })
  const c: he.Claim = await new RedisStore(client).claim('k', { leaseMs: 100 })
  if (c.status === 'claimed') await new RedisStore(client).complete('k', c.token)
  const t: string = newClaimToken()
  void t
  return he.process(shared, n, () => {})
}
void onRedis
// The README's line, with node-redis's own client type.
async function fromReadme(url: string): Promise<string> {
  const store = new RedisStore(await createClient({ url }).connect())
  try {
    return (await store.claim('k')).status
  } catch (e) {
    if (e instanceof RedisStoreError) return e.code
    throw e
  }
}
void fromReadme

// The PostgreSQL inbox takes a pg Pool or Client (what it calls of them: query, connect).
import { PostgresInbox, DEFAULT_TABLE, MIGRATION, CLEANUP } from 'hootsuite-events/postgres'
import type { PgClient, PgPool } from 'hootsuite-events/postgres'
async function onPostgres(pool: PgPool, client: PgClient): Promise<he.Outcome> {
  const inbox = new PostgresInbox(pool, { table: DEFAULT_TABLE, retentionMs: he.DEFAULT_RETENTION_MS })
  await inbox.migrate()
  const removed: number = await new PostgresInbox(client).cleanup()
  const texts: string[] = [MIGRATION, CLEANUP, inbox.table, inbox.protocol.claimSql, inbox.protocol.seal]
  const statement: he.PostgresStatement = inbox.protocol.claim('hs:1:2', 'hootsuite_event')
  void removed
  void texts
  void statement
  return inbox.process(n, async (c, work) => {
    await c.query('INSERT INTO posts (key) VALUES ($1)', [work.unit.key])
  })
}
void onPostgres
