//! The answer to a claim, and what a receiver answers Cloud Elements: shared by the loop
//! ([`super::Steps`]) and the stores.

use serde::Serialize;

/// What a receiver answers when every unit was processed or had been: 200.
pub const STATUS_OK: u16 = 200;
/// What a receiver answers when another process holds a unit: 409, so that Cloud Elements
/// retries later (by then the unit is done, or the other process's lease has expired).
pub const STATUS_IN_PROGRESS: u16 = 409;
/// What a receiver answers when processing failed: 500, so that Cloud Elements retries.
pub const STATUS_FAILED: u16 = 500;

/// The answer to a claim. Its `Debug` hides the token (it proves the claim).
#[derive(Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Claim {
    /// The unit is yours: process it, then complete or release with this token.
    Claimed {
        /// Proves the claim is yours when completing or releasing.
        token: String,
    },
    /// The unit was processed before: skip it.
    Done,
    /// Another process holds a live claim: answer [`STATUS_IN_PROGRESS`].
    InProgress,
}

impl std::fmt::Debug for Claim {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Claim::Claimed { .. } => f
                .debug_struct("Claimed")
                .field("token", &crate::redact::MASK)
                .finish(),
            Claim::Done => f.write_str("Done"),
            Claim::InProgress => f.write_str("InProgress"),
        }
    }
}

/// A [`Claim`] whose token is lent (read from a buffer, not owned): how a store answers
/// [`super::Steps::claimed_refs`] without a `String` per claim. Its `Debug` hides the token.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum ClaimRef<'a> {
    /// [`Claim::Claimed`].
    Claimed {
        /// Proves the claim is yours when completing or releasing.
        token: &'a str,
    },
    /// [`Claim::Done`].
    Done,
    /// [`Claim::InProgress`].
    InProgress,
}

impl Claim {
    /// This answer with its token lent.
    pub fn as_ref(&self) -> ClaimRef<'_> {
        match self {
            Claim::Claimed { token } => ClaimRef::Claimed { token },
            Claim::Done => ClaimRef::Done,
            Claim::InProgress => ClaimRef::InProgress,
        }
    }
}

impl std::fmt::Debug for ClaimRef<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ClaimRef::Claimed { .. } => f
                .debug_struct("Claimed")
                .field("token", &crate::redact::MASK)
                .finish(),
            ClaimRef::Done => f.write_str("Done"),
            ClaimRef::InProgress => f.write_str("InProgress"),
        }
    }
}

/// What to answer Cloud Elements for a notification after claiming its units:
/// [`STATUS_FAILED`] when a unit failed, [`STATUS_IN_PROGRESS`] when another process holds
/// one, else [`STATUS_OK`]. (Hosts that run the claim loop themselves, such as the Python and
/// Node packages with their own stores, answer with this.)
pub fn status(in_progress: usize, failed: usize) -> u16 {
    if failed > 0 {
        STATUS_FAILED
    } else if in_progress > 0 {
        STATUS_IN_PROGRESS
    } else {
        STATUS_OK
    }
}
