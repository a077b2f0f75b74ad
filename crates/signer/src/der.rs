//! The little DER this crate writes (CMS SignedData pieces, ECDSA signature values) and reads
//! (a certificate's keyUsage bits). Lengths are bounded by the input; nothing here panics.

/// Universal tags used here.
pub mod tag {
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTC_TIME: u8 = 0x17;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
    pub const BOOLEAN: u8 = 0x01;
}

/// One TLV with `content` as its value.
pub fn tlv(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        let used = &bytes[skip..];
        out.push(0x80 | used.len() as u8);
        out.extend_from_slice(used);
    }
    out.extend_from_slice(content);
    out
}

/// A constructed value from already encoded parts.
pub fn cons(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    tlv(tag, &parts.concat())
}

/// A SET OF, its elements sorted by encoding as DER requires.
pub fn set_of(mut parts: Vec<Vec<u8>>) -> Vec<u8> {
    parts.sort();
    tlv(tag::SET, &parts.concat())
}

/// An OBJECT IDENTIFIER from dotted text; `None` for malformed text.
pub fn oid(dotted: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u64> = dotted
        .split('.')
        .map(|a| a.parse().ok())
        .collect::<Option<_>>()?;
    let (first, second) = (*arcs.first()?, *arcs.get(1)?);
    let mut body = Vec::new();
    push_base128(&mut body, first.checked_mul(40)?.checked_add(second)?);
    for arc in arcs.iter().skip(2) {
        push_base128(&mut body, *arc);
    }
    Some(tlv(tag::OID, &body))
}

fn push_base128(out: &mut Vec<u8>, mut v: u64) {
    let mut tmp = vec![(v & 0x7f) as u8];
    v >>= 7;
    while v > 0 {
        tmp.push(0x80 | (v & 0x7f) as u8);
        v >>= 7;
    }
    tmp.reverse();
    out.extend_from_slice(&tmp);
}

/// A non-negative INTEGER from big-endian magnitude bytes.
pub fn uint(magnitude: &[u8]) -> Vec<u8> {
    let trimmed: &[u8] = {
        let skip = magnitude.iter().take_while(|b| **b == 0).count();
        &magnitude[skip.min(magnitude.len())..]
    };
    let mut body = Vec::with_capacity(trimmed.len() + 1);
    if trimmed.first().is_none_or(|b| *b & 0x80 != 0) {
        body.push(0);
    }
    body.extend_from_slice(trimmed);
    tlv(tag::INTEGER, &body)
}

/// A small INTEGER.
pub fn small_int(v: u8) -> Vec<u8> {
    uint(&[v])
}

/// One decoded TLV: its tag, its content and the whole encoding.
#[derive(Debug, Clone, Copy)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads one TLV from the start of `input`, returning it and the rest.
pub fn read(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    let first = *input.get(1)?;
    let (len, hdr) = if first < 0x80 {
        (first as usize, 2)
    } else {
        let n = (first & 0x7f) as usize;
        if n == 0 || n > 4 {
            return None;
        }
        let bytes = input.get(2..2 + n)?;
        let len = bytes.iter().fold(0usize, |acc, b| (acc << 8) | *b as usize);
        (len, 2 + n)
    };
    let end = hdr.checked_add(len)?;
    let content = input.get(hdr..end)?;
    let raw = input.get(..end)?;
    Some((Tlv { tag, content, raw }, input.get(end..)?))
}

/// All TLVs in `input`; `None` if any is malformed.
pub fn items(mut input: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut out = Vec::new();
    while !input.is_empty() {
        let (t, rest) = read(input)?;
        out.push(t);
        input = rest;
    }
    Some(out)
}

/// Converts a PKCS#11 ECDSA signature (r‖s, equal halves) to a DER ECDSA-Sig-Value.
pub fn ecdsa_raw_to_der(raw: &[u8]) -> Option<Vec<u8>> {
    if raw.is_empty() || !raw.len().is_multiple_of(2) {
        return None;
    }
    let (r, s) = raw.split_at(raw.len() / 2);
    Some(cons(tag::SEQUENCE, &[&uint(r), &uint(s)]))
}

/// keyUsage bits of a DER certificate (bit 0 = digitalSignature), if it has the extension.
pub fn key_usage(cert_der: &[u8]) -> Option<u16> {
    let (cert, _) = read(cert_der)?;
    let (tbs, _) = read(cert.content)?;
    let fields = items(tbs.content)?;
    let exts = fields.iter().find(|f| f.tag == 0xa3)?;
    let (seq, _) = read(exts.content)?;
    let ku_oid = oid("2.5.29.15")?;
    for ext in items(seq.content)? {
        let parts = items(ext.content)?;
        if parts.first().map(|p| p.raw) != Some(ku_oid.as_slice()) {
            continue;
        }
        let value = parts.iter().find(|p| p.tag == tag::OCTET_STRING)?;
        let (bits, _) = read(value.content)?;
        if bits.tag != tag::BIT_STRING {
            return None;
        }
        let b0 = u16::from(*bits.content.get(1).unwrap_or(&0));
        let b1 = u16::from(*bits.content.get(2).unwrap_or(&0));
        // Bit 0 is the most significant bit of the first byte.
        let mut out = 0u16;
        for i in 0..8 {
            if b0 & (0x80 >> i) != 0 {
                out |= 1 << i;
            }
        }
        if b1 & 0x80 != 0 {
            out |= 1 << 8;
        }
        return Some(out);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_lengths_oids_and_integers() {
        assert_eq!(tlv(0x04, &[1, 2]), vec![0x04, 2, 1, 2]);
        let long = tlv(0x04, &[0u8; 300]);
        assert_eq!(&long[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(
            oid("1.2.840.113549.1.7.2"),
            Some(vec![
                0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02
            ])
        );
        assert_eq!(oid("x.1"), None);
        assert_eq!(uint(&[0x80]), vec![0x02, 2, 0, 0x80]);
        assert_eq!(uint(&[0, 0, 5]), vec![0x02, 1, 5]);
        assert_eq!(uint(&[]), vec![0x02, 1, 0]);
    }

    #[test]
    fn reads_back_and_rejects_truncation() {
        let v = cons(tag::SEQUENCE, &[&small_int(1), &small_int(2)]);
        let (t, rest) = read(&v)
            .map(|(t, r)| (t, r.len()))
            .unwrap_or_else(|| panic!());
        assert_eq!((t.tag, rest), (tag::SEQUENCE, 0));
        assert_eq!(items(t.content).map(|i| i.len()), Some(2));
        assert!(read(&v[..v.len() - 1]).is_none());
        assert!(ecdsa_raw_to_der(&[1, 2, 3]).is_none());
    }
}
