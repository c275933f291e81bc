//! `role-off-duty`: a reachable handoff goes to a role at hours of the
//! script's schedule (else the contract's) when the role is off duty.
//! Both are read in the contract's time zone; schedule windows are
//! compared, call durations are not. A warning when the handoff has a
//! `fallback`, an error without one.

use super::Context;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::model::NodeKind;

pub fn check(ctx: &Context<'_, '_>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let program = ctx.program;
    let contract_schedule = program
        .contract
        .as_ref()
        .and_then(|c| c.schedule.as_ref().map(|s| (c.file, s)));
    for (script, g) in ctx.scripts() {
        let Some((sched_file, schedule)) = script
            .schedule
            .as_ref()
            .map(|s| (script.file, s))
            .or(contract_schedule)
        else {
            continue;
        };
        let open = schedule.value.week();
        for (v, node) in script.nodes.iter().enumerate() {
            let NodeKind::Handoff(h) = &node.kind else {
                continue;
            };
            if !g.reachable[v] {
                continue;
            }
            let Some(role) = h.role_id.map(|r| &program.roles[r]) else {
                continue;
            };
            let Some(hours) = &role.hours else { continue };
            let off = open.minus(&hours.value.week());
            if off.count() == 0 {
                continue;
            }
            let severity = if h.fallback.is_some() {
                Severity::Warning
            } else {
                Severity::Error
            };
            let mut d = Diagnostic::new(
                Code::RoleOffDuty,
                script.file,
                node.header,
                format!(
                    "handoff `{}` can happen while `{}` is off duty: {}",
                    node.name.name,
                    role.name.name,
                    off.describe()
                ),
            )
            .with_severity(severity)
            .with_label_in(role.file, hours.span, "the role's hours")
            .with_label_in(sched_file, schedule.span, "calls are taken at these hours");
            d = if h.fallback.is_some() {
                d.with_help("at those hours the client goes to the fallback; extend the role's `hours` or narrow the script's `schedule` if that is not intended")
            } else {
                d.with_help("add a `fallback` for the hours the role is away, extend the role's `hours`, or narrow the script's `schedule`")
            };
            out.push(d);
        }
    }
    out
}
