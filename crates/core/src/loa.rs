//! Levels of assurance of a sign-in, ordered from weakest to strongest: a certificate sign-in
//! is like showing an ID card at the counter (seed 004 二 Q2).

use serde::{Deserialize, Serialize};

/// How strongly the current session's holder was authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Loa {
    /// Username and password.
    Password,
    /// Password plus a one-time code.
    Otp,
    /// NHI card with its network password.
    NhiCard,
    /// Citizen (or other) certificate on a smart card.
    Certificate,
}

/// A string that is not a level of assurance.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown level of assurance: {0:?}")]
pub struct UnknownLoa(pub String);

impl Loa {
    /// Every level, weakest first.
    pub const ALL: [Loa; 4] = [Loa::Password, Loa::Otp, Loa::NhiCard, Loa::Certificate];

    /// Stable name: "password", "otp", "nhi-card", "certificate".
    pub fn as_str(self) -> &'static str {
        match self {
            Loa::Password => "password",
            Loa::Otp => "otp",
            Loa::NhiCard => "nhi-card",
            Loa::Certificate => "certificate",
        }
    }

    /// Parses a stable name.
    pub fn parse(s: &str) -> Result<Loa, UnknownLoa> {
        Loa::ALL
            .into_iter()
            .find(|l| l.as_str() == s)
            .ok_or_else(|| UnknownLoa(s.to_owned()))
    }
}

impl std::fmt::Display for Loa {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Loa {
    type Err = UnknownLoa;
    fn from_str(s: &str) -> Result<Loa, UnknownLoa> {
        Loa::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ordered_and_round_trips() {
        assert!(Loa::Password < Loa::Otp && Loa::Otp < Loa::NhiCard);
        assert!(Loa::NhiCard < Loa::Certificate);
        for l in Loa::ALL {
            assert_eq!(Loa::parse(l.as_str()), Ok(l));
            assert_eq!(serde_json::to_string(&l).unwrap(), format!("\"{l}\""));
        }
        assert!(Loa::parse("Password").is_err());
        assert!(Loa::parse("").is_err());
    }
}
