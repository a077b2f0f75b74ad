//! Certificates outside the test trust: a stranger root with a leaf whose AIA and CRL
//! distribution point name 10.0.0.1 (must never be contacted), a self-signed leaf, a leaf
//! claiming the test MOICA CA as issuer but signed by another key, and a stranger OCSP signer.

use std::path::Path;

use openssl::x509::X509Name;

use super::build::{self, CertSpec, KeyType};
use super::manifest::{POLICY_HIGH, Strangers};
use super::{Ca, DAY, TestPkiError, write_cert, write_key};

fn leaf_spec<'a>(
    subject: &'a X509Name,
    serial: Vec<u8>,
    now: i64,
    aia: Option<&'a str>,
    crl: Option<&'a str>,
) -> CertSpec<'a> {
    CertSpec {
        subject,
        serial,
        not_before: now - DAY,
        not_after: now + 365 * DAY,
        is_ca: false,
        signing_usage: true,
        ocsp_signer: false,
        policies: &[POLICY_HIGH],
        directory_attrs: &[],
        ocsp_url: aia,
        crl_url: crl,
    }
}

fn ca_spec<'a>(subject: &'a X509Name, serial: Vec<u8>, now: i64) -> CertSpec<'a> {
    CertSpec {
        is_ca: true,
        signing_usage: false,
        policies: &[],
        not_after: now + 5 * 365 * DAY,
        ..leaf_spec(subject, serial, now, None, None)
    }
}

pub(super) fn build(out: &Path, moica: &Ca, now: i64) -> Result<Strangers, TestPkiError> {
    let p = |rel: &str| out.join(rel);
    let root_key = build::generate_key(KeyType::Rsa2048)?;
    let root_name = build::name(&[("C", "TW"), ("O", "Stranger"), ("CN", "Stranger Root")])?;
    let root = build::issue(
        &ca_spec(&root_name, build::random_serial()?, now),
        &root_key,
        None,
    )?;
    write_cert(&p("stranger/root.pem"), &root)?;
    write_key(&p("stranger/root.key"), &root_key)?;

    let leaf_key = build::generate_key(KeyType::Rsa2048)?;
    let leaf_name = build::name(&[("C", "TW"), ("CN", "陌生人")])?;
    let spec = leaf_spec(
        &leaf_name,
        build::random_serial()?,
        now,
        Some("http://10.0.0.1/ocsp"),
        Some("http://10.0.0.1/crl/stranger.crl"),
    );
    let leaf = build::issue(&spec, &leaf_key, Some((&root, &root_key)))?;
    write_cert(&p("stranger/leaf.pem"), &leaf)?;
    write_key(&p("stranger/leaf.key"), &leaf_key)?;

    let self_key = build::generate_key(KeyType::Rsa2048)?;
    let self_name = build::name(&[("C", "TW"), ("CN", "自簽者")])?;
    let self_signed = build::issue(
        &leaf_spec(&self_name, build::random_serial()?, now, None, None),
        &self_key,
        None,
    )?;
    write_cert(&p("stranger/self-signed.pem"), &self_signed)?;
    write_key(&p("stranger/self-signed.key"), &self_key)?;

    let fake_ca_key = build::generate_key(KeyType::Rsa2048)?;
    let parts: Vec<(&str, &str)> = moica.dn.clone();
    let fake_ca_name = build::name(&parts)?;
    let fake_ca = build::issue(
        &ca_spec(&fake_ca_name, build::random_serial()?, now),
        &fake_ca_key,
        None,
    )?;
    let fake_key = build::generate_key(KeyType::Rsa2048)?;
    let fake_name = build::name(&[("C", "TW"), ("CN", "冒名者")])?;
    let fake_leaf = build::issue(
        &leaf_spec(&fake_name, build::random_serial()?, now, None, None),
        &fake_key,
        Some((&fake_ca, &fake_ca_key)),
    )?;
    write_cert(&p("stranger/fake-moica-leaf.pem"), &fake_leaf)?;
    write_key(&p("stranger/fake-moica-leaf.key"), &fake_key)?;

    let ocsp_key = build::generate_key(KeyType::EcP256)?;
    let ocsp_name = build::name(&[("C", "TW"), ("CN", "Stranger OCSP")])?;
    let spec = CertSpec {
        ocsp_signer: true,
        policies: &[],
        ..leaf_spec(&ocsp_name, build::random_serial()?, now, None, None)
    };
    let ocsp = build::issue(&spec, &ocsp_key, Some((&root, &root_key)))?;
    write_cert(&p("stranger/ocsp.pem"), &ocsp)?;
    write_key(&p("stranger/ocsp.key"), &ocsp_key)?;

    Ok(Strangers {
        root: "stranger/root.pem".into(),
        root_key: "stranger/root.key".into(),
        leaf: "stranger/leaf.pem".into(),
        leaf_key: "stranger/leaf.key".into(),
        self_signed: "stranger/self-signed.pem".into(),
        self_signed_key: "stranger/self-signed.key".into(),
        fake_moica_leaf: "stranger/fake-moica-leaf.pem".into(),
        fake_moica_leaf_key: "stranger/fake-moica-leaf.key".into(),
        ocsp_cert: "stranger/ocsp.pem".into(),
        ocsp_key: "stranger/ocsp.key".into(),
    })
}
