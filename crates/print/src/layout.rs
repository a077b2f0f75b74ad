//! Page layout: turns a [`Document`] into pages of positioned drawing operations (text lines,
//! rules, shaded boxes), independent of the PDF writer.
//!
//! A4 portrait with 20 mm margins. Every page repeats the header line (operator left, case number
//! right, a thin rule under it), the test-environment banner when there is one, and the footer
//! 「第 n 頁／共 m 頁」 (added once the page count is known). The first page starts with the title
//! (16 pt, a rule under it) and the print date; then the blocks follow in 11 pt, breaking pages
//! line by line: a table row that does not fit moves to the next page, and one taller than a
//! page is split; the history table repeats its header row on each page it continues on.
//!
//! Coordinates are PDF points from the top-left corner of the page (krilla's convention).

use crate::text::{Line, Shaped, Shaper};
use crate::{Block, Document};

const MM: f32 = 72.0 / 25.4;
/// A4 portrait.
pub(crate) const PAGE_WIDTH: f32 = 210.0 * MM;
pub(crate) const PAGE_HEIGHT: f32 = 297.0 * MM;
const MARGIN: f32 = 20.0 * MM;
const CONTENT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;

const BODY_SIZE: f32 = 11.0;
const TITLE_SIZE: f32 = 16.0;
const HEADING_SIZE: f32 = 13.0;
const BANNER_SIZE: f32 = 10.0;
const SMALL_SIZE: f32 = 9.0;
/// Line height as a multiple of the font size: roomy, as CJK text wants.
const LEADING: f32 = 1.5;

/// Space between blocks.
const BLOCK_GAP: f32 = 10.0;
/// Inner space of table cells.
const CELL_PAD_X: f32 = 4.0;
const CELL_PAD_Y: f32 = 3.0;
/// Share of the content width for the label column of a field table.
const LABEL_SHARE: f32 = 0.28;
/// Shares of the content width for the history columns: time, action, by, comment.
const HISTORY_SHARES: [f32; 4] = [0.2, 0.16, 0.18, 0.46];
/// At most this many lines of each header text and of the banner: the repeated page chrome must
/// leave room for the body whatever the caller passes in.
const MAX_CHROME_LINES: usize = 3;

const BLACK: Rgb = Rgb(0, 0, 0);
const GREY_TEXT: Rgb = Rgb(0x44, 0x44, 0x44);
const RULE: Rgb = Rgb(0x99, 0x99, 0x99);
const LABEL_BG: Rgb = Rgb(0xF2, 0xF2, 0xF2);
const HEADER_BG: Rgb = Rgb(0xE4, 0xE4, 0xE4);
const BANNER_TEXT: Rgb = Rgb(0xB0, 0x00, 0x20);
const BANNER_BG: Rgb = Rgb(0xFD, 0xEC, 0xEA);

/// An sRGB colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Rgb(pub(crate) u8, pub(crate) u8, pub(crate) u8);

/// A glyph placed on a text line.
#[derive(Clone, Debug)]
pub(crate) struct PlacedGlyph {
    /// Index of the face in the [`crate::Fonts`] face list.
    pub(crate) face: usize,
    pub(crate) gid: u32,
    /// Advance in ems.
    pub(crate) advance: f32,
    /// The bytes of [`Op::Text`]'s `text` this glyph stands for.
    pub(crate) range: std::ops::Range<usize>,
}

/// A drawing operation.
#[derive(Clone, Debug)]
pub(crate) enum Op {
    /// One line of text starting at `x` on `baseline`.
    Text {
        x: f32,
        baseline: f32,
        size: f32,
        color: Rgb,
        text: String,
        glyphs: Vec<PlacedGlyph>,
    },
    /// A straight line.
    Rule {
        from: (f32, f32),
        to: (f32, f32),
        width: f32,
        color: Rgb,
    },
    /// A filled rectangle.
    Fill {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
        color: Rgb,
    },
}

/// Horizontal placement of a line in its box.
#[derive(Clone, Copy)]
enum Align {
    Left,
    Center,
    Right,
}

/// A table cell: its text and lines.
struct Cell {
    shaped: Shaped,
    lines: Vec<Line>,
}

/// The layout state: pages so far and the position on the last one.
struct Layout<'s, 'f> {
    shaper: &'s mut Shaper<'f>,
    /// The main face's ascent share, to place baselines.
    ascent: f32,
    pages: Vec<Vec<Op>>,
    /// What every page starts with: header line and banner.
    chrome: Vec<Op>,
    /// Top and bottom of the body area of every page.
    top: f32,
    bottom: f32,
    /// Where the next content goes on the last page.
    y: f32,
}

/// Lays out `doc` into pages of drawing operations, page numbers included.
pub(crate) fn layout(doc: &Document, shaper: &mut Shaper<'_>, ascent: f32) -> Vec<Vec<Op>> {
    let mut l = Layout {
        shaper,
        ascent,
        pages: Vec::new(),
        chrome: Vec::new(),
        top: MARGIN,
        bottom: PAGE_HEIGHT - MARGIN - SMALL_SIZE * LEADING - 6.0,
        y: MARGIN,
    };
    l.chrome(doc);
    l.new_page();
    l.title(doc);
    for block in &doc.blocks {
        l.gap(BLOCK_GAP);
        match block {
            Block::Heading(text) => l.heading(text),
            Block::Paragraph(text) => l.paragraph(text),
            Block::Fields(rows) => l.fields(rows),
            Block::History { header, rows } => l.history(header, rows),
        }
    }
    l.footers();
    l.pages
}

impl Layout<'_, '_> {
    /// Builds the header line and the banner every page repeats, and sets the top of the body.
    fn chrome(&mut self, doc: &Document) {
        let lh = SMALL_SIZE * LEADING;
        let mut y = MARGIN;
        // The case number gets its natural width up to half the line; the operator the rest.
        let case = self.shaper.shape_line(&doc.case_number);
        let case_width = (case.total_width() * SMALL_SIZE).min(CONTENT_WIDTH / 2.0);
        let mut case_lines = case.wrap(case_width / SMALL_SIZE);
        case_lines.truncate(MAX_CHROME_LINES);
        let operator_width = CONTENT_WIDTH - case_width - 12.0;
        let operator = self.shaper.shape_line(&doc.operator);
        let mut operator_lines = operator.wrap(operator_width / SMALL_SIZE);
        operator_lines.truncate(MAX_CHROME_LINES);
        let mut ops = Vec::new();
        for (i, line) in operator_lines.iter().enumerate() {
            let top = y + i as f32 * lh;
            ops.extend(self.line_op(
                &operator,
                line,
                SMALL_SIZE,
                GREY_TEXT,
                MARGIN,
                operator_width,
                top,
                Align::Left,
            ));
        }
        let case_x = MARGIN + CONTENT_WIDTH - case_width;
        for (i, line) in case_lines.iter().enumerate() {
            let top = y + i as f32 * lh;
            ops.extend(self.line_op(
                &case,
                line,
                SMALL_SIZE,
                BLACK,
                case_x,
                case_width,
                top,
                Align::Right,
            ));
        }
        y += lh * operator_lines.len().max(case_lines.len()).max(1) as f32 + 2.0;
        ops.push(rule(y, 0.5, RULE));
        y += 8.0;

        let banner = doc
            .test_banner
            .as_deref()
            .map(crate::text::sanitize)
            .unwrap_or_default();
        if !banner.trim().is_empty() {
            let lh = BANNER_SIZE * LEADING;
            let pad = 4.0;
            let (shaped, mut lines) =
                self.shaper
                    .wrap(&banner, BANNER_SIZE, CONTENT_WIDTH - 4.0 * pad);
            lines.truncate(MAX_CHROME_LINES);
            let height = lines.len() as f32 * lh + 2.0 * pad;
            ops.push(Op::Fill {
                x: MARGIN,
                y,
                width: CONTENT_WIDTH,
                height,
                color: BANNER_BG,
            });
            for (i, line) in lines.iter().enumerate() {
                let top = y + pad + i as f32 * lh;
                ops.extend(self.line_op(
                    &shaped,
                    line,
                    BANNER_SIZE,
                    BANNER_TEXT,
                    MARGIN,
                    CONTENT_WIDTH,
                    top,
                    Align::Center,
                ));
            }
            y += height + 8.0;
        }
        self.chrome = ops;
        self.top = y;
    }

    fn new_page(&mut self) {
        self.pages.push(self.chrome.clone());
        self.y = self.top;
    }

    /// Whether nothing has been placed on the current page's body yet.
    fn at_top(&self) -> bool {
        self.y <= self.top + 0.01
    }

    /// Starts a new page unless `height` fits below the current position (or the page is still
    /// empty: then it goes here anyway, however tall).
    fn ensure(&mut self, height: f32) {
        if self.y + height > self.bottom && !self.at_top() {
            self.new_page();
        }
    }

    /// Vertical space, dropped at the top of a page.
    fn gap(&mut self, height: f32) {
        if !self.at_top() {
            self.y += height;
        }
    }

    fn push(&mut self, op: Op) {
        if let Some(page) = self.pages.last_mut() {
            page.push(op);
        }
    }

    /// The text operation for `line` of `shaped`, aligned in the box `x..x + width` whose line
    /// box starts at `top`; `None` for an empty line.
    #[allow(clippy::too_many_arguments)]
    fn line_op(
        &self,
        shaped: &Shaped,
        line: &Line,
        size: f32,
        color: Rgb,
        x: f32,
        width: f32,
        top: f32,
        align: Align,
    ) -> Option<Op> {
        let units = shaped.units.get(line.start..line.end)?;
        let first = units.first()?;
        let last = units.last()?;
        let offset = first.range.start;
        let text = shaped.text.get(offset..last.range.end)?.to_string();
        let glyphs = units
            .iter()
            .map(|u| PlacedGlyph {
                face: u.glyph.face,
                gid: u.glyph.gid,
                advance: u.glyph.advance,
                range: u.range.start - offset..u.range.end - offset,
            })
            .collect();
        let line_width = line.width * size;
        let x = match align {
            Align::Left => x,
            Align::Center => x + ((width - line_width) / 2.0).max(0.0),
            Align::Right => x + (width - line_width).max(0.0),
        };
        let baseline = top + (size * LEADING - size) / 2.0 + self.ascent * size;
        Some(Op::Text {
            x,
            baseline,
            size,
            color,
            text,
            glyphs,
        })
    }

    /// Places the lines of `text` across the content width, page-breaking between lines.
    fn lines(&mut self, text: &str, size: f32, color: Rgb, align: Align) {
        let lh = size * LEADING;
        let (shaped, lines) = self.shaper.wrap(text, size, CONTENT_WIDTH);
        for line in &lines {
            self.ensure(lh);
            let op = self.line_op(
                &shaped,
                line,
                size,
                color,
                MARGIN,
                CONTENT_WIDTH,
                self.y,
                align,
            );
            self.push_opt(op);
            self.y += lh;
        }
    }

    fn push_opt(&mut self, op: Option<Op>) {
        if let Some(op) = op {
            self.push(op);
        }
    }

    /// The title, a rule under it, and the print date.
    fn title(&mut self, doc: &Document) {
        self.lines(&doc.title, TITLE_SIZE, BLACK, Align::Center);
        self.ensure(8.0);
        self.y += 3.0;
        let op = rule(self.y, 0.75, GREY_TEXT);
        self.push(op);
        self.y += 5.0;
        if !doc.printed_on.trim().is_empty() {
            self.lines(&doc.printed_on, SMALL_SIZE, GREY_TEXT, Align::Right);
        }
    }

    /// A section heading, kept on the same page as the first line of what follows.
    fn heading(&mut self, text: &str) {
        self.ensure(HEADING_SIZE * LEADING + BODY_SIZE * LEADING + 2.0 * CELL_PAD_Y);
        self.lines(text, HEADING_SIZE, BLACK, Align::Left);
    }

    fn paragraph(&mut self, text: &str) {
        self.lines(text, BODY_SIZE, BLACK, Align::Left);
    }

    fn cell(&mut self, text: &str, width: f32) -> Cell {
        let (shaped, lines) = self.shaper.wrap(text, BODY_SIZE, width - 2.0 * CELL_PAD_X);
        Cell { shaped, lines }
    }

    /// Label / value rows: a two-column table with shaded labels.
    fn fields(&mut self, rows: &[(String, String)]) {
        let label = CONTENT_WIDTH * LABEL_SHARE;
        let widths = [label, CONTENT_WIDTH - label];
        let rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|(l, v)| vec![self.cell(l, widths[0]), self.cell(v, widths[1])])
            .collect();
        self.table(&widths, None, rows, Some(LABEL_BG));
    }

    /// The processing history: a four-column table whose header row repeats on every page.
    fn history(&mut self, header: &[String; 4], rows: &[[String; 4]]) {
        let widths = HISTORY_SHARES.map(|s| s * CONTENT_WIDTH);
        let mut header: Vec<Cell> = header
            .iter()
            .zip(widths)
            .map(|(h, w)| self.cell(h, w))
            .collect();
        for cell in &mut header {
            cell.lines.truncate(MAX_CHROME_LINES);
        }
        let rows: Vec<Vec<Cell>> = rows
            .iter()
            .map(|row| {
                row.iter()
                    .zip(widths)
                    .map(|(t, w)| self.cell(t, w))
                    .collect()
            })
            .collect();
        self.table(&widths, Some(header), rows, None);
    }

    /// Places a table: rows move to the next page whole when they fit there, else they are
    /// split between lines. `label_fill` shades the first column.
    fn table(
        &mut self,
        widths: &[f32],
        header: Option<Vec<Cell>>,
        rows: Vec<Vec<Cell>>,
        label_fill: Option<Rgb>,
    ) {
        let lh = BODY_SIZE * LEADING;
        let header_lines = header.as_ref().map_or(0, |h| row_lines(h));
        let header_height = if header.is_some() {
            header_lines as f32 * lh + 2.0 * CELL_PAD_Y
        } else {
            0.0
        };
        // The header and at least one line of the first row together.
        self.ensure(header_height + lh + 2.0 * CELL_PAD_Y);
        let mut body_top = self.table_header(widths, header.as_deref(), header_lines);
        for row in &rows {
            let total = row_lines(row);
            let mut from = 0;
            while from < total {
                let left = total - from;
                let fit = lines_fitting(self.bottom - self.y, lh);
                let fresh = self.y <= body_top + 0.01;
                if left <= fit {
                    self.row_chunk(widths, row, from, left, label_fill, None);
                    break;
                }
                let page_capacity = lines_fitting(self.bottom - self.top - header_height, lh);
                if from == 0 && left <= page_capacity && !fresh {
                    // The whole row fits on the next page: move it there.
                } else if fit > 0 || fresh {
                    // Split the row; on a fresh page always place at least one line, so that
                    // even a page too small for one line makes progress.
                    let n = fit.max(1);
                    self.row_chunk(widths, row, from, n, label_fill, None);
                    from += n;
                    if from >= total {
                        break;
                    }
                }
                self.new_page();
                body_top = self.table_header(widths, header.as_deref(), header_lines);
            }
        }
    }

    /// Draws the header row, if any, at the current position; returns where the rows start.
    fn table_header(&mut self, widths: &[f32], header: Option<&[Cell]>, lines: usize) -> f32 {
        if let Some(header) = header {
            self.row_chunk(widths, header, 0, lines, None, Some(HEADER_BG));
        }
        self.y
    }

    /// Draws lines `from..from + n` of each cell of `row` as one band of the table, with its
    /// cell borders, and moves down past it.
    fn row_chunk(
        &mut self,
        widths: &[f32],
        row: &[Cell],
        from: usize,
        n: usize,
        label_fill: Option<Rgb>,
        row_fill: Option<Rgb>,
    ) {
        let lh = BODY_SIZE * LEADING;
        let top = self.y;
        let height = n.max(1) as f32 * lh + 2.0 * CELL_PAD_Y;
        let mut x = MARGIN;
        let mut ops = Vec::new();
        for (i, (cell, &width)) in row.iter().zip(widths).enumerate() {
            let fill = row_fill.or(if i == 0 { label_fill } else { None });
            if let Some(color) = fill {
                ops.push(Op::Fill {
                    x,
                    y: top,
                    width,
                    height,
                    color,
                });
            }
            let end = (from + n).min(cell.lines.len());
            for (k, line) in cell
                .lines
                .get(from..end)
                .unwrap_or_default()
                .iter()
                .enumerate()
            {
                let line_top = top + CELL_PAD_Y + k as f32 * lh;
                let inner = width - 2.0 * CELL_PAD_X;
                ops.extend(self.line_op(
                    &cell.shaped,
                    line,
                    BODY_SIZE,
                    BLACK,
                    x + CELL_PAD_X,
                    inner,
                    line_top,
                    Align::Left,
                ));
            }
            x += width;
        }
        // Borders: top and bottom across, and a vertical at every column edge.
        let right = MARGIN + widths.iter().sum::<f32>();
        for y in [top, top + height] {
            ops.push(Op::Rule {
                from: (MARGIN, y),
                to: (right, y),
                width: 0.5,
                color: RULE,
            });
        }
        let mut x = MARGIN;
        for edge in std::iter::once(0.0).chain(widths.iter().copied()) {
            x += edge;
            ops.push(Op::Rule {
                from: (x, top),
                to: (x, top + height),
                width: 0.5,
                color: RULE,
            });
        }
        for op in ops {
            self.push(op);
        }
        self.y = top + height;
    }

    /// Adds 「第 n 頁／共 m 頁」 at the bottom of every page.
    fn footers(&mut self) {
        let total = self.pages.len();
        let top = PAGE_HEIGHT - MARGIN - SMALL_SIZE * LEADING;
        for n in 0..total {
            let shaped = self
                .shaper
                .shape_line(&format!("第 {} 頁／共 {} 頁", n + 1, total));
            let line = Line {
                start: 0,
                end: shaped.units.len(),
                width: shaped.total_width(),
            };
            let op = self.line_op(
                &shaped,
                &line,
                SMALL_SIZE,
                GREY_TEXT,
                MARGIN,
                CONTENT_WIDTH,
                top,
                Align::Center,
            );
            if let (Some(page), Some(op)) = (self.pages.get_mut(n), op) {
                page.push(op);
            }
        }
    }
}

/// A rule across the content width at `y`.
fn rule(y: f32, width: f32, color: Rgb) -> Op {
    Op::Rule {
        from: (MARGIN, y),
        to: (MARGIN + CONTENT_WIDTH, y),
        width,
        color,
    }
}

/// The number of lines of a table row: its tallest cell (an empty row still has one line).
fn row_lines(row: &[Cell]) -> usize {
    row.iter().map(|c| c.lines.len()).max().unwrap_or(0).max(1)
}

/// How many table lines fit in `height` points, cell padding included.
fn lines_fitting(height: f32, lh: f32) -> usize {
    let n = ((height - 2.0 * CELL_PAD_Y) / lh).floor();
    if n.is_finite() && n > 0.0 {
        n as usize
    } else {
        0
    }
}

/// The width the wrapping of body text aims for, for the tests.
#[cfg(test)]
pub(crate) fn value_column_width() -> f32 {
    CONTENT_WIDTH * (1.0 - LABEL_SHARE) - 2.0 * CELL_PAD_X
}
