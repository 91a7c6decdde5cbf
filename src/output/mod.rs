//! Result files: pure functions of the replications' KPIs, written into a
//! temporary folder and moved into place only when complete.

pub mod atomic;
pub mod compare;
pub mod decision;
pub mod finance;
pub mod format;
mod fsops;
mod marker;
pub mod plots;
pub mod report;
pub mod shard;
pub mod tables;

use crate::model::Model;
use crate::reduce::Results;
use crate::reduce::Summaries;
use crate::stats::Metric;
use std::path::Path;

/// Facts about the run recorded in `run.json`. This is the one output file
/// that legitimately differs between identical runs (wall time, threads).
#[derive(Debug, Clone, serde::Serialize)]
pub struct RunInfo {
    /// Version of bedflow that wrote the results.
    pub bedflow_version: String,
    /// The scenario's `[scenario] name` (the default output folder's name).
    pub scenario_name: String,
    /// Scenario file as given on the command line, without `./` steps (for a merge, as the shards recorded it).
    pub scenario_path: String,
    /// The scenario's fingerprint: SHA-256 over its whole `extends` chain and
    /// any `--set` (for a lone file, the file's own SHA-256); see
    /// [`crate::scenario::fingerprint`].
    pub scenario_sha256: String,
    /// Seed the replications ran with (the scenario's, or `--seed`).
    pub seed: u64,
    /// Replications run (every shard's, for a merge).
    pub replications: u32,
    /// Worker threads used; 0 for a merge, which simulated nothing.
    pub threads: usize,
    /// Seconds spent simulating and reducing the replications (writing files not included); 0 for a merge.
    pub wall_time_seconds: f64,
    /// Events the engine processed over all replications.
    pub events: u64,
    /// `events` / `wall_time_seconds`; 0 for a merge.
    pub events_per_second: f64,
    /// First reported day (ISO date).
    pub start: String,
    /// Last reported day, inclusive (ISO date).
    pub end: String,
    /// Days simulated before `start` and not reported.
    pub warmup_days: u32,
}

/// A result file could not be written into the output folder (exit 1).
#[derive(Debug, thiserror::Error)]
#[error("cannot write results to {path}: {source}")]
pub struct OutputError {
    /// The output folder.
    pub path: String,
    /// The operating system's error.
    pub source: std::io::Error,
}

/// Draws every plot into `dir`, returning (file stem, SVG text) for the report.
pub fn draw_plots(
    dir: &Path,
    model: &Model,
    sums: &Summaries,
    results: &Results,
) -> Result<Vec<(&'static str, String)>, plots::PlotError> {
    use plots::{Figure, render};
    let mut out = Vec::new();
    let winter = plots::winter::WinterOccupancy { model, sums };
    out.push((winter.name(), render(&winter, dir)?));
    let holidays = plots::bank_holidays::BankHolidays { model, sums };
    out.push((holidays.name(), render(&holidays, dir)?));
    if model.ed.is_some() {
        let ed = plots::ed::EdPerformance { model, sums };
        out.push((ed.name(), render(&ed, dir)?));
    }
    if model.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
        let crowding = plots::ed_crowding::EdCrowding { model, sums };
        out.push((crowding.name(), render(&crowding, dir)?));
    }
    if !model.specialties.is_empty() {
        let electives = plots::electives::Electives { model, sums };
        out.push((electives.name(), render(&electives, dir)?));
    }
    if model.has_outlying() {
        let outliers = plots::outliers::Outliers { model, sums };
        out.push((outliers.name(), render(&outliers, dir)?));
    }
    if !model.pathways.is_empty() {
        let nctr = plots::nctr::Nctr { model, sums };
        out.push((nctr.name(), render(&nctr, dir)?));
    }
    if model.pools.iter().any(|p| p.escalation.is_some()) {
        let costs: Vec<f64> = results.column(Metric::EscalationCost, None).unwrap_or_default();
        let escalation = plots::escalation::EscalationFigure { model, sums, costs: &costs };
        out.push((escalation.name(), render(&escalation, dir)?));
    }
    Ok(out)
}

/// Writes every result file for a run into `dir` (replacing an earlier run's
/// results only once the new ones are complete).
pub fn write_run(
    staging: atomic::Staging,
    model: &Model,
    results: &Results,
    info: &RunInfo,
) -> Result<(), atomic::OutputDirError> {
    let sums = &results.sums;
    staging.publish(|tmp| {
        std::fs::write(tmp.join("summary.csv"), tables::for_excel(tables::summary_csv(model, sums)?))?;
        std::fs::write(tmp.join("daily.csv"), tables::for_excel(tables::daily_csv(model, sums)?))?;
        // A reducer with a folder has streamed replications.csv already: keep
        // it if it is in this folder, move it here otherwise; never rewrite it.
        let replications = tmp.join("replications.csv");
        match &results.replications_csv {
            Some(written) if replications.exists() || written == &replications => {}
            Some(written) => std::fs::rename(written, &replications)
                .or_else(|_| std::fs::copy(written, &replications).and_then(|_| std::fs::remove_file(written)))?,
            None => std::fs::write(replications, tables::for_excel(tables::replications_csv(model, results)?))?,
        }
        let json = serde_json::to_string_pretty(info).map_err(std::io::Error::other)?;
        std::fs::write(tmp.join("run.json"), json + "\n")?;
        if model.has_costs() {
            let xlsx = finance::workbook(model, sums, info).map_err(std::io::Error::other)?;
            std::fs::write(tmp.join("finance.xlsx"), xlsx)?;
        }
        let svgs = draw_plots(tmp, model, sums, results).map_err(std::io::Error::other)?;
        std::fs::write(tmp.join("report.html"), report::html(model, sums, info, &svgs))?;
        Ok(())
    })
}
