//! Electives: `[[specialty]]` waiting lists, `[[theatre_list]]` sessions and
//! `[[elective_cut]]`s.

use super::*;
use crate::model::Priority;

pub(super) fn read_specialty(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str) -> Option<Specialty> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[
            "name",
            "waiting_list",
            "initial_wait_weeks",
            "referrals_per_week",
            "urgent_share",
            "inpatient_share",
            "stay_days",
            "priority_shares",
            "priority_target_days",
            "not_ready_share",
            "deferral_weeks",
        ],
    );
    let name = read_name(cx, t);
    let initial = t.int_req(cx, "waiting_list", 0, 1_000_000, "a whole number of patients between 0 and 1000000");
    let referrals = t.f64_req(cx, "referrals_per_week", Rule::NonNegative);
    let steady = t.get("initial_wait_weeks").is_some_and(|v| v.get_ref().as_str().is_some());
    let initial_wait = if steady {
        // "steady-state": the ages of a first-come-first-served list of L
        // patients treated as fast as they are referred (r a week) are
        // uniform from 0 to L / r weeks.
        match (t.str(cx, "initial_wait_weeks"), initial, referrals) {
            (Some(("steady-state", _)), Some(l), Some(r)) if r > 0.0 => {
                Some(Distribution::Uniform { min: 0.0, max: (l as f64 / r).max(1.0 / 7.0) })
            }
            (Some(("steady-state", span)), Some(_), Some(_)) => {
                cx.err(span, t.field("initial_wait_weeks"), "\"steady-state\" needs referrals_per_week above 0");
                None
            }
            (Some((other, span)), _, _) if other != "steady-state" => {
                cx.err(
                    span,
                    t.field("initial_wait_weeks"),
                    format!("expected a distribution or \"steady-state\", found \"{other}\""),
                );
                None
            }
            _ => None,
        }
    } else if t.has("initial_wait_weeks") {
        dist_req(cx, t, "initial_wait_weeks")
    } else {
        Some(Distribution::Uniform { min: 0.0, max: 18.0 })
    };
    if let (Some(r), Some(v)) = (referrals, t.get("referrals_per_week"))
        && r > limits::MAX_PER_DAY * 7.0
    {
        cx.err(
            v.span(),
            t.field("referrals_per_week"),
            format!("expected at most {} a week", limits::MAX_PER_DAY * 7.0),
        );
        return None;
    }
    let priority = read_priority(cx, t);
    // With priorities the urgent are P1 + P2; an `urgent_share` given too
    // (e.g. inherited by a plan variant) must agree with it.
    let urgent = match (&priority, t.has("urgent_share")) {
        (Some(Some(p)), false) => Some(p.shares[0] + p.shares[1]),
        (Some(Some(p)), true) => {
            let both = p.shares[0] + p.shares[1];
            match t.f64(cx, "urgent_share", Rule::Probability) {
                Some(u) if (u - both).abs() <= 1e-9 => Some(both),
                Some(u) => {
                    cx.err(
                        t.key_span("urgent_share"),
                        t.field("urgent_share"),
                        format!(
                            "urgent_share {u} differs from P1 + P2 of priority_shares ({}): with priorities P1 and P2 \
                             are the urgent, so leave urgent_share out or make it equal",
                            super::demand::share_total(both)
                        ),
                    );
                    None
                }
                None => None,
            }
        }
        // A bad `priority_shares` is reported already.
        (None, _) if t.has("priority_shares") => None,
        _ => t.f64_req(cx, "urgent_share", Rule::Probability),
    };
    let inpatient = t.f64_req(cx, "inpatient_share", Rule::Probability);
    let stay = dist_req(cx, t, "stay_days");
    Some(Specialty {
        name: name?,
        initial_list: initial? as u32,
        initial_wait_weeks: initial_wait?,
        steady_state: steady,
        referrals_per_week: referrals?,
        urgent_share: urgent?,
        inpatient_share: inpatient?,
        stay_days: stay?,
        priority: priority?,
    })
}

/// `priority_shares` and its companions; `Some(None)` without priorities.
fn read_priority(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Option<Priority>> {
    if !t.has("priority_shares") {
        for k in ["priority_target_days", "not_ready_share", "deferral_weeks"] {
            if let Some(v) = t.get(k) {
                cx.err(v.span(), t.field(k), format!("`{k}` is only used with `priority_shares`"));
                return None;
            }
        }
        return Some(None);
    }
    let four = |cx: &mut Ctx<'_>, key: &str, rule: Rule| -> Option<[f64; 4]> {
        let (items, span) = t.array(cx, key)?;
        let field = t.field(key);
        if items.len() != 4 {
            cx.err(span, field, format!("expected 4 values, for P1, P2, P3 and P4, found {}", items.len()));
            return None;
        }
        let mut out = [0.0; 4];
        let mut ok = true;
        for (i, v) in items.iter().enumerate() {
            match reader::number(cx, v, &format!("{field}[{}]", i + 1), rule) {
                Some(x) => out[i] = x,
                None => ok = false,
            }
        }
        ok.then_some(out)
    };
    let shares = four(cx, "priority_shares", Rule::Probability).and_then(|s| {
        let total: f64 = s.iter().sum();
        if (total - 1.0).abs() > 1e-6 {
            let shown = super::demand::share_total(total);
            cx.err(
                t.key_span("priority_shares"),
                t.field("priority_shares"),
                format!("the shares must sum to 1, found {shown}"),
            );
            return None;
        }
        Some(s)
    });
    let targets = if t.has("priority_target_days") {
        four(cx, "priority_target_days", Rule::Positive).and_then(|d| {
            if d.iter().any(|&x| x > 3650.0) {
                cx.err(
                    t.key_span("priority_target_days"),
                    t.field("priority_target_days"),
                    "expected targets of at most 3650 days",
                );
                return None;
            }
            Some(d)
        })
    } else {
        Some([3.0, 28.0, 91.0, 182.0])
    };
    let not_ready = if t.has("not_ready_share") { t.f64(cx, "not_ready_share", Rule::Probability) } else { Some(0.0) };
    let deferral = if t.has("deferral_weeks") {
        t.f64(cx, "deferral_weeks", Rule::Positive).and_then(|w| {
            if w > 520.0 {
                cx.err(
                    t.key_span("deferral_weeks"),
                    t.field("deferral_weeks"),
                    format!("expected at most 520 weeks, found {w}"),
                );
                return None;
            }
            Some(w)
        })
    } else {
        Some(8.0)
    };
    Some(Some(Priority {
        shares: shares?,
        target_days: targets?,
        not_ready_share: not_ready?,
        deferral_weeks: deferral?,
    }))
}

/// Looks a name up among `names`, reporting an unknown one with the known list.
pub(super) fn lookup(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, kind: &str, names: &[Option<&str>]) -> Option<usize> {
    let (s, span) = t.str_req(cx, key, &format!("the name of a [[{kind}]]"))?;
    let found = names.iter().position(|p| *p == Some(s));
    if found.is_none() && names.iter().all(|p| p.is_some()) {
        let known = names.iter().flatten().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
        let known =
            if known.is_empty() { "none are defined".to_string() } else { format!("the [[{kind}]] names are {known}") };
        cx.err(span, t.field(key), format!("unknown {kind} \"{s}\"; {known}"));
    }
    found
}

pub(super) fn read_theatre_list(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    specialties: &[Option<&str>],
    pools: &[Option<&str>],
) -> Option<TheatreList> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[
            "specialty",
            "pool",
            "weekdays",
            "lists_per_day",
            "cases_per_list",
            "start_hour",
            "open_on_bank_holidays",
            "bed_check_until_hour",
            "recovery_wait_hours",
        ],
    );
    let specialty = lookup(cx, t, "specialty", "specialty", specialties);
    let pool = lookup(cx, t, "pool", "pool", pools);
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let weekdays = match t.array_req(cx, "weekdays", "a list of days such as [\"Mon\", \"Wed\", \"Fri\"]") {
        None => None,
        Some((items, span)) => {
            let mut days = [false; 7];
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let field = format!("{}[{}]", t.field("weekdays"), i + 1);
                match item.get_ref() {
                    toml::de::DeValue::String(s) if DAYS.contains(&s.as_ref()) => {
                        days[DAYS.iter().position(|d| *d == s.as_ref()).unwrap_or(0)] = true;
                    }
                    _ => {
                        cx.err(
                            item.span(),
                            field,
                            "expected a day: one of \"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"",
                        );
                        ok = false;
                    }
                }
            }
            if ok && !days.contains(&true) {
                cx.err(span, t.field("weekdays"), "expected at least one day");
                ok = false;
            }
            ok.then_some(days)
        }
    };
    let lists = t.int_req(cx, "lists_per_day", 1, 100, "a whole number of lists a day between 1 and 100");
    let cases = t.int_req(cx, "cases_per_list", 1, 100, "a whole number of cases between 1 and 100");
    let start = t.int_req(cx, "start_hour", 0, 23, "an hour between 0 and 23");
    let open = t.bool_or(cx, "open_on_bank_holidays", false);
    let until = match (t.get("bed_check_until_hour"), start) {
        (None, _) => Some(None),
        (Some(_), Some(s)) => t
            .int(cx, "bed_check_until_hour", s + 1, 24, &format!("an hour after start_hour ({s}), up to 24"))
            .map(|h| Some(h as u32)),
        (Some(_), None) => None,
    };
    let recovery = match t.get("recovery_wait_hours") {
        None => Some(None),
        Some(_) => t.f64(cx, "recovery_wait_hours", Rule::Positive).and_then(|h| {
            if h > 24.0 {
                cx.err(
                    t.key_span("recovery_wait_hours"),
                    t.field("recovery_wait_hours"),
                    format!("expected at most 24 hours, found {h}"),
                );
                None
            } else {
                Some(Some(h))
            }
        }),
    };
    Some(TheatreList {
        specialty: specialty?,
        pool: pool?,
        weekdays: weekdays?,
        lists_per_day: lists? as u32,
        cases_per_list: cases? as u32,
        start_hour: start? as u32,
        open_on_bank_holidays: open?,
        bed_check_until_hour: until?,
        recovery_wait_hours: recovery?,
    })
}

pub(super) fn read_elective_cut(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    specialties: &[Option<&str>],
) -> Option<ElectiveCut> {
    let t = as_table(cx, v, path)?;
    t.check_keys(cx, &["from", "to", "factor", "specialty"]);
    let range = t.date_range(cx);
    let factor = t.f64_req(cx, "factor", Rule::Probability);
    let specialty =
        if t.has("specialty") { lookup(cx, t, "specialty", "specialty", specialties).map(Some) } else { Some(None) };
    let (from, to) = range?;
    Some(ElectiveCut { from, to, factor: factor?, specialty: specialty? })
}
