//! Load: 50 concurrent clients, 100 rounds each of consent → create → get → patch → delete
//! against the emulator over loopback. Zero errors, nothing lost or duplicated, nothing left
//! behind. Requests per second and p99 latency are printed (a report, not an assertion).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use hootsuite_events::instance::{CreateInstance, ListQuery};
use hootsuite_events::oauth::{self, RedirectUrlParams};
use hootsuite_events::{BaseUrl, Config};
use hootsuite_events_client::{Client, RetryPolicy};
use hootsuite_events_emulator::{Emulator, EmulatorConfig};

const CLIENTS: usize = 50;
const ROUNDS: usize = 100;

fn rss_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

#[test]
fn fifty_clients_hundred_rounds() {
    let emu = Emulator::start(EmulatorConfig::default()).expect("emulator");
    let base = emu.base_url();
    let rss_before = rss_kib();
    let latencies = Arc::new(Mutex::new(Vec::with_capacity(CLIENTS * ROUNDS * 6)));
    let created = Arc::new(Mutex::new(Vec::with_capacity(CLIENTS * ROUNDS)));
    let errors = Arc::new(Mutex::new(Vec::new()));
    let start = Instant::now();
    let threads: Vec<_> = (0..CLIENTS)
        .map(|t| {
            let (base, latencies, created, errors) = (
                base.clone(),
                Arc::clone(&latencies),
                Arc::clone(&created),
                Arc::clone(&errors),
            );
            let (u, o) = (
                emu.user_secret().to_string(),
                emu.organization_secret().to_string(),
            );
            std::thread::spawn(move || {
                let config =
                    Config::new(BaseUrl::parse(&base).expect("base"), u, o).expect("config");
                // Generous timeouts: the test reports latency, it does not police it.
                let c = Client::builder(config)
                    .connect_timeout(Duration::from_secs(120))
                    .read_timeout(Duration::from_secs(120))
                    .retry(RetryPolicy {
                        max_retries: 0,
                        ..RetryPolicy::default()
                    })
                    .build();
                let agent: ureq::Agent = ureq::Agent::config_builder()
                    .max_redirects(0)
                    .http_status_as_error(false)
                    .build()
                    .into();
                let mut mine = Vec::with_capacity(ROUNDS * 6);
                for round in 0..ROUNDS {
                    let mut timed = |f: &mut dyn FnMut() -> Result<(), String>| {
                        let started = Instant::now();
                        let r = f();
                        let took = started.elapsed();
                        if took > Duration::from_secs(2) {
                            eprintln!(
                                "slow request: {took:?} (client {t}, round {round}, step {})",
                                mine.len() % 6
                            );
                        }
                        mine.push(took);
                        r
                    };
                    let mut run = || -> Result<(), String> {
                        let state = format!("s{t}-{round}");
                        let params = RedirectUrlParams::new(
                            "load-client",
                            "secret",
                            "https://app.example/cb",
                        )
                        .state(state.as_str());
                        let mut url = String::new();
                        timed(&mut || {
                            url = c
                                .redirect_url(&params)
                                .map_err(|e| e.to_string())?
                                .oauth_url;
                            Ok(())
                        })?;
                        let mut location = String::new();
                        timed(&mut || {
                            let r = agent.get(&url).call().map_err(|e| e.to_string())?;
                            location = r
                                .headers()
                                .get("location")
                                .and_then(|v| v.to_str().ok())
                                .unwrap_or_default()
                                .to_string();
                            Ok(())
                        })?;
                        let code =
                            oauth::parse_callback(&location, &state).map_err(|e| e.to_string())?;
                        let body = CreateInstance::builder(
                            format!("load {t} {round}"),
                            code,
                            "https://app.example/cb",
                            "load-client",
                            "secret",
                        )
                        .tag("load")
                        .build()
                        .map_err(|e| e.to_string())?;
                        let mut id = 0;
                        timed(&mut || {
                            id = c.create_instance(&body).map_err(|e| e.to_string())?.id;
                            Ok(())
                        })?;
                        created.lock().map_err(|e| e.to_string())?.push(id);
                        timed(&mut || c.get_instance(id).map(drop).map_err(|e| e.to_string()))?;
                        timed(&mut || {
                            c.update_event_callback(id, "https://app.example/e")
                                .map(drop)
                                .map_err(|e| e.to_string())
                        })?;
                        timed(&mut || c.delete_instance(id).map_err(|e| e.to_string()))?;
                        Ok(())
                    };
                    if let Err(e) = run() {
                        errors.lock().expect("lock").push(e);
                    }
                }
                latencies.lock().expect("lock").extend(mine);
            })
        })
        .collect();
    for t in threads {
        t.join().expect("client thread");
    }
    let elapsed = start.elapsed();
    let errors = errors.lock().expect("lock");
    assert!(
        errors.is_empty(),
        "{} errors, first: {:?}",
        errors.len(),
        errors.first()
    );
    let mut ids = created.lock().expect("lock").clone();
    assert_eq!(
        ids.len(),
        CLIENTS * ROUNDS,
        "every round created one instance"
    );
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(
        ids.len(),
        CLIENTS * ROUNDS,
        "no instance id was handed out twice"
    );
    assert_eq!(emu.instance_count(), 0, "every instance was deleted");
    assert_eq!(emu.unspent_code_count(), 0, "every code was spent");
    let listed = Client::new(
        Config::new(
            BaseUrl::parse(&base).expect("base"),
            emu.user_secret(),
            emu.organization_secret(),
        )
        .expect("config"),
    )
    .list_instances(&ListQuery::default())
    .expect("list");
    assert!(listed.instances.is_empty());

    let mut lat = latencies.lock().expect("lock").clone();
    lat.sort_unstable();
    let p = |q: f64| {
        lat.get(((lat.len() as f64 * q) as usize).min(lat.len().saturating_sub(1)))
            .copied()
            .unwrap_or(Duration::ZERO)
    };
    println!(
        "load: {} requests from {CLIENTS} clients in {:.2} s = {:.0} requests/s; p50 {:?}, p99 {:?}, max {:?}; RSS {:?} KiB before, {:?} KiB after",
        lat.len(),
        elapsed.as_secs_f64(),
        lat.len() as f64 / elapsed.as_secs_f64(),
        p(0.50),
        p(0.99),
        lat.last().copied().unwrap_or_default(),
        rss_before,
        rss_kib()
    );
}
