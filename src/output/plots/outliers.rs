//! `outliers`: other pools' patients in each pool's beds at midnight (fan),
//! trust-wide and for each pool that takes outliers. Drawn only when a pool
//! outlies (`outlie_to`).

use super::fan::{FanPanel, calendar_shades, fan_legend, legend_strip};
use super::winter::capitalise;
use super::{FONT, Figure, PlotError, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `outliers` figure: outliers in beds at midnight, trust-wide and per host pool.
pub struct Outliers<'a> {
    /// The scenario (its pools and their outlying rules).
    pub model: &'a Model,
    /// Summaries of the run, whose daily `outliers_midnight` series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "outliers";

impl Outliers<'_> {
    /// Pools that take other pools' patients, in scenario order (at most 11).
    fn hosts(&self) -> Vec<usize> {
        let pools = &self.model.pools;
        (0..pools.len())
            .filter(|&h| !pools[h].is_escalation_ward() && pools.iter().any(|p| p.outlie_to.contains(&h)))
            .take(11)
            .collect()
    }

    fn grid(&self) -> (usize, usize) {
        let panels = self.hosts().len() + 1;
        let cols = if panels == 1 { 1 } else { 2 };
        (panels.div_ceil(cols), cols)
    }
}

impl Figure for Outliers<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        (1800, 170 + 500 * self.grid().0 as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let title = format!(
            "{}: outliers (patients in another pool's bed) at midnight, {} replications",
            m.name, self.sums.replications
        );
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let shades = calendar_shades(m);
        legend_strip(&strip, &fan_legend(&[], &shades), NAME)?;
        let areas = body.split_evenly(self.grid());
        let panels = std::iter::once((None, "Trust-wide".to_string())).chain(self.hosts().into_iter().map(|h| {
            let from: Vec<&str> =
                m.pools.iter().filter(|p| p.outlie_to.contains(&h)).map(|p| p.name.as_str()).collect();
            (Some(h), format!("{} (from {})", capitalise(&m.pools[h].name), from.join(", ")))
        }));
        for ((pool, name), area) in panels.zip(areas.iter()) {
            let Some(days) = self.sums.series(Metric::OutliersMidnight, pool) else {
                return Err(PlotError::new(NAME, "no pool outlies"));
            };
            FanPanel {
                title: name,
                y_label: "Outliers in beds at midnight".into(),
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
