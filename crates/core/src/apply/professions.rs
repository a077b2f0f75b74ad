//! The medical professions (醫事人員) of §2 of 醫事人員執業登記及繼續教育辦法 — 醫師, 護理師,
//! 藥師, … 27 in all — each with a stable ASCII code stored in applications and its names in
//! Chinese and English. The list is data (`crates/core/data/medical-professions.toml`),
//! embedded in the binary and read once.

use crate::Lang;
use crate::ids::fold_ascii;
use serde::{Deserialize, Serialize};
use std::collections::HashSet;
use std::sync::LazyLock;

/// The embedded list.
const SOURCE: &str = include_str!("../../data/medical-professions.toml");

/// A medical profession.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Profession {
    /// Stable ASCII code stored in applications: "physician", "professional_nurse".
    pub code: String,
    /// The title used in the law: 「醫師」, 「護理師」.
    pub zh: String,
    /// English name: "Physician", "Registered Professional Nurse".
    pub en: String,
}

impl Profession {
    /// The name in `lang`.
    pub fn name(&self, lang: Lang) -> &str {
        match lang {
            Lang::ZhTw => &self.zh,
            Lang::En => &self.en,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ListFile {
    profession: Vec<Profession>,
}

/// Reads and checks a list: codes are non-empty lowercase ASCII words joined by `_`, and
/// neither codes nor Chinese names repeat.
fn load(source: &str) -> Result<Vec<Profession>, String> {
    let list = toml::from_str::<ListFile>(source)
        .map_err(|e| e.to_string())?
        .profession;
    let mut codes = HashSet::new();
    let mut names = HashSet::new();
    for p in &list {
        let well_formed = !p.code.is_empty()
            && p.code
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if !well_formed {
            return Err(format!("malformed code `{}`", p.code));
        }
        if p.zh.trim().is_empty() || p.en.trim().is_empty() {
            return Err(format!("`{}` lacks a name", p.code));
        }
        if !codes.insert(p.code.as_str()) || !names.insert(p.zh.as_str()) {
            return Err(format!("`{}` ({}) is listed twice", p.code, p.zh));
        }
    }
    Ok(list)
}

/// The list, read on first use. A broken embedded file would give an empty list; the tests
/// below make sure the shipped file is not broken.
static ALL: LazyLock<Vec<Profession>> = LazyLock::new(|| load(SOURCE).unwrap_or_default());

/// Every profession, in the order of the data file.
pub fn all() -> &'static [Profession] {
    &ALL
}

/// The profession with this code ("physician", any letter case), Chinese name (「醫師」) or
/// English name ("physician"); full-width forms and surrounding spaces are folded.
pub fn find(code_or_name: &str) -> Option<&'static Profession> {
    let s = fold_ascii(code_or_name);
    if s.is_empty() {
        return None;
    }
    all()
        .iter()
        .find(|p| p.code.eq_ignore_ascii_case(&s) || p.zh == s || p.en.eq_ignore_ascii_case(&s))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_list_is_the_27_professions_of_the_regulation() {
        let list = load(SOURCE).unwrap();
        assert_eq!(list.len(), 27);
        assert_eq!(all(), list.as_slice());
        let zh: Vec<&str> = all().iter().map(|p| p.zh.as_str()).collect();
        assert_eq!(
            zh.join("、"),
            "醫師、中醫師、牙醫師、藥師、藥劑生、護理師、護士、助產師、助產士、營養師、\
             物理治療師、物理治療生、職能治療師、職能治療生、醫事檢驗師、醫事檢驗生、\
             醫事放射師、醫事放射士、呼吸治療師、臨床心理師、諮商心理師、語言治療師、\
             聽力師、牙體技術師、牙體技術生、驗光師、驗光生"
        );
        let codes: HashSet<&str> = all().iter().map(|p| p.code.as_str()).collect();
        assert_eq!(codes.len(), 27);
        let en: HashSet<&str> = all().iter().map(|p| p.en.as_str()).collect();
        assert_eq!(en.len(), 27);
        assert!(all().iter().all(|p| p.en.is_ascii()));
    }

    #[test]
    fn finds_by_code_or_name() {
        let physician = find("physician").unwrap();
        assert_eq!(physician.zh, "醫師");
        assert_eq!(physician.name(Lang::En), "Physician");
        assert_eq!(find("醫師"), Some(physician));
        assert_eq!(find(" PHYSICIAN "), Some(physician));
        let nurse = find("護理師").unwrap();
        assert_eq!(nurse.code, "professional_nurse");
        assert_eq!(nurse.name(Lang::ZhTw), "護理師");
        assert_eq!(find("nurse").map(|p| p.zh.as_str()), Some("護士"));
        assert_eq!(find("Registered Professional Nurse"), Some(nurse));
        assert_eq!(
            find("chinese_medicine_physician").map(|p| p.zh.as_str()),
            Some("中醫師")
        );
        for unknown in ["", "  ", "醫", "獸醫師", "doctor", "physicians"] {
            assert_eq!(find(unknown), None, "{unknown}");
        }
    }

    #[test]
    fn broken_lists_are_refused() {
        for bad in [
            "profession = 1",
            "[[profession]]\ncode = \"x\"\nzh = \"甲\"\n",
            "[[profession]]\ncode = \"Bad Code\"\nzh = \"甲\"\nen = \"A\"\n",
            "[[profession]]\ncode = \"a\"\nzh = \"甲\"\nen = \"A\"\n\
             [[profession]]\ncode = \"a\"\nzh = \"乙\"\nen = \"B\"\n",
            "[[profession]]\ncode = \"a\"\nzh = \"甲\"\nen = \"A\"\n\
             [[profession]]\ncode = \"b\"\nzh = \"甲\"\nen = \"B\"\n",
            "[[profession]]\ncode = \"a\"\nzh = \"甲\"\nen = \"A\"\nextra = 1\n",
        ] {
            assert!(load(bad).is_err(), "{bad}");
        }
    }
}
