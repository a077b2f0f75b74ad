//! The OpenAPI document served at `/api/openapi.json`: what utoipa derives from the handlers'
//! annotations, completed with what no single annotation shows —
//!
//! * the session cookies as security schemes, and which operations need which ([`AUTH`]);
//! * the answers every operation can give for reasons outside its handler (a NUL character
//!   refused before any handler, a malformed body, the CSRF guard, the body deadline, a
//!   missing or limited session) — see [`common_responses`];
//! * the constraints the flows enforce on request fields (enums, non-empty strings, formats),
//!   so that a value the document calls valid is not refused as malformed ([`constraints`]).
//!
//! The document is built once and served as JSON. The unit tests check that every operation
//! and field named here exists, so a renamed route or field cannot silently drop a fact.

use std::sync::OnceLock;

use serde_json::{Map, Value, json};
use tessera_core::org::flow::FlowKind;
use utoipa::OpenApi;

/// The document, built on first use.
pub fn document() -> &'static Value {
    static DOC: OnceLock<Value> = OnceLock::new();
    DOC.get_or_init(build)
}

fn build() -> Value {
    let mut doc = super::ApiDoc::openapi();
    doc.merge(super::orgs::OrgApi::openapi());
    let mut v = match serde_json::to_value(&doc) {
        Ok(v) => v,
        Err(e) => {
            tracing::error!(error = %e, "OpenAPI document not serialisable");
            return Value::Null;
        }
    };
    security_schemes(&mut v);
    for (method, path, auth) in AUTH {
        if let Some(op) = operation(&mut v, method, path) {
            op["security"] = auth.requirements();
        }
    }
    constraints(&mut v);
    common_responses(&mut v);
    v
}

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Auth {
    /// A full member session (`tessera_session`): 403 for a session limited to changing an
    /// expired password or to verifying the email address (`session::Open::Full`).
    Member,
    /// Any member session, limited or not (`Open::Any`).
    MemberAny,
    /// A full member session or one limited to changing an expired password
    /// (`Open::ExpiredPassword`).
    MemberExpiredOk,
    /// A full member session or one whose email address must be verified
    /// (`Open::UnverifiedEmail`).
    MemberUnverifiedOk,
    /// A member session if there is one (the operation also works without).
    OptionalMember,
    /// A back-office staff session; 403 `staff_role_required` for the wrong role.
    Staff,
    /// A back-office staff session of any role.
    StaffAny,
    /// A certificate-only session (a card holder who skipped binding).
    CertOnly,
    /// A handler session (citizen card) of the organization.
    Handler,
    /// The organization guard: a handler granted the function, the manager's assignment
    /// session, or the organization's own account.
    Org,
}

impl Auth {
    fn requirements(self) -> Value {
        match self {
            Auth::Member | Auth::MemberAny | Auth::MemberExpiredOk | Auth::MemberUnverifiedOk => {
                json!([{ "member_session": [] }])
            }
            Auth::OptionalMember => json!([{}, { "member_session": [] }]),
            Auth::Staff | Auth::StaffAny => json!([{ "staff_session": [] }]),
            Auth::CertOnly => json!([{ "cert_session": [] }]),
            Auth::Handler => json!([{ "org_handler_session": [] }]),
            Auth::Org => json!([
                { "org_handler_session": [] },
                { "org_assignment_session": [] },
                { "member_session": [] }
            ]),
        }
    }

    /// The refusals of the session check, by status.
    fn refusals(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Auth::Member => &[
                ("401", "unauthenticated"),
                ("403", "password_expired, email_unverified"),
            ],
            Auth::MemberAny => &[("401", "unauthenticated")],
            Auth::MemberExpiredOk => &[("401", "unauthenticated"), ("403", "email_unverified")],
            Auth::MemberUnverifiedOk => &[("401", "unauthenticated"), ("403", "password_expired")],
            Auth::OptionalMember => &[],
            Auth::Staff => &[
                ("401", "staff_unauthenticated"),
                ("403", "staff_role_required"),
            ],
            Auth::StaffAny => &[("401", "staff_unauthenticated")],
            Auth::CertOnly | Auth::Handler => &[("401", "unauthenticated")],
            Auth::Org => &[
                ("401", "org_unauthenticated"),
                ("403", "org_permission_denied, org_handler_cert_changed"),
                ("404", "not_found (no such registered organization)"),
                ("409", "org_select_required"),
            ],
        }
    }
}

/// The operations that need (or take) a session.
const AUTH: &[(&str, &str, Auth)] = &[
    // Online applications.
    ("get", "/api/v1/cases", Auth::Member),
    ("post", "/api/v1/applications/{type}/cases", Auth::Member),
    ("get", "/api/v1/cases/{id}", Auth::Member),
    ("put", "/api/v1/cases/{id}/pages/{page}", Auth::Member),
    ("post", "/api/v1/cases/{id}/actions/{action}", Auth::Member),
    ("post", "/api/v1/cases/{id}/change", Auth::Member),
    ("post", "/api/v1/cases/{id}/attachments", Auth::Member),
    (
        "get",
        "/api/v1/cases/{id}/attachments/{attachment}",
        Auth::Member,
    ),
    (
        "delete",
        "/api/v1/cases/{id}/attachments/{attachment}",
        Auth::Member,
    ),
    ("get", "/api/v1/review/{type}/cases", Auth::StaffAny),
    ("get", "/api/v1/review/{type}/cases.csv", Auth::StaffAny),
    ("post", "/api/v1/review/{type}/cases", Auth::StaffAny),
    ("get", "/api/v1/review/cases/{id}", Auth::StaffAny),
    (
        "put",
        "/api/v1/review/cases/{id}/pages/{page}",
        Auth::StaffAny,
    ),
    (
        "post",
        "/api/v1/review/cases/{id}/actions/{action}",
        Auth::StaffAny,
    ),
    ("post", "/api/v1/review/cases/{id}/change", Auth::StaffAny),
    (
        "get",
        "/api/v1/review/cases/{id}/attachments/{attachment}",
        Auth::StaffAny,
    ),
    ("get", "/api/v1/cases/{id}/prints/{print}", Auth::Member),
    (
        "get",
        "/api/v1/review/cases/{id}/prints/{print}",
        Auth::StaffAny,
    ),
    ("get", "/api/v1/orgs/{code}/cases", Auth::Org),
    (
        "post",
        "/api/v1/orgs/{code}/applications/{type}/cases",
        Auth::Org,
    ),
    ("get", "/api/v1/orgs/{code}/cases/{id}", Auth::Org),
    (
        "put",
        "/api/v1/orgs/{code}/cases/{id}/pages/{page}",
        Auth::Org,
    ),
    (
        "post",
        "/api/v1/orgs/{code}/cases/{id}/actions/{action}",
        Auth::Org,
    ),
    ("get", "/api/v1/me", Auth::MemberAny),
    ("patch", "/api/v1/me", Auth::MemberUnverifiedOk),
    ("delete", "/api/v1/me", Auth::MemberUnverifiedOk),
    ("post", "/api/v1/me/password", Auth::MemberExpiredOk),
    (
        "post",
        "/api/v1/email-verifications/resend",
        Auth::MemberUnverifiedOk,
    ),
    ("post", "/api/v1/mobile-verifications", Auth::Member),
    ("post", "/api/v1/mobile-verifications/confirm", Auth::Member),
    ("delete", "/api/v1/session", Auth::OptionalMember),
    ("post", "/api/v1/cert/bindings", Auth::OptionalMember),
    ("delete", "/api/v1/cert/bindings/{serial}", Auth::Member),
    ("get", "/api/v1/cert/session", Auth::CertOnly),
    ("get", "/api/v1/me/external-identities", Auth::Member),
    (
        "delete",
        "/api/v1/me/external-identities/{id}",
        Auth::Member,
    ),
    ("get", "/api/v1/org-handler/session", Auth::Handler),
    ("put", "/api/v1/org-handler/session", Auth::Handler),
    ("get", "/api/v1/orgs/{code}/handlers", Auth::Org),
    ("post", "/api/v1/orgs/{code}/handlers", Auth::Org),
    ("get", "/api/v1/orgs/{code}/handlers/{id}", Auth::Org),
    ("put", "/api/v1/orgs/{code}/handlers/{id}", Auth::Org),
    ("delete", "/api/v1/orgs/{code}/handlers/{id}", Auth::Org),
    ("post", "/api/v1/orgs/{code}/card-info", Auth::Org),
    ("get", "/api/v1/orgs/{code}/receipts", Auth::Org),
    ("get", "/api/v1/orgs/{code}/authorized", Auth::Org),
    ("get", "/api/v1/orgs/{code}/workspace", Auth::Org),
    ("get", "/api/v1/orgs/{code}/functions/{function}", Auth::Org),
    ("get", "/api/v1/backoffice/session", Auth::StaffAny),
    ("get", "/api/v1/backoffice/reviews", Auth::Staff),
    ("get", "/api/v1/backoffice/reviews/{id}", Auth::Staff),
    (
        "post",
        "/api/v1/backoffice/reviews/{id}/approve",
        Auth::Staff,
    ),
    (
        "post",
        "/api/v1/backoffice/reviews/{id}/reject",
        Auth::Staff,
    ),
    ("get", "/api/v1/backoffice/organizations", Auth::Staff),
    (
        "get",
        "/api/v1/backoffice/organizations/{code}",
        Auth::Staff,
    ),
    (
        "put",
        "/api/v1/backoffice/organizations/{code}",
        Auth::Staff,
    ),
];

/// The operations that verify a card's answer to a challenge (`flows::cert::verify`): each
/// can give every refusal of the verification.
const CARD_ANSWER: &[(&str, &str)] = &[
    ("post", "/api/v1/cert/registrations"),
    ("post", "/api/v1/cert/session"),
    ("post", "/api/v1/cert/bindings"),
    ("post", "/api/v1/password-resets"),
    ("post", "/api/v1/org-handler/session"),
    ("post", "/api/v1/org-lookups/organization-certificate"),
    ("post", "/api/v1/org-lookups/citizen-certificate"),
    ("post", "/api/v1/org-flows/{flow}/org-certificate"),
    ("post", "/api/v1/org-flows/{flow}/manager-certificate"),
];

/// The refusals of a card's answer, by status (`flows::cert::failure_of`, the field checks
/// before it, and certificate sign-in being off).
const CARD_REFUSALS: &[(&str, &str)] = &[
    (
        "400",
        "cert_malformed, cert_challenge_expired, cert_challenge_replayed",
    ),
    ("401", "cert_signature_invalid, cert_content_mismatch"),
    (
        "403",
        "cert_untrusted, cert_expired, cert_not_yet_valid, cert_key_usage, \
         cert_policy_not_allowed, cert_revoked, cert_kind_not_accepted",
    ),
    ("422", "validation_failed"),
    ("503", "cert_unavailable, cert_revocation_unknown"),
];

/// The operations behind a rate limit, with the code of their 429.
const RATE_LIMITED: &[(&str, &str, &str)] = &[
    ("post", "/api/v1/password-resets", "rate_limited"),
    ("post", "/api/v1/mobile-verifications", "rate_limited"),
    (
        "post",
        "/api/v1/cert/challenges",
        "cert_challenge_rate_limited",
    ),
    ("post", "/api/v1/org-flows", "org_flow_rate_limited"),
];

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];

fn operation<'a>(doc: &'a mut Value, method: &str, path: &str) -> Option<&'a mut Value> {
    doc.get_mut("paths")?.get_mut(path)?.get_mut(method)
}

fn security_schemes(doc: &mut Value) {
    let cookie = |name: &str, what: &str| {
        json!({
            "type": "apiKey",
            "in": "cookie",
            "name": name,
            "description": format!(
                "{what}. On an https site the cookie's name has the `__Host-` prefix."
            ),
        })
    };
    doc["components"]["securitySchemes"] = json!({
        "member_session": cookie("tessera_session", "A member session (POST /api/v1/session, certificate sign-in)"),
        "staff_session": cookie("tessera_staff_session", "A back-office session (POST /api/v1/backoffice/session)"),
        "cert_session": cookie("tessera_cert_session", "A certificate-only session (POST /api/v1/cert/session with skip_binding)"),
        "org_handler_session": cookie("tessera_org_handler", "A handler session (POST /api/v1/org-handler/session)"),
        "org_assignment_session": cookie("tessera_org_assign", "The manager's assignment session (the assign flow)"),
    });
}

/// A JSON-schema fragment merged into a request field's schema.
struct Constraint {
    schema: &'static str,
    field: &'static str,
    patch: fn() -> Value,
}

const fn c(schema: &'static str, field: &'static str, patch: fn() -> Value) -> Constraint {
    Constraint {
        schema,
        field,
        patch,
    }
}

fn non_empty() -> Value {
    json!({ "minLength": 1 })
}

/// Five letters or digits (the flows also accept the full-width forms).
fn agency_code() -> Value {
    json!({ "pattern": "^[A-Za-z0-9]{5}$" })
}

/// What `tessera_core::ids::Username` takes (also in full-width letters and digits).
fn username() -> Value {
    use tessera_core::ids::Username;
    json!({
        "pattern": format!(
            "^[A-Za-z][A-Za-z0-9]{{{},{}}}$",
            Username::MIN_LEN - 1,
            Username::MAX_LEN - 1
        )
    })
}

fn must_be_true() -> Value {
    json!({ "enum": [true] })
}

fn challenge_purposes() -> Value {
    let all: Vec<&str> = tessera_app::flows::cert::PURPOSES
        .iter()
        .chain(tessera_app::flows::orgs::PURPOSES.iter())
        .copied()
        .collect();
    json!({ "enum": all })
}

fn reset_channels() -> Value {
    json!({ "enum": ["email", "sms", "certificate"] })
}

fn flow_kinds() -> Value {
    let all: Vec<&str> = FlowKind::ALL.iter().map(|k| k.as_str()).collect();
    json!({ "enum": all })
}

/// What the flows enforce on request fields, beyond their JSON types.
const CONSTRAINTS: &[Constraint] = &[
    c("ChallengeInput", "purpose", challenge_purposes),
    c("StartInput", "kind", flow_kinds),
    c("ResetRequest", "channel", reset_channels),
    c("OrgCardInput", "agency_code", agency_code),
    c("OrgLookupInput", "agency_code", agency_code),
    c("ChooseInput", "agency_code", agency_code),
    c("RegisterInput", "username", username),
    c("RegisterInput", "name", non_empty),
    c("RegisterInput", "accept_terms", must_be_true),
    c("RegisterInput", "captcha", non_empty),
    c("TokenInput", "token", non_empty),
    c("CodeInput", "code", non_empty),
];

/// The organization in `/api/v1/orgs/{code}/…`: an agency code, else 404 before anything.
fn org_code_parameters(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        if !path.starts_with("/api/v1/orgs/{code}/") {
            continue;
        }
        for method in METHODS {
            let Some(Value::Array(params)) = item.pointer_mut(&format!("/{method}/parameters"))
            else {
                continue;
            };
            for p in params.iter_mut().filter(|p| p["name"] == "code") {
                if let Value::Object(schema) = &mut p["schema"]
                    && let Value::Object(patch) = agency_code()
                {
                    schema.extend(patch);
                }
            }
        }
    }
}

fn constraints(doc: &mut Value) {
    org_code_parameters(doc);
    for k in CONSTRAINTS {
        let Some(Value::Object(field)) = doc.pointer_mut(&format!(
            "/components/schemas/{}/properties/{}",
            k.schema, k.field
        )) else {
            tracing::error!(schema = k.schema, field = k.field, "OpenAPI: no such field");
            continue;
        };
        if let Value::Object(patch) = (k.patch)() {
            field.extend(patch);
        }
    }
}

/// The error body's schema, as a response content.
fn error_content() -> Value {
    json!({ "application/json": { "schema": { "$ref": "#/components/schemas/ErrorBody" } } })
}

/// Declares `status` on an operation with the error body, or adds `codes` to the description
/// of the status it already declares.
fn add_response(op: &mut Value, status: &str, codes: &str) {
    let responses = &mut op["responses"];
    if !responses.is_object() {
        *responses = Value::Object(Map::new());
    }
    match responses.get_mut(status) {
        Some(r) => {
            let old = r["description"].as_str().unwrap_or("").to_string();
            let new_codes: Vec<&str> = codes
                .split(", ")
                .filter(|code| !old.contains(code.split(' ').next().unwrap_or(code)))
                .collect();
            if !new_codes.is_empty() {
                let joined = new_codes.join(", ");
                r["description"] = Value::String(if old.is_empty() {
                    joined
                } else {
                    format!("{old}; {joined}")
                });
            }
            if r.get("content").is_none() {
                r["content"] = error_content();
            }
        }
        None => {
            responses[status] = json!({ "description": codes, "content": error_content() });
        }
    }
}

/// The answers every operation can give whatever its handler does.
fn common_responses(doc: &mut Value) {
    let Some(Value::Object(paths)) = doc.get_mut("paths") else {
        return;
    };
    for (path, item) in paths.iter_mut() {
        for method in METHODS {
            let Some(op) = item.get_mut(method) else {
                continue;
            };
            // A NUL character anywhere in the request (crate::input), a body that is not the
            // JSON the operation takes.
            add_response(op, "400", "malformed_request");
            let changes_state = method != "get";
            if changes_state {
                // A request carrying cookies needs a same-origin Origin or X-CSRF-Token.
                add_response(op, "403", "csrf_failed");
            }
            if op.get("requestBody").is_some() {
                add_response(op, "408", "request_timeout");
                // Answered before the operation, as plain text (tower-http's body limit).
                op["responses"]["413"] = json!({ "description": "The body is larger than 1 MiB." });
            }
            if path.contains('{') {
                add_response(op, "404", "not_found");
            }
            if let Some((_, _, a)) = AUTH.iter().find(|(m, p, _)| *m == method && p == path) {
                for (status, codes) in a.refusals() {
                    add_response(op, status, codes);
                }
            }
            if CARD_ANSWER.contains(&(method, path.as_str())) {
                for (status, codes) in CARD_REFUSALS {
                    add_response(op, status, codes);
                }
            }
            if let Some((_, _, code)) = RATE_LIMITED
                .iter()
                .find(|(m, p, _)| *m == method && p == path)
            {
                add_response(op, "429", code);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_named_operation_and_field_exists() {
        let mut doc = serde_json::to_value(super::super::ApiDoc::openapi()).unwrap();
        let orgs = serde_json::to_value(super::super::orgs::OrgApi::openapi()).unwrap();
        for (k, v) in orgs["paths"].as_object().unwrap() {
            doc["paths"][k] = v.clone();
        }
        for (k, v) in orgs["components"]["schemas"].as_object().unwrap() {
            doc["components"]["schemas"][k] = v.clone();
        }
        let named = AUTH
            .iter()
            .map(|(m, p, _)| (*m, *p))
            .chain(CARD_ANSWER.iter().copied())
            .chain(RATE_LIMITED.iter().map(|(m, p, _)| (*m, *p)));
        for (method, path) in named {
            assert!(
                operation(&mut doc, method, path).is_some(),
                "{method} {path} is not in the document"
            );
        }
        for k in CONSTRAINTS {
            assert!(
                doc.pointer(&format!(
                    "/components/schemas/{}/properties/{}",
                    k.schema, k.field
                ))
                .is_some(),
                "{}.{} is not in the document",
                k.schema,
                k.field
            );
        }
    }

    #[test]
    fn every_operation_declares_the_common_answers() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        assert!(paths.len() > 40);
        for (path, item) in paths {
            for method in METHODS {
                let Some(op) = item.get(method) else { continue };
                let r = &op["responses"];
                assert!(r.get("400").is_some(), "{method} {path}: 400");
                if method != "get" {
                    assert!(
                        r["403"]["description"]
                            .as_str()
                            .unwrap()
                            .contains("csrf_failed"),
                        "{method} {path}: 403"
                    );
                }
            }
        }
        let me = &doc["paths"]["/api/v1/me"]["get"];
        assert_eq!(me["security"], json!([{ "member_session": [] }]));
        assert!(me["responses"]["401"].is_object());
        let kinds = &doc["components"]["schemas"]["StartInput"]["properties"]["kind"]["enum"];
        assert!(kinds.as_array().unwrap().contains(&json!("register")));
    }
}
