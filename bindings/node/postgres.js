'use strict'
// hootsuite-events/postgres: the transactional inbox on PostgreSQL through node-postgres (`pg`
// on npm), a pool or a client you create. Each unit of work is processed in one transaction of
// your database: the inbox records the unit as done in it, hands your handler the client to
// write its effects on, and commits both together (or neither). The table, the migration and
// every statement are the Rust core's (PostgresProtocol); pg is not a dependency.

const core = require('./index.js')

/** What was given: a pg Pool (a client per call), or one client (calls take turns on it). */
function kindOf(db) {
  if (db && typeof db.query === 'function' && typeof db.connect === 'function' && 'totalCount' in db) return 'pool'
  if (db && typeof db.query === 'function') return 'client'
  throw new TypeError('db must be a pg Pool (new Pool() of the pg package) or a connected pg Client: it has no query()')
}

/**
 * Processes each unit of a notification once, in one transaction with its effects:
 * `process(notification, (client, work) => …)`. A unit another transaction holds is counted
 * in progress (answer 409) at once; a handler error rolls its unit back and is rethrown
 * (answer 500: Cloud Elements retries); an event that could not be read is recorded without
 * calling the handler and listed in `outcome.rejected`.
 */
class PostgresInbox {
  #db
  #kind
  #protocol
  #turn = Promise.resolve()
  constructor(db, options = {}) {
    this.#kind = kindOf(db)
    this.#db = db
    this.#protocol = new core.PostgresProtocol(options.table, options.retentionMs)
  }
  /** The table. */
  get table() {
    return this.#protocol.table
  }
  /** The core's protocol: the SQL texts (migration, claimSql, seal, cleanup). */
  get protocol() {
    return this.#protocol
  }
  // A client for one call: the pool's, or ours once the calls before have finished.
  async #withClient(use) {
    if (this.#kind === 'pool') {
      const client = await this.#db.connect()
      let broken
      try {
        return await use(client, (e) => (broken = e))
      } finally {
        client.release(broken)
      }
    }
    const previous = this.#turn
    let done
    this.#turn = new Promise((resolve) => (done = resolve))
    await previous
    try {
      return await use(this.#db, () => {})
    } finally {
      done()
    }
  }
  // Rolls back after a failure; a connection that cannot even do that is given up.
  async #rollback(client, broken) {
    try {
      await client.query('ROLLBACK')
    } catch (e) {
      broken(e)
    }
  }
  /** Creates the table and its index when missing, under an advisory lock. */
  async migrate() {
    return this.#withClient(async (client, broken) => {
      try {
        await client.query('BEGIN')
        await client.query(this.#protocol.migrationLock)
        await client.query(this.#protocol.migration)
        await client.query('COMMIT')
      } catch (e) {
        await this.#rollback(client, broken)
        throw e
      }
    })
  }
  /** Deletes the rows done more than the retention ago; resolves to how many. */
  async cleanup() {
    return this.#withClient(async (client) => (await client.query(this.#protocol.cleanup)).rowCount)
  }
  /** Resolves to the Outcome (`status` is what to answer); rejects with the handler's error. */
  async process(notification, handler) {
    if (!notification || !Array.isArray(notification.units)) {
      throw new TypeError('notification must be the result of verifyEvent or parseEventNotification (it has no units)')
    }
    if (typeof handler !== 'function') throw new TypeError('handler must be a function (client, work) => void or Promise')
    const protocol = this.#protocol
    const outcome = { status: 0, processed: 0, skipped: 0, inProgress: 0, failed: 0, lostLeases: 0, rejected: [] }
    await this.#withClient(async (client, broken) => {
      for (const unit of notification.units) {
        const { sql, params } = protocol.claim(unit.key, unit.kind)
        let status
        try {
          await client.query('BEGIN')
          // A named statement: prepared once per connection, not parsed again for each unit.
          const { rows } = await client.query({ name: `hootsuite-events-claim:${protocol.table}`, text: sql, values: params })
          if (!rows || rows.length !== 1) throw new Error(`the inbox's claim statement answered ${rows ? rows.length : 'no'} rows; expected one (locked, inserted)`)
          status = protocol.parseClaim(rows[0].locked, rows[0].inserted)
          if (status !== 'claimed') {
            await client.query('ROLLBACK')
          } else {
            if (unit.kind !== 'rejected') {
              const work = {
                unit,
                notification,
                hootsuiteEvent: unit.kind === 'hootsuite_event' ? notification.hootsuiteEvents[unit.index] : undefined,
                elementEvent: unit.kind === 'element_event' ? notification.events[unit.index] : undefined,
              }
              await handler(client, work)
              // COMMIT of a transaction that an error aborted answers ROLLBACK without an error.
              await client.query(protocol.seal)
            }
            await client.query('COMMIT')
          }
        } catch (e) {
          await this.#rollback(client, broken)
          throw e
        }
        if (status === 'done') {
          outcome.skipped++
          continue
        }
        if (status === 'in_progress') {
          outcome.inProgress++
          continue
        }
        if (unit.kind === 'rejected') outcome.rejected.push(notification.rejected[unit.index])
        else outcome.processed++
      }
    })
    outcome.status = core.outcomeStatus(outcome.inProgress, outcome.failed)
    return outcome
  }
}

const defaults = new core.PostgresProtocol()
module.exports = { PostgresInbox, DEFAULT_TABLE: core.DEFAULT_TABLE, MIGRATION: defaults.migration, CLEANUP: defaults.cleanup }
