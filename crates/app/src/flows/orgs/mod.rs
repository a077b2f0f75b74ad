//! Organizations (seed 003 chapter 3, seed 000 機關端): first registration with the
//! organization card and the authorization manager's citizen card, the review of cards that do
//! not match the registry, certificate replacement, authorization assignment of handlers with
//! function permissions, handler sign-in with the one permission guard, the queries, the
//! organization's own password account, and the back office (staff, review queue, registry).
//!
//! Multi-step flows live in the database (`flow`), bound to the browser, expiring, moved only
//! along the core state machine. Card signatures reuse `flows::cert` (challenges bound to the
//! browser, single use, one purpose per step: `org-register`, `org-replace`, `org-assign`,
//! `org-manager`, `org-handler`, `org-lookup`, `cert-lookup`).

pub mod card;
pub mod claim;
pub mod complete;
pub mod flow;
pub mod functions;
pub mod guard;
pub mod handler_login;
pub mod handlers;
pub mod import;
pub mod lookups;
pub mod mails;
pub mod manager;
pub mod org_card;
pub mod purposes;
pub mod queries;
pub mod registry;
pub mod review;
pub mod sessions;
pub mod settings;
pub mod staff;
pub mod views;

pub use claim::{OrganizationClaim, acting_organization};
pub use settings::{ApprovalWait, OrgSettings};

pub use purposes::{MANAGER_PURPOSE, PURPOSES};
