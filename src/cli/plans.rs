//! `compare` and `sweep`: several runs of a plan under common random numbers.

use super::{Error, RunFlags, display_path, for_terminal, shown, simulate, spec};
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
        output::compare::Ran { model: m, path: display_path(p), reps: r, sums: crate::reduce::Summaries::new(r) }
    }
    let base_ran = ran(&base_model, &base, &base_reps);
    // The finance workbook of each scenario with escalation or a plan cost,
    // as `run` writes it: `finance-NAME.xlsx` (one file given twice, once).
    let mut finance: Vec<(&crate::model::Model, crate::reduce::Summaries, output::RunInfo)> = Vec::new();
    let scenarios = std::iter::once((&base_model, &base, base_reps.as_slice()))
        .chain(alt_models.iter().zip(&alternatives).zip(&alt_reps).map(|((m, p), r)| (m, p, r.as_slice())));
    for (m, p, r) in scenarios {
        if m.has_costs() && !finance.iter().any(|(seen, _, _)| seen.name == m.name) {
            let sha = scenario::fingerprint::fingerprint(p, &[])?;
            finance.push((m, crate::reduce::Summaries::new(r), super::run_info(m, display_path(p), sha, spec, 0.0, 0)));
        }
    }
    // Month by month when a plan changes beds by date: the months before the
    // change show no difference (written only then, so comparisons of plans
    // without dated changes keep exactly their files).
    let dated = all.iter().any(|m| m.has_dated_capacity());
    let by_month: Option<Vec<(String, Vec<crate::compare::MonthPaired>)>> = dated.then(|| {
        alt_models
            .iter()
            .zip(&alt_reps)
            .map(|(m, r)| (m.name.clone(), crate::compare::paired_by_month(&base_model, &base_reps, m, r)))
            .collect()
    });
    let alts: Vec<(&crate::model::Model, &[crate::stats::Kpis])> =
        alt_models.iter().zip(&alt_reps).map(|(m, r)| (m, r.as_slice())).collect();
    let plans = crate::decision::decide((&base_model, &base_reps), &alts, &pairs);
    output::compare::write_compare(
        staging,
        &base_ran,
        &pairs,
        &plans,
        &finance,
        by_month.as_deref(),
        spec.replications as usize,
        spec.seed,
    )?;
    print!("{}", output::decision::text(&base_model.name, spec.replications as usize, &plans));
    eprintln!("bedflow: comparison -> {}", shown(&dir));
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
        let (reps, _) = simulate(&model, spec, flags.quiet)?;
        let mut sums = crate::reduce::Summaries::new(&reps);
        drop(reps);
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
