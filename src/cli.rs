//! Command line: `bedflow run` and `bedflow check`. A thin layer: parse
//! arguments, load the scenario, run, write; every failure is an [`Error`]
//! with an exit code (2 for bad input, 1 for anything else).

use crate::output::{self, RunInfo};
use crate::replicate::{self, RunSpec};
use crate::scenario::{self, LoadError, fingerprint};
use clap::{Parser, Subcommand};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Parser, Debug)]
#[command(name = "bedflow", version, about = "Bed capacity and demand simulation for acute hospital trusts")]
pub struct Cli {
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
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

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
        #[command(flatten)]
        flags: RunFlags,
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
    #[error("error: {0}")]
    Usage(String),
    #[error("error: {0}")]
    Shard(#[from] output::shard::ShardError),
    #[error("error: {0}")]
    OutputDir(#[from] output::atomic::OutputDirError),
}

impl Error {
    /// 2 for bad input (the scenario), 1 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Scenario(_) | Error::Usage(_) => 2,
            Error::Shard(e) => e.exit_code(),
            // A folder bedflow did not make, or one another run is writing: refused.
            Error::OutputDir(output::atomic::OutputDirError::Refused { .. })
            | Error::OutputDir(output::atomic::OutputDirError::Busy { .. }) => 2,
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
                for_terminal(&scenario.display().to_string()),
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
        Command::Run { scenario, shard: Some(shard), flags } => {
            use output::shard::{self as part, ShardError};
            let (k, n) = parse_shard(&shard)?;
            let model = scenario::load(&scenario)?;
            warn_overload(&model);
            let spec = spec(&model, &flags);
            // Every check of the part's path before simulating.
            let path = flags
                .out
                .clone()
                .unwrap_or_else(|| Path::new("output").join(format!("{}.shard-{k}-of-{n}.part", model.name)));
            part::check_out(&path, &fingerprint::chain_files(&scenario)?)?;
            if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|source| ShardError::Write { path: parent.display().to_string(), source })?;
            }
            let meta = part::PartMeta {
                scenario_path: display_path(&scenario),
                scenario_sha256: fingerprint::fingerprint(&scenario, &[])?,
                seed: spec.seed,
                replications: spec.replications,
                shard: k,
                shards: n,
            };
            let layout = part::Layout::of_model(&model);
            // A shard may be empty (more shards than replications); its part merges like any other.
            let indices = part::shard_indices(k, n, spec.replications);
            scenario::size::check_kept(&[&model], indices.len() as u32).map_err(Error::Usage)?;
            let bar = progress_bar(indices.len() as u32, flags.quiet);
            let reps = replicate::run_indices(&model, spec, &indices, &|| bar.inc(1))?;
            bar.finish_and_clear();
            let reps: Vec<(u32, crate::stats::Kpis)> = indices.into_iter().zip(reps).collect();
            part::write_part(&path, &meta, &layout, &reps)?;
            eprintln!("bedflow: shard {k}/{n}: {} replications -> {}", reps.len(), shown(&path));
            Ok(())
        }
        Command::Merge { parts, out, scenario } => {
            // Headers first: the parts must make one run before any body is read.
            let parts = output::shard::open_parts(&parts)?;
            let header = parts.header.clone();
            let path = scenario.unwrap_or_else(|| PathBuf::from(&header.scenario_path));
            let model = scenario::load(&path)?;
            if fingerprint::fingerprint(&path, &[])? != header.scenario_sha256 {
                return Err(Error::Usage(format!(
                    "{} (or a scenario it extends) has changed since the shards ran (the SHA-256 of its extends \
                     chain differs); merge with the scenario files they ran",
                    path.display()
                )));
            }
            let dir = out.unwrap_or_else(|| Path::new("output").join(&model.name));
            let staging = output::atomic::Staging::prepare(&dir)?;
            let out_err = |source| output::OutputError { path: dir.display().to_string(), source };
            let mut reducer = crate::reduce::Reducer::with_folder(staging.path(), &model).map_err(out_err)?;
            parts.stream(&output::shard::Layout::of_model(&model), &mut |k| reducer.push(&k))?;
            let results = reducer.try_finish().map_err(out_err)?;
            let events = results.events;
            let info = RunInfo {
                bedflow_version: env!("CARGO_PKG_VERSION").into(),
                scenario_name: model.name.clone(),
                scenario_path: header.scenario_path.clone(),
                scenario_sha256: header.scenario_sha256.clone(),
                seed: header.seed,
                replications: header.replications,
                threads: 0,
                wall_time_seconds: 0.0,
                events,
                events_per_second: 0.0,
                start: model.start.to_string(),
                end: model.end.to_string(),
                warmup_days: model.warmup_days,
            };
            output::write_run(staging, &model, &results, &info)?;
            eprintln!(
                "bedflow: merged {} shards, {} replications -> {}",
                header.shards,
                header.replications,
                shown(&dir)
            );
            Ok(())
        }
        Command::Run { scenario, shard: None, flags } => {
            let model = scenario::load(&scenario)?;
            let scenario_sha256 = fingerprint::fingerprint(&scenario, &[])?;
            warn_overload(&model);
            let spec = spec(&model, &flags);
            let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(&model.name));
            scenario::size::check_replications(&model, spec.replications).map_err(Error::Usage)?;
            // Refuse a folder bedflow did not make before spending any time.
            let staging = output::atomic::Staging::prepare(&dir)?;
            let bar = progress_bar(spec.replications, flags.quiet);
            let started = Instant::now();
            // replications.csv streams straight into the partial output folder.
            let out_err = |source| output::OutputError { path: dir.display().to_string(), source };
            let mut reducer = crate::reduce::Reducer::with_folder(staging.path(), &model).map_err(out_err)?;
            replicate::run_streaming(&model, spec, &|| bar.inc(1), &mut |k| reducer.push(&k))?;
            bar.finish_and_clear();
            let wall = started.elapsed().as_secs_f64();
            let results = reducer.try_finish().map_err(out_err)?;
            let events = results.events;
            let info = RunInfo {
                bedflow_version: env!("CARGO_PKG_VERSION").into(),
                scenario_name: model.name.clone(),
                scenario_path: display_path(&scenario),
                scenario_sha256,
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
            output::write_run(staging, &model, &results, &info)?;
            eprintln!(
                "bedflow: {} replications of \"{}\" in {:.2} s ({:.1} M events/s, {} threads) -> {}",
                spec.replications,
                model.name,
                wall,
                info.events_per_second / 1e6,
                spec.threads,
                shown(&dir)
            );
            Ok(())
        }
        Command::Compare { base, alternatives, flags } => {
            // Validate every scenario before running any.
            let base_model = scenario::load(&base)?;
            let alt_models = alternatives.iter().map(|p| scenario::load(p)).collect::<Result<Vec<_>, _>>()?;
            let spec = spec(&base_model, &flags);
            let all: Vec<&crate::model::Model> = std::iter::once(&base_model).chain(&alt_models).collect();
            scenario::size::check_kept(&all, spec.replications).map_err(Error::Usage)?;
            let more = if alt_models.len() > 1 { format!("-and-{}-more", alt_models.len() - 1) } else { String::new() };
            let default = format!("compare-{}-vs-{}{more}", base_model.name, alt_models[0].name);
            let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(default));
            let staging = output::atomic::Staging::prepare(&dir)?;
            let (base_reps, _) = simulate(&base_model, spec, flags.quiet)?;
            let mut alt_reps = Vec::new();
            for m in &alt_models {
                alt_reps.push(simulate(m, spec, flags.quiet)?.0);
            }
            let pairs: Vec<(String, Vec<crate::compare::Paired>)> = alt_models
                .iter()
                .zip(&alt_reps)
                .map(|(m, r)| (m.name.clone(), crate::compare::paired(&base_model, &base_reps, m, r)))
                .collect();
            fn ran<'a>(m: &'a crate::model::Model, p: &Path, r: &'a [crate::stats::Kpis]) -> output::compare::Ran<'a> {
                output::compare::Ran {
                    model: m,
                    path: display_path(p),
                    reps: r,
                    sums: crate::reduce::Summaries::new(r),
                }
            }
            let base_ran = ran(&base_model, &base, &base_reps);
            let alt_ran: Vec<_> =
                alt_models.iter().zip(&alternatives).zip(&alt_reps).map(|((m, p), r)| ran(m, p, r)).collect();
            output::compare::write_compare(
                staging,
                &base_ran,
                &alt_ran,
                &pairs,
                spec.replications as usize,
                spec.seed,
            )?;
            for (name, rows) in &pairs {
                for metric in ["bed_occupancy_rate", "waits_over_12h_from_dta", "ed_4h_performance", "escalation_cost"]
                {
                    if let Some(p) = rows
                        .iter()
                        .find(|p| p.key.metric == metric && p.key.pool.is_empty() && p.key.specialty.is_empty())
                    {
                        println!(
                            "{name} - {}: {metric} {} (95% CI {} to {})",
                            base_model.name,
                            output::tables::num(p.diff.mean),
                            output::tables::num(p.diff.ci95_low),
                            output::tables::num(p.diff.ci95_high)
                        );
                    }
                }
            }
            eprintln!("bedflow: comparison -> {}", shown(&dir));
            Ok(())
        }
        Command::Sweep { scenario, set, target, flags } => {
            let (path, range) = set
                .split_once('=')
                .ok_or_else(|| Error::Usage(format!("--set expects PATH=A..B:STEP, found \"{set}\"")))?;
            crate::compare::check_sweep_path(path).map_err(Error::Usage)?;
            let (values, integer) = crate::compare::parse_range(range).map_err(Error::Usage)?;
            let target: Option<crate::compare::Target> = target.map(|t| t.parse().map_err(Error::Usage)).transpose()?;
            let literal = |v: f64| if integer { format!("{}", v.round() as i64) } else { format!("{v}") };
            // Validate every value's scenario before running any.
            let models = values
                .iter()
                .map(|&v| scenario::load_with(&scenario, &[(path.to_string(), literal(v))]))
                .collect::<Result<Vec<_>, _>>()?;
            let Some(first) = models.first() else { return Err(Error::Usage(format!("--set {set}: no values"))) };
            let spec = spec(first, &flags);
            // One value's replications are held at a time.
            for m in &models {
                scenario::size::check_kept(&[m], spec.replications).map_err(Error::Usage)?;
            }
            if let Some(t) = &target {
                // The KPI must exist before anything runs (its name, not its values).
                let layout = crate::stats::layout(first);
                if !layout.scalar.iter().any(|(k, _)| k.metric == t.metric) {
                    return Err(Error::Usage(format!("--target: no KPI named \"{}\"", t.metric.escape_debug())));
                }
            }
            let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(format!("sweep-{}", first.name)));
            let staging = output::atomic::Staging::prepare(&dir)?;
            let mut points = Vec::new();
            for (model, &value) in models.into_iter().zip(&values) {
                let (reps, _) = simulate(&model, spec, flags.quiet)?;
                let sums = crate::reduce::Summaries::new(&reps);
                points.push(output::compare::SweepPoint { value, model, sums });
            }
            if let Some(t) = &target
                && points.iter().all(|p| output::compare::target_summary(p, t, path).is_none())
            {
                return Err(Error::Usage(format!("--target: no KPI named \"{}\"", t.metric)));
            }
            let answer = target.as_ref().map(|t| output::compare::answer(&points, t, path));
            output::compare::write_sweep(staging, path, &points, target.as_ref(), answer.as_ref())?;
            if let Some(a) = &answer {
                println!("{}", for_terminal(&a.describe(path)));
            }
            eprintln!("bedflow: sweep of {} over {} values -> {}", for_terminal(path), values.len(), shown(&dir));
            Ok(())
        }
    }
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

/// Says so, with the numbers, before running a scenario whose demand exceeds its beds.
fn warn_overload(model: &crate::model::Model) {
    for msg in model.overloaded_pools() {
        eprintln!("warning: {}", for_terminal(&msg));
    }
}

fn spec(model: &crate::model::Model, flags: &RunFlags) -> RunSpec {
    RunSpec {
        replications: flags.replications.unwrap_or(model.replications),
        seed: flags.seed.unwrap_or(model.seed),
        threads: flags.threads.map_or_else(default_threads, usize::from),
    }
}

/// Runs the replications with a progress bar; returns them and the wall time.
fn simulate(model: &crate::model::Model, spec: RunSpec, quiet: bool) -> Result<(Vec<crate::stats::Kpis>, f64), Error> {
    let bar = progress_bar(spec.replications, quiet);
    let started = Instant::now();
    let reps = replicate::run(model, spec, &|| bar.inc(1))?;
    bar.finish_and_clear();
    Ok((reps, started.elapsed().as_secs_f64()))
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

/// A path for a message on the terminal (control characters escaped).
fn shown(p: &Path) -> String {
    for_terminal(&p.display().to_string())
}

/// A path as the user gave it, without `./` steps, so `small.toml` and
/// `./small.toml` give identical reports.
fn display_path(p: &Path) -> String {
    p.components().filter(|c| !matches!(c, std::path::Component::CurDir)).collect::<PathBuf>().display().to_string()
}

/// Escapes control characters (terminal escape sequences, bidi overrides)
/// that a scenario, a path or a part file could carry into an error message,
/// keeping line breaks: a message must never drive the user's terminal.
pub fn for_terminal(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
        if (c.is_control() && c != '\n' && c != '\t') || bidi {
            out.extend(c.escape_unicode());
        } else {
            out.push(c);
        }
    }
    out
}
