//! Beds and their rules: `[[pool]]`, `[pool.escalation]` and `[opel]`.

use super::*;

pub(super) fn read_pool(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    me: usize,
    pools: &[Option<&str>],
    pathways: [bool; 3],
) -> Option<BedPool> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[
            "name",
            "beds",
            "when_full",
            "cancel_electives_when_boarding",
            "escalation",
            "capacity",
            "outlie_to",
            "keep_for_own_patients",
            "outlier_stay_factor",
            "outbreaks",
            "pathway_shares",
        ],
    );
    let name = read_name(cx, t);
    let beds = t.int_req(cx, "beds", 1, limits::MAX_BEDS, "a whole number of beds between 1 and 1000000");
    let when_full = match t.get("when_full") {
        None => Some(WhenFull::Queue),
        Some(_) => t.choice(cx, "when_full", &["queue", "divert"]).map(|(s, _)| match s {
            "divert" => WhenFull::Divert,
            _ => WhenFull::Queue,
        }),
    };
    let cancel = t.bool_or(cx, "cancel_electives_when_boarding", false);
    let escalation_path = t.field("escalation");
    let escalation = match t.table(cx, "escalation", &escalation_path) {
        Some(e) => read_escalation(cx, e, &[]).map(Some),
        None if t.has("escalation") => None,
        None => Some(None),
    };
    let capacity = read_capacity_changes(cx, t);
    let outbreaks_path = t.field("outbreaks");
    let outbreaks = match t.table(cx, "outbreaks", &outbreaks_path) {
        Some(o) => read_outbreaks(cx, o, beds).map(Some),
        None if t.has("outbreaks") => None,
        None => Some(None),
    };
    let outlie_to = read_outlie_to(cx, t, me, pools);
    let pathway_shares = super::discharge::read_pathway_shares(cx, t, pathways);
    let keep = match t.get("keep_for_own_patients") {
        None => Some(0),
        Some(_) => {
            let most = beds.unwrap_or(limits::MAX_BEDS);
            t.int(cx, "keep_for_own_patients", 0, most, &format!("a whole number of beds from 0 to the pool's {most}"))
        }
    };
    let factor = match t.get("outlier_stay_factor") {
        None => Some(1.0),
        Some(_) => t.f64(cx, "outlier_stay_factor", Rule::Positive).and_then(|f| {
            if !(0.1..=10.0).contains(&f) {
                cx.err(
                    t.key_span("outlier_stay_factor"),
                    t.field("outlier_stay_factor"),
                    format!("expected a factor from 0.1 to 10, found {f}"),
                );
                None
            } else {
                Some(f)
            }
        }),
    };
    Some(BedPool {
        name: name?,
        beds: beds? as u32,
        when_full: when_full?,
        cancel_electives_when_boarding: cancel?,
        escalation: escalation?,
        capacity: capacity?,
        outlie_to: outlie_to?,
        keep_for_own_patients: keep? as u32,
        outlier_stay_factor: factor?,
        serves: Vec::new(),
        outbreaks: outbreaks?,
        pathway_shares: pathway_shares?,
    })
}

/// `[[escalation_ward]]`: escalation beds shared by several pools (`serves`),
/// with a pool's escalation rules and costs. It becomes a pool of its own
/// with no core beds, after the scenario's pools; see
/// [`crate::model::BedPool::serves`].
pub(super) fn read_escalation_ward(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    pools: &[Option<&str>],
) -> Option<(String, Vec<usize>, Escalation)> {
    let t = as_table(cx, v, path)?;
    let name = read_name(cx, t);
    let serves =
        t.array_req(cx, "serves", "the [[pool]] names whose patients the ward takes").and_then(|(items, span)| {
            let served = pool_names(cx, items, &t.field("serves"), None, pools)?;
            if served.is_empty() {
                cx.err(span, t.field("serves"), "expected at least one [[pool]] name");
                return None;
            }
            Some(served)
        });
    let escalation = read_escalation(cx, t, &["name", "serves"]);
    Some((name?, serves?, escalation?))
}

/// `[pool.outbreaks]`: random infection-control closures.
fn read_outbreaks(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, pool_beds: Option<i64>) -> Option<Outbreaks> {
    t.check_keys(cx, &["chance_per_week", "beds_closed", "days_closed"]);
    let chance = t.f64_req(cx, "chance_per_week", Rule::Probability).and_then(|p| {
        // Below one in a million a week an outbreak would start about once
        // in 20,000 years: "never" is left out of the scenario instead.
        if (1e-6..1.0).contains(&p) {
            Some(p)
        } else {
            cx.err(
                t.key_span("chance_per_week"),
                t.field("chance_per_week"),
                format!("expected a chance from 0.000001 to below 1, found {p} (leave [pool.outbreaks] out for none)"),
            );
            None
        }
    });
    let beds = t.int_req(cx, "beds_closed", 1, limits::MAX_BEDS, "a whole number of beds >= 1");
    if let (Some(b), Some(p)) = (beds, pool_beds)
        && b > p
    {
        cx.err(
            t.key_span("beds_closed"),
            t.field("beds_closed"),
            format!("{b} beds closed is more than the pool's {p} beds"),
        );
        return None;
    }
    let days = dist_req(cx, t, "days_closed");
    Some(Outbreaks { chance_per_week: chance?, beds: beds? as u32, days: days? })
}

/// `[[pool.capacity]]`: dated changes of core beds, `from` (and optionally
/// `to`, inclusive) with the `beds` that hold meanwhile; no two may overlap.
fn read_capacity_changes(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Vec<CapacityChange>> {
    let Some((items, _)) = t.array(cx, "capacity") else {
        return if t.has("capacity") { None } else { Some(Vec::new()) };
    };
    let mut out = Some(Vec::new());
    let mut spans = Vec::new();
    for (i, v) in items.iter().enumerate() {
        let path = format!("{}[{}]", t.field("capacity"), i + 1);
        let Some(c) = as_table(cx, v, &path) else {
            out = None;
            continue;
        };
        c.check_keys(cx, &["from", "to", "beds"]);
        let from = c.date_req(cx, "from");
        let to = c.date(cx, "to");
        let to = if c.has("to") { to.map(Some) } else { Some(None) };
        let beds = c.int_req(cx, "beds", 0, limits::MAX_BEDS, "a whole number of beds between 0 and 1000000");
        match (from, to, beds) {
            (Some(f), Some(Some(e)), Some(_)) if e < f => {
                cx.err(c.key_span("to"), c.field("to"), format!("`to` ({e}) is before `from` ({f})"));
                out = None;
            }
            (Some(from), Some(to), Some(beds)) => {
                if let Some(o) = out.as_mut() {
                    o.push(CapacityChange { from, to, beds: beds as u32 });
                    spans.push((c.key_span("from"), c.field("from")));
                }
            }
            _ => out = None,
        }
    }
    let mut out = out?;
    // No two changes may cover one day: which would hold would be a guess.
    let mut order: Vec<usize> = (0..out.len()).collect();
    order.sort_by_key(|&i| out[i].from);
    for w in order.windows(2) {
        let (a, b) = (out[w[0]], out[w[1]]);
        if a.to.is_none_or(|to| to >= b.from) {
            let (span, field) = spans[w[1]].clone();
            let until = a.to.map_or("the end of the run".to_string(), |d| d.to_string());
            cx.err(
                span,
                field,
                format!(
                    "this change from {} overlaps another from {} to {until}; dated changes must not overlap",
                    b.from, a.from
                ),
            );
            return None;
        }
    }
    out.sort_by_key(|c| c.from);
    Some(out)
}

/// `outlie_to`: other pools' names, in order of preference, each once.
fn read_outlie_to(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, me: usize, pools: &[Option<&str>]) -> Option<Vec<usize>> {
    let Some((items, _)) = t.array(cx, "outlie_to") else {
        return if t.has("outlie_to") { None } else { Some(Vec::new()) };
    };
    pool_names(cx, items, &t.field("outlie_to"), Some(me), pools)
}

/// An array of `[[pool]]` names as pool indices, each name once (and not
/// pool `me`, if given): the one reader of a list of pools (`outlie_to`, a
/// ward's `serves`). `None` after reporting any problem; an unknown name
/// among pools whose own names are invalid is left to their errors.
fn pool_names(
    cx: &mut Ctx<'_>,
    items: &[Val<'_>],
    field: &str,
    me: Option<usize>,
    pools: &[Option<&str>],
) -> Option<Vec<usize>> {
    let mut out = Some(Vec::new());
    for (i, v) in items.iter().enumerate() {
        let field = format!("{field}[{}]", i + 1);
        let toml::de::DeValue::String(s) = v.get_ref() else {
            cx.err(v.span(), field, "expected the name of a [[pool]]");
            out = None;
            continue;
        };
        let s: &str = s;
        let found = pools.iter().position(|p| *p == Some(s));
        let problem = match found {
            None if pools.iter().all(|p| p.is_some()) => {
                let known = pools.iter().flatten().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
                Some(format!("unknown pool \"{s}\"; the [[pool]] names are {known}"))
            }
            Some(j) if Some(j) == me => Some(format!("a pool cannot outlie into itself (\"{s}\")")),
            Some(j) if out.as_ref().is_some_and(|o: &Vec<usize>| o.contains(&j)) => {
                Some(format!("\"{s}\" is listed twice"))
            }
            None | Some(_) => None,
        };
        if let Some(why) = problem {
            cx.err(v.span(), field, why);
            out = None;
        } else if let (Some(o), Some(j)) = (out.as_mut(), found) {
            o.push(j);
        } else {
            out = None;
        }
    }
    out
}

/// Three ascending thresholds (levels 2, 3, 4).
pub(super) fn thresholds(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, rule: Rule) -> Option<[f64; 3]> {
    let (items, span) = t.array_req(cx, key, "three ascending thresholds for OPEL levels 2, 3 and 4")?;
    let field = t.field(key);
    let v: Option<Vec<f64>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| number(cx, v, &format!("{field}[{}]", i + 1), rule))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let v = v?;
    if v.len() != 3 || v[0] > v[1] || v[1] > v[2] {
        cx.err(span, field, "expected three ascending thresholds for OPEL levels 2, 3 and 4");
        return None;
    }
    Some([v[0], v[1], v[2]])
}

pub(super) fn read_opel(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Opel> {
    t.check_keys(cx, &["occupancy", "boarders", "waits_over_12h"]);
    let occupancy = thresholds(cx, t, "occupancy", Rule::NonNegative);
    let boarders = thresholds(cx, t, "boarders", Rule::NonNegative);
    let waits = thresholds(cx, t, "waits_over_12h", Rule::NonNegative);
    let whole = |a: [f64; 3]| a.map(|x| x.round() as u32);
    Some(Opel { occupancy: occupancy?, boarders: whole(boarders?), waits_over_12h: whole(waits?) })
}

/// The escalation rules and costs of a pool's `[pool.escalation]` or of an
/// `[[escalation_ward]]` (whose own keys are `extra`).
pub(super) fn read_escalation(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, extra: &[&str]) -> Option<Escalation> {
    const KEYS: [&str; 15] = [
        "max_beds",
        "beds_per_step",
        "review_hours",
        "open_at_occupancy",
        "open_at_boarders",
        "close_below_occupancy",
        "min_days_open",
        "windows",
        "cost_per_open_bed_day",
        "nurses_per_bed",
        "nurse_hourly_cost",
        "agency_share",
        "agency_premium",
        "cost_per_occupied_bed_day",
        "cost_per_opening",
    ];
    let keys: Vec<&str> = KEYS.iter().chain(extra).copied().collect();
    t.check_keys(cx, &keys);
    let max = t.int_req(cx, "max_beds", 1, limits::MAX_BEDS, "a whole number of beds >= 1");
    let step = t.int_req(cx, "beds_per_step", 1, limits::MAX_BEDS, "a whole number of beds >= 1");
    if let (Some(m), Some(s), Some(v)) = (max, step, t.get("beds_per_step"))
        && s > m
    {
        cx.err(v.span(), t.field("beds_per_step"), format!("a step of {s} beds is more than max_beds ({m})"));
        return None;
    }
    let reviews = match t.array_req(cx, "review_hours", "bed-meeting hours such as [8, 14, 20]") {
        None => None,
        Some((items, span)) => {
            let hours: Option<Vec<u32>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    reader::integer(cx, v, &format!("{}[{}]", t.field("review_hours"), i + 1), 0, 23, "an hour 0..23")
                        .map(|h| h as u32)
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            match hours {
                Some(h) if !h.is_empty() && h.windows(2).all(|w| w[0] < w[1]) => Some(h),
                Some(_) => {
                    cx.err(span, t.field("review_hours"), "expected at least one hour, in ascending order");
                    None
                }
                None => None,
            }
        }
    };
    let open_occ = t.f64_req(cx, "open_at_occupancy", Rule::Positive);
    let open_boarders = match t.get("open_at_boarders") {
        None => Some(None),
        Some(_) => {
            t.int(cx, "open_at_boarders", 1, 1_000_000, "a whole number of patients >= 1").map(|b| Some(b as u32))
        }
    };
    let close_occ = t.f64_req(cx, "close_below_occupancy", Rule::Positive);
    if let (Some(o), Some(c), Some(v)) = (open_occ, close_occ, t.get("close_below_occupancy"))
        && c > o
    {
        cx.err(
            v.span(),
            t.field("close_below_occupancy"),
            format!("must not exceed open_at_occupancy ({o}) or beds would open and close at once, found {c}"),
        );
        return None;
    }
    let min_days = match t.get("min_days_open") {
        None => Some(0),
        Some(_) => t.int(cx, "min_days_open", 0, 3650, "a whole number of days between 0 and 3650"),
    };
    let windows = match t.array(cx, "windows") {
        None if t.has("windows") => None,
        None => Some(Vec::new()),
        Some((items, _)) => {
            let mut out = Some(Vec::new());
            for (i, v) in items.iter().enumerate() {
                let path = format!("{}[{}]", t.field("windows"), i + 1);
                let Some(w) = as_table(cx, v, &path) else {
                    out = None;
                    continue;
                };
                w.check_keys(cx, &["from", "to"]);
                match w.date_range(cx) {
                    Some(range) => {
                        if let Some(o) = out.as_mut() {
                            o.push(range);
                        }
                    }
                    None => out = None,
                }
            }
            out
        }
    };
    // Cost of an open bed-day: given directly, or from staffing.
    const STAFFING: [&str; 4] = ["nurses_per_bed", "nurse_hourly_cost", "agency_share", "agency_premium"];
    let direct = t.has("cost_per_open_bed_day");
    let staffed = STAFFING.iter().any(|k| t.has(k));
    let per_open = if direct && staffed {
        cx.err(
            t.span(),
            t.field("cost_per_open_bed_day"),
            "give cost_per_open_bed_day or the staffing fields, not both",
        );
        None
    } else if direct {
        t.f64(cx, "cost_per_open_bed_day", Rule::NonNegative)
            .map(|c| (c, format!("GBP {c} per open bed-day (given)"), None))
    } else {
        let nurses = t.f64_req(cx, "nurses_per_bed", Rule::NonNegative);
        let hourly = t.f64_req(cx, "nurse_hourly_cost", Rule::NonNegative);
        let share = t.f64_req(cx, "agency_share", Rule::Probability);
        let premium = t.f64_req(cx, "agency_premium", Rule::NonNegative);
        match (nurses, hourly, share, premium) {
            (Some(n), Some(h), Some(s), Some(p)) => {
                let c = n * 24.0 * h * (1.0 + s * p);
                Some((
                    c,
                    format!(
                        "GBP {c:.2} per open bed-day = {n} nurses per bed x 24 h x GBP {h}/h x (1 + {s} agency share x {p} premium)"
                    ),
                    Some(crate::model::Staffing {
                        nurses_per_bed: n,
                        nurse_hourly_cost: h,
                        agency_share: s,
                        agency_premium: p,
                    }),
                ))
            }
            _ => None,
        }
    };
    let per_occupied = t
        .f64(cx, "cost_per_occupied_bed_day", Rule::NonNegative)
        .or(if t.has("cost_per_occupied_bed_day") { None } else { Some(0.0) });
    let per_opening =
        t.f64(cx, "cost_per_opening", Rule::NonNegative).or(if t.has("cost_per_opening") { None } else { Some(0.0) });
    let (per_open, basis, staffing) = per_open?;
    Some(Escalation {
        max_beds: max? as u32,
        beds_per_step: step? as u32,
        review_hours: reviews?,
        open_at_occupancy: open_occ?,
        open_at_boarders: open_boarders?,
        close_below_occupancy: close_occ?,
        min_days_open: min_days? as u32,
        windows: windows?,
        cost: EscalationCost {
            per_open_bed_day: per_open,
            per_occupied_bed_day: per_occupied?,
            per_opening: per_opening?,
            basis,
            staffing,
        },
    })
}
