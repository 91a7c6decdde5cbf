//! `[[uncertainty]]`: inputs not known exactly (next winter's attendances, a
//! route's mean stay, a pathway's capacity), each multiplied by a factor
//! drawn once per replication, so percentiles across replications include
//! what is not known about the inputs as well as day-to-day chance.

use super::*;
use crate::model::{Pathway, Uncertain, UncertainInput};

/// One entry as read: the input named, where, and the factor.
pub(super) struct Entry {
    input: String,
    span: std::ops::Range<usize>,
    field: String,
    factor: Distribution,
}

/// Reads every `[[uncertainty]]` table (`input`, `factor`).
pub(super) fn read(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> Option<Vec<Entry>> {
    let mut out = Vec::new();
    let mut ok = true;
    for (v, path) in root.tables(cx, "uncertainty") {
        let Some(t) = as_table(cx, v, &path) else {
            ok = false;
            continue;
        };
        t.check_keys(cx, &["input", "factor"]);
        let input = t.str_req(cx, "input", "the input, e.g. \"ed.attendances_per_day\"");
        let factor = dist_req(cx, t, "factor");
        match (input, factor) {
            (Some((s, span)), Some(factor)) => {
                if factor.mean() <= 0.0 || !factor.mean().is_finite() {
                    cx.err(
                        t.key_span("factor"),
                        t.field("factor"),
                        "expected a factor with a mean above 0 (usually 1)",
                    );
                    ok = false;
                    continue;
                }
                out.push(Entry { input: s.to_string(), span, field: t.field("input"), factor });
            }
            _ => ok = false,
        }
    }
    ok.then_some(out)
}

/// Resolves each entry's input against the routes and pathways read.
pub(super) fn resolve(
    cx: &mut Ctx<'_>,
    entries: Vec<Entry>,
    has_ed: bool,
    routes: &[Route],
    pathways: &[Pathway],
) -> Option<Vec<Uncertain>> {
    let mut out = Vec::new();
    let mut ok = true;
    const FORMS: &str = "\"ed.attendances_per_day\", \"admissions.NAME.per_day\" (a direct route), \
                         \"admissions.NAME.stay_days\" or \"pathway.P1.starts_per_day\" (P1, P2 or P3, with starts)";
    for e in entries {
        let route = |name: &str| routes.iter().position(|r| r.name == name);
        let input = if e.input == "ed.attendances_per_day" {
            has_ed.then_some(UncertainInput::EdAttendances).ok_or("the scenario has no [ed]".to_string())
        } else if let Some(name) = e.input.strip_prefix("admissions.").and_then(|s| s.strip_suffix(".per_day")) {
            match route(name) {
                Some(r) if matches!(routes[r].source, RouteSource::Direct { .. }) => Ok(UncertainInput::RoutePerDay(r)),
                Some(_) => {
                    Err(format!("route \"{name}\" is an ED route: make ed.attendances_per_day uncertain instead"))
                }
                None => Err(format!("no [[admissions]] route is named \"{name}\"")),
            }
        } else if let Some(name) = e.input.strip_prefix("admissions.").and_then(|s| s.strip_suffix(".stay_days")) {
            route(name).map(UncertainInput::RouteStay).ok_or(format!("no [[admissions]] route is named \"{name}\""))
        } else if let Some(name) = e.input.strip_prefix("pathway.").and_then(|s| s.strip_suffix(".starts_per_day")) {
            match ["P1", "P2", "P3"].iter().position(|p| *p == name) {
                Some(k) if pathways.iter().any(|p| p.index == k && p.starts_per_day.is_some()) => {
                    Ok(UncertainInput::PathwayStarts(k))
                }
                Some(_) => Err(format!("pathway {name} has no starts_per_day to scale")),
                None => Err(format!("expected P1, P2 or P3, found \"{name}\"")),
            }
        } else {
            Err(format!("expected one of {FORMS}, found \"{}\"", e.input))
        };
        match input {
            Ok(input) => out.push(Uncertain { input, factor: e.factor }),
            Err(why) => {
                cx.err(e.span, e.field, why);
                ok = false;
            }
        }
    }
    ok.then_some(out)
}
