//! `comparison`: each plan's paired difference from the base on the
//! measures that separate plans (forest-plot style), and `sweep`: KPIs
//! against a swept value with 95% confidence intervals.

use super::fan::{Swatch, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::summary::Summary;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One plan's paired difference on one measure.
pub struct ForestRow {
    /// Mean difference, plan minus base, in the panel's units.
    pub mean: f64,
    /// 95% CI of the mean difference.
    pub low: f64,
    /// Upper end of that CI.
    pub high: f64,
    /// The difference as the table writes it (e.g. "-721", "-£230,702").
    pub label: String,
}

/// One measure: each plan's difference from the base, in rank order.
pub struct ForestPanel {
    /// The measure and which way is better, e.g. "12-hour waits from decision to admit (fewer is better)".
    pub title: String,
    /// The x axis: the difference and its unit.
    pub x_label: String,
    /// One row per plan, in [`Forest::plans`] order (`None`: the plan lacks the measure).
    pub rows: Vec<Option<ForestRow>>,
}

/// The `comparison` figure: for each measure that separates plans (12-hour
/// waits, 4-hour performance, escalation, plan and net cost,
/// cancellations), each plan's paired difference from the base, a point at
/// the mean and a bar for its 95% CI, against a line at no difference
/// (forest-plot style). Plans are rows in rank order, one colour each.
pub struct Forest {
    /// Figure title (the base scenario, replications).
    pub title: String,
    /// Plan labels, in rank order.
    pub plans: Vec<String>,
    /// Panels drawn two a row.
    pub panels: Vec<ForestPanel>,
}

pub(crate) const COMPARISON: &str = "comparison";

/// Colour of the plan ranked `i` (see [`colours::SERIES`]).
fn plan_colour(i: usize) -> RGBColor {
    colours::SERIES[i % colours::SERIES.len()]
}

fn forest_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    panel: &ForestPanel,
    plans: &[String],
) -> Result<(), PlotError> {
    let ends = panel.rows.iter().flatten().flat_map(|r| [r.low, r.high, r.mean]).filter(|x| x.is_finite());
    let (lo, hi) = ends.fold((0.0f64, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    // Every difference exactly 0 (a plan cost no plan has): an axis of -1
    // to 1 around the zero line, not one of width 1e-9 whose every tick reads "0.0".
    let (lo, hi) = if hi - lo > 1e-9 { (lo, hi) } else { (-1.0, 1.0) };
    let pad = (hi - lo) * 0.12;
    if plans.is_empty() {
        return Ok(());
    }
    // Plan i (rank i + 1) sits at y = n - 1 - i, rank 1 at the top; the
    // axis runs from -0.5 to n - 0.5 so every row has the same room.
    let n = plans.len();
    let top = n as f64 - 0.5;
    let label_of = |y: &f64| {
        let k = y.round();
        if (y - k).abs() < 1e-6 && k >= 0.0 && (k as usize) < n {
            plans[n - 1 - k as usize].clone()
        } else {
            String::new()
        }
    };
    let widest = plans.iter().map(|p| p.chars().count()).max().unwrap_or(4) as u32;
    let mut chart = ChartBuilder::on(area)
        .caption(&panel.title, (FONT, 22).into_font().style(FontStyle::Bold))
        .margin(14)
        .x_label_area_size(48)
        .y_label_area_size((widest * 9 + 16).clamp(60, 300))
        // More room on the right: each point's label is written to its right.
        .build_cartesian_2d(lo - pad..hi + 2.0 * pad, -0.5..top)
        .map_err(fail(COMPARISON))?;
    let x_decimals = if (hi - lo) < 10.0 { 1 } else { 0 };
    chart
        .configure_mesh()
        .disable_y_mesh()
        .x_labels(7)
        .x_max_light_lines(1)
        .light_line_style(RGBColor(245, 245, 245))
        .y_labels(0)
        .x_label_formatter(&|x| super::super::format::group_thousands(&super::super::format::fixed(*x, x_decimals)))
        .x_desc(panel.x_label.as_str())
        .axis_desc_style((FONT, 17))
        .label_style((FONT, 16))
        .draw()
        .map_err(fail(COMPARISON))?;
    // Plan names at the left of their rows (drawn here: a mesh's own labels
    // land on round numbers, not on every row).
    let name_style = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Right, VPos::Center));
    for k in 0..n {
        let y = k as f64;
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((lo - pad, y)) + Text::new(label_of(&y), (-10, 0), name_style.clone()),
            ))
            .map_err(fail(COMPARISON))?;
    }
    // No difference: a line at 0 through every row.
    chart
        .draw_series(std::iter::once(PathElement::new(
            vec![(0.0, -0.5), (0.0, top)],
            colours::TEXT_GREY.stroke_width(2),
        )))
        .map_err(fail(COMPARISON))?;
    for (i, row) in panel.rows.iter().enumerate() {
        let Some(r) = row else { continue };
        let y = (n - 1 - i) as f64;
        let c = plan_colour(i);
        if r.low.is_finite() && r.high.is_finite() {
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(r.low, y), (r.high, y)], c.stroke_width(5))))
                .map_err(fail(COMPARISON))?;
        }
        if r.mean.is_finite() {
            chart.draw_series(std::iter::once(Circle::new((r.mean, y), 9, c.filled()))).map_err(fail(COMPARISON))?;
            let style = TextStyle::from((FONT, 17).into_font())
                .color(&colours::TEXT_GREY)
                .pos(Pos::new(HPos::Left, VPos::Bottom));
            // Above and to the right of the point, clear of the line at 0.
            chart
                .draw_series(std::iter::once(
                    EmptyElement::at((r.mean, y)) + Text::new(r.label.clone(), (8, -12), style),
                ))
                .map_err(fail(COMPARISON))?;
        }
    }
    Ok(())
}

impl Figure for Forest {
    fn name(&self) -> &'static str {
        COMPARISON
    }
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(2).max(1) as u32;
        (1800, 110 + rows * (150 + 70 * self.plans.len().max(1) as u32).max(260))
    }
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let body = root.titled(&self.title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(COMPARISON))?;
        let rows = self.panels.len().div_ceil(2).max(1);
        let areas = body.split_evenly((rows, 2));
        for (panel, area) in self.panels.iter().zip(&areas) {
            forest_panel(area, panel, &self.plans)?;
        }
        Ok(())
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
    /// The KPI is money, drawn in thousands of pounds.
    pub money: bool,
    /// Decimals of the y axis labels (0 for counts).
    pub decimals: usize,
}

/// The `sweep` figure: KPIs against the swept value (mean with 95% CI, P10-P90 band).
pub struct Sweep {
    /// Figure title (the scenario and the swept field).
    pub title: String,
    /// X axis title: the swept field's path (e.g. `pool.medicine.beds`).
    pub x_label: String,
    /// Panels drawn 2 x 2; a fifth and later are not drawn.
    pub panels: Vec<SweepPanel>,
    /// The value the target search chose (smallest meeting it by its
    /// mean), marked on every panel.
    pub chosen: Option<f64>,
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
                Swatch::Line(colours::GREEN, true, "Smallest value meeting the target (mean)".into()),
            ][..if self.chosen.is_some() { 4 } else { 3 }],
            SWEEP,
        )?;
        let areas = body.split_evenly((2, 2));
        for (p, area) in self.panels.iter().zip(areas.iter()) {
            let scale = if p.percent {
                100.0
            } else if p.money {
                0.001
            } else {
                1.0
            };
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
                .y_label_formatter(&|y| {
                    let text = crate::output::format::group_thousands(&crate::output::format::fixed(*y, p.decimals));
                    if p.percent {
                        format!("{}%", crate::output::format::fixed(*y, 0))
                    } else if p.money {
                        format!("£{text}k")
                    } else {
                        text
                    }
                })
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
            if let Some(x) = self.chosen {
                chart
                    .draw_series(DashedLineSeries::new(
                        [(x, lo - pad), (x, hi + pad)],
                        8,
                        5,
                        colours::GREEN.stroke_width(3),
                    ))
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
