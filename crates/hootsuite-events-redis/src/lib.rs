//! # hootsuite-events-redis
//!
//! A [`Store`] of [`hootsuite_events::idempotency`] on Redis, shared by every process of a
//! receiver behind a load balancer: a retry that lands on another process finds the claim
//! (or the completed key) and is not processed twice.
//!
//! The keys, values, scripts and replies are the core's
//! [`hootsuite_events::idempotency::redis`] protocol (the same as the Python and Node
//! packages' Redis stores); this crate sends them with [redis-rs](https://docs.rs/redis)'s
//! synchronous connection: a notification's claims as one pipeline of `SET … NX PX … GET`
//! (Redis 7.0 and later; on an older server, the claim script from then on), its settlement
//! and the one-key calls as scripts (`EVALSHA`, then `EVAL` when the server lacks the script).
//! Redis's own clock enforces leases and retention (`PX`): the `now_ms` arguments are unused.
//!
//! With the `tokio` feature, [`AsyncRedisStore`] is the same store for async receivers: an
//! [`hootsuite_events::idempotency::AsyncStore`] on redis-rs's tokio connections
//! (`ConnectionManager` by default), for [`hootsuite_events::idempotency::process_async`].
//!
//! ```no_run
//! use hootsuite_events::idempotency::{process, DEFAULT_LEASE_MS};
//! use hootsuite_events_redis::RedisStore;
//!
//! let store = RedisStore::connect("redis://127.0.0.1:6379/")?;
//! let body = br#"{"message": {"instanceId": 1, "raw": [{"seq_no": "7", "type": "t"}]}}"#;
//! let notification = hootsuite_events::events::parse_notification(body)?;
//! let outcome = process(&store, &notification, || 0, DEFAULT_LEASE_MS, |_work| Ok::<(), ()>(()));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};

#[cfg(feature = "tokio")]
mod aio;
#[cfg(feature = "tokio")]
pub use aio::AsyncRedisStore;

use hootsuite_events::idempotency::redis::{
    claim_set_unsupported, new_token, parse_claim_all_reply, parse_claim_reply,
    parse_claim_set_replies, parse_flag_reply, parse_settle_reply, Call, ClaimSet, Protocol,
    DEFAULT_NAMESPACE,
};
use hootsuite_events::idempotency::{Claim, Store, DEFAULT_RETENTION_MS};
use redis::{ConnectionLike, ErrorKind, ServerErrorKind, Value};

/// The connect, read and write timeout of [`RedisStore::connect`]: 5 s.
pub const DEFAULT_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// Why a Redis store operation failed. No variant shows a password or a full connection URL.
#[derive(Debug)]
#[non_exhaustive]
pub enum RedisStoreError {
    /// The connection could not be made (`address` is the host and port only).
    Connect {
        /// `host:port` (or the socket path) of the URL, without user or password.
        address: String,
        /// redis-rs's error.
        source: redis::RedisError,
    },
    /// A call failed (the connection dropped, the server refused it).
    Command {
        /// `claim`, `complete`, `release`, `claim_all` or `settle`.
        script: &'static str,
        /// redis-rs's error.
        source: redis::RedisError,
    },
    /// The server answered something the call cannot answer.
    Reply {
        /// `claim`, `complete`, `release`, `claim_all` or `settle`.
        script: &'static str,
        /// What was expected and what came.
        reason: String,
    },
    /// An argument broke the protocol's rules (namespace, key, token, lease, retention).
    Invalid(hootsuite_events::Error),
    /// The operating system had no randomness for a claim token.
    Randomness(String),
}

impl std::fmt::Display for RedisStoreError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RedisStoreError::Connect { address, source } => {
                write!(
                    f,
                    "could not connect to Redis at {address}: {}",
                    redacted(source)
                )
            }
            RedisStoreError::Command { script, source } => {
                write!(f, "the Redis {script} script failed: {}", redacted(source))
            }
            RedisStoreError::Reply { script, reason } => {
                write!(f, "unexpected Redis reply to the {script} script: {reason}")
            }
            RedisStoreError::Invalid(e) => e.fmt(f),
            RedisStoreError::Randomness(e) => write!(f, "no randomness for a claim token: {e}"),
        }
    }
}

impl std::error::Error for RedisStoreError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RedisStoreError::Connect { source, .. } | RedisStoreError::Command { source, .. } => {
                Some(source)
            }
            RedisStoreError::Invalid(e) => Some(e),
            _ => None,
        }
    }
}

/// redis-rs's error as shown: its category and detail, which carry no URL or password.
fn redacted(e: &redis::RedisError) -> String {
    match (e.code(), e.detail()) {
        (Some(code), Some(detail)) => format!("{code} {detail}"),
        _ => e.category().to_string() + io_detail(e).as_str(),
    }
}

fn io_detail(e: &redis::RedisError) -> String {
    if e.is_io_error() || e.is_connection_refusal() || e.is_timeout() {
        // The I/O cause names the operation (refused, reset, timed out), never the URL.
        match std::error::Error::source(e) {
            Some(io) => format!(" ({io})"),
            None => String::new(),
        }
    } else {
        String::new()
    }
}

/// The address of a Redis URL without user, password, database or query: `host:port`.
fn address_of(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.rsplit_once('@').map_or(rest, |(_, r)| r);
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    rest[..end].to_string()
}

/// Makes a new connection after the old one broke.
type Reconnect<C> = Box<dyn Fn() -> Result<C, redis::RedisError> + Send + Sync>;

/// A [`Store`] on Redis over one connection (`C`: a redis-rs [`redis::Connection`] by
/// default, or anything [`ConnectionLike`]). Calls from several threads take turns on the
/// connection; for parallel calls, give each thread its own store (same namespace).
///
/// A store made by [`RedisStore::connect`] replaces a broken connection (a server restart, a
/// failover, a reset) and sends the call again once; the scripts may run twice safely (a
/// repeated claim answers `in_progress`, a repeated completion `false`, never a second
/// owner). A store on a connection of yours reports the error and leaves reconnecting to you.
pub struct RedisStore<C = redis::Connection> {
    connection: Mutex<C>,
    reconnect: Option<Reconnect<C>>,
    protocol: Protocol,
    /// Set once the server refused `SET … NX … GET` (before Redis 7.0): claim by script.
    claim_by_script: AtomicBool,
}

impl<C> std::fmt::Debug for RedisStore<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RedisStore")
            .field("namespace", &self.protocol.namespace())
            .field("retention_ms", &self.protocol.retention_ms())
            .finish_non_exhaustive()
    }
}

impl RedisStore<redis::Connection> {
    /// Connects to `url` (`redis://[user:password@]host:port/db`, see redis-rs) with the
    /// default namespace and retention, and [`DEFAULT_TIMEOUT`] on connecting, reading and
    /// writing (a stalled server fails the call instead of holding the receiver).
    pub fn connect(url: &str) -> Result<Self, RedisStoreError> {
        let connect_err = |source| RedisStoreError::Connect {
            address: address_of(url),
            source,
        };
        let client = redis::Client::open(url).map_err(connect_err)?;
        let open = move || {
            let connection = client.get_connection_with_timeout(DEFAULT_TIMEOUT)?;
            connection.set_read_timeout(Some(DEFAULT_TIMEOUT))?;
            connection.set_write_timeout(Some(DEFAULT_TIMEOUT))?;
            Ok(connection)
        };
        let connection = open().map_err(connect_err)?;
        let mut store =
            RedisStore::with_options(connection, DEFAULT_NAMESPACE, DEFAULT_RETENTION_MS)?;
        store.reconnect = Some(Box::new(open));
        Ok(store)
    }
}

impl<C: ConnectionLike> RedisStore<C> {
    /// A store on `connection` with the default namespace and retention.
    pub fn new(connection: C) -> Result<Self, RedisStoreError> {
        RedisStore::with_options(connection, DEFAULT_NAMESPACE, DEFAULT_RETENTION_MS)
    }

    /// A store on `connection` with keys under `namespace`, completed keys kept
    /// `retention_ms`.
    pub fn with_options(
        connection: C,
        namespace: &str,
        retention_ms: u64,
    ) -> Result<Self, RedisStoreError> {
        Ok(RedisStore {
            connection: Mutex::new(connection),
            reconnect: None,
            protocol: Protocol::new(namespace, retention_ms).map_err(RedisStoreError::Invalid)?,
            claim_by_script: AtomicBool::new(false),
        })
    }

    /// The protocol: namespace, retention, key naming.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    fn lock(&self) -> MutexGuard<'_, C> {
        // A panic mid-call leaves at worst a broken connection, which the next call reports.
        self.connection.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `call`; after a broken connection, once more on a new one (stores that can).
    fn run(&self, call: &Call) -> Result<Value, RedisStoreError> {
        self.retrying(call.script.name, |connection| self.run_on(connection, call))
    }

    /// Sends the pipeline of `set` (one reply per command, errors included); `None` on a
    /// connection that cannot pipeline (redis-rs's synchronous cluster connection).
    fn run_claim_set(&self, set: &ClaimSet) -> Result<Option<Vec<Value>>, RedisStoreError> {
        let pipe = claim_pipeline(set);
        self.retrying("claim_all", |connection| {
            if !connection.supports_pipelining() {
                return Ok(None);
            }
            pipe.query::<Vec<Value>>(connection)
                .map(Some)
                .map_err(|source| RedisStoreError::Command {
                    script: "claim_all",
                    source,
                })
        })
    }

    /// Runs `f` on the connection; after a broken connection, once more on a new one (stores
    /// that can).
    fn retrying<T>(
        &self,
        name: &'static str,
        f: impl Fn(&mut C) -> Result<T, RedisStoreError>,
    ) -> Result<T, RedisStoreError> {
        let mut connection = self.lock();
        match f(&mut connection) {
            Err(RedisStoreError::Command { source, .. })
                if source.is_unrecoverable_error() || !connection.is_open() =>
            {
                let Some(reconnect) = &self.reconnect else {
                    return Err(RedisStoreError::Command {
                        script: name,
                        source,
                    });
                };
                *connection = reconnect().map_err(|source| RedisStoreError::Command {
                    script: name,
                    source,
                })?;
                f(&mut connection)
            }
            other => other,
        }
    }

    /// `EVALSHA`, then `EVAL` when the server does not have the script.
    fn run_on(&self, connection: &mut C, call: &Call) -> Result<Value, RedisStoreError> {
        let eval = |command: &str, script: &str, connection: &mut C| {
            redis::cmd(command)
                .arg(script)
                .arg(call.keys.len())
                .arg(&call.keys)
                .arg(&call.args)
                .query::<Value>(connection)
        };
        let command_err = |source| RedisStoreError::Command {
            script: call.script.name,
            source,
        };
        match eval("EVALSHA", call.script.sha1, connection) {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                eval("EVAL", call.script.source, connection).map_err(command_err)
            }
            other => other.map_err(command_err),
        }
    }
}

fn reply_err(call: &Call, e: hootsuite_events::Error) -> RedisStoreError {
    RedisStoreError::Reply {
        script: call.script.name,
        reason: match e {
            hootsuite_events::Error::InvalidArgument { reason, .. } => reason,
            other => other.to_string(),
        },
    }
}

/// The kind of a reply, for errors (its content may be anything).
fn kind(v: &Value) -> &'static str {
    match v {
        Value::Nil => "nil",
        Value::Int(_) => "an integer",
        Value::BulkString(_) => "a bulk string",
        Value::Array(_) => "an array",
        Value::SimpleString(_) => "a simple string",
        Value::Okay => "OK",
        Value::Map(_) => "a map",
        Value::Set(_) => "a set",
        Value::Double(_) => "a double",
        Value::Boolean(_) => "a boolean",
        _ => "another type",
    }
}

impl<C: ConnectionLike> Store for RedisStore<C> {
    type Error = RedisStoreError;

    /// Claims `key` for `lease_ms` with a new 128-bit token; `now_ms` is unused (Redis's
    /// clock enforces the lease).
    fn claim(&self, key: &str, lease_ms: u64, _now_ms: u64) -> Result<Claim, RedisStoreError> {
        let token = token()?;
        let call = self
            .protocol
            .claim(key, lease_ms, &token)
            .map_err(RedisStoreError::Invalid)?;
        claim_answer(&call, self.run(&call)?, &token)
    }

    /// Completes the claim made with `token`; `now_ms` is unused (Redis's clock starts the
    /// retention).
    fn complete(&self, key: &str, token: &str, _now_ms: u64) -> Result<bool, RedisStoreError> {
        let call = self
            .protocol
            .complete(key, token)
            .map_err(RedisStoreError::Invalid)?;
        flag_answer(&call, self.run(&call)?)
    }

    fn release(&self, key: &str, token: &str) -> Result<bool, RedisStoreError> {
        let call = self
            .protocol
            .release(key, token)
            .map_err(RedisStoreError::Invalid)?;
        flag_answer(&call, self.run(&call)?)
    }

    /// Claims the units of one notification in one round trip with one new token: a pipeline
    /// of `SET … NX PX … GET` (the claim script before Redis 7.0, and on connections that
    /// cannot pipeline); `now_ms` is unused.
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        _now_ms: u64,
    ) -> Result<Vec<Claim>, RedisStoreError> {
        let token = token()?;
        if !self.claim_by_script.load(Ordering::Relaxed) {
            let set = self
                .protocol
                .claim_set(keys, lease_ms, &token)
                .map_err(RedisStoreError::Invalid)?;
            if let Some(replies) = self.run_claim_set(&set)? {
                match claim_set_answers(&set, replies)? {
                    Some(claims) => return Ok(claims),
                    None => self.claim_by_script.store(true, Ordering::Relaxed),
                }
            }
        }
        let call = self
            .protocol
            .claim_all(keys, lease_ms, &token)
            .map_err(RedisStoreError::Invalid)?;
        claim_all_answers(&call, self.run(&call)?, keys.len(), &token)
    }

    /// Completes and releases the claims of one notification in one script; `now_ms` is
    /// unused.
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        _now_ms: u64,
    ) -> Result<Vec<bool>, RedisStoreError> {
        if complete.is_empty() && release.is_empty() {
            return Ok(Vec::new());
        }
        let call = self
            .protocol
            .settle(complete, release)
            .map_err(RedisStoreError::Invalid)?;
        settle_answers(&call, self.run(&call)?, complete.len() + release.len())
    }
}

/// A new claim token from the operating system's randomness.
fn token() -> Result<String, RedisStoreError> {
    new_token().map_err(|e| RedisStoreError::Randomness(e.to_string()))
}

/// The reply of the claim script: `claimed`, `done` or `in_progress`.
fn claim_answer(call: &Call, reply: Value, token: &str) -> Result<Claim, RedisStoreError> {
    match reply {
        Value::BulkString(b) => parse_claim_reply(&b, token),
        Value::SimpleString(s) => parse_claim_reply(s.as_bytes(), token),
        other => {
            return Err(RedisStoreError::Reply {
                script: call.script.name,
                reason: format!("expected a string, got {}", kind(&other)),
            })
        }
    }
    .map_err(|e| reply_err(call, e))
}

/// The reply of the complete and release scripts: 1 or 0.
fn flag_answer(call: &Call, reply: Value) -> Result<bool, RedisStoreError> {
    match reply {
        Value::Int(n) => parse_flag_reply(n).map_err(|e| reply_err(call, e)),
        other => Err(RedisStoreError::Reply {
            script: call.script.name,
            reason: format!("expected an integer, got {}", kind(&other)),
        }),
    }
}

fn array(call: &Call, reply: Value) -> Result<Vec<Value>, RedisStoreError> {
    match reply {
        Value::Array(items) => Ok(items),
        other => Err(RedisStoreError::Reply {
            script: call.script.name,
            reason: format!("expected an array, got {}", kind(&other)),
        }),
    }
}

/// The reply of the claim-all script: one answer per key.
fn claim_all_answers(
    call: &Call,
    reply: Value,
    keys: usize,
    token: &str,
) -> Result<Vec<Claim>, RedisStoreError> {
    let replies = array(call, reply)?;
    let texts = replies
        .iter()
        .map(|v| match v {
            Value::BulkString(b) => Ok(b.as_slice()),
            Value::SimpleString(s) => Ok(s.as_bytes()),
            other => Err(RedisStoreError::Reply {
                script: call.script.name,
                reason: format!("expected strings, got {}", kind(other)),
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    parse_claim_all_reply(texts, keys, token).map_err(|e| reply_err(call, e))
}

/// The pipeline that sends the commands of `set`, every reply kept (errors too).
fn claim_pipeline(set: &ClaimSet) -> redis::Pipeline {
    let mut pipe = redis::pipe();
    pipe.ignore_errors();
    for command in set.commands() {
        pipe.cmd(&command[0]).arg(&command[1..]);
    }
    pipe
}

/// The claims the pipeline of `set` answered; `None` when the server predates `SET … NX …
/// GET` (it changed nothing: claim by script).
fn claim_set_answers(
    set: &ClaimSet,
    replies: Vec<Value>,
) -> Result<Option<Vec<Claim>>, RedisStoreError> {
    let reply_err = |reason: String| RedisStoreError::Reply {
        script: "claim_all",
        reason,
    };
    let mut values = Vec::with_capacity(replies.len());
    for reply in &replies {
        values.push(match reply {
            Value::Nil => None,
            Value::BulkString(b) => Some(b.as_slice()),
            Value::SimpleString(s) => Some(s.as_bytes()),
            Value::ServerError(e) => {
                let text = format!("{} {}", e.code(), e.details().unwrap_or_default());
                if claim_set_unsupported(&text) {
                    return Ok(None);
                }
                return Err(RedisStoreError::Command {
                    script: "claim_all",
                    source: e.clone().into(),
                });
            }
            other => {
                return Err(reply_err(format!(
                    "expected nil or a string, got {}",
                    kind(other)
                )))
            }
        });
    }
    parse_claim_set_replies(values, set.keys.len(), &set.token)
        .map(Some)
        .map_err(|e| match e {
            hootsuite_events::Error::InvalidArgument { reason, .. } => reply_err(reason),
            other => reply_err(other.to_string()),
        })
}

/// The reply of the settle script: one flag per claim.
fn settle_answers(call: &Call, reply: Value, claims: usize) -> Result<Vec<bool>, RedisStoreError> {
    let flags = array(call, reply)?
        .iter()
        .map(|v| match v {
            Value::Int(n) => Ok(*n),
            other => Err(RedisStoreError::Reply {
                script: call.script.name,
                reason: format!("expected integers, got {}", kind(other)),
            }),
        })
        .collect::<Result<Vec<_>, _>>()?;
    parse_settle_reply(flags, claims).map_err(|e| reply_err(call, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_leave_credentials_out() {
        assert_eq!(
            address_of("redis://user:s3cret@10.0.0.1:6380/2?x=1"),
            "10.0.0.1:6380"
        );
        assert_eq!(address_of("rediss://:p@ss@host/"), "host");
        assert_eq!(address_of("redis://127.0.0.1:1"), "127.0.0.1:1");
    }

    #[test]
    fn a_refused_connection_names_the_address_only() {
        // Port 1 on loopback: nothing listens there.
        let e = RedisStore::connect("redis://u:hunter2@127.0.0.1:1/").expect_err("refused");
        let shown = format!("{e} {e:?}");
        assert!(shown.contains("127.0.0.1:1"), "{shown}");
        assert!(!shown.contains("hunter2"), "{shown}");
    }
}
