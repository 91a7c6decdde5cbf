//! `winter_occupancy`: fan charts of midnight occupancy over the reported
//! dates, trust-wide and per pool, with core beds, the 92% planning line, bank
//! holidays and the Christmas-New Year fortnight.
//!
//! At most [`MAX_PANELS`] panels: with more pools, the trust-wide panel and
//! the largest pools (by core beds; ties in scenario order), and the title
//! says how many are left out, so the bitmap stays at most 1800 x 3530 pixels
//! however many pools a scenario has.

use super::fan::{FanPanel, Reference, calendar_shades, fan_legend, legend_strip};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::{Metric, OCCUPANCY_THRESHOLD};
use plotters::coord::Shift;
use plotters::prelude::*;

/// The `winter_occupancy` figure: fan charts of midnight occupancy, trust-wide and per pool, against core beds and the
/// 92% line.
pub struct WinterOccupancy<'a> {
    /// The scenario (its pools, beds and dates).
    pub model: &'a Model,
    /// Summaries of the run, whose daily midnight-occupancy series are plotted.
    pub sums: &'a Summaries,
}

pub(crate) const NAME: &str = "winter_occupancy";

/// Most panels (trust-wide included) one winter plot draws.
pub const MAX_PANELS: usize = 12;

impl WinterOccupancy<'_> {
    fn panels(&self) -> usize {
        self.shown().len() + 1
    }

    /// Indices of the pools drawn, in scenario order: every pool, or the
    /// largest `MAX_PANELS - 1` by core beds.
    pub fn shown(&self) -> Vec<usize> {
        let pools = &self.model.pools;
        let mut by_size: Vec<usize> = (0..pools.len()).collect();
        if pools.len() >= MAX_PANELS {
            by_size.sort_by_key(|&i| std::cmp::Reverse(pools[i].beds));
            by_size.truncate(MAX_PANELS - 1);
            by_size.sort_unstable();
        }
        by_size
    }
    fn grid(&self) -> (usize, usize) {
        let cols = if self.panels() == 1 { 1 } else { 2 };
        (self.panels().div_ceil(cols), cols)
    }
}

impl Figure for WinterOccupancy<'_> {
    fn name(&self) -> &'static str {
        NAME
    }

    fn size(&self) -> (u32, u32) {
        let (rows, _) = self.grid();
        (1800, 170 + 560 * rows as u32)
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
        let m = self.model;
        let shown = self.shown();
        let omitted = m.pools.len() - shown.len();
        let title = format!(
            "{}: beds occupied at midnight, {} to {} ({} replications){}",
            m.name,
            m.start.format("%-d %b %Y"),
            m.end.format("%-d %b %Y"),
            self.sums.replications,
            if omitted > 0 { format!("; {omitted} smaller pools not shown (see daily.csv)") } else { String::new() }
        );
        let body = root.titled(&title, (FONT, 30).into_font().style(FontStyle::Bold)).map_err(fail(NAME))?;
        let (body, strip) = body.split_vertically(body.dim_in_pixel().1 - 50);
        let areas = body.split_evenly(self.grid());
        let references = |beds: f64| {
            vec![
                Reference { value: beds, label: "Core beds".into(), colour: colours::RED, dashed: false },
                Reference {
                    value: (OCCUPANCY_THRESHOLD * beds).round(),
                    label: "92% of core beds".into(),
                    colour: colours::ORANGE,
                    dashed: true,
                },
            ]
        };
        let shades = calendar_shades(m);
        legend_strip(&strip, &fan_legend(&references(1.0), &shades), NAME)?;
        let total_beds: u32 = m.pools.iter().map(|p| p.beds).sum();
        let panels = std::iter::once((None, "Trust-wide".to_string(), total_beds))
            .chain(shown.iter().map(|&i| (Some(i), capitalise(&m.pools[i].name), m.pools[i].beds)));
        for ((pool, name, beds), area) in panels.zip(areas.iter()) {
            let Some(days) = self.sums.series(Metric::MidnightOccupancy, pool) else { continue };
            let beds = f64::from(beds);
            FanPanel {
                title: format!("{name} ({beds} core beds)"),
                y_label: "Beds occupied at midnight".into(),
                start: m.start,
                days,
                scale: 1.0,
                references: references(beds),
                shades: calendar_shades(m),
                y_include: vec![],
                y_suffix: "",
            }
            .draw(area, NAME)?;
        }
        Ok(())
    }
}

/// `s` with its first letter in upper case (a pool name as a panel caption).
pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}
