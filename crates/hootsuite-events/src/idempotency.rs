//! Processing every event once: claim → process → complete.
//!
//! Cloud Elements retries a delivery that did not get a 2xx (up to nine times, the last
//! about 73 hours after the first), splits large Hootsuite batches into several
//! notifications that each carry the whole batch, and anyone holding a captured delivery can
//! replay it (the signature has no timestamp). A receiver therefore processes *units of work*
//! ([`crate::events::Unit`], keyed by signed bytes only), each once:
//!
//! 1. **claim** the unit's key with a lease: [`Claim::Claimed`] (yours to process),
//!    [`Claim::Done`] (processed before: skip it) or [`Claim::InProgress`] (another process
//!    holds a live lease: answer non-2xx so that Cloud Elements comes back later);
//! 2. process it;
//! 3. **complete** the claim (the key is kept for the retention, so retries and replays are
//!    skipped), or **release** it when processing failed (the next retry processes it). A
//!    process that crashes holds its claims until the lease expires; then a retry takes over.
//!
//! [`Store`] is the interface; [`MemoryStore`] the bounded in-process default; a shared store
//! (Redis) implements the same three operations for several processes. [`process`] runs the
//! whole loop for one notification and says what to answer; [`process_async`] runs the same
//! loop over an [`AsyncStore`] with async handlers (no runtime here: the caller's awaits). No function here reads a clock:
//! the caller passes the time in milliseconds (any fixed origin, such as the Unix epoch).

use std::borrow::Borrow;
use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher, RandomState};
use std::sync::{Arc, Mutex, MutexGuard};

use serde::Serialize;

use crate::error::Error;
use crate::events::{Notification, Rejected, Work};

mod claim;
pub mod postgres;
pub mod redis;
mod steps;

pub use claim::{status, Claim, ClaimRef, STATUS_FAILED, STATUS_IN_PROGRESS, STATUS_OK};
pub use steps::{Advance, Step, Steps, Tally};

/// How long a claim is held before another process may take it over: 60 s.
pub const DEFAULT_LEASE_MS: u64 = 60_000;

/// How long a completed key is kept: 7 days, past Cloud Elements' last retry (about 72.8 hours
/// after the first attempt) with room for a redelivery from its queue.
pub const DEFAULT_RETENTION_MS: u64 = 7 * 24 * 60 * 60 * 1000;

/// How many keys a [`MemoryStore`] holds by default before it forgets the oldest.
pub const DEFAULT_CAPACITY: usize = 100_000;

/// The most keys a [`MemoryStore`] may be asked to hold.
pub const MAX_CAPACITY: usize = 1_000_000_000;

/// The longest lease or retention accepted: 100 years in milliseconds (Redis refuses an
/// expiry whose absolute time overflows; this also stays below 2^53 for JavaScript).
pub const MAX_EXPIRY_MS: u64 = 100 * 366 * 24 * 3_600_000;

/// The one range rule of every store for a lease or a retention named `field`: 1 ms to
/// [`MAX_EXPIRY_MS`]. A zero lease lets every concurrent delivery claim the same unit, a zero
/// retention forgets a unit as soon as it is done (a replay runs it again), and Redis refuses
/// `PX 0`: each would switch exactly-once off.
///
/// ```
/// use hootsuite_events::idempotency::check_expiry;
/// assert_eq!(check_expiry("lease_ms", 60_000).ok(), Some(60_000));
/// assert!(check_expiry("lease_ms", 0).unwrap_err().to_string().contains("lease_ms"));
/// ```
pub fn check_expiry(field: &str, ms: u64) -> Result<u64, Error> {
    if ms == 0 || ms > MAX_EXPIRY_MS {
        return Err(Error::InvalidArgument {
            field: field.to_string(),
            reason: format!("expected 1 to {MAX_EXPIRY_MS} milliseconds, got {ms}"),
        });
    }
    Ok(ms)
}

/// The range rule of a [`MemoryStore`]'s capacity (`field`): 1 to [`MAX_CAPACITY`] keys.
pub fn check_capacity(field: &str, capacity: u64) -> Result<usize, Error> {
    match usize::try_from(capacity) {
        Ok(c) if (1..=MAX_CAPACITY).contains(&c) => Ok(c),
        _ => Err(Error::InvalidArgument {
            field: field.to_string(),
            reason: format!("expected 1 to {MAX_CAPACITY} keys, got {capacity}"),
        }),
    }
}

/// Where claims live: in this process ([`MemoryStore`]) or shared (Redis).
///
/// `complete` and `release` change a claim only when `token` is the one its claim returned,
/// so that a process whose lease expired cannot complete or release another process's claim;
/// they return whether they did. A key whose lease expired (or that the store forgot) with no
/// claim since completes: the work was done, and later deliveries must skip it.
pub trait Store {
    /// What the store's own failures look like (a network error for Redis).
    type Error;
    /// Claims `key` for `lease_ms` from `now_ms`.
    fn claim(&self, key: &str, lease_ms: u64, now_ms: u64) -> Result<Claim, Self::Error>;
    /// Marks the claimed key processed; it is remembered for the store's retention.
    fn complete(&self, key: &str, token: &str, now_ms: u64) -> Result<bool, Self::Error>;
    /// Gives a claim up after a failure, so that the next delivery processes the key.
    fn release(&self, key: &str, token: &str) -> Result<bool, Self::Error>;

    /// Claims every key (the units of one notification), in one round trip where the store
    /// can (the Redis stores: one script); one answer per key, in order. By default, one
    /// [`Store::claim`] after another.
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> Result<Vec<Claim>, Self::Error> {
        keys.iter()
            .map(|k| self.claim(k, lease_ms, now_ms))
            .collect()
    }

    /// Completes the claims of `complete` and releases those of `release` (each `(key,
    /// token)`), in one round trip where the store can; whether each changed its key, in order
    /// (`complete`'s, then `release`'s). By default, one call after another.
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> Result<Vec<bool>, Self::Error> {
        let mut changed = Vec::with_capacity(complete.len() + release.len());
        for (key, token) in complete {
            changed.push(self.complete(key, token, now_ms)?);
        }
        for (key, token) in release {
            changed.push(self.release(key, token)?);
        }
        Ok(changed)
    }
}

/// What [`process`] did with one notification, and what to answer Cloud Elements.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Outcome {
    /// The HTTP status to answer: [`STATUS_OK`], [`STATUS_IN_PROGRESS`] or [`STATUS_FAILED`].
    pub status: u16,
    /// Units processed now.
    pub processed: usize,
    /// Units processed before (retries, replays, other parts of a split batch).
    pub skipped: usize,
    /// Units another process holds.
    pub in_progress: usize,
    /// Units whose processing failed (their claims released). Processing stops at the first.
    pub failed: usize,
    /// Units processed whose lease had expired and been taken over before they completed:
    /// they may have been processed twice (raise the lease above the processing time).
    pub lost_leases: usize,
    /// Events that could not be read, recorded now (never handed to the processing function;
    /// log them). Each is reported once: later deliveries count it in `skipped`.
    pub rejected: Vec<Rejected>,
}

/// Why [`process`] stopped.
#[derive(Debug)]
pub enum ProcessError<S, E> {
    /// The store failed: answer 500 (or 503), Cloud Elements retries.
    Store(S),
    /// The processing function failed on a unit, whose claim was released.
    Failed {
        /// The counts so far (status [`STATUS_FAILED`]).
        outcome: Outcome,
        /// The function's error.
        error: E,
    },
    /// The store answered a claim or a settle with the wrong number of answers (a store
    /// that breaks the [`Store`] contract): answer 500.
    Answers(Error),
}

/// Processes each unit of `notification` once: claims every unit in `store` at once
/// ([`Store::claim_all`]), calls `f` on each unit claimed now, in order, then completes them
/// ([`Store::settle`]); when `f` fails, the units before completes, that one and the rest are
/// released, and processing stops. `now` gives the time in milliseconds. A
/// [`crate::events::UnitKind::Rejected`] unit (an event that could not be read) is claimed and
/// completed without calling `f`, and reported in [`Outcome::rejected`] the first time. The loop
/// is [`Steps`], which the Python and Node packages drive too.
///
/// ```
/// use hootsuite_events::{events::parse_notification, idempotency::{process, MemoryStore}};
/// let store = MemoryStore::new();
/// let body = br#"{"message": {"instanceId": 1, "raw": [{"seq_no": "7", "type": "t"}]}}"#;
/// let n = parse_notification(body)?;
/// let mut seen = Vec::new();
/// let handle = |w: hootsuite_events::events::Work<'_>| -> Result<(), ()> {
///     Ok(seen.push(w.unit.key.clone()))
/// };
/// let outcome = process(&store, &n, || 1_000, 60_000, handle).expect("processed");
/// assert_eq!((outcome.status, outcome.processed), (200, 1));
/// let again = process(&store, &n, || 2_000, 60_000, |_| Ok::<(), ()>(())).expect("processed");
/// assert_eq!((again.status, again.processed, again.skipped), (200, 0, 1));
/// assert_eq!(seen, ["hs:1:7"]);
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
pub fn process<S: Store, E>(
    store: &S,
    notification: &Notification,
    mut now: impl FnMut() -> u64,
    lease_ms: u64,
    mut f: impl FnMut(Work<'_>) -> Result<(), E>,
) -> Result<Outcome, ProcessError<S::Error, E>> {
    let mut drive = Drive::new(notification);
    loop {
        match drive.next()? {
            Next::Claim(keys) => {
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let answers = store
                    .claim_all(&keys, lease_ms, now())
                    .map_err(ProcessError::Store)?;
                drive.claimed(answers)?;
            }
            Next::Handle(work) => drive.handled(f(work))?,
            Next::Settle { complete, release } => {
                let changed = store
                    .settle(&pairs(&complete), &pairs(&release), now())
                    .map_err(ProcessError::Store)?;
                drive.settled(&changed)?;
            }
            Next::Done(outcome) => return drive.finish(outcome),
        }
    }
}

/// A [`Store`] whose calls are futures, for receivers on an async runtime (tokio): the
/// [`process_async`] loop sends it the two calls of a notification, [`AsyncStore::claim_all`]
/// and [`AsyncStore::settle`], with the meaning of [`Store::claim_all`] and [`Store::settle`].
/// Their futures are `Send`, so that a server may move a request's future between threads.
pub trait AsyncStore: Sync {
    /// What the store's own failures look like (a network error for Redis).
    type Error: Send;
    /// Claims every key for `lease_ms` from `now_ms`; one answer per key, in order.
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<Claim>, Self::Error>> + Send;
    /// Completes `complete`'s claims and releases `release`'s (each `(key, token)`); whether
    /// each changed its key, `complete`'s first.
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<bool>, Self::Error>> + Send;
}

/// The in-process store never waits: its futures are ready at once.
impl AsyncStore for MemoryStore {
    type Error = Error;
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<Claim>, Error>> + Send {
        std::future::ready(Store::claim_all(self, keys, lease_ms, now_ms))
    }
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> impl Future<Output = Result<Vec<bool>, Error>> + Send {
        std::future::ready(Store::settle(self, complete, release, now_ms))
    }
}

/// [`process`] for async stores and handlers: the same loop ([`Steps`]), each store call and
/// each handler awaited. The returned future is `Send` when the store, the handler and its
/// futures are.
///
/// ```
/// use hootsuite_events::{events::parse_notification, idempotency::{process_async, MemoryStore}};
/// # fn block_on<F: std::future::Future>(f: F) -> F::Output {
/// #     let mut f = std::pin::pin!(f);
/// #     let waker = std::task::Waker::noop();
/// #     let mut cx = std::task::Context::from_waker(&waker);
/// #     loop { if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) { return v; } }
/// # }
/// let store = MemoryStore::new();
/// let body = br#"{"message": {"instanceId": 1, "raw": [{"seq_no": "7", "type": "t"}]}}"#;
/// let n = parse_notification(body)?;
/// let outcome = block_on(process_async(&store, &n, || 1_000, 60_000, |work| async move {
///     println!("{}", work.unit.key);
///     Ok::<(), std::io::Error>(())
/// }))
/// .expect("processed");
/// assert_eq!((outcome.status, outcome.processed), (200, 1));
/// # Ok::<(), hootsuite_events::Error>(())
/// ```
pub async fn process_async<'n, S, E, F, Fut>(
    store: &S,
    notification: &'n Notification,
    mut now: impl FnMut() -> u64,
    lease_ms: u64,
    mut f: F,
) -> Result<Outcome, ProcessError<S::Error, E>>
where
    S: AsyncStore,
    F: FnMut(Work<'n>) -> Fut,
    Fut: Future<Output = Result<(), E>>,
{
    let mut drive = Drive::new(notification);
    loop {
        match drive.next()? {
            Next::Claim(keys) => {
                let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                let answers = store
                    .claim_all(&keys, lease_ms, now())
                    .await
                    .map_err(ProcessError::Store)?;
                drive.claimed(answers)?;
            }
            Next::Handle(work) => drive.handled(f(work).await)?,
            Next::Settle { complete, release } => {
                let changed = store
                    .settle(&pairs(&complete), &pairs(&release), now())
                    .await
                    .map_err(ProcessError::Store)?;
                drive.settled(&changed)?;
            }
            Next::Done(outcome) => return drive.finish(outcome),
        }
    }
}

/// What [`Drive`] asks its host (the sync or the async loop) to do next.
enum Next<'n> {
    Claim(Vec<String>),
    Handle(Work<'n>),
    Settle {
        complete: Vec<(String, String)>,
        release: Vec<(String, String)>,
    },
    Done(Outcome),
}

/// [`Steps`] over one notification's [`Work`], keeping the handler's first error: what the
/// sync and the async loops share, so that they differ only in awaiting.
struct Drive<'n, E> {
    works: Vec<Work<'n>>,
    steps: Steps,
    failure: Option<E>,
}

impl<'n, E> Drive<'n, E> {
    fn new(notification: &'n Notification) -> Self {
        Drive {
            works: notification.work().collect(),
            steps: Steps::for_notification(notification),
            failure: None,
        }
    }

    fn next<S>(&mut self) -> Result<Next<'n>, ProcessError<S, E>> {
        Ok(match self.steps.next_step() {
            Step::Claim(keys) => Next::Claim(keys),
            Step::Handle(i) => match self.works.get(i) {
                Some(work) => Next::Handle(*work),
                None => {
                    return Err(ProcessError::Answers(Error::InvalidArgument {
                        field: "step".into(),
                        reason: format!("no unit {i}"),
                    }))
                }
            },
            Step::Settle { complete, release } => Next::Settle { complete, release },
            Step::Done(tally) => Next::Done(Outcome {
                status: tally.status,
                processed: tally.processed,
                skipped: tally.skipped,
                in_progress: tally.in_progress,
                failed: tally.failed,
                lost_leases: tally.lost_leases,
                rejected: tally
                    .rejected
                    .iter()
                    .filter_map(|&i| self.works.get(i).and_then(|w| w.rejected).cloned())
                    .collect(),
            }),
        })
    }

    fn claimed<S>(&mut self, answers: Vec<Claim>) -> Result<(), ProcessError<S, E>> {
        self.steps.claimed(answers).map_err(ProcessError::Answers)
    }

    fn handled<S>(&mut self, result: Result<(), E>) -> Result<(), ProcessError<S, E>> {
        if let Err(e) = result {
            self.failure = Some(e);
        }
        self.steps
            .handled(self.failure.is_none())
            .map_err(ProcessError::Answers)
    }

    fn settled<S>(&mut self, changed: &[bool]) -> Result<(), ProcessError<S, E>> {
        self.steps.settled(changed).map_err(ProcessError::Answers)
    }

    fn finish<S>(self, outcome: Outcome) -> Result<Outcome, ProcessError<S, E>> {
        match self.failure {
            Some(error) => Err(ProcessError::Failed { outcome, error }),
            None => Ok(outcome),
        }
    }
}

/// Borrowed `(key, token)` pairs of owned ones.
fn pairs(v: &[(String, String)]) -> Vec<(&str, &str)> {
    v.iter().map(|(k, t)| (k.as_str(), t.as_str())).collect()
}

/// The in-process [`Store`]: bounded (past its capacity it forgets the oldest key first) and
/// safe to share between threads. For several processes, use a shared store. `Debug` shows its
/// settings and size, not its keys or the sequence numbers its claim tokens are made of.
pub struct MemoryStore {
    capacity: usize,
    retention_ms: u64,
    inner: Mutex<Inner>,
}

impl std::fmt::Debug for MemoryStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryStore")
            .field("capacity", &self.capacity)
            .field("retention_ms", &self.retention_ms)
            .field("len", &self.len())
            .finish()
    }
}

#[derive(Default)]
struct Inner {
    /// Each key once, shared with `order`, with its hash (a map that grows moves its keys
    /// without reading their text again).
    entries: HashMap<Key, Entry, BuildHasherDefault<KeyHash>>,
    /// Keys by claim, oldest first: the eviction order. A record whose `seq` is no longer its
    /// key's entry's (released, or claimed anew and pushed again) is stale: skipped when it
    /// comes out, dropped when stale records outnumber the entries (an append-only queue
    /// costs less per claim than a sorted map).
    order: VecDeque<(u64, Key)>,
    next_seq: u64,
    /// The keys' hash function (SipHash, randomly keyed per store).
    hasher: RandomState,
}

/// A key of [`MemoryStore`] and its hash (by `Inner::hasher`).
#[derive(Debug, Clone)]
struct Key {
    hash: u64,
    text: Arc<str>,
}

/// What the map looks a key up by: a [`Key`], or a hash and a borrowed text.
trait KeyParts {
    fn parts(&self) -> (u64, &str);
}

impl KeyParts for Key {
    fn parts(&self) -> (u64, &str) {
        (self.hash, &self.text)
    }
}

impl KeyParts for (u64, &str) {
    fn parts(&self) -> (u64, &str) {
        *self
    }
}

impl<'a> Borrow<dyn KeyParts + 'a> for Key {
    fn borrow(&self) -> &(dyn KeyParts + 'a) {
        self
    }
}

impl Hash for dyn KeyParts + '_ {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.parts().0);
    }
}

impl PartialEq for dyn KeyParts + '_ {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for dyn KeyParts + '_ {}

impl Hash for Key {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        self.parts() == other.parts()
    }
}

impl Eq for Key {}

/// The map's hasher: a [`Key`]'s hash as it is (it is already SipHash's).
#[derive(Default)]
struct KeyHash(u64);

impl Hasher for KeyHash {
    fn write(&mut self, bytes: &[u8]) {
        // Only `write_u64` is used; anything else is folded in (FNV-1a), never dropped.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    fn write_u64(&mut self, hash: u64) {
        self.0 = hash;
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A [`MemoryStore`] claim's answer before its token is spelled.
enum Held {
    /// Claimed now as entry `seq`.
    Claimed(u64),
    Done,
    InProgress,
}

#[derive(Debug)]
struct Entry {
    seq: u64,
    /// Whether the key is claimed (its token is [`token_of`] `seq`); false once completed.
    claimed: bool,
    /// When the lease (claimed) or the retention (completed) ends.
    until: u64,
}

/// The token of the claim recorded as entry `seq` (unique within a store): `m` and `seq` in
/// lowercase hex, written into `buf`, whose tail it is.
fn token_of(seq: u64, buf: &mut [u8; 17]) -> &[u8] {
    let mut i = buf.len();
    let mut v = seq;
    loop {
        i -= 1;
        buf[i] = b"0123456789abcdef"[(v & 0xf) as usize];
        v >>= 4;
        if v == 0 {
            break;
        }
    }
    i -= 1;
    buf[i] = b'm';
    &buf[i..]
}

/// Whether `token` is the token of entry `seq` (compared without building a `String`).
fn is_token_of(token: &str, seq: u64) -> bool {
    token.as_bytes() == token_of(seq, &mut [0; 17])
}

impl Default for MemoryStore {
    fn default() -> Self {
        MemoryStore::new()
    }
}

impl MemoryStore {
    /// [`DEFAULT_CAPACITY`] keys, kept [`DEFAULT_RETENTION_MS`].
    pub fn new() -> Self {
        MemoryStore {
            capacity: DEFAULT_CAPACITY,
            retention_ms: DEFAULT_RETENTION_MS,
            inner: Mutex::new(Inner::default()),
        }
    }

    /// At most `capacity` keys (1 to [`MAX_CAPACITY`]), completed keys kept `retention_ms`
    /// ([`check_expiry`]); other values are refused, never adjusted.
    pub fn with_limits(capacity: usize, retention_ms: u64) -> Result<Self, Error> {
        let capacity = u64::try_from(capacity).unwrap_or(u64::MAX);
        Ok(MemoryStore {
            capacity: check_capacity("capacity", capacity)?,
            retention_ms: check_expiry("retention_ms", retention_ms)?,
            inner: Mutex::new(Inner::default()),
        })
    }

    /// How many keys are held (claimed or completed, expired ones until they are evicted).
    pub fn len(&self) -> usize {
        self.lock().entries.len()
    }

    /// Whether no key is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change below leaves the maps consistent before anything can panic.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Forgets the oldest keys beyond the capacity (the newest one, just added, never: the
    /// capacity is at least 1), and drops the stale records of the eviction order once they
    /// outnumber the entries, so that it stays within twice the capacity.
    fn evict(&self, inner: &mut Inner) {
        while inner.entries.len() > self.capacity {
            let Some((seq, oldest)) = inner.order.pop_front() else {
                break;
            };
            if inner.entries.get(&oldest).is_some_and(|e| e.seq == seq) {
                inner.entries.remove(&oldest);
            }
        }
        if inner.order.len() > 2 * inner.entries.len() + 16 {
            let Inner { entries, order, .. } = inner;
            order.retain(|(seq, key)| entries.get(key).is_some_and(|e| e.seq == *seq));
        }
    }

    /// [`Store::claim`]: refused only for a `lease_ms` outside [`check_expiry`]'s range.
    pub fn claim(&self, key: &str, lease_ms: u64, now_ms: u64) -> Result<Claim, Error> {
        check_expiry("lease_ms", lease_ms)?;
        Ok(self.claim_in(&mut self.lock(), key, lease_ms, now_ms))
    }

    /// A claim of `key` under the lock (`lease_ms` checked).
    fn claim_in(&self, inner: &mut Inner, key: &str, lease_ms: u64, now_ms: u64) -> Claim {
        match self.claim_seq(inner, key, lease_ms, now_ms) {
            Held::Claimed(seq) => {
                let mut buf = [0; 17];
                Claim::Claimed {
                    // ASCII: the check cannot fail (and would give an empty token, matching
                    // nothing).
                    token: String::from_utf8(token_of(seq, &mut buf).to_vec()).unwrap_or_default(),
                }
            }
            Held::Done => Claim::Done,
            Held::InProgress => Claim::InProgress,
        }
    }

    /// Answers the [`Advance::Claim`] step of `steps` (claims its keys under one lock, as
    /// [`Store::claim_all`] does), the tokens written into the loop's own buffer: no `String`
    /// per claim. Refused for a `lease_ms` outside [`check_expiry`]'s range, or when the
    /// step is not a claim.
    ///
    /// ```
    /// use hootsuite_events::idempotency::{Advance, MemoryStore, Steps};
    /// let store = MemoryStore::new();
    /// let mut steps = Steps::with_keys(vec![("hs:1:7", false), ("hs:1:8", false)]);
    /// let mut handled = Vec::new();
    /// let tally = loop {
    ///     match steps.advance() {
    ///         Advance::Claim => store.claim_steps(&mut steps, 60_000, 1_000)?,
    ///         Advance::Handle(i) => {
    ///             handled.push(steps.keys()[i]);
    ///             steps.handled(true)?;
    ///         }
    ///         Advance::Settle => store.settle_steps(&mut steps, 1_001)?,
    ///         Advance::Done => break steps.tally(),
    ///     }
    /// };
    /// assert_eq!((tally.status, tally.processed, handled), (200, 2, vec!["hs:1:7", "hs:1:8"]));
    /// # Ok::<(), hootsuite_events::Error>(())
    /// ```
    pub fn claim_steps<K: AsRef<str>>(
        &self,
        steps: &mut Steps<K>,
        lease_ms: u64,
        now_ms: u64,
    ) -> Result<(), Error> {
        check_expiry("lease_ms", lease_ms)?;
        let mut inner = self.lock();
        steps.answer_claims(|key, text| {
            Some(match self.claim_seq(&mut inner, key, lease_ms, now_ms) {
                Held::Claimed(seq) => {
                    let mut buf = [0; 17];
                    text.extend(token_of(seq, &mut buf).iter().map(|&b| char::from(b)));
                    steps::Answered::Claimed
                }
                Held::Done => steps::Answered::Done,
                Held::InProgress => steps::Answered::InProgress,
            })
        })
    }

    /// Answers the [`Advance::Settle`] step of `steps` (completes and releases its claims
    /// under one lock, as [`Store::settle`] does) without copying a key or a token. Refused,
    /// changing nothing, when the step is not a settle.
    pub fn settle_steps<K: AsRef<str>>(
        &self,
        steps: &mut Steps<K>,
        now_ms: u64,
    ) -> Result<(), Error> {
        let changed = {
            let (complete, release) = steps.settle_claims()?;
            let mut inner = self.lock();
            let mut changed: Vec<bool> = complete
                .map(|(key, token)| self.complete_in(&mut inner, key, token, now_ms))
                .collect();
            changed.extend(release.map(|(key, token)| Self::release_in(&mut inner, key, token)));
            changed
        };
        steps.settled(&changed)
    }

    /// A claim of `key` under the lock (`lease_ms` checked): the entry's sequence number
    /// when claimed now (its token is [`token_of`] it).
    fn claim_seq(&self, inner: &mut Inner, key: &str, lease_ms: u64, now_ms: u64) -> Held {
        let Inner {
            entries,
            order,
            next_seq,
            hasher,
        } = inner;
        let seq = *next_seq;
        let entry = Entry {
            seq,
            claimed: true,
            until: now_ms.saturating_add(lease_ms),
        };
        // One lookup: the key is made shareable first (a new key, the usual case, needs it).
        let key = Key {
            hash: hasher.hash_one(key),
            text: Arc::from(key),
        };
        match entries.entry(key) {
            std::collections::hash_map::Entry::Occupied(mut held) => {
                let e = held.get();
                if now_ms < e.until {
                    return if e.claimed {
                        Held::InProgress
                    } else {
                        Held::Done
                    };
                }
                // Expired: claimed anew, now the newest key in the eviction order (its
                // older record there is stale from now on).
                order.push_back((seq, held.key().clone()));
                *held.get_mut() = entry;
            }
            std::collections::hash_map::Entry::Vacant(new) => {
                order.push_back((seq, new.key().clone()));
                new.insert(entry);
            }
        }
        *next_seq += 1;
        self.evict(inner);
        Held::Claimed(seq)
    }

    /// [`Store::complete`] without an error type.
    pub fn complete(&self, key: &str, token: &str, now_ms: u64) -> bool {
        self.complete_in(&mut self.lock(), key, token, now_ms)
    }

    fn complete_in(&self, inner: &mut Inner, key: &str, token: &str, now_ms: u64) -> bool {
        let until = now_ms.saturating_add(self.retention_ms);
        let hash = inner.hasher.hash_one(key);
        match inner.entries.get_mut(&(hash, key) as &dyn KeyParts) {
            Some(e) if e.claimed && is_token_of(token, e.seq) => {
                e.claimed = false;
                e.until = until;
                true
            }
            Some(_) => false,
            // Forgotten (evicted) with nobody else's claim in its place: the work was done here.
            None => {
                let seq = inner.next_seq;
                inner.next_seq += 1;
                let shared = Key {
                    hash,
                    text: Arc::from(key),
                };
                inner.order.push_back((seq, shared.clone()));
                inner.entries.insert(
                    shared,
                    Entry {
                        seq,
                        claimed: false,
                        until,
                    },
                );
                self.evict(inner);
                true
            }
        }
    }

    /// [`Store::release`] without an error type.
    pub fn release(&self, key: &str, token: &str) -> bool {
        Self::release_in(&mut self.lock(), key, token)
    }

    fn release_in(inner: &mut Inner, key: &str, token: &str) -> bool {
        let probe = (inner.hasher.hash_one(key), key);
        match inner.entries.get(&probe as &dyn KeyParts) {
            Some(e) if e.claimed && is_token_of(token, e.seq) => {
                // Its record in the eviction order is stale from now on.
                inner.entries.remove(&probe as &dyn KeyParts);
                true
            }
            _ => false,
        }
    }
}

impl Store for MemoryStore {
    type Error = Error;
    fn claim(&self, key: &str, lease_ms: u64, now_ms: u64) -> Result<Claim, Self::Error> {
        MemoryStore::claim(self, key, lease_ms, now_ms)
    }
    fn complete(&self, key: &str, token: &str, now_ms: u64) -> Result<bool, Self::Error> {
        Ok(MemoryStore::complete(self, key, token, now_ms))
    }
    fn release(&self, key: &str, token: &str) -> Result<bool, Self::Error> {
        Ok(MemoryStore::release(self, key, token))
    }

    /// The claims one after another under one lock (no other claim between them).
    fn claim_all(
        &self,
        keys: &[&str],
        lease_ms: u64,
        now_ms: u64,
    ) -> Result<Vec<Claim>, Self::Error> {
        check_expiry("lease_ms", lease_ms)?;
        let mut inner = self.lock();
        Ok(keys
            .iter()
            .map(|k| self.claim_in(&mut inner, k, lease_ms, now_ms))
            .collect())
    }

    /// The completions, then the releases, under one lock.
    fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
        now_ms: u64,
    ) -> Result<Vec<bool>, Self::Error> {
        let mut inner = self.lock();
        let mut changed = Vec::with_capacity(complete.len() + release.len());
        for (key, token) in complete {
            changed.push(self.complete_in(&mut inner, key, token, now_ms));
        }
        for (key, token) in release {
            changed.push(Self::release_in(&mut inner, key, token));
        }
        Ok(changed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::parse_notification;

    fn token(c: Claim) -> String {
        match c {
            Claim::Claimed { token } => token,
            other => panic!("expected a claim, got {other:?}"),
        }
    }

    #[test]
    fn debug_shows_the_settings_and_size_not_the_keys_or_tokens() {
        let store = MemoryStore::with_limits(3, 1_000).expect("limits");
        let t = token(store.claim("hs:1:secret-key", 60_000, 0).expect("claim"));
        let shown = format!("{store:?}");
        assert_eq!(
            shown,
            "MemoryStore { capacity: 3, retention_ms: 1000, len: 1 }"
        );
        assert!(!shown.contains(&t) && !shown.contains("secret-key"));
    }

    #[test]
    fn tokens_are_m_and_the_entry_in_lowercase_hex_and_only_that_spelling_matches() {
        for seq in [0, 1, 9, 10, 15, 16, 255, 0xdead_beef, u64::MAX] {
            let mut buf = [0; 17];
            assert_eq!(token_of(seq, &mut buf), format!("m{seq:x}").as_bytes());
            assert!(is_token_of(&format!("m{seq:x}"), seq));
            for other in [
                format!("m0{seq:x}"),
                format!("M{seq:x}"),
                format!("m{seq:X}x"),
                format!("m{seq:x} "),
                format!("{seq:x}"),
            ] {
                assert!(!is_token_of(&other, seq), "{other} matched {seq}");
            }
        }
        assert!(!is_token_of("m1", 2) && !is_token_of("", 0) && !is_token_of("m", 0));
    }

    #[test]
    fn claim_all_and_settle_answer_as_one_call_per_key_does() {
        let all = MemoryStore::with_limits(3, 1_000).expect("limits");
        let one = MemoryStore::with_limits(3, 1_000).expect("limits");
        let held = token(one.claim("b", 100, 0).expect("lease"));
        assert_eq!(token(all.claim("b", 100, 0).expect("lease")), held);
        let keys = ["a", "b", "c", "d"];
        let claims = Store::claim_all(&all, &keys, 100, 1).expect("lease");
        let each: Vec<Claim> = keys
            .iter()
            .map(|k| one.claim(k, 100, 1).expect("lease"))
            .collect();
        assert_eq!(claims, each);
        // Capacity 3: "b" (the oldest) was forgotten for "d".
        assert_eq!(all.len(), 3);
        assert!(Store::claim_all(&all, &keys, 0, 1).is_err());
        let tokens: Vec<(&str, String)> = keys
            .iter()
            .zip(claims)
            .filter_map(|(k, c)| match c {
                Claim::Claimed { token } => Some((*k, token)),
                _ => None,
            })
            .collect();
        let complete: Vec<(&str, &str)> =
            tokens[..2].iter().map(|(k, t)| (*k, t.as_str())).collect();
        let release: Vec<(&str, &str)> = tokens[2..]
            .iter()
            .map(|(k, t)| (*k, t.as_str()))
            .chain([("b", "m0")])
            .collect();
        let changed = Store::settle(&all, &complete, &release, 2).expect("settle");
        let mut by_one: Vec<bool> = complete
            .iter()
            .map(|(k, t)| one.complete(k, t, 2))
            .collect();
        by_one.extend(release.iter().map(|(k, t)| one.release(k, t)));
        assert_eq!(changed, by_one);
        assert_eq!(changed.len(), tokens.len() + 1);
        assert!(!changed[changed.len() - 1], "a wrong token changed a key");
        assert_eq!(
            all.claim(complete[0].0, 100, 3).expect("lease"),
            Claim::Done
        );
        assert!(matches!(
            all.claim(release[0].0, 100, 3).expect("lease"),
            Claim::Claimed { .. }
        ));
    }

    #[test]
    fn claim_complete_release_and_leases() {
        let s = MemoryStore::with_limits(10, 1_000).expect("limits");
        let t = token(s.claim("k", 100, 0).expect("lease"));
        assert_eq!(s.claim("k", 100, 50).expect("lease"), Claim::InProgress);
        assert!(!s.complete("k", "not-mine", 60));
        assert!(s.complete("k", &t, 60));
        assert_eq!(s.claim("k", 100, 70).expect("lease"), Claim::Done);
        // Retention over: the key is new again.
        assert!(matches!(
            s.claim("k", 100, 1_061).expect("lease"),
            Claim::Claimed { .. }
        ));

        let t = token(s.claim("r", 100, 0).expect("lease"));
        assert!(s.release("r", &t));
        assert!(!s.release("r", &t), "released twice");
        let t2 = token(s.claim("r", 100, 1).expect("lease"));

        // A crashed claimant's lease expires; its late completion is refused.
        let t3 = token(s.claim("c", 100, 0).expect("lease"));
        let t4 = token(s.claim("c", 100, 100).expect("lease"));
        assert!(!s.complete("c", &t3, 150));
        assert!(s.complete("c", &t4, 150));
        assert!(s.complete("r", &t2, 2));
    }

    #[test]
    fn settings_that_switch_the_guarantee_off_are_refused() {
        for (capacity, retention) in [(0, 1_000), (10, 0), (10, MAX_EXPIRY_MS + 1)] {
            assert!(MemoryStore::with_limits(capacity, retention).is_err());
        }
        let s = MemoryStore::new();
        let e = s
            .claim("k", 0, 0)
            .expect_err("a zero lease lets everyone claim");
        assert_eq!(e.code(), "invalid_argument");
        assert!(e.to_string().contains("lease_ms"), "{e}");
        assert!(s.is_empty(), "nothing was claimed");
    }

    #[test]
    fn memory_is_bounded() {
        let s = MemoryStore::with_limits(3, 1_000_000).expect("limits");
        for i in 0..10 {
            let t = token(s.claim(&format!("k{i}"), 100, i).expect("lease"));
            assert!(s.complete(&format!("k{i}"), &t, i));
        }
        assert_eq!(s.len(), 3);
        assert_eq!(s.claim("k9", 100, 20).expect("lease"), Claim::Done);
        assert!(matches!(
            s.claim("k0", 100, 20).expect("lease"),
            Claim::Claimed { .. }
        ));
    }

    #[test]
    fn a_claims_debug_hides_its_token() {
        let s = MemoryStore::new();
        let c = s.claim("k", 100, 0).expect("lease");
        let Claim::Claimed { token } = &c else {
            panic!("claimed")
        };
        let shown = format!("{c:?}");
        assert!(
            !shown.contains(token.as_str()) && shown.contains("********"),
            "{shown}"
        );
    }

    /// The store against a plain model (a list in claim order, the oldest forgotten first),
    /// over random claims, completions and releases of a few keys, so that released and
    /// re-claimed keys leave stale records in the eviction order.
    #[test]
    fn random_operations_answer_as_the_plain_model() {
        struct Model {
            /// (key, seq, claimed, until), oldest claim first.
            list: Vec<(String, u64, bool, u64)>,
            next: u64,
        }
        let (capacity, retention) = (4, 50);
        let store = MemoryStore::with_limits(capacity, retention).expect("limits");
        let mut m = Model {
            list: Vec::new(),
            next: 0,
        };
        let mut rng = 0x2545_f491_u64;
        let mut tokens: Vec<(String, String)> = Vec::new();
        for step in 0..20_000u64 {
            rng = rng.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let key = format!("k{}", (rng >> 33) % 7);
            let now = step / 3;
            match (rng >> 40) % 4 {
                0 | 1 => {
                    let got = store.claim(&key, 20, now).expect("lease");
                    let held = m.list.iter().position(|e| e.0 == key);
                    let want = match held {
                        Some(i) if now < m.list[i].3 => {
                            if m.list[i].2 {
                                Claim::InProgress
                            } else {
                                Claim::Done
                            }
                        }
                        _ => {
                            if let Some(i) = held {
                                m.list.remove(i);
                            }
                            m.list.push((key.clone(), m.next, true, now + 20));
                            m.next += 1;
                            if m.list.len() > capacity {
                                m.list.remove(0);
                            }
                            Claim::Claimed {
                                token: format!("m{:x}", m.next - 1),
                            }
                        }
                    };
                    assert_eq!(got, want, "claim of {key} at step {step}");
                    if let Claim::Claimed { token } = got {
                        tokens.push((key, token));
                    }
                }
                2 if !tokens.is_empty() => {
                    let (k, t) = tokens.swap_remove((rng >> 20) as usize % tokens.len());
                    let want = match m.list.iter().position(|e| e.0 == k) {
                        Some(i) if m.list[i].2 && format!("m{:x}", m.list[i].1) == t => {
                            m.list[i].2 = false;
                            m.list[i].3 = now + retention;
                            true
                        }
                        Some(_) => false,
                        None => {
                            m.list.push((k.clone(), m.next, false, now + retention));
                            m.next += 1;
                            if m.list.len() > capacity {
                                m.list.remove(0);
                            }
                            true
                        }
                    };
                    assert_eq!(store.complete(&k, &t, now), want, "completion at {step}");
                }
                _ if !tokens.is_empty() => {
                    let (k, t) = tokens.swap_remove((rng >> 20) as usize % tokens.len());
                    let want = match m.list.iter().position(|e| e.0 == k) {
                        Some(i) if m.list[i].2 && format!("m{:x}", m.list[i].1) == t => {
                            m.list.remove(i);
                            true
                        }
                        _ => false,
                    };
                    assert_eq!(store.release(&k, &t), want, "release at {step}");
                }
                _ => {}
            }
            assert_eq!(store.len(), m.list.len(), "size at step {step}");
            let order = store.lock().order.len();
            assert!(
                order <= 2 * capacity + 16,
                "{order} records in the eviction order"
            );
        }
    }

    /// The lent loop (`advance`, `claim_steps`, `settle_steps`, keys borrowed) against the
    /// owned one (`next_step`, `claim_all`, `settle`): the same steps, tallies and store.
    #[test]
    fn the_lent_loop_answers_as_the_owned_one() {
        let units = [
            ("a", false),
            ("b", true),
            ("c", false),
            ("d", false),
            ("e", true),
            ("f", false),
        ];
        let store = || {
            let s = MemoryStore::with_limits(100, 1_000).expect("limits");
            let t = token(s.claim("c", 100, 0).expect("lease"));
            assert!(s.complete("c", &t, 0));
            let _held = s.claim("d", 100, 0).expect("lease");
            s
        };
        for fail in [None, Some(0), Some(2), Some(5)] {
            let (owned, lent) = (store(), store());
            let mut one = Steps::new(units.iter().map(|(k, r)| (k.to_string(), *r)).collect());
            let mut two = Steps::with_keys(units.to_vec());
            let (mut handled_one, mut handled_two) = (Vec::new(), Vec::new());
            let tally_one = loop {
                match one.next_step() {
                    Step::Claim(keys) => {
                        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
                        let c = Store::claim_all(&owned, &keys, 100, 1).expect("lease");
                        one.claimed(c).expect("answers");
                    }
                    Step::Handle(i) => {
                        handled_one.push(i);
                        one.handled(Some(i) != fail).expect("answers");
                    }
                    Step::Settle { complete, release } => {
                        let changed = Store::settle(&owned, &pairs(&complete), &pairs(&release), 2)
                            .expect("settles");
                        one.settled(&changed).expect("answers");
                    }
                    Step::Done(t) => break t,
                }
            };
            let tally_two = loop {
                match two.advance() {
                    Advance::Claim => {
                        assert_eq!(two.keys().len(), units.len());
                        assert!(lent.settle_steps(&mut two, 2).is_err(), "not a settle");
                        lent.claim_steps(&mut two, 100, 1).expect("lease");
                        assert!(lent.claim_steps(&mut two, 100, 1).is_err(), "claimed once");
                    }
                    Advance::Handle(i) => {
                        handled_two.push(i);
                        two.handled(Some(i) != fail).expect("answers");
                    }
                    Advance::Settle => lent.settle_steps(&mut two, 2).expect("settles"),
                    Advance::Done => break two.tally(),
                }
            };
            assert_eq!(
                (handled_one, tally_one),
                (handled_two, tally_two),
                "{fail:?}"
            );
            for (key, _) in units {
                assert_eq!(
                    owned.claim(key, 100, 3).expect("lease"),
                    lent.claim(key, 100, 3).expect("lease"),
                    "{key} after failing at {fail:?}"
                );
            }
        }
    }

    /// A settle answered straight after a failed handler, without `advance` naming it, counts
    /// a lost lease as the named one does.
    #[test]
    fn a_settle_answered_without_advance_counts_the_lost_leases() {
        let run = |name_the_settle: bool| {
            let store = MemoryStore::with_limits(100, 1_000).expect("limits");
            let mut steps = Steps::with_keys(vec![("a", false), ("b", false)]);
            assert_eq!(steps.advance(), Advance::Claim);
            store.claim_steps(&mut steps, 10, 0).expect("claim");
            assert_eq!(steps.advance(), Advance::Handle(0));
            steps.handled(true).expect("ok");
            assert_eq!(steps.advance(), Advance::Handle(1));
            // a's lease is taken over by another process meanwhile.
            let _other = store.claim("a", 10, 20).expect("takeover");
            steps.handled(false).expect("failed");
            if name_the_settle {
                assert_eq!(steps.advance(), Advance::Settle);
            }
            store.settle_steps(&mut steps, 21).expect("settle");
            assert_eq!(steps.advance(), Advance::Done);
            steps.tally().lost_leases
        };
        assert_eq!((run(false), run(true)), (1, 1));
    }

    #[test]
    fn lent_answers_of_the_wrong_count_change_nothing() {
        let mut steps = Steps::with_keys(vec![("a", false), ("b", false)]);
        let answers = [ClaimRef::Claimed { token: "t1" }];
        let e = steps
            .claimed_refs(answers.iter().copied())
            .expect_err("one answer for two keys");
        assert!(
            e.to_string()
                .contains("one claim answer per key (2), got 1"),
            "{e}"
        );
        assert_eq!(steps.advance(), Advance::Claim);
        let answers = [ClaimRef::Done, ClaimRef::Claimed { token: "t2" }];
        steps
            .claimed_refs(answers.iter().copied())
            .expect("two answers");
        assert_eq!(steps.advance(), Advance::Handle(1));
        steps.handled(true).expect("answers");
        assert_eq!(steps.advance(), Advance::Settle);
        let (complete, release) = steps.settle_claims().expect("a settle");
        assert_eq!(
            (complete.collect::<Vec<_>>(), release.count()),
            (vec![("b", "t2")], 0)
        );
        assert_eq!(
            format!("{:?}", answers[1]),
            "Claimed { token: \"********\" }"
        );
    }

    #[test]
    fn a_completion_after_eviction_is_remembered() {
        let s = MemoryStore::with_limits(1, 1_000).expect("limits");
        let a = token(s.claim("a", 100, 0).expect("lease"));
        let _b = token(s.claim("b", 100, 0).expect("lease"));
        assert!(
            s.complete("a", &a, 5),
            "forgotten with no claim since: completes"
        );
        assert_eq!(s.claim("a", 100, 6).expect("lease"), Claim::Done);
        assert_eq!(s.len(), 1, "the capacity holds");
    }

    #[test]
    fn a_rejected_event_is_recorded_once_and_never_handled() {
        let store = MemoryStore::new();
        let n = parse_notification(
            br#"{"message": {"instanceId": 2, "raw": [
                {"seq_no": "1", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}},
                {"seq_no": "2", "type": "t"}]}}"#,
        )
        .expect("parses");
        let mut handled = Vec::new();
        let Ok(first) = process(
            &store,
            &n,
            || 0,
            1_000,
            |w| {
                handled.push(w.unit.key.clone());
                Ok::<(), ()>(())
            },
        ) else {
            panic!("expected an outcome")
        };
        assert_eq!(
            (first.status, first.processed, first.rejected.len()),
            (200, 1, 1)
        );
        assert_eq!(first.rejected[0].position, 0);
        assert_eq!(handled, ["hs:2:2"]);
        // Another part of the batch, or a replay: nothing again.
        let Ok(again) = process(&store, &n, || 1, 1_000, |_| Err(())) else {
            panic!("expected an outcome")
        };
        assert_eq!(
            (
                again.status,
                again.processed,
                again.skipped,
                again.rejected.len()
            ),
            (200, 0, 2, 0)
        );
    }

    /// Polls a future that never waits (the MemoryStore's, ready handlers) to its end.
    fn ready<F: Future>(f: F) -> F::Output {
        let mut f = std::pin::pin!(f);
        let waker = std::task::Waker::noop();
        let mut cx = std::task::Context::from_waker(waker);
        loop {
            if let std::task::Poll::Ready(v) = f.as_mut().poll(&mut cx) {
                return v;
            }
        }
    }

    #[test]
    fn the_async_loop_answers_as_the_sync_one() {
        let n = parse_notification(
            br#"{"message": {"instanceId": 3, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"},
                {"seq_no": "3", "type": "com.hootsuite.messages.event.v1", "data": {"message": 5}}]}}"#,
        )
        .expect("parses");
        let fails_on = |key: &'static str| {
            move |w: Work<'_>| {
                if w.unit.key == key {
                    Err("boom")
                } else {
                    Ok(())
                }
            }
        };
        let (sync_store, async_store) = (MemoryStore::new(), MemoryStore::new());
        let mut handled = (Vec::new(), Vec::new());
        for (round, key) in [(0, "hs:3:2"), (1, "none"), (2, "none")] {
            let f = fails_on(key);
            let a = process(
                &sync_store,
                &n,
                || round,
                1_000,
                |w| {
                    handled.0.push(w.unit.key.clone());
                    f(w)
                },
            );
            let f = fails_on(key);
            let b = ready(process_async(
                &async_store,
                &n,
                || round,
                1_000,
                |w| {
                    handled.1.push(w.unit.key.clone());
                    std::future::ready(f(w))
                },
            ));
            match (a, b) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "round {round}"),
                (
                    Err(ProcessError::Failed {
                        outcome: a,
                        error: x,
                    }),
                    Err(ProcessError::Failed {
                        outcome: b,
                        error: y,
                    }),
                ) => assert_eq!((a, x), (b, y), "round {round}"),
                (a, b) => panic!("round {round}: {a:?} against {b:?}"),
            }
        }
        assert_eq!(handled.0, handled.1);
        assert_eq!(handled.0, ["hs:3:1", "hs:3:2", "hs:3:2"]);
    }

    #[test]
    fn the_async_loops_future_is_send() {
        fn send<T: Send>(_: &T) {}
        let store = MemoryStore::new();
        let n =
            parse_notification(br#"{"message": {"instanceId": 1, "raw": []}}"#).expect("parses");
        let f = process_async(&store, &n, || 0, 1_000, |_| async { Ok::<(), String>(()) });
        send(&f);
    }

    #[test]
    fn process_once_release_on_failure() {
        let store = MemoryStore::new();
        let n = parse_notification(
            br#"{"message": {"instanceId": 2, "raw": [{"seq_no": "1", "type": "t"}, {"seq_no": "2", "type": "t"}]}}"#,
        )
        .expect("parses");
        let failed = process(
            &store,
            &n,
            || 0,
            1_000,
            |w| {
                if w.unit.key == "hs:2:2" {
                    Err("boom")
                } else {
                    Ok(())
                }
            },
        );
        let Err(ProcessError::Failed { outcome, error }) = failed else {
            panic!("expected a failure")
        };
        assert_eq!(
            (outcome.status, outcome.processed, outcome.failed, error),
            (500, 1, 1, "boom")
        );
        let mut keys = Vec::new();
        let ok = process(
            &store,
            &n,
            || 1,
            1_000,
            |w| {
                keys.push(w.hootsuite_event.and_then(|e| e.seq_no.clone()));
                Ok::<(), ()>(())
            },
        );
        let Ok(outcome) = ok else {
            panic!("expected success")
        };
        assert_eq!(
            (outcome.status, outcome.processed, outcome.skipped),
            (200, 1, 1)
        );
        assert_eq!(keys, [Some("2".to_string())]);

        let held = MemoryStore::new();
        assert!(matches!(
            held.claim("hs:2:1", 1_000, 0).expect("lease"),
            Claim::Claimed { .. }
        ));
        let Ok(outcome) = process(&held, &n, || 10, 1_000, |_| Ok::<(), ()>(())) else {
            panic!("expected an outcome")
        };
        assert_eq!(
            (outcome.status, outcome.in_progress, outcome.processed),
            (409, 1, 1)
        );
    }
}
