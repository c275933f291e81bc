//! The DOCX annex, built with docx-rs from the same view model as the
//! templates, in the same order and with the same numbering: real heading
//! styles (Word's navigation pane and LibreOffice's navigator show the
//! outline), bordered tables of fixed width, A4 pages numbered in the
//! footer.
//!
//! docx-rs escapes all text as XML. The output is byte-for-byte
//! deterministic: paragraph ids come from our own counter (not docx-rs's
//! thread-local one) and docx-rs writes fixed timestamps.

use docx_rs::{
    AlignmentType, BorderType, BreakType, Docx, Footer, LineSpacing, PageMargin, PageNum,
    Paragraph, Run, RunFonts, Shading, ShdType, Style, StyleType, Table, TableBorder,
    TableBorderPosition, TableBorders, TableCell, TableLayoutType, TableRow, WidthType,
};

use super::{Annex, Duration, Error, Line, Node, NodeRef, Schedule, Script, Word};

/// A4 in twentieths of a point.
const PAGE_WIDTH: u32 = 11_906;
const PAGE_HEIGHT: u32 = 16_838;
/// Margins: 20 mm top and bottom, 25 mm left (binding), 15 mm right.
const MARGIN_TOP: i32 = 1_134;
const MARGIN_BOTTOM: i32 = 1_134;
const MARGIN_LEFT: i32 = 1_417;
const MARGIN_RIGHT: i32 = 850;
/// The width tables span.
const TEXT_WIDTH: usize = (PAGE_WIDTH as i32 - MARGIN_LEFT - MARGIN_RIGHT) as usize;

const SERIF: &str = "Times New Roman";
const MONO: &str = "Courier New";
/// Sizes in half-points.
const BODY_SIZE: usize = 22;
const SMALL_SIZE: usize = 18;
const HEADER_FILL: &str = "E8E8E8";

/// The DOCX annex as bytes.
pub fn build(annex: &Annex) -> Result<Vec<u8>, Error> {
    let mut w = Writer::default();
    let mut docx = w.document();
    for block in w.blocks(annex) {
        docx = match block {
            Block::Paragraph(p) => docx.add_paragraph(*p),
            // A table needs a paragraph after it: two tables in a row
            // would merge into one.
            Block::Table(t) => docx.add_table(*t).add_paragraph(w.spacer()),
        };
    }
    let mut bytes = std::io::Cursor::new(Vec::new());
    docx.build()
        .pack(&mut bytes)
        .map_err(|e| Error(format!("cannot pack the DOCX: {e}")))?;
    Ok(bytes.into_inner())
}

/// A piece of the document body.
enum Block {
    Paragraph(Box<Paragraph>),
    Table(Box<Table>),
}

impl Block {
    fn paragraph(p: Paragraph) -> Block {
        Block::Paragraph(Box::new(p))
    }
}

/// Builds paragraphs with ids of its own counting.
#[derive(Default)]
struct Writer {
    next_id: u32,
}

/// A run of text with its look.
#[derive(Clone, Copy, Default)]
struct Look {
    bold: bool,
    italic: bool,
    mono: bool,
    small: bool,
}

const PLAIN: Look = Look {
    bold: false,
    italic: false,
    mono: false,
    small: false,
};
const BOLD: Look = Look {
    bold: true,
    ..PLAIN
};
const ITALIC: Look = Look {
    italic: true,
    ..PLAIN
};
const MONO_LOOK: Look = Look {
    mono: true,
    ..PLAIN
};
const SMALL: Look = Look {
    small: true,
    ..PLAIN
};

/// A cell's content: pieces of text, each with its look.
type Cell = Vec<(String, Look)>;

fn cell(text: impl Into<String>) -> Cell {
    vec![(text.into(), PLAIN)]
}

fn styled(text: impl Into<String>, look: Look) -> Cell {
    vec![(text.into(), look)]
}

impl Writer {
    /// A4, margins, styles, default font and a page-numbered footer.
    fn document(&mut self) -> Docx {
        let footer = Footer::new().add_paragraph(
            self.paragraph()
                .align(AlignmentType::Right)
                .size(SMALL_SIZE)
                .add_page_num(PageNum::new()),
        );
        let fonts = RunFonts::new()
            .ascii(SERIF)
            .hi_ansi(SERIF)
            .cs(SERIF)
            .east_asia(SERIF);
        let mut docx = Docx::new()
            .page_size(PAGE_WIDTH, PAGE_HEIGHT)
            .page_margin(
                PageMargin::new()
                    .top(MARGIN_TOP)
                    .bottom(MARGIN_BOTTOM)
                    .left(MARGIN_LEFT)
                    .right(MARGIN_RIGHT)
                    .header(567)
                    .footer(567),
            )
            .default_fonts(fonts)
            .default_size(BODY_SIZE)
            .default_line_spacing(LineSpacing::new().after(80).line(264))
            .footer(footer);
        // Heading 1 is the title; 2 the sections; 3 the scripts; 4 their
        // steps and terminals.
        for (level, size, before) in [(1, 30, 0), (2, 26, 280), (3, 25, 200), (4, 22, 160)] {
            docx = docx.add_style(
                Style::new(format!("Heading{level}"), StyleType::Paragraph)
                    .name(format!("Heading {level}"))
                    .based_on("Normal")
                    .next("Normal")
                    .q_format(true)
                    .bold()
                    .size(size)
                    .outline_lvl(level - 1)
                    .line_spacing(LineSpacing::new().before(before).after(100)),
            );
        }
        docx
    }

    /// A new paragraph with the next id.
    fn paragraph(&mut self) -> Paragraph {
        self.next_id += 1;
        Paragraph::new().id(format!("{:08X}", self.next_id))
    }

    /// A small empty paragraph: the gap after a table.
    fn spacer(&mut self) -> Paragraph {
        self.paragraph()
            .size(8)
            .line_spacing(LineSpacing::new().before(0).after(0).line(160))
    }

    /// A paragraph of pieces; a line break in the text is a line break.
    fn text(&mut self, pieces: &[(String, Look)]) -> Paragraph {
        let mut p = self.paragraph();
        for (text, look) in pieces {
            for (i, part) in text.split('\n').enumerate() {
                let mut run = Run::new();
                if i > 0 {
                    run = run.add_break(BreakType::TextWrapping);
                }
                run = run.add_text(part);
                if look.bold {
                    run = run.bold();
                }
                if look.italic {
                    run = run.italic();
                }
                if look.mono {
                    run = run.fonts(RunFonts::new().ascii(MONO).hi_ansi(MONO).cs(MONO));
                }
                if look.small || look.mono {
                    run = run.size(SMALL_SIZE);
                }
                p = p.add_run(run);
            }
        }
        p
    }

    fn heading(&mut self, level: usize, text: &str) -> Block {
        let p = self
            .text(&cell(text))
            .style(&format!("Heading{level}"))
            .keep_next(true);
        Block::paragraph(if level == 1 {
            p.align(AlignmentType::Center)
        } else {
            p
        })
    }

    fn para(&mut self, pieces: Cell) -> Block {
        Block::paragraph(self.text(&pieces))
    }

    /// A paragraph kept on the page of what follows it (the table it
    /// introduces).
    fn lead(&mut self, pieces: Cell) -> Block {
        Block::paragraph(self.text(&pieces).keep_next(true))
    }

    /// A bordered table of fixed column widths (in percent of the text
    /// width), an optional shaded header row, rows that do not split
    /// across pages.
    fn table(&mut self, widths: &[usize], header: Option<&[&str]>, rows: Vec<Vec<Cell>>) -> Block {
        self.table_in(widths, header, rows, false)
    }

    /// [`Writer::table`], all in small type when `small`.
    fn table_in(
        &mut self,
        widths: &[usize],
        header: Option<&[&str]>,
        rows: Vec<Vec<Cell>>,
        small: bool,
    ) -> Block {
        let shrink = |mut c: Cell| {
            if small {
                for (_, look) in &mut c {
                    look.small = true;
                }
            }
            c
        };
        let twips: Vec<usize> = widths.iter().map(|p| TEXT_WIDTH * p / 100).collect();
        let mut out = Vec::new();
        if let Some(header) = header {
            let cells = header
                .iter()
                .zip(&twips)
                .map(|(h, w)| {
                    TableCell::new()
                        .add_paragraph(self.text(&shrink(styled(*h, BOLD))).keep_next(true))
                        .width(*w, WidthType::Dxa)
                        .shading(Shading::new().shd_type(ShdType::Clear).fill(HEADER_FILL))
                })
                .collect();
            out.push(TableRow::new(cells).cant_split());
        }
        for row in rows {
            let cells = row
                .into_iter()
                .zip(&twips)
                .map(|(c, w)| {
                    TableCell::new()
                        .add_paragraph(self.text(&shrink(c)))
                        .width(*w, WidthType::Dxa)
                })
                .collect();
            out.push(TableRow::new(cells).cant_split());
        }
        let border = |pos| {
            TableBorder::new(pos)
                .border_type(BorderType::Single)
                .size(4)
                .color("000000")
        };
        let borders = [
            TableBorderPosition::Top,
            TableBorderPosition::Left,
            TableBorderPosition::Bottom,
            TableBorderPosition::Right,
            TableBorderPosition::InsideH,
            TableBorderPosition::InsideV,
        ]
        .into_iter()
        .fold(TableBorders::new(), |b, pos| b.set(border(pos)));
        Block::Table(Box::new(
            Table::new(out)
                .set_grid(twips.clone())
                .layout(TableLayoutType::Fixed)
                .width(twips.iter().sum(), WidthType::Dxa)
                .set_borders(borders),
        ))
    }

    /// A two-column table of terms and their values.
    fn terms(&mut self, rows: Vec<(&str, Cell)>) -> Block {
        let rows = rows.into_iter().map(|(k, v)| vec![cell(k), v]).collect();
        self.table(&[40, 60], None, rows)
    }

    // ------------------------------------------------------------ content

    fn blocks(&mut self, a: &Annex) -> Vec<Block> {
        let t = a.t;
        let mut out = vec![
            self.heading(1, &a.title),
            Block::paragraph(
                self.text(&styled(t.subtitle, BOLD))
                    .align(AlignmentType::Center),
            ),
            Block::paragraph(
                self.text(&cell(t.parties_intro))
                    .align(AlignmentType::Center),
            ),
        ];
        out.extend(self.contract_terms(a));
        out.extend(self.quality(a));
        out.extend(self.roles(a));
        out.extend(self.summary(a));
        out.push(self.heading(2, &format!("5. {}", t.section_scripts)));
        for reading in [
            format!("{} {}", t.reading_nodes, t.reading_time),
            t.reading_fields.to_string(),
            t.reading_fingerprint.to_string(),
        ] {
            out.push(self.para(cell(reading)));
        }
        for s in &a.scripts {
            out.extend(self.script(a, s));
        }
        out.extend(self.signatures(a));
        out
    }

    fn contract_terms(&mut self, a: &Annex) -> Vec<Block> {
        let t = a.t;
        let c = &a.contract;
        let kinds = if a.kinds_of_work.is_empty() {
            t.not_stated.to_string()
        } else {
            join(a.kinds_of_work.iter().map(|k| k.text), ", ")
        };
        let mandatory = if c.mandatory.is_empty() {
            cell(t.none)
        } else {
            let phrases = c.mandatory.iter().map(|m| quote(t, m));
            cell(format!("{}\n{}", t.mandatory_intro, join(phrases, "\n")))
        };
        let rows = vec![
            (t.contract, cell(or(t, &c.title))),
            (t.customer, cell(or(t, &c.customer))),
            (t.contractor, cell(or(t, &c.contractor))),
            (t.kinds_of_work, cell(kinds)),
            (t.service_format, cell(word(t, c.operators))),
            (t.assistance, cell(word(t, c.assistance))),
            (t.crm, cell(c.crm.as_deref().unwrap_or(t.crm_none))),
            (t.priority, cell(list_or(&c.priority, "; ", t.none))),
            (t.client_base, cell(word(t, c.client_base))),
            (t.schedule, cell(schedule(t, c.schedule.as_ref()))),
            (t.timezone, cell(or(t, &c.timezone))),
            (
                t.volume,
                cell(
                    c.volume_per_day
                        .map_or_else(|| t.not_stated.to_string(), |v| v.to_string()),
                ),
            ),
            (
                t.handoff_sla,
                cell(c.handoff_sla.as_ref().map_or_else(
                    || t.not_stated.to_string(),
                    |d| format!("{} {}", t.at_most, nbsp(d)),
                )),
            ),
            (t.mandatory, mandatory),
        ];
        vec![
            self.heading(2, &format!("1. {}", t.section_terms)),
            self.terms(rows),
        ]
    }

    fn quality(&mut self, a: &Annex) -> Vec<Block> {
        let t = a.t;
        let rows = a
            .contract
            .quality
            .iter()
            .map(|p| vec![cell(p.side.text), cell(&p.name), cell(&p.position)])
            .collect();
        vec![
            self.heading(2, &format!("2. {}", t.section_quality)),
            self.lead(cell(t.quality_intro)),
            self.table(&[25, 40, 35], Some(&[t.side, t.person, t.position]), rows),
        ]
    }

    fn roles(&mut self, a: &Annex) -> Vec<Block> {
        let t = a.t;
        let rows = a
            .roles
            .iter()
            .map(|r| {
                let contacts: Vec<String> = r
                    .contacts
                    .iter()
                    .map(|c| format!("{}, {}", c.name, c.position))
                    .collect();
                vec![
                    vec![(r.title.clone(), PLAIN), (format!("\n{}", r.id), MONO_LOOK)],
                    cell(list_or(&contacts, "\n", t.not_stated)),
                    cell(or(t, &r.channel)),
                    cell(
                        r.hours
                            .windows
                            .iter()
                            .map(|w| w.replace(' ', "\u{a0}"))
                            .collect::<Vec<_>>()
                            .join(",\n"),
                    ),
                ]
            })
            .collect();
        vec![
            self.heading(2, &format!("3. {}", t.section_roles)),
            self.lead(cell(t.roles_intro)),
            self.table(
                &[20, 32, 24, 24],
                Some(&[t.role, t.contacts, t.channel, t.hours]),
                rows,
            ),
        ]
    }

    fn summary(&mut self, a: &Annex) -> Vec<Block> {
        let t = a.t;
        let rows = a
            .scripts
            .iter()
            .map(|s| {
                vec![
                    cell(format!("5.{}", s.number)),
                    vec![
                        (s.title.clone(), PLAIN),
                        (format!("\n{}: ", t.fingerprint), SMALL),
                        (s.fingerprint.clone(), MONO_LOOK),
                    ],
                    cell(word(t, s.kind)),
                    cell(s.steps.to_string()),
                    cell(s.handoffs.to_string()),
                    cell(dur_or(s.deadline.as_ref(), t.not_set)),
                    cell(s.worst_case.text.replace(' ', "\u{a0}")),
                ]
            })
            .collect();
        vec![
            self.heading(2, &format!("4. {}", t.section_summary)),
            self.table_in(
                &[6, 33, 14, 9, 10, 13, 15],
                Some(&[
                    t.number,
                    t.script,
                    t.kind,
                    t.steps,
                    t.handoffs,
                    t.deadline,
                    t.worst_case,
                ]),
                rows,
                true,
            ),
        ]
    }

    fn script(&mut self, a: &Annex, s: &Script) -> Vec<Block> {
        let t = a.t;
        let schedule_text = match &s.schedule {
            Some(sch) if !s.own_schedule => format!("{} ({})", sch.text, t.per_contract),
            Some(sch) => sch.text.clone(),
            None => t.not_stated.to_string(),
        };
        let start = s
            .start
            .as_ref()
            .map_or_else(|| t.not_stated.to_string(), |r| reference(a, s, r));
        let mandatory = list_or(
            &s.mandatory.iter().map(|m| quote(t, m)).collect::<Vec<_>>(),
            "\n",
            t.none,
        );
        let heading = self
            .text(&cell(format!("5.{}. {}", s.number, s.title)))
            .style("Heading3")
            .keep_next(true)
            // Each script but the first (which follows the reading notes)
            // starts a page.
            .page_break_before(s.number > 1);
        let mut out = vec![
            Block::paragraph(heading),
            self.terms(vec![
                (t.script_id, styled(&s.id, MONO_LOOK)),
                (t.kind, cell(word(t, s.kind))),
                (t.schedule, cell(schedule_text)),
                (t.deadline, cell(dur_or(s.deadline.as_ref(), t.not_set))),
                (t.worst_case, cell(&s.worst_case.text)),
                (t.start, cell(start)),
                (t.mandatory, cell(mandatory)),
            ]),
        ];
        for n in &s.nodes {
            out.extend(self.node(a, s, n));
        }
        out.push(self.para(vec![
            (format!("{}: ", t.script_fingerprint), PLAIN),
            (s.fingerprint.clone(), MONO_LOOK),
        ]));
        out
    }

    fn node(&mut self, a: &Annex, s: &Script, n: &Node) -> Vec<Block> {
        let t = a.t;
        let title = format!(
            "5.{}.{}. {} {}",
            s.number,
            n.number,
            capitalize(n.kind.text),
            quote(t, &n.id)
        );
        let mut out = vec![self.heading(4, &title)];
        match n.kind.code {
            "step" => {
                let mut line = format!(
                    "{}: {}.",
                    t.duration,
                    dur_or(n.duration.as_ref(), t.unlimited)
                );
                if let Some(v) = &n.visits {
                    line.push_str(&format!(" {}: {v}.", t.visits));
                }
                out.push(self.lead(cell(line)));
                out.extend(self.lines(a, &n.lines));
                let rows = n
                    .exits
                    .iter()
                    .map(|e| {
                        let answer = match &e.answer {
                            Some(answer) => cell(answer),
                            None => styled(e.kind.text, ITALIC),
                        };
                        vec![answer, cell(reference(a, s, &e.to))]
                    })
                    .collect();
                out.push(self.table(&[55, 45], Some(&[t.answer, t.goes_to]), rows));
            }
            "handoff" => {
                if let Some(role) = &n.role {
                    let mut pieces = vec![
                        (format!("{}: ", t.handed_to), PLAIN),
                        (role.title.clone(), BOLD),
                        (" (".into(), PLAIN),
                        (role.id.clone(), MONO_LOOK),
                        (")".into(), PLAIN),
                    ];
                    if let Some(channel) = &role.channel {
                        pieces.push((format!("; {}: {channel}", t.channel.to_lowercase()), PLAIN));
                    }
                    pieces.push((".".into(), PLAIN));
                    out.push(self.lead(pieces));
                }
                let deadline = match &n.within {
                    Some(d) if n.within_from_sla => {
                        format!("{} {} ({})", t.within, nbsp(d), t.sla_applies)
                    }
                    Some(d) => format!("{} {}", t.within, nbsp(d)),
                    None => t.not_set.to_string(),
                };
                out.push(self.lead(cell(format!("{}: {deadline}.", t.handoff_deadline))));
                out.extend(self.lines(a, &n.lines));
                if !n.pass.is_empty() {
                    out.push(self.lead(cell(format!("{}:", t.passed_data))));
                    let rows = n
                        .pass
                        .iter()
                        .map(|p| vec![styled(&p.field, MONO_LOOK), cell(or(t, &p.question))])
                        .collect();
                    out.push(self.table(&[30, 70], Some(&[t.field, t.question]), rows));
                }
                if let Some(summary) = &n.summary {
                    out.push(self.para(cell(format!("{}: {}", t.summary, quote(t, summary)))));
                }
                out.extend(self.tasks(a, n));
                let fallback = n
                    .fallback
                    .as_ref()
                    .map_or_else(|| t.no_fallback.to_string(), |r| reference(a, s, r));
                out.push(self.para(cell(format!("{}: {fallback}.", t.fallback))));
            }
            _ => {
                let outcome = n.outcome.as_deref().unwrap_or_default();
                out.push(self.lead(cell(format!("{}: {}.", t.outcome, quote(t, outcome)))));
                out.extend(self.lines(a, &n.lines));
                out.extend(self.tasks(a, n));
            }
        }
        out
    }

    fn lines(&mut self, a: &Annex, lines: &[Line]) -> Option<Block> {
        let t = a.t;
        if lines.is_empty() {
            return None;
        }
        let rows = lines
            .iter()
            .map(|l| {
                let look = if l.kind.code == "note" { ITALIC } else { PLAIN };
                let mut who = vec![(l.kind.text.to_string(), look)];
                if let Some(field) = &l.field {
                    who.push((format!("\n{} ", t.stored_in), SMALL));
                    who.push((field.clone(), MONO_LOOK));
                }
                vec![who, styled(&l.text, look)]
            })
            .collect();
        Some(self.table(&[30, 70], Some(&[t.operator, t.text]), rows))
    }

    fn tasks(&mut self, a: &Annex, n: &Node) -> Option<Block> {
        let t = a.t;
        if n.tasks.is_empty() {
            return None;
        }
        let rows = n
            .tasks
            .iter()
            .map(|task| {
                vec![
                    cell(&task.text),
                    cell(dur_or(task.within.as_ref(), t.not_set)),
                ]
            })
            .collect();
        Some(self.table(&[78, 22], Some(&[t.task, t.task_deadline]), rows))
    }

    fn signatures(&mut self, a: &Annex) -> Vec<Block> {
        let t = a.t;
        let c = &a.contract;
        let side = |party: &str, name: &Option<String>| -> Vec<(String, Look)> {
            vec![
                (party.to_string(), BOLD),
                (
                    format!("\n{}\n\n\n{}", or(t, name), t.signature_line),
                    PLAIN,
                ),
                (format!("\n({}) / ({})", t.signature, t.full_name), SMALL),
                (
                    format!("\n\n{}: {}\n\n{}", t.date, t.date_blank, t.seal),
                    PLAIN,
                ),
            ]
        };
        let row = [
            side(t.customer, &c.customer),
            side(t.contractor, &c.contractor),
        ];
        let cells = row
            .iter()
            .map(|pieces| {
                TableCell::new()
                    .add_paragraph(self.text(pieces))
                    .width(TEXT_WIDTH / 2, WidthType::Dxa)
            })
            .collect();
        let table = Table::without_borders(vec![TableRow::new(cells).cant_split()])
            .set_grid(vec![TEXT_WIDTH / 2, TEXT_WIDTH / 2])
            .layout(TableLayoutType::Fixed)
            .width(TEXT_WIDTH, WidthType::Dxa);
        vec![
            self.heading(2, &format!("6. {}", t.section_signatures)),
            Block::Table(Box::new(table)),
        ]
    }
}

// ---------------------------------------------------------------- words

fn join<'a>(items: impl Iterator<Item = impl AsRef<str> + 'a>, sep: &str) -> String {
    items
        .map(|s| s.as_ref().to_string())
        .collect::<Vec<_>>()
        .join(sep)
}

fn or(t: &super::Terms, value: &Option<String>) -> String {
    value.clone().unwrap_or_else(|| t.not_stated.to_string())
}

fn list_or(items: &[String], sep: &str, empty: &str) -> String {
    if items.is_empty() {
        empty.to_string()
    } else {
        items.join(sep)
    }
}

fn word(t: &super::Terms, w: Option<Word>) -> &'static str {
    w.map_or(t.not_stated, |w| w.text)
}

fn quote(t: &super::Terms, s: &str) -> String {
    format!("{}{s}{}", t.quote_open, t.quote_close)
}

/// A duration with non-breaking spaces, so that `3 мин` never splits.
fn nbsp(d: &Duration) -> String {
    d.text.replace(' ', "\u{a0}")
}

fn dur_or(d: Option<&Duration>, none: &str) -> String {
    d.map_or_else(|| none.to_string(), nbsp)
}

fn schedule(t: &super::Terms, s: Option<&Schedule>) -> String {
    s.map_or_else(|| t.not_stated.to_string(), |s| s.text.clone())
}

/// `шаг «знакомство» (п. 5.1.2)`, as the templates write it.
fn reference(a: &Annex, s: &Script, r: &NodeRef) -> String {
    format!(
        "{} {} ({}\u{a0}5.{}.{})",
        r.kind.text,
        quote(a.t, &r.id),
        a.t.clause,
        s.number,
        r.number
    )
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
