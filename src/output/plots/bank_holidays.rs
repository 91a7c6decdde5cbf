//! `bank_holidays`: what happens around each bank holiday, aligned on the
//! holiday (day 0), from 3 days before to 7 days after, compared with ordinary
//! weeks so the post-holiday surge is visible.
//!
//! For each day the plotted value is the median (over replications) of the
//! trust-wide census minus the average median of "ordinary" days: the same
//! weekday within three weeks either side, outside every holiday's -3..+7 window
//! and outside the Christmas-New Year fortnight. Comparing with nearby weeks of
//! the same weekday removes both the weekly cycle and the winter trend.

use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `bank_holidays` figure: trust-wide midnight census and 08:00 boarders around each bank holiday, against ordinary
/// weeks.
pub struct BankHolidays<'a> {
    /// The scenario (its dates and holidays).
    pub model: &'a Model,
    /// Summaries of the run, whose daily trust-wide series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "bank_holidays";
/// Days before each holiday that its profile starts (day -3).
pub const BEFORE: i64 = 3;
/// Days after each holiday that its profile ends (day +7), covering the post-holiday surge.
pub const AFTER: i64 = 7;
/// Ordinary days within this many days (same weekday) form the baseline.
const BASELINE_REACH: i64 = 21;

/// One holiday's profile: offset -3..=7 -> difference from ordinary weeks.
pub struct HolidayProfile {
    /// Date of the holiday.
    pub date: NaiveDate,
    /// Its name, for the legend (e.g. "Boxing Day").
    pub title: String,
    /// (days from the holiday, median minus ordinary-week baseline) for each day with a value; in the series' units
    /// (beds, patients).
    pub points: Vec<(i64, f64)>,
}

/// Profiles of a daily trust-wide series around each bank holiday in the reported period.
pub fn profiles(model: &Model, series: &[crate::summary::Summary]) -> Vec<HolidayProfile> {
    let n = series.len() as i64;
    let date = |d: i64| model.start + chrono::Days::new(d as u64);
    let holidays: Vec<_> =
        model.calendar.holidays.iter().filter(|h| h.date >= model.start && h.date <= model.end).collect();
    // Days inside a holiday's -3..+7 window or the festive fortnight, marked
    // once: O(days + holidays), not a scan of every holiday for every day.
    let mut marked: Vec<bool> = (0..n)
        .map(|d| {
            let day = date(d);
            (day.month() == 12 && day.day() >= 24) || (day.month() == 1 && day.day() <= 6)
        })
        .collect();
    for h in &holidays {
        let d0 = (h.date - model.start).num_days();
        for d in (d0 - BEFORE).max(0)..=(d0 + AFTER).min(n - 1) {
            marked[d as usize] = true;
        }
    }
    let special = |d: i64| marked[d as usize];
    let baseline = |d: i64| {
        let vals: Vec<f64> = (-BASELINE_REACH / 7..=BASELINE_REACH / 7)
            .map(|w| d + 7 * w)
            .filter(|&j| j >= 0 && j < n && !special(j))
            .map(|j| series[j as usize].p50)
            .filter(|v| v.is_finite())
            .collect();
        if vals.is_empty() { f64::NAN } else { vals.iter().sum::<f64>() / vals.len() as f64 }
    };
    holidays
        .iter()
        .map(|h| {
            let d0 = (h.date - model.start).num_days();
            let points = (-BEFORE..=AFTER)
                .filter(|k| (0..n).contains(&(d0 + k)))
                .map(|k| (k, series[(d0 + k) as usize].p50 - baseline(d0 + k)))
                .filter(|(_, v)| v.is_finite())
                .collect();
            HolidayProfile { date: h.date, title: h.title.clone(), points }
        })
        .collect()
}

fn panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    profiles: &[HolidayProfile],
) -> Result<(), PlotError> {
    let values = profiles.iter().flat_map(|p| p.points.iter().map(|(_, v)| *v));
    let (lo, hi) = values.fold((0.0f64, 0.0f64), |(a, b), v| (a.min(v), b.max(v)));
    let pad = ((hi - lo) * 0.1).max(1.0);
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 24).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(-BEFORE as f64 - 0.3..AFTER as f64 + 0.3, lo - pad..hi + pad * 3.0)
        .map_err(fail(NAME))?;
    chart
        .configure_mesh()
        .x_labels((BEFORE + AFTER + 1) as usize)
        .x_label_formatter(&|x| {
            let k = x.round() as i64;
            if k == 0 { "holiday".into() } else { format!("{k:+}") }
        })
        .x_desc("Days from the bank holiday")
        .y_desc(y_label)
        .y_label_formatter(&|y| if hi - lo < 10.0 { format!("{y:+.1}") } else { format!("{y:+.0}") })
        .y_max_light_lines(1)
        .x_max_light_lines(1)
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .light_line_style(RGBColor(240, 240, 240))
        .draw()
        .map_err(fail(NAME))?;
    chart
        .draw_series(LineSeries::new([(-BEFORE as f64, 0.0), (AFTER as f64, 0.0)], BLACK.stroke_width(2)))
        .map_err(fail(NAME))?
        .label("Ordinary weeks (same weekday, within 3 weeks)")
        .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BLACK.stroke_width(2)));
    for (i, p) in profiles.iter().enumerate() {
        let colour = colours::SERIES[i % colours::SERIES.len()];
        let style = colour.stroke_width(3);
        // One line per run of consecutive days, so a gap (no ordinary-week
        // baseline) is not bridged by a misleading straight line.
        let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
        for (i, (k, v)) in p.points.iter().enumerate() {
            if i == 0 || p.points[i - 1].0 + 1 != *k {
                runs.push(Vec::new());
            }
            if let Some(run) = runs.last_mut() {
                run.push((*k as f64, *v));
            }
        }
        for run in runs {
            chart.draw_series(LineSeries::new(run, style)).map_err(fail(NAME))?;
        }
        chart
            .draw_series(std::iter::empty::<Circle<(f64, f64), i32>>())
            .map_err(fail(NAME))?
            .label(format!("{} {}", p.date.format("%a %-d %b"), p.title))
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], style));
        chart
            .draw_series(p.points.iter().map(|(k, v)| Circle::new((*k as f64, *v), 4, colour.filled())))
            .map_err(fail(NAME))?;
    }
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(180, 180, 180))
        .label_font((FONT, 14))
        .draw()
        .map_err(fail(NAME))?;
    Ok(())
}

impl Figure for BankHolidays<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 760)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let title = format!("{}: around each bank holiday, compared with ordinary weeks (trust-wide medians)", m.name);
        let body = root.titled(&title, (FONT, 28).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (Some(occ), Some(boarders)) =
            (self.sums.series(Metric::MidnightOccupancy, None), self.sums.series(Metric::Boarders0800, None))
        else {
            return Err(PlotError::new(NAME, "daily occupancy series missing"));
        };
        let occ = profiles(m, occ);
        if occ.is_empty() {
            body.draw(&Text::new(
                "No bank holidays fall in the reported period.",
                (60, 80),
                (FONT, 26).into_font().color(&colours::TEXT_GREY),
            ))
            .map_err(fail(NAME))?;
            return Ok(());
        }
        let (left, right) = body.split_horizontally(body.dim_in_pixel().0 / 2);
        panel(&left, "Beds occupied at midnight", "Difference from ordinary weeks (beds)", &occ)?;
        panel(
            &right,
            "Patients waiting for a bed at 08:00",
            "Difference from ordinary weeks (patients)",
            &profiles(m, boarders),
        )
    }
}
