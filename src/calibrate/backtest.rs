//! `bedflow backtest`: a scenario simulated over a period the extracts
//! cover, started from the census the spells give at its first midnight,
//! against what actually happened.
//!
//! - Actual: the patients in beds at each midnight (the midnight ending the
//!   day, as bedflow's midnight census), per ward group and trust-wide,
//!   counted from the spells; with attendances, each day's share of
//!   attendances leaving ED within 4 hours (by day of arrival).
//! - Simulated: the same daily series across replications, from a census of
//!   the spells open at 00:00 on the first day (each patient's time so far
//!   kept; a patient whose `ready` time has passed is ready now: on the
//!   pathway the spells record (P1-P3) for the rest of its delay given the
//!   days already waited, or (P0) leaving by the discharge rules; for the
//!   others the rest of the stay is drawn from their route's
//!   distribution given that time: nothing of the future is taken from the
//!   data), no warm-up.
//! - Judged by: the share of days the actual lies inside the simulated
//!   P10-P90 (a well-calibrated model: near 80%), and the mean absolute
//!   percentage error of the median.
//!
//! Spells in ward groups or routes the scenario does not have are counted and
//! reported: the pool's census leaves them out and the route falls back to
//! the pool's stay distributions.

use super::extract::{self, Attendance, Spell};
use super::{DAY, midnight};
use crate::model::{Census, CensusPatient, CensusRoute, CensusStay, Model};
use crate::output::plots::fan::date_chart;
use crate::output::plots::{FONT, PlotError, colours, ensure_font, fail};
use crate::stats::Metric;
use crate::summary::Summary;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// One series compared: actual against simulated, day by day.
#[derive(Debug, Clone)]
pub struct Series {
    /// `trust`, a ward group, or `ed_4h_performance`.
    pub name: String,
    /// The actual value each day (`None` for a day with no attendances).
    pub actual: Vec<Option<f64>>,
    /// The simulated distribution each day.
    pub simulated: Vec<Summary>,
}

impl Series {
    /// Days compared (with an actual value).
    pub fn days(&self) -> usize {
        self.actual.iter().flatten().count()
    }

    /// Share of days whose actual lies inside the simulated P10-P90.
    pub fn coverage(&self) -> f64 {
        let inside = self
            .actual
            .iter()
            .zip(&self.simulated)
            .filter_map(|(a, s)| a.map(|a| a >= s.p10 && a <= s.p90))
            .filter(|&x| x)
            .count();
        inside as f64 / self.days().max(1) as f64
    }

    /// Mean absolute percentage error of the simulated median (NaN with no
    /// day whose actual is above 0).
    pub fn mape(&self) -> f64 {
        let errs: Vec<f64> = self
            .actual
            .iter()
            .zip(&self.simulated)
            .filter_map(|(a, s)| a.filter(|&a| a > 0.0).map(|a| (s.p50 - a).abs() / a))
            .collect();
        if errs.is_empty() { f64::NAN } else { errs.iter().sum::<f64>() / errs.len() as f64 }
    }
}

/// Patients in beds at the midnight ending each day, per ward group in
/// `pools` order.
pub fn actual_occupancy(spells: &[Spell], pools: &[String], from: NaiveDate, days: usize) -> Vec<Vec<f64>> {
    let start = midnight(from);
    let mut out = vec![vec![0.0; days]; pools.len()];
    for s in spells {
        let Some(p) = pools.iter().position(|n| *n == s.pool) else { continue };
        // Midnights t = start + (d + 1) DAY with admitted < t <= discharged:
        // the engine reads its census before anything else at that second,
        // so a patient admitted at midnight is not yet in, one discharged at
        // midnight still is.
        let first = (s.admitted - start).div_euclid(DAY).max(0);
        let last = match s.discharged {
            Some(d) => (d - start).div_euclid(DAY) - 1,
            None => days as i64 - 1,
        };
        for d in first..=last.min(days as i64 - 1) {
            out[p][d as usize] += 1.0;
        }
    }
    out
}

/// The census at 00:00 on `from`: spells admitted before it and not
/// discharged by then, each in its ward group with its time so far.
pub fn census_from(spells: &[Spell], model: &Model, from: NaiveDate, file: &str) -> (Census, usize) {
    let t = midnight(from);
    let mut patients = Vec::new();
    let mut unknown = 0;
    for s in spells.iter().filter(|s| s.admitted < t && s.discharged.is_none_or(|d| d > t)) {
        let Some(pool) = model.pools.iter().position(|p| p.name == s.pool) else {
            unknown += 1;
            continue;
        };
        let route = model.routes.iter().position(|r| r.name == s.route).map(CensusRoute::Route);
        // A patient already past their `ready` time at the census is ready
        // now (that is the past, known on the day); otherwise the rest of
        // the stay is drawn given the time so far.
        let (stay, pathway) = match s.ready {
            Some(ready) if ready <= t => {
                let waited = (t - ready) as f64 / DAY as f64;
                (CensusStay::Expected(0.0), s.pathway.map(|k| (k, waited)))
            }
            _ => (CensusStay::Drawn, None),
        };
        patients.push(CensusPatient {
            pool,
            route,
            elapsed_days: (t - s.admitted) as f64 / DAY as f64,
            stay,
            waiting: false,
            pathway,
        });
    }
    (Census { file: file.to_string(), sha256: String::new(), patients, waiting_list: Vec::new() }, unknown)
}

/// Each day's share of attendances leaving within 4 hours (by day of arrival).
pub fn actual_4h(att: &[Attendance], from: NaiveDate, days: usize) -> Vec<Option<f64>> {
    let start = midnight(from);
    let (mut n, mut within) = (vec![0.0; days], vec![0.0; days]);
    for a in att {
        let d = (a.arrival - start).div_euclid(DAY);
        if d >= 0 && (d as usize) < days {
            n[d as usize] += 1.0;
            within[d as usize] += f64::from(u8::from(a.departure - a.arrival <= 4 * 3600));
        }
    }
    n.iter().zip(&within).map(|(&n, &w)| (n > 0.0).then(|| w / n)).collect()
}

/// Runs the backtest of `model` (its start and end the period, no warm-up)
/// against the spells (and attendances): the census of the first day, the
/// replications, and the series compared (trust-wide, each ward group with
/// core beds, and ED 4-hour performance when there are attendances and an
/// ED). Returns the series and the patients in beds at the start in ward
/// groups the scenario does not have.
pub fn run(
    model: &mut Model,
    spells: &[Spell],
    attendances: Option<&[Attendance]>,
    file: &str,
    spec: crate::replicate::RunSpec,
    on_done: &(dyn Fn() + Sync),
) -> Result<(Vec<Series>, usize), crate::replicate::ThreadError> {
    let from = model.start;
    let (census, unknown) = census_from(spells, model, from, file);
    model.census = Some(census);
    let mut reducer = crate::reduce::Reducer::new();
    crate::replicate::run_streaming(model, spec, on_done, &mut |k| reducer.push(&k))?;
    let results = reducer.finish();
    let days = model.reported_days() as usize;
    let names: Vec<String> = model.pools.iter().map(|p| p.name.clone()).collect();
    let actual = actual_occupancy(spells, &names, from, days);
    let mut series = Vec::new();
    if let Some(sim) = results.sums.series(Metric::MidnightOccupancy, None) {
        series.push(Series {
            name: "trust".into(),
            actual: (0..days).map(|d| Some(actual.iter().map(|p| p[d]).sum())).collect(),
            simulated: sim.to_vec(),
        });
    }
    for (p, name) in names.iter().enumerate() {
        // A shared escalation ward has no ward group of its own in the data.
        if model.pools[p].beds == 0 && !model.pools[p].serves.is_empty() {
            continue;
        }
        let Some(sim) = results.sums.series(Metric::MidnightOccupancy, Some(p)) else { continue };
        series.push(Series {
            name: name.clone(),
            actual: actual[p].iter().map(|&x| Some(x)).collect(),
            simulated: sim.to_vec(),
        });
    }
    if let (Some(att), Some(sim)) = (attendances, results.sums.series(Metric::Ed4hPerformance, None)) {
        series.push(Series {
            name: Metric::Ed4hPerformance.to_string(),
            actual: actual_4h(att, from, days),
            simulated: sim.to_vec(),
        });
    }
    Ok((series, unknown))
}

/// The extracts a backtest reads: spells, attendances (if given) and the spells file's name.
pub type Extracts = (Vec<Spell>, Option<Vec<Attendance>>, String);

/// Reads the extracts for a backtest.
pub fn read(spells: &Path, attendances: Option<&Path>) -> Result<Extracts, extract::ExtractError> {
    let (s, _, file) = extract::read_spells(spells)?;
    let a = attendances.map(extract::read_attendances).transpose()?.map(|(a, _, _)| a);
    Ok((s, a, file))
}

/// A row of `backtest.csv`; the field names are the header.
#[derive(serde::Serialize)]
struct Row<'a> {
    series: &'a str,
    date: String,
    actual: String,
    simulated_p10: String,
    simulated_p50: String,
    simulated_p90: String,
    inside_p10_p90: String,
}

/// `backtest.csv`: one row per series and day (series names are the
/// scenario's pool names, which the scenario's checks keep safe for Excel).
pub fn csv(series: &[Series], from: NaiveDate) -> std::io::Result<Vec<u8>> {
    use crate::output::tables::{Csv, num};
    let mut out = Csv::new();
    for s in series {
        for (d, (a, sim)) in s.actual.iter().zip(&s.simulated).enumerate() {
            out.record(Row {
                series: &s.name,
                date: (from + chrono::Days::new(d as u64)).to_string(),
                actual: a.map_or(String::new(), num),
                simulated_p10: num(sim.p10),
                simulated_p50: num(sim.p50),
                simulated_p90: num(sim.p90),
                inside_p10_p90: a.map_or(String::new(), |a| u8::from(a >= sim.p10 && a <= sim.p90).to_string()),
            });
        }
    }
    out.finish()
}

/// Draws `backtest.png`: one panel per series, the actual line over the P10-P90 fan.
pub fn plot(series: &[Series], from: NaiveDate, dir: &Path, title: &str) -> Result<(), PlotError> {
    const NAME: &str = "backtest";
    ensure_font()?;
    let path = dir.join("backtest.png");
    let rows = series.len().max(1) as u32;
    let root = BitMapBackend::new(&path, (1800, 120 + 420 * rows)).into_drawing_area();
    root.fill(&WHITE).map_err(fail(NAME))?;
    draw(&root, series, from, title)?;
    root.present().map_err(fail(NAME))
}

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    series: &[Series],
    from: NaiveDate,
    title: &str,
) -> Result<(), PlotError> {
    const NAME: &str = "backtest";
    let body = root.titled(title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
    let panels = body.split_evenly((series.len().max(1), 1));
    for (s, area) in series.iter().zip(panels.iter()) {
        let share = s.name == Metric::Ed4hPerformance.to_string();
        let scale = if share { 100.0 } else { 1.0 };
        let days = s.simulated.len();
        let lo =
            s.simulated.iter().map(|x| x.p10).chain(s.actual.iter().flatten().copied()).fold(f64::INFINITY, f64::min);
        let hi = s.simulated.iter().map(|x| x.p90).chain(s.actual.iter().flatten().copied()).fold(0.0, f64::max);
        let pad = ((hi - lo) * 0.08).max(1e-3);
        // Room above the data for the legend, so it never hides a day.
        let hi = hi + (hi - lo) * 0.3;
        let caption = if share {
            format!(
                "ED 4-hour performance: actual inside the simulated P10-P90 on {:.0}% of days",
                s.coverage() * 100.0
            )
        } else {
            format!(
                "{}: patients in beds at midnight; actual inside P10-P90 on {:.0}% of days, median off by {:.1}% on average",
                if s.name == "trust" { "Trust" } else { &s.name },
                s.coverage() * 100.0,
                s.mape() * 100.0
            )
        };
        let y_label = if share { "Within 4 hours (%)" } else { "Patients in beds" };
        let mut chart = date_chart(
            area,
            &caption,
            y_label,
            if share { "%" } else { "" },
            from,
            days,
            ((lo - pad) * scale).max(0.0)..(hi + pad) * scale,
            NAME,
        )?;
        chart
            .draw_series(AreaSeries::new(
                (0..days).map(|d| (d as f64, s.simulated[d].p90 * scale)),
                0.0,
                colours::BAND_OUTER.filled(),
            ))
            .map_err(fail(NAME))?;
        chart
            .draw_series(AreaSeries::new(
                (0..days).map(|d| (d as f64, s.simulated[d].p10 * scale)),
                0.0,
                WHITE.filled(),
            ))
            .map_err(fail(NAME))?
            .label("Simulated P10-P90")
            .legend(|(x, y)| Rectangle::new([(x, y - 6), (x + 20, y + 6)], colours::BAND_OUTER.filled()));
        chart
            .draw_series(LineSeries::new(
                (0..days).map(|d| (d as f64, s.simulated[d].p50 * scale)),
                colours::DARK_BLUE.stroke_width(2),
            ))
            .map_err(fail(NAME))?
            .label("Simulated median")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], colours::DARK_BLUE.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                s.actual.iter().enumerate().filter_map(|(d, a)| a.map(|a| (d as f64, a * scale))),
                BLACK.stroke_width(2),
            ))
            .map_err(fail(NAME))?
            .label("Actual")
            .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK.stroke_width(2)));
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(colours::TEXT_GREY)
            .label_font((FONT, 15))
            .draw()
            .map_err(fail(NAME))?;
    }
    Ok(())
}
