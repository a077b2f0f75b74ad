//! Time conversions between OpenSSL ASN.1 times, DER UTCTime/GeneralizedTime and Unix seconds.

use openssl::asn1::{Asn1Time, Asn1TimeRef};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// Unix seconds of an OpenSSL time; `None` if OpenSSL cannot compute the difference.
pub fn asn1_to_unix(t: &Asn1TimeRef) -> Option<i64> {
    let epoch = Asn1Time::from_unix(0).ok()?;
    let diff = epoch.diff(t).ok()?;
    Some(i64::from(diff.days) * 86_400 + i64::from(diff.secs))
}

/// RFC 3339 text of Unix seconds (UTC).
pub fn unix_to_rfc3339(secs: i64) -> String {
    OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| secs.to_string())
}

/// Current Unix seconds.
pub fn now_unix() -> i64 {
    OffsetDateTime::now_utc().unix_timestamp()
}

/// Parses a DER GeneralizedTime (`YYYYMMDDHHMMSS[.f]Z`) or UTCTime (`YYMMDDHHMMSSZ`) content.
pub fn der_time_to_unix(tag: u8, content: &[u8]) -> Option<i64> {
    let s = std::str::from_utf8(content).ok()?;
    let s = s.strip_suffix('Z')?;
    let (year, rest) = match tag {
        crate::der::tag::GENERALIZED_TIME => (s.get(0..4)?.parse::<i32>().ok()?, s.get(4..)?),
        crate::der::tag::UTC_TIME => {
            let yy = s.get(0..2)?.parse::<i32>().ok()?;
            (if yy >= 50 { 1900 + yy } else { 2000 + yy }, s.get(2..)?)
        }
        _ => return None,
    };
    let rest = rest.split('.').next()?;
    if rest.len() != 10 || !rest.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let num = |r: std::ops::Range<usize>| rest.get(r).and_then(|x| x.parse::<u8>().ok());
    let month = time::Month::try_from(num(0..2)?).ok()?;
    let date = time::Date::from_calendar_date(year, month, num(2..4)?).ok()?;
    let t = time::Time::from_hms(num(4..6)?, num(6..8)?, num(8..10)?).ok()?;
    Some(date.with_time(t).assume_utc().unix_timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_der_times() {
        assert_eq!(der_time_to_unix(0x18, b"19700101000010Z"), Some(10));
        assert_eq!(der_time_to_unix(0x17, b"700101000010Z"), Some(10));
        assert_eq!(der_time_to_unix(0x18, b"1970010100001Z"), None);
        let t = Asn1Time::from_unix(1_700_000_000).unwrap();
        assert_eq!(asn1_to_unix(&t), Some(1_700_000_000));
    }
}
