//! Organizations: the registry, registered certificates with history, the manager,
//! receipt records, multi-step flows, review cases, handlers and organization sessions.
//! Tables from migration 0006.

mod flows;
mod handlers;
mod model;
mod registration;
mod registry;
mod reviews;
mod sessions;
mod tx;

pub use flows::OrgFlow;
pub use handlers::{Assignment, HandlerWrite};
pub use model::{
    CertRecord, Handler, HandlerInput, HandlerPage, ImportSummary, ManagerContact, OrgCert,
    OrgRecord, Organization, Receipt, role,
};
pub use registration::{Completed, Registration, Replacement};
pub use registry::Upserted;
pub use reviews::{NewReviewCase, ReviewCase, status};
pub use sessions::{OrgSession, session_kind};
