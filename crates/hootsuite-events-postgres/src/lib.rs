//! # hootsuite-events-postgres
//!
//! The transactional inbox of [`hootsuite_events::idempotency`] on PostgreSQL: each unit of
//! work of a notification is processed in one transaction of your database, which records the
//! unit as done *and* holds your handler's writes. Both commit together or neither does, so
//! the effects happen exactly once with no lease window: a process killed inside the handler
//! leaves nothing behind, and the retry processes the unit.
//!
//! The table, its migration and the statements are the core's
//! [`hootsuite_events::idempotency::postgres`] protocol (the same as the Python and Node
//! packages' inboxes); this crate runs them with [rust-postgres](https://docs.rs/postgres)'s
//! synchronous client.
//!
//! ```no_run
//! use hootsuite_events_postgres::PostgresInbox;
//!
//! let mut client = postgres::Client::connect("host=127.0.0.1 user=app dbname=app", postgres::NoTls)?;
//! let inbox = PostgresInbox::new();
//! inbox.migrate(&mut client)?;
//! let body = br#"{"message": {"instanceId": 1, "raw": [{"seq_no": "7", "type": "t"}]}}"#;
//! let notification = hootsuite_events::events::parse_notification(body)?;
//! let outcome = inbox.process(&mut client, &notification, |tx, work| {
//!     tx.execute("INSERT INTO seen (key) VALUES ($1)", &[&work.unit.key])?;
//!     Ok::<(), postgres::Error>(())
//! });
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use hootsuite_events::events::{Notification, Work};
use hootsuite_events::idempotency::postgres::{Entry, Protocol, SEAL};
use hootsuite_events::idempotency::{status, Outcome, ProcessError};
use postgres::{Client, Transaction};

/// Why an inbox operation failed. No variant shows a connection string or a password:
/// rust-postgres's errors carry none.
#[derive(Debug)]
#[non_exhaustive]
pub enum PostgresInboxError {
    /// A statement failed (the connection dropped, the server refused it).
    Database {
        /// `begin`, `claim`, `seal`, `commit`, `rollback`, `migrate` or `cleanup`.
        step: &'static str,
        /// rust-postgres's error.
        source: postgres::Error,
    },
    /// An argument broke the protocol's rules (table, retention, key), or a reply did.
    Invalid(hootsuite_events::Error),
}

impl std::fmt::Display for PostgresInboxError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PostgresInboxError::Database { step, source } => {
                write!(f, "the inbox's {step} statement failed: {source}")
            }
            PostgresInboxError::Invalid(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for PostgresInboxError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PostgresInboxError::Database { source, .. } => Some(source),
            PostgresInboxError::Invalid(e) => Some(e),
        }
    }
}

fn db(step: &'static str) -> impl FnOnce(postgres::Error) -> PostgresInboxError {
    move |source| PostgresInboxError::Database { step, source }
}

/// A transactional inbox in one table. It holds no connection: each call takes your
/// [`Client`] (one of your pool's, say), so the handler writes through the same connection and
/// transaction as the record of the unit.
#[derive(Debug, Clone, Default)]
pub struct PostgresInbox {
    protocol: Protocol,
}

impl PostgresInbox {
    /// The inbox in `hootsuite_events_inbox`, rows kept [`DEFAULT_RETENTION_MS`](hootsuite_events::idempotency::DEFAULT_RETENTION_MS).
    pub fn new() -> Self {
        PostgresInbox::default()
    }

    /// The inbox in `table` (`name` or `schema.name`), rows kept `retention_ms` before
    /// [`PostgresInbox::cleanup`] deletes them.
    pub fn with_options(table: &str, retention_ms: u64) -> Result<Self, PostgresInboxError> {
        Ok(PostgresInbox {
            protocol: Protocol::new(table, retention_ms).map_err(PostgresInboxError::Invalid)?,
        })
    }

    /// The protocol: the table, the retention and the SQL texts.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// Creates the table and its index when missing ([`Protocol::migration`]), under an
    /// advisory lock so that processes starting together do not race.
    pub fn migrate(&self, client: &mut Client) -> Result<(), PostgresInboxError> {
        let mut tx = client.transaction().map_err(db("begin"))?;
        tx.batch_execute(self.protocol.migration_lock())
            .map_err(db("migrate"))?;
        tx.batch_execute(self.protocol.migration())
            .map_err(db("migrate"))?;
        tx.commit().map_err(db("commit"))
    }

    /// Deletes the rows done more than the retention ago ([`Protocol::cleanup`]); returns
    /// how many.
    pub fn cleanup(&self, client: &mut Client) -> Result<u64, PostgresInboxError> {
        client
            .execute(self.protocol.cleanup(), &[])
            .map_err(db("cleanup"))
    }

    /// Processes each unit of `notification` once, each in its own transaction: records the
    /// unit, calls `f` with the open transaction and the unit, and commits both together. A
    /// unit committed before is skipped; one that another transaction holds is counted in
    /// progress (answer 409) without waiting for it; a [`hootsuite_events::events::UnitKind::Rejected`]
    /// unit is recorded without calling `f` and listed in [`Outcome::rejected`]. When `f`
    /// fails, its transaction is rolled back (nothing of it stays, the unit is not recorded)
    /// and processing stops: [`ProcessError::Failed`], answer 500 so that Cloud Elements
    /// retries. `f` must not commit or roll back the transaction itself.
    pub fn process<E>(
        &self,
        client: &mut Client,
        notification: &Notification,
        mut f: impl FnMut(&mut Transaction<'_>, Work<'_>) -> Result<(), E>,
    ) -> Result<Outcome, ProcessError<PostgresInboxError, E>> {
        let mut outcome = Outcome::default();
        for work in notification.work() {
            let claim = self
                .protocol
                .claim(&work.unit.key, work.unit.kind)
                .map_err(|e| ProcessError::Store(PostgresInboxError::Invalid(e)))?;
            let mut tx = client
                .transaction()
                .map_err(|e| ProcessError::Store(db("begin")(e)))?;
            // Typed parameters: one round trip, with no separate prepare.
            let row = tx
                .query_typed_one(
                    claim.sql,
                    &[
                        (&claim.params[0], postgres::types::Type::TEXT),
                        (&claim.params[1], postgres::types::Type::TEXT),
                    ],
                )
                .map_err(|e| ProcessError::Store(db("claim")(e)))?;
            let (locked, inserted): (bool, bool) = match (row.try_get(0), row.try_get(1)) {
                (Ok(l), Ok(i)) => (l, i),
                (Err(e), _) | (_, Err(e)) => return Err(ProcessError::Store(db("claim")(e))),
            };
            let entry = Protocol::parse_claim(locked, inserted)
                .map_err(|e| ProcessError::Store(PostgresInboxError::Invalid(e)))?;
            match entry {
                Entry::Done | Entry::InProgress => {
                    tx.rollback()
                        .map_err(|e| ProcessError::Store(db("rollback")(e)))?;
                    if entry == Entry::Done {
                        outcome.skipped += 1;
                    } else {
                        outcome.in_progress += 1;
                    }
                    continue;
                }
                Entry::Claimed => {}
            }
            if let Some(rejected) = work.rejected {
                tx.commit()
                    .map_err(|e| ProcessError::Store(db("commit")(e)))?;
                outcome.rejected.push(rejected.clone());
                continue;
            }
            if let Err(error) = f(&mut tx, work) {
                // Dropping the transaction rolls it back: the effects and the record go.
                drop(tx);
                outcome.failed += 1;
                outcome.status = status(outcome.in_progress, outcome.failed);
                return Err(ProcessError::Failed { outcome, error });
            }
            // COMMIT of a transaction that a swallowed error aborted rolls back silently:
            // a statement first makes that an error.
            tx.batch_execute(SEAL)
                .map_err(|e| ProcessError::Store(db("seal")(e)))?;
            tx.commit()
                .map_err(|e| ProcessError::Store(db("commit")(e)))?;
            outcome.processed += 1;
        }
        outcome.status = status(outcome.in_progress, outcome.failed);
        Ok(outcome)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hootsuite_events::idempotency::postgres::DEFAULT_TABLE;
    use hootsuite_events::idempotency::DEFAULT_RETENTION_MS;

    #[test]
    fn options_are_checked() {
        let e = PostgresInbox::with_options("bad name", 1_000).expect_err("refused");
        assert!(e.to_string().contains("table"), "{e}");
        let e = PostgresInbox::with_options("inbox", 0).expect_err("refused");
        assert!(e.to_string().contains("retention_ms"), "{e}");
        let inbox = PostgresInbox::with_options("app.inbox", 60_000).expect("valid");
        assert_eq!(inbox.protocol().table(), "app.inbox");
        assert_eq!(PostgresInbox::new().protocol().table(), DEFAULT_TABLE);
        assert_eq!(
            PostgresInbox::new().protocol().retention_ms(),
            DEFAULT_RETENTION_MS
        );
    }
}
