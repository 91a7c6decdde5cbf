//! `escalation`: escalation beds open (fan over dates), the distribution of
//! the winter's escalation cost across replications with P50 and P90 marked,
//! and the days spent at each OPEL level.

use super::fan::{DailyLine, FanPanel, Reference, Swatch, calendar_shades, fan_legend, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use crate::summary::percentile_sorted;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// The `escalation` figure: escalation beds open (fan), the distribution of the winter's escalation cost with P50 and
/// P90, and days at each OPEL level.
pub struct EscalationFigure<'a> {
    /// The scenario (its pools' escalation rules, OPEL and dates).
    pub model: &'a Model,
    /// Summaries of the run, whose daily escalation and OPEL series are plotted.
    pub sums: &'a Summaries,
    /// Trust-wide escalation cost of each replication, GBP.
    pub costs: &'a [f64],
}

pub(crate) const NAME: &str = "escalation";

fn gbp_k(x: f64) -> String {
    if x.abs() >= 1e6 { format!("£{:.2}m", x / 1e6) } else { format!("£{:.0}k", x / 1e3) }
}

impl EscalationFigure<'_> {
    fn histogram<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let mut v: Vec<f64> = self.costs.iter().copied().filter(|x| x.is_finite()).collect();
        v.sort_by(f64::total_cmp);
        let (lo, hi) = (v.first().copied().unwrap_or(0.0), v.last().copied().unwrap_or(1.0));
        let bins = 20usize;
        let width = ((hi - lo) / bins as f64).max(1.0);
        let mut counts = vec![0u32; bins];
        for x in &v {
            counts[(((x - lo) / width) as usize).min(bins - 1)] += 1;
        }
        let top = f64::from(counts.iter().copied().max().unwrap_or(1)) * 1.25;
        let mut chart = ChartBuilder::on(area)
            .caption(
                "Escalation cost of the winter, across replications",
                (FONT, 24).into_font().style(FontStyle::Bold),
            )
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(lo - width..lo + width * (bins as f64 + 1.0), 0.0..top.max(1.0))
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .y_max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .x_desc("Trust-wide escalation cost (GBP)")
            .y_desc("Replications")
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .x_label_formatter(&|x| gbp_k(*x))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()
            .map_err(fail(NAME))?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &c)| {
                let x0 = lo + i as f64 * width;
                Rectangle::new([(x0, 0.0), (x0 + width * 0.92, f64::from(c))], colours::BAND_INNER.filled())
            }))
            .map_err(fail(NAME))?;
        for (p, label, colour) in [(0.5, "P50", colours::DARK_BLUE), (0.9, "P90", colours::RED)] {
            let x = percentile_sorted(&v, p);
            chart
                .draw_series(DashedLineSeries::new([(x, 0.0), (x, top * 0.92)], 8, 5, colour.stroke_width(3)))
                .map_err(fail(NAME))?;
            let style =
                TextStyle::from((FONT, 17).into_font()).color(&colour).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart
                .draw_series(std::iter::once(Text::new(format!("{label} {}", gbp_k(x)), (x, top * 0.97), style)))
                .map_err(fail(NAME))?;
        }
        Ok(())
    }

    fn opel<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let levels: Vec<(usize, f64, f64, f64)> =
            [Metric::Opel1Days, Metric::Opel2Days, Metric::Opel3Days, Metric::Opel4Days]
                .iter()
                .enumerate()
                .filter_map(|(i, &m)| self.sums.get(m, None).map(|s| (i + 1, s.mean, s.p10, s.p90)))
                .collect();
        let top = levels.iter().map(|l| l.3).fold(1.0, f64::max) * 1.15;
        let mut chart = ChartBuilder::on(area)
            .caption("Days at each OPEL level (mean, P10-P90)", (FONT, 24).into_font().style(FontStyle::Bold))
            .margin(12)
            .x_label_area_size(44)
            .y_label_area_size(60)
            .build_cartesian_2d(0.4..4.6, 0.0..top)
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(4)
            .y_max_light_lines(1)
            .light_line_style(RGBColor(240, 240, 240))
            .x_label_formatter(&|x: &f64| format!("OPEL {}", x.round()))
            .x_desc("Level")
            .y_desc("Days")
            .axis_desc_style((FONT, 18))
            .label_style((FONT, 15))
            .y_label_formatter(&|y| format!("{y:.0}"))
            .draw()
            .map_err(fail(NAME))?;
        let shade = [colours::GREEN, colours::ORANGE, RGBColor(230, 90, 20), colours::RED];
        for (level, mean, p10, p90) in &levels {
            let x = *level as f64;
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(x - 0.3, 0.0), (x + 0.3, *mean)],
                    shade[level - 1].filled(),
                )))
                .map_err(fail(NAME))?;
            chart
                .draw_series(std::iter::once(PathElement::new(vec![(x, *p10), (x, *p90)], BLACK.stroke_width(2))))
                .map_err(fail(NAME))?;
            let style = TextStyle::from((FONT, 16).into_font()).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart
                .draw_series(std::iter::once(Text::new(format!("{mean:.0}"), (x + 0.12, mean + top * 0.01), style)))
                .map_err(fail(NAME))?;
        }
        Ok(())
    }
}

impl Figure for EscalationFigure<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 1300)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let title = format!("{}: escalation beds, cost and OPEL, {} replications", m.name, self.sums.replications);
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);
        let (top, strip) = top.split_vertically(top.dim_in_pixel().1 - 50);
        let open = self
            .sums
            .series(Metric::EscalationBedsOpen, None)
            .ok_or_else(|| PlotError::new(NAME, "no escalation results"))?;
        let max: u32 = m.pools.iter().filter_map(|p| p.escalation.as_ref().map(|e| e.max_beds)).sum();
        let refs = vec![Reference {
            value: f64::from(max),
            label: "Maximum escalation beds".into(),
            colour: colours::RED,
            dashed: true,
        }];
        let shades = calendar_shades(m);
        // The mean beds open: steps of a bay at a time make the median jump
        // between levels (0 one day, a whole bay the next) where the mean
        // moves smoothly with the share of winters that opened it.
        let mean = DailyLine {
            values: open.iter().map(|s| if s.mean.is_finite() { s.mean } else { 0.0 }).collect(),
            label: "Mean".into(),
            colour: colours::ORANGE,
            dashed: false,
        };
        let mut legend = fan_legend(&refs, &shades);
        legend.push(Swatch::Line(mean.colour, false, "Mean beds open".into()));
        legend_strip(&strip, &legend, NAME)?;
        FanPanel {
            title: "Escalation beds open at midnight (all pools)".into(),
            y_label: "Escalation beds open".into(),
            start: m.start,
            days: open,
            scale: 1.0,
            references: refs,
            shades,
            y_include: vec![0.0],
            y_suffix: "",
            lines: vec![mean],
            above: None,
        }
        .draw(&top, NAME)?;
        let (left, right) = bottom.split_horizontally(bottom.dim_in_pixel().0 / 2);
        self.histogram(&left)?;
        if m.opel.is_some() {
            self.opel(&right)?;
        }
        Ok(())
    }
}
