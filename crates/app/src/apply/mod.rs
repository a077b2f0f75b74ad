//! Online applications (線上申辦): the use cases behind the pages and the JSON API — start a
//! case, fill its pages (a draft kept on the server, resumable on another device), send it,
//! correct, change and cancel it; the reviewers' queue of their jurisdiction and their
//! decisions; attachments, printing and the deadlines job. Who may see a case is decided here
//! once: anyone else is told it does not exist, so case numbers do not leak.

pub mod cases;
pub mod deadlines;
pub mod files;
pub mod print;
pub mod queue;
pub mod registry;
pub mod view;

pub use registry::Applications;

use tessera_core::Loa;
use tessera_store::Account;
use tessera_store::orgs::Organization;

use crate::flows::orgs::guard::Via;

/// Who is acting on an application, as the web layer established it.
#[derive(Debug, Clone)]
pub enum Who {
    /// A member, signed in at `loa`.
    Member {
        /// The account.
        account: Box<Account>,
        /// The session's level of assurance.
        loa: Loa,
    },
    /// Someone acting for an organization: its manager, its own account, or a handler.
    Org {
        /// The organization.
        org: Box<Organization>,
        /// How they act for it.
        via: Box<Via>,
    },
    /// A back-office staff member with their roles and counties.
    Staff {
        /// The account.
        account: Box<Account>,
        /// Their roles.
        roles: Vec<String>,
        /// Their jurisdiction.
        counties: Vec<String>,
    },
}

impl Who {
    /// The id recorded as the actor.
    pub fn actor_id(&self) -> String {
        match self {
            Who::Member { account, .. } | Who::Staff { account, .. } => account.id.clone(),
            Who::Org { org, via } => format!("org:{}:{}", org.agency_code, via.actor()),
        }
    }

    /// The username for the audit log.
    pub fn audit_name(&self) -> String {
        match self {
            Who::Member { account, .. } | Who::Staff { account, .. } => account.username.clone(),
            Who::Org { org, via } => format!("{}/{}", org.agency_code, via.name()),
        }
    }

    /// The account id, when the actor is an account.
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Who::Member { account, .. } | Who::Staff { account, .. } => Some(&account.id),
            Who::Org { .. } => None,
        }
    }
}
