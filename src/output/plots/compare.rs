//! `comparison`: trust-wide midnight occupancy and ED 4-hour performance of
//! several scenarios overlaid (P10-P90 band and median each), and `sweep`:
//! KPIs against a swept value with 95% confidence intervals.

use super::fan::{Swatch, date_chart, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::summary::Summary;
use chrono::NaiveDate;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One scenario's daily series for the overlay.
pub struct Overlay<'a> {
    /// Scenario name, for the legend.
    pub name: String,
    /// Trust-wide midnight occupancy, one summary across replications per reported day.
    pub occupancy: &'a [Summary],
    /// Daily ED 4-hour performance (share 0-1); `None` for a scenario without an ED.
    pub ed: Option<&'a [Summary]>,
}

/// The `comparison` figure: trust-wide midnight occupancy of several scenarios overlaid, and ED 4-hour performance when
/// every scenario has an ED.
pub struct Comparison<'a> {
    /// Figure title (the base scenario, replications).
    pub title: String,
    /// First reported day (the base scenario's).
    pub start: NaiveDate,
    /// The base first, then each alternative; colours follow this order.
    pub scenarios: Vec<Overlay<'a>>,
}

pub(crate) const COMPARISON: &str = "comparison";

fn overlay_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y_label: &str,
    start: NaiveDate,
    series: &[(&[Summary], RGBColor)],
    scale: f64,
    suffix: &str,
) -> Result<(), PlotError> {
    let n = series.iter().map(|(s, _)| s.len()).max().unwrap_or(1);
    let vals = series.iter().flat_map(|(s, _)| s.iter().flat_map(|x| [x.p10, x.p90])).filter(|x| x.is_finite());
    let (lo, hi) = vals.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), x| (a.min(x * scale), b.max(x * scale)));
    let (lo, hi) = if lo.is_finite() { (lo, hi) } else { (0.0, 1.0) };
    let pad = ((hi - lo) * 0.08).max(1e-6);
    let mut chart = date_chart(area, title, y_label, suffix, start, n, lo - pad..hi + pad, COMPARISON)?;
    for (s, colour) in series {
        let mut pts: Vec<(f64, f64)> =
            s.iter().enumerate().filter(|(_, x)| x.p90.is_finite()).map(|(i, x)| (i as f64, x.p90 * scale)).collect();
        pts.extend(
            s.iter().enumerate().rev().filter(|(_, x)| x.p10.is_finite()).map(|(i, x)| (i as f64, x.p10 * scale)),
        );
        chart.draw_series(std::iter::once(Polygon::new(pts, colour.mix(0.18).filled()))).map_err(fail(COMPARISON))?;
    }
    for (s, colour) in series {
        chart
            .draw_series(LineSeries::new(
                s.iter().enumerate().filter(|(_, x)| x.p50.is_finite()).map(|(i, x)| (i as f64, x.p50 * scale)),
                colour.stroke_width(3),
            ))
            .map_err(fail(COMPARISON))?;
    }
    Ok(())
}

impl Figure for Comparison<'_> {
    fn name(&self) -> &'static str {
        COMPARISON
    }
    fn size(&self) -> (u32, u32) {
        (1800, if self.scenarios.iter().all(|s| s.ed.is_some()) { 1250 } else { 700 })
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = root.titled(&self.title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(COMPARISON))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let colour = |i: usize| colours::SERIES[i % colours::SERIES.len()];
        let mut legend: Vec<Swatch> = self
            .scenarios
            .iter()
            .enumerate()
            .map(|(i, s)| Swatch::Line(colour(i), false, format!("{} (median)", s.name)))
            .collect();
        legend.push(Swatch::Band(RGBColor(200, 200, 200), "Shaded: P10-P90 of replications".into()));
        legend_strip(&strip, &legend, COMPARISON)?;
        let occ: Vec<(&[Summary], RGBColor)> =
            self.scenarios.iter().enumerate().map(|(i, s)| (s.occupancy, colour(i))).collect();
        let ed: Option<Vec<(&[Summary], RGBColor)>> =
            self.scenarios.iter().enumerate().map(|(i, s)| s.ed.map(|e| (e, colour(i)))).collect();
        match ed {
            Some(ed) => {
                let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);
                overlay_panel(
                    &top,
                    "Trust-wide beds occupied at midnight",
                    "Beds occupied",
                    self.start,
                    &occ,
                    1.0,
                    "",
                )?;
                overlay_panel(
                    &bottom,
                    "ED attendances within 4 hours",
                    "Within 4 hours (%)",
                    self.start,
                    &ed,
                    100.0,
                    "%",
                )
            }
            None => {
                overlay_panel(&body, "Trust-wide beds occupied at midnight", "Beds occupied", self.start, &occ, 1.0, "")
            }
        }
    }
}

/// A KPI against the swept value.
pub struct SweepPanel {
    /// Panel caption: the KPI and its scope (a pool or the trust).
    pub title: String,
    /// (swept value, the KPI across replications at that value), in sweep order.
    pub points: Vec<(f64, Summary)>,
    /// `--target` threshold on this KPI, in its own units, drawn as a dashed line.
    pub target: Option<f64>,
    /// The KPI is a share (0-1), drawn as a percentage.
    pub percent: bool,
}

/// The `sweep` figure: KPIs against the swept value (mean with 95% CI, P10-P90 band).
pub struct Sweep {
    /// Figure title (the scenario and the swept field).
    pub title: String,
    /// X axis title: the swept field's path (e.g. `pool.medicine.beds`).
    pub x_label: String,
    /// Panels drawn 2 x 2; a fifth and later are not drawn.
    pub panels: Vec<SweepPanel>,
}

pub(crate) const SWEEP: &str = "sweep";

impl Figure for Sweep {
    fn name(&self) -> &'static str {
        SWEEP
    }
    fn size(&self) -> (u32, u32) {
        (1800, 1200)
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = root.titled(&self.title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(SWEEP))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        legend_strip(
            &strip,
            &[
                Swatch::Line(colours::DARK_BLUE, false, "Mean with 95% CI".into()),
                Swatch::Band(colours::BAND_OUTER, "P10-P90 of replications".into()),
                Swatch::Line(colours::RED, true, "Target".into()),
            ],
            SWEEP,
        )?;
        let areas = body.split_evenly((2, 2));
        for (p, area) in self.panels.iter().zip(areas.iter()) {
            let scale = if p.percent { 100.0 } else { 1.0 };
            let xs: Vec<f64> = p.points.iter().map(|(x, _)| *x).collect();
            let (x0, x1) = (xs.first().copied().unwrap_or(0.0), xs.last().copied().unwrap_or(1.0));
            let xpad = ((x1 - x0) * 0.05).max(0.5);
            let ys = p.points.iter().flat_map(|(_, s)| [s.p10, s.p90, s.ci95_low, s.ci95_high]).chain(p.target);
            let (lo, hi) =
                ys.filter(|y| y.is_finite()).fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), y| (a.min(y), b.max(y)));
            let (lo, hi) = if lo.is_finite() { (lo * scale, hi * scale) } else { (0.0, 1.0) };
            let pad = ((hi - lo) * 0.08).max(1e-6);
            let mut chart = ChartBuilder::on(area)
                .caption(&p.title, (FONT, 22).into_font().style(FontStyle::Bold))
                .margin(12)
                .x_label_area_size(44)
                .y_label_area_size(72)
                .build_cartesian_2d(x0 - xpad..x1 + xpad, (lo - pad).min(0.0f64.max(lo - pad))..hi + pad)
                .map_err(fail(SWEEP))?;
            let whole = xs.iter().all(|x| x.fract() == 0.0);
            chart
                .configure_mesh()
                .x_label_formatter(&|x| if whole { format!("{x:.0}") } else { format!("{x:.2}") })
                .x_desc(&self.x_label)
                .axis_desc_style((FONT, 17))
                .label_style((FONT, 14))
                .y_max_light_lines(1)
                .x_max_light_lines(1)
                .light_line_style(RGBColor(240, 240, 240))
                .y_label_formatter(&|y| if p.percent { format!("{y:.0}%") } else { format!("{y:.2}") })
                .draw()
                .map_err(fail(SWEEP))?;
            let mut band: Vec<(f64, f64)> =
                p.points.iter().filter(|(_, s)| s.p90.is_finite()).map(|(x, s)| (*x, s.p90 * scale)).collect();
            band.extend(p.points.iter().rev().filter(|(_, s)| s.p10.is_finite()).map(|(x, s)| (*x, s.p10 * scale)));
            chart
                .draw_series(std::iter::once(Polygon::new(band, colours::BAND_OUTER.filled())))
                .map_err(fail(SWEEP))?;
            chart
                .draw_series(LineSeries::new(
                    p.points.iter().filter(|(_, s)| s.mean.is_finite()).map(|(x, s)| (*x, s.mean * scale)),
                    colours::DARK_BLUE.stroke_width(2),
                ))
                .map_err(fail(SWEEP))?;
            for (x, s) in p.points.iter().filter(|(_, s)| s.ci95_low.is_finite()) {
                chart
                    .draw_series(std::iter::once(PathElement::new(
                        vec![(*x, s.ci95_low * scale), (*x, s.ci95_high * scale)],
                        colours::DARK_BLUE.stroke_width(2),
                    )))
                    .map_err(fail(SWEEP))?;
                chart
                    .draw_series(std::iter::once(Circle::new((*x, s.mean * scale), 4, colours::DARK_BLUE.filled())))
                    .map_err(fail(SWEEP))?;
            }
            if let Some(t) = p.target {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x0 - xpad, t * scale), (x1 + xpad, t * scale)],
                        8,
                        5,
                        colours::RED.stroke_width(2),
                    ))
                    .map_err(fail(SWEEP))?;
            }
        }
        Ok(())
    }
}
