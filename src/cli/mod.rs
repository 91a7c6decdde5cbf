//! Command line. A thin layer: parse arguments, then one function per
//! subcommand ([`run`](mod@run): run, shard, merge, check; [`plans`]: compare,
//! sweep), each validating everything (scenarios, flags, the output folder)
//! before any simulation. Every failure is an [`Error`] with an exit code (2
//! for bad input, 1 for anything else).

mod calibrate;
mod plans;
mod run;

use crate::model::Model;
use crate::output::{self, RunInfo};
use crate::replicate::{self, RunSpec};
use crate::scenario::LoadError;
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

/// Parsed command line of the `bedflow` binary.
#[derive(Parser, Debug)]
#[command(name = "bedflow", version, about = "Bed capacity and demand simulation for acute hospital trusts")]
pub struct Cli {
    /// Subcommand to run, with its arguments.
    #[command(subcommand)]
    pub command: Command,
}

/// Flags shared by every command that runs simulations.
#[derive(clap::Args, Debug, Clone)]
pub struct RunFlags {
    /// Number of replications (overrides the scenario).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
    pub replications: Option<u32>,
    /// Random seed (overrides the scenario).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Worker threads (default: one per core). Results do not depend on it.
    #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    pub threads: Option<u16>,
    /// Output folder (default: under output/).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// No progress bar (`-q`).
    #[arg(short, long)]
    pub quiet: bool,
}

/// The subcommands: `run` (or one shard of it), `merge`, `compare`, `sweep`, `check`.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Simulate a scenario and write results to output/<scenario-name>/ (or --out).
    Run {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// Run only shard K of N (every N-th replication from the K-th) and
        /// write a part file (to --out, default output/NAME.shard-K-of-N.part)
        /// for `bedflow merge`.
        #[arg(long, value_name = "K/N")]
        shard: Option<String>,
        /// Start from the patients in this census file (CSV: pool, admitted or
        /// waiting_since, optional expected_discharge and route) instead of
        /// the scenario's `census` or an empty hospital. Not with --shard
        /// (name it in the scenario instead, so every shard reads it).
        #[arg(long, value_name = "FILE", conflicts_with = "shard")]
        census: Option<PathBuf>,
        /// Replications, seed, threads, output folder and progress bar.
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Merge the part files of a sharded run into the outputs a single
    /// machine would have written (byte-identical, except run.json).
    Merge {
        /// Part files, one per shard, in any order.
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        /// Output folder (default: output/<scenario-name>).
        #[arg(long)]
        out: Option<PathBuf>,
        /// The scenario file, if not at the path recorded in the parts.
        #[arg(long)]
        scenario: Option<PathBuf>,
    },
    /// Run scenarios with the same seed and random streams and report ALT - BASE
    /// for every KPI, replication by replication (output/compare-BASE-vs-ALT/).
    Compare {
        /// The base scenario.
        base: PathBuf,
        /// One or more alternatives.
        #[arg(required = true)]
        alternatives: Vec<PathBuf>,
        /// Replications, seed, threads, output folder and progress bar, shared by every scenario compared.
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Run a scenario at each value of a field, e.g.
    /// `--set pool.medicine.beds=380..460:10`, and optionally find the smallest
    /// value meeting `--target "share_of_time_full<=0.05"` (output/sweep-NAME/).
    Sweep {
        /// Scenario file (TOML).
        scenario: PathBuf,
        /// PATH=A..B:STEP, the field to sweep and its values.
        #[arg(long = "set")]
        set: String,
        /// METRIC<=VALUE or METRIC>=VALUE (METRIC:POOL for a pool).
        #[arg(long)]
        target: Option<String>,
        /// Replications, seed, threads, output folder and progress bar, shared by every value swept.
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Write a scenario from a trust's extracts (CSV): spells, and optionally
    /// ED attendances, with a calibration report beside it
    /// (output/calibrate-NAME/ or --out).
    Calibrate {
        /// Inpatient spells: admitted, discharged, source, route, pool, optional ready and pathway.
        #[arg(long, value_name = "FILE")]
        spells: PathBuf,
        /// ED attendances: arrival, departure, admitted, optional arrival_mode.
        #[arg(long, value_name = "FILE")]
        attendances: Option<PathBuf>,
        /// First day of data used (YYYY-MM-DD).
        #[arg(long)]
        from: String,
        /// Last day of data used (YYYY-MM-DD, inclusive).
        #[arg(long)]
        to: String,
        /// Core beds of a ward group, POOL=N; one for every ward group in the spells.
        #[arg(long, value_name = "POOL=N")]
        beds: Vec<String>,
        /// Scenario name (and file name).
        #[arg(long, default_value = "calibrated")]
        name: String,
        /// The scenario's first reported day (default: --from).
        #[arg(long)]
        start: Option<String>,
        /// The scenario's last reported day (default: --to).
        #[arg(long)]
        end: Option<String>,
        /// Bank holidays: england-and-wales, scotland, northern-ireland or none.
        #[arg(long, default_value = "england-and-wales")]
        bank_holidays: String,
        /// Yearly demand growth (e.g. 0.015): carries the data's rates to the
        /// scenario's start and writes growth_per_year on every stream.
        #[arg(long, allow_negative_numbers = true)]
        growth: Option<f64>,
        /// Output folder (default: output/calibrate-NAME).
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Simulate the period of a trust's extracts from the census of its first
    /// day and compare with what happened: midnight occupancy per ward group
    /// (and ED 4-hour performance with --attendances), actual over the
    /// simulated P10-P90 (output/backtest-NAME/).
    Backtest {
        /// Scenario file (TOML), e.g. one written by `bedflow calibrate`.
        scenario: PathBuf,
        /// Inpatient spells (as for calibrate).
        #[arg(long, value_name = "FILE")]
        spells: PathBuf,
        /// ED attendances (as for calibrate): adds the 4-hour comparison.
        #[arg(long, value_name = "FILE")]
        attendances: Option<PathBuf>,
        /// First day of the backtest (default: the scenario's start).
        #[arg(long)]
        from: Option<String>,
        /// Last day of the backtest (default: the scenario's end).
        #[arg(long)]
        to: Option<String>,
        /// Replications, seed, threads, output folder and progress bar.
        #[command(flatten)]
        flags: RunFlags,
    },
    /// Serve the what-if page: open the printed address in a browser, pick
    /// a scenario, change beds, ED spaces or escalation, run, and compare
    /// with the base (outputs under output/serve/).
    Serve {
        /// Port to listen on (0: any free port).
        #[arg(long, default_value_t = 8080)]
        port: u16,
        /// Folder of scenarios the page may open (only files directly in it).
        #[arg(long, default_value = "scenarios")]
        scenarios: PathBuf,
        /// Address to listen on. The default, 127.0.0.1, is this machine
        /// only. Another address (0.0.0.0: every network) lets anyone who
        /// can reach it run simulations and read every visitor's outputs:
        /// use it only on a network you trust.
        #[arg(long, default_value = "127.0.0.1")]
        bind: std::net::IpAddr,
        /// Folder for each visitor's outputs.
        #[arg(long, default_value = "output/serve")]
        out: PathBuf,
        /// The most replications a run may ask for.
        #[arg(long, default_value_t = 2000, value_parser = clap::value_parser!(u32).range(1..=1_000_000))]
        max_replications: u32,
        /// Runs at once; the rest queue.
        #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=2))]
        runs: u16,
        /// The largest request body, in bytes.
        #[arg(long, default_value_t = 65_536, value_parser = clap::value_parser!(u32).range(1024..=16_777_216))]
        max_body: u32,
        /// Worker threads per run (default: one per core).
        #[arg(long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        threads: Option<u16>,
        /// The longest a run may take, in seconds; it is then stopped.
        #[arg(long, default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
        max_seconds: u64,
    },
    /// Validate a scenario without running it.
    Check {
        /// Scenario file (TOML).
        scenario: PathBuf,
    },
}

/// Why a command failed; [`Error::exit_code`] turns it into the process exit code.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The scenario (or a file it extends) is missing, refused or invalid (exit 2).
    #[error(transparent)]
    Scenario(#[from] LoadError),
    /// The worker threads could not be started (exit 1).
    #[error("error: {0}")]
    Threads(#[from] replicate::ThreadError),
    /// A result file could not be written (exit 1).
    #[error("error: {0}")]
    Output(#[from] output::OutputError),
    /// A bad flag value (`--shard`, `--set`, `--target`), a run beyond the size limits, or a merge with changed
    /// scenario files (exit 2).
    #[error("error: {0}")]
    Usage(String),
    /// A part file is unreadable, damaged or does not fit the others or the scenario (exit 2), or could not be written
    /// (exit 1).
    #[error("error: {0}")]
    Shard(#[from] output::shard::ShardError),
    /// The output folder was refused (not bedflow's, or busy: exit 2) or could not be written (exit 1).
    #[error("error: {0}")]
    OutputDir(#[from] output::atomic::OutputDirError),
    /// `serve` could not start: no scenarios folder or a busy address (exit 2), or no runtime (exit 1).
    #[error(transparent)]
    Serve(#[from] crate::serve::ServeError),
}

impl Error {
    /// 2 for bad input (the scenario, a flag, a part file, an output folder
    /// refused or busy), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_)
            | Error::Usage(_)
            // A folder bedflow did not make, or one another run is writing: refused.
            | Error::OutputDir(
                output::atomic::OutputDirError::Refused { .. } | output::atomic::OutputDirError::Busy { .. },
            ) => 2,
            Error::Shard(e) => e.exit_code(),
            Error::Serve(e) => e.exit_code(),
            _ => 1,
        }
    }
}

/// Runs the parsed command: validates everything it needs first, then simulates and writes the results.
pub fn run(cli: Cli) -> Result<(), Error> {
    match cli.command {
        Command::Check { scenario } => run::check(scenario),
        Command::Serve { port, scenarios, bind, out, max_replications, runs, max_body, threads, max_seconds } => {
            let config = crate::serve::Config {
                scenarios,
                out,
                max_replications,
                runs: usize::from(runs),
                threads: threads.map_or_else(default_threads, usize::from),
                max_body: max_body as usize,
                max_plans: 8,
                abandon_after: std::time::Duration::from_secs(30),
                max_run: std::time::Duration::from_secs(max_seconds),
            };
            Ok(crate::serve::serve(config, bind, port)?)
        }
        Command::Backtest { scenario, spells, attendances, from, to, flags } => {
            calibrate::backtest(scenario, spells, attendances, from, to, flags)
        }
        Command::Calibrate { spells, attendances, from, to, beds, name, start, end, bank_holidays, growth, out } => {
            calibrate::calibrate(calibrate::CalibrateArgs {
                spells,
                attendances,
                from,
                to,
                beds,
                name,
                start,
                end,
                bank_holidays,
                growth,
                out,
            })
        }
        Command::Run { scenario, shard: Some(shard), flags, .. } => run::shard(scenario, shard, flags),
        Command::Run { scenario, shard: None, census, flags } => run::run(scenario, census, flags),
        Command::Merge { parts, out, scenario } => run::merge(parts, out, scenario),
        Command::Compare { base, alternatives, flags } => plans::compare(base, alternatives, flags),
        Command::Sweep { scenario, set, target, flags } => plans::sweep(scenario, set, target, flags),
    }
}

/// What `run.json` records about a run (`wall` 0 for a merge, which records
/// no timing).
fn run_info(model: &Model, path: String, sha256: String, spec: RunSpec, wall: f64, events: u64) -> RunInfo {
    RunInfo {
        bedflow_version: env!("CARGO_PKG_VERSION").into(),
        scenario_name: model.name.clone(),
        scenario_path: path,
        scenario_sha256: sha256,
        seed: spec.seed,
        replications: spec.replications,
        threads: spec.threads,
        wall_time_seconds: wall,
        events,
        events_per_second: if wall > 0.0 { events as f64 / wall.max(1e-9) } else { 0.0 },
        start: model.start.to_string(),
        end: model.end.to_string(),
        warmup_days: model.warmup_days,
    }
}

/// Refuses an output folder that holds one of the run's own input files
/// (a scenario, a file it extends, an extract): replacing the folder would
/// delete the input, even one bedflow wrote there (a calibrated scenario).
fn refuse_inputs_inside(dir: &Path, inputs: &[&Path]) -> Result<(), Error> {
    let Ok(out) = dir.canonicalize() else { return Ok(()) };
    for input in inputs {
        let real = input.canonicalize().unwrap_or_else(|_| input.to_path_buf());
        if real.starts_with(&out) {
            return Err(Error::Usage(format!(
                "refusing to write results to {}: it holds {}, an input of this run, which replacing the folder \
                 would delete; give another --out",
                shown(dir),
                shown(input)
            )));
        }
    }
    Ok(())
}

/// Parses `K/N` with 1 <= K <= N.
fn parse_shard(s: &str) -> Result<(u32, u32), Error> {
    let bad = || Error::Usage(format!("--shard expects K/N with 1 <= K <= N, found \"{s}\""));
    let (k, n) = s.split_once('/').ok_or_else(bad)?;
    let (k, n): (u32, u32) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || n == 0 || k > n || n > 100_000 {
        return Err(bad());
    }
    Ok((k, n))
}

/// Says so before running: pools nothing uses (a misspelt name) and pools
/// whose demand exceeds their beds, with the numbers.
fn warn_overload(model: &Model) {
    for msg in model.warnings() {
        eprintln!("warning: {}", for_terminal(&msg));
    }
}

fn spec(model: &Model, flags: &RunFlags) -> RunSpec {
    RunSpec {
        replications: flags.replications.unwrap_or(model.replications),
        seed: flags.seed.unwrap_or(model.seed),
        threads: flags.threads.map_or_else(default_threads, usize::from),
    }
}

/// Runs the replications with a progress bar; returns them and the wall time.
fn default_threads() -> usize {
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

fn progress_bar(n: u32, quiet: bool) -> indicatif::ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::new(u64::from(n));
    if let Ok(style) = indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} replications, {eta} left") {
        bar.set_style(style);
    }
    bar
}

/// A path for a message on the terminal (control characters escaped).
fn shown(p: &Path) -> String {
    crate::terminal::path(p)
}

/// A path as the user gave it, without `./` steps, so `small.toml` and
/// `./small.toml` give identical reports.
fn display_path(p: &Path) -> String {
    p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect::<PathBuf>().display().to_string()
}

pub use crate::terminal::for_terminal;
