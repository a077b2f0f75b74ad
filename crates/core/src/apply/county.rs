//! The 22 counties and cities (縣市) of Taiwan: their names in Chinese and English, the
//! administrative codes of the Ministry of the Interior (內政部), and reading them from what
//! people type — 「台北市」 as well as 「臺北市」, "taipei city", 「63000」 — or from the start
//! of an address.

use crate::Lang;
use crate::ids::fold_ascii;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A county or city (縣市), in the official order (six special municipalities, then the
/// provincial cities, then the counties). Serialized as its Chinese name, e.g. 「臺北市」.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum County {
    /// 臺北市.
    TaipeiCity,
    /// 新北市.
    NewTaipeiCity,
    /// 桃園市.
    TaoyuanCity,
    /// 臺中市.
    TaichungCity,
    /// 臺南市.
    TainanCity,
    /// 高雄市.
    KaohsiungCity,
    /// 基隆市.
    KeelungCity,
    /// 新竹市.
    HsinchuCity,
    /// 嘉義市.
    ChiayiCity,
    /// 新竹縣.
    HsinchuCounty,
    /// 苗栗縣.
    MiaoliCounty,
    /// 彰化縣.
    ChanghuaCounty,
    /// 南投縣.
    NantouCounty,
    /// 雲林縣.
    YunlinCounty,
    /// 嘉義縣.
    ChiayiCounty,
    /// 屏東縣.
    PingtungCounty,
    /// 宜蘭縣.
    YilanCounty,
    /// 花蓮縣.
    HualienCounty,
    /// 臺東縣.
    TaitungCounty,
    /// 澎湖縣.
    PenghuCounty,
    /// 金門縣.
    KinmenCounty,
    /// 連江縣.
    LienchiangCounty,
}

const REQUIRED: &str = "apply_county_required";
const INVALID: &str = "apply_county_invalid";

/// Counties whose names were retired when they merged into (or became) special
/// municipalities (2010, 2014); old addresses still carry them.
const FORMER: [(&str, County); 5] = [
    ("臺北縣", County::NewTaipeiCity),
    ("桃園縣", County::TaoyuanCity),
    ("臺中縣", County::TaichungCity),
    ("臺南縣", County::TainanCity),
    ("高雄縣", County::KaohsiungCity),
];

impl County {
    /// Every county and city in the official order.
    pub const ALL: [County; 22] = [
        County::TaipeiCity,
        County::NewTaipeiCity,
        County::TaoyuanCity,
        County::TaichungCity,
        County::TainanCity,
        County::KaohsiungCity,
        County::KeelungCity,
        County::HsinchuCity,
        County::ChiayiCity,
        County::HsinchuCounty,
        County::MiaoliCounty,
        County::ChanghuaCounty,
        County::NantouCounty,
        County::YunlinCounty,
        County::ChiayiCounty,
        County::PingtungCounty,
        County::YilanCounty,
        County::HualienCounty,
        County::TaitungCounty,
        County::PenghuCounty,
        County::KinmenCounty,
        County::LienchiangCounty,
    ];

    /// (Chinese name, English name, 內政部 administrative code).
    fn info(self) -> (&'static str, &'static str, &'static str) {
        match self {
            County::TaipeiCity => ("臺北市", "Taipei City", "63000"),
            County::NewTaipeiCity => ("新北市", "New Taipei City", "65000"),
            County::TaoyuanCity => ("桃園市", "Taoyuan City", "68000"),
            County::TaichungCity => ("臺中市", "Taichung City", "66000"),
            County::TainanCity => ("臺南市", "Tainan City", "67000"),
            County::KaohsiungCity => ("高雄市", "Kaohsiung City", "64000"),
            County::KeelungCity => ("基隆市", "Keelung City", "10017"),
            County::HsinchuCity => ("新竹市", "Hsinchu City", "10018"),
            County::ChiayiCity => ("嘉義市", "Chiayi City", "10020"),
            County::HsinchuCounty => ("新竹縣", "Hsinchu County", "10004"),
            County::MiaoliCounty => ("苗栗縣", "Miaoli County", "10005"),
            County::ChanghuaCounty => ("彰化縣", "Changhua County", "10007"),
            County::NantouCounty => ("南投縣", "Nantou County", "10008"),
            County::YunlinCounty => ("雲林縣", "Yunlin County", "10009"),
            County::ChiayiCounty => ("嘉義縣", "Chiayi County", "10010"),
            County::PingtungCounty => ("屏東縣", "Pingtung County", "10013"),
            County::YilanCounty => ("宜蘭縣", "Yilan County", "10002"),
            County::HualienCounty => ("花蓮縣", "Hualien County", "10015"),
            County::TaitungCounty => ("臺東縣", "Taitung County", "10014"),
            County::PenghuCounty => ("澎湖縣", "Penghu County", "10016"),
            County::KinmenCounty => ("金門縣", "Kinmen County", "09020"),
            County::LienchiangCounty => ("連江縣", "Lienchiang County", "09007"),
        }
    }

    /// The official Chinese name, with 臺: 「臺北市」.
    pub fn name_zh(self) -> &'static str {
        self.info().0
    }

    /// The official English name: "Taipei City".
    pub fn name_en(self) -> &'static str {
        self.info().1
    }

    /// The Ministry of the Interior's administrative code: "63000" (臺北市), "09020" (金門縣).
    pub fn code(self) -> &'static str {
        self.info().2
    }

    /// The name in `lang`.
    pub fn name(self, lang: Lang) -> &'static str {
        match lang {
            Lang::ZhTw => self.name_zh(),
            Lang::En => self.name_en(),
        }
    }

    /// Reads a county typed or chosen on a form: the Chinese name (「台」 for 「臺」 and spaces
    /// allowed, full-width forms folded), the English name in any letter case, or the
    /// administrative code. Errors: `apply_county_required` (blank), `apply_county_invalid`.
    pub fn parse(input: &str) -> Result<County, &'static str> {
        let s = fold_ascii(input);
        if s.is_empty() {
            return Err(REQUIRED);
        }
        let zh: String = s
            .chars()
            .filter(|c| !c.is_whitespace())
            .map(|c| if c == '台' { '臺' } else { c })
            .collect();
        let en = s.split_whitespace().collect::<Vec<_>>().join(" ");
        County::ALL
            .into_iter()
            .find(|c| c.name_zh() == zh || c.name_en().eq_ignore_ascii_case(&en) || c.code() == s)
            .ok_or(INVALID)
    }

    /// The county an address starts with: 「台北市中正區重慶南路一段122號」 → 臺北市. A leading
    /// postal code (「100臺北市…」), spaces and the province (「臺灣省」, 「福建省」) are skipped,
    /// and the counties merged into special municipalities still count (「臺北縣板橋市…」 →
    /// 新北市). `None` when the address starts with no county.
    pub fn from_address(address: &str) -> Option<County> {
        let folded: String = fold_ascii(address)
            .chars()
            .map(|c| if c == '台' { '臺' } else { c })
            .collect();
        let mut rest = folded.trim_start_matches(|c: char| c.is_ascii_digit() || c.is_whitespace());
        for province in ["臺灣省", "福建省"] {
            if let Some(r) = rest.strip_prefix(province) {
                rest = r.trim_start();
            }
        }
        County::ALL
            .into_iter()
            .find(|c| rest.starts_with(c.name_zh()))
            .or_else(|| {
                FORMER
                    .into_iter()
                    .find(|(name, _)| rest.starts_with(name))
                    .map(|(_, c)| c)
            })
    }
}

impl std::fmt::Display for County {
    /// The Chinese name.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name_zh())
    }
}

impl std::str::FromStr for County {
    type Err = &'static str;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        County::parse(s)
    }
}

impl Serialize for County {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name_zh())
    }
}

impl<'de> Deserialize<'de> for County {
    /// Accepts whatever [`County::parse`] accepts.
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        County::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn all_22_in_official_order_with_distinct_names_and_codes() {
        let zh: Vec<&str> = County::ALL.iter().map(|c| c.name_zh()).collect();
        assert_eq!(
            zh.concat(),
            "臺北市新北市桃園市臺中市臺南市高雄市基隆市新竹市嘉義市新竹縣苗栗縣彰化縣\
             南投縣雲林縣嘉義縣屏東縣宜蘭縣花蓮縣臺東縣澎湖縣金門縣連江縣"
        );
        for names in [
            County::ALL.map(County::name_zh),
            County::ALL.map(County::name_en),
            County::ALL.map(County::code),
        ] {
            assert_eq!(names.iter().collect::<HashSet<_>>().len(), 22);
        }
        // Ordering follows the official order.
        let mut sorted = County::ALL;
        sorted.sort();
        assert_eq!(sorted, County::ALL);
        assert!(County::TaipeiCity < County::LienchiangCounty);
    }

    #[test]
    fn parses_chinese_english_and_codes() {
        for c in County::ALL {
            assert_eq!(County::parse(c.name_zh()), Ok(c));
            assert_eq!(County::parse(c.name_en()), Ok(c));
            assert_eq!(County::parse(&c.name_en().to_uppercase()), Ok(c));
            assert_eq!(County::parse(c.code()), Ok(c));
            assert_eq!(c.to_string().parse::<County>(), Ok(c));
        }
        assert_eq!(County::parse("台北市"), Ok(County::TaipeiCity));
        assert_eq!(County::parse("台中市"), Ok(County::TaichungCity));
        assert_eq!(County::parse("台南市"), Ok(County::TainanCity));
        assert_eq!(County::parse("台東縣"), Ok(County::TaitungCounty));
        assert_eq!(County::parse(" 臺 北 市 "), Ok(County::TaipeiCity));
        assert_eq!(
            County::parse("  new   taipei CITY "),
            Ok(County::NewTaipeiCity)
        );
        assert_eq!(County::parse("０９０２０"), Ok(County::KinmenCounty));
        assert_eq!(County::parse("10004"), Ok(County::HsinchuCounty));
        assert_eq!(County::parse("10018"), Ok(County::HsinchuCity));
    }

    #[test]
    fn rejects_blank_and_unknown() {
        assert_eq!(County::parse(""), Err("apply_county_required"));
        assert_eq!(County::parse(" 　"), Err("apply_county_required"));
        for bad in [
            "臺北",
            "新竹",
            "Taipei",
            "北京市",
            "9020",
            "630000",
            "臺北縣",
            "x",
        ] {
            assert_eq!(County::parse(bad), Err("apply_county_invalid"), "{bad}");
        }
    }

    #[test]
    fn names_in_each_language() {
        assert_eq!(County::TaipeiCity.name(Lang::ZhTw), "臺北市");
        assert_eq!(County::TaipeiCity.name(Lang::En), "Taipei City");
        assert_eq!(County::LienchiangCounty.code(), "09007");
    }

    #[test]
    fn serializes_as_the_chinese_name() {
        let json = serde_json::to_string(&County::TaitungCounty).unwrap();
        assert_eq!(json, "\"臺東縣\"");
        let back: County = serde_json::from_str(&json).unwrap();
        assert_eq!(back, County::TaitungCounty);
        let lenient: County = serde_json::from_str("\"台東縣\"").unwrap();
        assert_eq!(lenient, County::TaitungCounty);
        assert!(serde_json::from_str::<County>("\"火星市\"").is_err());
    }

    #[test]
    fn finds_the_county_an_address_starts_with() {
        for (address, want) in [
            ("台北市中正區重慶南路一段122號", Some(County::TaipeiCity)),
            ("100臺北市中正區重慶南路一段122號", Some(County::TaipeiCity)),
            ("１００ 台北市中正區", Some(County::TaipeiCity)),
            ("新竹縣竹北市光明六路10號", Some(County::HsinchuCounty)),
            ("新竹市東區", Some(County::HsinchuCity)),
            ("臺灣省嘉義縣太保市", Some(County::ChiayiCounty)),
            ("福建省金門縣金城鎮", Some(County::KinmenCounty)),
            ("台北縣板橋市中山路一段161號", Some(County::NewTaipeiCity)),
            ("桃園縣桃園市", Some(County::TaoyuanCity)),
            ("中正區重慶南路一段122號", None),
            ("北京市東城區", None),
            ("臺北", None),
            ("", None),
        ] {
            assert_eq!(County::from_address(address), want, "{address}");
        }
    }
}
