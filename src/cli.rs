//! Command line: `bedflow run` and `bedflow check`. A thin layer: parse
//! arguments, load the scenario, run, write; every failure is an [`Error`]
//! with an exit code (2 for bad input, 1 for anything else).

use crate::output::{self, RunInfo};
use crate::replicate::{self, RunSpec};
use crate::scenario::{self, LoadError};
use clap::{Parser, Subcommand};
use sha2::Digest;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(name = "bedflow", version, about = "Bed capacity and demand simulation for acute hospital trusts")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write results to output/<scenario-name>/ (or --out).
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Number of replications (overrides the scenario).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        replications: Option<u32>,
        /// Random seed (overrides the scenario).
        #[arg(long)]
        seed: Option<u64>,
        /// Worker threads (default: one per core). Results do not depend on it.
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// Output folder (default: output/<scenario-name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
    },
    /// Validate a scenario without running it.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Scenario(#[from] LoadError),
    #[error("error: {0}")]
    Threads(#[from] replicate::ThreadError),
    #[error("error: {0}")]
    Output(#[from] output::OutputError),
}

impl Error {
    /// 2 for bad input (the scenario), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) => 2,
            _ => 1,
        }
    }
}

pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Check { scenario } => {
            let model = scenario::load(&scenario)?;
            println!(
                "{}: ok: scenario \"{}\", {} to {} ({} days, {} warm-up), {} pools, {} admission routes",
                scenario.display(),
                model.name,
                model.start,
                model.end,
                model.reported_days(),
                model.warmup_days,
                model.pools.len(),
                model.routes.len()
            );
            Ok(())
        }
        Command::Run { scenario, replications, seed, threads, out, quiet } => {
            let model = scenario::load(&scenario)?;
            let spec = RunSpec {
                replications: replications.unwrap_or(model.replications),
                seed: seed.unwrap_or(model.seed),
                threads: threads.map_or_else(default_threads, usize::from),
            };
            let dir = out.unwrap_or_else(|| Path::new("output").join(&model.name));
            let bar = progress_bar(spec.replications, quiet);
            let started = Instant::now();
            let reps = replicate::run(&model, spec, &|| bar.inc(1))?;
            bar.finish_and_clear();
            let wall = started.elapsed().as_secs_f64();
            let events: u64 = reps.iter().map(|r| r.events).sum();
            let info = RunInfo {
                bedflow_version: env!("CARGO_PKG_VERSION").into(),
                scenario_name: model.name.clone(),
                scenario_path: scenario.display().to_string(),
                scenario_sha256: sha256_hex(&scenario),
                seed: spec.seed,
                replications: spec.replications,
                threads: spec.threads,
                wall_time_seconds: wall,
                events,
                events_per_second: events as f64 / wall.max(1e-9),
                start: model.start.to_string(),
                end: model.end.to_string(),
                warmup_days: model.warmup_days,
            };
            output::write_run(&dir, &model, &reps, &info)?;
            eprintln!(
                "bedflow: {} replications of \"{}\" in {:.2} s ({:.1} M events/s, {} threads) -> {}",
                spec.replications,
                model.name,
                wall,
                info.events_per_second / 1e6,
                spec.threads,
                dir.display()
            );
            Ok(())
        }
    }
}

fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn progress_bar(n: u32, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(n as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} replications, {eta} left") {
        bar.set_style(style);
    }
    bar
}

fn sha256_hex(path: &Path) -> String {
    let bytes = std::fs::read(path).unwrap_or_default();
    sha2::Sha256::digest(&bytes).iter().map(|b| format!("{b:02x}")).collect()
}
