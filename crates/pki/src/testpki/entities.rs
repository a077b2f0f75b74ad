//! The test PKI's end entities, OCSP signers, CRLs, OCSP index and strangers, and the
//! manifest that lists them.

use std::fmt::Write as _;
use std::path::Path;

use openssl::pkcs12::Pkcs12;
use openssl::stack::Stack;

use super::build::{self, CertSpec, KeyType};
use super::manifest::*;
use super::{Ca, DAY, TestPkiError, TestPkiOptions, write_cert, write_key};
use crate::der::tag;
use crate::profile::ProfileOids;

/// One end entity to create.
struct Def {
    id: &'static str,
    ca: usize,
    kind: &'static str,
    name: &'static str,
    status: &'static str,
    key: KeyType,
    /// 9-character prefix of the national ID (check digit computed).
    id_prefix: Option<&'static str>,
    business_id: Option<&'static str>,
    organization_oid: Option<&'static str>,
    institution_code: Option<&'static str>,
    card: Option<&'static str>,
}

const fn def(id: &'static str, ca: usize, kind: &'static str, name: &'static str) -> Def {
    Def {
        id,
        ca,
        kind,
        name,
        status: "valid",
        key: KeyType::Rsa2048,
        id_prefix: None,
        business_id: None,
        organization_oid: None,
        institution_code: None,
        card: None,
    }
}

fn defs() -> Vec<Def> {
    let citizen = |id, name, status, prefix, card, key| Def {
        status,
        key,
        id_prefix: Some(prefix),
        card: Some(card),
        ..def(id, 0, "moica_citizen", name)
    };
    vec![
        citizen(
            "citizen-wang",
            "王小明",
            "valid",
            "A12345678",
            "TP03000000000001",
            KeyType::Rsa2048,
        ),
        citizen(
            "citizen-chen",
            "陳美麗",
            "valid",
            "F22345678",
            "TP03000000000002",
            KeyType::EcP256,
        ),
        citizen(
            "citizen-li",
            "李大同",
            "valid",
            "B12000111",
            "TP03000000000003",
            KeyType::EcP384,
        ),
        citizen(
            "citizen-lin-revoked",
            "林志明",
            "revoked",
            "C10000222",
            "TP03000000000004",
            KeyType::Rsa2048,
        ),
        citizen(
            "citizen-huang-expired",
            "黃小華",
            "expired",
            "D20000333",
            "TP03000000000005",
            KeyType::Rsa2048,
        ),
        citizen(
            "citizen-chang-future",
            "張未來",
            "not_yet_valid",
            "E10000444",
            "TP03000000000006",
            KeyType::Rsa2048,
        ),
        citizen(
            "citizen-wu-nosign",
            "吳加密",
            "no_signing_usage",
            "H20000555",
            "TP03000000000007",
            KeyType::Rsa2048,
        ),
        citizen(
            "citizen-chou-lowpolicy",
            "周低階",
            "low_policy",
            "K10000666",
            "TP03000000000008",
            KeyType::Rsa2048,
        ),
        citizen(
            "citizen-tsai-unknown",
            "蔡未知",
            "unknown_to_ocsp",
            "N20000777",
            "TP03000000000009",
            KeyType::Rsa2048,
        ),
        Def {
            organization_oid: Some("2.16.886.101.20003.20065"),
            ..def("agency-ndc", 1, "gca_agency", "國家發展委員會")
        },
        Def {
            organization_oid: Some("2.16.886.101.90028.20002"),
            ..def("org-school", 2, "xca_organization", "臺北市立建國高級中學")
        },
        Def {
            business_id: Some("12345675"),
            ..def(
                "business-acme",
                3,
                "moeaca_business",
                "範例科技股份有限公司",
            )
        },
        Def {
            id_prefix: Some("Q12000888"),
            institution_code: Some("0401180014"),
            ..def("medical-doctor", 4, "hca_personnel", "林醫師")
        },
        Def {
            institution_code: Some("0401180014"),
            ..def(
                "medical-hospital",
                4,
                "hca_institution",
                "國立臺灣大學醫學院附設醫院",
            )
        },
    ]
}

pub(super) fn build_all(
    out: &Path,
    opts: &TestPkiOptions,
    root: &Ca,
    cas: &[Ca],
) -> Result<Manifest, TestPkiError> {
    let now = opts.now;
    let oids = ProfileOids::default();
    let p = |rel: &str| out.join(rel);
    let mut entities = Vec::new();
    let mut index = String::new();
    let mut revoked: Vec<Vec<(Vec<u8>, i64)>> = vec![Vec::new(); cas.len()];
    for d in defs() {
        let ca = &cas[d.ca];
        let key = build::generate_key(d.key)?;
        let serial = build::random_serial()?;
        let national_id = d
            .id_prefix
            .and_then(crate::profile::national_id_with_check_digit);
        let last4 = national_id
            .as_ref()
            .and_then(|n| n.get(6..))
            .map(str::to_owned);
        let mut attrs = Vec::new();
        if let Some(l4) = &last4 {
            attrs.push((
                oids.national_id_last4.clone(),
                tag::PRINTABLE_STRING,
                l4.clone(),
            ));
        }
        if let Some(b) = d.business_id {
            attrs.push((oids.business_id.clone(), tag::UTF8_STRING, b.to_owned()));
        }
        if let Some(o) = d.organization_oid {
            attrs.push((oids.organization_oid.clone(), tag::IA5_STRING, o.to_owned()));
        }
        if let Some(i) = d.institution_code {
            attrs.push((
                oids.institution_code.clone(),
                tag::PRINTABLE_STRING,
                i.to_owned(),
            ));
        }
        let mut dn = vec![("C", "TW"), ("CN", d.name)];
        if let Some(card) = d.card {
            dn.push(("serialNumber", card));
        }
        let subject = build::name(&dn)?;
        let (not_before, not_after) = match d.status {
            "expired" => (now - 3 * 365 * DAY, now - 30 * DAY),
            "not_yet_valid" => (now + 30 * DAY, now + 3 * 365 * DAY),
            _ => (now - DAY, now + 3 * 365 * DAY),
        };
        let policy = if d.status == "low_policy" {
            POLICY_LOW
        } else {
            POLICY_HIGH
        };
        let ocsp_url = format!(
            "http://127.0.0.1:{}/",
            opts.ocsp_base_port + d.ca as u16 + 1
        );
        let crl_url = format!("{}/{}.crl", opts.crl_base_url, ca.name);
        let spec = CertSpec {
            subject: &subject,
            serial: serial.clone(),
            not_before,
            not_after,
            is_ca: false,
            signing_usage: d.status != "no_signing_usage",
            ocsp_signer: false,
            policies: &[policy],
            directory_attrs: &attrs,
            ocsp_url: Some(&ocsp_url),
            crl_url: Some(&crl_url),
        };
        let cert = build::issue(&spec, &key, Some((&ca.cert, &ca.key)))?;
        let (cert_rel, key_rel, p12_rel) = (
            format!("ee/{}.pem", d.id),
            format!("ee/{}.key", d.id),
            format!("ee/{}.p12", d.id),
        );
        write_cert(&p(&cert_rel), &cert)?;
        write_key(&p(&key_rel), &key)?;
        let mut chain = Stack::new()?;
        chain.push(ca.cert.clone())?;
        chain.push(root.cert.clone())?;
        let p12 = Pkcs12::builder()
            .name(d.id)
            .pkey(&key)
            .cert(&cert)
            .ca(chain)
            .build2(P12_PASSWORD)?;
        std::fs::write(p(&p12_rel), p12.to_der()?)?;
        let serial_hex = hex::encode_upper(&serial);
        let expiry = index_time(not_after);
        match d.status {
            "revoked" => {
                let when = now - 3600;
                revoked[d.ca].push((serial.clone(), when));
                let _ = writeln!(
                    index,
                    "R\t{expiry}\t{},keyCompromise\t{serial_hex}\tunknown\t/CN={}",
                    index_time(when),
                    d.id
                );
            }
            "unknown_to_ocsp" => {}
            _ => {
                let _ = writeln!(index, "V\t{expiry}\t\t{serial_hex}\tunknown\t/CN={}", d.id);
            }
        }
        entities.push(EntityEntry {
            id: d.id.into(),
            kind: d.kind.into(),
            ca: ca.name.into(),
            name: d.name.into(),
            status: d.status.into(),
            key_type: d.key.as_str().into(),
            serial: hex::encode(&serial),
            national_id: national_id.clone(),
            national_id_last4: last4,
            business_id: d.business_id.map(Into::into),
            organization_oid: d.organization_oid.map(Into::into),
            institution_code: d.institution_code.map(Into::into),
            card_number: d.card.map(Into::into),
            policy: policy.into(),
            not_after: crate::timeutil::unix_to_rfc3339(not_after),
            cert: cert_rel,
            key: key_rel,
            p12: p12_rel,
        });
    }
    std::fs::write(p("ocsp/index.txt"), index)?;
    std::fs::write(p("ocsp/index.txt.attr"), "unique_subject = no\n")?;
    let root_entry = write_ca(out, root, &[], now, None)?;
    let mut ca_entries = Vec::new();
    for (i, ca) in cas.iter().enumerate() {
        let url = format!("http://127.0.0.1:{}/", opts.ocsp_base_port + i as u16 + 1);
        ca_entries.push(write_ca(out, ca, &revoked[i], now, Some(url))?);
    }
    let strangers = super::strangers::build(out, &cas[0], now)?;
    let manifest = Manifest {
        version: 1,
        p12_password: P12_PASSWORD.into(),
        trust_dir: "trust".into(),
        root: root_entry,
        cas: ca_entries,
        ocsp_index: "ocsp/index.txt".into(),
        policies: Policies {
            high: POLICY_HIGH.into(),
            low: POLICY_LOW.into(),
        },
        entities,
        strangers,
    };
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| TestPkiError::Manifest(e.to_string()))?;
    std::fs::write(p("manifest.json"), json)?;
    Ok(manifest)
}

/// `openssl ca` index time: YYMMDDHHMMSSZ.
fn index_time(t: i64) -> String {
    let s = crate::timeutil::unix_to_rfc3339(t);
    let digits: String = s.chars().filter(char::is_ascii_digit).collect();
    format!("{}Z", digits.get(2..14).unwrap_or("000101000000"))
}

/// Writes a CA's certificate, key, CRL and (for issuing CAs) its delegated OCSP signer.
fn write_ca(
    out: &Path,
    ca: &Ca,
    revoked: &[(Vec<u8>, i64)],
    now: i64,
    ocsp_url: Option<String>,
) -> Result<CaEntry, TestPkiError> {
    let (cert_rel, key_rel, crl_rel) = (
        format!("trust/{}.pem", ca.name),
        format!("ca/{}.key", ca.name),
        format!("trust/{}.crl", ca.name),
    );
    write_cert(&out.join(&cert_rel), &ca.cert)?;
    write_key(&out.join(&key_rel), &ca.key)?;
    let crl = build::crl(&ca.cert, &ca.key, revoked, now - 3600, now + 7 * DAY)?;
    std::fs::write(out.join(&crl_rel), crl.to_pem()?)?;
    let (mut ocsp_cert, mut ocsp_key) = (None, None);
    if ocsp_url.is_some() {
        let key = build::generate_key(KeyType::EcP256)?;
        let cn = format!("{} OCSP", ca.name);
        let subject = build::name(&[("C", "TW"), ("O", "行政院"), ("CN", &cn)])?;
        let spec = CertSpec {
            subject: &subject,
            serial: build::random_serial()?,
            not_before: now - DAY,
            not_after: now + 2 * 365 * DAY,
            is_ca: false,
            signing_usage: true,
            ocsp_signer: true,
            policies: &[],
            directory_attrs: &[],
            ocsp_url: None,
            crl_url: None,
        };
        let cert = build::issue(&spec, &key, Some((&ca.cert, &ca.key)))?;
        let (c, k) = (
            format!("ocsp/{}-ocsp.pem", ca.name),
            format!("ocsp/{}-ocsp.key", ca.name),
        );
        write_cert(&out.join(&c), &cert)?;
        write_key(&out.join(&k), &key)?;
        ocsp_cert = Some(c);
        ocsp_key = Some(k);
    }
    let dn: Vec<(String, String)> = ca
        .dn
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
    Ok(CaEntry {
        name: ca.name.into(),
        kind: ca.kind.into(),
        subject: dn
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join(", "),
        cert: cert_rel,
        key: key_rel,
        crl: crl_rel,
        ocsp_url,
        ocsp_cert,
        ocsp_key,
    })
}
