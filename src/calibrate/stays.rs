//! Routes, stays and the discharge rules from the spells: each route's pool,
//! rate and fitted stay; the pathway shares and delays; the discharge-hour
//! profiles and the weekend and bank-holiday review shares.

use super::*;

/// One route per (source, route name), in order of source then size.
pub(super) fn fit_routes(
    range: &Range<'_>,
    used: &[&Spell],
    months: &BTreeMap<u32, f64>,
    with_ed: bool,
    has_ready: bool,
    extract_end: i64,
) -> Result<Vec<RouteFit>, CalibrateError> {
    let mut groups: BTreeMap<(Source, String), Vec<&Spell>> = BTreeMap::new();
    for s in used {
        groups.entry((s.source, s.route.clone())).or_default().push(s);
    }
    let ed_total = used.iter().filter(|s| s.source == Source::Ed).count() as f64;
    let mut out = Vec::new();
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, name) in groups.keys() {
        *names.entry(name.as_str()).or_default() += 1;
    }
    let names: BTreeMap<String, usize> = names.into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    for ((source, name), spells) in groups {
        // One route name under two sources becomes two routes, each named with its source.
        let name = if names.get(&name).copied().unwrap_or(0) > 1 {
            let named = format!(
                "{name} ({})",
                match source {
                    Source::Ed => "ED",
                    Source::Direct => "direct",
                    Source::Elective => "elective",
                }
            );
            if let Some(why) = crate::scenario::item_name_problem(&named) {
                return Err(CalibrateError::Refused(format!(
                    "route \"{name}\" comes from more than one source, and \"{named}\" cannot name a route: {why}"
                )));
            }
            named
        } else {
            name
        };
        let mut pools: BTreeMap<&str, usize> = BTreeMap::new();
        for s in &spells {
            *pools.entry(s.pool.as_str()).or_default() += 1;
        }
        let pool = pools.iter().max_by_key(|(p, n)| (**n, std::cmp::Reverse(**p))).map_or("", |(p, _)| p).to_string();
        let sample = stay_sample(&spells, has_ready, extract_end);
        let Some(stay) = fit::choose(&sample) else {
            return Err(CalibrateError::Refused(format!(
                "route \"{}\": no completed stay to fit (every spell is still open at the end of the extract)",
                crate::terminal::for_terminal(&name)
            )));
        };
        let times: Vec<i64> = spells.iter().map(|s| s.admitted).collect();
        let counts = range.daily_counts(&times);
        let is_ed = source == Source::Ed && with_ed;
        let rate = range.rate(&counts, months);
        let mut hour_counts = [0.0; 24];
        for t in &times {
            hour_counts[hour_of(*t)] += 1.0;
        }
        out.push(RouteFit {
            name,
            source,
            pool,
            spells: spells.len(),
            share: if is_ed { spells.len() as f64 / ed_total } else { 0.0 },
            per_day: rate.per_day,
            hour_counts,
            day_of_week: rate.day_of_week,
            bank_holiday_factor: rate.bank_holiday_factor,
            displacement: rate.displacement,
            stay,
        });
    }
    Ok(out)
}

/// Acute stays in days: to `ready` when the extract records it (to discharge
/// for a spell without one), right-censored at the end of the extract when
/// the spell is still open.
pub(super) fn stay_sample(spells: &[&Spell], has_ready: bool, extract_end: i64) -> fit::Sample {
    let mut s = fit::Sample::default();
    for sp in spells {
        let end = if has_ready { sp.ready.or(sp.discharged) } else { sp.discharged };
        match end {
            Some(t) => s.complete.push((t - sp.admitted) as f64 / DAY as f64),
            None => s.censored.push(((extract_end - sp.admitted) as f64 / DAY as f64).max(fit::MIN_DAYS)),
        }
    }
    s
}

/// The chance a patient ready at `ready_seconds` after midnight leaves the
/// same day under an hour profile (the drawn time is not before ready).
pub fn same_day_chance(hours: &[f64; 24], ready_seconds: i64) -> f64 {
    let total: f64 = hours.iter().sum();
    if total <= 0.0 {
        return 0.0;
    }
    let h = (ready_seconds / 3600).clamp(0, 23) as usize;
    let frac = (ready_seconds % 3600) as f64 / 3600.0;
    (hours[h + 1..].iter().sum::<f64>() + hours[h] * (1.0 - frac)) / total
}

/// The review share of the `profile` rules on days matching `is_day`: under
/// those rules a P0 patient ready on such a day leaves that same day exactly
/// when reviewed (chance `w`) and the drawn time is not before they were
/// ready (chance [`same_day_chance`]), so `w` = patients leaving the same
/// day / the sum of their same-day chances (a moment estimator, unbiased
/// under the rules). `None` with fewer than 30 such patients.
pub fn review_share(
    ready_and_left: &[(i64, i64)],
    hours: &[f64; 24],
    is_day: impl Fn(NaiveDate) -> bool,
) -> Option<f64> {
    let (mut same, mut expected, mut n) = (0.0, 0.0, 0);
    for &(ready, left) in ready_and_left {
        let day = date_of(ready);
        if !is_day(day) {
            continue;
        }
        n += 1;
        expected += same_day_chance(hours, ready.rem_euclid(DAY));
        same += f64::from(u8::from(date_of(left) == day));
    }
    (n >= 30 && expected > 0.0).then(|| (same / expected).clamp(0.0, 1.0))
}

/// Discharge rules and pathways from spells with `ready` (and `pathway`).
pub(super) fn fit_discharge(range: &Range<'_>, used: &[&Spell], extract_end: i64) -> DischargeFit {
    let calendar = range.calendar;
    let off_day = |d: NaiveDate| crate::calendar::is_weekend(d) || calendar.is_bank_holiday(d);
    // P0 patients (no pathway recorded counts as P0): ready and discharge times.
    let p0: Vec<(i64, i64)> =
        used.iter().filter(|s| s.pathway.unwrap_or(0) == 0).filter_map(|s| Some((s.ready?, s.discharged?))).collect();
    let (mut weekday_hours, mut weekend_hours) = ([0.0; 24], [0.0; 24]);
    for &(_, left) in &p0 {
        let h = if off_day(date_of(left)) { &mut weekend_hours } else { &mut weekday_hours };
        h[hour_of(left)] += 1.0;
    }
    let p0_wait_days = p0.iter().map(|(r, l)| (l - r) as f64).sum::<f64>() / (p0.len().max(1) as f64) / DAY as f64;
    // No P0 discharge on a weekday (every patient on a pathway): every
    // discharge's hour; none at all: flat.
    if weekday_hours.iter().sum::<f64>() <= 0.0 {
        for s in used {
            if let Some(left) = s.discharged {
                weekday_hours[hour_of(left)] += 1.0;
            }
        }
        if weekday_hours.iter().sum::<f64>() <= 0.0 {
            weekday_hours = [1.0; 24];
        }
    }
    let weekend_profile = if weekend_hours.iter().sum::<f64>() >= 200.0 { weekend_hours } else { weekday_hours };
    let weekend_review_share =
        review_share(&p0, &weekend_profile, |d| crate::calendar::is_weekend(d) && !calendar.is_bank_holiday(d))
            .unwrap_or(1.0);
    let bank_holiday_review_share =
        review_share(&p0, &weekend_profile, |d| calendar.is_bank_holiday(d)).unwrap_or(weekend_review_share);
    let delays = std::array::from_fn(|k| {
        let pathway = k as u8 + 1;
        let mut s = fit::Sample::default();
        for sp in used.iter().filter(|s| s.pathway == Some(pathway)) {
            let Some(ready) = sp.ready else { continue };
            match sp.discharged {
                Some(left) => s.complete.push(((left - ready) as f64 / DAY as f64 - p0_wait_days).max(fit::MIN_DAYS)),
                None => s.censored.push(((extract_end - ready) as f64 / DAY as f64 - p0_wait_days).max(fit::MIN_DAYS)),
            }
        }
        fit::choose(&s)
    });
    let mut shares: BTreeMap<String, ([f64; 3], f64)> = BTreeMap::new();
    for s in used.iter().filter(|s| s.ready.is_some()) {
        let e = shares.entry(s.pool.clone()).or_default();
        e.1 += 1.0;
        if let Some(p @ 1..=3) = s.pathway {
            e.0[usize::from(p) - 1] += 1.0;
        }
    }
    let shares = shares.into_iter().map(|(pool, (c, n))| (pool, c.map(|x| x / n.max(1.0)))).collect();
    DischargeFit {
        weekday_hours,
        weekend_hours: weekend_profile,
        weekend_review_share,
        bank_holiday_review_share,
        p0_wait_days,
        delays,
        shares,
    }
}
