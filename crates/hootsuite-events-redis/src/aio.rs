//! The async store: the same protocol as [`crate::RedisStore`], on redis-rs's tokio
//! connections, for receivers on tokio (axum, hyper, the `hootsuite-events-tower` layer).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use hootsuite_events::idempotency::redis::{Call, ClaimSet, Protocol, DEFAULT_NAMESPACE};
use hootsuite_events::idempotency::{AsyncStore, Claim, DEFAULT_RETENTION_MS};
use redis::aio::{ConnectionLike, ConnectionManager, ConnectionManagerConfig};
use redis::{ErrorKind, ServerErrorKind, Value};

use crate::{
    address_of, claim_all_answers, claim_answer, claim_pipeline, claim_set_answers, flag_answer,
    settle_answers, token, RedisStoreError, DEFAULT_TIMEOUT,
};

/// An [`AsyncStore`] on Redis over one multiplexed connection (`C`: a redis-rs
/// [`ConnectionManager`] by default, or any clonable [`ConnectionLike`], such as a
/// `MultiplexedConnection` or a cluster's). Concurrent deliveries share the connection
/// without taking turns: their calls are pipelined on it.
///
/// ```no_run
/// use hootsuite_events::idempotency::{process_async, DEFAULT_LEASE_MS};
/// use hootsuite_events_redis::AsyncRedisStore;
///
/// # async fn receive(body: &[u8]) -> Result<(), Box<dyn std::error::Error>> {
/// let store = AsyncRedisStore::connect("redis://127.0.0.1:6379/").await?;
/// let notification = hootsuite_events::events::parse_notification(body)?;
/// let outcome = process_async(&store, &notification, || 0, DEFAULT_LEASE_MS, |work| async move {
///     println!("{}", work.unit.key);
///     Ok::<(), std::io::Error>(())
/// })
/// .await;
/// # Ok(())
/// # }
/// ```
#[derive(Clone)]
pub struct AsyncRedisStore<C = ConnectionManager> {
    connection: C,
    protocol: Protocol,
    /// Set once the server refused `SET … NX … GET` (before Redis 7.0): claim by script.
    claim_by_script: Arc<AtomicBool>,
}

impl<C> std::fmt::Debug for AsyncRedisStore<C> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AsyncRedisStore")
            .field("namespace", &self.protocol.namespace())
            .field("retention_ms", &self.protocol.retention_ms())
            .finish_non_exhaustive()
    }
}

impl AsyncRedisStore<ConnectionManager> {
    /// Connects to `url` with the default namespace and retention, through a
    /// [`ConnectionManager`] that reconnects after a break by itself, with
    /// [`DEFAULT_TIMEOUT`] on connecting and on each answer (a stalled server fails the call
    /// instead of holding the delivery).
    pub async fn connect(url: &str) -> Result<Self, RedisStoreError> {
        let connect_err = |source| RedisStoreError::Connect {
            address: address_of(url),
            source,
        };
        let client = redis::Client::open(url).map_err(connect_err)?;
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(DEFAULT_TIMEOUT))
            .set_response_timeout(Some(DEFAULT_TIMEOUT))
            .set_number_of_retries(2);
        let connection = ConnectionManager::new_with_config(client, config)
            .await
            .map_err(connect_err)?;
        AsyncRedisStore::with_options(connection, DEFAULT_NAMESPACE, DEFAULT_RETENTION_MS)
    }
}

impl<C: ConnectionLike + Clone + Send + Sync> AsyncRedisStore<C> {
    /// A store on `connection` with the default namespace and retention.
    pub fn new(connection: C) -> Result<Self, RedisStoreError> {
        AsyncRedisStore::with_options(connection, DEFAULT_NAMESPACE, DEFAULT_RETENTION_MS)
    }

    /// A store on `connection` with keys under `namespace`, completed keys kept
    /// `retention_ms`.
    pub fn with_options(
        connection: C,
        namespace: &str,
        retention_ms: u64,
    ) -> Result<Self, RedisStoreError> {
        Ok(AsyncRedisStore {
            connection,
            protocol: Protocol::new(namespace, retention_ms).map_err(RedisStoreError::Invalid)?,
            claim_by_script: Arc::new(AtomicBool::new(false)),
        })
    }

    /// The protocol: namespace, retention, key naming.
    pub fn protocol(&self) -> &Protocol {
        &self.protocol
    }

    /// Claims `key` for `lease_ms` (the one-key script; [`AsyncStore::claim_all`] is the loop's).
    pub async fn claim(&self, key: &str, lease_ms: u64) -> Result<Claim, RedisStoreError> {
        let token = token()?;
        let call = self
            .protocol
            .claim(key, lease_ms, &token)
            .map_err(RedisStoreError::Invalid)?;
        claim_answer(&call, self.run(&call).await?, &token)
    }

    /// Completes the claim made with `token`.
    pub async fn complete(&self, key: &str, token: &str) -> Result<bool, RedisStoreError> {
        let call = self
            .protocol
            .complete(key, token)
            .map_err(RedisStoreError::Invalid)?;
        flag_answer(&call, self.run(&call).await?)
    }

    /// Gives up the claim made with `token`.
    pub async fn release(&self, key: &str, token: &str) -> Result<bool, RedisStoreError> {
        let call = self
            .protocol
            .release(key, token)
            .map_err(RedisStoreError::Invalid)?;
        flag_answer(&call, self.run(&call).await?)
    }

    /// Runs `call`; after a broken connection, once more (a [`ConnectionManager`] has
    /// reconnected by then): the scripts may run twice safely.
    async fn run(&self, call: &Call) -> Result<Value, RedisStoreError> {
        match self.run_once(call).await {
            Err(RedisStoreError::Command { source, .. })
                if source.is_unrecoverable_error() || source.is_connection_dropped() =>
            {
                self.run_once(call).await
            }
            other => other,
        }
    }

    /// Sends the pipeline of `set` (one reply per command, errors included); after a broken
    /// connection, once more (a repeated claim answers `in_progress`, never a second owner).
    async fn run_claim_set(&self, set: &ClaimSet) -> Result<Vec<Value>, RedisStoreError> {
        let pipe = claim_pipeline(set);
        let once = || async {
            let mut connection = self.connection.clone();
            pipe.query_async::<Vec<Value>>(&mut connection)
                .await
                .map_err(|source| RedisStoreError::Command {
                    script: "claim_all",
                    source,
                })
        };
        match once().await {
            Err(RedisStoreError::Command { source, .. })
                if source.is_unrecoverable_error() || source.is_connection_dropped() =>
            {
                once().await
            }
            other => other,
        }
    }

    /// `EVALSHA`, then `EVAL` when the server does not have the script.
    async fn run_once(&self, call: &Call) -> Result<Value, RedisStoreError> {
        let mut connection = self.connection.clone();
        let eval = |command: &str, script: &str| {
            let mut cmd = redis::cmd(command);
            cmd.arg(script)
                .arg(call.keys.len())
                .arg(&call.keys)
                .arg(&call.args);
            cmd
        };
        let command_err = |source| RedisStoreError::Command {
            script: call.script.name,
            source,
        };
        match eval("EVALSHA", call.script.sha1)
            .query_async::<Value>(&mut connection)
            .await
        {
            Err(e) if e.kind() == ErrorKind::Server(ServerErrorKind::NoScript) => {
                eval("EVAL", call.script.source)
                    .query_async::<Value>(&mut connection)
                    .await
                    .map_err(command_err)
            }
            other => other.map_err(command_err),
        }
    }
}

impl<C: ConnectionLike + Clone + Send + Sync> AsyncStore for AsyncRedisStore<C> {
    type Error = RedisStoreError;

    /// Claims the units of one notification in one round trip with one new token: a pipeline
    /// of `SET … NX PX … GET` (the claim script before Redis 7.0); `now_ms` is unused
    /// (Redis's clock enforces the lease).
    async fn claim_all(
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
            match claim_set_answers(&set, self.run_claim_set(&set).await?)? {
                Some(claims) => return Ok(claims),
                None => self.claim_by_script.store(true, Ordering::Relaxed),
            }
        }
        let call = self
            .protocol
            .claim_all(keys, lease_ms, &token)
            .map_err(RedisStoreError::Invalid)?;
        claim_all_answers(&call, self.run(&call).await?, keys.len(), &token)
    }

    /// Completes and releases the claims of one notification in one script; `now_ms` is
    /// unused.
    async fn settle(
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
        settle_answers(
            &call,
            self.run(&call).await?,
            complete.len() + release.len(),
        )
    }
}
