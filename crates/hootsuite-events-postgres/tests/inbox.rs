//! The inbox against a real PostgreSQL server of the test's own (loopback, private data
//! directory): the cases of the claim stores that apply (a unit processed once, skipped on a
//! replay, in progress for a concurrent delivery, a failure retried, rejected events recorded
//! once) and the inbox's own: the handler's write and the record commit together or not at
//! all, a process SIGKILLed inside the transaction leaves nothing, exactly one of several
//! concurrent deliveries commits, the cleanup deletes only rows past the retention.

mod support;

use std::io::{BufRead as _, BufReader};
use std::process::{Command, Stdio};
use std::sync::{mpsc, Arc, Barrier};
use std::time::{Duration, Instant};

use hootsuite_events::events::{parse_notification, Notification};
use hootsuite_events::idempotency::ProcessError;
use hootsuite_events_postgres::{PostgresInbox, PostgresInboxError};
use support::Server;

const TWO: &[u8] = br#"{"message": {"instanceId": 3, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]}}"#;

fn notification(body: &[u8]) -> Notification {
    parse_notification(body).expect("parses")
}

/// The application's table: one row per effect, no unique key (duplicates would show).
fn app_table(client: &mut postgres::Client, name: &str) {
    client
        .batch_execute(&format!(
            "CREATE TABLE IF NOT EXISTS {name} (key text NOT NULL, seq_no text)"
        ))
        .expect("the app table");
}

fn count(client: &mut postgres::Client, sql: &str) -> i64 {
    client.query_one(sql, &[]).expect("count").get(0)
}

fn write_effect(
    tx: &mut postgres::Transaction<'_>,
    table: &str,
    work: &hootsuite_events::events::Work<'_>,
) -> Result<(), postgres::Error> {
    let seq_no = work.hootsuite_event.and_then(|e| e.seq_no.clone());
    tx.execute(
        &format!("INSERT INTO {table} (key, seq_no) VALUES ($1, $2)"),
        &[&work.unit.key, &seq_no],
    )?;
    Ok(())
}

#[test]
fn processed_once_skipped_on_replay_and_rolled_back_on_failure() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::with_options("inbox_a", 60_000).expect("valid");
    inbox.migrate(&mut c).expect("migrated");
    inbox
        .migrate(&mut c)
        .expect("a second migration changes nothing");
    app_table(&mut c, "effects_a");
    let n = notification(TWO);

    // The second unit fails: the first is committed with its effect, the second has neither.
    let failed = inbox.process(&mut c, &n, |tx, work| {
        write_effect(tx, "effects_a", &work).map_err(|e| e.to_string())?;
        if work.unit.key == "hs:3:2" {
            return Err("the handler failed".to_string());
        }
        Ok(())
    });
    let Err(ProcessError::Failed { outcome, error }) = failed else {
        panic!("expected the failure")
    };
    assert_eq!(
        (
            outcome.status,
            outcome.processed,
            outcome.failed,
            error.as_str()
        ),
        (500, 1, 1, "the handler failed")
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM effects_a"), 1);
    assert_eq!(count(&mut c, "SELECT count(*) FROM inbox_a"), 1);
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM effects_a WHERE key = 'hs:3:2'"
        ),
        0,
        "the failed unit's write was rolled back with it"
    );

    // The retry processes the second only; a replay skips both.
    let retry = inbox
        .process(&mut c, &n, |tx, work| write_effect(tx, "effects_a", &work))
        .expect("processed");
    assert_eq!((retry.status, retry.processed, retry.skipped), (200, 1, 1));
    let replay = inbox
        .process(&mut c, &n, |_, _| Err::<(), _>("never called"))
        .expect("skipped");
    assert_eq!(
        (replay.status, replay.processed, replay.skipped),
        (200, 0, 2)
    );
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM effects_a"),
        2,
        "each unit's effect once"
    );
    let kinds: Vec<(String, String)> = c
        .query("SELECT key, kind FROM inbox_a ORDER BY key", &[])
        .expect("rows")
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        kinds,
        [
            ("hs:3:1".into(), "hootsuite_event".into()),
            ("hs:3:2".into(), "hootsuite_event".into())
        ]
    );
}

#[test]
fn a_swallowed_database_error_is_not_counted_as_done() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::new();
    inbox.migrate(&mut c).expect("migrated");
    app_table(&mut c, "effects_b");
    let n = notification(TWO);
    // The handler's statement fails and the handler goes on: the transaction is aborted, and
    // COMMIT would answer ROLLBACK without an error.
    let r = inbox.process(&mut c, &n, |tx, _| {
        let _ = tx.execute("INSERT INTO no_such_table VALUES (1)", &[]);
        Ok::<(), ()>(())
    });
    let Err(ProcessError::Store(PostgresInboxError::Database { step, .. })) = r else {
        panic!("expected the seal to fail, got {r:?}")
    };
    assert_eq!(step, "seal");
    assert_eq!(
        count(&mut c, "SELECT count(*) FROM hootsuite_events_inbox"),
        0
    );
    let ok = inbox
        .process(&mut c, &n, |tx, work| write_effect(tx, "effects_b", &work))
        .expect("processed on the retry");
    assert_eq!(ok.processed, 2);
}

#[test]
fn rejected_events_are_recorded_once_without_the_handler() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::with_options("inbox_r", 60_000).expect("valid");
    inbox.migrate(&mut c).expect("migrated");
    app_table(&mut c, "effects_r");
    let n = notification(
        br#"{"message": {"instanceId": 2, "raw": [
            {"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}},
            {"seq_no": "2", "type": "t"}]}}"#,
    );
    let first = inbox
        .process(&mut c, &n, |tx, work| write_effect(tx, "effects_r", &work))
        .expect("processed");
    assert_eq!(
        (first.status, first.processed, first.rejected.len()),
        (200, 1, 1)
    );
    assert_eq!(first.rejected[0].position, 0);
    let again = inbox
        .process(&mut c, &n, |_, _| Err::<(), _>("never called"))
        .expect("skipped");
    assert_eq!(
        (again.processed, again.skipped, again.rejected.len()),
        (0, 2, 0)
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM inbox_r WHERE kind = 'rejected'"
        ),
        1
    );
    assert_eq!(count(&mut c, "SELECT count(*) FROM effects_r"), 1);
}

#[test]
fn a_concurrent_delivery_is_in_progress_at_once_then_done() {
    let server = Server::start();
    let mut a = server.client();
    let inbox = PostgresInbox::with_options("inbox_c", 60_000).expect("valid");
    inbox.migrate(&mut a).expect("migrated");
    app_table(&mut a, "effects_c");
    let one = br#"{"message": {"instanceId": 4, "raw": [{"seq_no": "1", "type": "t"}]}}"#;
    let (inside_tx, inside) = mpsc::channel();
    let (go_tx, go) = mpsc::channel::<()>();
    let holder = {
        let inbox = inbox.clone();
        std::thread::spawn(move || {
            let n = notification(one);
            inbox
                .process(&mut a, &n, |tx, work| {
                    write_effect(tx, "effects_c", &work)?;
                    let _ = inside_tx.send(());
                    let _ = go.recv_timeout(Duration::from_secs(20));
                    Ok::<(), postgres::Error>(())
                })
                .expect("processed")
        })
    };
    inside
        .recv_timeout(Duration::from_secs(20))
        .expect("the first delivery inside its handler");
    let mut b = server.client();
    let n = notification(one);
    let started = Instant::now();
    let second = inbox
        .process(&mut b, &n, |_, _| Err::<(), _>("never called"))
        .expect("answered");
    let waited = started.elapsed();
    assert_eq!((second.status, second.in_progress), (409, 1));
    assert!(
        waited < Duration::from_secs(2),
        "answered without waiting for the other transaction ({waited:?})"
    );
    go_tx.send(()).expect("the holder goes on");
    let first = holder.join().expect("the holder");
    assert_eq!((first.status, first.processed), (200, 1));
    let third = inbox
        .process(&mut b, &n, |_, _| Err::<(), _>("never called"))
        .expect("skipped");
    assert_eq!((third.status, third.skipped), (200, 1));
    assert_eq!(count(&mut b, "SELECT count(*) FROM effects_c"), 1);
}

#[test]
fn of_eight_concurrent_deliveries_exactly_one_commits() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::with_options("inbox_e", 60_000).expect("valid");
    app_table(&mut c, "effects_e");
    // Eight processes migrating at once: the advisory lock orders them.
    let barrier = Arc::new(Barrier::new(8));
    std::thread::scope(|s| {
        for _ in 0..8 {
            let (barrier, inbox, server) = (Arc::clone(&barrier), &inbox, &server);
            s.spawn(move || {
                let mut client = server.client();
                barrier.wait();
                inbox.migrate(&mut client).expect("migrated");
            });
        }
    });
    for round in 0..5 {
        let body = format!(
            r#"{{"message": {{"instanceId": 5, "raw": [{{"seq_no": "{round}", "type": "t"}}]}}}}"#
        );
        let outcomes: Vec<(usize, usize, usize)> = std::thread::scope(|s| {
            let handles: Vec<_> = (0..8)
                .map(|_| {
                    let (barrier, inbox, server, body) =
                        (Arc::clone(&barrier), &inbox, &server, body.as_bytes());
                    s.spawn(move || {
                        let mut client = server.client();
                        let n = notification(body);
                        barrier.wait();
                        let o = inbox
                            .process(&mut client, &n, |tx, work| {
                                write_effect(tx, "effects_e", &work)?;
                                std::thread::sleep(Duration::from_millis(20));
                                Ok::<(), postgres::Error>(())
                            })
                            .expect("answered");
                        (o.processed, o.skipped, o.in_progress)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("thread"))
                .collect()
        });
        let processed: usize = outcomes.iter().map(|o| o.0).sum();
        assert_eq!(processed, 1, "round {round}: {outcomes:?}");
        assert!(
            outcomes.iter().all(|o| o.0 + o.1 + o.2 == 1),
            "{outcomes:?}"
        );
    }
    assert_eq!(count(&mut c, "SELECT count(*) FROM effects_e"), 5);
    assert_eq!(
        count(&mut c, "SELECT count(DISTINCT key) FROM effects_e"),
        5
    );
}

#[test]
fn cleanup_removes_only_rows_past_the_retention() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::with_options("app.inbox_d", 3_600_000).expect("valid");
    c.batch_execute("CREATE SCHEMA app").expect("schema");
    inbox.migrate(&mut c).expect("migrated");
    let body = br#"{"message": {"instanceId": 6, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}, {"seq_no": "3", "type": "t"}]}}"#;
    let n = notification(body);
    inbox
        .process(&mut c, &n, |_, _| Ok::<(), ()>(()))
        .expect("processed");
    c.batch_execute(
        "UPDATE app.inbox_d SET done_at = now() - interval '2 hours' WHERE key = 'hs:6:1';
         UPDATE app.inbox_d SET done_at = now() - interval '59 minutes' WHERE key = 'hs:6:2'",
    )
    .expect("aged");
    assert_eq!(inbox.cleanup(&mut c).expect("cleaned"), 1);
    let left: Vec<String> = c
        .query("SELECT key FROM app.inbox_d ORDER BY key", &[])
        .expect("rows")
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(left, ["hs:6:2", "hs:6:3"]);
    // The forgotten unit is new again; the kept ones are still skipped.
    let again = inbox
        .process(&mut c, &n, |_, _| Ok::<(), ()>(()))
        .expect("processed");
    assert_eq!((again.processed, again.skipped), (1, 2));
    // The statement as documented, run by hand, does the same.
    c.batch_execute("UPDATE app.inbox_d SET done_at = now() - interval '3 hours'")
        .expect("aged");
    assert_eq!(
        c.execute(inbox.protocol().cleanup(), &[]).expect("cleaned"),
        3
    );
}

/// The child of the kill test: processes one unit, writes its effect, says so, and waits to
/// be killed inside the open transaction. Does nothing unless the parent started it.
#[test]
fn child_killed_inside_the_transaction() {
    let Ok(params) = std::env::var("HOOTSUITE_EVENTS_PG_CHILD") else {
        return;
    };
    let mut c = postgres::Client::connect(&params, postgres::NoTls).expect("connects");
    let inbox = PostgresInbox::with_options("inbox_k", 60_000).expect("valid");
    let n =
        notification(br#"{"message": {"instanceId": 7, "raw": [{"seq_no": "1", "type": "t"}]}}"#);
    let _ = inbox.process(&mut c, &n, |tx, work| {
        write_effect(tx, "effects_k", &work)?;
        println!("inside-the-transaction");
        std::thread::sleep(Duration::from_secs(60));
        Ok::<(), postgres::Error>(())
    });
    panic!("the parent did not kill this process");
}

#[test]
fn a_process_killed_inside_the_transaction_leaves_nothing_and_the_retry_processes_once() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::with_options("inbox_k", 60_000).expect("valid");
    inbox.migrate(&mut c).expect("migrated");
    app_table(&mut c, "effects_k");
    let mut child = Command::new(std::env::current_exe().expect("the test binary"))
        .args([
            "child_killed_inside_the_transaction",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("HOOTSUITE_EVENTS_PG_CHILD", &server.params)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the child");
    let stdout = child.stdout.take().expect("its stdout");
    let (said, inside) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // libtest prints the test's name first, on the same line.
            if line.ends_with("inside-the-transaction") {
                let _ = said.send(());
            }
        }
    });
    let reached = inside.recv_timeout(Duration::from_secs(30));
    child.kill().expect("SIGKILL");
    child.wait().expect("reaped");
    reached.expect("the child reached its handler");

    // The server ends the dead connection's transaction; until then the unit is in progress.
    let n =
        notification(br#"{"message": {"instanceId": 7, "raw": [{"seq_no": "1", "type": "t"}]}}"#);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut calls = 0;
    let outcome = loop {
        assert_eq!(
            count(&mut c, "SELECT count(*) FROM effects_k"),
            0,
            "nothing of the killed transaction is visible"
        );
        let o = inbox
            .process(&mut c, &n, |tx, work| {
                calls += 1;
                write_effect(tx, "effects_k", &work)
            })
            .expect("answered");
        if o.in_progress == 0 {
            break o;
        }
        assert!(
            Instant::now() < deadline,
            "the killed transaction still holds the unit"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!((outcome.status, outcome.processed, calls), (200, 1, 1));
    assert_eq!(count(&mut c, "SELECT count(*) FROM effects_k"), 1);
    assert_eq!(count(&mut c, "SELECT count(*) FROM inbox_k"), 1);
}

#[test]
fn a_broken_connection_is_a_database_error() {
    let server = Server::start();
    let mut c = server.client();
    let inbox = PostgresInbox::new();
    inbox.migrate(&mut c).expect("migrated");
    let mut killer = server.client();
    let pid: i32 = c
        .query_one("SELECT pg_backend_pid()", &[])
        .expect("pid")
        .get(0);
    killer
        .execute("SELECT pg_terminate_backend($1)", &[&pid])
        .expect("terminated");
    let r = inbox.process(&mut c, &notification(TWO), |_, _| Ok::<(), ()>(()));
    let Err(ProcessError::Store(e)) = r else {
        panic!("expected a database error, got {r:?}")
    };
    assert!(matches!(e, PostgresInboxError::Database { .. }), "{e:?}");
    assert!(e.to_string().starts_with("the inbox's "), "{e}");
}
