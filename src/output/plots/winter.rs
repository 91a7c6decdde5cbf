//! `winter_occupancy`: fan charts of midnight occupancy over the reported
//! dates, trust-wide and per pool, with core beds (stepping where they change
//! by date), the 92% planning line, core plus open escalation beds, the
//! patients waiting for a bed stacked on top of the beds (so a pool that is
//! full and queueing shows its queue), bank holidays and the Christmas-New
//! Year fortnight.
//!
//! At most [`MAX_PANELS`] panels: with more pools, the trust-wide panel and
//! the largest pools (by core beds; ties in scenario order), and the title
//! says how many are left out, so the bitmap stays at most 1800 x 3530 pixels
//! however many pools a scenario has.

use super::fan::{
    Above, CAPACITY_LABEL, FanPanel, Swatch, calendar_shades, capacity_line, core_lines, fan_legend, legend_strip,
};
use super::{FONT, Figure, PlotError, colours, fail};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
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
        let references_for = super::fan::core_references;
        let shades = calendar_shades(m);
        let dated = m.has_dated_capacity();
        let escalates = m.pools.iter().any(|p| p.escalation.is_some());
        let waits = |pool| self.sums.series(Metric::Boarders0800, pool).is_some_and(|d| d.iter().any(|s| s.p90 > 0.0));
        let any_wait = waits(None);
        let mut legend = fan_legend(&references_for(1.0), &shades);
        if escalates {
            legend.push(Swatch::Line(colours::CAPACITY, false, CAPACITY_LABEL.into()));
        }
        if any_wait {
            legend.push(Swatch::Band(colours::WAITING, "Waiting for a bed at 08:00, above the beds".into()));
        }
        legend_strip(&strip, &legend, NAME)?;
        let total_beds: u32 = m.pools.iter().map(|p| p.beds).sum();
        let panels = std::iter::once((None, "Trust-wide".to_string(), total_beds))
            .chain(shown.iter().map(|&i| (Some(i), capitalise(&m.pools[i].name), m.pools[i].beds)));
        let median = |metric, pool| -> Option<Vec<f64>> {
            self.sums
                .series(metric, pool)
                .map(|d| d.iter().map(|s| if s.p50.is_finite() { s.p50 } else { 0.0 }).collect())
        };
        for ((pool, name, beds), area) in panels.zip(areas.iter()) {
            let Some(days) = self.sums.series(Metric::MidnightOccupancy, pool) else { continue };
            let n = days.len();
            // Core beds by day: dated changes step the line (and the 92% line).
            // Planned beds only: outbreaks close beds at random, so a median of
            // beds open would draw closures nobody planned.
            let date = |d: usize| m.start + chrono::Days::new(d as u64);
            let core: Vec<f64> = (0..n)
                .map(|d| match pool {
                    Some(i) => f64::from(m.pools[i].beds_on(date(d))),
                    None => m.pools.iter().map(|p| f64::from(p.beds_on(date(d)))).sum(),
                })
                .collect();
            let (mut references, mut lines) = (Vec::new(), Vec::new());
            let ward = pool.is_some_and(|i| m.pools[i].is_escalation_ward());
            if ward {
                // A shared escalation ward has no core beds: only its open beds.
            } else if dated {
                lines = core_lines(&core);
            } else {
                references = references_for(f64::from(beds));
            }
            // Core plus open escalation beds: where patients wait on top of.
            let open = median(Metric::EscalationBedsOpen, pool).filter(|o| o.iter().any(|&x| x > 0.0));
            let capacity: Vec<f64> = match &open {
                Some(o) => core.iter().zip(o).map(|(c, e)| c + e).collect(),
                None => core.clone(),
            };
            if open.is_some() {
                lines.push(capacity_line(capacity.clone()));
            }
            let above = if waits(pool) {
                self.sums.series(Metric::Boarders0800, pool).map(|d| Above { base: capacity.clone(), days: d })
            } else {
                None
            };
            let title = if let Some(i) = pool.filter(|_| ward) {
                let served: Vec<&str> = m.pools[i].serves.iter().map(|&p| m.pools[p].name.as_str()).collect();
                format!("{name} (escalation beds shared by {})", served.join(", "))
            } else if dated && core.iter().any(|&c| c != f64::from(beds)) {
                format!("{name} ({beds} core beds, changing by date)")
            } else {
                format!("{name} ({beds} core beds)")
            };
            FanPanel {
                title,
                y_label: "Beds occupied at midnight".into(),
                start: m.start,
                days,
                scale: 1.0,
                references,
                lines,
                above,
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
