//! `bank_holidays`: the trust around each bank holiday, zoomed in so a board
//! reads it at a glance. One small chart per holiday period (Christmas and
//! New Year together; holidays within a week of each other, such as Good
//! Friday and Easter Monday, together), from 3 days before its first holiday
//! to 7 days after its last (the post-holiday surge): the fan of trust-wide
//! beds occupied at midnight across replications (P10-P90, P25-P75, median)
//! against core beds and core plus open escalation beds, and below it the
//! patients waiting for a bed at 08:00 the same way. Where the band rises
//! above the beds, that share of simulated winters was full that night.
//!
//! An earlier design drew each holiday's difference from ordinary weeks as
//! one line per holiday on one chart; with seven holidays the lines crossed
//! and swung too much to read, so it was dropped.

use super::fan::{
    CAPACITY_LABEL, FanPanel, Shade, calendar_shades, capacity_line, core_lines, fan_legend, legend_strip,
};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `bank_holidays` figure: one zoomed fan chart of the trust per holiday period.
pub struct BankHolidays<'a> {
    /// The scenario (its dates, beds and holidays).
    pub model: &'a Model,
    /// Summaries of the run, whose daily trust-wide series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "bank_holidays";
/// Days before a period's first holiday that its chart starts.
pub const BEFORE: i64 = 3;
/// Days after a period's last holiday that its chart ends, covering the post-holiday surge.
pub const AFTER: i64 = 7;
/// Holidays at most this many days apart share a period (one chart).
const JOIN: i64 = 7;
/// Most periods drawn (a year of English holidays makes six).
pub const MAX_PERIODS: usize = 8;

/// A run of reported days around one or more bank holidays.
#[derive(Debug, Clone, PartialEq)]
pub struct Period {
    /// Caption: the holidays' names ("Christmas and New Year" for the festive ones).
    pub title: String,
    /// First reported day of the chart (0 = the scenario's start).
    pub from: usize,
    /// Day after its last.
    pub to: usize,
}

/// The holiday periods of the reported days (at most [`MAX_PERIODS`]).
pub fn periods(model: &Model) -> Vec<Period> {
    let n = i64::from(model.reported_days());
    let day = |d: NaiveDate| (d - model.start).num_days();
    let holidays: Vec<_> =
        model.calendar.holidays.iter().filter(|h| h.date >= model.start && h.date <= model.end).collect();
    let mut groups: Vec<Vec<&crate::calendar::BankHoliday>> = Vec::new();
    for h in holidays {
        match groups.last_mut() {
            Some(g) if g.last().is_some_and(|l| (h.date - l.date).num_days() <= JOIN) => g.push(h),
            _ => groups.push(vec![h]),
        }
    }
    groups
        .into_iter()
        .take(MAX_PERIODS)
        .filter_map(|g| {
            let (first, last) = (g.first()?, g.last()?);
            let festive = g.iter().any(|h| {
                use chrono::Datelike;
                h.date.month() == 12 && h.date.day() == 25
            });
            let title = if festive {
                "Christmas and New Year".to_string()
            } else {
                let mut names: Vec<&str> = g.iter().map(|h| h.title.as_str()).collect();
                names.dedup();
                names.join(" and ")
            };
            let from = (day(first.date) - BEFORE).max(0);
            let to = (day(last.date) + AFTER + 1).min(n);
            (to > from).then_some(Period { title, from: from as usize, to: to as usize })
        })
        .collect()
}

/// The calendar shades of the whole run, moved to a period's own days.
fn shades_in(all: &[Shade], p: &Period) -> Vec<Shade> {
    let (a, b) = (p.from as f64, p.to as f64);
    all.iter()
        .filter(|s| s.to > a && s.from < b)
        .map(|s| Shade {
            from: s.from.max(a) - a,
            to: s.to.min(b) - a,
            label: s.label.clone(),
            colour: s.colour,
            legend: s.legend.clone(),
        })
        .collect()
}

impl BankHolidays<'_> {
    fn grid(&self) -> (usize, usize) {
        let n = periods(self.model).len().max(1);
        let cols = if n == 1 { 1 } else { 2 };
        (n.div_ceil(cols), cols)
    }
}

impl Figure for BankHolidays<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        let (rows, _) = self.grid();
        (1800, 170 + 560 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let title = format!(
            "{}: the trust around each bank holiday, beds occupied at midnight ({} replications)",
            m.name, self.sums.replications
        );
        let body = root.titled(&title, (FONT, 28).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let Some(occ) = self.sums.series(Metric::MidnightOccupancy, None) else {
            return Err(PlotError::new(NAME, "daily occupancy series missing"));
        };
        let periods = periods(m);
        if periods.is_empty() {
            body.draw(&Text::new(
                "No bank holidays fall in the reported period.",
                (60, 80),
                (FONT, 26).into_font().color(&colours::TEXT_GREY),
            ))
            .map_err(fail(NAME))?;
            return Ok(());
        }
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let date = |d: usize| m.start + chrono::Days::new(d as u64);
        let core: Vec<f64> =
            (0..occ.len()).map(|d| m.pools.iter().map(|p| f64::from(p.beds_on(date(d)))).sum()).collect();
        let open: Option<Vec<f64>> = self
            .sums
            .series(Metric::EscalationBedsOpen, None)
            .map(|d| d.iter().map(|s| if s.p50.is_finite() { s.p50 } else { 0.0 }).collect::<Vec<f64>>())
            .filter(|o| o.iter().any(|&x| x > 0.0));
        let capacity: Vec<f64> = match &open {
            Some(o) => core.iter().zip(o).map(|(c, e)| c + e).collect(),
            None => core.clone(),
        };
        let boarders = self.sums.series(Metric::Boarders0800, None).filter(|d| d.iter().any(|s| s.p90 > 0.0));
        let all_shades = calendar_shades(m);
        let reference = super::fan::core_references;
        let mut legend = fan_legend(&reference(1.0), &all_shades);
        if open.is_some() {
            legend.push(super::fan::Swatch::Line(colours::CAPACITY, false, CAPACITY_LABEL.into()));
        }
        legend_strip(&strip, &legend, NAME)?;
        let areas = body.split_evenly(self.grid());
        for (p, area) in periods.iter().zip(areas.iter()) {
            let window = p.from..p.to;
            let flat = core[window.clone()].windows(2).all(|w| w[0] == w[1]);
            let (references, mut lines) = if flat {
                (reference(core[p.from]), Vec::new())
            } else {
                (Vec::new(), core_lines(&core[window.clone()]))
            };
            if open.is_some() {
                lines.push(capacity_line(capacity[window.clone()].to_vec()));
            }
            let (first, last) = (date(p.from), date(p.to - 1));
            // Beds above; below, when anyone waits, the patients waiting for a
            // bed at 08:00 (a full night shows as a queue the next morning).
            let (top, bottom) = match boarders {
                Some(_) => {
                    let (t, b) = area.split_vertically(area.dim_in_pixel().1 * 62 / 100);
                    (t, Some(b))
                }
                None => (area.clone(), None),
            };
            FanPanel {
                title: format!("{}: {} to {}", p.title, first.format("%a %-d %b"), last.format("%a %-d %b")),
                y_label: "Beds occupied at midnight".into(),
                start: first,
                days: &occ[window.clone()],
                scale: 1.0,
                references,
                lines,
                above: None,
                shades: shades_in(&all_shades, p),
                y_include: vec![],
                y_suffix: "",
            }
            .draw(&top, NAME)?;
            if let (Some(b), Some(area)) = (boarders, bottom) {
                FanPanel {
                    title: String::new(),
                    y_label: "Waiting for a bed, 08:00".into(),
                    start: first,
                    days: &b[window.clone()],
                    scale: 1.0,
                    references: Vec::new(),
                    lines: Vec::new(),
                    above: None,
                    shades: shades_in(&all_shades, p)
                        .into_iter()
                        .map(|s| Shade { label: String::new(), ..s })
                        .collect(),
                    y_include: vec![0.0],
                    y_suffix: "",
                }
                .draw(&area, NAME)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A winter's holidays in England: Christmas Day, Boxing Day (the 28th,
    /// substitute) and New Year's Day form one period, from 3 days before
    /// Christmas to 7 after New Year; Good Friday and Easter Monday another,
    /// cut at the last reported day.
    #[test]
    fn holidays_a_week_apart_share_a_period() {
        let text = r#"
[scenario]
name = "p"
start = "2026-11-01"
end = "2027-03-31"
warmup_days = 0
replications = 1
seed = 1

[calendar]
bank_holidays = "england-and-wales"

[[admissions]]
name = "a"
source = "direct"
per_day = 1.0
pool = "b"
stay_days = { dist = "fixed", value = 1 }

[[pool]]
name = "b"
beds = 10
"#;
        let m = crate::scenario::parse_str(text, "p.toml").unwrap();
        let day = |s: &str| (s.parse::<NaiveDate>().unwrap() - m.start).num_days() as usize;
        let p = periods(&m);
        assert_eq!(p.len(), 2, "{p:?}");
        assert_eq!(p[0].title, "Christmas and New Year");
        assert_eq!((p[0].from, p[0].to), (day("2026-12-22"), day("2027-01-09")));
        assert_eq!(p[1].title, "Good Friday and Easter Monday");
        assert_eq!((p[1].from, p[1].to), (day("2027-03-23"), day("2027-03-31") + 1));
    }
}
