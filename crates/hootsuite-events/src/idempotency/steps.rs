//! The claim loop as a sans-IO step machine. [`process`](super::process) drives it in Rust;
//! the Python (sync and asyncio) and Node packages drive the same machine around their own
//! stores and handlers, so that the loop and its rules exist once.
//!
//! For one notification: claim every unit in one call ([`Step::Claim`]); run the handler on
//! each unit claimed now, in order ([`Step::Handle`]; an event that could not be read is
//! recorded without one); complete the handled units and release the others in one call
//! ([`Step::Settle`]); answer ([`Step::Done`]). A failing handler stops the handling: the units
//! before it are completed, it and the units after it released, so that the retry processes
//! them. Two store round trips per notification, whatever its number of units.
//!
//! [`Steps::next_step`] hands each step out as owned values. A host that runs the loop per
//! delivery can copy nothing instead: [`Steps::with_keys`] holds keys lent by the
//! notification, [`Steps::advance`] names the step, [`Steps::keys`] and
//! [`Steps::settle_claims`] lend what it carries, [`Steps::claimed_refs`] takes lent tokens
//! into one buffer, and [`MemoryStore::claim_steps`](super::MemoryStore::claim_steps) /
//! [`MemoryStore::settle_steps`](super::MemoryStore::settle_steps) answer the claim and
//! settle steps in place.
//!
//! ```
//! use hootsuite_events::idempotency::{Claim, Step, Steps};
//! let mut steps = Steps::new(vec![("hs:1:7".into(), false), ("hs:1:8".into(), false)]);
//! assert_eq!(steps.next_step(), Step::Claim(vec!["hs:1:7".into(), "hs:1:8".into()]));
//! steps.claimed(vec![Claim::Claimed { token: "t".into() }, Claim::Done])?;
//! assert_eq!(steps.next_step(), Step::Handle(0));
//! steps.handled(true)?;
//! let Step::Settle { complete, release } = steps.next_step() else { panic!("settle") };
//! assert_eq!((complete, release), (vec![("hs:1:7".into(), "t".into())], vec![]));
//! steps.settled(&[true])?;
//! let Step::Done(tally) = steps.next_step() else { panic!("done") };
//! assert_eq!((tally.status, tally.processed, tally.skipped), (200, 1, 1));
//! # Ok::<(), hootsuite_events::Error>(())
//! ```

use serde::Serialize;

use super::claim::{status, Claim, ClaimRef};
use crate::error::Error;

/// What the host does next.
#[derive(Clone, PartialEq, Eq)]
pub enum Step {
    /// Claim these keys (every unit, in order), for the host's lease; then [`Steps::claimed`].
    Claim(Vec<String>),
    /// Run the handler on the unit at this index of the units; then [`Steps::handled`].
    Handle(usize),
    /// Complete the `(key, token)` claims of `complete` and release those of `release`, in
    /// one call; then [`Steps::settled`] with one answer per claim (`complete`'s first).
    Settle {
        /// The units handled now (and events that could not be read, recorded now).
        complete: Vec<(String, String)>,
        /// The units claimed now and not handled: the one that failed and those after it.
        release: Vec<(String, String)>,
    },
    /// The end: what happened and what to answer.
    Done(Tally),
}

// Tokens prove claims: Debug shows the keys only.
impl std::fmt::Debug for Step {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys = |claims: &[(String, String)]| -> Vec<String> {
            claims.iter().map(|(k, _)| k.clone()).collect()
        };
        match self {
            Step::Claim(keys) => f.debug_tuple("Claim").field(keys).finish(),
            Step::Handle(i) => f.debug_tuple("Handle").field(i).finish(),
            Step::Settle { complete, release } => f
                .debug_struct("Settle")
                .field("complete", &keys(complete))
                .field("release", &keys(release))
                .finish(),
            Step::Done(t) => f.debug_tuple("Done").field(t).finish(),
        }
    }
}

/// What happened to a notification's units, and the status to answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// [`STATUS_OK`](super::claim::STATUS_OK), [`STATUS_IN_PROGRESS`](super::claim::STATUS_IN_PROGRESS) or
    /// [`STATUS_FAILED`](super::claim::STATUS_FAILED).
    pub status: u16,
    /// Units handled now.
    pub processed: usize,
    /// Units processed before.
    pub skipped: usize,
    /// Units another process holds.
    pub in_progress: usize,
    /// Units whose handler failed (at most 1: handling stops there).
    pub failed: usize,
    /// Units completed after their lease had been taken over.
    pub lost_leases: usize,
    /// The indices of the units that could not be read, recorded now.
    pub rejected: Vec<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Claim,
    Handle,
    Settle,
    Finish,
}

/// What the host does next, with nothing copied: [`Steps::advance`]'s answer. The keys of a
/// claim are [`Steps::keys`], the claims of a settle [`Steps::settle_claims`], the tally
/// [`Steps::tally`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Advance {
    /// [`Step::Claim`]: claim [`Steps::keys`].
    Claim,
    /// [`Step::Handle`].
    Handle(usize),
    /// [`Step::Settle`]: settle [`Steps::settle_claims`].
    Settle,
    /// [`Step::Done`]: [`Steps::tally`].
    Done,
}

/// The claim loop of one notification; see the module documentation. `K` is how it holds
/// each unit's key: owned (`String`, the default) or lent by the notification (`&str`).
#[derive(Clone)]
pub struct Steps<K = String> {
    keys: Vec<K>,
    rejected: Vec<bool>,
    /// Where the claim's token of each unit claimed now lies in `token_text`.
    tokens: Vec<Option<(usize, usize)>>,
    /// The tokens of the claims, one after another (one buffer, not a `String` per claim).
    token_text: String,
    /// Units to complete: handled now, or recorded as rejected now.
    done: Vec<bool>,
    cursor: usize,
    pending: Option<usize>,
    stage: Stage,
    tally: Tally,
}

impl<K: AsRef<str>> std::fmt::Debug for Steps<K> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let keys: Vec<&str> = self.keys.iter().map(AsRef::as_ref).collect();
        f.debug_struct("Steps")
            .field("keys", &keys)
            .field("stage", &self.stage)
            .field("tally", &self.tally)
            .finish_non_exhaustive()
    }
}

fn misuse(reason: impl Into<String>) -> Error {
    Error::InvalidArgument {
        field: "step".into(),
        reason: reason.into(),
    }
}

/// A claim's answer as [`Steps`] records it: its token is already written into the buffer.
pub(super) enum Answered {
    Claimed,
    Done,
    InProgress,
}

impl Steps<String> {
    /// The loop over `units`: each unit's key and whether it is an event that could not be
    /// read ([`crate::events::UnitKind::Rejected`]: recorded without a handler).
    pub fn new(units: Vec<(String, bool)>) -> Self {
        Steps::with_keys(units)
    }

    /// The loop over the units of `notification`.
    pub fn for_notification(notification: &crate::events::Notification) -> Self {
        Steps::new(
            notification
                .units
                .iter()
                .map(|u| (u.key.clone(), u.kind == crate::events::UnitKind::Rejected))
                .collect(),
        )
    }
}

impl<'n> Steps<&'n str> {
    /// The loop over the units of `notification`, its keys lent by it.
    pub fn lent_by(notification: &'n crate::events::Notification) -> Self {
        Steps::with_keys(
            notification
                .units
                .iter()
                .map(|u| (u.key.as_str(), u.kind == crate::events::UnitKind::Rejected))
                .collect(),
        )
    }
}

impl<K: AsRef<str>> Steps<K> {
    /// [`Steps::new`] with the keys held as `K` (such as `&str`, lent by the notification,
    /// where `new` owns a copy of each).
    pub fn with_keys(units: Vec<(K, bool)>) -> Self {
        let n = units.len();
        let (keys, rejected) = units.into_iter().unzip();
        Steps {
            keys,
            rejected,
            tokens: vec![None; n],
            token_text: String::new(),
            done: vec![false; n],
            cursor: 0,
            pending: None,
            stage: if n == 0 { Stage::Finish } else { Stage::Claim },
            tally: Tally::default(),
        }
    }

    /// Every unit's key, in order: what [`Advance::Claim`] claims.
    pub fn keys(&self) -> &[K] {
        &self.keys
    }

    fn token(&self, i: usize) -> Option<&str> {
        self.tokens[i].map(|(start, end)| &self.token_text[start..end])
    }

    /// The claims made now of the units that are (`done`) or are not to complete.
    fn claims(&self, done: bool) -> impl Iterator<Item = (&str, &str)> {
        (0..self.keys.len())
            .filter(move |&i| self.done[i] == done)
            .filter_map(|i| self.token(i).map(|t| (self.keys[i].as_ref(), t)))
    }

    /// What to do next, as [`Steps::next_step`] says it, with nothing copied. Until the step
    /// is answered, it is the same step again.
    pub fn advance(&mut self) -> Advance {
        loop {
            match self.stage {
                Stage::Claim => return Advance::Claim,
                Stage::Handle => {
                    if let Some(i) = self.pending {
                        return Advance::Handle(i);
                    }
                    let Some(i) =
                        (self.cursor..self.keys.len()).find(|&i| self.tokens[i].is_some())
                    else {
                        self.stage = Stage::Settle;
                        continue;
                    };
                    self.cursor = i + 1;
                    if self.rejected[i] {
                        self.done[i] = true;
                        self.tally.rejected.push(i);
                        continue;
                    }
                    self.pending = Some(i);
                    return Advance::Handle(i);
                }
                Stage::Settle => {
                    if self.tokens.iter().all(Option::is_none) {
                        self.stage = Stage::Finish;
                        continue;
                    }
                    return Advance::Settle;
                }
                Stage::Finish => return Advance::Done,
            }
        }
    }

    /// The claims of the [`Advance::Settle`] step, `(key, token)`: those to complete (the
    /// units handled now, and events that could not be read, recorded now), then those to
    /// release (claimed now and not handled). An error when the step is not a settle.
    #[allow(clippy::type_complexity)]
    pub fn settle_claims(
        &self,
    ) -> Result<
        (
            impl Iterator<Item = (&str, &str)>,
            impl Iterator<Item = (&str, &str)>,
        ),
        Error,
    > {
        if self.stage != Stage::Settle {
            return Err(misuse("there is no Settle step to read the claims of"));
        }
        Ok((self.claims(true), self.claims(false)))
    }

    /// The tally so far, with the status to answer: the [`Advance::Done`] step's.
    pub fn tally(&self) -> Tally {
        let mut tally = self.tally.clone();
        tally.status = status(tally.in_progress, tally.failed);
        tally
    }

    /// What to do next. Until the step is answered, it is the same step again.
    pub fn next_step(&mut self) -> Step {
        match self.advance() {
            Advance::Claim => {
                Step::Claim(self.keys.iter().map(|k| k.as_ref().to_owned()).collect())
            }
            Advance::Handle(i) => Step::Handle(i),
            Advance::Settle => {
                let owned = |claims: &mut dyn Iterator<Item = (&str, &str)>| {
                    claims
                        .map(|(k, t)| (k.to_owned(), t.to_owned()))
                        .collect::<Vec<_>>()
                };
                Step::Settle {
                    complete: owned(&mut self.claims(true)),
                    release: owned(&mut self.claims(false)),
                }
            }
            Advance::Done => Step::Done(self.tally()),
        }
    }

    /// The answers to [`Step::Claim`], one per key in order.
    pub fn claimed(&mut self, answers: Vec<Claim>) -> Result<(), Error> {
        self.claimed_refs(answers.iter().map(Claim::as_ref))
    }

    /// [`Steps::claimed`] with the tokens lent: each is copied into one buffer of the loop.
    pub fn claimed_refs<'t>(
        &mut self,
        answers: impl ExactSizeIterator<Item = ClaimRef<'t>>,
    ) -> Result<(), Error> {
        let count = answers.len();
        if self.stage == Stage::Claim && count != self.keys.len() {
            return Err(misuse(format!(
                "expected one claim answer per key ({}), got {count}",
                self.keys.len(),
            )));
        }
        let mut answers = answers;
        self.answer_claims(|_, text| match answers.next() {
            Some(ClaimRef::Claimed { token }) => {
                text.push_str(token);
                Some(Answered::Claimed)
            }
            Some(ClaimRef::Done) => Some(Answered::Done),
            Some(ClaimRef::InProgress) => Some(Answered::InProgress),
            None => None,
        })
    }

    /// Answers the claim step: `answer(key, text)` is the answer for each key in order,
    /// a claim's token pushed onto `text`; `None` (fewer answers than keys) refuses them all
    /// and changes nothing.
    pub(super) fn answer_claims(
        &mut self,
        mut answer: impl FnMut(&str, &mut String) -> Option<Answered>,
    ) -> Result<(), Error> {
        if self.stage != Stage::Claim {
            return Err(misuse("claimed() answers a Claim step, and there is none"));
        }
        let (skipped, in_progress) = (self.tally.skipped, self.tally.in_progress);
        self.token_text.clear();
        for (i, key) in self.keys.iter().enumerate() {
            let start = self.token_text.len();
            match answer(key.as_ref(), &mut self.token_text) {
                Some(Answered::Claimed) => {
                    self.tokens[i] = Some((start, self.token_text.len()));
                }
                Some(Answered::Done) => self.tally.skipped += 1,
                Some(Answered::InProgress) => self.tally.in_progress += 1,
                None => {
                    self.tokens.iter_mut().for_each(|t| *t = None);
                    self.token_text.clear();
                    (self.tally.skipped, self.tally.in_progress) = (skipped, in_progress);
                    return Err(misuse(format!(
                        "expected one claim answer per key ({}), got {i}",
                        self.keys.len()
                    )));
                }
            }
        }
        self.stage = Stage::Handle;
        Ok(())
    }

    /// Whether the handler of the [`Step::Handle`] unit succeeded. After a failure the
    /// handling stops: that unit and those after it are released.
    pub fn handled(&mut self, ok: bool) -> Result<(), Error> {
        let Some(i) = self.pending.take() else {
            return Err(misuse("handled() answers a Handle step, and there is none"));
        };
        if ok {
            self.done[i] = true;
            self.tally.processed += 1;
        } else {
            self.tally.failed += 1;
            self.stage = Stage::Settle;
        }
        Ok(())
    }

    /// The units the next Handle steps give when each handler succeeds, in order: a host
    /// that runs them before answering answers them at once with [`Steps::handled_all`].
    pub fn handles(&self) -> Vec<usize> {
        if self.stage != Stage::Handle {
            return Vec::new();
        }
        self.pending
            .into_iter()
            .chain(
                (self.cursor..self.keys.len())
                    .filter(|&i| self.tokens[i].is_some() && !self.rejected[i]),
            )
            .collect()
    }

    /// Answers the Handle steps of [`Steps::handles`] at once: the first `ok` succeeded, then,
    /// when `failed`, the next one failed. The same as answering each Handle step in turn
    /// (it does), so the rejected units between them are recorded alike.
    pub fn handled_all(&mut self, ok: usize, failed: bool) -> Result<(), Error> {
        if self.stage != Stage::Handle {
            return Err(misuse(
                "handled_all() answers the Handle steps, and there are none",
            ));
        }
        let count = self.handles().len();
        let answered = ok + usize::from(failed);
        if answered > count || (!failed && ok != count) {
            return Err(misuse(format!(
                "handled_all() answers every Handle step ({count}): {ok} succeeded and {} failed",
                usize::from(failed)
            )));
        }
        for i in 0..answered {
            let Advance::Handle(_) = self.advance() else {
                return Err(misuse(
                    "handled_all() answers a Handle step, and there is none",
                ));
            };
            self.handled(i < ok)?;
        }
        Ok(())
    }

    /// The answers to [`Step::Settle`]: whether each claim changed its key (`complete`'s
    /// first). A completion that changed nothing lost its lease to a takeover.
    pub fn settled(&mut self, changed: &[bool]) -> Result<(), Error> {
        if self.stage != Stage::Settle {
            return Err(misuse("settled() answers a Settle step, and there is none"));
        }
        let expected = self.tokens.iter().flatten().count();
        if changed.len() != expected {
            return Err(misuse(format!(
                "expected one settle answer per claim ({expected}), got {}",
                changed.len()
            )));
        }
        // Counted here, not when the step was named: a host may answer the settle step
        // without having asked for it (`settle_steps` right after a failed handler).
        let completing = self.claims(true).count();
        self.tally.lost_leases += changed[..completing].iter().filter(|c| !**c).count();
        self.stage = Stage::Finish;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn claimed(t: &str) -> Claim {
        Claim::Claimed { token: t.into() }
    }

    fn units(keys: &[(&str, bool)]) -> Steps {
        Steps::new(keys.iter().map(|(k, r)| (k.to_string(), *r)).collect())
    }

    #[test]
    fn a_failure_completes_the_units_before_it_and_releases_the_rest() {
        let mut s = units(&[
            ("a", false),
            ("b", true),
            ("c", false),
            ("d", false),
            ("e", false),
        ]);
        assert!(matches!(s.next_step(), Step::Claim(k) if k.len() == 5));
        s.claimed(vec![
            claimed("t"),
            claimed("t"),
            claimed("t"),
            Claim::InProgress,
            claimed("t"),
        ])
        .expect("five answers");
        assert_eq!(s.next_step(), Step::Handle(0));
        assert_eq!(
            s.next_step(),
            Step::Handle(0),
            "the same step until answered"
        );
        s.handled(true).expect("answers");
        // b could not be read: recorded, no handler.
        assert_eq!(s.next_step(), Step::Handle(2));
        s.handled(false).expect("answers");
        let Step::Settle { complete, release } = s.next_step() else {
            panic!("settle")
        };
        let keys = |v: Vec<(String, String)>| v.into_iter().map(|(k, _)| k).collect::<Vec<_>>();
        assert_eq!(keys(complete), ["a", "b"]);
        assert_eq!(
            keys(release),
            ["c", "e"],
            "the failed unit and the one never handled"
        );
        s.settled(&[true, false, true, true]).expect("four answers");
        let Step::Done(t) = s.next_step() else {
            panic!("done")
        };
        assert_eq!(
            (
                t.status,
                t.processed,
                t.failed,
                t.in_progress,
                t.lost_leases,
                t.rejected
            ),
            (500, 1, 1, 1, 1, vec![1])
        );
    }

    /// Drives `s` to its tally answering Handle steps one by one (`batch` false) or at once,
    /// the handler failing at unit `fail` (if any); settles every claim as changed.
    fn run(
        mut s: Steps,
        answers: Vec<Claim>,
        fail: Option<usize>,
        batch: bool,
    ) -> (Vec<usize>, Step) {
        let mut handled = Vec::new();
        assert!(matches!(s.next_step(), Step::Claim(_)));
        s.claimed(answers).expect("one answer per key");
        if batch {
            let handles = s.handles();
            let ok = handles.iter().take_while(|&&i| Some(i) != fail).count();
            handled.extend(handles.iter().take(ok + usize::from(ok < handles.len())));
            s.handled_all(ok, ok < handles.len()).expect("answers");
            assert!(s.handles().is_empty());
        }
        loop {
            match s.next_step() {
                Step::Handle(i) => {
                    handled.push(i);
                    s.handled(Some(i) != fail).expect("answers");
                }
                Step::Settle { complete, release } => {
                    s.settled(&vec![true; complete.len() + release.len()])
                        .expect("answers");
                }
                done => return (handled, done),
            }
        }
    }

    #[test]
    fn handled_all_is_the_handle_steps_answered_one_by_one() {
        let keys = [
            ("a", false),
            ("b", true),
            ("c", false),
            ("d", false),
            ("e", true),
            ("f", false),
        ];
        let answers = || {
            vec![
                claimed("t"),
                claimed("t"),
                claimed("t"),
                Claim::Done,
                claimed("t"),
                claimed("t"),
            ]
        };
        for fail in [None, Some(0), Some(2), Some(5)] {
            let one = run(units(&keys), answers(), fail, false);
            let all = run(units(&keys), answers(), fail, true);
            assert_eq!(one, all, "failing at {fail:?}");
        }
        let mut s = units(&keys);
        assert!(s.handles().is_empty(), "nothing to handle before the claim");
        assert!(s.handled_all(0, false).is_err());
        let _ = s.next_step();
        s.claimed(answers()).expect("answers");
        assert_eq!(s.handles(), [0, 2, 5]);
        assert!(
            s.handled_all(2, false).is_err(),
            "all of them, or a failure"
        );
        assert!(s.handled_all(3, true).is_err(), "more than there are");
        assert_eq!(s.handles(), [0, 2, 5], "a refused answer changes nothing");
        s.handled_all(1, true).expect("answers");
        assert!(matches!(s.next_step(), Step::Settle { .. }));
    }

    #[test]
    fn nothing_claimed_settles_nothing_and_misuse_is_an_error() {
        let mut s = units(&[("a", false)]);
        assert!(s.handled(true).is_err());
        assert!(s.settled(&[]).is_err());
        assert!(s.claimed(vec![]).is_err(), "one answer per key");
        s.claimed(vec![Claim::Done]).expect("one answer");
        let Step::Done(t) = s.next_step() else {
            panic!("done without a settle")
        };
        assert_eq!((t.status, t.skipped), (200, 1));
        let shown = format!(
            "{:?}",
            Step::Settle {
                complete: vec![("k".into(), "SECRET-TOKEN".into())],
                release: vec![]
            }
        );
        assert!(!shown.contains("SECRET-TOKEN"), "{shown}");
    }
}
