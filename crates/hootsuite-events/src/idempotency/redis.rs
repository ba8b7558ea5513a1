//! The Redis protocol of a shared [`Store`](super::Store), sans-IO: the key naming, the stored
//! values, the three Lua scripts, how their replies map to [`Claim`] and `bool`, and the claim
//! tokens. The Rust (`hootsuite-events-redis`), Python (`hootsuite_events.redis`) and Node
//! (`hootsuite-events/redis`) stores only send the [`Call`]s built here and hand the replies
//! back, so that every language stores the same keys and values with the same rules.
//!
//! - A unit's key is `<namespace>:{<group>}<rest>`, where the unit key is `<group><rest>` and the
//!   group runs to its second `:` (`hs:12345:7` → `my-app:{hs:12345}:7`). The units of one
//!   notification share the group (its kind and instance), so the braces (a Redis Cluster hash
//!   tag) put them in one slot and one script can claim or settle them all.
//! - [`Protocol::claim_set`] claims every unit of a notification in one pipeline of
//!   `SET <key> c:<token> NX PX <lease> GET` (Redis 7.0 and later: one command per key, no
//!   script), and [`Protocol::settle`] completes and releases them in one script: two round
//!   trips per notification. On an older server the `SET`s fail with a syntax error and change
//!   nothing ([`claim_set_unsupported`]): the stores then claim with the [`Protocol::claim_all`]
//!   script, which answers the same.
//! - A claimed key holds `c:<token>` and expires after the lease (`PX`); a completed key holds
//!   `d` and expires after the retention. A released key is deleted.
//! - Claims are atomic (`SET … NX GET` sets the key only when absent and answers what it held;
//!   the scripts `GET`, then `SET … PX` when absent); completion and release
//!   are compare-and-set on the claim's value, so that a process whose lease expired (and whose
//!   key another process claimed since) cannot complete or release the new claim. A completion
//!   after the lease ran out with no claim since still records the key as done, so that later
//!   deliveries skip it.
//!
//! Redis's own clock enforces the leases and the retention (`PX`): the `now_ms` arguments of
//! [`Store`](super::Store) are unused by the Redis stores.
//!
//! ```
//! use hootsuite_events::idempotency::{redis::Protocol, Claim};
//! let protocol = Protocol::new("my-app", 7 * 24 * 3_600_000)?;
//! let call = protocol.claim("hs:1:7", 60_000, "0123456789abcdef0123456789abcdef")?;
//! assert_eq!(call.keys, ["my-app:{hs:1}:7"]);
//! assert_eq!(call.args, ["c:0123456789abcdef0123456789abcdef", "60000"]);
//! // EVALSHA call.script.sha1 1 call.keys… call.args… answers "claimed":
//! let claim = protocol.parse_claim(b"claimed", &call)?;
//! assert!(matches!(claim, Claim::Claimed { .. }));
//! # Ok::<(), hootsuite_events::Error>(())
//! ```

use crate::idempotency::Claim;
use crate::Error;

/// The namespace of the keys unless another is given: `hootsuite-events`.
pub const DEFAULT_NAMESPACE: &str = "hootsuite-events";

/// The longest namespace accepted, in bytes.
pub const MAX_NAMESPACE_LEN: usize = 128;

/// The longest unit key accepted, in bytes (the core's keys are far shorter).
pub const MAX_UNIT_KEY_LEN: usize = 1024;

/// The longest claim token accepted, in bytes.
pub const MAX_TOKEN_LEN: usize = 128;

pub use super::MAX_EXPIRY_MS;

/// The value of a completed key.
pub const DONE_VALUE: &str = "d";

/// The prefix of a claimed key's value (`c:<token>`).
pub const CLAIM_PREFIX: &str = "c:";

/// A Lua script and its SHA-1 (what `EVALSHA` takes; `EVAL` the source when the server does
/// not have it cached, as after a restart or `SCRIPT FLUSH`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Script {
    /// `claim`, `complete` or `release`.
    pub name: &'static str,
    /// The Lua source.
    pub source: &'static str,
    /// The lowercase hexadecimal SHA-1 of `source`.
    pub sha1: &'static str,
}

/// Claims `KEYS[1]`: absent → `SET` it to `ARGV[1]` (`c:<token>`) for `ARGV[2]` ms and
/// answer `claimed`; `d` → `done`; else `in_progress`. On Redis 7.0 and later (where scripts
/// see `redis.REDIS_VERSION_NUM`) one `SET … NX PX … GET`, before that `GET` then `SET`.
pub const CLAIM_SCRIPT: Script = Script {
    name: "claim",
    source: "local v\nif redis.REDIS_VERSION_NUM then\n  v = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2], 'GET')\nelse\n  v = redis.call('GET', KEYS[1])\n  if not v then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) end\nend\nif not v then return 'claimed' end\nif v == 'd' then return 'done' end\nreturn 'in_progress'\n",
    sha1: "fda44ab23ca4bf00cc0ed622281266fd90bcd4e2",
};

/// Completes `KEYS[1]` when it still holds `ARGV[1]` (`c:<token>`) or nothing (the lease ran
/// out and nobody claimed it since: the work was done here): `SET` it to `d` for `ARGV[2]` ms
/// (the retention) and answer 1; else (another claim, or done by another) 0.
pub const COMPLETE_SCRIPT: Script = Script {
    name: "complete",
    source: "local v = redis.call('GET', KEYS[1])\n\
if v == ARGV[1] or not v then\n  redis.call('SET', KEYS[1], 'd', 'PX', ARGV[2])\n  return 1\nend\n\
return 0\n",
    sha1: "eeb9a52dd8002ba1bef5e955829326c93b043bc8",
};

/// Releases `KEYS[1]` when it still holds `ARGV[1]` (`c:<token>`): `DEL` it and answer 1;
/// else 0.
pub const RELEASE_SCRIPT: Script = Script {
    name: "release",
    source: "if redis.call('GET', KEYS[1]) == ARGV[1] then\n\
  redis.call('DEL', KEYS[1])\n  return 1\nend\n\
return 0\n",
    sha1: "d1b170f6183181bb5154915c53735e28690d5a24",
};

/// Claims every key of `KEYS` as [`CLAIM_SCRIPT`] claims one, with the value `ARGV[1]`
/// (`c:<token>`) for `ARGV[2]` ms; answers one `claimed`, `done` or `in_progress` per key.
pub const CLAIM_ALL_SCRIPT: Script = Script {
    name: "claim_all",
    source: "local nx_get = redis.REDIS_VERSION_NUM ~= nil\nlocal out = {}\nfor i, key in ipairs(KEYS) do\n  local v\n  if nx_get then\n    v = redis.call('SET', key, ARGV[1], 'NX', 'PX', ARGV[2], 'GET')\n  else\n    v = redis.call('GET', key)\n    if not v then redis.call('SET', key, ARGV[1], 'PX', ARGV[2]) end\n  end\n  if not v then\n    out[i] = 'claimed'\n  elseif v == 'd' then\n    out[i] = 'done'\n  else\n    out[i] = 'in_progress'\n  end\nend\nreturn out\n",
    sha1: "32c7cb85f978dafff1c7cf7c4089ee9e305f3f70",
};

/// Completes the first `ARGV[2]` keys of `KEYS` and releases the others, each as
/// [`COMPLETE_SCRIPT`] and [`RELEASE_SCRIPT`] do one, `ARGV[2 + i]` holding key i's
/// `c:<token>` and `ARGV[1]` the retention; answers one 1 or 0 per key.
pub const SETTLE_SCRIPT: Script = Script {
    name: "settle",
    source: "local n = tonumber(ARGV[2])\nlocal out = {}\nfor i, key in ipairs(KEYS) do\n  local v = redis.call('GET', key)\n  local mine = ARGV[i + 2]\n  if i <= n then\n    if v == mine or not v then\n      redis.call('SET', key, 'd', 'PX', ARGV[1])\n      out[i] = 1\n    else\n      out[i] = 0\n    end\n  elseif v == mine then\n    redis.call('DEL', key)\n    out[i] = 1\n  else\n    out[i] = 0\n  end\nend\nreturn out\n",
    sha1: "3260c6ced2da452ec8f8009766f4be5588230172",
};

/// The scripts, for hosts that load them up front (`SCRIPT LOAD`).
pub const SCRIPTS: [Script; 5] = [
    CLAIM_SCRIPT,
    COMPLETE_SCRIPT,
    RELEASE_SCRIPT,
    CLAIM_ALL_SCRIPT,
    SETTLE_SCRIPT,
];

/// The claim of every unit of a notification without a script: one
/// `SET <key> c:<token> NX PX <lease> GET` per key, sent in one pipeline (one round trip; the
/// keys share a hash slot, so one node of a cluster answers them all). Each answers nil (the
/// key was absent and is now claimed), `d` (done) or another claim's value (in progress):
/// [`parse_claim_set_reply`].
#[derive(Clone, PartialEq, Eq)]
pub struct ClaimSet {
    /// The Redis keys, in the units' order (one hash slot).
    pub keys: Vec<String>,
    /// The value each key is set to: `c:<token>`.
    pub value: String,
    /// The lease (`PX`), in milliseconds.
    pub lease_ms: u64,
    /// The claim's token: what [`parse_claim_set_reply`] returns in [`Claim::Claimed`].
    pub token: String,
}

impl ClaimSet {
    /// The command of each key, in order: `SET <key> c:<token> NX PX <lease_ms> GET`.
    pub fn commands(&self) -> Vec<[String; 7]> {
        let lease = self.lease_ms.to_string();
        self.keys
            .iter()
            .map(|key| {
                [
                    "SET".to_string(),
                    key.clone(),
                    self.value.clone(),
                    "NX".to_string(),
                    "PX".to_string(),
                    lease.clone(),
                    "GET".to_string(),
                ]
            })
            .collect()
    }
}

// The token and the value holding it stay out of Debug output.
impl std::fmt::Debug for ClaimSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClaimSet")
            .field("keys", &self.keys)
            .field("lease_ms", &self.lease_ms)
            .finish_non_exhaustive()
    }
}

/// One script call to send: `EVALSHA script.sha1 <number of keys> keys… args…` (or `EVAL
/// script.source …`).
#[derive(Clone, PartialEq, Eq)]
pub struct Call {
    /// The script to run.
    pub script: Script,
    /// The script's keys (`KEYS`): one, or the units of one notification (one hash slot).
    pub keys: Vec<String>,
    /// The script's arguments (`ARGV`), in order.
    pub args: Vec<String>,
    /// The claim's token (claims only): what [`Protocol::parse_claim`] returns in
    /// [`Claim::Claimed`].
    pub token: Option<String>,
}

// What a host sends, flat: the script's hash and source, its key, its arguments, the token.
impl serde::Serialize for Call {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct as _;
        let mut st = s.serialize_struct("Call", 5)?;
        st.serialize_field("sha1", self.script.sha1)?;
        st.serialize_field("source", self.script.source)?;
        st.serialize_field("keys", &self.keys)?;
        st.serialize_field("args", &self.args)?;
        st.serialize_field("token", &self.token)?;
        st.end()
    }
}

// The token and the value holding it stay out of Debug output.
impl std::fmt::Debug for Call {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Call")
            .field("script", &self.script.name)
            .field("keys", &self.keys)
            .field("args", &self.args.len())
            .finish_non_exhaustive()
    }
}

/// The rules of one Redis store: its namespace and its retention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protocol {
    namespace: String,
    retention_ms: u64,
}

fn invalid(field: &str, reason: impl Into<String>) -> Error {
    Error::InvalidArgument {
        field: field.to_string(),
        reason: reason.into(),
    }
}

/// Checks a namespace: 1 to [`MAX_NAMESPACE_LEN`] bytes of ASCII letters, digits and `-_.:`
/// (printable, so that keys read well in `redis-cli`; `{}` are the protocol's hash tags).
pub fn validate_namespace(namespace: &str) -> Result<(), Error> {
    if namespace.is_empty() || namespace.len() > MAX_NAMESPACE_LEN {
        return Err(invalid(
            "namespace",
            format!(
                "expected 1 to {MAX_NAMESPACE_LEN} bytes, got {}",
                namespace.len()
            ),
        ));
    }
    if let Some((i, c)) = namespace
        .char_indices()
        .find(|(_, c)| !(c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':')))
    {
        return Err(invalid(
            "namespace",
            format!("expected ASCII letters, digits, '-', '_', '.' or ':', got {c:?} at byte {i}"),
        ));
    }
    Ok(())
}

pub(crate) fn validate_unit_key(key: &str) -> Result<(), Error> {
    if key.is_empty() || key.len() > MAX_UNIT_KEY_LEN {
        return Err(invalid(
            "key",
            format!("expected 1 to {MAX_UNIT_KEY_LEN} bytes, got {}", key.len()),
        ));
    }
    // Braces would move the hash tag that keeps a notification's units in one slot.
    if let Some(i) = key.find(['{', '}']) {
        return Err(invalid(
            "key",
            format!("expected no brace, got one at byte {i}"),
        ));
    }
    if let Some((i, _)) = key.char_indices().find(|(_, c)| c.is_control()) {
        return Err(invalid(
            "key",
            format!("expected no control character, got one at byte {i}"),
        ));
    }
    Ok(())
}

fn validate_token(token: &str) -> Result<(), Error> {
    if token.is_empty() || token.len() > MAX_TOKEN_LEN {
        return Err(invalid(
            "token",
            format!("expected 1 to {MAX_TOKEN_LEN} bytes, got {}", token.len()),
        ));
    }
    if !token.bytes().all(|b| b.is_ascii_graphic()) {
        // The token itself is not shown: it proves a claim.
        return Err(invalid("token", "expected printable ASCII without spaces"));
    }
    Ok(())
}

impl Protocol {
    /// The rules for keys under `namespace` ([`validate_namespace`]), completed keys kept
    /// `retention_ms` (1 ms to [`MAX_EXPIRY_MS`]).
    pub fn new(namespace: &str, retention_ms: u64) -> Result<Self, Error> {
        validate_namespace(namespace)?;
        Ok(Protocol {
            namespace: namespace.to_string(),
            retention_ms: super::check_expiry("retention_ms", retention_ms)?,
        })
    }

    /// The namespace.
    pub fn namespace(&self) -> &str {
        &self.namespace
    }

    /// The retention of completed keys, in milliseconds.
    pub fn retention_ms(&self) -> u64 {
        self.retention_ms
    }

    /// The Redis key of a unit key: `<namespace>:{<group>}<rest>` (see the module
    /// documentation: the group is the hash tag the units of one notification share).
    pub fn key(&self, unit_key: &str) -> Result<String, Error> {
        validate_unit_key(unit_key)?;
        let (group, rest) = split_group(unit_key);
        Ok(format!("{}:{{{group}}}{rest}", self.namespace))
    }

    /// The call that claims every unit of `unit_keys` (the units of one notification: one
    /// group) for `lease_ms` with `token`, in one script.
    pub fn claim_all(&self, unit_keys: &[&str], lease_ms: u64, token: &str) -> Result<Call, Error> {
        let keys = self.group_keys(unit_keys.iter().copied())?;
        let lease_ms = super::check_expiry("lease_ms", lease_ms)?;
        validate_token(token)?;
        Ok(Call {
            script: CLAIM_ALL_SCRIPT,
            keys,
            args: vec![format!("{CLAIM_PREFIX}{token}"), lease_ms.to_string()],
            token: Some(token.to_string()),
        })
    }

    /// The `SET … NX PX … GET` commands that claim every unit of `unit_keys` (the units of one
    /// notification: one group) for `lease_ms` with `token`, to send in one pipeline (Redis
    /// 7.0 and later; [`Protocol::claim_all`] is the script for older servers).
    pub fn claim_set(
        &self,
        unit_keys: &[&str],
        lease_ms: u64,
        token: &str,
    ) -> Result<ClaimSet, Error> {
        let keys = self.group_keys(unit_keys.iter().copied())?;
        let lease_ms = super::check_expiry("lease_ms", lease_ms)?;
        validate_token(token)?;
        Ok(ClaimSet {
            keys,
            value: format!("{CLAIM_PREFIX}{token}"),
            lease_ms,
            token: token.to_string(),
        })
    }

    /// The call that completes the claims of `complete` and releases those of `release`
    /// (each `(unit key, token)`, all of one group), in one script.
    pub fn settle(
        &self,
        complete: &[(&str, &str)],
        release: &[(&str, &str)],
    ) -> Result<Call, Error> {
        let all = || complete.iter().chain(release);
        let keys = self.group_keys(all().map(|(k, _)| *k))?;
        let mut args = Vec::with_capacity(keys.len() + 2);
        args.push(self.retention_ms.to_string());
        args.push(complete.len().to_string());
        for (_, token) in all() {
            validate_token(token)?;
            args.push(format!("{CLAIM_PREFIX}{token}"));
        }
        Ok(Call {
            script: SETTLE_SCRIPT,
            keys,
            args,
            token: None,
        })
    }

    /// The Redis keys of `unit_keys`, which must be at least one and share one group (one
    /// hash slot, so that one script may touch them all, on a cluster too).
    fn group_keys<'k>(
        &self,
        unit_keys: impl Iterator<Item = &'k str>,
    ) -> Result<Vec<String>, Error> {
        let mut group: Option<&str> = None;
        let mut keys = Vec::new();
        for unit_key in unit_keys {
            let key = self.key(unit_key)?;
            let g = split_group(unit_key).0;
            match group {
                None => group = Some(g),
                Some(first) if first != g => {
                    return Err(invalid(
                        "keys",
                        format!("expected the units of one notification (one group, such as `{first}`), got another group at key {}", keys.len() + 1),
                    ))
                }
                Some(_) => {}
            }
            keys.push(key);
        }
        if keys.is_empty() {
            return Err(invalid("keys", "expected at least one unit key"));
        }
        Ok(keys)
    }

    /// The call that claims `unit_key` for `lease_ms` with `token` (from `new_token`, with the
    /// `token` feature).
    pub fn claim(&self, unit_key: &str, lease_ms: u64, token: &str) -> Result<Call, Error> {
        let key = self.key(unit_key)?;
        let lease_ms = super::check_expiry("lease_ms", lease_ms)?;
        validate_token(token)?;
        Ok(Call {
            script: CLAIM_SCRIPT,
            keys: vec![key],
            args: vec![format!("{CLAIM_PREFIX}{token}"), lease_ms.to_string()],
            token: Some(token.to_string()),
        })
    }

    /// The call that completes the claim of `unit_key` made with `token`.
    pub fn complete(&self, unit_key: &str, token: &str) -> Result<Call, Error> {
        let key = self.key(unit_key)?;
        validate_token(token)?;
        Ok(Call {
            script: COMPLETE_SCRIPT,
            keys: vec![key],
            args: vec![
                format!("{CLAIM_PREFIX}{token}"),
                self.retention_ms.to_string(),
            ],
            token: None,
        })
    }

    /// The call that releases the claim of `unit_key` made with `token`.
    pub fn release(&self, unit_key: &str, token: &str) -> Result<Call, Error> {
        let key = self.key(unit_key)?;
        validate_token(token)?;
        Ok(Call {
            script: RELEASE_SCRIPT,
            keys: vec![key],
            args: vec![format!("{CLAIM_PREFIX}{token}")],
            token: None,
        })
    }

    /// The [`Claim`] a claim script answered (`claimed`, `done` or `in_progress`, as a bulk
    /// string's bytes), for `call` (the claim's [`Call`]).
    pub fn parse_claim(&self, reply: &[u8], call: &Call) -> Result<Claim, Error> {
        match &call.token {
            Some(token) if call.script == CLAIM_SCRIPT => parse_claim_reply(reply, token),
            _ => Err(invalid(
                "call",
                format!(
                    "expected the claim script's call, got the {} script's",
                    call.script.name
                ),
            )),
        }
    }
}

/// [`Protocol::parse_claim`] for a claim made with `token`: the reply of the claim script.
pub fn parse_claim_reply(reply: &[u8], token: &str) -> Result<Claim, Error> {
    match reply {
        b"claimed" => Ok(Claim::Claimed {
            token: token.to_string(),
        }),
        b"done" => Ok(Claim::Done),
        b"in_progress" => Ok(Claim::InProgress),
        other => Err(invalid(
            "reply",
            format!(
                "expected the claim script's 'claimed', 'done' or 'in_progress', got {}",
                shown(other)
            ),
        )),
    }
}

/// The group of a unit key (up to its second `:`, or all of it) and the rest.
fn split_group(unit_key: &str) -> (&str, &str) {
    let end = unit_key
        .match_indices(':')
        .nth(1)
        .map_or(unit_key.len(), |(i, _)| i);
    unit_key.split_at(end)
}

/// The claims a claim-all script answered (one bulk string per key, as bytes), for a call of
/// `count` keys made with `token`.
pub fn parse_claim_all_reply<'r>(
    replies: impl IntoIterator<Item = &'r [u8]>,
    count: usize,
    token: &str,
) -> Result<Vec<Claim>, Error> {
    let claims = replies
        .into_iter()
        .map(|r| parse_claim_reply(r, token))
        .collect::<Result<Vec<_>, _>>()?;
    if claims.len() != count {
        return Err(invalid(
            "reply",
            format!(
                "expected one answer per key ({count}), got {}",
                claims.len()
            ),
        ));
    }
    Ok(claims)
}

/// The [`Claim`] one `SET … NX GET` of [`Protocol::claim_set`] answered: `None` (nil: the key
/// was absent, claimed now with `token`), `d` (done) or any other value (another claim: in
/// progress), as the claim scripts answer.
pub fn parse_claim_set_reply(reply: Option<&[u8]>, token: &str) -> Claim {
    match reply {
        None => Claim::Claimed {
            token: token.to_string(),
        },
        Some(v) if v == DONE_VALUE.as_bytes() => Claim::Done,
        Some(_) => Claim::InProgress,
    }
}

/// The claims the pipeline of [`Protocol::claim_set`] answered (one reply per command, in
/// order; nil as `None`), for `count` keys claimed with `token`.
pub fn parse_claim_set_replies<'r>(
    replies: impl IntoIterator<Item = Option<&'r [u8]>>,
    count: usize,
    token: &str,
) -> Result<Vec<Claim>, Error> {
    let claims: Vec<Claim> = replies
        .into_iter()
        .map(|r| parse_claim_set_reply(r, token))
        .collect();
    if claims.len() != count {
        return Err(invalid(
            "reply",
            format!(
                "expected one answer per key ({count}), got {}",
                claims.len()
            ),
        ));
    }
    Ok(claims)
}

/// Whether a server's error to a `SET … NX … GET` of [`Protocol::claim_set`] (its text, such
/// as `ERR syntax error`, or `syntax error` as redis-py shows it) says that the server predates Redis 7.0, which allows `NX` with
/// `GET`: the command changed nothing, and the claim goes through [`Protocol::claim_all`].
pub fn claim_set_unsupported(error: &str) -> bool {
    // redis-py drops the `ERR ` code from its messages; node-redis and redis-rs keep it.
    let rest = error.strip_prefix("ERR").unwrap_or(error);
    rest.trim_start().starts_with("syntax error")
}

/// What a settle script answered (one integer per key), for a call of `count` keys: whether
/// each completion or release changed its key.
pub fn parse_settle_reply(
    replies: impl IntoIterator<Item = i64>,
    count: usize,
) -> Result<Vec<bool>, Error> {
    let flags = replies
        .into_iter()
        .map(parse_flag_reply)
        .collect::<Result<Vec<_>, _>>()?;
    if flags.len() != count {
        return Err(invalid(
            "reply",
            format!("expected one answer per key ({count}), got {}", flags.len()),
        ));
    }
    Ok(flags)
}

/// Whether a complete or release script changed the key: its integer reply 1 or 0.
pub fn parse_flag_reply(reply: i64) -> Result<bool, Error> {
    match reply {
        1 => Ok(true),
        0 => Ok(false),
        other => Err(invalid(
            "reply",
            format!("expected the script's integer 1 or 0, got {other}"),
        )),
    }
}

/// An unexpected reply as shown in an error: quoted, at most 64 bytes, escaped.
fn shown(reply: &[u8]) -> String {
    let head = &reply[..reply.len().min(64)];
    let text: String = head.escape_ascii().to_string();
    if reply.len() > head.len() {
        format!("\"{text}\"… ({} bytes)", reply.len())
    } else {
        format!("\"{text}\"")
    }
}

/// A new claim token: 128 random bits from the operating system (`getrandom`), as 32
/// lowercase hexadecimal digits. It fails only when the operating system has no randomness
/// to give.
#[cfg(feature = "token")]
pub fn new_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(crate::api::claim_token_from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha1::{Digest, Sha1};

    #[test]
    fn script_hashes_match_their_sources() {
        for s in SCRIPTS {
            let digest = Sha1::digest(s.source.as_bytes());
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(s.sha1, hex, "the {} script's sha1", s.name);
        }
    }

    #[test]
    fn calls_and_replies() {
        let p = Protocol::new("ns", 1_000).expect("valid");
        let c = p.claim("hs:1:2", 50, "tok").expect("valid");
        assert_eq!(
            (c.keys.as_slice(), c.args.as_slice()),
            (
                &["ns:{hs:1}:2".to_string()][..],
                &["c:tok".to_string(), "50".to_string()][..]
            )
        );
        assert_eq!(
            p.parse_claim(b"claimed", &c).expect("claimed"),
            Claim::Claimed {
                token: "tok".into()
            }
        );
        assert_eq!(p.parse_claim(b"done", &c).expect("done"), Claim::Done);
        assert_eq!(
            p.parse_claim(b"in_progress", &c).expect("held"),
            Claim::InProgress
        );
        let e = p.parse_claim(b"OK", &c).expect_err("unexpected");
        assert!(e.to_string().contains("got \"OK\""), "{e}");
        let done = p.complete("hs:1:2", "tok").expect("valid");
        assert_eq!(done.args, ["c:tok", "1000"]);
        assert_eq!(
            serde_json::to_value(&c).expect("serializes"),
            serde_json::json!({"sha1": CLAIM_SCRIPT.sha1, "source": CLAIM_SCRIPT.source,
                "keys": ["ns:{hs:1}:2"], "args": ["c:tok", "50"], "token": "tok"})
        );
        assert_eq!(
            serde_json::to_value(&done).expect("serializes")["token"],
            serde_json::Value::Null
        );
        assert!(
            p.parse_claim(b"claimed", &done).is_err(),
            "a complete call has no token"
        );
        assert_eq!(p.release("k", "tok").expect("valid").args, ["c:tok"]);
        assert_eq!(parse_flag_reply(1).ok(), Some(true));
        assert_eq!(parse_flag_reply(0).ok(), Some(false));
        assert!(parse_flag_reply(2).is_err());
        assert!(
            !format!("{c:?}").contains("tok"),
            "the token stays out of Debug"
        );
    }

    #[test]
    fn a_notification_is_claimed_and_settled_in_one_call_each() {
        let p = Protocol::new("ns", 1_000).expect("valid");
        assert_eq!(p.key("hs:12345:7").expect("valid"), "ns:{hs:12345}:7");
        assert_eq!(p.key("k").expect("valid"), "ns:{k}");
        let all = p
            .claim_all(&["hs:3:1", "hs:3:2", "hs:3:@ab:2"], 50, "tok")
            .expect("one group");
        assert_eq!(all.script, CLAIM_ALL_SCRIPT);
        assert_eq!(all.keys, ["ns:{hs:3}:1", "ns:{hs:3}:2", "ns:{hs:3}:@ab:2"]);
        assert_eq!(all.args, ["c:tok", "50"]);
        let replies: [&[u8]; 3] = [b"claimed", b"done", b"in_progress"];
        assert_eq!(
            parse_claim_all_reply(replies, 3, "tok").expect("parses"),
            [
                Claim::Claimed {
                    token: "tok".into()
                },
                Claim::Done,
                Claim::InProgress
            ]
        );
        assert!(
            parse_claim_all_reply(replies, 2, "tok").is_err(),
            "one per key"
        );
        let s = p
            .settle(&[("hs:3:1", "tok")], &[("hs:3:2", "tok")])
            .expect("one group");
        assert_eq!(s.keys, ["ns:{hs:3}:1", "ns:{hs:3}:2"]);
        assert_eq!(s.args, ["1000", "1", "c:tok", "c:tok"]);
        assert_eq!(
            parse_settle_reply([1, 0], 2).expect("parses"),
            [true, false]
        );
        assert!(parse_settle_reply([1, 2], 2).is_err());
        // Another group is another slot on a cluster: refused, not sent.
        let e = p
            .claim_all(&["hs:3:1", "hs:4:1"], 50, "tok")
            .expect_err("two groups");
        assert!(e.to_string().contains("one group"), "{e}");
        assert!(p.claim_all(&[], 50, "tok").is_err());
        assert!(
            p.claim("a{b}", 50, "tok").is_err(),
            "braces would move the hash tag"
        );
    }

    #[test]
    fn a_notification_is_claimed_by_one_pipeline_of_set_nx_get() {
        let p = Protocol::new("ns", 1_000).expect("valid");
        let set = p
            .claim_set(&["hs:3:1", "hs:3:2"], 50, "tok")
            .expect("one group");
        assert_eq!(
            set.commands(),
            [
                ["SET", "ns:{hs:3}:1", "c:tok", "NX", "PX", "50", "GET"],
                ["SET", "ns:{hs:3}:2", "c:tok", "NX", "PX", "50", "GET"],
            ]
            .map(|c| c.map(String::from))
        );
        assert!(!format!("{set:?}").contains("tok"), "no token in Debug");
        let replies: [Option<&[u8]>; 3] = [None, Some(b"d"), Some(b"c:other")];
        assert_eq!(
            parse_claim_set_replies(replies, 3, "tok").expect("parses"),
            [
                Claim::Claimed {
                    token: "tok".into()
                },
                Claim::Done,
                Claim::InProgress
            ]
        );
        assert!(parse_claim_set_replies(replies, 2, "tok").is_err());
        assert!(p.claim_set(&["hs:3:1", "hs:4:1"], 50, "tok").is_err());
        assert!(p.claim_set(&[], 50, "tok").is_err());
        assert!(p.claim_set(&["k"], 0, "tok").is_err());
        assert!(p.claim_set(&["k"], 1, "a b").is_err());
        assert!(claim_set_unsupported("ERR syntax error"));
        assert!(claim_set_unsupported("syntax error"));
        assert!(!claim_set_unsupported("WRONGTYPE Operation against a key"));
        assert!(!claim_set_unsupported("ERR unknown command"));
    }

    #[test]
    fn bad_arguments_are_refused_precisely() {
        let field = |e: Error| match e {
            Error::InvalidArgument { field, reason } => format!("{field}: {reason}"),
            other => panic!("expected an invalid argument, got {other:?}"),
        };
        for (ns, want) in [
            ("", "namespace: expected 1 to"),
            ("a b", "got ' ' at byte 1"),
        ] {
            let e = Protocol::new(ns, 1).expect_err("refused");
            assert!(field(e).contains(want), "{ns:?}");
        }
        assert!(field(Protocol::new("ns", 0).expect_err("refused"))
            .starts_with("retention_ms: expected 1 to"));
        let p = Protocol::new(DEFAULT_NAMESPACE, 1).expect("valid");
        assert!(field(p.claim("k", 0, "t").expect_err("refused")).starts_with("lease_ms:"));
        assert!(field(p.claim("", 1, "t").expect_err("refused")).starts_with("key:"));
        assert!(field(p.claim("a\nb", 1, "t").expect_err("refused")).contains("control"));
        let secret = "sec ret";
        let e = field(p.complete("k", secret).expect_err("refused"));
        assert!(e.starts_with("token:") && !e.contains(secret), "{e}");
        assert!(field(p.release("k", "").expect_err("refused")).starts_with("token:"));
        let long = vec![b'x'; 100];
        assert!(field(parse_claim_reply(&long, "t").expect_err("bad")).contains("(100 bytes)"));
    }

    #[cfg(feature = "token")]
    #[test]
    fn tokens_are_128_random_bits() {
        let a = new_token().expect("randomness");
        let b = new_token().expect("randomness");
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        assert_ne!(a, b);
    }
}
