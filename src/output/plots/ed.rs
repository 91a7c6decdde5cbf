//! `ed_performance`: daily ED 4-hour performance (fan, with the 78% interim
//! and 95% constitutional standards) and daily 12-hour waits from arrival.

use super::fan::{FanPanel, Reference, calendar_shades, fan_legend, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `ed_performance` figure: daily ED 4-hour performance against the 78% and 95% standards, and daily 12-hour stays.
pub struct EdPerformance<'a> {
    /// The scenario (its ED and dates).
    pub model: &'a Model,
    /// Summaries of the run, whose daily ED series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "ed_performance";

impl Figure for EdPerformance<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 1250)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let title = format!("{}: emergency department, {} replications", m.name, self.sums.replications);
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);
        let standards = vec![
            Reference {
                value: 95.0,
                label: "95% constitutional standard".into(),
                colour: colours::GREEN,
                dashed: true,
            },
            Reference { value: 78.0, label: "78% interim standard".into(), colour: colours::ORANGE, dashed: true },
        ];
        let shades = calendar_shades(m);
        legend_strip(&strip, &fan_legend(&standards, &shades), NAME)?;
        let (Some(perf), Some(waits)) =
            (self.sums.series(Metric::Ed4hPerformance, None), self.sums.series(Metric::EdOver12hFromArrival, None))
        else {
            return Err(PlotError::new(NAME, "the scenario has no [ed] section"));
        };
        FanPanel {
            title: "Attendances leaving ED within 4 hours of arrival (by day of arrival)".into(),
            y_label: "Within 4 hours (%)".into(),
            start: m.start,
            days: perf,
            scale: 100.0,
            references: standards,
            shades,
            y_include: vec![],
            y_suffix: "%",
            lines: vec![],
            above: None,
        }
        .draw(&top, NAME)?;
        FanPanel {
            title: "Attendances spending over 12 hours in ED (by day of arrival)".into(),
            y_label: "Attendances over 12 hours".into(),
            start: m.start,
            days: waits,
            scale: 1.0,
            references: vec![],
            shades: calendar_shades(m),
            y_include: vec![0.0],
            y_suffix: "",
            lines: vec![],
            above: None,
        }
        .draw(&bottom, NAME)
    }
}
