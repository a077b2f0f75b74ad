//! The organization pages on SQLite and PostgreSQL, as a browser posts them, with
//! cards signed by the `openssl` CLI: first registration one step per URL (terms with the page
//! download time, organization card, manager card, details with both certificates, the receipt);
//! a form without the CSRF token or from another origin is refused; a step posted out of order
//! is refused and another step's URL leads back to the current one; another browser cannot see
//! the flow. Then 授權指派作業 through the pages (two signatures), handlers added, modified and
//! deleted with the seed's messages, and a handler's workspace shows only what was granted
//! while the server refuses the rest (pages and API); a handler of two organizations picks one;
//! the manager is replaced through the step pages; the authorized list and the card lookups.

mod common;
#[path = "cert/helpers.rs"]
mod helpers;
#[path = "orgs/page_assignment.rs"]
mod page_assignment;
#[path = "orgs/page_client.rs"]
mod page_client;
#[path = "orgs/page_people.rs"]
mod page_people;
#[path = "orgs/page_queries.rs"]
mod page_queries;
#[path = "orgs/page_registration.rs"]
mod page_registration;
#[path = "orgs/steps.rs"]
mod steps;
#[path = "orgs/support.rs"]
mod support;

use page_assignment::assignment_pages_manage_handlers_and_the_guard_hides_the_rest;
use page_people::handlers_choose_and_managers_are_replaced_through_pages;
use page_queries::queries_through_pages;
use page_registration::registration_pages_walk_the_steps_in_order_only;

tessera_store::both_backends!(
    registration_pages_walk_the_steps_in_order_only,
    assignment_pages_manage_handlers_and_the_guard_hides_the_rest,
    handlers_choose_and_managers_are_replaced_through_pages,
    queries_through_pages,
);
