//! One conformance suite, run against the core's MemoryStore and the Redis store on a real
//! redis-server: concurrent claims, lease expiry, release on failure, completion by a
//! claimant whose lease was taken over, a late completion with no takeover, retention,
//! namespaces, `process` end to end.

mod support;

use std::fmt::Debug;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

use hootsuite_events::events::parse_notification;
use hootsuite_events::idempotency::{process, Claim, MemoryStore, ProcessError, Store};
use hootsuite_events_redis::{RedisStore, RedisStoreError};
use support::Server;

/// Milliseconds since the first call: MemoryStore's clock (Redis ignores it and uses its own).
fn now() -> u64 {
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed().as_millis() as u64
}

fn token(c: Claim) -> String {
    match c {
        Claim::Claimed { token } => token,
        other => panic!("expected a claim, got {other:?}"),
    }
}

/// Claims `key` until it is ours, at most 10 s: a lease has expired when this returns.
fn claim_after_expiry<S: Store>(store: &S, key: &str, lease_ms: u64) -> String
where
    S::Error: Debug,
{
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        match store.claim(key, lease_ms, now()).expect("claim") {
            Claim::Claimed { token } => return token,
            Claim::InProgress => {}
            Claim::Done => panic!("{key}: done, expected the lease to expire"),
        }
        assert!(
            Instant::now() < deadline,
            "{key}: the lease did not expire within 10 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The cases every store passes. `make(namespace)` gives a store on its own namespace.
fn conformance<S, F>(make: F)
where
    S: Store + Send + Sync + 'static,
    S::Error: Debug,
    F: Fn(&str) -> S,
{
    // Concurrent claims: of 8 threads (each with its own store, as separate processes have),
    // exactly one gets the key.
    let barrier = Arc::new(Barrier::new(8));
    let stores: Vec<S> = (0..8).map(|_| make("concurrent")).collect();
    let winners: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = stores
            .iter()
            .map(|s| {
                let barrier = Arc::clone(&barrier);
                scope.spawn(move || {
                    barrier.wait();
                    matches!(
                        s.claim("k", 60_000, now()).expect("claim"),
                        Claim::Claimed { .. }
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| usize::from(h.join().expect("thread")))
            .sum()
    });
    assert_eq!(winners, 1, "exactly one concurrent claimant");

    let s = make("cases");
    // A live claim is in progress for another claimant.
    let t = token(s.claim("held", 60_000, now()).expect("claim"));
    assert_eq!(
        s.claim("held", 60_000, now()).expect("claim"),
        Claim::InProgress
    );

    // Release on failure: the next claim is Claimed, and the old token releases nothing.
    assert!(s.release("held", &t).expect("release"));
    assert!(!s.release("held", &t).expect("release"), "released twice");
    let t2 = token(s.claim("held", 60_000, now()).expect("claim"));
    assert!(s.complete("held", &t2, now()).expect("complete"));

    // Done stays done for the retention, and the done key's token completes nothing again.
    assert_eq!(s.claim("held", 60_000, now()).expect("claim"), Claim::Done);
    assert!(!s.complete("held", &t2, now()).expect("complete"));
    assert!(!s.release("held", &t2).expect("release"));
    assert_eq!(s.claim("held", 60_000, now()).expect("claim"), Claim::Done);

    // Lease expiry: another claimant takes the key over; the first one's late completion and
    // release are refused and the key stays the new claimant's.
    let old = token(s.claim("lease", 100, now()).expect("claim"));
    let new = claim_after_expiry(&s, "lease", 60_000);
    assert_ne!(old, new);
    assert!(
        !s.complete("lease", &old, now()).expect("complete"),
        "a lost lease completes nothing"
    );
    assert!(
        !s.release("lease", &old).expect("release"),
        "a lost lease releases nothing"
    );
    assert_eq!(
        s.claim("lease", 60_000, now()).expect("claim"),
        Claim::InProgress
    );
    assert!(s.complete("lease", &new, now()).expect("complete"));
    assert_eq!(s.claim("lease", 60_000, now()).expect("claim"), Claim::Done);

    // A lease that ran out with no claim since: the late completion records the key as done
    // (the work was done), so the next delivery skips it.
    let late = token(s.claim("late", 50, now()).expect("claim"));
    std::thread::sleep(Duration::from_millis(120));
    assert!(
        s.complete("late", &late, now()).expect("complete"),
        "a late completion with no takeover completes"
    );
    assert_eq!(s.claim("late", 60_000, now()).expect("claim"), Claim::Done);

    // A wrong token never completes.
    let _t = token(s.claim("wrong", 60_000, now()).expect("claim"));
    assert!(!s
        .complete("wrong", "not-the-token", now())
        .expect("complete"));
    assert_eq!(
        s.claim("wrong", 60_000, now()).expect("claim"),
        Claim::InProgress
    );

    // Namespaces isolate: the same unit key elsewhere is new.
    let other = make("other");
    assert!(matches!(
        other.claim("held", 60_000, now()).expect("claim"),
        Claim::Claimed { .. }
    ));

    // process end to end: processed once, skipped on the retry, released on failure.
    let n = parse_notification(
        br#"{"message": {"instanceId": 3, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]}}"#,
    )
    .expect("parses");
    let p = make("process");
    let failed = process(&p, &n, now, 60_000, |w| {
        if w.unit.key == "hs:3:2" {
            Err("boom")
        } else {
            Ok(())
        }
    });
    let Err(ProcessError::Failed { outcome, .. }) = failed else {
        panic!("expected the failure")
    };
    assert_eq!(
        (outcome.status, outcome.processed, outcome.failed),
        (500, 1, 1)
    );
    let mut seen = Vec::new();
    let outcome = process(&p, &n, now, 60_000, |w| {
        seen.push(w.unit.key.clone());
        Ok::<(), ()>(())
    })
    .expect("processed");
    assert_eq!(
        (outcome.status, outcome.processed, outcome.skipped),
        (200, 1, 1)
    );
    assert_eq!(seen, ["hs:3:2"]);
    let again = process(&p, &n, now, 60_000, |_| Ok::<(), ()>(())).expect("processed");
    assert_eq!((again.status, again.processed, again.skipped), (200, 0, 2));

    // A zero lease would let every concurrent delivery claim the unit: every store refuses it.
    let z = make("zero-lease");
    assert!(z.claim("k", 0, now()).is_err(), "a zero lease is refused");
    assert!(matches!(
        z.claim("k", 60_000, now()).expect("claim"),
        Claim::Claimed { .. }
    ));
}

#[test]
fn memory_store_conforms() {
    // One shared MemoryStore per namespace: what one process sees.
    let spaces =
        std::sync::Mutex::new(std::collections::HashMap::<String, Arc<MemoryStore>>::new());
    conformance(|ns| {
        let store = Arc::clone(
            spaces
                .lock()
                .expect("lock")
                .entry(ns.to_string())
                .or_default(),
        );
        Shared(store)
    });
}

/// An `Arc<MemoryStore>` as a store (threads share one).
struct Shared(Arc<MemoryStore>);

impl Store for Shared {
    type Error = hootsuite_events::Error;
    fn claim(&self, key: &str, lease_ms: u64, now_ms: u64) -> Result<Claim, Self::Error> {
        self.0.claim(key, lease_ms, now_ms)
    }
    fn complete(&self, key: &str, token: &str, now_ms: u64) -> Result<bool, Self::Error> {
        Ok(self.0.complete(key, token, now_ms))
    }
    fn release(&self, key: &str, token: &str) -> Result<bool, Self::Error> {
        Ok(self.0.release(key, token))
    }
}

#[test]
fn redis_store_conforms() {
    let server = Server::start();
    conformance(|ns| {
        RedisStore::with_options(server.connection(), &format!("t-{ns}"), 60_000).expect("a store")
    });
}

/// The same suite on a 3-primary Redis Cluster: the units of a notification share a hash tag,
/// so that one script claims or settles them all on the node of their slot.
#[test]
fn redis_cluster_store_conforms() {
    let cluster = support::Cluster::start();
    let client =
        redis::cluster::ClusterClient::new(cluster.urls.clone()).expect("a cluster client");
    conformance(|ns| {
        RedisStore::with_options(
            client.get_connection().expect("a cluster connection"),
            &format!("c-{ns}"),
            60_000,
        )
        .expect("a store")
    });
    // The notifications of several instances land on different primaries, each batch whole.
    let store = RedisStore::with_options(
        client.get_connection().expect("a connection"),
        "spread",
        60_000,
    )
    .expect("a store");
    for instance in 1..=30 {
        let keys: Vec<String> = (1..=5).map(|s| format!("hs:{instance}:{s}")).collect();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let claims = store
            .claim_all(&keys, 60_000, 0)
            .expect("one slot per notification");
        assert!(claims.iter().all(|c| matches!(c, Claim::Claimed { .. })));
    }
    let mut slots = std::collections::HashSet::new();
    let mut c = client.get_connection().expect("a connection");
    for instance in 1..=30 {
        let slot: i64 = redis::cmd("CLUSTER")
            .arg("KEYSLOT")
            .arg(
                store
                    .protocol()
                    .key(&format!("hs:{instance}:1"))
                    .expect("a key"),
            )
            .query(&mut c)
            .expect("KEYSLOT");
        slots.insert(slot * 3 / 16384);
    }
    assert_eq!(
        slots.len(),
        3,
        "the instances' notifications spread over the three primaries"
    );
}

#[test]
fn redis_keys_values_and_expiry_are_the_protocols() {
    let server = Server::start();
    let store = RedisStore::with_options(server.connection(), "ns", 5_000).expect("a store");
    let mut c = server.connection();
    let t = token(store.claim("hs:1:7", 60_000, 0).expect("claim"));
    let value: String = redis::cmd("GET")
        .arg("ns:{hs:1}:7")
        .query(&mut c)
        .expect("GET");
    assert_eq!(value, format!("c:{t}"));
    let ttl: i64 = redis::cmd("PTTL")
        .arg("ns:{hs:1}:7")
        .query(&mut c)
        .expect("PTTL");
    assert!((1..=60_000).contains(&ttl), "lease ttl {ttl}");
    assert!(store.complete("hs:1:7", &t, 0).expect("complete"));
    let value: String = redis::cmd("GET")
        .arg("ns:{hs:1}:7")
        .query(&mut c)
        .expect("GET");
    assert_eq!(value, "d");
    let ttl: i64 = redis::cmd("PTTL")
        .arg("ns:{hs:1}:7")
        .query(&mut c)
        .expect("PTTL");
    assert!((1..=5_000).contains(&ttl), "retention ttl {ttl}");

    // A notification's units in one script each way: one claim, one settle.
    let all = store
        .claim_all(&["hs:2:1", "hs:2:2", "hs:2:3"], 60_000, 0)
        .expect("claim_all");
    let tokens: Vec<String> = all.into_iter().map(token).collect();
    assert!(
        tokens.windows(2).all(|w| w[0] == w[1]),
        "one token per call"
    );
    assert_eq!(
        store
            .claim_all(&["hs:2:1", "hs:2:4"], 60_000, 0)
            .expect("claim_all")[0],
        Claim::InProgress
    );
    let t = tokens[0].as_str();
    let changed = store
        .settle(
            &[("hs:2:1", t), ("hs:2:2", t)],
            &[("hs:2:3", t), ("hs:2:4", "not-mine")],
            0,
        )
        .expect("settle");
    assert_eq!(changed, [true, true, true, false]);
    let values: Vec<Option<String>> = redis::cmd("MGET")
        .arg(&["ns:{hs:2}:1", "ns:{hs:2}:2", "ns:{hs:2}:3"])
        .query(&mut c)
        .expect("MGET");
    assert_eq!(values, [Some("d".into()), Some("d".into()), None]);
    assert!(
        store.claim_all(&["hs:2:1", "hs:3:1"], 60_000, 0).is_err(),
        "two groups are two slots on a cluster: refused before sending"
    );

    // A flushed script cache: EVALSHA fails with NOSCRIPT and the store falls back to EVAL.
    let _: () = redis::cmd("SCRIPT")
        .arg("FLUSH")
        .query(&mut c)
        .expect("SCRIPT FLUSH");
    assert!(matches!(
        store.claim("after-flush", 1_000, 0).expect("claim"),
        Claim::Claimed { .. }
    ));

    // Retention over: the key is gone, a claim is new again.
    let short = RedisStore::with_options(server.connection(), "short", 50).expect("a store");
    let t = token(short.claim("k", 60_000, 0).expect("claim"));
    assert!(short.complete("k", &t, 0).expect("complete"));
    let deadline = Instant::now() + Duration::from_secs(10);
    while short.claim("k", 60_000, 0).expect("claim") == Claim::Done {
        assert!(
            Instant::now() < deadline,
            "the retention did not end within 10 s"
        );
        std::thread::sleep(Duration::from_millis(10));
    }

    // A key of another type: the script's error reaches the caller as a command error.
    let _: () = redis::cmd("LPUSH")
        .arg("ns:{list}")
        .arg("x")
        .query(&mut c)
        .expect("LPUSH");
    let e = store.complete("list", "tok", 0).expect_err("wrong type");
    assert!(
        matches!(
            e,
            RedisStoreError::Command {
                script: "complete",
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().contains("WRONGTYPE"), "{e}");

    // Bad arguments are refused before anything is sent.
    let e = store.claim("", 1_000, 0).expect_err("empty key");
    assert!(
        matches!(e, RedisStoreError::Invalid(_)) && e.to_string().contains("key"),
        "{e}"
    );
    assert!(RedisStore::with_options(server.connection(), "bad space", 1).is_err());
}

#[test]
fn a_dropped_server_is_a_command_error() {
    let server = Server::start();
    let store = RedisStore::connect(&server.url).expect("connects");
    drop(server);
    let e = store.claim("k", 1_000, 0).expect_err("the server is gone");
    assert!(
        matches!(
            e,
            RedisStoreError::Command {
                script: "claim",
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn a_restarted_server_is_reconnected_to() {
    let mut server = Server::start();
    let store = RedisStore::connect(&server.url).expect("connects");
    assert!(matches!(
        store.claim("before", 60_000, 0).expect("claim"),
        Claim::Claimed { .. }
    ));
    server.restart();
    let t = token(
        store
            .claim("after", 60_000, 0)
            .expect("claims on a new connection"),
    );
    assert!(store.complete("after", &t, 0).expect("complete"));
    assert_eq!(store.claim("after", 60_000, 0).expect("claim"), Claim::Done);
    // A store on a connection of the caller's reports the break and leaves it to the caller.
    let mine = RedisStore::new(server.connection()).expect("store");
    server.restart();
    assert!(matches!(
        mine.claim("k", 1_000, 0),
        Err(RedisStoreError::Command { .. })
    ));
}

/// A connection to a real server that answers pipelines as a server before Redis 7.0 answers
/// `SET … NX … GET` (a syntax error per command, nothing changed), counting them.
struct BeforeRedis7 {
    inner: redis::Connection,
    pipelines: Arc<std::sync::atomic::AtomicUsize>,
}

impl redis::ConnectionLike for BeforeRedis7 {
    fn req_packed_command(&mut self, cmd: &[u8]) -> redis::RedisResult<redis::Value> {
        self.inner.req_packed_command(cmd)
    }
    fn req_packed_commands(
        &mut self,
        _cmd: &[u8],
        _offset: usize,
        count: usize,
    ) -> redis::RedisResult<Vec<redis::Value>> {
        self.pipelines
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let error = redis::parse_redis_value(b"-ERR syntax error\r\n")?;
        Ok(vec![error; count])
    }
    fn get_db(&self) -> i64 {
        self.inner.get_db()
    }
    fn check_connection(&mut self) -> bool {
        self.inner.check_connection()
    }
    fn is_open(&self) -> bool {
        self.inner.is_open()
    }
}

#[test]
fn before_redis_7_the_claims_go_through_the_script_once_refused() {
    let server = Server::start();
    let pipelines = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let old = BeforeRedis7 {
        inner: server.connection(),
        pipelines: pipelines.clone(),
    };
    let store = RedisStore::with_options(old, "old", 60_000).expect("a store");
    let first = store
        .claim_all(&["hs:1:1", "hs:1:2"], 60_000, 0)
        .expect("claimed by script");
    assert!(first.iter().all(|c| matches!(c, Claim::Claimed { .. })));
    let t = token(first[0].clone());
    assert_eq!(
        store.settle(&[("hs:1:1", &t)], &[], 0).expect("settle"),
        [true]
    );
    assert_eq!(
        store
            .claim_all(&["hs:1:1", "hs:1:2"], 60_000, 0)
            .expect("claim_all"),
        [Claim::Done, Claim::InProgress]
    );
    assert_eq!(
        pipelines.load(std::sync::atomic::Ordering::Relaxed),
        1,
        "refused once, then the script only"
    );
}
