//! Leaving hospital: `[discharge]` (the rules for the day and hour a ready
//! patient leaves, and the discharge lounge), `[[pathway]]` (P1-P3 after the
//! acute stay) and each pool's `pathway_shares`.

use super::demand::weights;
use super::*;
use crate::model::{Lounge, PATHWAY_NAMES, Pathway, PathwayCapacity};

/// `[discharge]`; `None` after an error.
pub(super) fn read_discharge(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<DischargePolicy> {
    const WINDOW: [&str; 3] = ["window", "weekend_factor", "bank_holiday_factor"];
    const PROFILE: [&str; 5] =
        ["weekday_hours", "weekend_hours", "weekend_review_share", "bank_holiday_review_share", "lounge"];
    t.check_keys(cx, &[&["mode"][..], &WINDOW, &PROFILE].concat());
    let mode = match t.get("mode") {
        None => Some("on-ready"),
        Some(_) => t.choice(cx, "mode", &["on-ready", "daily-window", "profile"]).map(|(s, _)| s),
    }?;
    let unused: &[&str] = match mode {
        "on-ready" => &[&WINDOW[..], &PROFILE].concat(),
        "daily-window" => &PROFILE,
        _ => &WINDOW,
    };
    let mut ok = true;
    for k in unused {
        if let Some(v) = t.get(k) {
            let needs = if WINDOW.contains(k) { "daily-window" } else { "profile" };
            cx.err(v.span(), t.field(k), format!("`{k}` is only used when mode = \"{needs}\""));
            ok = false;
        }
    }
    match mode {
        "on-ready" => ok.then_some(DischargePolicy::OnReady),
        "daily-window" => read_window(cx, t).filter(|_| ok),
        _ => read_profile_rules(cx, t).filter(|_| ok),
    }
}

/// `mode = "daily-window"`: the simple model (a window and go-ahead chances).
fn read_window(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<DischargePolicy> {
    let window = match t.array_req(cx, "window", "[open_hour, close_hour], e.g. [9, 19]") {
        None => None,
        Some((items, span)) => {
            let hours: Vec<Option<i64>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| reader::integer(cx, v, &format!("discharge.window[{}]", i + 1), 0, 24, "an hour 0..24"))
                .collect();
            match hours.as_slice() {
                [Some(a), Some(b)] if a < b => Some((*a as u32, *b as u32)),
                [Some(a), Some(b)] => {
                    cx.err(
                        span,
                        "discharge.window",
                        format!("the window must open before it closes, found [{a}, {b}]"),
                    );
                    None
                }
                [_, _] => None,
                _ => {
                    cx.err(
                        span,
                        "discharge.window",
                        format!("expected [open_hour, close_hour], found {} values", hours.len()),
                    );
                    None
                }
            }
        }
    };
    let weekend = share_or(cx, t, "weekend_factor", 1.0);
    let bank = share_or(cx, t, "bank_holiday_factor", 1.0);
    let (open_hour, close_hour) = window?;
    Some(DischargePolicy::DailyWindow { open_hour, close_hour, weekend_factor: weekend?, bank_holiday_factor: bank? })
}

/// An optional share 0..1 with a default.
fn share_or(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, default: f64) -> Option<f64> {
    if t.has(key) { t.f64(cx, key, Rule::Probability) } else { Some(default) }
}

/// 24 hour-of-day weights, normalised to shares.
fn hours(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str) -> Option<[f64; 24]> {
    let w = weights(cx, t, key, 24)?;
    let total: f64 = w.iter().sum();
    let mut out = [0.0; 24];
    for (o, x) in out.iter_mut().zip(&w) {
        *o = x / total;
    }
    super::demand::normalised(cx, t, key, &out, 1.0).then_some(out)
}

/// `mode = "profile"`: the recommended model.
fn read_profile_rules(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<DischargePolicy> {
    let weekday = if t.has("weekday_hours") {
        hours(cx, t, "weekday_hours")
    } else {
        t.missing(cx, "weekday_hours", "24 relative weights, one per clock hour from 00:00, of weekday discharges");
        None
    };
    let weekend = if t.has("weekend_hours") { hours(cx, t, "weekend_hours").map(Some) } else { Some(None) };
    let weekend_share = share_or(cx, t, "weekend_review_share", 1.0);
    let bank_share = if t.has("bank_holiday_review_share") {
        t.f64(cx, "bank_holiday_review_share", Rule::Probability)
    } else {
        weekend_share
    };
    let lounge_path = t.field("lounge");
    let lounge = match t.table(cx, "lounge", &lounge_path) {
        Some(l) => read_lounge(cx, l).map(Some),
        None if t.has("lounge") => None,
        None => Some(None),
    };
    let weekday_hours = weekday?;
    Some(DischargePolicy::Profile {
        weekday_hours,
        weekend_hours: weekend?.unwrap_or(weekday_hours),
        weekend_review_share: weekend_share?,
        bank_holiday_review_share: bank_share?,
        lounge: lounge?,
    })
}

/// `[discharge.lounge]`.
fn read_lounge(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Lounge> {
    t.check_keys(cx, &["chairs", "move_hour", "close_hour", "weekends"]);
    let chairs = t.int_req(cx, "chairs", 1, limits::MAX_BEDS, "a whole number of chairs >= 1");
    let move_hour = t.int_req(cx, "move_hour", 0, 23, "an hour 0..23");
    let close_hour = t.int_req(cx, "close_hour", 1, 24, "an hour 1..24");
    let weekends = t.bool_or(cx, "weekends", false);
    let (m, c) = (move_hour?, close_hour?);
    if c <= m {
        cx.err(
            t.key_span("close_hour"),
            t.field("close_hour"),
            format!("the lounge must close after patients move in (move_hour {m}), found {c}"),
        );
        return None;
    }
    Some(Lounge { chairs: chairs? as u32, move_hour: m as u32, close_hour: c as u32, weekends: weekends? })
}

/// Seven whole numbers of starts a day, Monday to Sunday.
fn week_of_starts(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str) -> Option<[u32; 7]> {
    let (items, span) = t.array(cx, key)?;
    let field = t.field(key);
    if items.len() != 7 {
        cx.err(span, field, format!("expected 7 numbers of starts, Monday to Sunday, found {}", items.len()));
        return None;
    }
    let mut out = [0u32; 7];
    let mut ok = true;
    for (i, v) in items.iter().enumerate() {
        match reader::integer(cx, v, &format!("{field}[{}]", i + 1), 0, limits::MAX_BEDS, "a whole number >= 0") {
            Some(n) => out[i] = n as u32,
            None => ok = false,
        }
    }
    ok.then_some(out)
}

/// `[[pathway]]`: P1, P2 and P3, each at most once, in P1-P3 order.
pub(super) fn read_pathways(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> Option<Vec<Pathway>> {
    let mut out: Vec<Pathway> = Vec::new();
    let mut ok = true;
    for (v, path) in root.tables(cx, "pathway") {
        let Some(t) = as_table(cx, v, &path) else {
            ok = false;
            continue;
        };
        t.check_keys(cx, &["name", "delay_days", "starts_per_day", "capacity"]);
        let index = t.choice(cx, "name", &PATHWAY_NAMES).map(|(s, _)| {
            PATHWAY_NAMES.iter().position(|n| *n == s).unwrap_or_default() // always found: `choice` checked it
        });
        if !t.has("name") {
            t.missing(cx, "name", "the pathway: \"P1\", \"P2\" or \"P3\"");
        }
        let delay = if t.has("delay_days") { dist_req(cx, t, "delay_days").map(Some) } else { Some(None) };
        let starts =
            if t.has("starts_per_day") { week_of_starts(cx, t, "starts_per_day").map(Some) } else { Some(None) };
        let capacity = read_pathway_capacity(cx, t);
        if !t.has("delay_days") && !t.has("starts_per_day") {
            cx.err(
                t.span(),
                path.clone(),
                "a pathway needs `starts_per_day` (its capacity), `delay_days` (its delay), or both",
            );
            ok = false;
        }
        if t.has("capacity") && !t.has("starts_per_day") {
            cx.err(
                t.key_span("capacity"),
                t.field("capacity"),
                "dated changes of starts need `starts_per_day` for the days they do not cover",
            );
            ok = false;
        }
        match (index, delay, starts, capacity) {
            (Some(index), Some(delay_days), Some(starts_per_day), Some(capacity)) => {
                if out.iter().any(|p| p.index == index) {
                    cx.err(t.key_span("name"), t.field("name"), format!("{} is given twice", PATHWAY_NAMES[index]));
                    ok = false;
                }
                out.push(Pathway { index, delay_days, starts_per_day, capacity });
            }
            _ => ok = false,
        }
    }
    out.sort_by_key(|p| p.index);
    ok.then_some(out)
}

/// `[[pathway.capacity]]`: dated starts a day, not overlapping.
fn read_pathway_capacity(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Vec<PathwayCapacity>> {
    let Some((items, _)) = t.array(cx, "capacity") else {
        return if t.has("capacity") { None } else { Some(Vec::new()) };
    };
    let mut out = Some(Vec::new());
    for (i, v) in items.iter().enumerate() {
        let path = format!("{}[{}]", t.field("capacity"), i + 1);
        let Some(c) = as_table(cx, v, &path) else {
            out = None;
            continue;
        };
        c.check_keys(cx, &["from", "to", "starts_per_day"]);
        let range = c.date_range(cx);
        let week = week_of_starts(cx, c, "starts_per_day");
        if !c.has("starts_per_day") {
            c.missing(cx, "starts_per_day", "7 numbers of starts, Monday to Sunday");
        }
        match (range, week) {
            (Some((from, to)), Some(starts_per_day)) => {
                if let Some(o) = out.as_mut() {
                    if let Some(prev) = o.iter().find(|p: &&PathwayCapacity| p.from <= to && from <= p.to) {
                        cx.err(
                            c.key_span("from"),
                            c.field("from"),
                            format!(
                                "this change overlaps the one from {} to {}; dated changes must not overlap",
                                prev.from, prev.to
                            ),
                        );
                        out = None;
                    } else {
                        o.push(PathwayCapacity { from, to, starts_per_day });
                    }
                }
            }
            _ => out = None,
        }
    }
    out
}

/// A pool's `pathway_shares = { P1 = .., P2 = .., P3 = .. }`: each 0..1,
/// summing to at most 1 (the rest is P0), each naming a `[[pathway]]`.
pub(super) fn read_pathway_shares(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, defined: [bool; 3]) -> Option<[f64; 3]> {
    let path = t.field("pathway_shares");
    let Some(s) = t.table(cx, "pathway_shares", &path) else {
        return if t.has("pathway_shares") { None } else { Some([0.0; 3]) };
    };
    s.check_keys(cx, &PATHWAY_NAMES);
    let mut out = [0.0; 3];
    let mut ok = true;
    for (i, name) in PATHWAY_NAMES.iter().enumerate() {
        if !s.has(name) {
            continue;
        }
        match s.f64(cx, name, Rule::Probability) {
            Some(x) if x > 0.0 && !defined[i] => {
                cx.err(s.key_span(name), s.field(name), format!("no [[pathway]] named \"{name}\" in the scenario"));
                ok = false;
            }
            Some(x) => out[i] = x,
            None => ok = false,
        }
    }
    let total: f64 = out.iter().sum();
    if ok && total > 1.0 + 1e-9 {
        let shown = super::demand::share_total(total);
        cx.err(s.span(), path, format!("the shares add up to {shown}, more than 1 (the rest go home on P0)"));
        return None;
    }
    ok.then_some(out)
}
