//! When consecutive failed sign-ins demand a CAPTCHA and when they disable the account
//! (seed 004 四 Q1: a CAPTCHA after 3 failures, disabled after 5 until a password reset).

use serde::{Deserialize, Serialize};

/// Thresholds on the count of consecutive failed sign-ins of one account.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LockoutPolicy {
    /// From this many failures on, a CAPTCHA is required (default 3).
    pub captcha_after: u32,
    /// At this many failures the account is disabled until a password reset (default 5).
    pub disable_after: u32,
}

impl Default for LockoutPolicy {
    fn default() -> Self {
        LockoutPolicy {
            captcha_after: 3,
            disable_after: 5,
        }
    }
}

impl LockoutPolicy {
    /// Must the next attempt carry a solved CAPTCHA?
    pub fn captcha_required(&self, failures: u32) -> bool {
        failures >= self.captcha_after
    }

    /// Is the account disabled?
    pub fn is_disabled(&self, failures: u32) -> bool {
        failures >= self.disable_after
    }

    /// Attempts left before the account is disabled.
    pub fn remaining_attempts(&self, failures: u32) -> u32 {
        self.disable_after.saturating_sub(failures)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_thresholds() {
        let p = LockoutPolicy::default();
        let captcha: Vec<bool> = (0..=6).map(|n| p.captcha_required(n)).collect();
        assert_eq!(captcha, [false, false, false, true, true, true, true]);
        let disabled: Vec<bool> = (0..=6).map(|n| p.is_disabled(n)).collect();
        assert_eq!(disabled, [false, false, false, false, false, true, true]);
        assert_eq!(p.remaining_attempts(3), 2);
        assert_eq!(p.remaining_attempts(9), 0);
    }
}
