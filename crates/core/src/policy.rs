//! Default time limits of the account life: sessions, password expiry, inactive-account
//! deletion and the lifetimes of single-use tokens, codes and CAPTCHA challenges.

use std::time::Duration;

const MINUTE: u64 = 60;
const HOUR: u64 = 60 * MINUTE;
const DAY: u64 = 24 * HOUR;

/// A session ends after this long without a request.
pub const SESSION_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * MINUTE);
/// A session ends this long after sign-in, however active.
pub const SESSION_ABSOLUTE_TIMEOUT: Duration = Duration::from_secs(12 * HOUR);

/// Passwords expire after this many days by default (seed 004 四 Q2: two years); 0 = never.
pub const PASSWORD_MAX_AGE_DAYS: u32 = 730;

/// Accounts not signed in for this many years are deleted (seed 004 二 Q5).
pub const INACTIVE_DELETION_YEARS: u32 = 5;
/// The same limit in days (5 × 365 + 1 leap day).
pub const INACTIVE_DELETION_DAYS: u32 = 1826;
/// The warning email goes out this many days before the deletion.
pub const INACTIVE_WARNING_DAYS: u32 = 30;

/// An email verification link is valid this long.
pub const EMAIL_LINK_LIFETIME: Duration = Duration::from_secs(DAY);
/// A password reset link sent by email is valid this long.
pub const PASSWORD_RESET_LINK_LIFETIME: Duration = Duration::from_secs(DAY);
/// An SMS code is valid this long.
pub const SMS_CODE_LIFETIME: Duration = Duration::from_secs(10 * MINUTE);
/// Wrong entries allowed for one SMS code before it is spent.
pub const SMS_CODE_MAX_ATTEMPTS: u32 = 5;
/// Digits in an SMS code.
pub const SMS_CODE_DIGITS: usize = 6;
/// A CAPTCHA challenge can be solved and used (once) within this time.
pub const CAPTCHA_LIFETIME: Duration = Duration::from_secs(10 * MINUTE);

/// Converts a number of days to a [`Duration`].
pub const fn days(n: u32) -> Duration {
    Duration::from_secs(n as u64 * DAY)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_the_documented_policy() {
        assert_eq!(SESSION_IDLE_TIMEOUT.as_secs(), 1800);
        assert_eq!(SESSION_ABSOLUTE_TIMEOUT.as_secs(), 43_200);
        assert_eq!(days(PASSWORD_MAX_AGE_DAYS).as_secs(), 730 * 86_400);
        assert_eq!(INACTIVE_DELETION_DAYS, INACTIVE_DELETION_YEARS * 365 + 1);
        assert_eq!(EMAIL_LINK_LIFETIME.as_secs(), 86_400);
        assert_eq!(
            (SMS_CODE_LIFETIME.as_secs(), SMS_CODE_MAX_ATTEMPTS),
            (600, 5)
        );
        assert_eq!(CAPTCHA_LIFETIME.as_secs(), 600);
    }
}
