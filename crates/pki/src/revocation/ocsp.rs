//! OCSP (RFC 6960) for a verified chain: the request (SHA-1 CertID, a random nonce in the
//! request extensions), and the response checks — OpenSSL verifies the signature and that the
//! responder is the CA or its delegated OCSP signer; this module checks the CertID, the nonce
//! echo and thisUpdate/nextUpdate at the verification time.

use openssl::hash::{MessageDigest, hash};
use openssl::ocsp::{OcspFlag, OcspResponse, OcspResponseStatus};
use openssl::stack::Stack;
use openssl::x509::X509;

use crate::certinfo;
use crate::chain::VerifiedChain;
use crate::der::{self, Items, encode, encode_parts, tag};
use crate::timeutil::der_time_to_unix;
use crate::trust::TrustStore;

const OID_SHA1: &str = "1.3.14.3.2.26";
const OID_NONCE: &str = "1.3.6.1.5.5.7.48.1.2";
const OID_BASIC: &str = "1.3.6.1.5.5.7.48.1.1";

/// The CertID fields used to match a response to the request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertId {
    pub name_hash: Vec<u8>,
    pub key_hash: Vec<u8>,
    pub serial: Vec<u8>,
}

/// A status read from a response whose signature and responder authority verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OcspAnswer {
    Good {
        this_update: i64,
        next_update: Option<i64>,
    },
    Revoked {
        this_update: i64,
        next_update: Option<i64>,
        reason: String,
    },
    Unknown,
}

fn oerr<E: std::fmt::Display>(e: E) -> String {
    e.to_string()
}

/// The CertID of the chain's leaf.
pub fn cert_id(chain: &VerifiedChain) -> Result<CertId, String> {
    let issuer_der = chain.issuer().to_der().map_err(oerr)?;
    let leaf_der = chain.leaf().to_der().map_err(oerr)?;
    let issuer = certinfo::parse(&issuer_der).ok_or("issuer DER")?;
    let leaf = certinfo::parse(&leaf_der).ok_or("leaf DER")?;
    Ok(CertId {
        name_hash: hash(MessageDigest::sha1(), issuer.subject)
            .map_err(oerr)?
            .to_vec(),
        key_hash: hash(MessageDigest::sha1(), issuer.public_key_bits)
            .map_err(oerr)?
            .to_vec(),
        serial: leaf.serial.to_vec(),
    })
}

fn sha1_alg() -> Vec<u8> {
    let oid = der::encode_oid(OID_SHA1).unwrap_or_default();
    encode_parts(tag::SEQUENCE, &[&oid, &encode(tag::NULL, &[])])
}

/// DER of an OCSPRequest for `id` carrying `nonce`.
pub fn build_request(id: &CertId, nonce: &[u8]) -> Vec<u8> {
    let cert_id = encode_parts(
        tag::SEQUENCE,
        &[
            &sha1_alg(),
            &encode(tag::OCTET_STRING, &id.name_hash),
            &encode(tag::OCTET_STRING, &id.key_hash),
            &encode(tag::INTEGER, &id.serial),
        ],
    );
    let request = encode(tag::SEQUENCE, &cert_id);
    let request_list = encode(tag::SEQUENCE, &request);
    let nonce_oid = der::encode_oid(OID_NONCE).unwrap_or_default();
    let nonce_value = encode(tag::OCTET_STRING, &encode(tag::OCTET_STRING, nonce));
    let ext = encode_parts(tag::SEQUENCE, &[&nonce_oid, &nonce_value]);
    let exts = encode(0xa2, &encode(tag::SEQUENCE, &ext));
    let tbs = encode_parts(tag::SEQUENCE, &[&request_list, &exts]);
    encode(tag::SEQUENCE, &tbs)
}

/// Checks a response's signature and responder authority, then reads the leaf's status.
/// `nonce` must be echoed if the response carries a nonce (or always, if `require_nonce`).
pub fn check_response(
    der_bytes: &[u8],
    chain: &VerifiedChain,
    trust: &TrustStore,
    id: &CertId,
    nonce: &[u8],
    require_nonce: bool,
) -> Result<OcspAnswer, String> {
    let resp = OcspResponse::from_der(der_bytes).map_err(|_| "response is not OCSP DER")?;
    if resp.status() != OcspResponseStatus::SUCCESSFUL {
        return Err(format!("responder status {}", resp.status().as_raw()));
    }
    let basic = resp.basic().map_err(|_| "no basic response")?;
    let mut certs = Stack::<X509>::new().map_err(oerr)?;
    for c in chain.certs().iter().skip(1) {
        certs.push(c.clone()).map_err(oerr)?;
    }
    basic
        .verify(&certs, &trust.ocsp_store, OcspFlag::empty())
        .map_err(|e| format!("response signature or responder not authorised: {e}"))?;
    let data = response_data(der_bytes).ok_or("response structure")?;
    match data.nonce {
        Some(n) if n != encode(tag::OCTET_STRING, nonce) => return Err("nonce mismatch".into()),
        None if require_nonce => return Err("nonce missing".into()),
        _ => {}
    }
    let single = data
        .responses
        .into_iter()
        .find(|s| s.id == *id)
        .ok_or("no answer for this certificate")?;
    Ok(match single.status {
        0x80 => OcspAnswer::Good {
            this_update: single.this_update,
            next_update: single.next_update,
        },
        0xa1 => OcspAnswer::Revoked {
            this_update: single.this_update,
            next_update: single.next_update,
            reason: "OCSP".into(),
        },
        _ => OcspAnswer::Unknown,
    })
}

struct Single {
    id: CertId,
    status: u8,
    this_update: i64,
    next_update: Option<i64>,
}

struct Data<'a> {
    responses: Vec<Single>,
    nonce: Option<&'a [u8]>,
}

fn response_data(input: &[u8]) -> Option<Data<'_>> {
    let outer = der::read_single(input)?;
    let mut it = Items::new(outer.content);
    it.expect(0x0a)?;
    let rb = it.expect(0xa0)?;
    let rb = der::read_single(rb.content)?;
    let mut rb_items = Items::new(rb.content);
    let rtype = der::oid_to_string(rb_items.expect(tag::OID)?.content)?;
    if rtype != OID_BASIC {
        return None;
    }
    let basic = der::read_single(rb_items.expect(tag::OCTET_STRING)?.content)?;
    let tbs = Items::new(basic.content).expect(tag::SEQUENCE)?;
    let mut t = Items::new(tbs.content);
    t.optional(0xa0);
    let rid = t.next()?;
    if rid.tag != 0xa1 && rid.tag != 0xa2 {
        return None;
    }
    t.expect(tag::GENERALIZED_TIME)?;
    let list = t.expect(tag::SEQUENCE)?;
    let mut responses = Vec::new();
    for s in der::items(list.content)? {
        responses.push(single(s.content)?);
    }
    let mut nonce = None;
    if let Some(exts) = t.optional(0xa1) {
        let seq = der::read_single(exts.content)?;
        for ext in der::items(seq.content)? {
            let mut e = Items::new(ext.content);
            let oid = der::oid_to_string(e.expect(tag::OID)?.content)?;
            e.optional(tag::BOOLEAN);
            let value = e.expect(tag::OCTET_STRING)?.content;
            if oid == OID_NONCE {
                nonce = Some(value);
            }
        }
    }
    Some(Data { responses, nonce })
}

fn single(content: &[u8]) -> Option<Single> {
    let mut it = Items::new(content);
    let cid = it.expect(tag::SEQUENCE)?;
    let mut c = Items::new(cid.content);
    let alg = c.expect(tag::SEQUENCE)?;
    let alg_oid = der::oid_to_string(Items::new(alg.content).expect(tag::OID)?.content)?;
    let name_hash = c.expect(tag::OCTET_STRING)?.content.to_vec();
    let key_hash = c.expect(tag::OCTET_STRING)?.content.to_vec();
    let serial = c.expect(tag::INTEGER)?.content.to_vec();
    let status = it.next()?;
    let this = it.expect(tag::GENERALIZED_TIME)?;
    let this_update = der_time_to_unix(this.tag, this.content)?;
    let next_update = match it.optional(0xa0) {
        Some(n) => {
            let t = der::read_single(n.content)?;
            Some(der_time_to_unix(t.tag, t.content)?)
        }
        None => None,
    };
    let id = if alg_oid == OID_SHA1 {
        CertId {
            name_hash,
            key_hash,
            serial,
        }
    } else {
        CertId {
            name_hash: Vec::new(),
            key_hash: Vec::new(),
            serial: Vec::new(),
        }
    };
    Some(Single {
        id,
        status: status.tag,
        this_update,
        next_update,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_is_valid_ocsp_der_with_nonce_extension() {
        let id = CertId {
            name_hash: vec![1; 20],
            key_hash: vec![2; 20],
            serial: vec![0x12, 0x34],
        };
        let der = build_request(&id, &[9; 16]);
        let parsed = openssl::ocsp::OcspRequest::from_der(&der).expect("openssl parses it");
        assert_eq!(parsed.to_der().expect("re-encode"), der);
    }
}
