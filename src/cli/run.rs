//! `run` (whole or one shard), `merge` and `check`: one scenario, one set of results.

use super::{Error, RunFlags, display_path, parse_shard, progress_bar, run_info, shown, spec, warn_overload};
use crate::output;
use crate::replicate;
use crate::scenario::{self, fingerprint};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// The run's fingerprint: the scenario chain's, and with a census the
/// census file's too (so `merge` refuses parts of runs from different
/// censuses). Unchanged for a scenario without a census.
fn with_census(chain: String, model: &crate::model::Model) -> String {
    use sha2::{Digest, Sha256};
    match &model.census {
        None => chain,
        Some(c) => Sha256::digest(format!("{chain}\ncensus {}", c.sha256)).iter().map(|b| format!("{b:02x}")).collect(),
    }
}

/// Validates a scenario and says what it holds; runs nothing.
pub(super) fn check(scenario: PathBuf) -> Result<(), Error> {
    let model = scenario::load(&scenario)?;
    warn_overload(&model);
    let count = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    println!(
        "{}: ok: scenario \"{}\", {} to {} ({} days, {} warm-up), {}, {}",
        shown(&scenario),
        model.name,
        model.start,
        model.end,
        model.reported_days(),
        model.warmup_days,
        count(model.pools.len(), "pool", "pools"),
        count(model.routes.len(), "admission route", "admission routes")
    );
    Ok(())
}

/// Simulates a scenario and publishes every output file.
pub(super) fn run(scenario: PathBuf, census: Option<PathBuf>, flags: RunFlags) -> Result<(), Error> {
    let model = match census {
        Some(file) => {
            let mut model = scenario::load_without_census(&scenario)?;
            model.census = Some(scenario::census::read(&file, &model)?);
            model
        }
        None => scenario::load(&scenario)?,
    };
    let scenario_sha256 = with_census(fingerprint::fingerprint(&scenario, &[])?, &model);
    warn_overload(&model);
    let spec = spec(&model, &flags);
    let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(&model.name));
    scenario::size::check_replications(&model, spec.replications, spec.threads).map_err(Error::Usage)?;
    let chain = fingerprint::chain_files(&scenario)?;
    super::refuse_inputs_inside(&dir, &chain.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
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
    let info = run_info(&model, display_path(&scenario), scenario_sha256, spec, wall, events);
    output::write_run(staging, &model, &results, &info)?;
    eprintln!(
        "bedflow: {} replication{} of \"{}\" in {:.2} s ({:.1} M events/s, {} thread{}) -> {}",
        spec.replications,
        if spec.replications == 1 { "" } else { "s" },
        model.name,
        wall,
        info.events_per_second / 1e6,
        spec.threads,
        if spec.threads == 1 { "" } else { "s" },
        shown(&dir)
    );
    Ok(())
}

/// Runs one shard of the replications into a part file.
pub(super) fn shard(scenario: PathBuf, shard: String, flags: RunFlags) -> Result<(), Error> {
    use output::shard::{self as part, ShardError};
    let (k, n) = parse_shard(&shard)?;
    let model = scenario::load(&scenario)?;
    warn_overload(&model);
    let spec = spec(&model, &flags);
    // Every check of the part's path before simulating.
    let path =
        flags.out.clone().unwrap_or_else(|| Path::new("output").join(format!("{}.shard-{k}-of-{n}.part", model.name)));
    part::check_out(&path, &fingerprint::chain_files(&scenario)?)?;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .map_err(|source| ShardError::Write { path: parent.display().to_string(), source })?;
    }
    let meta = part::PartMeta {
        scenario_path: display_path(&scenario),
        scenario_sha256: with_census(fingerprint::fingerprint(&scenario, &[])?, &model),
        seed: spec.seed,
        replications: spec.replications,
        shard: k,
        shards: n,
    };
    let layout = part::Layout::of_model(&model);
    // A shard may be empty (more shards than replications); its part merges like any other.
    let indices = part::shard_indices(k, n, spec.replications);
    scenario::size::check_kept(&[&model], indices.len() as u32, spec.threads).map_err(Error::Usage)?;
    let bar = progress_bar(indices.len() as u32, flags.quiet);
    let reps = replicate::run_indices(&model, spec, &indices, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let reps: Vec<(u32, crate::stats::Kpis)> = indices.into_iter().zip(reps).collect();
    part::write_part(&path, &meta, &layout, &reps)?;
    eprintln!("bedflow: shard {k}/{n}: {} replications -> {}", reps.len(), shown(&path));
    Ok(())
}

/// Merges the parts of a sharded run into the outputs one machine would write.
pub(super) fn merge(parts: Vec<PathBuf>, out: Option<PathBuf>, scenario: Option<PathBuf>) -> Result<(), Error> {
    use output::shard;
    // The first part's header names the scenario. When the scenario is the one
    // the shards ran, the first part's KPI layout is checked against it before
    // any other part is read; then every header, before any body: the parts
    // must make one run.
    let first = shard::first_part(&parts)?;
    let path = scenario.unwrap_or_else(|| PathBuf::from(&first.header.scenario_path));
    let model = scenario::load(&path)?;
    let unchanged = with_census(fingerprint::fingerprint(&path, &[])?, &model) == first.header.scenario_sha256;
    let layout = shard::Layout::of_model(&model);
    let parts = shard::open_parts(&parts, first, unchanged.then_some(&layout))?;
    let header = parts.header.clone();
    if !unchanged {
        return Err(Error::Usage(format!(
            "{} (or a scenario it extends, or its census) has changed since the shards ran (the SHA-256 of its \
             extends chain differs); merge with the scenario files they ran",
            path.display()
        )));
    }
    let dir = out.unwrap_or_else(|| Path::new("output").join(&model.name));
    let staging = output::atomic::Staging::prepare(&dir)?;
    let out_err = |source| output::OutputError { path: dir.display().to_string(), source };
    let mut reducer = crate::reduce::Reducer::with_folder(staging.path(), &model).map_err(out_err)?;
    parts.stream(&layout, &mut |k| reducer.push(&k))?;
    let results = reducer.try_finish().map_err(out_err)?;
    let events = results.events;
    // A merge records no timing: the shards ran elsewhere.
    let spec = crate::replicate::RunSpec { replications: header.replications, seed: header.seed, threads: 0 };
    let info = run_info(&model, header.scenario_path.clone(), header.scenario_sha256.clone(), spec, 0.0, events);
    output::write_run(staging, &model, &results, &info)?;
    eprintln!("bedflow: merged {} shards, {} replications -> {}", header.shards, header.replications, shown(&dir));
    Ok(())
}
