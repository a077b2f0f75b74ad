//! Online applications (cases): their rows, versions of values, history, reference numbers,
//! bookings and attachments, the review queue, and the counties of staff and organizations.
//! Tables from migration 0011.
//!
//! The store applies what the use-case crate decided — statuses, routing, values, numbers'
//! prefixes — atomically; it knows no application rules. Every write names the row_version
//! the caller read and is refused with [`StoreError::Conflict`](crate::StoreError::Conflict)
//! when the case has changed since (see `write.rs`).

mod args;
mod attachments;
mod counties;
mod model;
mod read;
mod write;

pub use model::{
    AttachmentRow, Booking, CaseEvent, CaseMove, CaseRecord, CaseRouting, CaseVersion,
    NewAttachment, NewBooking, NewCase, NewCaseEvent, QueueFilter, VersionChange,
};
