//! Online applications (線上申辦), free of IO: the value kinds a form can ask for (ROC dates,
//! counties, weekly schedules, attachments, …), application types declared as data, the case
//! number and state machine, and the rules of 報備支援 that data cannot say.

pub mod attachment;
pub mod case;
pub mod county;
pub mod date;
pub mod form;
pub mod kind;
pub mod professions;
pub mod rules;
pub mod schedule;

pub use case::CaseNumber;
pub use form::{FieldKind, FieldSpec, FormError, FormInput, Value, Values};
pub use kind::{Actor, ApplicationType, Text, TransitionError, TypeFileError};
pub use rules::{Booked, Clash, RuleContext};
