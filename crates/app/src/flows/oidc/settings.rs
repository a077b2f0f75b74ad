//! The OpenID provider's lifetimes and schedules (`[oidc]`), and the operator credential of
//! its back-office client page.

/// The operator credential of the back-office client page (HTTP Basic, user `operator`).
#[derive(Clone, PartialEq, Eq)]
pub struct OperatorToken(pub String);

impl std::fmt::Debug for OperatorToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("OperatorToken(<redacted>)")
    }
}

/// Lifetimes and schedules of the provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OidcSettings {
    /// Access token lifetime in seconds (default 5 minutes).
    pub access_token_ttl: i64,
    /// ID token lifetime in seconds (default 10 minutes).
    pub id_token_ttl: i64,
    /// A refresh-token family's absolute lifetime in seconds (default 30 days).
    pub refresh_ttl: i64,
    /// Authorization code lifetime in seconds (60).
    pub code_ttl: i64,
    /// How long a request may wait for sign-in or consent (30 minutes).
    pub request_ttl: i64,
    /// Rotate signing keys older than this many days (0 = only by command). Default 90.
    pub key_rotation_days: i64,
    /// Opens the back-office client page to whoever presents it; `None` = page closed.
    pub operator_token: Option<OperatorToken>,
}

impl Default for OidcSettings {
    fn default() -> Self {
        Self {
            access_token_ttl: 300,
            id_token_ttl: 600,
            refresh_ttl: 30 * 86_400,
            code_ttl: 60,
            request_ttl: 1800,
            key_rotation_days: 90,
            operator_token: None,
        }
    }
}

impl OidcSettings {
    /// How long a retired key stays published: past the longest-lived token it signed.
    pub fn retired_key_keep(&self) -> i64 {
        self.access_token_ttl.max(self.id_token_ttl) + 3600
    }
}
