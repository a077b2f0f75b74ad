//! Times as people-facing pages show them: in Asia/Taipei, the ROC calendar on zh-TW pages
//! (「115年12月07日」) and ISO-like dates on English ones, each with its RFC 3339 value for
//! `<time datetime>`, so that every page says a time one way and machines read the same
//! instant.

use std::fmt;

use tessera_core::lang::Lang;
use tessera_core::org::roc;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

/// A time ready for a page: `<time datetime="{{ w.iso }}">{{ w.text }}</time>`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct When {
    /// RFC 3339 (UTC); empty when the time is unknown.
    pub iso: String,
    /// The time in the page's language and style.
    pub text: String,
}

impl When {
    /// The date of `unix`.
    pub fn date(lang: Lang, unix: i64) -> Self {
        let text = match lang {
            Lang::En => roc::taipei_date(unix),
            _ => roc::roc_date(unix),
        };
        Self::of(unix, text)
    }

    /// `unix` to the minute.
    pub fn minute(lang: Lang, unix: i64) -> Self {
        let text = match lang {
            Lang::En => roc::taipei_datetime(unix),
            _ => roc::roc_minute(unix),
        };
        Self::of(unix, text)
    }

    /// The date of an RFC 3339 time from a use case's view; empty for anything else.
    pub fn date_of(lang: Lang, rfc3339: &str) -> Self {
        OffsetDateTime::parse(rfc3339.trim(), &Rfc3339)
            .map(|t| Self::date(lang, t.unix_timestamp()))
            .unwrap_or_default()
    }

    fn of(unix: i64, text: Option<String>) -> Self {
        Self {
            iso: tessera_app::text::rfc3339(unix).unwrap_or_default(),
            text: text.unwrap_or_default(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }
}

impl fmt::Display for When {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn zh_tw_pages_get_roc_dates_and_english_ones_iso_dates_of_taipei() {
        // 2022-11-14 16:30 UTC is 11月15日 in Taipei.
        let t = 1_668_443_400;
        let zh = When::date(Lang::ZhTw, t);
        assert_eq!(zh.text, "111年11月15日");
        assert_eq!(zh.iso, "2022-11-14T16:30:00Z");
        assert_eq!(When::date(Lang::En, t).text, "2022-11-15");
        assert_eq!(When::minute(Lang::ZhTw, t).text, "111年11月15日00點30分");
        assert_eq!(
            When::date_of(Lang::ZhTw, "2022-11-14T16:30:00Z"),
            When::date(Lang::ZhTw, t)
        );
        assert!(When::date_of(Lang::ZhTw, "not a time").is_empty());
    }
}
