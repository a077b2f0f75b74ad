//! The canonical encoding and hash of audit entries (`tessera-audit-v1`).
//!
//! hash = SHA-256("tessera-audit-v1\0" || prev_hash || seq || at || kind || account_id ||
//! username || ip || user_agent || outcome || detail), where integers are 8-byte big-endian,
//! a present text is 0x01, its byte length (8-byte big-endian) and its UTF-8 bytes, and an
//! absent text is 0x00. The length prefixes make the encoding unambiguous.

use sha2::{Digest, Sha256};

use crate::audit_model::NewAuditEvent;

/// The `prev_hash` of the first entry.
pub(crate) const GENESIS_HASH: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

fn text(hasher: &mut Sha256, value: Option<&str>) {
    match value {
        Some(value) => {
            hasher.update([1]);
            hasher.update((value.len() as u64).to_be_bytes());
            hasher.update(value.as_bytes());
        }
        None => hasher.update([0]),
    }
}

/// The hex hash of entry `seq` holding `event`, chained to `prev_hash`.
pub(crate) fn entry_hash(prev_hash: &str, seq: i64, event: &NewAuditEvent) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"tessera-audit-v1\0");
    text(&mut hasher, Some(prev_hash));
    hasher.update(seq.to_be_bytes());
    hasher.update(event.at.to_be_bytes());
    text(&mut hasher, Some(&event.kind));
    text(&mut hasher, event.account_id.as_deref());
    text(&mut hasher, event.username.as_deref());
    text(&mut hasher, event.ip.as_deref());
    text(&mut hasher, event.user_agent.as_deref());
    text(&mut hasher, Some(&event.outcome));
    text(&mut hasher, event.detail.as_deref());
    hex::encode(hasher.finalize())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event() -> NewAuditEvent {
        NewAuditEvent {
            at: 1,
            kind: "login".into(),
            account_id: None,
            username: Some("ab".into()),
            ip: None,
            user_agent: None,
            outcome: "ok".into(),
            detail: None,
        }
    }

    #[test]
    fn every_field_and_the_chain_change_the_hash() {
        let base = entry_hash(GENESIS_HASH, 1, &event());
        assert_eq!(base.len(), 64);
        assert_eq!(base, entry_hash(GENESIS_HASH, 1, &event()));
        assert_ne!(base, entry_hash(&base, 1, &event()));
        assert_ne!(base, entry_hash(GENESIS_HASH, 2, &event()));
        let variants = [
            NewAuditEvent { at: 2, ..event() },
            NewAuditEvent {
                kind: "logout".into(),
                ..event()
            },
            NewAuditEvent {
                account_id: Some(String::new()),
                ..event()
            },
            NewAuditEvent {
                username: None,
                ..event()
            },
            NewAuditEvent {
                ip: Some("::1".into()),
                ..event()
            },
            NewAuditEvent {
                user_agent: Some("x".into()),
                ..event()
            },
            NewAuditEvent {
                outcome: "failed".into(),
                ..event()
            },
            NewAuditEvent {
                detail: Some("{}".into()),
                ..event()
            },
        ];
        for variant in variants {
            assert_ne!(base, entry_hash(GENESIS_HASH, 1, &variant), "{variant:?}");
        }
    }

    #[test]
    fn field_boundaries_are_unambiguous() {
        let a = NewAuditEvent {
            username: Some("ab".into()),
            ip: Some("c".into()),
            ..event()
        };
        let b = NewAuditEvent {
            username: Some("a".into()),
            ip: Some("bc".into()),
            ..event()
        };
        assert_ne!(
            entry_hash(GENESIS_HASH, 1, &a),
            entry_hash(GENESIS_HASH, 1, &b)
        );
    }
}
