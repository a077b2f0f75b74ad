//! A minimal, strict DER reader and writer: just what certificate profile extraction, OCSP
//! request building and CMS signer identification need. Every read is bounds-checked and returns
//! `None` on malformed input; nothing here panics on untrusted bytes.

/// Tag numbers used in this crate (universal, primitive or constructed as noted).
pub mod tag {
    pub const BOOLEAN: u8 = 0x01;
    pub const INTEGER: u8 = 0x02;
    pub const BIT_STRING: u8 = 0x03;
    pub const OCTET_STRING: u8 = 0x04;
    pub const NULL: u8 = 0x05;
    pub const OID: u8 = 0x06;
    pub const UTF8_STRING: u8 = 0x0c;
    pub const PRINTABLE_STRING: u8 = 0x13;
    pub const IA5_STRING: u8 = 0x16;
    pub const UTC_TIME: u8 = 0x17;
    pub const GENERALIZED_TIME: u8 = 0x18;
    pub const BMP_STRING: u8 = 0x1e;
    pub const SEQUENCE: u8 = 0x30;
    pub const SET: u8 = 0x31;
}

/// One parsed TLV: its tag byte, its content, and the whole encoding (tag + length + content).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub content: &'a [u8],
    pub raw: &'a [u8],
}

/// Reads one TLV from the front of `input`; returns it and the rest. Only single-byte tags
/// and definite lengths (as DER requires) are accepted.
pub fn read_tlv(input: &[u8]) -> Option<(Tlv<'_>, &[u8])> {
    let tag = *input.first()?;
    if tag & 0x1f == 0x1f {
        return None; // multi-byte tag numbers never occur in the structures we read
    }
    let first = *input.get(1)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        if n == 0 || n > 4 {
            return None; // indefinite length or absurdly long
        }
        let bytes = input.get(2..2 + n)?;
        if bytes[0] == 0 {
            return None; // non-minimal length
        }
        let mut len = 0usize;
        for b in bytes {
            len = len.checked_mul(256)?.checked_add(usize::from(*b))?;
        }
        if len < 0x80 {
            return None; // non-minimal length
        }
        (len, 2 + n)
    };
    let end = header.checked_add(len)?;
    let raw = input.get(..end)?;
    let content = raw.get(header..)?;
    Some((Tlv { tag, content, raw }, input.get(end..)?))
}

/// Reads exactly one TLV occupying all of `input`.
pub fn read_single(input: &[u8]) -> Option<Tlv<'_>> {
    let (tlv, rest) = read_tlv(input)?;
    rest.is_empty().then_some(tlv)
}

/// Iterates the TLVs inside a constructed value's content.
pub struct Items<'a> {
    rest: &'a [u8],
    failed: bool,
}

impl<'a> Items<'a> {
    pub fn new(content: &'a [u8]) -> Self {
        Items {
            rest: content,
            failed: false,
        }
    }

    /// Returns the next item, requiring `tag`.
    pub fn expect(&mut self, tag: u8) -> Option<Tlv<'a>> {
        let item = self.next()?;
        (item.tag == tag).then_some(item)
    }

    /// Returns the next item only if it has `tag` (for OPTIONAL fields); otherwise leaves it.
    pub fn optional(&mut self, tag: u8) -> Option<Tlv<'a>> {
        if *self.rest.first()? == tag {
            self.next()
        } else {
            None
        }
    }

    /// True when every item was consumed and none was malformed.
    pub fn finished_cleanly(&self) -> bool {
        self.rest.is_empty() && !self.failed
    }
}

impl<'a> Iterator for Items<'a> {
    type Item = Tlv<'a>;

    fn next(&mut self) -> Option<Tlv<'a>> {
        if self.rest.is_empty() || self.failed {
            return None;
        }
        match read_tlv(self.rest) {
            Some((tlv, rest)) => {
                self.rest = rest;
                Some(tlv)
            }
            None => {
                self.failed = true;
                None
            }
        }
    }
}

/// Collects all items of a constructed value, failing if any is malformed.
pub fn items(content: &[u8]) -> Option<Vec<Tlv<'_>>> {
    let mut it = Items::new(content);
    let out: Vec<Tlv<'_>> = it.by_ref().collect();
    it.finished_cleanly().then_some(out)
}

/// Decodes an OBJECT IDENTIFIER's content into dotted form.
pub fn oid_to_string(content: &[u8]) -> Option<String> {
    if content.is_empty() || content.len() > 128 {
        return None;
    }
    let mut arcs: Vec<u64> = Vec::new();
    let mut value: u64 = 0;
    let mut fresh = true;
    for &b in content {
        if fresh && b == 0x80 {
            return None; // non-minimal arc
        }
        value = value.checked_mul(128)?.checked_add(u64::from(b & 0x7f))?;
        fresh = b & 0x80 == 0;
        if fresh {
            arcs.push(value);
            value = 0;
        }
    }
    if !fresh {
        return None;
    }
    let first = *arcs.first()?;
    let (a, b) = if first < 40 {
        (0, first)
    } else if first < 80 {
        (1, first - 40)
    } else {
        (2, first - 80)
    };
    let mut s = format!("{a}.{b}");
    for arc in &arcs[1..] {
        s.push('.');
        s.push_str(&arc.to_string());
    }
    Some(s)
}

/// Encodes a dotted OID into its content bytes; `None` for an invalid OID text.
pub fn oid_from_string(text: &str) -> Option<Vec<u8>> {
    let arcs: Vec<u64> = text
        .split('.')
        .map(|p| p.parse::<u64>().ok())
        .collect::<Option<_>>()?;
    if arcs.len() < 2 || arcs[0] > 2 || (arcs[0] < 2 && arcs[1] >= 40) {
        return None;
    }
    let mut out = Vec::new();
    let first = arcs[0].checked_mul(40)?.checked_add(arcs[1])?;
    for arc in std::iter::once(first).chain(arcs[2..].iter().copied()) {
        let mut chunk = vec![(arc & 0x7f) as u8];
        let mut v = arc >> 7;
        while v > 0 {
            chunk.push(((v & 0x7f) as u8) | 0x80);
            v >>= 7;
        }
        chunk.reverse();
        out.extend(chunk);
    }
    Some(out)
}

/// Decodes a directory-string value (PrintableString, UTF8String, IA5String; BMPString too).
pub fn directory_string(tlv: &Tlv<'_>) -> Option<String> {
    match tlv.tag {
        tag::PRINTABLE_STRING | tag::IA5_STRING => {
            let s = std::str::from_utf8(tlv.content).ok()?;
            s.is_ascii().then(|| s.to_owned())
        }
        tag::UTF8_STRING => std::str::from_utf8(tlv.content).ok().map(str::to_owned),
        tag::BMP_STRING => {
            if !tlv.content.len().is_multiple_of(2) {
                return None;
            }
            let units: Vec<u16> = tlv
                .content
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16(&units).ok()
        }
        _ => None,
    }
}

/// Encodes one TLV.
pub fn encode(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(content.len() + 6);
    out.push(tag);
    let len = content.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(content);
    out
}

/// Encodes a constructed value from already-encoded parts.
pub fn encode_parts(tag: u8, parts: &[&[u8]]) -> Vec<u8> {
    encode(tag, &parts.concat())
}

/// Encodes a dotted OID as a full TLV; `None` for invalid text.
pub fn encode_oid(text: &str) -> Option<Vec<u8>> {
    oid_from_string(text).map(|c| encode(tag::OID, &c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oid_round_trips() {
        for oid in ["2.16.886.1.100.2.51", "1.2.840.113549.1.1.11", "2.5.29.9"] {
            let enc = oid_from_string(oid).unwrap();
            assert_eq!(oid_to_string(&enc).unwrap(), oid);
        }
    }

    #[test]
    fn rejects_truncated_and_indefinite() {
        assert!(read_tlv(&[0x30, 0x05, 0x01]).is_none());
        assert!(read_tlv(&[0x30, 0x80, 0x00, 0x00]).is_none());
        assert!(read_tlv(&[0x30, 0x81, 0x05, 0, 0, 0, 0, 0]).is_none()); // non-minimal
        assert!(read_tlv(&[]).is_none());
    }

    #[test]
    fn long_lengths_encode_and_parse() {
        let content = vec![7u8; 300];
        let enc = encode(tag::OCTET_STRING, &content);
        let tlv = read_single(&enc).unwrap();
        assert_eq!(tlv.content, &content[..]);
    }
}
