//! `nctr`: patients in a bed past the end of their acute stay (no longer
//! meeting the criteria to reside) at midnight, as fans: trust-wide, then by
//! discharge pathway (P0 waiting for the discharge hour or a weekday, P1
//! home care, P2 rehabilitation beds, P3 care homes). Drawn only with
//! discharge pathways.

use super::fan::{FanPanel, calendar_shades, fan_legend, legend_strip};
use super::{FONT, Figure, PlotError, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `nctr` figure.
pub struct Nctr<'a> {
    /// The scenario (its pathways).
    pub model: &'a Model,
    /// Summaries of the run, whose daily `nctr_patients*` series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "nctr";

impl Nctr<'_> {
    /// Panels: trust-wide, P0, then each pathway the scenario has.
    fn panels(&self) -> Vec<(Metric, String)> {
        let mut out = vec![
            (Metric::NctrPatients, "All patients past their acute stay".to_string()),
            (Metric::NctrPatientsP0, "P0: home, waiting for the discharge hour or a weekday review".to_string()),
        ];
        let names = [
            (Metric::NctrPatientsP1, "P1: waiting for home care or reablement"),
            (Metric::NctrPatientsP2, "P2: waiting for a rehabilitation or step-down bed"),
            (Metric::NctrPatientsP3, "P3: waiting for a care home"),
        ];
        out.extend(self.model.pathways.iter().map(|p| (names[p.index].0, names[p.index].1.to_string())));
        out
    }
}

impl Figure for Nctr<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 170 + 500 * self.panels().len().div_ceil(2) as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let title = format!(
            "{}: patients no longer meeting the criteria to reside, at midnight, by discharge pathway ({} replications)",
            m.name, self.sums.replications
        );
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let shades = calendar_shades(m);
        legend_strip(&strip, &fan_legend(&[], &shades), NAME)?;
        let panels = self.panels();
        let areas = body.split_evenly((panels.len().div_ceil(2), 2));
        for ((metric, name), area) in panels.into_iter().zip(areas.iter()) {
            let Some(days) = self.sums.series(metric, None) else {
                return Err(PlotError::new(NAME, "the run has no discharge pathways"));
            };
            FanPanel {
                title: name,
                y_label: "Patients at midnight".into(),
                start: m.start,
                days,
                scale: 1.0,
                references: vec![],
                lines: vec![],
                above: None,
                shades: calendar_shades(m),
                y_include: vec![0.0],
                y_suffix: "",
            }
            .draw(area, NAME)?;
        }
        Ok(())
    }
}
