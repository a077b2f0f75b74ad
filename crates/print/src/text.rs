//! Text handling for the layout: cleaning input strings, mapping characters to glyphs of the
//! font (with fallback faces and a substitute for characters no face has), measuring them with
//! the font's real advances, and breaking them into lines that fit a width.
//!
//! There is no shaping engine: Traditional Chinese needs none (one character, one glyph), and
//! the Latin, digits and punctuation in forms read fine without kerning or ligatures. Unicode
//! variation selectors (ideographic variants of names) are honoured through the font's
//! `cmap` format 14.
//!
//! Line breaking is a small subset of UAX #14: a line may break after spaces and on either side
//! of an ideograph (or kana, hangul, full-width form), except before closing punctuation
//! (「，。」」…) and after opening punctuation (「「（」…); a word without a break opportunity that
//! is wider than the line is broken between any two characters.

use std::collections::HashMap;
use std::ops::Range;

use skrifa::charmap::{Charmap, MapVariant};
use skrifa::instance::{LocationRef, Size};
use skrifa::metrics::GlyphMetrics;

use crate::fonts::{Face, Fonts};

/// Cleans an input string: `\r\n` and `\r` become `\n`, a tab becomes a space, and every other
/// control character is dropped (it would draw nothing and confuse text extraction).
pub(crate) fn sanitize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' => out.push('\n'),
            '\t' => out.push(' '),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Like [`sanitize`], for single-line texts (header, footer, labels of a heading line): line
/// breaks become spaces.
pub(crate) fn sanitize_line(s: &str) -> String {
    sanitize(s).replace('\n', " ")
}

/// A glyph chosen for a character: which face, which glyph, and its advance in ems.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct GlyphChoice {
    pub(crate) face: usize,
    pub(crate) gid: u32,
    pub(crate) advance: f32,
}

/// One drawn glyph of a text, with the bytes of the text it stands for (its cluster: a character
/// plus any variation selector or combining marks that follow it).
#[derive(Clone, Debug)]
pub(crate) struct Unit {
    pub(crate) range: Range<usize>,
    pub(crate) glyph: GlyphChoice,
    /// A space: a break opportunity after it; not counted at the end of a line.
    pub(crate) space: bool,
    /// A line may start with this unit (there is a break opportunity before it).
    pub(crate) break_before: bool,
}

/// A text mapped to glyphs.
#[derive(Clone, Debug)]
pub(crate) struct Shaped {
    pub(crate) text: String,
    pub(crate) units: Vec<Unit>,
}

/// A line of a [`Shaped`] text: units `start..end`, its width in ems (trailing spaces excluded).
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Line {
    pub(crate) start: usize,
    pub(crate) end: usize,
    pub(crate) width: f32,
}

/// A face as read during one render: its character map and glyph advances.
struct FaceView<'a> {
    charmap: Charmap<'a>,
    metrics: GlyphMetrics<'a>,
    units_per_em: f32,
}

/// Maps characters to glyphs over the faces of a [`Fonts`], caching the answers for one render.
pub(crate) struct Shaper<'a> {
    faces: Vec<Option<FaceView<'a>>>,
    cache: HashMap<char, Option<GlyphChoice>>,
    /// What a character that no face has is drawn as.
    substitute: GlyphChoice,
}

impl<'a> Shaper<'a> {
    pub(crate) fn new(fonts: &'a Fonts) -> Shaper<'a> {
        let faces = fonts.face_list().iter().map(face_view).collect();
        let mut shaper = Shaper {
            faces,
            cache: HashMap::new(),
            substitute: GlyphChoice {
                face: 0,
                gid: 0,
                advance: 1.0,
            },
        };
        // The geta mark 〓 is the traditional stand-in for a character the type case lacks;
        // else a white square; else the font's .notdef glyph. The text behind it is still the
        // missing character (krilla writes it as the glyph's Unicode or as /ActualText).
        shaper.substitute = ['\u{3013}', '\u{25A1}']
            .into_iter()
            .find_map(|c| shaper.lookup_in(0, c))
            .unwrap_or_else(|| shaper.glyph_in(0, 0).unwrap_or(shaper.substitute));
        shaper
    }

    /// The glyph `gid` of face `face` with its advance, if the face is readable.
    fn glyph_in(&self, face: usize, gid: u32) -> Option<GlyphChoice> {
        let view = self.faces.get(face)?.as_ref()?;
        let advance = view
            .metrics
            .advance_width(skrifa::GlyphId::new(gid))
            .unwrap_or(0.0)
            / view.units_per_em;
        // A corrupt metric must not blow up the layout.
        let advance = if advance.is_finite() {
            advance.clamp(0.0, 4.0)
        } else {
            0.0
        };
        Some(GlyphChoice { face, gid, advance })
    }

    /// Glyph `gid` of `face` unless it is .notdef or beyond the font's glyphs (a `cmap` may
    /// point at virtual glyph ids that only a shaper knows; the subsetter must not see them).
    fn real_glyph(&self, face: usize, gid: u32) -> Option<GlyphChoice> {
        let view = self.faces.get(face)?.as_ref()?;
        if gid == 0 || gid >= view.metrics.glyph_count() {
            return None;
        }
        self.glyph_in(face, gid)
    }

    /// The glyph of `c` in face `face`, if it has one.
    fn lookup_in(&self, face: usize, c: char) -> Option<GlyphChoice> {
        let view = self.faces.get(face)?.as_ref()?;
        let gid = view.charmap.map(c)?.to_u32();
        self.real_glyph(face, gid)
    }

    /// The glyph of `c` in the first face that has one.
    fn lookup(&mut self, c: char) -> Option<GlyphChoice> {
        if let Some(&hit) = self.cache.get(&c) {
            return hit;
        }
        let found = (0..self.faces.len()).find_map(|face| self.lookup_in(face, c));
        self.cache.insert(c, found);
        found
    }

    /// The glyph of `c` followed by variation selector `vs`, in `face`, if the font defines one.
    fn lookup_variant(&self, face: usize, c: char, vs: char) -> Option<GlyphChoice> {
        let view = self.faces.get(face)?.as_ref()?;
        match view.charmap.map_variant(c, vs)? {
            MapVariant::Variant(gid) => self.real_glyph(face, gid.to_u32()),
            _ => None,
        }
    }

    /// Cleans `s` (see [`sanitize`]) and maps it to glyphs. Line breaks stay in the text but get
    /// no unit: [`Shaped::wrap`] splits at them.
    pub(crate) fn shape(&mut self, s: &str) -> Shaped {
        self.shape_clean(sanitize(s))
    }

    /// Like [`Shaper::shape`] for a one-line text.
    pub(crate) fn shape_line(&mut self, s: &str) -> Shaped {
        self.shape_clean(sanitize_line(s))
    }

    fn shape_clean(&mut self, text: String) -> Shaped {
        let mut units: Vec<Unit> = Vec::with_capacity(text.len() / 2);
        // The last character of the previous unit, for the break rules; `None` at the start of
        // a hard line.
        let mut prev: Option<char> = None;
        for (i, c) in text.char_indices() {
            let range = i..i + c.len_utf8();
            if c == '\n' {
                prev = None;
                continue;
            }
            // `prev` is `None` at the start of a hard line: nothing there to attach to. Nor is a
            // space, which is dropped at the end of a line.
            let attach = prev.is_some_and(|p| !is_space(p)) && !units.is_empty();
            if is_variation_selector(c) {
                if attach && let Some(last) = units.last_mut() {
                    // Part of the previous cluster: the text its glyph stands for grows, and the
                    // font may have a variant glyph for the pair (ideographic variation sequence).
                    let base = text[last.range.clone()].chars().next();
                    if let Some(variant) =
                        base.and_then(|b| self.lookup_variant(last.glyph.face, b, c))
                    {
                        last.glyph = variant;
                    }
                    last.range.end = range.end;
                }
                // A selector with nothing to select draws nothing.
                continue;
            }
            if attach && is_combining(c) {
                match self.lookup(c) {
                    // A combining mark with a glyph of its own, glued to its base.
                    Some(glyph) => units.push(Unit {
                        range,
                        glyph,
                        space: false,
                        break_before: false,
                    }),
                    // Without one, the base glyph stands for the mark too.
                    None => {
                        if let Some(last) = units.last_mut() {
                            last.range.end = range.end;
                        }
                    }
                }
                continue;
            }
            let glyph = match self.lookup(c) {
                Some(glyph) => glyph,
                // Invisible formatting characters the font does not draw are left out.
                None if is_default_ignorable(c) => continue,
                None => self.substitute,
            };
            let space = is_space(c);
            let break_before = match prev {
                None => false,
                Some(p) => can_break_between(p, c),
            };
            units.push(Unit {
                range,
                glyph,
                space,
                break_before,
            });
            prev = Some(c);
        }
        Shaped { text, units }
    }

    /// Shapes and wraps `s` to `width` points at `size` points.
    pub(crate) fn wrap(&mut self, s: &str, size: f32, width: f32) -> (Shaped, Vec<Line>) {
        let shaped = self.shape(s);
        let lines = shaped.wrap(width / size);
        (shaped, lines)
    }
}

fn face_view(face: &Face) -> Option<FaceView<'_>> {
    let font = face.font_ref()?;
    Some(FaceView {
        charmap: face.mapping().charmap(&font),
        metrics: GlyphMetrics::new(&font, Size::unscaled(), LocationRef::default()),
        units_per_em: face.units_per_em,
    })
}

impl Shaped {
    /// The hard lines of the text: unit ranges between `\n`s (an empty text is one empty line).
    fn hard_lines(&self) -> Vec<Range<usize>> {
        let mut out = Vec::new();
        let mut start_unit = 0;
        let mut unit = 0;
        for (i, c) in self.text.char_indices() {
            if c != '\n' {
                continue;
            }
            while unit < self.units.len() && self.units[unit].range.start < i {
                unit += 1;
            }
            out.push(start_unit..unit);
            start_unit = unit;
        }
        out.push(start_unit..self.units.len());
        out
    }

    /// Breaks the text into lines no wider than `max` ems: at `\n`, and greedily at the break
    /// opportunities. A line is wider than `max` only if it is a single glyph wider than `max`.
    pub(crate) fn wrap(&self, max: f32) -> Vec<Line> {
        let max = if max.is_finite() { max.max(0.0) } else { 0.0 };
        let mut lines = Vec::new();
        for hard in self.hard_lines() {
            let mut start = hard.start;
            // Every hard line gives at least one line: an empty one if it is empty or spaces.
            loop {
                let (end, next) = self.fit(start, hard.end, max);
                lines.push(Line {
                    start,
                    end,
                    width: self.width(start, end),
                });
                match next {
                    Some(n) => start = n,
                    None => break,
                }
            }
        }
        lines
    }

    /// The longest line from unit `start` that fits `max` ems, stopping at `end`: returns the
    /// end of the line (trailing spaces dropped) and where the next line starts, if any.
    fn fit(&self, start: usize, end: usize, max: f32) -> (usize, Option<usize>) {
        let mut width = 0.0f32;
        let mut last_break: Option<usize> = None;
        let mut i = start;
        while i < end {
            let u = &self.units[i];
            if i > start && u.break_before {
                last_break = Some(i);
            }
            if u.space {
                // Spaces never overflow a line: at its end they are not drawn.
                width += u.glyph.advance;
                i += 1;
                continue;
            }
            // A little slack, so that a text measured as exactly `max` wide (the header's case
            // number) is not broken by float rounding.
            if i > start && width + u.glyph.advance > max + 1e-4 {
                // Break at the last opportunity, else (one long word) at the last place that
                // keeps closing punctuation off the line start and opening punctuation off the
                // line end, else right here.
                let next = last_break
                    .or_else(|| self.emergency_break(start, i))
                    .unwrap_or(i);
                return (self.trim_spaces(start, next), Some(next));
            }
            width += u.glyph.advance;
            i += 1;
        }
        (self.trim_spaces(start, end), None)
    }

    /// The last unit in `start + 1..=i` a line may start with when a word has to be broken:
    /// not a combining mark, not closing punctuation, and not after opening punctuation.
    fn emergency_break(&self, start: usize, i: usize) -> Option<usize> {
        let first_char = |u: &Unit| self.text[u.range.clone()].chars().next();
        let last_char = |u: &Unit| self.text[u.range.clone()].chars().next_back();
        (start + 1..=i).rev().find(|&j| {
            let (Some(b), Some(a)) = (
                self.units.get(j).and_then(first_char),
                self.units.get(j - 1).and_then(last_char),
            ) else {
                return false;
            };
            !is_combining(b) && !no_break_before(b) && !no_break_after(a)
        })
    }

    /// `end` moved back over trailing spaces (but not before `start`).
    fn trim_spaces(&self, start: usize, mut end: usize) -> usize {
        while end > start && self.units[end - 1].space {
            end -= 1;
        }
        end
    }

    /// The width in ems of units `start..end`.
    pub(crate) fn width(&self, start: usize, end: usize) -> f32 {
        self.units[start..end].iter().map(|u| u.glyph.advance).sum()
    }

    /// The width in ems of the whole text on one line (for single-line texts).
    pub(crate) fn total_width(&self) -> f32 {
        self.width(0, self.units.len())
    }

    /// The text that line `line` shows.
    #[cfg(test)]
    pub(crate) fn line_text(&self, line: &Line) -> &str {
        if line.start >= line.end {
            return "";
        }
        let from = self.units[line.start].range.start;
        let to = self.units[line.end - 1].range.end;
        &self.text[from..to]
    }
}

/// Whether a line may break between characters `a` and `b` (neither a line feed).
fn can_break_between(a: char, b: char) -> bool {
    if is_space(b) {
        // Spaces hang at the end of the line; the break comes after them.
        return false;
    }
    if is_space(a) {
        return true;
    }
    (is_ideographic(a) || is_ideographic(b)) && !no_break_before(b) && !no_break_after(a)
}

/// Spaces that are break opportunities: ASCII space and the ideographic space.
fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\u{3000}')
}

/// Characters a line may break on either side of: CJK ideographs, kana, hangul, bopomofo,
/// CJK symbols and punctuation, full-width forms, and emoji.
fn is_ideographic(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F // Hangul Jamo initials
        | 0x2E80..=0x2FFF // CJK and Kangxi radicals, ideographic description characters
        | 0x3000..=0x303F // CJK symbols and punctuation
        | 0x3040..=0x31FF // kana, bopomofo, Hangul compatibility Jamo, kanbun, strokes
        | 0x3200..=0x4DBF // enclosed CJK, compatibility, Extension A
        | 0x4E00..=0x9FFF // CJK Unified Ideographs
        | 0xA000..=0xA4CF // Yi
        | 0xAC00..=0xD7AF // Hangul syllables
        | 0xF900..=0xFAFF // CJK compatibility ideographs
        | 0xFE30..=0xFE4F // CJK compatibility forms
        | 0xFF00..=0xFFEF // half-width and full-width forms
        | 0x1F000..=0x1FAFF // emoji and pictographs
        | 0x20000..=0x3FFFF // Extensions B and later (planes 2 and 3)
    )
}

/// Closing punctuation and small kana, which must not begin a line (kinsoku).
fn no_break_before(c: char) -> bool {
    "、。，．：；？！）」』】〕〉》〗〙〛｝］｠〞’”…‥・ー〜～ゝゞヽヾ々〻ぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ,.:;?!)]}%-/"
        .contains(c)
}

/// Opening punctuation, which must not end a line.
fn no_break_after(c: char) -> bool {
    "（「『【〔〈《〖〘〚｛［｟〝‘“([{$#".contains(c)
}

fn is_variation_selector(c: char) -> bool {
    matches!(c as u32, 0xFE00..=0xFE0F | 0xE0100..=0xE01EF | 0x180B..=0x180D | 0x180F)
}

/// Combining marks, which belong to the character before them.
fn is_combining(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0x1AB0..=0x1AFF | 0x1DC0..=0x1DFF | 0x20D0..=0x20FF | 0xFE20..=0xFE2F
        | 0x3099..=0x309A | 0x200C..=0x200D)
}

/// Unicode's default-ignorable code points: invisible formatting characters that are left out
/// when the font has no glyph for them, instead of showing a substitute mark.
fn is_default_ignorable(c: char) -> bool {
    matches!(c as u32,
        0x00AD | 0x034F | 0x061C | 0x115F..=0x1160 | 0x17B4..=0x17B5 | 0x180B..=0x180F
        | 0x200B..=0x200F | 0x202A..=0x202E | 0x2060..=0x206F | 0x3164 | 0xFE00..=0xFE0F
        | 0xFEFF | 0xFFA0 | 0xFFF0..=0xFFF8 | 0x1BCA0..=0x1BCA3 | 0x1D173..=0x1D17A
        | 0xE0000..=0xE0FFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_keeps_line_feeds_and_drops_controls() {
        assert_eq!(
            sanitize("a\r\nb\rc\td\u{7}e\u{85}f\n"),
            "a\nb\nc de\u{85}f\n".replace('\u{85}', "")
        );
        assert_eq!(sanitize_line("甲\n乙"), "甲 乙");
    }

    use proptest::prelude::*;

    fn fonts() -> &'static Fonts {
        static FONTS: std::sync::OnceLock<Fonts> = std::sync::OnceLock::new();
        FONTS.get_or_init(|| Fonts::system().expect("fonts-noto-cjk is installed"))
    }

    /// Every line fits `max` (unless it is a single glyph), and the lines hold all the text but
    /// the spaces at the breaks.
    fn check_wrap(s: &str, max: f32) -> Result<(), TestCaseError> {
        let mut shaper = Shaper::new(fonts());
        let shaped = shaper.shape(s);
        let lines = shaped.wrap(max);
        prop_assert!(!lines.is_empty());
        for line in &lines {
            prop_assert!(line.end >= line.start);
            prop_assert!((shaped.width(line.start, line.end) - line.width).abs() < 1e-3);
            if line.end - line.start > 1 {
                prop_assert!(
                    line.width <= max + 1e-3,
                    "{:?} is {} > {max}",
                    shaped.line_text(line),
                    line.width
                );
            }
        }
        let joined: String = lines
            .iter()
            .flat_map(|l| &shaped.units[l.start..l.end])
            .map(|u| &shaped.text[u.range.clone()])
            .collect();
        let squeeze = |t: &str| {
            t.chars()
                .filter(|c| !is_space(*c) && *c != '\n')
                .collect::<String>()
        };
        let drawn: String = shaped
            .units
            .iter()
            .map(|u| &shaped.text[u.range.clone()])
            .collect();
        prop_assert_eq!(squeeze(&joined), squeeze(&drawn));
        Ok(())
    }

    #[test]
    fn lines_fit_the_value_column() {
        let max = crate::layout::value_column_width() / 11.0;
        for s in [
            "",
            "林𡘙生",
            &"申請支援期間內，應依醫療法規定執行業務。".repeat(10),
            "The applicant shall comply with the regulations of the Medical Care Act",
            &"x".repeat(500),
            "   leading spaces and trailing   ",
            "一\n\n二\n",
        ] {
            check_wrap(s, max).unwrap();
        }
        // CJK breaks anywhere, but not before 。 or after 「 (when the line is wide enough to
        // move a character along: 「甲乙」。 in 2.5 ems must break before 。).
        let mut shaper = Shaper::new(fonts());
        let shaped = shaper.shape("「甲乙」。丙丁");
        let one = shaped.units[1].glyph.advance;
        for width in [3.5, 4.5] {
            for line in shaped.wrap(one * width) {
                let text = shaped.line_text(&line);
                assert!(
                    !text.starts_with(['。', '」']) && !text.ends_with('「'),
                    "{text:?}"
                );
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        #[test]
        fn wrapped_lines_never_exceed_the_width(
            s in prop_oneof![
                any::<String>(),
                "[一-龥𠀀-𪛟a-z 　\n\u{300}\u{fe00}\u{e0100}😀，。「」]{0,300}",
            ],
            max in 0.5f32..40.0,
        ) {
            check_wrap(&s, max)?;
        }
    }

    #[test]
    fn variation_selectors_stay_with_their_character() {
        let mut shaper = Shaper::new(fonts());
        // 葛 with an ideographic variation selector: one glyph, for both code points.
        let shaped = shaper.shape("葛\u{E0100}x");
        assert_eq!(shaped.units.len(), 2);
        assert_eq!(&shaped.text[shaped.units[0].range.clone()], "葛\u{E0100}");
        // Invisible formatting characters the font lacks are left out; controls are dropped.
        let shaped = shaper.shape("a\u{200B}\u{7}b");
        assert_eq!(shaped.text, "a\u{200B}b");
    }

    #[test]
    fn break_rules() {
        assert!(can_break_between('林', '生'));
        assert!(can_break_between('a', '林'));
        assert!(!can_break_between('a', 'b'));
        assert!(can_break_between(' ', 'b'));
        assert!(!can_break_between('a', ' '));
        assert!(!can_break_between('生', '。'));
        assert!(!can_break_between('「', '生'));
        assert!(!can_break_between('備', '-'));
        assert!(can_break_between('𡘙', '生'));
    }
}
