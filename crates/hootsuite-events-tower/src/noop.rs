//! Without the `opentelemetry` feature: the same calls as `otel`, doing nothing.

use std::future::Future;

use hootsuite_events::events::Notification;
use hootsuite_events::idempotency::{AsyncStore, Claim, Outcome};

pub(crate) struct Delivery;

impl Delivery {
    pub(crate) fn verify<T>(
        &self,
        f: impl FnOnce() -> Result<T, hootsuite_events::Error>,
        _key_index: impl Fn(&T) -> Option<usize>,
    ) -> Result<T, hootsuite_events::Error> {
        f()
    }

    pub(crate) fn verified(&self, _n: &Notification) {}

    pub(crate) fn store<'a, St: AsyncStore>(
        &'a self,
        store: &'a St,
        _notification: &'a Notification,
    ) -> Observed<'a, St> {
        Observed { store }
    }

    pub(crate) fn handle<F, E>(
        &self,
        _notification: &Notification,
        _index: usize,
        handler: F,
    ) -> impl Future<Output = Result<(), E>> + Send + use<F, E>
    where
        F: Future<Output = Result<(), E>> + Send,
    {
        handler
    }

    pub(crate) fn finish(
        self,
        _status: u16,
        _outcome: Option<&Outcome>,
        _error_type: Option<&str>,
        _refused: bool,
    ) {
    }
}

pub(crate) struct Observed<'a, St> {
    store: &'a St,
}

impl<St: AsyncStore> AsyncStore for Observed<'_, St> {
    type Error = St::Error;
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<Claim>, St::Error>> + Send {
        self.store.claim_all(keys, lease_ms, now_ms)
    }
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<bool>, St::Error>> + Send {
        self.store.settle(complete, release, now_ms)
    }
}
