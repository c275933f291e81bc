//! A compact, readable rendering of the AST, one node per line with its
//! byte span, for snapshot tests and debugging:
//!
//! ```text
//! script greet@0..14 "Приветствие"
//!   step hello@20..30 duration=30s
//!     say "Здравствуйте, {name}!" fields=[name]
//!     on "Да" -> next
//! ```

use std::fmt::Write;

use super::ast::*;

/// Render a parsed file.
pub fn dump(file: &File<'_>) -> String {
    let mut out = String::new();
    for item in &file.items {
        match item {
            Item::Contract(c) => contract(&mut out, c),
            Item::Role(r) => role(&mut out, r),
            Item::Script(s) => script(&mut out, s),
        }
    }
    for b in &file.broken {
        let _ = writeln!(
            out,
            "broken {}{} {}",
            b.keyword,
            b.name.map(|n| format!(" {n}")).unwrap_or_default(),
            span(b.span)
        );
    }
    out
}

fn span(s: crate::source::Span) -> String {
    format!("@{}..{}", s.start, s.end)
}

fn q(s: &str) -> String {
    format!("{s:?}")
}

fn str_(s: &Str<'_>) -> String {
    q(&s.value())
}

fn text(t: &Text<'_>) -> String {
    let fields: Vec<&str> = t.fields().iter().map(|f| f.name).collect();
    if fields.is_empty() {
        q(&t.display())
    } else {
        format!("{} fields=[{}]", q(&t.display()), fields.join(","))
    }
}

fn schedule(s: &Schedule<'_>) -> String {
    match &s.kind {
        ScheduleKind::Always => "24/7".into(),
        ScheduleKind::Windows(ws) => ws
            .iter()
            .map(|w| {
                let days = w.days.as_ref().map(|d| match &d.last {
                    Some(l) => format!("{}-{} ", d.first.raw, l.raw),
                    None => format!("{} ", d.first.raw),
                });
                format!("{}{}-{}", days.unwrap_or_default(), w.from.raw, w.to.raw)
            })
            .collect::<Vec<_>>()
            .join(", "),
    }
}

fn contract(out: &mut String, c: &Contract<'_>) {
    let _ = writeln!(out, "contract {} {}", str_(&c.title), span(c.span));
    for f in &c.fields {
        let v = match &f.kind {
            ContractFieldKind::Customer(s)
            | ContractFieldKind::Contractor(s)
            | ContractFieldKind::Crm(s)
            | ContractFieldKind::Timezone(s)
            | ContractFieldKind::Mandatory(s) => str_(s),
            ContractFieldKind::Operators(r)
            | ContractFieldKind::Assistance(r)
            | ContractFieldKind::ClientBase(r)
            | ContractFieldKind::HandoffSla(r) => r.raw.to_string(),
            ContractFieldKind::Priority(list) => {
                list.iter().map(str_).collect::<Vec<_>>().join(", ")
            }
            ContractFieldKind::Schedule(s) => schedule(s),
            ContractFieldKind::Volume { count, per } => format!("{}/{}", count.raw, per.raw),
            ContractFieldKind::Quality {
                side,
                name,
                position,
            } => format!("{} {}, {}", side.raw, str_(name), str_(position)),
        };
        let _ = writeln!(out, "  {} {v} {}", f.kind.keyword(), span(f.span));
    }
}

fn role(out: &mut String, r: &Role<'_>) {
    let _ = writeln!(
        out,
        "role {}{} {}",
        r.name.name,
        span(r.span),
        str_(&r.title)
    );
    for f in &r.fields {
        let line = match &f.kind {
            RoleFieldKind::Contact { name, position } => {
                format!("contact {}, {}", str_(name), str_(position))
            }
            RoleFieldKind::Channel(s) => format!("channel {}", str_(s)),
            RoleFieldKind::Hours(s) => format!("hours {}", schedule(s)),
        };
        let _ = writeln!(out, "  {line} {}", span(f.span));
    }
}

fn script(out: &mut String, s: &Script<'_>) {
    let _ = writeln!(
        out,
        "script {}{} {}{}",
        s.name.name,
        span(s.span),
        str_(&s.title),
        if s.broken { " (broken)" } else { "" }
    );
    for st in &s.settings {
        let v = match &st.kind {
            SettingKind::Kind(r) | SettingKind::Deadline(r) => r.raw.to_string(),
            SettingKind::Schedule(sc) => schedule(sc),
            SettingKind::Start(id) => id.name.to_string(),
            SettingKind::Mandatory(m) => str_(m),
        };
        let _ = writeln!(out, "  {} {v} {}", st.kind.keyword(), span(st.span));
    }
    for n in &s.nodes {
        node(out, n);
    }
}

fn lines(out: &mut String, ls: &[Line<'_>]) {
    for l in ls {
        let field = l.field.map(|f| format!("{} ", f.name)).unwrap_or_default();
        let _ = writeln!(out, "    {} {field}{}", l.kind.as_str(), text(&l.text));
    }
}

fn tasks(out: &mut String, ts: &[Task<'_>]) {
    for t in ts {
        let _ = writeln!(out, "    task {} within {}", text(&t.text), t.within.raw);
    }
}

fn node(out: &mut String, n: &Node<'_>) {
    match &n.kind {
        NodeKind::Step(st) => {
            let mut head = format!("  step {}{}", n.name.name, span(n.span));
            if let Some(d) = st.duration {
                let _ = write!(head, " duration={}", d.raw);
            }
            if let Some(m) = st.max {
                let _ = write!(head, " max={}", m.raw);
            }
            let _ = writeln!(out, "{head}");
            lines(out, &st.lines);
            for e in &st.exits {
                let _ = match &e.kind {
                    ExitKind::On(a) => {
                        writeln!(out, "    on {} -> {}", str_(a), e.target.name.name)
                    }
                    ExitKind::Otherwise => writeln!(out, "    otherwise -> {}", e.target.name.name),
                    ExitKind::Goto => writeln!(out, "    goto {}", e.target.name.name),
                };
            }
        }
        NodeKind::Handoff(h) => {
            let within = h
                .within
                .map(|w| format!(" within {}", w.raw))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "  handoff {}{} to {}{within}",
                n.name.name,
                span(n.span),
                h.role.name
            );
            lines(out, &h.lines);
            if !h.pass.is_empty() {
                let names: Vec<&str> = h.pass.iter().map(|p| p.name).collect();
                let _ = writeln!(out, "    pass {}", names.join(", "));
            }
            if let Some(s) = &h.summary {
                let _ = writeln!(out, "    summary {}", text(s));
            }
            tasks(out, &h.tasks);
            if let Some(f) = h.fallback {
                let _ = writeln!(out, "    fallback {}", f.name);
            }
        }
        NodeKind::End(e) => {
            let _ = writeln!(
                out,
                "  end {}{} {}",
                n.name.name,
                span(n.span),
                str_(&e.outcome)
            );
            lines(out, &e.lines);
            tasks(out, &e.tasks);
        }
    }
}
