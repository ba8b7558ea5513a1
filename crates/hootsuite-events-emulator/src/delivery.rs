//! Delivering notifications to the instances' callback URLs, as Cloud Elements does: a
//! callback that does not answer 2xx is retried up to 9 times, attempt x at 2^(2x) "seconds"
//! (scaled by `retry_unit`) after the first — 4 s, 16 s, …, the ninth about 73 hours after
//! the first, which is how the docs add up to "about 73 hours in all". Then the delivery is
//! queued and the instance's subscription deactivated until
//! `PUT /notifications/subscriptions/deliveries`.

use std::time::{Duration, Instant};

use hootsuite_events::signature::{SIGNATURE_HEADER, WEBHOOK_ID_HEADER};

use crate::state::{DeliveryStatus, Shared};

/// Retries after the first attempt.
pub(crate) const MAX_RETRIES: u32 = 9;

/// The longest delivery timeout honoured (a larger one would overflow the HTTP client's clock).
const MAX_TIMEOUT: Duration = Duration::from_secs(86_400);

struct Job {
    id: u64,
    url: String,
    body: Vec<u8>,
    signature: Option<String>,
    webhook_id: String,
}

pub(crate) fn run(shared: &Shared) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(shared.config.delivery_timeout.min(MAX_TIMEOUT)))
        .build()
        .into();
    while let Some(job) = next_job(shared) {
        let delivered = post(&agent, &job);
        let mut state = shared.lock();
        let Some(pos) = state.deliveries.iter().position(|d| d.id == job.id) else {
            continue; // the instance was deleted meanwhile
        };
        let (instance_id, event_id) = (
            state.deliveries[pos].instance_id,
            state.deliveries[pos].event_id,
        );
        let now = crate::time::now_rfc3339();
        if delivered {
            // Delivered items stay listed, as the platform's do; only the oldest are dropped.
            state.deliveries[pos].status = DeliveryStatus::Delivered;
            state.deliveries[pos].updated = now;
            state.set_event_status(instance_id, event_id, "NOTIFIED");
            state.forget_old_deliveries();
            continue;
        }
        let queue_at_once = state.queue_on_failure;
        let d = &mut state.deliveries[pos];
        d.attempts += 1;
        d.updated = now;
        // The `queue` failure policy queues a failed delivery at once instead of retrying.
        if d.attempts > MAX_RETRIES || queue_at_once {
            d.status = DeliveryStatus::Queued;
            state.deactivate_subscription(instance_id);
        } else {
            d.status = DeliveryStatus::Retry;
            d.next_at = due(d.started, shared.config.retry_unit, d.attempts);
        }
    }
}

/// Retry x comes 2^(2x) units after the first attempt.
fn backoff(unit: Duration, attempt: u32) -> Duration {
    unit.saturating_mul(4u32.saturating_pow(attempt.min(15)))
}

/// When retry `attempt` is due. A huge `retry_unit` (a command-line value) must not overflow
/// the clock: a retry that far away is simply never due.
fn due(started: Instant, unit: Duration, attempt: u32) -> Instant {
    started
        .checked_add(backoff(unit, attempt))
        .unwrap_or_else(|| started + Duration::from_secs(100 * 365 * 86_400))
}

/// Waits for the next due delivery; `None` once the emulator stops.
fn next_job(shared: &Shared) -> Option<Job> {
    let mut state = shared.lock();
    loop {
        if shared.stop.load(std::sync::atomic::Ordering::SeqCst) {
            return None;
        }
        let now = Instant::now();
        let due = state
            .deliveries
            .iter_mut()
            .filter(|d| d.is_due_kind())
            .min_by_key(|d| d.next_at);
        let wait = match due {
            Some(d) if d.next_at <= now => {
                d.status = DeliveryStatus::InFlight;
                return Some(Job {
                    id: d.id,
                    url: d.url.clone(),
                    body: d.body.clone(),
                    signature: d.signature.clone(),
                    webhook_id: d.webhook_id.clone(),
                });
            }
            Some(d) => d.next_at - now,
            None => Duration::from_millis(500),
        };
        state = match shared.wake.wait_timeout(state, wait) {
            Ok((guard, _)) => guard,
            Err(poisoned) => poisoned.into_inner().0,
        };
    }
}

fn post(agent: &ureq::Agent, job: &Job) -> bool {
    let mut request = agent
        .post(&job.url)
        .header("Content-Type", "application/json")
        .header(WEBHOOK_ID_HEADER, &job.webhook_id);
    if let Some(sig) = &job.signature {
        request = request.header(SIGNATURE_HEADER, sig);
    }
    match request.send(&job.body[..]) {
        Ok(mut response) => {
            let ok = response.status().is_success();
            let _ = response
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_vec();
            ok
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_huge_unit_does_not_overflow() {
        let now = std::time::Instant::now();
        assert!(
            super::due(now, std::time::Duration::MAX, 9)
                > now + std::time::Duration::from_secs(86_400 * 365)
        );
    }

    #[test]
    fn documented_schedule() {
        let unit = std::time::Duration::from_secs(1);
        assert_eq!(super::backoff(unit, 1).as_secs(), 4);
        assert_eq!(super::backoff(unit, 2).as_secs(), 16);
        // The ninth retry comes about 73 hours after the first attempt, as documented.
        assert_eq!(
            super::backoff(unit, super::MAX_RETRIES).as_secs() / 3600,
            72
        );
    }
}
