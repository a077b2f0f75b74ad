//! Organizations through the JSON API on SQLite and PostgreSQL, with cards signed by
//! the `openssl` CLI against the test PKI: first registration, the review queue, certificate
//! replacement, authorization assignment, handler sign-in and the permission guard, queries and
//! the back office. One test PKI for the whole binary.

#[path = "orgs/access.rs"]
mod access;
#[path = "orgs/assignment.rs"]
mod assignment;
#[path = "orgs/backoffice.rs"]
mod backoffice;
mod common;
#[path = "cert/helpers.rs"]
mod helpers;
#[path = "orgs/lookups.rs"]
mod lookups;
#[path = "orgs/registration.rs"]
mod registration;
#[path = "orgs/renewal.rs"]
mod renewal;
#[path = "orgs/replacement.rs"]
mod replacement;
#[path = "orgs/review.rs"]
mod review;
#[path = "orgs/steps.rs"]
mod steps;
#[path = "orgs/support.rs"]
mod support;
