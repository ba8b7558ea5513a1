import type { PostgresProtocol, Notification, Outcome, Work } from './index'

/** What the inbox calls of a pg client (a `pg.Client`, or a pool's `PoolClient`). */
export interface PgClient {
  query(text: string | { name?: string; text: string; values?: unknown[] }, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>
}

/** What the inbox calls of a pg pool (`new Pool()` of the pg package). */
export interface PgPool<C extends PgClient = PgClient> {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>
  connect(): Promise<C & { release(err?: Error | boolean): void }>
  readonly totalCount: number
}

export interface PostgresInboxOptions {
  /** The inbox table (`name` or `schema.name`); default DEFAULT_TABLE. */
  table?: string
  /** How long rows are kept before `cleanup()` deletes them; default DEFAULT_RETENTION_MS (7 days). */
  retentionMs?: number
}

/**
 * The transactional inbox: each unit processed in one transaction that records it and holds
 * the handler's writes. A pool gives each call a client; one client serves calls in turn.
 */
export declare class PostgresInbox<C extends PgClient = PgClient> {
  constructor(db: PgPool<C> | C, options?: PostgresInboxOptions)
  readonly table: string
  /** The core's protocol: the SQL texts (migration, claimSql, seal, cleanup). */
  readonly protocol: PostgresProtocol
  /** Creates the table and its index when missing, under an advisory lock. */
  migrate(): Promise<void>
  /** Deletes the rows done more than the retention ago; resolves to how many. */
  cleanup(): Promise<number>
  /** `handler(client, work)` writes its effects on `client`, inside the unit's transaction. */
  process(notification: Notification, handler: (client: C, work: Work) => void | Promise<void>): Promise<Outcome>
}

/** The inbox table unless another is given: `hootsuite_events_inbox`. */
export declare const DEFAULT_TABLE: string
/** The migration of the default table: the table and the index of its cleanup. */
export declare const MIGRATION: string
/** The cleanup of the default table with the default retention (7 days). */
export declare const CLEANUP: string
