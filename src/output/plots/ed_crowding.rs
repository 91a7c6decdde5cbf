//! `ed_crowding`: patients in the emergency department over the winter (at
//! midnight, when departments are fullest of patients waiting for a bed), and
//! of them the admitted patients waiting for a bed at 08:00, before the day's
//! discharges: exit block made visible. Drawn only with ED capacity.

use super::fan::{FanPanel, Reference, calendar_shades, fan_legend, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `ed_crowding` figure: patients in ED at midnight against the treatment
/// spaces and corridor places, and boarders in ED at 08:00.
pub struct EdCrowding<'a> {
    /// The scenario (its ED capacity and dates).
    pub model: &'a Model,
    /// Summaries of the run, whose daily ED census series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "ed_crowding";

impl Figure for EdCrowding<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 1250)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let Some(capacity) = m.ed.as_ref().and_then(|e| e.capacity.as_ref()) else {
            return Err(PlotError::new(NAME, "the scenario's [ed] has no spaces"));
        };
        let (Some(patients), Some(boarders)) =
            (self.sums.series(Metric::EdPatientsMidnight, None), self.sums.series(Metric::EdBoarders0800, None))
        else {
            return Err(PlotError::new(NAME, "the run has no ED census"));
        };
        let title =
            format!("{}: crowding in the emergency department, {} replications", m.name, self.sums.replications);
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let (top, bottom) = body.split_vertically(body.dim_in_pixel().1 / 2);
        // Everyone in the department is counted, minors included, so the
        // lines are every treatment space, then those plus the corridor.
        let minors = capacity.minors.as_ref().map_or(0, |m| m.spaces);
        let spaces = f64::from(capacity.spaces + minors);
        let what = if minors > 0 {
            format!("{} main + {minors} minors spaces", capacity.spaces)
        } else {
            format!("{} treatment space{}", capacity.spaces, if capacity.spaces == 1 { "" } else { "s" })
        };
        let mut references = vec![Reference { value: spaces, label: what, colour: colours::RED, dashed: false }];
        if capacity.corridor_spaces > 0 {
            references.push(Reference {
                value: spaces + f64::from(capacity.corridor_spaces),
                label: format!("all spaces + {} corridor places", capacity.corridor_spaces),
                colour: colours::ORANGE,
                dashed: true,
            });
        }
        let shades = calendar_shades(m);
        legend_strip(&strip, &fan_legend(&references, &shades), NAME)?;
        FanPanel {
            title: "Patients in ED at midnight: waiting for a space, in a space (main or minors) or in the corridor"
                .into(),
            y_label: "Patients in ED".into(),
            start: m.start,
            days: patients,
            scale: 1.0,
            references,
            shades,
            y_include: vec![0.0],
            y_suffix: "",
            lines: vec![],
            above: None,
        }
        .draw(&top, NAME)?;
        FanPanel {
            title: "Admitted patients waiting in ED for a bed at 08:00 (exit block)".into(),
            y_label: "Patients waiting for a bed".into(),
            start: m.start,
            days: boarders,
            scale: 1.0,
            references: vec![],
            shades: calendar_shades(m),
            // A few patients of headroom, so a panel of zeros still has a readable axis.
            y_include: vec![0.0, 5.0],
            y_suffix: "",
            lines: vec![],
            above: None,
        }
        .draw(&bottom, NAME)
    }
}
