//! The hot-path scanner (`src/syntax/fast.rs`) against the grammar: every
//! source must give the same AST and the same diagnostics with the scanner
//! as with pest alone, and on ordinary scripts the scanner must take every
//! step, handoff and end (or it would be a slow path that merely agrees).
//!
//! The `fast_path` fuzz target runs the same comparison on arbitrary input;
//! `tests/properties.rs` on random valid and mutated projects.

mod common;

use callscript::FileId;
use callscript::syntax::ast::Item;
use callscript::syntax::{dump, parse_with, parse_with_fast_path};

/// Parse `text` both ways; panic with a readable difference if they
/// disagree. Returns how many members the fast path took and how many
/// nodes (steps, handoffs, ends) the file has.
fn agree(name: &str, text: &str) -> (usize, usize) {
    let (fast, fast_diags, taken) = parse_with_fast_path(FileId(0), text, true);
    let (slow, slow_diags, none) = parse_with_fast_path(FileId(0), text, false);
    assert_eq!(none, 0, "{name}: the fast path ran while switched off");
    if fast != slow {
        // The dump shows spans and names: a readable difference.
        assert_eq!(
            dump::dump(&slow),
            dump::dump(&fast),
            "{name}: the ASTs differ (left: pest, right: fast path)\n{text}"
        );
        panic!("{name}: the ASTs differ in a way the dump does not show:\n{text}");
    }
    assert_eq!(
        format!("{slow_diags:#?}"),
        format!("{fast_diags:#?}"),
        "{name}: the diagnostics differ (left: pest, right: fast path)\n{text}"
    );
    // Scanned in pieces (a large script is, one per core), it is the same:
    // tiny pieces put cuts everywhere, in strings and comments too.
    for min_piece in [1, 29] {
        let (pieces, pieces_diags, pieces_taken) = parse_with(FileId(0), text, true, min_piece);
        assert!(
            pieces == fast && pieces_taken == taken,
            "{name}: scanned in pieces of {min_piece}+ bytes, the AST differs:\n{}",
            dump::dump(&pieces)
        );
        assert_eq!(
            format!("{fast_diags:#?}"),
            format!("{pieces_diags:#?}"),
            "{name}: scanned in pieces of {min_piece}+ bytes, the diagnostics differ"
        );
    }
    let nodes = fast
        .items
        .iter()
        .map(|i| match i {
            Item::Script(s) => s.nodes.len(),
            _ => 0,
        })
        .sum();
    (taken, nodes)
}

#[test]
fn every_fixture_parses_the_same_with_and_without_the_fast_path() {
    let paths = common::script_files(&common::root().join("tests/fixtures"));
    assert!(paths.len() > 50, "the fixtures were not found");
    let mut taken = 0;
    for p in &paths {
        let text = String::from_utf8_lossy(&std::fs::read(p).unwrap()).into_owned();
        taken += agree(&p.display().to_string(), &text).0;
    }
    assert!(
        taken > 100,
        "the fast path took only {taken} fixture members"
    );
}

#[test]
fn the_fast_path_takes_every_node_of_the_example_project() {
    for f in common::example() {
        let text = std::str::from_utf8(&f.bytes).unwrap();
        let (taken, nodes) = agree(&f.name, text);
        assert!(nodes > 0 || !text.contains("step "), "{}", f.name);
        assert_eq!(taken, nodes, "{}: the fast path left nodes to pest", f.name);
    }
}

/// Members with every statement and every optional part, in the example
/// project's language: Russian names, Cyrillic text, escapes, CRLF.
const KITCHEN_SINK: &str = "script s \"Заголовок\" {\n\
  step приветствие 30s max 2 {\n\
    say \"Здравствуйте, {имя}! \\\"кавычки\\\" \\{x\\}\"\n\
    ask имя \"Как вас зовут?\"\n\
    ask \"Удобно говорить?\"\n\
    note \"тихо\"\r\n\
    on \"Да\" -> передача\n\
    on \"Нет\"->конец\n\
    otherwise -> конец\n\
  }\n\
  step s2 { goto конец }\n\
  handoff передача to sales within 3m {\n\
    say \"Соединяю\"\n\
    pass имя, телефон ,x\n\
    summary \"Клиент {имя}\"\n\
    task \"Перезвонить\" within 1h30m\n\
    fallback конец\n\
  }\n\
  handoff h2 to sales\n\
  end конец \"Готово\" { say \"До свидания\" task \"Отчёт\" within 1d }\n\
  end e2 \"Без блока\"\n\
}\n";

/// Characters and tokens where a hand-written scanner and a grammar most
/// easily part ways: identifier classes at their edges (a combining mark,
/// a middle dot and a superscript continue an identifier but do not start
/// one; digits), white space the grammar does not accept (NBSP, form
/// feed, vertical tab), quotes, escapes, braces and arrows.
const TRICKY: &[&str] = &[
    "\u{301}", "·", "²", "_", "9", "я", "\u{a0}", "\u{c}", "\u{b}", "\t", "\r", "\n", "\"", "\\",
    "{", "}", "-", ">", "->", ",", "/", " ", "max", "within", "to", "é", "ǅ",
];

#[test]
fn tricky_characters_anywhere_in_a_member_parse_the_same_both_ways() {
    let (taken, nodes) = agree("kitchen sink", KITCHEN_SINK);
    assert_eq!(taken, nodes, "the kitchen sink should be all fast path");
    let chars: Vec<(usize, char)> = KITCHEN_SINK.char_indices().collect();
    let mut fast_cases = 0;
    for &(at, c) in &chars {
        for t in TRICKY {
            // Insert the token before the character, and replace the
            // character with it.
            let inserted = format!("{}{t}{}", &KITCHEN_SINK[..at], &KITCHEN_SINK[at..]);
            let replaced = format!(
                "{}{t}{}",
                &KITCHEN_SINK[..at],
                &KITCHEN_SINK[at + c.len_utf8()..]
            );
            for text in [inserted, replaced] {
                let (taken, _) = agree(&format!("{t:?} at {at}"), &text);
                fast_cases += taken;
            }
        }
        // Delete the character.
        let deleted = format!(
            "{}{}",
            &KITCHEN_SINK[..at],
            &KITCHEN_SINK[at + c.len_utf8()..]
        );
        agree(&format!("deleted {at}"), &deleted);
    }
    assert!(fast_cases > 0);
}
