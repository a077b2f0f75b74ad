//! Who runs this site and in what kind of environment: the operator's identity that citizens see
//! (service name, agency, logo, colour, footer contacts, accessibility mark) and whether this
//! deployment is a test environment, where every page and every notice says that its data is
//! test data and where simulators of outside services may run.
//!
//! The defaults name Tessera; an operator who sets `[operator]` in the configuration replaces
//! every place a citizen would see that name (page titles, header, footer, mail subjects and
//! signatures, SMS).

use std::sync::Arc;

use tessera_core::lang::Lang;

/// What kind of deployment this is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Environment {
    /// Real people and real data: no simulators.
    #[default]
    Production,
    /// A test environment: a banner on every page and in every notice, simulators allowed.
    Test,
}

impl Environment {
    /// `"test"` or `"production"`; anything else is no environment.
    pub fn parse(s: &str) -> Option<Self> {
        match s.trim() {
            "test" => Some(Self::Test),
            "production" => Some(Self::Production),
            _ => None,
        }
    }

    pub fn is_test(self) -> bool {
        self == Self::Test
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Test => "test",
            Self::Production => "production",
        }
    }
}

/// The test environment's notice (001 §一), on every page and at the top of every mail.
pub fn test_banner(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "Test environment: all data here is test data.",
        _ => "測試環境：所有資料均為測試資料",
    }
}

/// A text in zh-TW and English; the English falls back to the zh-TW when the operator gave
/// none.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Localized {
    pub zh: String,
    pub en: String,
}

impl Localized {
    pub fn new(zh: &str, en: &str) -> Self {
        Self {
            zh: zh.to_string(),
            en: en.to_string(),
        }
    }

    /// The text in `lang`, or the zh-TW one when there is no English.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En if !self.en.trim().is_empty() => &self.en,
            _ => &self.zh,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.zh.trim().is_empty() && self.en.trim().is_empty()
    }
}

/// An image the operator supplies (the logo, the accessibility mark), read once at start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Image {
    /// `image/png`, `image/jpeg` or `image/webp`, from the file's own first bytes.
    pub content_type: &'static str,
    pub bytes: Arc<[u8]>,
}

/// Why an operator's image was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImageError {
    #[error("not a PNG, JPEG or WebP image")]
    NotAnImage,
    #[error("larger than {max} bytes")]
    TooLarge { max: usize },
}

impl Image {
    /// Largest image accepted (a logo or a mark, not a photograph).
    pub const MAX_BYTES: usize = 512 * 1024;

    /// The image in `bytes`, when they are a PNG, JPEG or WebP file of a sane size. SVG is not
    /// taken: it can carry script, and the site serves the file from its own origin.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, ImageError> {
        if bytes.len() > Self::MAX_BYTES {
            return Err(ImageError::TooLarge {
                max: Self::MAX_BYTES,
            });
        }
        let content_type = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "image/png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "image/jpeg"
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            "image/webp"
        } else {
            return Err(ImageError::NotAnImage);
        };
        Ok(Self {
            content_type,
            bytes: bytes.into(),
        })
    }
}

/// The operator's accessibility mark (無障礙標章): its image and the page that certifies it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessibilityMark {
    pub image: Image,
    /// The certificate's page (an `https` address).
    pub href: String,
    pub alt: Localized,
}

/// The operator's identity as citizens see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Operator {
    /// The service's name: page titles, the header, mail subjects.
    pub service_name: Localized,
    /// The agency that runs the site and collects the data (footer, mails, privacy statement).
    pub agency: Localized,
    pub address: Localized,
    /// 客服專線.
    pub phone: String,
    pub fax: String,
    /// 客服服務時間.
    pub hours: Localized,
    pub email: String,
    /// The main colour (`#rrggbb`) of links, buttons and the header line.
    pub colour: Option<String>,
    pub logo: Option<Image>,
    pub accessibility_mark: Option<AccessibilityMark>,
}

impl Default for Operator {
    fn default() -> Self {
        Self {
            service_name: Localized::new("Tessera 會員服務", "Tessera member services"),
            agency: Localized::default(),
            address: Localized::default(),
            phone: String::new(),
            fax: String::new(),
            hours: Localized::default(),
            email: String::new(),
            colour: None,
            logo: None,
            accessibility_mark: None,
        }
    }
}

impl Operator {
    /// The line under the footer's contacts: the agency, or (left at the defaults) the
    /// project's own description.
    pub fn footer_name(&self, lang: Lang) -> &str {
        if self.agency.is_empty() {
            match lang {
                Lang::En => "Tessera, an open-source e-government identity platform",
                _ => "Tessera 開放原始碼電子化政府身分平臺",
            }
        } else {
            self.agency.get(lang)
        }
    }

    /// The `tel:` link of the service desk's number (its digits and a leading `+`).
    pub fn phone_href(&self) -> String {
        let digits: String = self
            .phone
            .chars()
            .filter(|c| c.is_ascii_digit() || *c == '+')
            .collect();
        format!("tel:{digits}")
    }

    /// The tag in front of mail subjects and SMS texts: 【name】 or \[name\].
    pub fn tag(&self, lang: Lang) -> String {
        let name = self.service_name.get(lang);
        match lang {
            Lang::En => format!("[{name}]"),
            _ => format!("【{name}】"),
        }
    }

    /// The signature under every mail: the service, the agency and how to reach its desk.
    pub fn signature(&self, lang: Lang) -> String {
        let mut lines = vec![self.service_name.get(lang).to_string()];
        if !self.agency.is_empty() {
            lines.push(self.agency.get(lang).to_string());
        }
        let (phone, hours, mail) = match lang {
            Lang::En => ("Service desk", "Hours", "Email"),
            _ => ("客服專線", "服務時間", "電子信箱"),
        };
        if !self.phone.trim().is_empty() {
            lines.push(format!("{phone}: {}", self.phone));
        }
        if !self.hours.is_empty() {
            lines.push(format!("{hours}: {}", self.hours.get(lang)));
        }
        if !self.email.trim().is_empty() {
            lines.push(format!("{mail}: {}", self.email));
        }
        lines.join("\n")
    }
}

/// `s` when it is a colour the stylesheet can take as is: `#` and six hex digits.
pub fn valid_colour(s: &str) -> Option<String> {
    let s = s.trim();
    let hex = s.strip_prefix('#')?;
    (hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| s.to_ascii_lowercase())
}

/// `colour` (`#rrggbb`) a third darker: links' hover and pressed state.
pub fn darker(colour: &str) -> String {
    let hex = colour.trim_start_matches('#');
    let channel = |i: usize| {
        hex.get(i..i + 2)
            .and_then(|h| u8::from_str_radix(h, 16).ok())
            .map_or(0, |v| (u16::from(v) * 2 / 3) as u8)
    };
    format!("#{:02x}{:02x}{:02x}", channel(0), channel(2), channel(4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_zh_tw_when_the_operator_gave_none() {
        let l = Localized::new("衛生福利部", "");
        assert_eq!(l.get(Lang::En), "衛生福利部");
        let l = Localized::new("衛生福利部", "Ministry of Health and Welfare");
        assert_eq!(l.get(Lang::En), "Ministry of Health and Welfare");
        assert_eq!(l.get(Lang::ZhTw), "衛生福利部");
    }

    #[test]
    fn only_six_digit_colours_reach_the_stylesheet() {
        assert_eq!(valid_colour(" #1A5FB4 ").as_deref(), Some("#1a5fb4"));
        for bad in ["1a5fb4", "#1a5", "#1a5fb4;}body{x", "red", "#gggggg", ""] {
            assert_eq!(valid_colour(bad), None, "{bad}");
        }
    }

    #[test]
    fn the_darker_colour_keeps_the_hue() {
        assert_eq!(darker("#0b5394"), "#073762");
        assert_eq!(darker("#ffffff"), "#aaaaaa");
        assert_eq!(darker("#000000"), "#000000");
    }

    #[test]
    fn images_are_known_by_their_bytes_and_svg_is_refused() {
        let png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        assert_eq!(
            Image::from_bytes(png).map(|i| i.content_type),
            Ok("image/png")
        );
        assert_eq!(
            Image::from_bytes(vec![0xFF, 0xD8, 0xFF, 0xE0]).map(|i| i.content_type),
            Ok("image/jpeg")
        );
        let svg = br#"<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>"#;
        assert_eq!(Image::from_bytes(svg.to_vec()), Err(ImageError::NotAnImage));
        let mut big = b"\x89PNG\r\n\x1a\n".to_vec();
        big.resize(Image::MAX_BYTES + 1, 0);
        assert!(matches!(
            Image::from_bytes(big),
            Err(ImageError::TooLarge { .. })
        ));
    }

    #[test]
    fn the_defaults_name_tessera_and_an_operator_replaces_it() {
        let d = Operator::default();
        assert_eq!(d.tag(Lang::ZhTw), "【Tessera 會員服務】");
        assert!(d.footer_name(Lang::ZhTw).contains("Tessera"));
        let op = Operator {
            service_name: Localized::new("報備支援系統", "Support Report System"),
            agency: Localized::new(
                "臺北市政府衛生局",
                "Department of Health, Taipei City Government",
            ),
            phone: "(02) 2720-8889".into(),
            hours: Localized::new("週一至週五 08:30–17:30", "Mon–Fri 08:30–17:30"),
            ..Operator::default()
        };
        assert_eq!(op.tag(Lang::En), "[Support Report System]");
        let sig = op.signature(Lang::ZhTw);
        assert!(sig.contains("臺北市政府衛生局") && sig.contains("客服專線: (02) 2720-8889"));
        for lang in [Lang::ZhTw, Lang::En] {
            assert!(!op.tag(lang).contains("Tessera"));
            assert!(!op.signature(lang).contains("Tessera"));
            assert!(!op.footer_name(lang).contains("Tessera"));
        }
    }
}
