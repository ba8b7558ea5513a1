//! The PostgreSQL transactional inbox, sans-IO: the table, its migration, the statements the
//! stores run and how their rows map to an [`Entry`]. The Rust (`hootsuite-events-postgres`),
//! Python (`hootsuite_events.postgres`) and Node (`hootsuite-events/postgres`) stores send these
//! texts as they are, so that every language records units in the same table the same way.
//!
//! A unit is processed in **one transaction** of the application's own database:
//!
//! 1. `BEGIN`;
//! 2. the [claim statement](Protocol::claim) takes a transaction-level advisory lock on the
//!    unit's key without waiting (`pg_try_advisory_xact_lock`) and, when it got it, inserts the
//!    unit's row (`INSERT … ON CONFLICT (key) DO NOTHING`); its one row `(locked, inserted)`
//!    says [`Entry::Claimed`] (the row is new in this transaction), [`Entry::Done`] (a committed
//!    row exists) or [`Entry::InProgress`] (another transaction holds the key);
//! 3. when claimed, the handler writes the application's effects in the same transaction;
//! 4. [`SEAL`], then `COMMIT`: the effects and the unit's row become visible together, or (a
//!    failure, a killed process, a dropped connection) neither does.
//!
//! The unique key alone makes exactly one transaction commit a unit. The advisory lock is what
//! answers a concurrent delivery at once: without it, its `INSERT` would wait for the first
//! transaction to end (a whole handler), where the claim API answers 409 at once. Every insert
//! goes through the lock, and PostgreSQL releases it only after the commit is visible, so the
//! `INSERT` never waits. Rows are kept for the retention; [`Protocol::cleanup`] deletes older
//! ones.
//!
//! ```
//! use hootsuite_events::events::UnitKind;
//! use hootsuite_events::idempotency::postgres::{Entry, Protocol, MIGRATION};
//! let protocol = Protocol::default();
//! assert_eq!(protocol.migration(), MIGRATION);
//! let claim = protocol.claim("hs:1:7", UnitKind::HootsuiteEvent)?;
//! assert_eq!(claim.params, ["hs:1:7", "hootsuite_event"]);
//! // client.query_one(claim.sql, params) inside BEGIN … COMMIT answers (locked, inserted):
//! assert_eq!(Protocol::parse_claim(true, true)?, Entry::Claimed);
//! # Ok::<(), hootsuite_events::Error>(())
//! ```

use serde::Serialize;

use crate::events::UnitKind;
use crate::Error;

/// The inbox table unless another is given: `hootsuite_events_inbox`.
pub const DEFAULT_TABLE: &str = "hootsuite_events_inbox";

/// The longest table name accepted (without its schema), in bytes: PostgreSQL's 63-byte
/// identifiers less the index's `_done_at` suffix.
pub const MAX_TABLE_LEN: usize = 55;

/// The migration of the default table: the table (one row per unit recorded: its key, its
/// kind, when it was done) and the index the cleanup uses. Run it once, like any migration
/// (the stores' `migrate` runs it under an advisory lock); [`Protocol::migration`] gives it
/// for another table name.
pub const MIGRATION: &str = "CREATE TABLE IF NOT EXISTS hootsuite_events_inbox (
    key text PRIMARY KEY,
    kind text NOT NULL,
    done_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS hootsuite_events_inbox_done_at ON hootsuite_events_inbox (done_at);
";

/// The cleanup of the default table with the default retention (7 days): deletes the rows
/// done before then, and only those. Run it on a schedule (cron, `pg_cron`) or through the
/// stores' `cleanup`; [`Protocol::cleanup`] gives it for another table or retention.
pub const CLEANUP: &str =
    "DELETE FROM hootsuite_events_inbox WHERE done_at < now() - interval '604800000 milliseconds'";

/// The statement run after the handler and before `COMMIT`. A `COMMIT` of a transaction that
/// an error aborted (one the handler caught and went on from) answers `ROLLBACK` without an
/// error; any statement there fails, so the unit is answered 500 instead of counted as done.
pub const SEAL: &str = "SELECT 1";

/// What the claim statement found for a unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Entry {
    /// The unit's row is new in this transaction: run the handler, then commit.
    Claimed,
    /// A committed row exists: the unit was processed before; roll back and skip it.
    Done,
    /// Another transaction holds the unit: roll back and answer
    /// [`STATUS_IN_PROGRESS`](super::STATUS_IN_PROGRESS).
    InProgress,
}

impl Entry {
    /// `claimed`, `done` or `in_progress`: the statuses of the claim API.
    pub fn status(self) -> &'static str {
        match self {
            Entry::Claimed => "claimed",
            Entry::Done => "done",
            Entry::InProgress => "in_progress",
        }
    }
}

/// A statement to run with its parameters (`$1`, `$2`, … in order, all text).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Statement<'p> {
    /// The SQL text, with PostgreSQL's own placeholders.
    pub sql: &'p str,
    /// The parameters, in order.
    pub params: Vec<String>,
}

/// The rules of one inbox: its table and its retention, and the statements made of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    table: String,
    retention_ms: u64,
    migration: String,
    migration_lock: String,
    claim: String,
    cleanup: String,
}

impl Default for Protocol {
    /// [`DEFAULT_TABLE`], [`DEFAULT_RETENTION_MS`](super::DEFAULT_RETENTION_MS).
    fn default() -> Self {
        Protocol::build(DEFAULT_TABLE, super::DEFAULT_RETENTION_MS)
    }
}

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Checks a table name: `name` or `schema.name`, each part 1 to [`MAX_TABLE_LEN`] bytes of
/// lowercase ASCII letters, digits and `_`, not starting with a digit (names that PostgreSQL
/// takes unquoted and unchanged, so the texts need no quoting).
pub fn validate_table(table: &str) -> Result<(), Error> {
    let parts: Vec<&str> = table.split('.').collect();
    if parts.len() > 2 {
        return Err(invalid(
            "table",
            format!(
                "expected `name` or `schema.name`, got {} dots",
                parts.len() - 1
            ),
        ));
    }
    for part in parts {
        if part.is_empty() || part.len() > MAX_TABLE_LEN {
            return Err(invalid(
                "table",
                format!(
                    "expected each part 1 to {MAX_TABLE_LEN} bytes, got {}",
                    part.len()
                ),
            ));
        }
        if part.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(invalid(
                "table",
                "expected a part not starting with a digit",
            ));
        }
        if let Some(c) = part
            .chars()
            .find(|c| !(c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_'))
        {
            return Err(invalid(
                "table",
                format!("expected lowercase ASCII letters, digits or '_', got {c:?}"),
            ));
        }
    }
    Ok(())
}

/// The kind of a unit as stored in the `kind` column: `hootsuite_event`, `element_event`,
/// `notification` or `rejected`.
pub fn kind_name(kind: UnitKind) -> &'static str {
    match kind {
        UnitKind::HootsuiteEvent => "hootsuite_event",
        UnitKind::ElementEvent => "element_event",
        UnitKind::Notification => "notification",
        UnitKind::Rejected => "rejected",
    }
}

/// The [`UnitKind`] of a `kind` column value (what bindings receive as a string).
pub fn parse_kind(kind: &str) -> Result<UnitKind, Error> {
    match kind {
        "hootsuite_event" => Ok(UnitKind::HootsuiteEvent),
        "element_event" => Ok(UnitKind::ElementEvent),
        "notification" => Ok(UnitKind::Notification),
        "rejected" => Ok(UnitKind::Rejected),
        _ => Err(invalid(
            "kind",
            "expected 'hootsuite_event', 'element_event', 'notification' or 'rejected'",
        )),
    }
}

impl Protocol {
    /// The inbox in `table` ([`validate_table`]), rows kept `retention_ms` (1 ms to
    /// [`MAX_EXPIRY_MS`](super::MAX_EXPIRY_MS)) before [`Protocol::cleanup`] deletes them.
    pub fn new(table: &str, retention_ms: u64) -> Result<Self, Error> {
        validate_table(table)?;
        let retention_ms = super::check_expiry("retention_ms", retention_ms)?;
        Ok(Protocol::build(table, retention_ms))
    }

    fn build(table: &str, retention_ms: u64) -> Self {
        // The index lives in the table's schema: its name is the bare table name's.
        let bare = table.rsplit('.').next().unwrap_or(table);
        Protocol {
            table: table.to_string(),
            retention_ms,
            migration: format!(
                "CREATE TABLE IF NOT EXISTS {table} (
    key text PRIMARY KEY,
    kind text NOT NULL,
    done_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX IF NOT EXISTS {bare}_done_at ON {table} (done_at);
"
            ),
            migration_lock: format!(
                "SELECT pg_advisory_xact_lock(hashtextextended('{table}:migration', 0))"
            ),
            claim: format!(
                "WITH lock AS (\
SELECT pg_try_advisory_xact_lock(hashtextextended('{table}:' || $1::text, 0)) AS locked), \
recorded AS (\
INSERT INTO {table} (key, kind) SELECT $1::text, $2::text FROM lock WHERE lock.locked \
ON CONFLICT (key) DO NOTHING RETURNING 1) \
SELECT lock.locked, EXISTS (SELECT 1 FROM recorded) AS inserted FROM lock"
            ),
            cleanup: format!(
                "DELETE FROM {table} WHERE done_at < now() - interval '{retention_ms} milliseconds'"
            ),
        }
    }

    /// The table.
    pub fn table(&self) -> &str {
        &self.table
    }

    /// How long rows are kept before the cleanup deletes them, in milliseconds.
    pub fn retention_ms(&self) -> u64 {
        self.retention_ms
    }

    /// The migration: `CREATE TABLE IF NOT EXISTS` and its `done_at` index (several
    /// statements, no parameters: the simple query protocol runs them at once).
    pub fn migration(&self) -> &str {
        &self.migration
    }

    /// A statement that serializes migrations (a transaction-level advisory lock): run it in
    /// the migration's transaction first, so that processes starting together do not race on
    /// `CREATE TABLE IF NOT EXISTS`.
    pub fn migration_lock(&self) -> &str {
        &self.migration_lock
    }

    /// The cleanup: deletes the rows done more than the retention ago (no parameters).
    pub fn cleanup(&self) -> &str {
        &self.cleanup
    }

    /// The claim statement's text alone (`$1` the unit key, `$2` its kind), for hosts that
    /// prepare it once.
    pub fn claim_sql(&self) -> &str {
        &self.claim
    }

    /// The claim of `unit_key`, to run inside the unit's transaction: it answers one row,
    /// `(locked boolean, inserted boolean)`, for [`Protocol::parse_claim`].
    pub fn claim(&self, unit_key: &str, kind: UnitKind) -> Result<Statement<'_>, Error> {
        super::redis::validate_unit_key(unit_key)?;
        Ok(Statement {
            sql: &self.claim,
            params: vec![unit_key.to_string(), kind_name(kind).to_string()],
        })
    }

    /// The [`Entry`] of the claim statement's row.
    pub fn parse_claim(locked: bool, inserted: bool) -> Result<Entry, Error> {
        match (locked, inserted) {
            (true, true) => Ok(Entry::Claimed),
            (true, false) => Ok(Entry::Done),
            (false, false) => Ok(Entry::InProgress),
            (false, true) => Err(invalid(
                "reply",
                "expected no row inserted without the lock, got one",
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(e: Error) -> String {
        match e {
            Error::InvalidArgument { field, reason } => format!("{field}: {reason}"),
            other => panic!("expected an invalid argument, got {other:?}"),
        }
    }

    #[test]
    fn the_default_texts_are_the_constants() {
        let p = Protocol::default();
        assert_eq!(p.migration(), MIGRATION);
        assert_eq!(p.cleanup(), CLEANUP);
        assert_eq!(
            p,
            Protocol::new(DEFAULT_TABLE, 7 * 24 * 3_600_000).expect("valid")
        );
        assert_eq!(
            p.claim_sql(),
            "WITH lock AS (SELECT pg_try_advisory_xact_lock(hashtextextended('hootsuite_events_inbox:' || $1::text, 0)) AS locked), \
recorded AS (INSERT INTO hootsuite_events_inbox (key, kind) SELECT $1::text, $2::text FROM lock WHERE lock.locked \
ON CONFLICT (key) DO NOTHING RETURNING 1) SELECT lock.locked, EXISTS (SELECT 1 FROM recorded) AS inserted FROM lock"
        );
    }

    #[test]
    fn another_table_and_retention() {
        let p = Protocol::new("app.inbox_2", 60_000).expect("valid");
        assert!(p
            .migration()
            .contains("CREATE TABLE IF NOT EXISTS app.inbox_2 ("));
        assert!(p
            .migration()
            .contains("CREATE INDEX IF NOT EXISTS inbox_2_done_at ON app.inbox_2 (done_at)"));
        assert_eq!(
            p.cleanup(),
            "DELETE FROM app.inbox_2 WHERE done_at < now() - interval '60000 milliseconds'"
        );
        assert!(p.migration_lock().contains("'app.inbox_2:migration'"));
        let c = p.claim("hs:1:2", UnitKind::Rejected).expect("valid");
        assert_eq!(c.params, ["hs:1:2", "rejected"]);
        assert!(c.sql.contains("INSERT INTO app.inbox_2 (key, kind)"));
    }

    #[test]
    fn rows_map_to_entries() {
        assert_eq!(Protocol::parse_claim(true, true).ok(), Some(Entry::Claimed));
        assert_eq!(Protocol::parse_claim(true, false).ok(), Some(Entry::Done));
        assert_eq!(
            Protocol::parse_claim(false, false).ok(),
            Some(Entry::InProgress)
        );
        assert!(
            field(Protocol::parse_claim(false, true).expect_err("impossible"))
                .starts_with("reply:")
        );
        assert_eq!(Entry::InProgress.status(), "in_progress");
        for kind in [
            UnitKind::HootsuiteEvent,
            UnitKind::ElementEvent,
            UnitKind::Notification,
            UnitKind::Rejected,
        ] {
            assert_eq!(parse_kind(kind_name(kind)).ok(), Some(kind));
        }
        assert!(field(parse_kind("other").expect_err("unknown")).starts_with("kind:"));
    }

    #[test]
    fn bad_arguments_are_refused_precisely() {
        for (table, want) in [
            ("", "table: expected each part 1 to 55 bytes, got 0"),
            ("a.b.c", "got 2 dots"),
            ("Inbox", "got 'I'"),
            ("in box", "got ' '"),
            ("x'; drop", "got '\\''"),
            ("1inbox", "not starting with a digit"),
            ("s.", "got 0"),
        ] {
            let e = field(Protocol::new(table, 1_000).expect_err("refused"));
            assert!(e.contains(want), "{table:?}: {e}");
        }
        assert!(Protocol::new(&"t".repeat(55), 1).is_ok());
        assert!(Protocol::new(&"t".repeat(56), 1).is_err());
        assert!(field(Protocol::new("t", 0).expect_err("refused")).starts_with("retention_ms:"));
        assert!(
            field(Protocol::new("t", super::super::MAX_EXPIRY_MS + 1).expect_err("refused"))
                .starts_with("retention_ms:")
        );
        let p = Protocol::default();
        assert!(field(p.claim("", UnitKind::Notification).expect_err("empty")).starts_with("key:"));
        assert!(field(
            p.claim("a\u{0}b", UnitKind::Notification)
                .expect_err("control")
        )
        .contains("control"));
    }
}
