//! A fan chart panel over reported dates: P10-P90 and P25-P75 bands, median
//! line, reference lines, and shaded date ranges (bank holidays, Christmas).

use super::{FONT, PlotError, colours, fail};
use crate::summary::Summary;
use chrono::{Datelike, NaiveDate};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// A horizontal reference line (core beds, 92%, a target).
pub struct Reference {
    /// Height, in the panel's displayed units (after `scale`: 92 for 92%).
    pub value: f64,
    /// Legend text.
    pub label: String,
    /// Line colour.
    pub colour: RGBColor,
    /// Dashed for a standard or threshold (92%, 78%), solid for a hard limit (core beds).
    pub dashed: bool,
}

/// Core beds (solid red) and 92% of them (dashed orange): the two lines
/// every occupancy fan is read against.
pub fn core_references(beds: f64) -> Vec<Reference> {
    vec![
        Reference { value: beds, label: "Core beds".into(), colour: colours::RED, dashed: false },
        Reference {
            value: (crate::stats::OCCUPANCY_THRESHOLD * beds).round(),
            label: "92% of core beds".into(),
            colour: colours::ORANGE,
            dashed: true,
        },
    ]
}

/// Core beds and 92% of them as lines that step with the days (dated bed
/// changes): [`core_references`] for beds that change by date.
pub fn core_lines(core: &[f64]) -> Vec<DailyLine> {
    vec![
        DailyLine { values: core.to_vec(), label: "Core beds".into(), colour: colours::RED, dashed: false },
        DailyLine {
            values: core.iter().map(|c| (crate::stats::OCCUPANCY_THRESHOLD * c).round()).collect(),
            label: "92% of core beds".into(),
            colour: colours::ORANGE,
            dashed: true,
        },
    ]
}

/// Legend text of [`capacity_line`].
pub const CAPACITY_LABEL: &str = "Core + open escalation beds (median)";

/// Core plus the median escalation beds open, by day: where patients wait
/// on top of.
pub fn capacity_line(values: Vec<f64>) -> DailyLine {
    DailyLine { values, label: CAPACITY_LABEL.into(), colour: colours::CAPACITY, dashed: false }
}

/// A line that changes by day (core beds that change by date, core plus open
/// escalation beds), drawn as steps.
pub struct DailyLine {
    /// One value per reported day, in displayed units.
    pub values: Vec<f64>,
    /// Legend text.
    pub label: String,
    /// Line colour.
    pub colour: RGBColor,
    /// Dashed for a threshold, solid for a limit.
    pub dashed: bool,
}

/// A second fan drawn above a daily line: patients waiting for a bed on top
/// of the beds they wait for, so a full pool with a queue shows its queue.
pub struct Above<'a> {
    /// The line the band sits on, one value per reported day.
    pub base: Vec<f64>,
    /// The quantity stacked on it, summarised across replications per day.
    pub days: &'a [Summary],
}

/// A shaded range of reported days [from, to), with a label drawn on it.
pub struct Shade {
    /// First shaded day, counted from the panel's start (0 = `start`).
    pub from: f64,
    /// Day after the last shaded one, counted the same way.
    pub to: f64,
    /// Text drawn along the top; empty for none (holidays inside the Christmas fortnight).
    pub label: String,
    /// Fill colour (drawn at 80% opacity).
    pub colour: RGBColor,
    /// Legend entry (only the first shade of each kind needs one).
    pub legend: Option<String>,
}

/// One fan chart of a daily series across replications: P10-P90 and P25-P75 bands, median, reference lines and shaded
/// dates.
pub struct FanPanel<'a> {
    /// Panel caption (e.g. the pool's name).
    pub title: String,
    /// Y axis title, with its units (e.g. beds occupied at midnight).
    pub y_label: String,
    /// Date of the first entry of `days` (the first reported day).
    pub start: NaiveDate,
    /// One summary across replications per reported day.
    pub days: &'a [Summary],
    /// Multiplies every value (e.g. 100 for percentages).
    pub scale: f64,
    /// Horizontal lines (core beds, 92%, a standard), in displayed units.
    pub references: Vec<Reference>,
    /// Lines that change by day, drawn as steps.
    pub lines: Vec<DailyLine>,
    /// Patients waiting, stacked above a daily line (P10-P90 band and median).
    pub above: Option<Above<'a>>,
    /// Shaded date ranges (bank holidays, Christmas fortnight), drawn under the data.
    pub shades: Vec<Shade>,
    /// Force the y axis to include these values.
    pub y_include: Vec<f64>,
    /// Appended to y tick labels (e.g. "%").
    pub y_suffix: &'static str,
}

/// An x axis of reported days (0 = `start`) labelled "1 Dec", "15 Dec"...
pub struct DateAxis {
    inner: plotters::coord::types::RangedCoordf64,
    ticks: Vec<f64>,
    start: NaiveDate,
}

impl DateAxis {
    /// An axis over `days` reported days from `start`, ticked by [`date_ticks`].
    pub fn new(start: NaiveDate, days: usize) -> DateAxis {
        let last = (days.max(2) - 1) as f64;
        DateAxis { inner: (-0.5..last + 0.5).into(), ticks: date_ticks(start, days), start }
    }
}

impl plotters::coord::ranged1d::Ranged for DateAxis {
    type FormatOption = plotters::coord::ranged1d::NoDefaultFormatting;
    type ValueType = f64;
    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        self.inner.map(value, limit)
    }
    fn key_points<H: plotters::coord::ranged1d::KeyPointHint>(&self, hint: H) -> Vec<f64> {
        let max = hint.max_num_points().max(1);
        let step = self.ticks.len().div_ceil(max).max(1);
        self.ticks.iter().step_by(step).copied().collect()
    }
    fn range(&self) -> std::ops::Range<f64> {
        self.inner.range()
    }
}

impl plotters::coord::ranged1d::ValueFormatter<f64> for DateAxis {
    fn format_ext(&self, value: &f64) -> String {
        date_label(self.start, *value)
    }
}

/// A chart over reported dates with bedflow's look: title, date axis,
/// y axis labelled with `y_suffix`, light horizontal grid.
#[allow(clippy::too_many_arguments)]
pub fn date_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    y_suffix: &str,
    start: NaiveDate,
    days: usize,
    y: std::ops::Range<f64>,
    plot: &'static str,
) -> Result<ChartContext<'a, DB, Cartesian2d<DateAxis, plotters::coord::types::RangedCoordf64>>, PlotError> {
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 24).into_font().style(FontStyle::Bold))
        .margin(12)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(DateAxis::new(start, days), y)
        .map_err(fail(plot))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .y_labels(8)
        .y_max_light_lines(1)
        .light_line_style(RGBColor(240, 240, 240))
        .y_label_formatter(&|y| format!("{y:.0}{y_suffix}"))
        .x_desc("Date")
        .y_desc(y_label)
        .axis_desc_style((FONT, 18))
        .label_style((FONT, 15))
        .draw()
        .map_err(fail(plot))?;
    Ok(chart)
}

/// Tick positions: the 1st and 15th of each month; for a zoomed period (up
/// to 20 days) every day or every other day; for short periods (up to
/// nine weeks) every Monday, and the 1st of a month unless a Monday is within
/// two days of it (their labels would overlap); for long ones (over 13
/// months) the 1st.
pub fn date_ticks(start: NaiveDate, days: usize) -> Vec<f64> {
    let date = |d: usize| start + chrono::Days::new(d as u64);
    // A zoomed chart (a holiday period): every day up to 10 days, every
    // other day up to 20, so each day can be found without counting.
    if days <= 20 {
        let step = if days <= 10 { 1 } else { 2 };
        return (0..days).step_by(step).map(|d| d as f64).collect();
    }
    if days <= 63 {
        let monday = |d: usize| date(d).weekday() == chrono::Weekday::Mon;
        return (0..days)
            .filter(|&d| monday(d) || (date(d).day() == 1 && !(d.saturating_sub(2)..(d + 3).min(days)).any(monday)))
            .map(|d| d as f64)
            .collect();
    }
    (0..days)
        .filter(|&d| if days > 400 { date(d).day() == 1 } else { date(d).day() == 1 || date(d).day() == 15 })
        .map(|d| d as f64)
        .collect()
}

/// One entry of a figure's legend.
pub enum Swatch {
    /// A filled band: its colour and label.
    Band(RGBColor, String),
    /// A line: its colour, whether it is dashed, and its label.
    Line(RGBColor, bool, String),
}

/// The legend entries of a fan panel with these references and shades.
pub fn fan_legend(references: &[Reference], shades: &[Shade]) -> Vec<Swatch> {
    let mut v = Vec::new();
    for s in shades.iter().filter(|s| s.legend.is_some()) {
        v.push(Swatch::Band(s.colour, s.legend.clone().unwrap_or_default()));
    }
    v.push(Swatch::Band(colours::BAND_OUTER, "P10-P90 of replications".into()));
    v.push(Swatch::Band(colours::BAND_INNER, "P25-P75".into()));
    v.push(Swatch::Line(colours::DARK_BLUE, false, "Median".into()));
    for r in references {
        v.push(Swatch::Line(r.colour, r.dashed, r.label.clone()));
    }
    v
}

/// Draws a legend as one centred row across `area` (a strip below the panels),
/// so it never hides data.
pub fn legend_strip<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    entries: &[Swatch],
    plot: &'static str,
) -> Result<(), PlotError> {
    let font: TextStyle = (FONT, 17).into_font().into();
    let (w, h) = area.dim_in_pixel();
    let swatch = 26i32;
    let gap = 30i32;
    let widths: Vec<i32> = entries
        .iter()
        .map(|e| {
            let label = match e {
                Swatch::Band(_, l) | Swatch::Line(_, _, l) => l,
            };
            area.estimate_text_size(label, &font).map(|(tw, _)| tw as i32 + swatch + 8).map_err(fail(plot))
        })
        .collect::<Result<_, _>>()?;
    // One row if it fits, else two (a figure with many kinds of line).
    let row_width = |ws: &[i32]| ws.iter().sum::<i32>() + gap * (ws.len() as i32 - 1).max(0);
    let split = if row_width(&widths) <= w as i32 - 8 { entries.len() } else { entries.len().div_ceil(2) };
    let rows: Vec<(std::ops::Range<usize>, i32)> = if split == entries.len() {
        vec![(0..split, h as i32 / 2)]
    } else {
        vec![(0..split, h as i32 / 4), (split..entries.len(), 3 * h as i32 / 4)]
    };
    for (range, y) in rows {
        let mut x = ((w as i32 - row_width(&widths[range.clone()])) / 2).max(4);
        for (e, &width) in entries[range.clone()].iter().zip(&widths[range]) {
            let (label, drawn) = match e {
                Swatch::Band(c, l) => (l, area.draw(&Rectangle::new([(x, y - 9), (x + swatch, y + 9)], c.filled()))),
                Swatch::Line(c, dashed, l) => {
                    let style = c.stroke_width(3);
                    let r = if *dashed {
                        area.draw(&PathElement::new(vec![(x, y), (x + 10, y)], style))
                            .and_then(|_| area.draw(&PathElement::new(vec![(x + 16, y), (x + swatch, y)], style)))
                    } else {
                        area.draw(&PathElement::new(vec![(x, y), (x + swatch, y)], style))
                    };
                    (l, r)
                }
            };
            drawn.map_err(fail(plot))?;
            area.draw(&Text::new(label.clone(), (x + swatch + 8, y), font.pos(Pos::new(HPos::Left, VPos::Center))))
                .map_err(fail(plot))?;
            x += width + gap;
        }
    }
    Ok(())
}

/// Tick label of reported day `x` counted from `start`, e.g. "15 Dec".
pub fn date_label(start: NaiveDate, x: f64) -> String {
    let date = start + chrono::Days::new(x.max(0.0).round() as u64);
    date.format("%-d %b").to_string()
}

impl FanPanel<'_> {
    /// Draws the panel into `area`; a plotters failure becomes a [`PlotError`] naming `plot`.
    pub fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>, plot: &'static str) -> Result<(), PlotError> {
        let n = self.days.len();
        let v = |x: f64| x * self.scale;
        let finite = |x: &f64| x.is_finite();
        let lows = self.days.iter().map(|s| v(s.p10)).filter(finite);
        let highs = self.days.iter().map(|s| v(s.p90)).filter(finite);
        let mut lo = lows.chain(self.y_include.iter().copied()).fold(f64::INFINITY, f64::min);
        let stacked = self.above.iter().flat_map(|a| a.base.iter().zip(a.days).map(|(b, s)| b + v(s.p90)));
        let mut hi = highs
            .chain(self.y_include.iter().copied())
            .chain(self.references.iter().map(|r| r.value))
            .chain(self.lines.iter().flat_map(|l| l.values.iter().copied()))
            .chain(stacked)
            .filter(finite)
            .fold(f64::NEG_INFINITY, f64::max);
        lo = self.lines.iter().flat_map(|l| l.values.iter().copied()).filter(finite).fold(lo, f64::min);
        if !lo.is_finite() || !hi.is_finite() {
            (lo, hi) = (0.0, 1.0);
        }
        let pad = ((hi - lo) * 0.08).max(1e-9);
        let (y0, y1) = ((lo - pad).max(if lo >= 0.0 { 0.0 } else { f64::NEG_INFINITY }), hi + pad * 2.5);
        let mut chart = date_chart(area, &self.title, &self.y_label, self.y_suffix, self.start, n, y0..y1, plot)?;

        for shade in &self.shades {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(shade.from - 0.5, y0), (shade.to - 0.5, y1)],
                    shade.colour.mix(0.8).filled(),
                )))
                .map_err(fail(plot))?;
        }
        let band = |lo: fn(&Summary) -> f64, hi: fn(&Summary) -> f64| {
            let mut pts: Vec<(f64, f64)> = Vec::with_capacity(2 * n);
            pts.extend(
                self.days.iter().enumerate().filter(|(_, s)| hi(s).is_finite()).map(|(i, s)| (i as f64, v(hi(s)))),
            );
            pts.extend(
                self.days
                    .iter()
                    .enumerate()
                    .rev()
                    .filter(|(_, s)| lo(s).is_finite())
                    .map(|(i, s)| (i as f64, v(lo(s)))),
            );
            pts
        };
        chart
            .draw_series(std::iter::once(Polygon::new(band(|s| s.p10, |s| s.p90), colours::BAND_OUTER.filled())))
            .map_err(fail(plot))?;
        chart
            .draw_series(std::iter::once(Polygon::new(band(|s| s.p25, |s| s.p75), colours::BAND_INNER.filled())))
            .map_err(fail(plot))?;
        chart
            .draw_series(LineSeries::new(
                self.days.iter().enumerate().filter(|(_, s)| s.p50.is_finite()).map(|(i, s)| (i as f64, v(s.p50))),
                colours::DARK_BLUE.stroke_width(2),
            ))
            .map_err(fail(plot))?;
        if let Some(a) = &self.above {
            let on = |f: fn(&Summary) -> f64| -> Vec<(f64, f64)> {
                a.base.iter().zip(a.days).enumerate().map(|(i, (b, s))| (i as f64, b + v(f(s)))).collect()
            };
            let (top, bottom) = (on(|s| s.p90), on(|s| s.p10));
            if top.iter().zip(&bottom).any(|(t, b)| t.1 > b.1) || a.days.iter().any(|s| s.p50 > 0.0) {
                let mut pts = steps(&top);
                pts.extend(steps(&bottom).into_iter().rev());
                chart
                    .draw_series(std::iter::once(Polygon::new(pts, colours::WAITING.mix(0.45).filled())))
                    .map_err(fail(plot))?;
                chart
                    .draw_series(LineSeries::new(steps(&on(|s| s.p50)), colours::WAITING.stroke_width(2)))
                    .map_err(fail(plot))?;
            }
        }
        for l in &self.lines {
            let pts: Vec<(f64, f64)> = l.values.iter().enumerate().map(|(i, &y)| (i as f64, y)).collect();
            let style = l.colour.stroke_width(2);
            if l.dashed {
                chart.draw_series(DashedLineSeries::new(steps(&pts), 8, 5, style)).map_err(fail(plot))?;
            } else {
                chart.draw_series(LineSeries::new(steps(&pts), style)).map_err(fail(plot))?;
            }
        }
        let x_end = (n.max(1) - 1) as f64;
        for r in &self.references {
            let style = r.colour.stroke_width(2);
            let line = [(0.0, r.value), (x_end, r.value)];
            if r.dashed {
                chart.draw_series(DashedLineSeries::new(line, 8, 5, style)).map_err(fail(plot))?;
            } else {
                chart.draw_series(LineSeries::new(line, style)).map_err(fail(plot))?;
            }
        }
        // Shade labels along the top, alternating rows so neighbours do not collide.
        // Labels near the right edge are anchored on their right so they stay inside.
        // A label wider than its shade (the Christmas-New Year fortnight on a
        // winter's axis) is written inside it on two lines, split at its
        // hyphen, and left to the legend if even that does not fit.
        let font = (FONT, 14).into_font();
        let measure: TextStyle = font.clone().into();
        let px_per_day = f64::from(chart.plotting_area().dim_in_pixel().0) / n.max(1) as f64;
        let mut row = 0;
        for shade in self.shades.iter().filter(|s| !s.label.is_empty()) {
            let width = (shade.to - shade.from) * px_per_day;
            let fits = |t: &str| area.estimate_text_size(t, &measure).map(|(w, _)| f64::from(w) <= width + 2.0);
            let wide = shade.to - shade.from > 1.0;
            let lines: Vec<String> = if !wide || fits(&shade.label).map_err(fail(plot))? {
                vec![shade.label.clone()]
            } else {
                let parts: Vec<String> = shade.label.split('-').map(str::to_string).collect();
                let mut ok = parts.len() > 1;
                for p in &parts {
                    ok &= fits(p).map_err(fail(plot))?;
                }
                if ok { parts } else { Vec::new() }
            };
            let right = shade.from > 0.75 * n as f64;
            let (x, anchor) = if wide {
                ((shade.from + shade.to) / 2.0 - 0.5, Pos::new(HPos::Center, VPos::Top))
            } else if right {
                (shade.from - 0.8, Pos::new(HPos::Right, VPos::Top))
            } else {
                (shade.from - 0.3, Pos::new(HPos::Left, VPos::Top))
            };
            let style = font.clone().color(&colours::TEXT_GREY).pos(anchor);
            for (k, line) in lines.iter().enumerate() {
                let y = y1 - (y1 - y0) * (0.03 + 0.05 * (f64::from(row) + k as f64));
                chart
                    .draw_series(std::iter::once(Text::new(line.clone(), (x, y), style.clone())))
                    .map_err(fail(plot))?;
            }
            if !wide {
                row = (row + 1) % 2;
            }
        }
        Ok(())
    }
}

/// Points of a daily series as steps: each day's value held from half a day
/// before to half a day after it, so a dated change shows as a step.
fn steps(pts: &[(f64, f64)]) -> Vec<(f64, f64)> {
    let mut out = Vec::with_capacity(2 * pts.len());
    for &(x, y) in pts {
        out.push((x - 0.5, y));
        out.push((x + 0.5, y));
    }
    out
}

/// Shading for bank holidays in the reported period and for each
/// Christmas-New Year fortnight (24 December to 6 January), which planners
/// treat as one period. Bank holidays inside the fortnight are shaded but not
/// labelled, so the labels stay readable.
pub fn calendar_shades(model: &crate::model::Model) -> Vec<Shade> {
    let day = |d: NaiveDate| (d - model.start).num_days() as f64;
    let last = day(model.end) + 1.0;
    let mut shades = Vec::new();
    let mut festive = Vec::new();
    for year in model.start.year() - 1..=model.end.year() {
        let (Some(from), Some(to)) = (NaiveDate::from_ymd_opt(year, 12, 24), NaiveDate::from_ymd_opt(year + 1, 1, 7))
        else {
            continue;
        };
        let (a, b) = (day(from).max(0.0), day(to).min(last));
        if b > a {
            festive.push((from, to));
            shades.push(Shade {
                from: a,
                to: b,
                label: "Christmas-New Year".into(),
                colour: colours::FESTIVE,
                legend: None,
            });
        }
    }
    for h in model.calendar.holidays.iter().filter(|h| h.date >= model.start && h.date <= model.end) {
        let in_festive = festive.iter().any(|(a, b)| h.date >= *a && h.date < *b);
        let d = day(h.date);
        shades.push(Shade {
            from: d,
            to: d + 1.0,
            label: if in_festive { String::new() } else { h.title.clone() },
            colour: colours::GREY,
            legend: None,
        });
    }
    if let Some(s) = shades.iter_mut().find(|s| s.colour == colours::FESTIVE) {
        s.legend = Some("Christmas-New Year fortnight".into());
    }
    if let Some(s) = shades.iter_mut().find(|s| s.colour == colours::GREY) {
        s.legend = Some("Bank holiday".into());
    }
    shades
}
