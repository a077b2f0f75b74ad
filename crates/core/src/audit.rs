//! Kinds and outcomes of security events written to the audit log, with stable names.

use serde::{Deserialize, Serialize};

macro_rules! audit_kinds {
    ($($(#[$doc:meta])* $variant:ident => $name:literal,)*) => {
        /// A security event recorded in the audit log.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum AuditKind {
            $($(#[$doc])* $variant,)*
        }

        impl AuditKind {
            /// Every kind, in declaration order.
            pub const ALL: &[AuditKind] = &[$(AuditKind::$variant,)*];

            /// Stable snake_case name stored in the log.
            pub fn as_str(self) -> &'static str {
                match self {
                    $(AuditKind::$variant => $name,)*
                }
            }

            /// Parses a stable name.
            pub fn parse(s: &str) -> Option<AuditKind> {
                match s {
                    $($name => Some(AuditKind::$variant),)*
                    _ => None,
                }
            }
        }
    };
}

audit_kinds! {
    /// A member account was created.
    AccountRegistered => "account_registered",
    /// A verification link was emailed.
    EmailVerificationSent => "email_verification_sent",
    /// The email address was confirmed.
    EmailVerified => "email_verified",
    /// A session of an account whose email address is not verified was refused a function
    /// that needs a verified address (the detail names what was tried).
    EmailUnverifiedRefused => "email_unverified_refused",
    /// A mobile verification code was sent.
    MobileVerificationSent => "mobile_verification_sent",
    /// A wrong mobile verification or reset code was entered.
    MobileCodeFailed => "mobile_code_failed",
    /// The mobile number was confirmed.
    MobileVerified => "mobile_verified",
    /// Sign-in succeeded.
    LoginSucceeded => "login_succeeded",
    /// Sign-in failed.
    LoginFailed => "login_failed",
    /// A CAPTCHA became required for the account's next sign-in.
    CaptchaDemanded => "captcha_demanded",
    /// The account was disabled after too many failures.
    AccountLocked => "account_locked",
    /// The account was re-enabled (by a password reset).
    AccountUnlocked => "account_unlocked",
    /// The member signed out.
    Logout => "logout",
    /// A session ended by idle or absolute timeout.
    SessionExpired => "session_expired",
    /// A password reset was asked for.
    PasswordResetRequested => "password_reset_requested",
    /// A password reset token or code was refused.
    PasswordResetFailed => "password_reset_failed",
    /// A password reset set a new password.
    PasswordResetCompleted => "password_reset_completed",
    /// The member changed the password.
    PasswordChanged => "password_changed",
    /// The stored hash was upgraded to the current parameters at sign-in.
    PasswordRehashed => "password_rehashed",
    /// Profile fields changed.
    ProfileChanged => "profile_changed",
    /// The email address changed (and must be verified again).
    EmailChanged => "email_changed",
    /// The recovery mobile changed.
    MobileChanged => "mobile_changed",
    /// The member deleted the account.
    AccountDeleted => "account_deleted",
    /// The inactivity warning was sent.
    InactiveWarned => "inactive_warned",
    /// The account was deleted for inactivity.
    InactiveDeleted => "inactive_deleted",
    /// A certificate challenge was issued.
    CertChallengeIssued => "cert_challenge_issued",
    /// A certificate signature or the certificate itself was refused.
    CertVerificationFailed => "cert_verification_failed",
    /// An account was registered with a citizen certificate.
    CertRegistered => "cert_registered",
    /// Sign-in with a bound certificate succeeded.
    CertLoginSucceeded => "cert_login_succeeded",
    /// Sign-in with a certificate was refused after verification.
    CertLoginFailed => "cert_login_failed",
    /// A verified but unbound certificate was offered the accounts of its national ID.
    CertBindingRequired => "cert_binding_required",
    /// A certificate was bound to an account.
    CertBound => "cert_bound",
    /// A renewed certificate replaced the bound one.
    CertReplaced => "cert_replaced",
    /// A certificate was unbound from an account.
    CertUnbound => "cert_unbound",
    /// The holder of a certificate reported an account of their ID as not theirs.
    CertNotMineReported => "cert_not_mine_reported",
    // Upstream identity brokering.
    /// A sign-in at an upstream OpenID provider was started (or could not be).
    UpstreamStarted => "upstream_started",
    /// An upstream's answer was refused (state, provider error, `iss`, token, userinfo).
    UpstreamRefused => "upstream_refused",
    /// A linked external identity signed in.
    UpstreamLoginSucceeded => "upstream_login_succeeded",
    /// A linked external identity was refused sign-in (account locked).
    UpstreamLoginFailed => "upstream_login_failed",
    /// A verified external identity has no account yet: binding or registration offered.
    UpstreamBindingRequired => "upstream_binding_required",
    /// An external identity was linked to an account.
    UpstreamLinked => "upstream_linked",
    /// Linking an external identity was refused.
    UpstreamLinkRefused => "upstream_link_refused",
    /// The owner removed a link (管理外部帳號).
    UpstreamUnlinked => "upstream_unlinked",
    // ── Organizations ──
    /// Organizations were imported into the registry (`tessera admin orgs import`).
    OrgRegistryImported => "org_registry_imported",
    /// A registry entry was created or edited in the back office.
    OrgRegistryEdited => "org_registry_edited",
    /// A registration, replacement or assignment flow started (terms shown).
    OrgFlowStarted => "org_flow_started",
    /// A flow was cancelled (取消 / 退出).
    OrgFlowCancelled => "org_flow_cancelled",
    /// The terms of use were agreed or declined.
    OrgTermsAnswered => "org_terms_answered",
    /// An organization card was checked in a flow (accepted or refused).
    OrgCardChecked => "org_card_checked",
    /// An organization card did not match the registry: a review is needed.
    OrgCardMismatch => "org_card_mismatch",
    /// A review case was filed with the applicant's contact details.
    OrgReviewRequested => "org_review_requested",
    /// A reviewer approved or rejected a case.
    OrgReviewDecided => "org_review_decided",
    /// The manager's citizen card was checked in a flow (accepted or refused).
    OrgManagerChecked => "org_manager_checked",
    /// An organization completed its first registration.
    OrgRegistered => "org_registered",
    /// The organization certificate was replaced.
    OrgCertReplaced => "org_cert_replaced",
    /// The manager's certificate (and possibly the manager) was replaced.
    OrgManagerReplaced => "org_manager_replaced",
    /// An authorization assignment session was opened or closed.
    OrgAssignmentOpened => "org_assignment_opened",
    OrgAssignmentClosed => "org_assignment_closed",
    /// A handler was added, modified or deleted.
    OrgHandlerAdded => "org_handler_added",
    OrgHandlerUpdated => "org_handler_updated",
    OrgHandlerDeleted => "org_handler_deleted",
    /// A handler signed in with the citizen card (or was refused).
    OrgHandlerLogin => "org_handler_login",
    /// A handler chose the organization to act for.
    OrgActingChosen => "org_acting_chosen",
    /// A handler signed out.
    OrgHandlerLogout => "org_handler_logout",
    /// An organization-scoped request was refused by the permission guard.
    OrgAccessDenied => "org_access_denied",
    /// A handler entered a function (redirected to its downstream service).
    OrgFunctionEntered => "org_function_entered",
    /// An organization query ran (receipts, authorized list, certificate lookups).
    OrgQueried => "org_queried",
    /// Back-office staff accounts: created, roles changed, removed, password reset.
    StaffCreated => "staff_created",
    StaffRolesChanged => "staff_roles_changed",
    StaffRemoved => "staff_removed",
    StaffPasswordReset => "staff_password_reset",
    // OpenID Connect provider.
    /// An authorization code was issued to a client.
    OidcCodeIssued => "oidc_code_issued",
    /// Tokens were issued for a code or a refresh token.
    OidcTokenIssued => "oidc_token_issued",
    /// A used authorization code came back: what it issued was revoked.
    OidcCodeReused => "oidc_code_reused",
    /// A rotated refresh token came back: its whole family was revoked.
    OidcRefreshReused => "oidc_refresh_reused",
    /// A token (and its grant) was revoked.
    OidcTokenRevoked => "oidc_token_revoked",
    /// A client failed to authenticate at the token, revocation or introspection endpoint.
    OidcClientAuthFailed => "oidc_client_auth_failed",
    /// A private_key_jwt client assertion was replayed.
    OidcAssertionReplayed => "oidc_assertion_replayed",
    /// The member consented to a client's scopes.
    OidcConsentGranted => "oidc_consent_granted",
    /// The member withdrew a client's consent (its grants were revoked).
    OidcConsentWithdrawn => "oidc_consent_withdrawn",
    /// A relying party signed the member out (RP-initiated logout).
    OidcLogout => "oidc_logout",
    /// An operator registered a client.
    OidcClientAdded => "oidc_client_added",
    /// An operator removed a client.
    OidcClientRemoved => "oidc_client_removed",
    /// A new signing key replaced the active one.
    OidcKeyRotated => "oidc_key_rotated",
    /// A request was refused before any handler ran because it carried text the database
    /// cannot store (a NUL character); the detail names the method, path and part.
    InputRefused => "input_refused",
    /// An email could not be delivered for a day and was given up.
    MailFailed => "mail_failed",
    /// An application case was started (a draft).
    CaseCreated => "case_created",
    /// An application case moved: sent, returned, corrected, decided, changed, cancelled.
    CaseTransition => "case_transition",
    /// A move, an edit or a filing of an application case was refused.
    CaseRefused => "case_refused",
    /// An attachment was added to or removed from an application case.
    CaseAttachment => "case_attachment",
}

/// Whether the recorded action succeeded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AuditOutcome {
    /// It worked.
    Success,
    /// It was refused or failed.
    Failure,
}

impl AuditOutcome {
    /// "success" or "failure".
    pub fn as_str(self) -> &'static str {
        match self {
            AuditOutcome::Success => "success",
            AuditOutcome::Failure => "failure",
        }
    }
}

impl std::fmt::Display for AuditKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_stable_unique_and_round_trip() {
        assert_eq!(AuditKind::LoginFailed.as_str(), "login_failed");
        assert_eq!(AuditKind::InactiveDeleted.as_str(), "inactive_deleted");
        let mut names: Vec<&str> = AuditKind::ALL.iter().map(|k| k.as_str()).collect();
        for k in AuditKind::ALL {
            assert_eq!(AuditKind::parse(k.as_str()), Some(*k));
            assert_eq!(serde_json::to_string(k).unwrap(), format!("\"{k}\""));
        }
        names.sort();
        names.dedup();
        assert_eq!(names.len(), AuditKind::ALL.len());
        assert_eq!(AuditOutcome::Failure.as_str(), "failure");
    }
}
