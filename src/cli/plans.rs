//! `compare` and `sweep`: several runs of a plan under common random numbers.

use super::{Error, RunFlags, display_path, for_terminal, shown, spec};
use crate::output;
use crate::scenario;
use std::path::{Path, PathBuf};

/// Runs the base and each alternative on the same streams; reports ALT - BASE.
pub(super) fn compare(base: PathBuf, alternatives: Vec<PathBuf>, flags: RunFlags) -> Result<(), Error> {
    // Validate every scenario before running any.
    let base_model = scenario::load(&base)?;
    let alt_models = alternatives.iter().map(|p| scenario::load(p)).collect::<Result<Vec<_>, _>>()?;
    refuse_shared_names(&base, &base_model, &alternatives, &alt_models)?;
    let spec = spec(&base_model, &flags);
    let all: Vec<&crate::model::Model> = std::iter::once(&base_model).chain(&alt_models).collect();
    scenario::size::check_compare(&all, spec.replications, spec.threads).map_err(Error::Usage)?;
    let more = if alt_models.len() > 1 { format!("-and-{}-more", alt_models.len() - 1) } else { String::new() };
    let default = format!("compare-{}-vs-{}{more}", base_model.name, alt_models[0].name);
    let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(default));
    let mut chain = Vec::new();
    for p in std::iter::once(&base).chain(&alternatives) {
        chain.extend(scenario::fingerprint::chain_files(p)?);
    }
    super::refuse_inputs_inside(&dir, &chain.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    let staging = output::atomic::Staging::prepare(&dir)?;
    // Month by month when a plan changes beds by date: the months before the
    // change show no difference (written only then, so comparisons of plans
    // without dated changes keep exactly their files).
    let dated = all.iter().any(|m| m.has_dated_capacity());
    let months_of = dated.then_some(&base_model);
    // Each scenario streams through a reducer as `run` does; only the base's
    // kept values (scalar KPIs, month means) stay while the plans run, and
    // each plan's are paired with them and dropped before the next runs, so
    // memory does not grow with plans x replications.
    let base_kept = simulate_kept(&base_model, spec, flags.quiet, months_of)?;
    // The finance workbook of each scenario with escalation or a plan cost,
    // as `run` writes it: `finance-NAME.xlsx` (one file given twice, once).
    let mut finance: Vec<(&crate::model::Model, crate::reduce::Summaries, output::RunInfo)> = Vec::new();
    add_finance(&mut finance, &base_model, &base, &base_kept.sums, spec)?;
    let mut pairs: Vec<(String, Vec<crate::compare::Paired>)> = Vec::new();
    let mut by_month: Vec<(String, Vec<crate::compare::MonthPaired>)> = Vec::new();
    let mut plans = Vec::new();
    for (m, p) in alt_models.iter().zip(&alternatives) {
        let kept = simulate_kept(m, spec, flags.quiet, months_of)?;
        let paired = crate::compare::paired(&base_model, &base_kept, m, &kept);
        plans.push(crate::decision::plan_result((&base_model, &base_kept), (m, &kept), &paired));
        if dated {
            by_month.push((m.name.clone(), crate::compare::paired_by_month(&base_model, &base_kept, m, &kept)));
        }
        pairs.push((m.name.clone(), paired));
        add_finance(&mut finance, m, p, &kept.sums, spec)?;
    }
    let plans = crate::decision::rank(plans);
    let base_ran = output::compare::Ran { model: &base_model, path: display_path(&base), sums: base_kept.sums };
    output::compare::write_compare(
        staging,
        &base_ran,
        &pairs,
        &plans,
        &finance,
        dated.then_some(by_month.as_slice()),
        spec.replications as usize,
        spec.seed,
    )?;
    print!("{}", output::decision::text(&base_model.name, spec.replications as usize, &plans));
    eprintln!("bedflow: comparison -> {}", shown(&dir));
    Ok(())
}

/// Adds `m`'s finance workbook to those `compare` writes, if it has costs
/// and no scenario of its name has one yet (one file given twice, once).
fn add_finance<'m>(
    finance: &mut Vec<(&'m crate::model::Model, crate::reduce::Summaries, output::RunInfo)>,
    m: &'m crate::model::Model,
    p: &Path,
    sums: &crate::reduce::Summaries,
    spec: crate::replicate::RunSpec,
) -> Result<(), Error> {
    if m.has_costs() && !finance.iter().any(|(seen, _, _)| seen.name == m.name) {
        let sha = scenario::fingerprint::fingerprint(p, &[])?;
        finance.push((m, sums.clone(), super::run_info(m, display_path(p), sha, spec, 0.0, 0)));
    }
    Ok(())
}

/// Two different scenario files under one name would be reported as one
/// plan (and a variant compared with "itself"): refused, naming both files.
/// The same file given twice is allowed (its differences are exactly zero).
fn refuse_shared_names(
    base: &Path,
    base_model: &crate::model::Model,
    alternatives: &[PathBuf],
    alt_models: &[crate::model::Model],
) -> Result<(), Error> {
    let all: Vec<(&Path, &str)> = std::iter::once((base, base_model.name.as_str()))
        .chain(alternatives.iter().map(PathBuf::as_path).zip(alt_models.iter().map(|m| m.name.as_str())))
        .collect();
    let same_file = |a: &Path, b: &Path| match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => a == b,
    };
    for (i, (p, name)) in all.iter().enumerate() {
        if let Some((q, _)) = all[..i].iter().find(|(q, n)| n == name && !same_file(q, p)) {
            return Err(Error::Usage(format!(
                "{} and {} are both named \"{name}\": give each plan its own [scenario] name (a plan that \
                 extends another without one is named after its file)",
                shown(q),
                shown(p)
            )));
        }
    }
    Ok(())
}

/// Runs the scenario at each value of one field; finds the smallest meeting a target.
pub(super) fn sweep(scenario: PathBuf, set: String, target: Option<String>, flags: RunFlags) -> Result<(), Error> {
    let (path, range) =
        set.split_once('=').ok_or_else(|| Error::Usage(format!("--set expects PATH=A..B:STEP, found \"{set}\"")))?;
    crate::compare::check_sweep_path(path).map_err(Error::Usage)?;
    let (values, integer) = crate::compare::parse_range(range).map_err(Error::Usage)?;
    let target: Option<crate::compare::Target> = target.map(|t| t.parse().map_err(Error::Usage)).transpose()?;
    // Whole numbers as integers while they are exact (below 2^53); beyond,
    // a float in exponent form (an integer field then refuses it by name),
    // never an integer cast that saturates to another value.
    let literal = |v: f64| {
        if integer && v.abs() < 9.0e15 { format!("{}", v.round() as i64) } else { format!("{v:e}") }
    };
    // Validate every value's scenario before running any, holding one at a
    // time: each is loaded, checked and dropped, and loaded again to run.
    let load = |v: f64| scenario::load_with(&scenario, &[(path.to_string(), literal(v))]);
    let Some(&first_value) = values.first() else { return Err(Error::Usage(format!("--set {set}: no values"))) };
    let first = load(first_value)?;
    let spec = spec(&first, &flags);
    // The target KPI must exist (its name, not its values); said after every value is checked.
    let target_problem = target.as_ref().and_then(|t| target_problem(&first, t));
    let name = first.name.clone();
    scenario::size::check_sweep(&first, values.len(), spec.replications, spec.threads).map_err(Error::Usage)?;
    drop(first);
    for &v in &values[1..] {
        let m = load(v)?;
        scenario::size::check_sweep(&m, values.len(), spec.replications, spec.threads).map_err(Error::Usage)?;
    }
    if let Some(problem) = target_problem {
        return Err(Error::Usage(problem));
    }
    let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(format!("sweep-{name}")));
    let chain = scenario::fingerprint::chain_files(&scenario)?;
    super::refuse_inputs_inside(&dir, &chain.iter().map(PathBuf::as_path).collect::<Vec<_>>())?;
    let staging = output::atomic::Staging::prepare(&dir)?;
    let mut points = Vec::new();
    for &value in &values {
        let model = load(value)?;
        // Streamed through a reducer as `run` does: memory does not grow with replications.
        let mut sums = simulate_kept(&model, spec, flags.quiet, None)?.sums;
        // A sweep reports scalar KPIs only.
        sums.daily = Vec::new();
        sums.monthly = Vec::new();
        points.push(output::compare::SweepPoint { value, names: crate::compare::Names::of(&model), sums });
    }
    let answer = target.as_ref().map(|t| output::compare::answer(&points, t, path));
    output::compare::write_sweep(staging, path, &points, target.as_ref(), answer.as_ref())?;
    if let Some(a) = &answer {
        println!("{}", for_terminal(&a.describe(path)));
    }
    eprintln!("bedflow: sweep of {} over {} values -> {}", for_terminal(path), values.len(), shown(&dir));
    Ok(())
}

/// What is wrong with `--target` for this scenario, if anything: a KPI it
/// does not report (the KPIs are listed), a pool it does not have, or a
/// trust-wide KPI asked of a pool. Checked before anything runs.
fn target_problem(model: &crate::model::Model, t: &crate::compare::Target) -> Option<String> {
    let layout = crate::stats::layout(model);
    if !layout.scalar.iter().any(|(k, _)| k.metric == t.metric) {
        let mut names: Vec<&str> = layout.scalar.iter().map(|(k, _)| k.metric.name()).collect();
        names.sort_unstable();
        names.dedup();
        return Some(format!("--target: this scenario does not report {}; its KPIs: {}", t.metric, names.join(", ")));
    }
    // A named pool must exist (else the trust's KPI would be used under its name).
    let pool = t.pool.as_ref()?;
    let Some(i) = model.pools.iter().position(|p| &p.name == pool) else {
        let names: Vec<String> = model.pools.iter().map(|p| format!("\"{}\"", p.name)).collect();
        return Some(format!(
            "--target: no pool named \"{}\" (names are case-sensitive); pools: {}",
            pool.escape_debug(),
            names.join(", ")
        ));
    };
    if !layout.scalar.iter().any(|(k, _)| k.metric == t.metric && k.pool() == Some(i)) {
        return Some(format!(
            "--target: {} is a trust-wide KPI, not one of pool \"{}\"",
            t.metric,
            pool.escape_debug()
        ));
    }
    None
}

/// Runs `model`'s replications in order through a [`crate::compare::Keeper`]
/// (one batch at a time, as `run` streams them), with the progress bar.
fn simulate_kept(
    model: &crate::model::Model,
    spec: crate::replicate::RunSpec,
    quiet: bool,
    months_of: Option<&crate::model::Model>,
) -> Result<crate::compare::Kept, Error> {
    let bar = super::progress_bar(spec.replications, quiet);
    let mut keeper = crate::compare::Keeper::new(months_of);
    crate::replicate::run_streaming(model, spec, &|| bar.inc(1), &mut |k| keeper.push(&k))?;
    bar.finish_and_clear();
    Ok(keeper.finish())
}
