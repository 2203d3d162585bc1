//! The credential cache: access key id → what it resolved to (the identity with its parsed
//! policies, the sealed secret, the session token's hash and expiry) plus the signing keys
//! derived from it per (date, region), so a request costs a map lookup and two HMACs instead
//! of several catalog reads, an AES-GCM open and five HMACs. Unknown keys are cached too, so a
//! flood of bad keys does not reach the catalog.
//!
//! Invalidation: any IAM change made through this process's store handle empties the cache
//! before the next lookup (`IamStore::local_changes`, an in-memory counter); changes by other
//! processes are noticed within `VERSION_TTL` (the store's IAM version, read at most that
//! often). Decisions are never cached: `authorize` evaluates every time.

use crate::identity::ResolvedIdentity;
use crate::sigv4::SigningKey;
use extenddb_core::model::iam::SealedSecret;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long another process's IAM change may go unnoticed.
pub const VERSION_TTL: Duration = Duration::from_secs(2);
/// Most cached access keys; the cache starts over when it is full.
pub const MAX_ENTRIES: usize = 100_000;
/// Most signing keys kept per credential (dates × regions in use).
const MAX_SIGNING_KEYS: usize = 4;

/// How a credential's token is checked.
#[derive(Debug, Clone)]
pub enum TokenRule {
    /// A long-lived key: no session token may be sent.
    None,
    /// A session: the token's SHA-256 and the expiry (epoch seconds).
    Session {
        /// SHA-256 of the issued token.
        token_sha256: Vec<u8>,
        /// Expiry, seconds since the epoch.
        expires: i64,
    },
}

/// A resolved, usable credential.
#[derive(Debug)]
pub struct Credential {
    /// Who it is.
    pub identity: Arc<ResolvedIdentity>,
    /// The secret, sealed (opened only to derive a signing key).
    pub sealed: SealedSecret,
    /// The token rule.
    pub token: TokenRule,
    /// The identity's account id, ARN and user id as the `Principal` of each request holds
    /// them: made once, shared by every request of this credential.
    pub texts: PrincipalTexts,
    /// Derived signing keys per (date, region).
    keys: Mutex<Vec<ScopedKey>>,
}

/// A signing key with its scope; the region is shared with every `Principal` signed with it.
#[derive(Debug)]
struct ScopedKey {
    date: String,
    region: Arc<str>,
    key: SigningKey,
}

/// A caller's account id, ARN, user id and access key id, shared.
#[derive(Debug, Clone)]
pub struct PrincipalTexts {
    /// The account id.
    pub account_id: Arc<str>,
    /// The ARN.
    pub arn: Arc<str>,
    /// The user id.
    pub user_id: Arc<str>,
    /// The access key id the credential was looked up by.
    pub access_key_id: Arc<str>,
}

impl Credential {
    /// The credential of `access_key_id`, with no signing key derived yet.
    pub fn new(
        access_key_id: &str,
        identity: ResolvedIdentity,
        sealed: SealedSecret,
        token: TokenRule,
    ) -> Credential {
        let texts = PrincipalTexts {
            account_id: identity.account_id.as_str().into(),
            arn: identity.arn.as_str().into(),
            user_id: identity.user_id.as_str().into(),
            access_key_id: access_key_id.into(),
        };
        Credential {
            identity: Arc::new(identity),
            sealed,
            token,
            texts,
            keys: Mutex::new(Vec::new()),
        }
    }

    /// The signing key for (`date`, `region`), derived with `derive` on first use, and the
    /// region as one shared text (the same for every request signed with the key).
    pub fn signing_key<E>(
        &self,
        date: &str,
        region: &str,
        derive: impl FnOnce() -> Result<SigningKey, E>,
    ) -> Result<(SigningKey, Arc<str>), E> {
        if let Ok(keys) = self.keys.lock() {
            if let Some(k) = keys.iter().find(|k| k.date == date && &*k.region == region) {
                return Ok((k.key.clone(), k.region.clone()));
            }
        }
        let key = derive()?;
        let region: Arc<str> = region.into();
        if let Ok(mut keys) = self.keys.lock() {
            if keys.len() >= MAX_SIGNING_KEYS {
                keys.remove(0);
            }
            keys.push(ScopedKey {
                date: date.to_string(),
                region: region.clone(),
                key: key.clone(),
            });
        }
        Ok((key, region))
    }
}

/// A cache entry: a credential, or the knowledge that the key id is unknown.
pub type Entry = Option<Arc<Credential>>;

/// The cache.
#[derive(Debug, Default)]
pub struct CredentialCache {
    entries: RwLock<HashMap<String, Entry>>,
    /// `local_changes` of the store when the cache was last emptied.
    local_seen: AtomicU64,
    /// (IAM version seen, when it was read).
    version: Mutex<Option<(u64, SystemTime)>>,
    /// When the version is next due, in nanoseconds since the epoch (0: at once), kept with
    /// `version`: every request reads it without taking the lock.
    next_due: AtomicU64,
}

/// `t` in nanoseconds since the epoch (0 before it, `u64::MAX` past what fits).
fn nanos(t: SystemTime) -> u64 {
    t.duration_since(UNIX_EPOCH).map_or(0, nanos_of)
}

fn nanos_of(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl CredentialCache {
    /// Empties the cache if this process changed IAM since it was filled.
    pub fn check_local(&self, local_changes: u64) {
        // Read first: a write on every request would bounce the line between cores.
        if self.local_seen.load(Ordering::Acquire) != local_changes
            && self.local_seen.swap(local_changes, Ordering::AcqRel) != local_changes
        {
            self.clear();
        }
    }

    /// Whether the IAM version is due to be read again at `now`; claims the check so that
    /// concurrent requests do not all read it.
    pub fn version_due(&self, now: SystemTime) -> bool {
        // Not due before `next_due` (the read time plus the TTL): most requests stop here.
        if nanos(now) < self.next_due.load(Ordering::Acquire) {
            return false;
        }
        let Ok(mut v) = self.version.lock() else {
            return true;
        };
        match *v {
            Some((_, at)) if now.duration_since(at).map_or(true, |d| d < VERSION_TTL) => false,
            Some((seen, _)) => {
                self.set_version(&mut v, seen, now);
                true
            }
            None => {
                self.set_version(&mut v, u64::MAX, now);
                true
            }
        }
    }

    /// Sets the version seen and when, and when it is next due.
    fn set_version(&self, v: &mut Option<(u64, SystemTime)>, version: u64, at: SystemTime) {
        *v = Some((version, at));
        self.next_due.store(
            nanos(at).saturating_add(nanos_of(VERSION_TTL)),
            Ordering::Release,
        );
    }

    /// Records the IAM version read at `now`; empties the cache when it moved.
    pub fn note_version(&self, version: u64, now: SystemTime) {
        let moved = match self.version.lock() {
            Ok(mut v) => {
                let moved = v.is_some_and(|(seen, _)| seen != version);
                self.set_version(&mut v, version, now);
                moved
            }
            Err(_) => true,
        };
        if moved {
            self.clear();
        }
    }

    /// The cached entry for `id`, if any (`Some(None)`: known to be unknown).
    pub fn get(&self, id: &str) -> Option<Entry> {
        self.entries.read().ok()?.get(id).cloned()
    }

    /// Caches `entry` for `id`.
    pub fn put(&self, id: &str, entry: Entry) {
        if let Ok(mut m) = self.entries.write() {
            if m.len() >= MAX_ENTRIES {
                m.clear();
            }
            m.insert(id.to_string(), entry);
        }
    }

    /// Forgets everything.
    pub fn clear(&self) {
        if let Ok(mut m) = self.entries.write() {
            m.clear();
        }
    }

    /// How many key ids are cached.
    pub fn len(&self) -> usize {
        self.entries.read().map(|m| m.len()).unwrap_or(0)
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        None
    }

    #[test]
    fn local_changes_empty_the_cache_at_once() {
        let c = CredentialCache::default();
        c.check_local(0);
        c.put("AKIA1", entry());
        c.check_local(0);
        assert_eq!(c.len(), 1);
        c.check_local(1);
        assert!(c.is_empty());
    }

    #[test]
    fn the_version_is_read_at_most_every_ttl_and_a_move_empties_the_cache() {
        let c = CredentialCache::default();
        let t0 = UNIX_EPOCH + Duration::from_secs(1_000);
        assert!(c.version_due(t0), "first use reads the version");
        c.note_version(7, t0);
        c.put("AKIA1", entry());
        assert!(!c.version_due(t0 + Duration::from_secs(1)));
        assert!(c.version_due(t0 + VERSION_TTL), "due after the TTL");
        assert!(
            !c.version_due(t0 + VERSION_TTL),
            "claimed by the first asker"
        );
        c.note_version(7, t0 + VERSION_TTL);
        assert_eq!(c.len(), 1, "same version: kept");
        assert!(c.version_due(t0 + 2 * VERSION_TTL));
        c.note_version(8, t0 + 2 * VERSION_TTL);
        assert!(c.is_empty(), "another process changed IAM");
    }

    #[test]
    fn signing_keys_are_derived_once_per_date_and_region() {
        let id = crate::identity::ResolvedIdentity {
            kind: crate::identity::PrincipalKind::User,
            account_id: "1".into(),
            arn: "a".into(),
            principal_arn: "a".into(),
            user_id: "u".into(),
            user_name: None,
            tags: vec![],
            policies: Default::default(),
            session_issued: None,
        };
        let cred = Credential::new(
            "AKIA1",
            id,
            SealedSecret {
                nonce: vec![],
                ciphertext: vec![],
            },
            TokenRule::None,
        );
        let mut derived = 0;
        let mut regions = Vec::new();
        for (d, r) in [
            ("20260101", "us-east-1"),
            ("20260101", "us-east-1"),
            ("20260102", "us-east-1"),
            ("20260102", "eu-west-1"),
        ] {
            let (key, region) = cred
                .signing_key(d, r, || {
                    derived += 1;
                    Ok::<_, ()>(SigningKey::derive(b"s", d, r, "dynamodb"))
                })
                .unwrap();
            assert_eq!(
                key.sign(b"x"),
                SigningKey::derive(b"s", d, r, "dynamodb").sign(b"x"),
                "the key of ({d}, {r})"
            );
            assert_eq!(&*region, r);
            regions.push(region);
        }
        assert_eq!(derived, 3);
        assert!(
            Arc::ptr_eq(&regions[0], &regions[1]),
            "a cached key hands out its region, not a copy"
        );
        assert_eq!(&*cred.texts.access_key_id, "AKIA1");
    }
}
