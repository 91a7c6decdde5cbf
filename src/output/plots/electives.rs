//! `electives`: cancellations for lack of a bed (rolling 7-day totals),
//! waiting-list size, and the share waiting under 18 weeks, all specialties
//! together, as fans across replications.

use super::fan::{FanPanel, Reference, calendar_shades, fan_legend, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `electives` figure: cancellations for lack of a bed (rolling 7-day totals), waiting-list size and the share
/// waiting under 18 weeks.
pub struct Electives<'a> {
    /// The scenario (its specialties and dates).
    pub model: &'a Model,
    /// Summaries of the run, whose daily elective series (all specialties together) are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "electives";

impl Figure for Electives<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 1600)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let series = |metric| self.sums.series(metric, None).ok_or_else(|| PlotError::new(NAME, "no elective results"));
        let (cancelled, size, under18) = (
            series(Metric::ElectiveCancelled7Days)?,
            series(Metric::WaitingListSize)?,
            series(Metric::WaitingUnder18WeeksShare)?,
        );
        let title = format!("{}: elective activity, all specialties, {} replications", m.name, self.sums.replications);
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let panels = body.split_evenly((3, 1));
        let rtt =
            vec![Reference { value: 92.0, label: "92% RTT standard".into(), colour: colours::GREEN, dashed: true }];
        let shades = calendar_shades(m);
        legend_strip(&strip, &fan_legend(&rtt, &shades), NAME)?;
        let panel = |title: &str, y_label: &str, days, scale, references, y_suffix, y_include| FanPanel {
            title: title.into(),
            y_label: y_label.into(),
            start: m.start,
            days,
            scale,
            references,
            shades: calendar_shades(m),
            y_include,
            y_suffix,
            lines: vec![],
            above: None,
        };
        panel(
            "Operations cancelled on the day for lack of a bed (total over the 7 days to each date)",
            "Cancellations in 7 days",
            cancelled,
            1.0,
            vec![],
            "",
            vec![0.0],
        )
        .draw(&panels[0], NAME)?;
        panel("Patients on the waiting list (at midnight)", "Patients waiting", size, 1.0, vec![], "", vec![])
            .draw(&panels[1], NAME)?;
        panel(
            "Share of the waiting list waiting under 18 weeks",
            "Under 18 weeks (%)",
            under18,
            100.0,
            rtt,
            "%",
            vec![],
        )
        .draw(&panels[2], NAME)
    }
}
