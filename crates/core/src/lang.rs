//! The two user-interface languages and their negotiation from an `Accept-Language` header.
//! Traditional Chinese (Taiwan) is the default; English is chosen only when the client
//! prefers it over every Chinese variant.

use serde::{Deserialize, Serialize};

/// A user-interface language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub enum Lang {
    /// Traditional Chinese as used in Taiwan (the default).
    #[default]
    #[serde(rename = "zh-TW")]
    ZhTw,
    /// English.
    #[serde(rename = "en")]
    En,
}

impl Lang {
    /// Every supported language, default first.
    pub const ALL: [Lang; 2] = [Lang::ZhTw, Lang::En];

    /// Negotiates from an HTTP `Accept-Language` header value. English wins only when its
    /// best q-value is higher than that of any Chinese range (ties go to the one listed
    /// first); anything unparseable or absent yields zh-TW.
    pub fn from_accept_language(header: &str) -> Lang {
        // (q in thousandths, position) of the best English and Chinese ranges.
        let mut best_en: Option<(u16, usize)> = None;
        let mut best_zh: Option<(u16, usize)> = None;
        for (pos, item) in header.split(',').enumerate() {
            let mut parts = item.split(';');
            let tag = parts.next().unwrap_or("").trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .map(parse_q)
                .next()
                .unwrap_or(Some(1000));
            let Some(q) = q else { continue };
            if q == 0 {
                continue;
            }
            let primary = tag.split('-').next().unwrap_or("");
            let slot = match primary {
                "en" => &mut best_en,
                "zh" => &mut best_zh,
                _ => continue,
            };
            if slot.is_none_or(|(best_q, _)| q > best_q) {
                *slot = Some((q, pos));
            }
        }
        match (best_en, best_zh) {
            (Some(_), None) => Lang::En,
            (Some((qe, pe)), Some((qz, pz))) if qe > qz || (qe == qz && pe < pz) => Lang::En,
            _ => Lang::ZhTw,
        }
    }

    /// Parses a language tag chosen explicitly (query parameter, cookie): `en…` is English,
    /// `zh…` is zh-TW, anything else is `None`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let tag = tag.trim().to_ascii_lowercase();
        let primary = tag.split(['-', '_']).next().unwrap_or("");
        match primary {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::ZhTw),
            _ => None,
        }
    }

    /// The BCP 47 tag used in URLs, cookies and `Content-Language`: "zh-TW" or "en".
    pub fn as_str(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-TW",
            Lang::En => "en",
        }
    }

    /// The value for `<html lang>`: "zh-Hant-TW" or "en".
    pub fn html_lang(self) -> &'static str {
        match self {
            Lang::ZhTw => "zh-Hant-TW",
            Lang::En => "en",
        }
    }
}

impl std::fmt::Display for Lang {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses a q-value ("0", "0.8", "1.000") into thousandths; `None` when malformed.
fn parse_q(s: &str) -> Option<u16> {
    let s = s.trim();
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    if frac.len() > 3 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let int: u16 = match int {
        "0" => 0,
        "1" => 1,
        _ => return None,
    };
    let mut thousandths = 0u16;
    for (i, b) in frac.bytes().enumerate() {
        thousandths += u16::from(b - b'0') * [100, 10, 1][i];
    }
    let q = int * 1000 + thousandths;
    (q <= 1000).then_some(q)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_to_zh_tw() {
        assert_eq!(Lang::from_accept_language(""), Lang::ZhTw);
        assert_eq!(Lang::from_accept_language("garbage;;;"), Lang::ZhTw);
        assert_eq!(Lang::from_accept_language("fr-FR,de;q=0.9"), Lang::ZhTw);
        assert_eq!(Lang::default(), Lang::ZhTw);
    }

    #[test]
    fn picks_english_when_preferred() {
        assert_eq!(Lang::from_accept_language("en-US,en;q=0.9"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("en-US,en;q=0.9,zh-TW;q=0.8"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("fr, en;q=0.5"), Lang::En);
        assert_eq!(
            Lang::from_accept_language("zh-TW;q=0.3, EN-GB;q=0.7"),
            Lang::En
        );
    }

    #[test]
    fn chinese_wins_when_preferred_or_tied_first() {
        assert_eq!(
            Lang::from_accept_language("zh-TW,zh;q=0.9,en-US;q=0.8"),
            Lang::ZhTw
        );
        assert_eq!(Lang::from_accept_language("zh-CN,en"), Lang::ZhTw);
        assert_eq!(
            Lang::from_accept_language("en;q=0.5,zh-Hant;q=0.5"),
            Lang::En
        );
        assert_eq!(Lang::from_accept_language("zh;q=0.5,en;q=0.5"), Lang::ZhTw);
    }

    #[test]
    fn ignores_rejected_and_malformed_ranges() {
        assert_eq!(Lang::from_accept_language("en;q=0"), Lang::ZhTw);
        assert_eq!(Lang::from_accept_language("en;q=abc"), Lang::ZhTw);
        assert_eq!(Lang::from_accept_language("en;q=1.5"), Lang::ZhTw);
    }

    #[test]
    fn tags_and_html_lang() {
        assert_eq!(Lang::ZhTw.as_str(), "zh-TW");
        assert_eq!(Lang::En.as_str(), "en");
        assert_eq!(Lang::ZhTw.html_lang(), "zh-Hant-TW");
        assert_eq!(Lang::En.html_lang(), "en");
        assert_eq!(Lang::from_tag("en"), Some(Lang::En));
        assert_eq!(Lang::from_tag("zh_TW"), Some(Lang::ZhTw));
        assert_eq!(Lang::from_tag("ja"), None);
    }
}
