//! Generated identifiers and secrets, in the forms the user guide promises: long-lived keys
//! `AKIAEXTENDDB` + 8 characters, session keys `ASIAEXTENDDB` + 8, secrets `extenddb` + 32,
//! and IAM's unique ids (`AIDA…` users, `AGPA…` groups, `AROA…` roles: 4 + 17 characters).

use crate::secrets::Secret;
use rand::distributions::{Alphanumeric, DistString};
use rand::Rng;

/// Characters of access key ids and unique ids: upper-case letters and digits.
const UPPER_ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn upper(len: usize) -> String {
    let mut rng = rand::rngs::OsRng;
    (0..len)
        .map(|_| char::from(UPPER_ALNUM[rng.gen_range(0..UPPER_ALNUM.len())]))
        .collect()
}

/// A long-lived access key id: `AKIAEXTENDDB` + 8 characters (20 in all).
pub fn new_access_key_id() -> String {
    format!("AKIAEXTENDDB{}", upper(8))
}

/// A session access key id: `ASIAEXTENDDB` + 8 characters (20 in all).
pub fn new_session_key_id() -> String {
    format!("ASIAEXTENDDB{}", upper(8))
}

/// A secret access key: `extenddb` + 32 letters and digits (40 in all).
pub fn new_secret_access_key() -> Secret {
    Secret::new(format!(
        "extenddb{}",
        Alphanumeric.sample_string(&mut rand::rngs::OsRng, 32)
    ))
}

/// A session token: 64 random letters and digits (only its SHA-256 is stored).
pub fn new_session_token() -> Secret {
    Secret::new(Alphanumeric.sample_string(&mut rand::rngs::OsRng, 64))
}

/// A user's unique id (`AIDA` + 17).
pub fn new_user_id() -> String {
    format!("AIDA{}", upper(17))
}

/// A group's unique id (`AGPA` + 17).
pub fn new_group_id() -> String {
    format!("AGPA{}", upper(17))
}

/// A role's unique id (`AROA` + 17).
pub fn new_role_id() -> String {
    format!("AROA{}", upper(17))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn forms_match_the_guide() {
        let k = new_access_key_id();
        assert_eq!(k.len(), 20);
        assert!(k.starts_with("AKIAEXTENDDB"));
        assert!(extenddb_core::model::iam::validate_access_key_id(&k).is_ok());
        let s = new_session_key_id();
        assert!(s.starts_with("ASIAEXTENDDB") && s.len() == 20);
        let secret = new_secret_access_key();
        let text = secret.expose_str().unwrap();
        assert!(text.starts_with("extenddb") && text.len() == 40);
        assert_ne!(new_secret_access_key(), secret);
        assert_eq!(new_session_token().expose().len(), 64);
        for (id, p) in [
            (new_user_id(), "AIDA"),
            (new_group_id(), "AGPA"),
            (new_role_id(), "AROA"),
        ] {
            assert_eq!(id.len(), 21);
            assert!(id.starts_with(p));
            assert!(id.bytes().all(|b| UPPER_ALNUM.contains(&b)));
        }
    }
}
