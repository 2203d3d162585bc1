//! Console sessions: in memory, per process (several servers behind one address need sticky
//! sessions; see docs/console.md). A session is a random 256-bit id (the cookie) with the login
//! it authenticated, a random 256-bit CSRF token the page sends back in `X-CSRF-Token` on every
//! state-changing request, and the time it was last used: unused for the idle limit (8 hours
//! by default, `console.session_idle_seconds`) it is gone. Logout removes it at once.

use http::HeaderMap;
use ring::rand::{SecureRandom, SystemRandom};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, SystemTime};
use subtle::ConstantTimeEq;

/// The session cookie's name.
pub const COOKIE: &str = "extenddb_console";
/// The header carrying the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions kept at most (the least recently used go first).
const MAX_SESSIONS: usize = 10_000;

/// One signed-in console user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// The login: an admin name or `account_id/user_name`.
    pub login: String,
    /// The CSRF token of the session.
    pub csrf: String,
    /// Last use.
    pub last_seen: SystemTime,
}

/// The sessions of one server.
#[derive(Debug)]
pub struct Sessions {
    idle: Duration,
    map: Mutex<HashMap<String, Session>>,
}

/// 32 random bytes, hex.
fn token() -> Option<String> {
    let mut bytes = [0u8; 32];
    SystemRandom::new().fill(&mut bytes).ok()?;
    Some(bytes.iter().map(|b| format!("{b:02x}")).collect())
}

impl Sessions {
    /// An empty store whose sessions end after `idle` unused.
    pub fn new(idle: Duration) -> Sessions {
        Sessions {
            idle,
            map: Mutex::new(HashMap::new()),
        }
    }

    /// Opens a session for `login` at `now`: its id and CSRF token (`None` when the system's
    /// random source fails).
    pub fn open(&self, login: &str, now: SystemTime) -> Option<(String, Session)> {
        let id = token()?;
        let session = Session {
            login: login.to_string(),
            csrf: token()?,
            last_seen: now,
        };
        let mut map = self.map.lock().ok()?;
        if map.len() >= MAX_SESSIONS {
            let idle = self.idle;
            map.retain(|_, s| fresh(s, now, idle));
            if map.len() >= MAX_SESSIONS {
                if let Some(oldest) = map
                    .iter()
                    .min_by_key(|(_, s)| s.last_seen)
                    .map(|(k, _)| k.clone())
                {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(id.clone(), session.clone());
        Some((id, session))
    }

    /// The live session `id` at `now`, touched (its idle time starts again); an expired one
    /// is removed.
    pub fn touch(&self, id: &str, now: SystemTime) -> Option<Session> {
        let mut map = self.map.lock().ok()?;
        let s = map.get_mut(id)?;
        if !fresh(s, now, self.idle) {
            map.remove(id);
            return None;
        }
        s.last_seen = now;
        Some(s.clone())
    }

    /// Ends session `id`.
    pub fn close(&self, id: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.remove(id);
        }
    }

    /// Ends every session of `login` (when it is deleted, say).
    pub fn close_login(&self, login: &str) {
        if let Ok(mut map) = self.map.lock() {
            map.retain(|_, s| s.login != login);
        }
    }
}

fn fresh(s: &Session, now: SystemTime, idle: Duration) -> bool {
    now.duration_since(s.last_seen)
        .map_or(true, |age| age < idle)
}

/// The session id in the request's cookies.
pub fn cookie_id(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(http::header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == COOKIE)
        .map(|(_, value)| value)
}

/// The `Set-Cookie` value that hands out session `id`: HttpOnly, SameSite=Strict, scoped to
/// `/console`, `Secure` when the connection is TLS. No Max-Age: the server ends it.
pub fn set_cookie(id: &str, tls: bool) -> String {
    let secure = if tls { "; Secure" } else { "" };
    format!("{COOKIE}={id}; Path=/console; HttpOnly; SameSite=Strict{secure}")
}

/// The `Set-Cookie` value that removes the session cookie.
pub fn clear_cookie(tls: bool) -> String {
    let secure = if tls { "; Secure" } else { "" };
    format!("{COOKIE}=; Path=/console; HttpOnly; SameSite=Strict; Max-Age=0{secure}")
}

/// Whether the request carries `session`'s CSRF token (compared in constant time).
pub fn csrf_ok(headers: &HeaderMap, session: &Session) -> bool {
    headers
        .get(CSRF_HEADER)
        .is_some_and(|v| bool::from(v.as_bytes().ct_eq(session.csrf.as_bytes())))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::DEFAULT_CONSOLE_SESSION_IDLE as DEFAULT_IDLE;
    use std::time::UNIX_EPOCH;

    fn t(secs: u64) -> SystemTime {
        UNIX_EPOCH + Duration::from_secs(secs)
    }

    #[test]
    fn sessions_expire_after_the_idle_time_and_use_renews_them() {
        let s = Sessions::new(Duration::from_secs(100));
        let (id, opened) = s.open("admin", t(1_000)).unwrap();
        assert_eq!(id.len(), 64, "256 bits in hex");
        assert_eq!(opened.csrf.len(), 64);
        assert_ne!(id, opened.csrf);
        assert_eq!(s.touch(&id, t(1_099)).unwrap().login, "admin");
        assert!(s.touch(&id, t(1_198)).is_some(), "renewed at 1099");
        assert!(s.touch(&id, t(1_298)).is_none(), "100 s unused");
        assert!(s.touch(&id, t(1_299)).is_none(), "removed");
        assert!(s.touch("nope", t(1_000)).is_none());
    }

    #[test]
    fn logout_ends_a_session_at_once_and_ids_differ() {
        let s = Sessions::new(DEFAULT_IDLE);
        let (a, _) = s.open("admin", t(0)).unwrap();
        let (b, _) = s.open("111122223333/alice", t(0)).unwrap();
        assert_ne!(a, b);
        s.close(&a);
        assert!(s.touch(&a, t(1)).is_none());
        assert!(s.touch(&b, t(1)).is_some());
        s.close_login("111122223333/alice");
        assert!(s.touch(&b, t(1)).is_none());
    }

    #[test]
    fn cookies_are_http_only_strict_scoped_and_secure_under_tls() {
        let plain = set_cookie("abc", false);
        assert_eq!(
            plain,
            "extenddb_console=abc; Path=/console; HttpOnly; SameSite=Strict"
        );
        assert!(set_cookie("abc", true).ends_with("; Secure"));
        assert!(clear_cookie(true).contains("Max-Age=0"));
        let mut h = HeaderMap::new();
        h.insert(
            http::header::COOKIE,
            "other=1; extenddb_console=abc; x=y".parse().unwrap(),
        );
        assert_eq!(cookie_id(&h), Some("abc"));
        assert_eq!(cookie_id(&HeaderMap::new()), None);
    }

    #[test]
    fn the_csrf_token_must_match_exactly() {
        let s = Sessions::new(DEFAULT_IDLE);
        let (_, session) = s.open("admin", t(0)).unwrap();
        let mut h = HeaderMap::new();
        assert!(!csrf_ok(&h, &session), "missing");
        h.insert(CSRF_HEADER, "wrong".parse().unwrap());
        assert!(!csrf_ok(&h, &session), "wrong");
        let mut almost = session.csrf.clone();
        almost.pop();
        h.insert(CSRF_HEADER, almost.parse().unwrap());
        assert!(!csrf_ok(&h, &session), "a prefix");
        h.insert(CSRF_HEADER, session.csrf.parse().unwrap());
        assert!(csrf_ok(&h, &session));
    }
}
