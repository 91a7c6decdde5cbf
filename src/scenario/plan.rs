//! `[plan]`: what the plan a scenario tests costs in itself (see
//! [`crate::model::PlanCost`]).

use super::*;
use crate::model::PlanCost;

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
        Some(_) => t.str(cx, "description").map(|(s, _)| s.to_string()),
    };
    let one_off = if t.has("one_off_cost") { t.f64(cx, "one_off_cost", Rule::Finite) } else { Some(0.0) };
    let per_day = if t.has("cost_per_day") { t.f64(cx, "cost_per_day", Rule::Finite) } else { Some(0.0) };
    let from = if t.has("from") { t.date(cx, "from") } else { start };
    let to = if t.has("to") { t.date(cx, "to") } else { end };
    let (from, to) = (from?, to?);
    if to < from {
        cx.err(t.key_span("to"), t.field("to"), format!("`to` ({to}) is before `from` ({from})"));
        return None;
    }
    if !t.has("one_off_cost") && !t.has("cost_per_day") {
        cx.err(t.span(), "plan", "a [plan] needs `one_off_cost` or `cost_per_day` (GBP): what the plan itself costs");
        return None;
    }
    Some(Some(PlanCost { description: description?, one_off_cost: one_off?, cost_per_day: per_day?, from, to }))
}
