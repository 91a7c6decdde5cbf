//! The calibrated scenario as commented TOML: every value says where it
//! came from, so an analyst can read the file against the report.

use super::extract::Source;
use super::{Calibration, fit};
use crate::dist::Distribution;
use chrono::{Datelike, NaiveDate};
use std::fmt::Write;

/// Warm-up days written (the backtest replaces them with a census).
const WARMUP_DAYS: u64 = 60;

/// A TOML string literal (quoted and escaped).
fn quoted(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A number with at most `places` decimals and no trailing zeros (at least one decimal).
fn num(x: f64, places: usize) -> String {
    // Small values keep 4 significant digits (a rare route's rate must not round to 0).
    let places =
        if x != 0.0 && x.abs() < 0.1 { places.max((-x.abs().log10()).ceil() as usize + 3).min(12) } else { places };
    let s = format!("{x:.places$}");
    let s = if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s };
    if s.contains('.') { s } else { format!("{s}.0") }
}

fn weights(w: &[f64]) -> String {
    let total: f64 = w.iter().sum();
    let scale = if total > 0.0 { w.len() as f64 / total } else { 1.0 };
    let items: Vec<String> = w.iter().map(|x| num(x * scale, 3)).collect();
    format!("[{}]", items.join(", "))
}

/// A distribution as an inline table.
pub(super) fn dist(d: &Distribution) -> String {
    match d {
        Distribution::LogNormal { mean, sd } => {
            format!("{{ dist = \"lognormal\", mean = {}, sd = {} }}", num(*mean, 4), num(*sd, 4))
        }
        Distribution::Gamma { mean, sd } => {
            format!("{{ dist = \"gamma\", mean = {}, sd = {} }}", num(*mean, 4), num(*sd, 4))
        }
        Distribution::Weibull { shape, scale } => {
            format!("{{ dist = \"weibull\", shape = {}, scale = {} }}", num(*shape, 4), num(*scale, 4))
        }
        Distribution::Fixed { value } => format!("{{ dist = \"fixed\", value = {} }}", num(*value, 4)),
        Distribution::Empirical { values } => {
            let v: Vec<String> = values.iter().map(|x| num(*x, 4)).collect();
            format!("{{ dist = \"empirical\", values = [{}] }}", v.join(", "))
        }
        other => format!("{other:?}"),
    }
}

/// How a fit was chosen, for the comment above it.
fn why(c: &fit::Choice) -> String {
    let n = c.n;
    match c.best() {
        Some(best) if !c.is_empirical() => format!(
            "best of {} by AIC over {n} observations (largest CDF gap {:.3}, accepted below {:.3})",
            c.fits.iter().map(|f| f.family.name()).collect::<Vec<_>>().join("/"),
            best.distance,
            c.threshold
        ),
        Some(best) => format!(
            "no family fits (best: {}, largest CDF gap {:.3} above {:.3}): 100 quantiles of the observed \
             (Kaplan-Meier) distribution",
            best.family.name(),
            best.distance,
            c.threshold
        ),
        None if matches!(c.chosen, Distribution::Fixed { .. }) => format!("all {n} observations are the same"),
        None => format!("{n} observations are too few to fit a family: the observed values' quantiles"),
    }
}

/// Every (year, month) of the data range and of the scenario's period
/// (with its warm-up).
fn all_months(cal: &Calibration) -> std::collections::BTreeSet<(i32, u32)> {
    let o = &cal.options;
    let (start, end) = (o.start.unwrap_or(o.from), o.end.unwrap_or(o.to));
    let mut months = std::collections::BTreeSet::new();
    for (a, b) in [(o.from, o.to), (start - chrono::Days::new(WARMUP_DAYS), end)] {
        let mut d = NaiveDate::from_ymd_opt(a.year(), a.month(), 1).unwrap_or(a);
        while d <= b {
            months.insert((d.year(), d.month()));
            d = d.checked_add_months(chrono::Months::new(1)).unwrap_or(NaiveDate::MAX);
        }
    }
    months
}

/// Months written as `[[seasonality]]`: every month of the data range and of
/// the scenario's period, with the calendar month's factor.
fn seasonality_months(cal: &Calibration) -> Vec<(NaiveDate, NaiveDate, f64)> {
    all_months(cal)
        .into_iter()
        .filter_map(|(y, m)| {
            let factor = *cal.months.get(&m)?;
            let first = NaiveDate::from_ymd_opt(y, m, 1)?;
            let last = first.checked_add_months(chrono::Months::new(1))?.pred_opt()?;
            Some((first, last, factor))
        })
        .collect()
}

/// Months of the scenario's period (or warm-up) whose calendar month the
/// data does not cover: they run at the data's average rate (factor 1).
pub(super) fn months_without_data(cal: &Calibration) -> Vec<String> {
    all_months(cal)
        .into_iter()
        .filter(|(_, m)| !cal.months.contains_key(m))
        .filter_map(|(y, m)| NaiveDate::from_ymd_opt(y, m, 1).map(|d| d.format("%B %Y").to_string()))
        .collect()
}

/// The scenario text.
pub(super) fn scenario(cal: &Calibration) -> String {
    let o = &cal.options;
    let (start, end) = (o.start.unwrap_or(o.from), o.end.unwrap_or(o.to));
    let mut t = String::new();
    let w = &mut t;
    let _ = writeln!(w, "# Written by `bedflow calibrate` from {} ({} to {}).", files(cal), o.from, o.to);
    let _ = writeln!(w, "# Every value below is estimated from those extracts except the beds (given with --beds)");
    let _ = writeln!(w, "# and the run settings; see calibration.html beside this file for each fit against the data.");
    let _ = writeln!(w, "# ED capacity (spaces, corridor), escalation, outlying, electives' waiting lists and");
    let _ = writeln!(w, "# pathway capacity cannot be read from these extracts: add them by hand (see the README).");
    let _ = writeln!(w);
    let _ = writeln!(w, "[scenario]");
    let _ = writeln!(w, "name = {}", quoted(&o.name));
    let _ = writeln!(w, "start = \"{start}\"");
    let _ = writeln!(w, "end = \"{end}\"");
    let _ = writeln!(
        w,
        "warmup_days = 60             # simulated first and not reported (bedflow backtest starts from a census instead)"
    );
    let _ = writeln!(w, "replications = 100");
    let _ = writeln!(w, "seed = 1");
    let _ = writeln!(w);
    let _ = writeln!(w, "[calendar]");
    let _ = writeln!(w, "bank_holidays = {}", quoted(o.region.name()));
    let _ = writeln!(w);
    if let Some(ed) = &cal.ed {
        let _ = writeln!(w, "# {} attendances.", ed.attendances);
        let _ = writeln!(w, "[ed]");
        let _ = writeln!(
            w,
            "attendances_per_day = {}   # weekly average before the month factors below",
            num(ed.per_day, 2)
        );
        let _ = writeln!(w, "hour_of_day = {}", weights(&ed.hour_counts));
        let _ = writeln!(w, "day_of_week = {}   # Monday first", weights(&ed.day_of_week));
        let _ = writeln!(
            w,
            "bank_holiday_factor = {}   # from {} bank holiday{} in the range",
            num(ed.bank_holiday_factor, 3),
            ed.bank_holidays,
            if ed.bank_holidays == 1 { "" } else { "s" }
        );
        displacement(w, ed.displacement.as_ref());
        let _ = writeln!(w, "admission_probability = {}", num(ed.admission_probability, 4));
        let _ = writeln!(w, "# Admitted patients: arrival to leaving ED, hours; {}.", why(&ed.hours_to_decision));
        let _ = writeln!(w, "hours_to_decision = {}", dist(&ed.hours_to_decision.chosen));
        let _ = writeln!(w, "# Not admitted: arrival to leaving ED, hours; {}.", why(&ed.hours_in_department));
        let _ = writeln!(w, "hours_in_department = {}", dist(&ed.hours_in_department.chosen));
        if let Some(a) = ed.ambulance_share {
            let _ = writeln!(w, "# With ED spaces added by hand: ambulance_share = {}", num(a, 3));
        }
        let _ = writeln!(w);
    }
    let _ = writeln!(w, "# Calendar-month factors on emergency demand (ED and direct routes), from the data's months;");
    let _ = writeln!(w, "# written for every month of the data range and of the scenario's period and warm-up.");
    let missing = months_without_data(cal);
    if !missing.is_empty() {
        let _ = writeln!(
            w,
            "# No data for the calendar months of {}: they run at the data's average rate (no factor).",
            missing.join(", ")
        );
        let _ = writeln!(w, "# Calibrate from a whole year to have every month's factor.");
    }
    for (first, last, factor) in seasonality_months(cal) {
        let _ = writeln!(w, "[[seasonality]]\nfrom = \"{first}\"\nto = \"{last}\"\nfactor = {}\n", num(factor, 3));
    }
    // The ED shares must sum to 1 as written: each rounded to 4 places, the
    // largest takes what the rounding left.
    let is_ed = |r: &super::RouteFit| r.source == Source::Ed && cal.ed.is_some();
    let mut shares: Vec<f64> =
        cal.routes.iter().map(|r| if is_ed(r) { (r.share * 1e4).round() / 1e4 } else { 0.0 }).collect();
    if let Some(big) =
        (0..shares.len()).filter(|&i| is_ed(&cal.routes[i])).max_by(|&a, &b| shares[a].total_cmp(&shares[b]))
    {
        let rest: f64 = shares.iter().enumerate().filter(|&(i, _)| i != big).map(|(_, s)| s).sum();
        shares[big] = ((1.0 - rest) * 1e4).round() / 1e4;
    }
    for (r, share) in cal.routes.iter().zip(&shares) {
        let as_ed = is_ed(r);
        let _ = writeln!(w, "# {} spells admitted in the range ({}).", r.spells, source_name(r.source));
        let _ = writeln!(w, "[[admissions]]");
        let _ = writeln!(w, "name = {}", quoted(&r.name));
        if as_ed {
            let _ = writeln!(w, "source = \"ed\"");
            let _ = writeln!(w, "share = {}", num(*share, 4));
        } else {
            let _ = writeln!(w, "source = \"direct\"");
            let _ = writeln!(
                w,
                "per_day = {}   # before the weekday weights and month factors{}",
                num(r.per_day * o.growth_factor(), 3),
                grown(o)
            );
            if let Some(g) = o.growth {
                let _ = writeln!(w, "growth_per_year = {}", num(g, 4));
            }
            let _ = writeln!(w, "hour_of_day = {}", weights(&r.hour_counts));
            let _ = writeln!(w, "day_of_week = {}", weights(&r.day_of_week));
            let _ = writeln!(w, "bank_holiday_factor = {}", num(r.bank_holiday_factor, 3));
            displacement(w, r.displacement.as_ref());
        }
        let _ = writeln!(w, "pool = {}", quoted(&r.pool));
        let _ = writeln!(w, "# Acute stay, days; {}.", why(&r.stay));
        let _ = writeln!(w, "stay_days = {}", dist(&r.stay.chosen));
        let _ = writeln!(w);
    }
    for (name, beds) in &o.beds {
        let _ = writeln!(w, "[[pool]]");
        let _ = writeln!(w, "name = {}", quoted(name));
        let _ = writeln!(w, "beds = {beds}   # given with --beds");
        if let Some(d) = &cal.discharge
            && let Some(s) = d.shares.get(name).map(|s| {
                // A pathway nobody has finished (no delay to fit) is left out.
                let mut s = *s;
                for (k, x) in s.iter_mut().enumerate() {
                    if d.delays[k].is_none() {
                        *x = 0.0;
                    }
                }
                s
            })
            && s.iter().any(|&x| x > 0.0)
        {
            let _ = writeln!(
                w,
                "pathway_shares = {{ P1 = {}, P2 = {}, P3 = {} }}",
                num(s[0], 4),
                num(s[1], 4),
                num(s[2], 4)
            );
        }
        let _ = writeln!(w);
    }
    match &cal.discharge {
        None => {
            let _ = writeln!(w, "# The spells record no `ready`: the stays above run to discharge, so patients leave");
            let _ = writeln!(w, "# when their stay ends.");
            let _ = writeln!(w, "[discharge]\nmode = \"on-ready\"");
        }
        Some(d) => {
            let _ = writeln!(w, "# Discharge hours of P0 patients; review shares estimated from who left on the day");
            let _ = writeln!(w, "# they were ready (see the README).");
            let _ = writeln!(w, "[discharge]\nmode = \"profile\"");
            let _ = writeln!(w, "weekday_hours = {}", weights(&d.weekday_hours));
            let _ = writeln!(w, "weekend_hours = {}", weights(&d.weekend_hours));
            let _ = writeln!(w, "weekend_review_share = {}", num(d.weekend_review_share, 3));
            let _ = writeln!(w, "bank_holiday_review_share = {}", num(d.bank_holiday_review_share, 3));
            for (k, delay) in d.delays.iter().enumerate() {
                let Some(c) = delay else { continue };
                let _ = writeln!(w);
                let _ = writeln!(
                    w,
                    "# Ready to discharge, less the P0 mean wait of {:.2} days; {}.",
                    d.p0_wait_days,
                    why(c)
                );
                let _ = writeln!(w, "[[pathway]]\nname = \"P{}\"", k + 1);
                let _ = writeln!(w, "delay_days = {}", dist(&c.chosen));
            }
        }
    }
    t
}

/// The comment on a rate carried forward by `--growth`.
fn grown(o: &super::Options) -> String {
    match o.growth {
        Some(g) => {
            format!(", and x {:.4} for {:.1}% yearly growth to the scenario's start", o.growth_factor(), g * 100.0)
        }
        None => String::new(),
    }
}

/// `bank_holiday_displacement` when precise enough, else a comment saying why not.
fn displacement(w: &mut String, d: Option<&super::DisplacementFit>) {
    let Some(d) = d else { return };
    let after: f64 = d.after_days.iter().sum();
    if d.written && after + d.before > 0.0 {
        let days = if after > 0.0 { d.after_days.map(|x| num(x / after, 3)).join(", ") } else { "1.0".into() };
        let _ = writeln!(
            w,
            "bank_holiday_displacement = {{ after = {}, after_days = [{days}], before = {} }}   # standard error {:.2}",
            num(after, 3),
            num(d.before, 3),
            d.se
        );
    } else {
        let _ = writeln!(
            w,
            "# Holiday displacement not written: the holidays miss too little demand to see where it goes \
             (estimate {:.2} after, {:.2} before, standard error {:.2} above {})",
            after,
            d.before,
            d.se,
            super::MAX_DISPLACEMENT_SE
        );
    }
}

fn source_name(s: Source) -> &'static str {
    match s {
        Source::Ed => "through ED",
        Source::Direct => "direct",
        Source::Elective => "elective, modelled as a direct route with its weekday profile",
    }
}

fn files(cal: &Calibration) -> String {
    cal.problems.iter().map(|(f, _)| f.as_str()).collect::<Vec<_>>().join(" and ")
}
