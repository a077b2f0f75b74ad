//! Fuzz target: the crate's own DER reading of certificates — extension walking, keyUsage,
//! policies, subjectDirectoryAttributes, AIA / CRL distribution points, names, and Taiwan
//! identity extraction — on arbitrary bytes. Nothing may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tessera_pki::profile::{CaKind, ProfileOids, extract_identity};

fuzz_target!(|data: &[u8]| {
    let _ = tessera_pki::der::read_tlv(data);
    let _ = tessera_pki::der::oid_to_string(data);
    let _ = tessera_pki::certinfo::name_attributes(data);
    let Some(info) = tessera_pki::certinfo::parse(data) else {
        return;
    };
    let _ = info.key_usage();
    let _ = info.policies();
    let _ = info.ocsp_urls();
    let _ = info.crl_urls();
    let _ = info.serial_hex();
    let attrs = info.subject_attributes();
    let _ = tessera_pki::profile::ca_kind_from_subject(&attrs);
    for kind in [None, Some(CaKind::Moica), Some(CaKind::Hca)] {
        if let Ok(id) = extract_identity(
            &info,
            kind,
            &ProfileOids::default(),
            String::new(),
            String::new(),
        ) {
            let _ = id.matches_national_id("A123456789");
        }
    }
});
