//! `bedflow calibrate`: from a trust's own extracts (ED attendances and
//! inpatient spells, as CSV) to a complete scenario, with a report that shows
//! each estimate against the data.
//!
//! What is estimated, and how (see the README's "Calibrating from your own
//! data" for the planner's version):
//! - ED: attendances a day, hour-of-day and weekday weights, calendar-month
//!   factors (written as `[[seasonality]]`), the bank-holiday factor,
//!   admission probability, and the two ED times (admitted: arrival to
//!   leaving ED, written as `hours_to_decision`, since without ED capacity an
//!   admitted patient leaves ED when the bed is found; not admitted: arrival
//!   to leaving). ED capacity (spaces, corridor) cannot be read from
//!   attendances and is left out: add it by hand.
//! - Routes: one `[[admissions]]` per (source, route) of the spells. ED
//!   routes share the ED's admissions; direct and elective routes get their
//!   own daily rate, hour and weekday weights and bank-holiday factor
//!   (elective admissions become a direct route with their weekday profile:
//!   waiting lists and theatre lists cannot be read from spells). A route's
//!   pool is the ward group most of its spells are in.
//! - Stays: the acute stay (admission to `ready`, or to discharge when the
//!   extract has no `ready`), by maximum likelihood among lognormal, gamma
//!   and Weibull, right-censored at the end of the extract ([`fit`]).
//! - With `ready` and `pathway`: each pool's pathway shares; each pathway's
//!   delay (discharge minus ready, less the P0 patients' mean wait for the
//!   discharge hour, which the `[discharge]` rules add back); the discharge
//!   hour profiles and the weekend and bank-holiday review shares (see
//!   [`review_share`]). Without `ready`, `[discharge]` is "on-ready": the
//!   observed stays already include the wait to leave.
//! - Beds: never guessed; `--beds POOL=N` for every ward group.
//!
//! Only spells admitted (and attendances arriving) inside `--from`..`--to`
//! are used for rates and fits; earlier spells only for the backtest's census.

pub mod backtest;
pub mod extract;
pub mod fit;
mod rates;
pub mod report;
mod stays;
mod write;
use rates::Range;
pub use rates::{DisplacementFit, MAX_DISPLACEMENT_SE};
use stays::{fit_discharge, fit_routes};
pub use stays::{review_share, same_day_chance};

use crate::calendar::{Calendar, Region};
use chrono::{Datelike, NaiveDate};
use extract::{Attendance, Problems, Source, Spell};
use std::collections::BTreeMap;
use std::path::PathBuf;

/// Seconds in a day.
const DAY: i64 = 86_400;

/// What `calibrate` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The spells extract.
    pub spells: PathBuf,
    /// The attendances extract (optional: without it, ED routes become direct routes).
    pub attendances: Option<PathBuf>,
    /// First day of data used.
    pub from: NaiveDate,
    /// Last day of data used (inclusive).
    pub to: NaiveDate,
    /// Core beds per ward group.
    pub beds: Vec<(String, u32)>,
    /// Scenario name.
    pub name: String,
    /// The scenario's first reported day (default `from`).
    pub start: Option<NaiveDate>,
    /// The scenario's last reported day (default `to`).
    pub end: Option<NaiveDate>,
    /// Bank holidays of this region.
    pub region: Region,
    /// Yearly demand growth to carry the data's rates to the scenario's
    /// period (`--growth`): rates are scaled by (1 + g) ^ (years from the
    /// middle of the data range to the scenario's start) and every stream
    /// gets `growth_per_year = g`. `None`: the data's rates as they are.
    pub growth: Option<f64>,
}

impl Options {
    /// The factor carrying the data's rates to the scenario's start.
    pub fn growth_factor(&self) -> f64 {
        let Some(g) = self.growth else { return 1.0 };
        let middle = self.from + chrono::Duration::days((self.to - self.from).num_days() / 2);
        let start = self.start.unwrap_or(self.from);
        (1.0 + g).powf((start - middle).num_days() as f64 / 365.25)
    }
}

/// Why calibration stopped: bad input (exit 2).
#[derive(Debug, thiserror::Error)]
pub enum CalibrateError {
    /// A file cannot be used.
    #[error("error: {0}")]
    Extract(#[from] extract::ExtractError),
    /// A flag or the data is not enough to calibrate.
    #[error("error: {0}")]
    Refused(String),
}

/// The ED estimates.
#[derive(Debug, Clone)]
pub struct EdFit {
    /// Attendances a day (weekly average, before seasonality).
    pub per_day: f64,
    /// Attendances by clock hour over the range.
    pub hour_counts: [f64; 24],
    /// Weekday weights, Monday first, mean 1.
    pub day_of_week: [f64; 7],
    /// Mean attendances by weekday (not bank holidays), Monday first.
    pub weekday_means: [f64; 7],
    /// Bank-holiday factor (1 when the range has no bank holiday).
    pub bank_holiday_factor: f64,
    /// Bank holidays in the range.
    pub bank_holidays: usize,
    /// Where the holidays' missing attendances went.
    pub displacement: Option<DisplacementFit>,
    /// Share admitted.
    pub admission_probability: f64,
    /// Share arriving by ambulance, when recorded.
    pub ambulance_share: Option<f64>,
    /// Admitted: arrival to leaving ED, hours.
    pub hours_to_decision: fit::Choice,
    /// Not admitted: arrival to leaving ED, hours.
    pub hours_in_department: fit::Choice,
    /// Attendances used.
    pub attendances: usize,
}

/// One admission route's estimates.
#[derive(Debug, Clone)]
pub struct RouteFit {
    /// Route name.
    pub name: String,
    /// Source of admission.
    pub source: Source,
    /// Ward group.
    pub pool: String,
    /// Spells admitted in the range.
    pub spells: usize,
    /// ED routes: share of the ED's admissions.
    pub share: f64,
    /// Direct routes: arrivals a day before seasonality and weekday weights.
    pub per_day: f64,
    /// Direct routes: admissions by clock hour.
    pub hour_counts: [f64; 24],
    /// Direct routes: weekday weights, mean 1.
    pub day_of_week: [f64; 7],
    /// Direct routes: bank-holiday factor.
    pub bank_holiday_factor: f64,
    /// Direct routes: where the holidays' missing admissions went.
    pub displacement: Option<DisplacementFit>,
    /// The acute stay, days.
    pub stay: fit::Choice,
}

/// Discharge rules and pathways, when the spells record `ready`.
#[derive(Debug, Clone)]
pub struct DischargeFit {
    /// Discharge hour counts of P0 patients on weekdays.
    pub weekday_hours: [f64; 24],
    /// The same on weekends and bank holidays.
    pub weekend_hours: [f64; 24],
    /// Weekend review share.
    pub weekend_review_share: f64,
    /// Bank-holiday review share (the weekend share when no holiday is in the range).
    pub bank_holiday_review_share: f64,
    /// Mean days from ready to discharge of P0 patients.
    pub p0_wait_days: f64,
    /// Pathway delays P1-P3, days (`None`: nobody on that pathway).
    pub delays: [Option<fit::Choice>; 3],
    /// Pathway shares P1-P3 by pool.
    pub shares: BTreeMap<String, [f64; 3]>,
}

/// Everything estimated, for the scenario and the report.
#[derive(Debug, Clone)]
pub struct Calibration {
    /// The options it was run with.
    pub options: Options,
    /// ED estimates (with an attendances file).
    pub ed: Option<EdFit>,
    /// Month factors by calendar month (1-12) seen in the range.
    pub months: BTreeMap<u32, f64>,
    /// Observed mean attendances (or emergency admissions) a day by (year, month), for the report.
    pub month_means: Vec<((i32, u32), f64)>,
    /// One per route.
    pub routes: Vec<RouteFit>,
    /// Discharge and pathways (with `ready`).
    pub discharge: Option<DischargeFit>,
    /// Problems in each file read: (file, problems).
    pub problems: Vec<(String, Problems)>,
    /// Spells admitted in the range.
    pub spells_used: usize,
    /// The scenario written.
    pub toml: String,
}

/// Seconds at 00:00 on `d`.
pub fn midnight(d: NaiveDate) -> i64 {
    d.and_hms_opt(0, 0, 0).unwrap_or_default().and_utc().timestamp()
}

/// The date of a time in seconds.
pub fn date_of(t: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp(t.div_euclid(DAY) * DAY, 0).map_or(NaiveDate::MIN, |d| d.date_naive())
}

/// Clock hour of a time.
fn hour_of(t: i64) -> usize {
    (t.rem_euclid(DAY) / 3600) as usize
}

/// Runs the whole calibration (reading, estimating, writing the scenario text).
pub fn calibrate(options: Options) -> Result<Calibration, CalibrateError> {
    if options.to < options.from {
        return Err(CalibrateError::Refused(format!("--to {} is before --from {}", options.to, options.from)));
    }
    let days = (options.to - options.from).num_days() + 1;
    if days < 28 {
        return Err(CalibrateError::Refused(format!(
            "--from {} to --to {} is {days} days; calibrating needs at least 28 (a year is best: seasonality and \
             bank holidays)",
            options.from, options.to
        )));
    }
    if days > 3650 {
        return Err(CalibrateError::Refused(format!(
            "--from {} to --to {} is {days} days; calibrate from at most ten years (one to three is usual)",
            options.from, options.to
        )));
    }
    match (options.start, options.end) {
        (Some(_), None) | (None, Some(_)) => {
            return Err(CalibrateError::Refused("--start and --end go together (the scenario's period)".into()));
        }
        (Some(s), Some(e)) if e < s => {
            return Err(CalibrateError::Refused(format!("--end {e} is before --start {s}")));
        }
        (Some(s), Some(e)) if (e - s).num_days() > 3650 => {
            return Err(CalibrateError::Refused(format!("--start {s} to --end {e} is over ten years")));
        }
        _ => {}
    }
    if options.region != Region::None {
        let (_, years) = crate::calendar::built_in(options.region);
        let (start, end) = (options.start.unwrap_or(options.from), options.end.unwrap_or(options.to));
        let first = options.from.min(start - chrono::Days::new(60)).year();
        let last = options.to.max(end).year();
        if first < *years.start() || last > *years.end() {
            return Err(CalibrateError::Refused(format!(
                "the built-in {} bank holidays cover {}-{}, but the data and the scenario (with its 60-day \
                 warm-up) span {first}-{last}: give --bank-holidays none (and add the dates to the scenario's \
                 extra_holidays by hand)",
                options.region.name(),
                years.start(),
                years.end()
            )));
        }
    }
    let calendar = Calendar::new(options.region, &[]);
    let range = Range { from: options.from, days, calendar: &calendar };
    let mut problems = Vec::new();

    let (spells, p, file) = extract::read_spells(&options.spells)?;
    problems.push((file.clone(), p));
    let extract_end = extract::extract_end(&spells);
    let used: Vec<&Spell> = spells.iter().filter(|s| range.contains(s.admitted)).collect();
    if used.len() < 100 {
        return Err(refused(
            format!(
                "{file}: {} spells admitted from {} to {}; calibrating needs at least 100",
                used.len(),
                options.from,
                options.to
            ),
            &problems,
        ));
    }
    check_names(&used, &file)?;
    check_beds(&options, &used, &file)?;

    let ed = match &options.attendances {
        Some(path) => {
            let (att, p, afile) = extract::read_attendances(path)?;
            problems.push((afile.clone(), p));
            let used: Vec<Attendance> = att.into_iter().filter(|a| range.contains(a.arrival)).collect();
            if used.len() < 100 {
                return Err(refused(
                    format!(
                        "{afile}: {} attendances from {} to {}; calibrating needs at least 100",
                        used.len(),
                        options.from,
                        options.to
                    ),
                    &problems,
                ));
            }
            if !spells.iter().any(|s| s.source == Source::Ed) {
                return Err(CalibrateError::Refused(format!(
                    "{afile} has attendances but no spell in {file} has source \"ed\": the ED's admissions \
                     would have no route (code ED admissions as source ed, or leave out --attendances)"
                )));
            }
            Some(used)
        }
        None => None,
    };

    // Month factors and ED rates from attendances, or from emergency
    // admissions (ED and direct) when there is no attendances file.
    let demand_times: Vec<i64> = match &ed {
        Some(att) => att.iter().map(|a| a.arrival).collect(),
        None => used.iter().filter(|s| s.source != Source::Elective).map(|s| s.admitted).collect(),
    };
    let demand_counts = range.daily_counts(&demand_times);
    let (dow, _) = range.weekday_weights(&demand_counts, &BTreeMap::new());
    let months = range.month_factors(&demand_counts, &dow);
    let month_means = range.month_means(&demand_counts);

    let ed_fit = ed.as_ref().map(|att| {
        let rate = range.rate(&demand_counts, &months);
        let mut hour_counts = [0.0; 24];
        for a in att {
            hour_counts[hour_of(a.arrival)] += 1.0;
        }
        let admitted = att.iter().filter(|a| a.admitted).count();
        let modes: Vec<bool> = att.iter().filter_map(|a| a.ambulance).collect();
        let hours = |adm: bool| {
            let s = fit::Sample {
                complete: att
                    .iter()
                    .filter(|a| a.admitted == adm)
                    .map(|a| (a.departure - a.arrival) as f64 / 3600.0)
                    .collect(),
                censored: Vec::new(),
            };
            fit::choose(&s)
        };
        (rate, hour_counts, admitted, modes, hours(true), hours(false))
    });
    let ed_fit = match ed_fit {
        Some((rate, hour_counts, admitted, modes, Some(to_decision), Some(in_dept))) => {
            let n = ed.as_ref().map_or(0, Vec::len);
            Some(EdFit {
                per_day: rate.per_day,
                hour_counts,
                day_of_week: rate.day_of_week,
                weekday_means: rate.weekday_means,
                bank_holiday_factor: rate.bank_holiday_factor,
                bank_holidays: rate.bank_holidays,
                displacement: rate.displacement,
                admission_probability: admitted as f64 / n as f64,
                ambulance_share: (!modes.is_empty())
                    .then(|| modes.iter().filter(|&&m| m).count() as f64 / modes.len() as f64),
                hours_to_decision: to_decision,
                hours_in_department: in_dept,
                attendances: n,
            })
        }
        Some(_) => {
            return Err(CalibrateError::Refused(
                "the attendances need both admitted and not-admitted patients to fit the two ED times".into(),
            ));
        }
        None => None,
    };

    let has_ready = used.iter().filter(|s| s.ready.is_some()).count() * 2 > used.len();
    let routes = fit_routes(&range, &used, &months, ed_fit.is_some(), has_ready, extract_end)?;
    let discharge = has_ready.then(|| fit_discharge(&range, &used, extract_end));
    let mut cal = Calibration {
        options,
        ed: ed_fit,
        months,
        month_means,
        routes,
        discharge,
        problems,
        spells_used: used.len(),
        toml: String::new(),
    };
    cal.toml = write::scenario(&cal);
    Ok(cal)
}

/// A refusal, with the rows skipped so far (a file whose every row was bad
/// is refused for having too few, and the reason is in the skipped rows).
fn refused(why: String, problems: &[(String, Problems)]) -> CalibrateError {
    let mut text = why;
    for (file, p) in problems {
        for line in p.lines().iter().take(10) {
            text.push_str(&format!("\n  {file}: {line}"));
        }
    }
    CalibrateError::Refused(text)
}

/// Route and ward-group names must be usable in a scenario, and there must
/// not be more of them than a scenario may hold (checked before any fit).
fn check_names(used: &[&Spell], file: &str) -> Result<(), CalibrateError> {
    use std::collections::BTreeMap;
    let mut routes: BTreeMap<&str, u64> = BTreeMap::new();
    let mut pools: BTreeMap<&str, u64> = BTreeMap::new();
    for s in used {
        routes.entry(s.route.as_str()).or_insert(s.line);
        pools.entry(s.pool.as_str()).or_insert(s.line);
    }
    let limit = crate::scenario::limits::MAX_TABLES;
    for (what, names) in [("routes", &routes), ("ward groups", &pools)] {
        if names.len() > limit {
            return Err(CalibrateError::Refused(format!(
                "{file}: {} different {what} in the range; a scenario holds at most {limit} (group them in the extract)",
                names.len()
            )));
        }
    }
    for (what, names) in [("route", &routes), ("pool", &pools)] {
        let mut seen: BTreeMap<String, &str> = BTreeMap::new();
        for (name, line) in names {
            if let Some(why) = crate::scenario::item_name_problem(name) {
                return Err(CalibrateError::Refused(format!(
                    "{file}:{line}: {what} \"{}\" cannot name a scenario's {what}: {why}; rename it in the extract",
                    crate::terminal::for_terminal(name)
                )));
            }
            let key = name.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase();
            if let Some(other) = seen.insert(key, name) {
                return Err(CalibrateError::Refused(format!(
                    "{file}:{line}: {what}s \"{name}\" and \"{other}\" differ only in case or spaces; \
                     a scenario would confuse them: make them one in the extract"
                )));
            }
        }
    }
    Ok(())
}

/// Every ward group in the spells needs `--beds`, and every `--beds` a ward group.
fn check_beds(options: &Options, used: &[&Spell], file: &str) -> Result<(), CalibrateError> {
    let pools: std::collections::BTreeSet<&str> = used.iter().map(|s| s.pool.as_str()).collect();
    let missing: Vec<&str> = pools.iter().copied().filter(|p| !options.beds.iter().any(|(b, _)| b == p)).collect();
    if !missing.is_empty() {
        let more = if missing.len() > 20 { format!(" and {} more", missing.len() - 20) } else { String::new() };
        return Err(CalibrateError::Refused(format!(
            "beds cannot be inferred from spells: give --beds POOL=N for {}{more} (the ward groups in {file})",
            missing
                .iter()
                .take(20)
                .map(|p| format!("\"{}\"", crate::terminal::for_terminal(p)))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    if let Some((extra, _)) = options.beds.iter().find(|(b, _)| !pools.contains(b.as_str())) {
        return Err(CalibrateError::Refused(format!(
            "--beds names \"{}\", but no spell admitted in the range is in that ward group (the ward groups are: {})",
            crate::terminal::for_terminal(extra),
            crate::terminal::for_terminal(&pools.iter().copied().collect::<Vec<_>>().join(", "))
        )));
    }
    Ok(())
}

impl Calibration {
    /// Months of the scenario (or its warm-up) with no month factor, because
    /// the data range has no day in that calendar month.
    pub fn months_without_data(&self) -> Vec<String> {
        write::months_without_data(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two Monday bank holidays (5 and 26 May 2025) at 40 instead of 100:
    /// 60 missing each; 50%, 25% and 15% of it on the Tuesday, Wednesday and
    /// Thursday after, 10% on the Friday before. The estimator recovers
    /// exactly those shares from the counts.
    #[test]
    fn displacement_by_hand() {
        let calendar = Calendar::new(Region::EnglandAndWales, &[]);
        let from = NaiveDate::from_ymd_opt(2025, 4, 28).unwrap_or_default();
        let range = Range { from, days: 42, calendar: &calendar };
        let expected = vec![100.0; 42];
        let mut counts = expected.clone();
        for holiday in [7, 28] {
            counts[holiday] = 40.0;
            for (k, share) in [0.5, 0.25, 0.15].iter().enumerate() {
                counts[holiday + 1 + k] += 60.0 * share;
            }
            counts[holiday - 3] += 6.0;
        }
        assert!(range.holiday(7) && range.holiday(28));
        let d = range.displacement(&counts, &expected).unwrap();
        for (got, want) in d.after_days.iter().zip([0.5, 0.25, 0.15]) {
            assert!((got - want).abs() < 1e-12, "{:?}", d.after_days);
        }
        assert!((d.before - 0.1).abs() < 1e-12);
        // Poisson error: 2 x (3 + 1) days at 100 against 120 missing.
        assert!((d.se - 800.0_f64.sqrt() / 120.0).abs() < 1e-12);
        assert!(!d.written, "two holidays cannot pin it down");
    }
}
