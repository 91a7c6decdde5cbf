//! `[plan]`: what the plan a scenario tests costs in itself (see
//! [`crate::model::PlanCost`]).
//!
//! Every limit is checked here, before any simulation: a description of at
//! most [`MAX_DESCRIPTION`] characters without control characters or
//! bidirectional overrides (it is printed in the terminal, written into HTML
//! and spreadsheets), costs within [`MAX_COST`] so that every total stays
//! finite, and paid dates inside the reported period (a plan paid outside
//! it would count nothing, and spreadsheets cannot hold dates before 1900).

use super::*;
use crate::model::PlanCost;

/// Longest `description`, in characters (a sentence or two).
pub(super) const MAX_DESCRIPTION: usize = 200;
/// Largest `one_off_cost` or `cost_per_day`, either sign (GBP 1 billion):
/// a day's cost over the longest run stays a finite, exactly summed number.
pub(super) const MAX_COST: f64 = 1.0e9;

/// Reads `[plan]` (`description`, `one_off_cost`, `cost_per_day`, `from`,
/// `to`); `Some(None)` without one, `None` after an error (reported).
pub(super) fn read(
    cx: &mut Ctx<'_>,
    root: Tbl<'_, '_>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
) -> Option<Option<PlanCost>> {
    let Some(t) = root.table(cx, "plan", "plan") else {
        return if root.has("plan") { None } else { Some(None) };
    };
    t.check_keys(cx, &["description", "one_off_cost", "cost_per_day", "from", "to"]);
    let description = match t.get("description") {
        None => Some(String::new()),
        Some(_) => t.str(cx, "description").and_then(|(s, span)| {
            let why = if s.chars().count() > MAX_DESCRIPTION {
                Some(format!("at most {MAX_DESCRIPTION} characters, found {}", s.chars().count()))
            } else if s.chars().any(diagnostic::is_unsafe_char) {
                Some("no control characters, line breaks or bidirectional overrides".to_string())
            } else {
                None
            };
            match why {
                Some(why) => {
                    cx.err(span, t.field("description"), format!("a description of the plan: {why}"));
                    None
                }
                None => Some(s.to_string()),
            }
        }),
    };
    let cost = |cx: &mut Ctx<'_>, key: &str| -> Option<f64> {
        if !t.has(key) {
            return Some(0.0);
        }
        let x = t.f64(cx, key, Rule::Finite)?;
        if x.abs() > MAX_COST {
            cx.err(
                t.key_span(key),
                t.field(key),
                format!("expected GBP between -1e9 and 1e9 (a saving is negative), found {x}"),
            );
            return None;
        }
        Some(x)
    };
    let one_off = cost(cx, "one_off_cost");
    let per_day = cost(cx, "cost_per_day");
    if !t.has("one_off_cost") && !t.has("cost_per_day") {
        cx.err(t.span(), "plan", "a [plan] needs `one_off_cost` or `cost_per_day` (GBP): what the plan itself costs");
    }
    // Paid dates inside the reported period, each checked where it is written.
    let (start, end) = (start?, end?);
    let date = |cx: &mut Ctx<'_>, key: &str, default: NaiveDate| -> Option<NaiveDate> {
        if !t.has(key) {
            return Some(default);
        }
        let d = t.date(cx, key)?;
        if d < start || d > end {
            cx.err(
                t.key_span(key),
                t.field(key),
                format!(
                    "{d} is outside the reported period ({start} to {end}); the plan is costed over reported days only"
                ),
            );
            return None;
        }
        Some(d)
    };
    let from = date(cx, "from", start);
    let to = date(cx, "to", end);
    let (from, to) = (from?, to?);
    if to < from {
        cx.err(t.key_span("to"), t.field("to"), format!("`to` ({to}) is before `from` ({from})"));
        return None;
    }
    if !t.has("one_off_cost") && !t.has("cost_per_day") {
        return None;
    }
    Some(Some(PlanCost { description: description?, one_off_cost: one_off?, cost_per_day: per_day?, from, to }))
}
