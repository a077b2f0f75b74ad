//! `[operator]` and `environment` of the configuration file: the operator's identity that citizens
//! see (`tessera_app::operator::Operator`) and whether this is a test environment, checked and
//! turned into settings. Images are read here, once, at start.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tessera_app::operator::{AccessibilityMark, Environment, Image, Localized, Operator};

use crate::config_error::ConfigError;

/// `[operator]`: every key optional; what is left out keeps the default.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorSection {
    /// The service's name (page titles, header, mail subjects), zh-TW and English.
    pub service_name: Option<String>,
    pub service_name_en: Option<String>,
    /// The agency that runs the site (footer, mail signature).
    pub agency: Option<String>,
    pub agency_en: Option<String>,
    pub address: Option<String>,
    pub address_en: Option<String>,
    /// 客服專線.
    pub phone: Option<String>,
    pub fax: Option<String>,
    /// 客服服務時間, e.g. 「週一至週五 08:30–17:30」.
    pub hours: Option<String>,
    pub hours_en: Option<String>,
    pub email: Option<String>,
    /// The main colour, `#rrggbb`.
    pub colour: Option<String>,
    /// A PNG, JPEG or WebP file shown in the header.
    pub logo: Option<PathBuf>,
    /// The accessibility mark's image and the address of its certificate page.
    pub accessibility_mark: Option<PathBuf>,
    pub accessibility_mark_url: Option<String>,
}

fn text(v: &Option<String>) -> String {
    v.as_deref().unwrap_or("").trim().to_string()
}

fn image(key: &'static str, path: &Path) -> Result<Image, ConfigError> {
    let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    Image::from_bytes(bytes).map_err(|e| ConfigError::Invalid {
        key,
        message: format!("{}: {e}", path.display()),
    })
}

/// The operator from `[operator]`, on top of the defaults.
pub fn operator(o: &OperatorSection) -> Result<Operator, ConfigError> {
    let mut op = Operator::default();
    if let Some(zh) = o.service_name.as_deref().filter(|s| !s.trim().is_empty()) {
        // A Chinese name alone stands for English too rather than leaving "Tessera" there.
        op.service_name = Localized::new(zh.trim(), &text(&o.service_name_en));
    } else if o.service_name_en.is_some() {
        return Err(ConfigError::Invalid {
            key: "operator.service_name_en",
            message: "needs operator.service_name (the zh-TW name) too".into(),
        });
    }
    op.agency = Localized::new(&text(&o.agency), &text(&o.agency_en));
    op.address = Localized::new(&text(&o.address), &text(&o.address_en));
    op.hours = Localized::new(&text(&o.hours), &text(&o.hours_en));
    op.phone = text(&o.phone);
    op.fax = text(&o.fax);
    op.email = text(&o.email);
    if !op.email.is_empty() && tessera_core::Email::parse(&op.email).is_err() {
        return Err(ConfigError::Invalid {
            key: "operator.email",
            message: "is not an email address".into(),
        });
    }
    if let Some(c) = &o.colour {
        op.colour =
            Some(
                tessera_app::operator::valid_colour(c).ok_or_else(|| ConfigError::Invalid {
                    key: "operator.colour",
                    message: "must be # and six hex digits, e.g. #0b5394".into(),
                })?,
            );
    }
    if let Some(p) = &o.logo {
        op.logo = Some(image("operator.logo", p)?);
    }
    match (&o.accessibility_mark, &o.accessibility_mark_url) {
        (None, None) => {}
        (Some(p), Some(href)) => {
            let href = href.trim();
            if !href.starts_with("https://") || href.chars().any(|c| c.is_whitespace() || c == '"')
            {
                return Err(ConfigError::Invalid {
                    key: "operator.accessibility_mark_url",
                    message: "must be an https address".into(),
                });
            }
            op.accessibility_mark = Some(AccessibilityMark {
                image: image("operator.accessibility_mark", p)?,
                href: href.to_string(),
                alt: Localized::new("無障礙網站標章", "Accessibility mark"),
            });
        }
        _ => {
            return Err(ConfigError::Invalid {
                key: "operator.accessibility_mark",
                message: "needs both the image and accessibility_mark_url".into(),
            });
        }
    }
    Ok(op)
}

/// The environment: `environment` in the file or `TESSERA_ENVIRONMENT` (which wins); when
/// neither says, a demo is a test environment and anything else production. A production
/// environment refuses the demo's simulators (test certificates, the soft signer, demo people).
pub fn environment(file: Option<&str>, demo: bool) -> Result<Environment, ConfigError> {
    let named = std::env::var("TESSERA_ENVIRONMENT")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| file.map(str::to_string));
    let env = match named {
        Some(v) => Environment::parse(&v).ok_or_else(|| ConfigError::Invalid {
            key: "environment",
            message: format!("{v:?}: must be \"test\" or \"production\""),
        })?,
        None if demo => Environment::Test,
        None => Environment::Production,
    };
    if demo && !env.is_test() {
        return Err(ConfigError::Invalid {
            key: "environment",
            message: "production refuses the demo mode's simulators (test certificates, \
                      soft signer, demo people); use environment = \"test\""
                .into(),
        });
    }
    Ok(env)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn production_refuses_the_demo_and_a_demo_alone_is_a_test_environment() {
        assert_eq!(environment(None, true).ok(), Some(Environment::Test));
        assert_eq!(environment(None, false).ok(), Some(Environment::Production));
        assert_eq!(
            environment(Some("test"), false).ok(),
            Some(Environment::Test)
        );
        let err = environment(Some("production"), true).expect_err("refused");
        assert!(err.to_string().contains("production refuses"), "{err}");
        assert!(environment(Some("staging"), false).is_err());
    }

    #[test]
    fn the_operator_section_replaces_the_defaults_and_checks_its_values() {
        let dir = tempfile::tempdir().expect("tempdir");
        let logo = dir.path().join("logo.png");
        std::fs::write(&logo, b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
        let o = OperatorSection {
            service_name: Some("公務人員保障暨培訓委員會線上申辦".into()),
            agency: Some("公務人員保障暨培訓委員會".into()),
            phone: Some("(02) 8236-7000".into()),
            colour: Some("#7A1F1F".into()),
            logo: Some(logo),
            ..Default::default()
        };
        let op = operator(&o).expect("operator");
        assert_eq!(op.service_name.zh, "公務人員保障暨培訓委員會線上申辦");
        assert_eq!(
            op.service_name.get(tessera_core::lang::Lang::En),
            "公務人員保障暨培訓委員會線上申辦"
        );
        assert_eq!(op.colour.as_deref(), Some("#7a1f1f"));
        assert_eq!(op.logo.map(|l| l.content_type), Some("image/png"));

        let svg = dir.path().join("logo.svg");
        std::fs::write(&svg, "<svg><script>alert(1)</script></svg>").expect("write");
        for bad in [
            OperatorSection {
                colour: Some("red;}body{display:none".into()),
                ..Default::default()
            },
            OperatorSection {
                logo: Some(svg),
                ..Default::default()
            },
            OperatorSection {
                logo: Some(dir.path().join("missing.png")),
                ..Default::default()
            },
            OperatorSection {
                email: Some("not an address".into()),
                ..Default::default()
            },
            OperatorSection {
                accessibility_mark_url: Some("https://accessibility.moda.gov.tw/".into()),
                ..Default::default()
            },
            OperatorSection {
                service_name_en: Some("Only English".into()),
                ..Default::default()
            },
        ] {
            assert!(operator(&bad).is_err(), "{bad:?}");
        }
    }
}
