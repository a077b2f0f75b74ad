//! The challenge purposes of the organization flows: each card signature is asked for one
//! purpose and accepted only for it (added to `flows::cert::PURPOSES`).

/// The challenge purpose of every manager-card step.
pub const MANAGER_PURPOSE: &str = "org-manager";

/// The challenge purpose of a handler's sign-in.
pub const HANDLER_PURPOSE: &str = "org-handler";

/// Every challenge purpose of the organization flows.
pub const PURPOSES: [&str; 7] = [
    "org-register",
    "org-replace",
    "org-assign",
    MANAGER_PURPOSE,
    HANDLER_PURPOSE,
    "org-lookup",
    "cert-lookup",
];
