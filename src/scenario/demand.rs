//! Emergency demand: `[ed]`, arrival profiles and weights, `[[seasonality]]`
//! and the `[[admissions]]` routes (with the ED routes' shares).

use super::*;
use crate::model::Displacement;

/// The keys of an arrival stream's time profile ([`read_profile`]), in
/// `[ed]` and in a direct route.
const PROFILE_KEYS: [&str; 5] =
    ["hour_of_day", "day_of_week", "bank_holiday_factor", "bank_holiday_displacement", "growth_per_year"];

/// Reads `hour_of_day`, `day_of_week` and `bank_holiday_factor` from a table.
pub(super) fn read_profile(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<TimeProfile> {
    let mut profile = TimeProfile::flat();
    let mut ok = true;
    if let Some(w) = weights(cx, t, "hour_of_day", 24) {
        profile.hour_share = std::array::from_fn(|h| w[h] / w.iter().sum::<f64>());
        ok &= normalised(cx, t, "hour_of_day", &profile.hour_share, 1.0);
    } else {
        ok &= !t.has("hour_of_day");
    }
    if let Some(w) = weights(cx, t, "day_of_week", 7) {
        let mean = w.iter().sum::<f64>() / 7.0;
        profile.day_multiplier = std::array::from_fn(|d| w[d] / mean);
        ok &= normalised(cx, t, "day_of_week", &profile.day_multiplier, 7.0);
    } else {
        ok &= !t.has("day_of_week");
    }
    match t.f64(cx, "bank_holiday_factor", Rule::NonNegative) {
        Some(f) if f > limits::MAX_FACTOR => {
            let span = t.key_span("bank_holiday_factor");
            cx.err(
                span,
                t.field("bank_holiday_factor"),
                format!("expected a factor of at most {}, found {}", limits::MAX_FACTOR, show(f)),
            );
            ok = false;
        }
        Some(f) => profile.bank_holiday_factor = f,
        None => ok &= !t.has("bank_holiday_factor"),
    }
    match t.f64(cx, "growth_per_year", Rule::Finite) {
        Some(g) if !(-0.5..=1.0).contains(&g) => {
            let span = t.key_span("growth_per_year");
            cx.err(
                span,
                t.field("growth_per_year"),
                format!("expected a yearly growth from -0.5 to 1 (e.g. 0.03 for 3% a year), found {}", show(g)),
            );
            ok = false;
        }
        Some(g) => profile.growth_per_year = g,
        None => ok &= !t.has("growth_per_year"),
    }
    if t.has("bank_holiday_displacement") {
        profile.displacement = read_displacement(cx, t);
        ok &= profile.displacement.is_some();
    }
    ok.then_some(profile)
}

/// `bank_holiday_displacement = { after = A, after_days = [w1, w2, ...], before = B }`.
fn read_displacement(cx: &mut Ctx<'_>, parent: Tbl<'_, '_>) -> Option<Displacement> {
    let path = parent.field("bank_holiday_displacement");
    let t = parent.table(cx, "bank_holiday_displacement", &path)?;
    t.check_keys(cx, &["after", "after_days", "before"]);
    let after = t.f64(cx, "after", Rule::Probability);
    let before = t.f64(cx, "before", Rule::Probability);
    if !t.has("after") && !t.has("before") {
        cx.err(t.span(), path.clone(), "expected `after` (the share of a holiday's missing demand arriving on the working days after it) and/or `before`");
        return None;
    }
    let after_days = if t.has("after_days") {
        let (items, span) = t.array(cx, "after_days")?;
        if items.is_empty() || items.len() > 10 {
            cx.err(
                span,
                t.field("after_days"),
                format!(
                    "expected 1 to 10 relative weights (first working day after, second, ...), found {}",
                    items.len()
                ),
            );
            return None;
        }
        weights(cx, t, "after_days", items.len())?
    } else {
        vec![1.0]
    };
    let total: f64 = after_days.iter().sum();
    if !total.is_finite() {
        let span = t.key_span("after_days");
        cx.err(span, t.field("after_days"), "weights too large to add up; they are relative, e.g. [3, 2, 1]");
        return None;
    }
    let after_days: Vec<f64> = after_days.iter().map(|w| w / total).collect();
    let (after, before) = (after.unwrap_or(0.0), before.unwrap_or(0.0));
    if after + before > 1.0 + 1e-9 {
        let span = t.span();
        cx.err(
            span,
            path,
            format!(
                "after + before must be at most 1 (shares of the missing demand), found {}",
                share_total(after + before)
            ),
        );
        return None;
    }
    if (t.has("after") && !after.is_finite()) || (t.has("before") && !before.is_finite()) {
        return None;
    }
    Some(Displacement { after, after_days, before })
}

/// A number for a message: scientific notation when very large or small.
/// A sum of shares as a message shows it: rounded to 9 places, so 0.6 +
/// 0.3 + 0.2 reads 1.1, not 1.0999999999999999.
pub(super) fn share_total(x: f64) -> f64 {
    (x * 1e9).round() / 1e9
}

pub(super) fn show(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e9 || x.abs() < 1e-6) { format!("{x:e}") } else { format!("{x}") }
}

/// Normalised weights must be finite and keep their sum (1 for hour shares,
/// 7 for weekday multipliers): weights so small that dividing by their total
/// overflows or loses precision (subnormal numbers) are refused.
pub(super) fn normalised(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, values: &[f64], sum: f64) -> bool {
    let total: f64 = values.iter().sum();
    if values.iter().all(|v| v.is_finite()) && (total - sum).abs() <= 1e-9 * sum {
        return true;
    }
    let span = t.key_span(key);
    cx.err(
        span,
        t.field(key),
        "weights are too small to normalise (their total underflows); they are relative, so scale them up, \
         e.g. 1 for an average hour or day",
    );
    false
}

/// `n` non-negative relative weights with a positive total.
pub(super) fn weights(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, n: usize) -> Option<Vec<f64>> {
    let (items, span) = t.array(cx, key)?;
    let field = t.field(key);
    if items.len() != n {
        cx.err(span, field, format!("expected {n} relative weights, found {}", items.len()));
        return None;
    }
    let w: Option<Vec<f64>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| number(cx, v, &format!("{field}[{}]", i + 1), Rule::NonNegative))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let w = w?;
    if w.iter().sum::<f64>() <= 0.0 {
        cx.err(span, field, "expected at least one weight > 0");
        return None;
    }
    if let Some(i) = w.iter().position(|x| *x != 0.0 && !x.is_normal()) {
        cx.err(
            items[i].span(),
            format!("{field}[{}]", i + 1),
            format!("expected 0 or a weight of at least {:e} (not subnormal), found {}", f64::MIN_POSITIVE, show(w[i])),
        );
        return None;
    }
    Some(w)
}

pub(super) fn read_ed(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Ed> {
    t.check_keys(
        cx,
        &[
            &["attendances_per_day", "arrivals"][..],
            &PROFILE_KEYS,
            &["admission_probability", "hours_to_decision", "hours_in_department", "spaces"],
            &NEED_SPACES,
            &["clinician_minutes"],
        ]
        .concat(),
    );
    let per_day = rate(cx, t, "attendances_per_day");
    let arrivals = arrival_process(cx, t, per_day);
    let profile = read_profile(cx, t);
    let p = t.f64_req(cx, "admission_probability", Rule::Probability);
    let dta = dist_req(cx, t, "hours_to_decision");
    let dept = dist_req(cx, t, "hours_in_department");
    let capacity = match (read_ed_capacity(cx, t), &profile) {
        (Some(Some(c)), Some(profile)) => ambulance_by_hour(cx, t, c, profile).map(Some),
        (c, _) => c,
    };
    Some(Ed {
        attendances_per_day: per_day?,
        arrivals: arrivals?,
        profile: profile?,
        admission_probability: p?,
        hours_to_decision: dta?,
        hours_in_department: dept?,
        capacity: capacity?,
    })
}

/// `spaces`, `corridor_spaces` and `ambulance_share` of `[ed]`: all optional,
/// but the last two only with `spaces` (without spaces the ED never fills, so
/// they would do nothing).
/// `[ed]` keys that only mean something with `spaces`.
const NEED_SPACES: [&str; 7] = [
    "corridor_spaces",
    "ambulance_share",
    "ambulance_hour_of_day",
    "minors_spaces",
    "minors_share",
    "patience_hours",
    "clinicians",
];

/// Reports whichever of two keys that go together is given without the other.
fn both_or_neither(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, [a, b]: [&str; 2], why: &str) -> bool {
    for (key, other) in [(a, b), (b, a)] {
        if t.has(key) && !t.has(other) {
            let span = t.key_span(key);
            cx.err(span, t.field(key), format!("needs `{other}` too{why}"));
            return false;
        }
    }
    true
}

fn read_ed_capacity(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Option<EdCapacity>> {
    let spaces = t.int(cx, "spaces", 1, limits::MAX_BEDS, "a whole number of treatment spaces between 1 and 1000000");
    let corridor =
        t.int(cx, "corridor_spaces", 0, limits::MAX_BEDS, "a whole number of corridor places between 0 and 1000000");
    let ambulance = t.f64(cx, "ambulance_share", Rule::Probability);
    let minors_spaces =
        t.int(cx, "minors_spaces", 1, limits::MAX_BEDS, "a whole number of minors spaces between 1 and 1000000");
    let minors_share = t.f64(cx, "minors_share", Rule::Probability);
    let patience = if t.has("patience_hours") { dist_req(cx, t, "patience_hours").map(Some) } else { Some(None) };
    let clinicians = read_clinicians(cx, t);
    both_or_neither(cx, t, ["minors_spaces", "minors_share"], " (a minors stream has its spaces and its share)");
    if !t.has("spaces") {
        for key in NEED_SPACES {
            if t.has(key) {
                let span = t.key_span(key);
                cx.err(
                    span,
                    t.field(key),
                    "needs `spaces` (the ED's treatment spaces): without them the ED never fills",
                );
            }
        }
        return (!NEED_SPACES.iter().any(|k| t.has(k))).then_some(None);
    }
    let ok = (corridor.is_some() || !t.has("corridor_spaces"))
        && (ambulance.is_some() || !t.has("ambulance_share"))
        && t.has("minors_spaces") == t.has("minors_share")
        && (minors_spaces.is_some() || !t.has("minors_spaces"))
        && (minors_share.is_some() || !t.has("minors_share"));
    let spaces = spaces?;
    let patience = patience?;
    let clinicians = clinicians?;
    ok.then(|| {
        Some(EdCapacity {
            spaces: spaces as u32,
            corridor_spaces: corridor.map_or(0, |c| c as u32),
            ambulance_share: ambulance.unwrap_or(0.0),
            ambulance_by_hour: [ambulance.unwrap_or(0.0); 24],
            minors: minors_spaces.zip(minors_share).map(|(n, share)| Minors { spaces: n as u32, share }),
            patience_hours: patience,
            clinicians,
        })
    })
}

/// `arrivals` ("poisson", the default, or "regular"); regular arrivals take
/// no time profile and need a rate above zero (`per_day` is the rate read,
/// under `attendances_per_day` or `per_day`).
fn arrival_process(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, per_day: Option<f64>) -> Option<ArrivalProcess> {
    let process = match t.get("arrivals") {
        None => Some(ArrivalProcess::Poisson),
        Some(_) => t.choice(cx, "arrivals", &["poisson", "regular"]).map(|(s, _)| match s {
            "regular" => ArrivalProcess::Regular,
            _ => ArrivalProcess::Poisson,
        }),
    };
    if process == Some(ArrivalProcess::Regular) {
        for k in PROFILE_KEYS {
            if let Some(v) = t.get(k) {
                cx.err(v.span(), t.field(k), "regular arrivals are evenly spaced; a time profile does not apply");
            }
        }
        if per_day == Some(0.0) {
            let key = if t.has("per_day") { "per_day" } else { "attendances_per_day" };
            let span = t.key_span(key);
            cx.err(span, t.field(key), "regular arrivals need a rate above 0 a day");
        }
    }
    process
}

/// `ambulance_hour_of_day`: relative weights of the ambulance share by clock
/// hour. The hour's chance is share x weight / (the weights averaged over the
/// day's attendances), so the day's share stays `ambulance_share`; a chance
/// above 1 is refused (the weights are too uneven for that share).
fn ambulance_by_hour(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, mut c: EdCapacity, profile: &TimeProfile) -> Option<EdCapacity> {
    if !t.has("ambulance_hour_of_day") {
        return Some(c);
    }
    let w = weights(cx, t, "ambulance_hour_of_day", 24)?;
    let average: f64 = w.iter().zip(&profile.hour_share).map(|(w, a)| w * a).sum();
    if average.is_nan() || average <= 0.0 {
        let span = t.key_span("ambulance_hour_of_day");
        cx.err(span, t.field("ambulance_hour_of_day"), "expected weights above 0 in hours when attendances arrive");
        return None;
    }
    for (p, w) in c.ambulance_by_hour.iter_mut().zip(&w) {
        *p = c.ambulance_share * w / average;
    }
    if let Some((h, p)) = c.ambulance_by_hour.iter().enumerate().find(|(_, p)| **p > 1.0) {
        let span = t.key_span("ambulance_hour_of_day");
        cx.err(
            span,
            t.field("ambulance_hour_of_day"),
            format!(
                "with ambulance_share {} these weights make {:.0}% of the {h:02}:00 hour's attendances ambulances; \
                 at most 100%: lower the share or even out the weights",
                c.ambulance_share,
                100.0 * p
            ),
        );
        return None;
    }
    Some(c)
}

/// `clinicians` (24 whole numbers, at least one above 0) with
/// `clinician_minutes` (a distribution); neither or both.
fn read_clinicians(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Option<Clinicians>> {
    if !both_or_neither(cx, t, ["clinicians", "clinician_minutes"], "") {
        return None;
    }
    if !t.has("clinicians") {
        return Some(None);
    }
    let minutes = dist_req(cx, t, "clinician_minutes");
    let (items, span) = t.array(cx, "clinicians")?;
    let field = t.field("clinicians");
    if items.len() != 24 {
        cx.err(
            span,
            field,
            format!("expected 24 whole numbers of clinicians, one per clock hour, found {}", items.len()),
        );
        return None;
    }
    let mut on_duty = [0u32; 24];
    for (h, v) in items.iter().enumerate() {
        let n = super::reader::integer(
            cx,
            v,
            &format!("{field}[{}]", h + 1),
            0,
            100_000,
            "a whole number of clinicians between 0 and 100000",
        )?;
        on_duty[h] = n as u32;
    }
    if on_duty.iter().all(|&n| n == 0) {
        cx.err(span, field, "expected at least one clinician in some hour (nobody would ever be seen)");
        return None;
    }
    Some(Some(Clinicians { on_duty, minutes: minutes? }))
}

/// A required arrival rate a day, within limits.
pub(super) fn rate(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str) -> Option<f64> {
    let v = t.f64_req(cx, key, Rule::NonNegative)?;
    if v > limits::MAX_PER_DAY {
        let span = t.key_span(key);
        cx.err(span, t.field(key), format!("expected at most {} a day, found {v}", limits::MAX_PER_DAY));
        return None;
    }
    Some(v)
}

pub(super) fn read_seasonality(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str) -> Option<Seasonality> {
    let t = as_table(cx, v, path)?;
    t.check_keys(cx, &["from", "to", "factor"]);
    let range = t.date_range(cx);
    let factor = t.f64_req(cx, "factor", Rule::NonNegative);
    if let (Some(f), Some(v)) = (factor, t.get("factor"))
        && f > limits::MAX_FACTOR
    {
        cx.err(
            v.span(),
            t.field("factor"),
            format!("expected a factor of at most {}, found {}", limits::MAX_FACTOR, show(f)),
        );
        return None;
    }
    let (from, to) = range?;
    Some(Seasonality { from, to, factor: factor? })
}

pub(super) fn read_route(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str, pools: &[Option<&str>]) -> Option<Route> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[&["name", "source", "share", "per_day", "arrivals"][..], &PROFILE_KEYS, &["pool", "stay_days"]].concat(),
    );
    let name = read_name(cx, t);
    let pool = t.str_req(cx, "pool", "the name of a [[pool]]").and_then(|(s, span)| {
        let found = pools.iter().position(|p| *p == Some(s));
        if found.is_none() && pools.iter().all(|p| p.is_some()) {
            let known = pools.iter().flatten().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
            cx.err(span, t.field("pool"), format!("unknown pool \"{s}\"; the [[pool]] names are {known}"));
        }
        found
    });
    let stay = dist_req(cx, t, "stay_days");
    let source = match t.get("source") {
        None => {
            t.missing(cx, "source", "\"ed\" or \"direct\"");
            None
        }
        Some(_) => t.choice(cx, "source", &["ed", "direct"]).map(|(s, _)| s),
    };
    let only_for = |cx: &mut Ctx<'_>, keys: &[&str], src: &str| {
        for k in keys {
            if let Some(v) = t.get(k) {
                cx.err(v.span(), t.field(k), format!("`{k}` is only used when source = \"{src}\""));
            }
        }
    };
    let source = match source? {
        "ed" => {
            only_for(cx, &[&["per_day", "arrivals"][..], &PROFILE_KEYS].concat(), "direct");
            let share = t.f64_req(cx, "share", Rule::Probability);
            RouteSource::Ed { share: share? }
        }
        _ => {
            only_for(cx, &["share"], "ed");
            let per_day = rate(cx, t, "per_day");
            let process = arrival_process(cx, t, per_day);
            let profile = read_profile(cx, t);
            RouteSource::Direct { per_day: per_day?, profile: Box::new(profile?), process: process? }
        }
    };
    Some(Route { name: name?, source, pool: pool?, stay_days: stay? })
}

/// ED routes and the `[ed]` table must agree, and ED shares must sum to 1.
///
/// Reads each route's `source` and `share` straight from its table, so these
/// checks run in the same pass as every other, even when a route or the
/// `[ed]` table has problems of its own (those are reported where they are).
pub(super) fn check_ed_routes(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) {
    const SHARE_TOLERANCE: f64 = 1e-6;
    let sources = cx.sources;
    let quiet = move || Ctx { sources, diags: Vec::new() };
    let route_tables = root.tables(&mut quiet(), "admissions");
    let route_span = |i: usize, key: &str| {
        route_tables.get(i).and_then(|(v, _)| table_of(v)?.get(key).map(|v| v.span())).unwrap_or(0..0)
    };
    // For each route: `Some(true)` for source = "ed", `Some(false)` for
    // "direct", `None` when unreadable (reported by read_route).
    let kinds: Vec<Option<bool>> = route_tables
        .iter()
        .map(|(v, _)| match table_of(v)?.get("source")?.get_ref() {
            toml::de::DeValue::String(s) if s == "ed" => Some(true),
            toml::de::DeValue::String(s) if s == "direct" => Some(false),
            _ => None,
        })
        .collect();
    let ed_routes: Vec<usize> = (0..kinds.len()).filter(|&i| kinds[i] == Some(true)).collect();
    let all_known = kinds.iter().all(Option::is_some);
    let Some(ed) = root.get("ed") else {
        for i in &ed_routes {
            cx.err(
                route_span(*i, "source"),
                format!("admissions[{}].source", i + 1),
                "source = \"ed\" needs an [ed] table describing attendances",
            );
        }
        return;
    };
    if ed_routes.is_empty() {
        let admits = table_of(ed).and_then(|t| t.get("admission_probability")).and_then(|v| {
            let p = number(&mut quiet(), v, "", Rule::Probability)?;
            Some((p, v.span()))
        });
        if all_known && let Some((_, span)) = admits.filter(|(p, _)| *p > 0.0) {
            cx.err(
                span,
                "ed.admission_probability",
                "the ED admits patients but no [[admissions]] route has source = \"ed\" to take them",
            );
        }
        return;
    }
    // Every ED route's share, if every one is readable (a bad one is reported by read_route).
    let shares: Option<Vec<(usize, f64)>> = ed_routes
        .iter()
        .map(|&i| {
            let v = route_tables.get(i).and_then(|(v, _)| table_of(v)?.get("share"))?;
            number(&mut quiet(), v, "", Rule::Probability).map(|s| (i, s))
        })
        .collect();
    let Some(shares) = shares else { return };
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    if all_known && (total - 1.0).abs() > SHARE_TOLERANCE {
        let (i, _) = shares[0];
        let listed = shares.iter().map(|(i, s)| format!("admissions[{}] {s}", i + 1)).collect::<Vec<_>>().join(" + ");
        cx.err(
            route_span(i, "share"),
            format!("admissions[{}].share", i + 1),
            format!("shares of ED routes must sum to 1, found {listed} = {total}"),
        );
    }
}

pub(super) fn table_of<'a, 'i>(v: &'a Val<'i>) -> Option<&'a toml::de::DeTable<'i>> {
    match v.get_ref() {
        toml::de::DeValue::Table(t) => Some(t),
        _ => None,
    }
}
