//! The emulated platform's state: accounts, OAuth codes, instances, events, deliveries.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};
use std::time::Instant;

use hootsuite_events::instance::KEY_EVENTS_ENABLED;
use serde_json::{json, Map, Value};

use crate::http::{Fault, Resp};
use crate::EmulatorConfig;

/// What the emulator's threads share.
pub struct Shared {
    pub(crate) config: EmulatorConfig,
    /// `http://127.0.0.1:<port>`
    pub(crate) origin: String,
    pub(crate) state: Mutex<State>,
    /// Wakes the delivery thread when a delivery is added or the emulator stops.
    pub(crate) wake: Condvar,
    pub(crate) stop: AtomicBool,
}

static REQUEST_COUNTER: AtomicU64 = AtomicU64::new(1);

impl Shared {
    pub(crate) fn lock(&self) -> MutexGuard<'_, State> {
        // A handler that panicked cannot leave the state half-written in a way that matters
        // more than stopping every later request would: keep serving.
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub(crate) fn next_request_id(&self) -> String {
        let n = REQUEST_COUNTER.fetch_add(1, Ordering::Relaxed);
        format!("5e{:022x}", n)
    }

    /// A Cloud Elements error answer.
    pub(crate) fn error(
        &self,
        status: u16,
        message: &str,
        provider: Option<&str>,
        rid: &str,
    ) -> Resp {
        let mut body = json!({"message": message, "requestId": rid});
        if let Some(p) = provider {
            body["providerMessage"] = p.into();
        }
        Resp::json(status, &body)
    }
}

#[derive(Default)]
pub(crate) struct State {
    pub instances: BTreeMap<u64, InstanceRec>,
    pub(crate) last_id: u64,
    pub(crate) last_event_id: u64,
    pub(crate) last_delivery_id: u64,
    pub(crate) last_seq_no: u64,
    pub(crate) codes: HashMap<String, IssuedCode>,
    pub faults: Vec<Fault>,
    pub deliveries: Vec<Delivery>,
    /// `notification.webhook.failure.policy` of the account: true for `queue`.
    pub queue_on_failure: bool,
}

pub(crate) struct IssuedCode {
    pub(crate) client_id: String,
    pub(crate) redirect_uri: String,
}

pub(crate) struct InstanceRec {
    pub(crate) id: u64,
    pub(crate) name: String,
    pub(crate) token: String,
    pub(crate) tags: Vec<String>,
    /// Values as Cloud Elements stores them: strings or null.
    pub(crate) config: Map<String, Value>,
    pub(crate) disabled: bool,
    pub(crate) created: String,
    pub events: Vec<EventRec>,
    /// False after a delivery exhausted its retries: new events are queued until redelivery.
    pub(crate) subscription_active: bool,
}

impl InstanceRec {
    pub(crate) fn config_str(&self, key: &str) -> Option<&str> {
        self.config.get(key).and_then(Value::as_str)
    }
    pub(crate) fn events_enabled(&self) -> bool {
        self.config_str(KEY_EVENTS_ENABLED) == Some("true")
    }
}

pub(crate) struct EventRec {
    pub id: u64,
    pub status: &'static str,
    pub(crate) created: String,
    pub(crate) object_count: usize,
    pub webhook_id: Option<String>,
    /// What Hootsuite sent, as JSON text (the platform's event schema types it a string).
    pub(crate) provider_data: String,
}

/// A delivery's state, with the names of the platform's delivery schema (churros
/// `notifications/assets/delivery.schema.json`: created, retry, delivered, queued).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum DeliveryStatus {
    /// Not attempted yet.
    Created,
    /// At least one attempt failed; the next one is scheduled.
    Retry,
    /// An attempt is under way.
    InFlight,
    /// A receiver answered 2xx. Kept, as the platform keeps it.
    Delivered,
    /// Every retry failed; waiting for `PUT /notifications/subscriptions/deliveries`.
    Queued,
}

/// How many delivered items are kept for `GET /notifications/subscriptions/deliveries`: a
/// long-running emulator must not grow without bound.
pub(crate) const DELIVERED_KEPT: usize = 1000;

pub(crate) struct Delivery {
    pub id: u64,
    pub webhook_id: String,
    pub instance_id: u64,
    pub event_id: u64,
    pub url: String,
    pub body: Vec<u8>,
    pub signature: Option<String>,
    pub attempts: u32,
    pub next_at: Instant,
    /// When the first attempt was due: retries are scheduled from here.
    pub started: Instant,
    pub status: DeliveryStatus,
    pub(crate) created: String,
    pub updated: String,
}

impl Delivery {
    /// Whether a receiver took it.
    pub(crate) fn is_delivered(&self) -> bool {
        self.status == DeliveryStatus::Delivered
    }

    /// Whether the delivery thread still has to try it.
    pub(crate) fn is_due_kind(&self) -> bool {
        matches!(self.status, DeliveryStatus::Created | DeliveryStatus::Retry)
    }

    pub(crate) fn status_name(&self) -> &'static str {
        match self.status {
            DeliveryStatus::Created => "created",
            DeliveryStatus::Retry => "retry",
            // An attempt under way is shown as the state it started from.
            DeliveryStatus::InFlight if self.attempts == 0 => "created",
            DeliveryStatus::InFlight => "retry",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Queued => "queued",
        }
    }
}

impl State {
    /// The id in a path segment, when it names an existing instance.
    pub(crate) fn existing_instance(&self, segment: &str) -> Option<u64> {
        segment
            .parse::<u64>()
            .ok()
            .filter(|id| self.instances.contains_key(id))
    }

    pub(crate) fn unspent_codes(&self) -> usize {
        self.codes.len()
    }

    /// Marks an event's status (the delivery thread calls this).
    pub(crate) fn set_event_status(
        &mut self,
        instance_id: u64,
        event_id: u64,
        status: &'static str,
    ) {
        if let Some(e) = self
            .instances
            .get_mut(&instance_id)
            .and_then(|i| i.events.iter_mut().find(|e| e.id == event_id))
        {
            e.status = status;
        }
    }

    /// Drops the oldest delivered items beyond [`DELIVERED_KEPT`].
    pub(crate) fn forget_old_deliveries(&mut self) {
        let delivered = self
            .deliveries
            .iter()
            .filter(|d| d.status == DeliveryStatus::Delivered)
            .count();
        let mut extra = delivered.saturating_sub(DELIVERED_KEPT);
        self.deliveries.retain(|d| {
            if extra > 0 && d.status == DeliveryStatus::Delivered {
                extra -= 1;
                return false;
            }
            true
        });
    }

    /// Deactivates the instance's subscription after a delivery was queued.
    pub(crate) fn deactivate_subscription(&mut self, instance_id: u64) {
        if let Some(i) = self.instances.get_mut(&instance_id) {
            i.subscription_active = false;
        }
    }
}
