//! What the fuzz targets share: the whole pipeline on a set of sources, and
//! a structure-aware generator that turns fuzzer bytes into source text
//! shaped like the language, so that mutations reach deep into the checks.

use callscript::emit::annex;
use callscript::{Options, SourceFile};

/// Everything a user can make the library do with sources: compile (with
/// and without the annex's contract requirement), then, when the project
/// compiled, the operator JSON and the annex in Markdown, HTML and DOCX.
/// Panics are the findings; the results are thrown away.
pub fn pipeline(sources: &[SourceFile], full: bool) {
    // The annex's contract requirement only changes severities; the fast
    // mode compiles once.
    let modes: &[bool] = if full { &[false, true] } else { &[false] };
    for &require_contract in modes {
        let options = Options { require_contract };
        let (project, diagnostics) = callscript::compile(sources, &options);
        // Rendering the report touches every span: line/column conversion.
        let view = callscript::render::Sources::new(sources);
        let _ = callscript::render::json(&diagnostics, &view);
        if full {
            // The human report of the first findings: miette and textwrap
            // are the slowest part of a run, and every finding takes the
            // same path through them.
            let _ = callscript::render::human(
                &diagnostics[..diagnostics.len().min(4)],
                &view,
                callscript::render::Style::default(),
            );
        }
        let Some(project) = project else { continue };
        // Both layouts: compact is what `build` writes by default.
        let _ = callscript::emit::json::to_string(&project);
        let _ = callscript::emit::json::to_string_as(
            &project,
            callscript::emit::json::Layout::Compact,
        );
        let settings = annex::Options::default();
        let view = annex::annex(&project, &settings);
        let _ = annex::markdown(&view, None);
        if full {
            let _ = annex::html(&view, None);
            let _ = annex::docx(&view);
        }
    }
}

/// Split fuzzer bytes into one or two source files: a 0xFF byte separates
/// them (so the fuzzer reaches cross-file findings such as duplicates).
pub fn sources(data: &[u8]) -> Vec<SourceFile> {
    match data.iter().position(|&b| b == 0xFF) {
        Some(i) => vec![
            SourceFile::new("a.script", &data[..i]),
            SourceFile::new("b.script", &data[i + 1..]),
        ],
        None => vec![SourceFile::new("a.script", data)],
    }
}

/// Reads choices from the fuzzer's bytes; zeros once they run out.
struct Choices<'a> {
    data: &'a [u8],
    pos: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }
    fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n.max(1)
    }
    fn pick<'t>(&mut self, items: &[&'t str]) -> &'t str {
        items[self.below(items.len())]
    }
    fn done(&self) -> bool {
        self.pos >= self.data.len()
    }
}

const NAMES: &[&str] = &[
    "a",
    "b",
    "c",
    "greet",
    "end",
    "step",
    "volume",
    "приветствие",
    "шаг_2",
    "_x",
    "hot",
    "goodbye",
    "operator",
    "company",
    "name",
    "phone",
    "имя",
    "sales",
    "support",
];
const STRINGS: &[&str] = &[
    "\"Здравствуйте! {company}, {operator}.\"",
    "\"Разговор записывается в целях контроля качества\"",
    "\"{name}, ваш номер {phone}?\"",
    "\"{имя}\"",
    "\"\\{literal\\} \\\" \\\\ \\n\"",
    "\"\"",
    "\"{}\"",
    "\"{1a}\"",
    "\"}\"",
    "\"{\"",
    "\"\\x\"",
    "\"unterminated",
    "\"a // not a comment\"",
    "\"«Да»\"",
    "\"{name\"",
];
const DURATIONS: &[&str] = &[
    "30s",
    "5m",
    "1h30m",
    "2d",
    "365d",
    "366d",
    "0s",
    "99999999999999999999d",
    "18446744073709551616s",
    "1x",
    "1h1h",
    "24h",
    "10",
    "1m1s1m",
];
const SCHEDULES: &[&str] = &[
    "24/7",
    "mon-fri 09:00-21:00, sat 10:00-16:00",
    "09:00-18:00",
    "sun-mon 23:00-01:00",
    "fri-mon 00:00-24:00",
    "mon 25:99-00:00",
    "xyz 09:00-10:00",
    "mon-fri 9:00-99999999999999999999:00",
];

/// A source file built from fuzzer bytes by choosing the language's
/// pieces: items, members and statements, with now and then a raw token
/// (a brace, an arrow, a keyword out of place) to exercise recovery.
pub fn grammar_source(data: &[u8]) -> String {
    let mut c = Choices { data, pos: 0 };
    let mut out = String::new();
    let mut items = 0;
    while !c.done() && items < 16 {
        items += 1;
        match c.below(8) {
            0 => contract(&mut c, &mut out),
            1 => role(&mut c, &mut out),
            7 => junk(&mut c, &mut out),
            _ => script(&mut c, &mut out),
        }
    }
    out
}

fn junk(c: &mut Choices<'_>, out: &mut String) {
    const TOKENS: &[&str] = &[
        "{", "}", "->", "\"", "\\", ",", "step", "script", "role", "contract", "\u{FEFF}", "\0",
        "\r\n", "//", "/", ":", "-", "on", "max", "9", "\n",
    ];
    for _ in 0..c.below(8) {
        out.push_str(c.pick(TOKENS));
        out.push(' ');
    }
    out.push('\n');
}

fn contract(c: &mut Choices<'_>, out: &mut String) {
    out.push_str("contract \"Договор\" {\n");
    for _ in 0..c.below(16) {
        let line = match c.below(14) {
            0 => "customer \"ООО «Ромашка»\"".to_string(),
            1 => "contractor \"ООО «КоллПро»\"".to_string(),
            2 => format!("operators {}", c.pick(&["basic", "trained", "x"])),
            3 => format!("assistance {}", c.pick(&["yes", "no", "maybe"])),
            4 => "crm \"amoCRM\"".to_string(),
            5 => "priority \"VIP\", \"Постоянный\"".to_string(),
            6 => format!("client_base {}", c.pick(&["customer", "contractor", "z"])),
            7 => format!("schedule {}", c.pick(SCHEDULES)),
            8 => format!(
                "timezone \"{}\"",
                c.pick(&["Europe/Moscow", "UTC", "Mars/Olympus", "", "Asia/Kolkata"])
            ),
            9 => format!(
                "volume {}/{}",
                c.pick(&["300", "0", "99999999999999999999999"]),
                c.pick(&["day", "week"])
            ),
            10 => format!("handoff_sla {}", c.pick(DURATIONS)),
            11 => "quality contractor \"Иванов\", \"Руководитель\"".to_string(),
            12 => "quality customer \"Петрова\", \"Менеджер\"".to_string(),
            _ => format!("mandatory {}", c.pick(STRINGS)),
        };
        out.push_str("  ");
        out.push_str(&line);
        out.push('\n');
    }
    out.push_str("}\n");
}

fn role(c: &mut Choices<'_>, out: &mut String) {
    out.push_str(&format!("role {} \"Отдел\"", c.pick(NAMES)));
    if c.below(2) == 0 {
        out.push_str(" {\n");
        for _ in 0..c.below(4) {
            match c.below(3) {
                0 => out.push_str("  contact \"Смирнов\", \"Руководитель\"\n"),
                1 => out.push_str("  channel \"Задача\"\n"),
                _ => out.push_str(&format!("  hours {}\n", c.pick(SCHEDULES))),
            }
        }
        out.push('}');
    }
    out.push('\n');
}

fn script(c: &mut Choices<'_>, out: &mut String) {
    out.push_str(&format!("script {} \"Скрипт\" {{\n", c.pick(NAMES)));
    let members = c.below(16);
    for _ in 0..members {
        match c.below(12) {
            0 => out.push_str(&format!(
                "  kind {}\n",
                c.pick(&["inbound", "outbound", "telemarketing", "x"])
            )),
            1 => out.push_str(&format!("  deadline {}\n", c.pick(DURATIONS))),
            2 => out.push_str(&format!("  schedule {}\n", c.pick(SCHEDULES))),
            3 => out.push_str(&format!("  start {}\n", c.pick(NAMES))),
            4 => out.push_str(&format!("  mandatory {}\n", c.pick(STRINGS))),
            5 | 6 => handoff(c, out),
            7 => end(c, out),
            8 => junk(c, out),
            _ => step(c, out),
        }
    }
    if c.below(16) != 0 {
        out.push_str("}\n");
    }
}

fn lines(c: &mut Choices<'_>, out: &mut String, n: usize) {
    for _ in 0..c.below(n) {
        match c.below(4) {
            0 => out.push_str(&format!("    say {}\n", c.pick(STRINGS))),
            1 => out.push_str(&format!("    ask {} {}\n", c.pick(NAMES), c.pick(STRINGS))),
            2 => out.push_str(&format!("    ask {}\n", c.pick(STRINGS))),
            _ => out.push_str(&format!("    note {}\n", c.pick(STRINGS))),
        }
    }
}

fn step(c: &mut Choices<'_>, out: &mut String) {
    out.push_str(&format!("  step {}", c.pick(NAMES)));
    if c.below(3) != 0 {
        out.push_str(&format!(" {}", c.pick(DURATIONS)));
    }
    if c.below(3) == 0 {
        out.push_str(&format!(
            " max {}",
            c.pick(&["1", "2", "3", "0", "4294967296", "99999999999999999999"])
        ));
    }
    out.push_str(" {\n");
    lines(c, out, 4);
    match c.below(4) {
        0 => out.push_str(&format!("    goto {}\n", c.pick(NAMES))),
        1 => {}
        _ => {
            for _ in 0..c.below(5) {
                out.push_str(&format!(
                    "    on {} -> {}\n",
                    c.pick(STRINGS),
                    c.pick(NAMES)
                ));
            }
            if c.below(2) == 0 {
                out.push_str(&format!("    otherwise -> {}\n", c.pick(NAMES)));
            }
        }
    }
    if c.below(12) == 0 {
        junk(c, out);
    }
    out.push_str("  }\n");
}

fn handoff(c: &mut Choices<'_>, out: &mut String) {
    out.push_str(&format!("  handoff {} to {}", c.pick(NAMES), c.pick(NAMES)));
    if c.below(2) == 0 {
        out.push_str(&format!(" within {}", c.pick(DURATIONS)));
    }
    if c.below(4) != 0 {
        out.push_str(" {\n");
        lines(c, out, 3);
        if c.below(2) == 0 {
            let n = 1 + c.below(3);
            let fields: Vec<&str> = (0..n).map(|_| c.pick(NAMES)).collect();
            out.push_str(&format!("    pass {}\n", fields.join(", ")));
        }
        if c.below(2) == 0 {
            out.push_str(&format!("    summary {}\n", c.pick(STRINGS)));
        }
        if c.below(3) == 0 {
            out.push_str(&format!(
                "    task {} within {}\n",
                c.pick(STRINGS),
                c.pick(DURATIONS)
            ));
        }
        if c.below(3) != 0 {
            out.push_str(&format!("    fallback {}\n", c.pick(NAMES)));
        }
        out.push_str("  }");
    }
    out.push('\n');
}

fn end(c: &mut Choices<'_>, out: &mut String) {
    out.push_str(&format!("  end {} {}", c.pick(NAMES), c.pick(STRINGS)));
    if c.below(2) == 0 {
        out.push_str(" {\n");
        lines(c, out, 3);
        if c.below(2) == 0 {
            out.push_str(&format!(
                "    task {} within {}\n",
                c.pick(STRINGS),
                c.pick(DURATIONS)
            ));
        }
        out.push_str("  }");
    }
    out.push('\n');
}

/// The hot-path scanner against the grammar: `text` must give the same AST
/// and the same diagnostics with the scanner as with pest alone, and when
/// scanned in parallel pieces as in one scan.
pub fn fast_path_agrees(text: &str) {
    use callscript::syntax::parse_with_fast_path;
    let (fast, fast_diags, _) = parse_with_fast_path(callscript::FileId(0), text, true);
    let (slow, slow_diags, _) = parse_with_fast_path(callscript::FileId(0), text, false);
    assert_eq!(slow, fast, "the ASTs differ (left: pest, right: fast path)");
    assert_eq!(
        format!("{slow_diags:?}"),
        format!("{fast_diags:?}"),
        "the diagnostics differ (left: pest, right: fast path)"
    );
    // Scanned in pieces, cut at every node keyword that starts a line.
    let (pieces, pieces_diags, _) = callscript::syntax::parse_with(callscript::FileId(0), text, true, 1);
    assert_eq!(fast, pieces, "the ASTs differ (left: one scan, right: pieces)");
    assert_eq!(
        format!("{fast_diags:?}"),
        format!("{pieces_diags:?}"),
        "the diagnostics differ (left: one scan, right: pieces)"
    );
}
