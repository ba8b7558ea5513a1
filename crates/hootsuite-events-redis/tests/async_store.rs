//! The async store on a real redis-server: concurrent claims of one unit (exactly one wins),
//! release on failure, a lost lease's completion refused, `process_async` end to end, the sync
//! and async stores sharing keys, and a restarted server reconnected to.

// The cluster helpers serve the conformance suite.
#[allow(dead_code)]
mod support;

use std::time::Duration;

use hootsuite_events::events::parse_notification;
use hootsuite_events::idempotency::{
    process, process_async, AsyncStore, Claim, ProcessError, Store,
};
use hootsuite_events_redis::{AsyncRedisStore, RedisStore, RedisStoreError};
use support::Server;

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

async fn store(server: &Server, namespace: &str) -> AsyncRedisStore {
    let client = redis::Client::open(server.url.as_str()).expect("url");
    let connection = redis::aio::ConnectionManager::new(client)
        .await
        .expect("connects");
    AsyncRedisStore::with_options(connection, namespace, 60_000).expect("store")
}

fn claimed(c: &Claim) -> bool {
    matches!(c, Claim::Claimed { .. })
}

#[test]
fn concurrent_claims_one_winner_and_settle() {
    let server = Server::start();
    runtime().block_on(async {
        let s = store(&server, "async").await;
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let s = s.clone();
                tokio::spawn(async move { s.claim_all(&["hs:1:1", "hs:1:2"], 60_000, 0).await })
            })
            .collect();
        let mut answers = Vec::new();
        for t in tasks {
            answers.push(t.await.expect("joined").expect("claimed"));
        }
        let winners: Vec<_> = answers.iter().filter(|a| claimed(&a[0])).collect();
        assert_eq!(winners.len(), 1, "{answers:?}");
        let tokens: Vec<String> = winners[0]
            .iter()
            .map(|c| match c {
                Claim::Claimed { token } => token.clone(),
                other => panic!("{other:?}"),
            })
            .collect();
        // Complete the first, release the second: the first is done, the second free again.
        let changed = s
            .settle(&[("hs:1:1", &tokens[0])], &[("hs:1:2", &tokens[1])], 0)
            .await
            .expect("settled");
        assert_eq!(changed, [true, true]);
        let again = s
            .claim_all(&["hs:1:1", "hs:1:2"], 60_000, 0)
            .await
            .expect("claims");
        assert_eq!(again[0], Claim::Done);
        assert!(claimed(&again[1]));
        // A completion by a claimant whose lease was taken over is refused (a lost lease).
        let old = s.claim("hs:2:1", 50).await.expect("claim");
        tokio::time::sleep(Duration::from_millis(120)).await;
        let new = s.claim("hs:2:1", 60_000).await.expect("claim");
        let (Claim::Claimed { token: old }, Claim::Claimed { token: new }) = (old, new) else {
            panic!("both claimed")
        };
        assert!(!s.complete("hs:2:1", &old).await.expect("complete"));
        assert!(!s.release("hs:2:1", &old).await.expect("release"));
        assert!(s.complete("hs:2:1", &new).await.expect("complete"));
    });
}

#[test]
fn process_async_end_to_end_and_shared_with_the_sync_store() {
    let server = Server::start();
    let body = br#"{"message": {"instanceId": 7, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]}}"#;
    let n = parse_notification(body).expect("parses");
    runtime().block_on(async {
        let s = store(&server, "shared").await;
        let failed = process_async(
            &s,
            &n,
            || 0,
            60_000,
            |w| async move {
                if w.unit.key == "hs:7:2" {
                    Err("boom")
                } else {
                    Ok(())
                }
            },
        )
        .await;
        let Err(ProcessError::Failed { outcome, error }) = failed else {
            panic!("expected the failure")
        };
        assert_eq!((outcome.status, outcome.processed, error), (500, 1, "boom"));
        let ok = process_async(&s, &n, || 0, 60_000, |_| async { Ok::<(), ()>(()) })
            .await
            .expect("processed");
        assert_eq!((ok.status, ok.processed, ok.skipped), (200, 1, 1));
    });
    // The sync store on the same namespace sees what the async one recorded.
    let sync = RedisStore::with_options(server.connection(), "shared", 60_000).expect("store");
    let again = process(&sync, &n, || 0, 60_000, |_| Err::<(), ()>(())).expect("skipped");
    assert_eq!((again.processed, again.skipped), (0, 2));
    assert_eq!(sync.claim("hs:7:1", 60_000, 0).expect("claim"), Claim::Done);
}

#[test]
fn a_restarted_server_is_reconnected_to_and_errors_name_no_password() {
    let mut server = Server::start();
    runtime().block_on(async {
        let s = AsyncRedisStore::connect(&server.url)
            .await
            .expect("connects");
        assert!(claimed(&s.claim("before", 60_000).await.expect("claim")));
        server.restart();
        let mut answer = s.claim("after", 60_000).await;
        // The manager reconnects in the background: a call during the break may fail.
        for _ in 0..50 {
            if answer.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
            answer = s.claim("after", 60_000).await;
        }
        assert!(claimed(&answer.expect("claims on a new connection")));
        let e = AsyncRedisStore::connect("redis://u:hunter2@127.0.0.1:1/")
            .await
            .expect_err("refused");
        assert!(matches!(e, RedisStoreError::Connect { .. }), "{e:?}");
        let shown = format!("{e} {e:?}");
        assert!(
            shown.contains("127.0.0.1:1") && !shown.contains("hunter2"),
            "{shown}"
        );
    });
}
