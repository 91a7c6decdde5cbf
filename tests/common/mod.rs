//! Helpers shared by the integration tests.
#![allow(dead_code)]

use bedflow::model::Model;
use bedflow::replicate::{self, RunSpec};
use bedflow::stats::Kpis;

/// Parses a scenario written inline in a test; panics with the diagnostics if invalid.
pub fn model(toml: &str) -> Model {
    match bedflow::scenario::parse_str(toml, "test.toml") {
        Ok(m) => m,
        Err(e) => panic!("{e}"),
    }
}

/// Runs the model's replications (seed and count from the scenario) on two threads.
pub fn run(model: &Model) -> Vec<Kpis> {
    let spec = RunSpec { replications: model.replications, seed: model.seed, threads: 2 };
    replicate::run(model, spec, &|| {}).expect("thread pool")
}

/// A KPI's values across replications.
pub fn values(model: &Model, reps: &[Kpis], metric: bedflow::stats::Metric, pool: Option<&str>) -> Vec<f64> {
    reps.iter().map(|r| r.get(model, metric, pool).unwrap_or_else(|| panic!("no KPI {metric}"))).collect()
}

pub fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Sample variance (n - 1 denominator).
pub fn variance(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() - 1) as f64
}

/// Standard error of the mean of independent replications.
pub fn standard_error(v: &[f64]) -> f64 {
    (variance(v) / v.len() as f64).sqrt()
}

/// Erlang B by the stable recursion B(0,a) = 1, B(k,a) = a B(k-1,a) / (k + a B(k-1,a)).
pub fn erlang_b(c: u32, a: f64) -> f64 {
    (1..=c).fold(1.0, |b, k| a * b / (f64::from(k) + a * b))
}

/// Erlang C: probability of waiting in M/M/c, C = c B / (c - a (1 - B)).
pub fn erlang_c(c: u32, a: f64) -> f64 {
    let b = erlang_b(c, a);
    f64::from(c) * b / (f64::from(c) - a * (1.0 - b))
}

/// Scenario text without the ED capacity lines (`spaces`, `corridor_spaces`,
/// `ambulance_share`): a department that never fills, for tests of the bed
/// side alone.
pub fn without_ed_capacity(text: &str) -> String {
    text.lines()
        .filter(|l| {
            !["spaces =", "corridor_spaces =", "ambulance_share =", "minors_spaces =", "minors_share ="]
                .iter()
                .any(|k| l.starts_with(k))
        })
        .map(|l| format!("{l}\n"))
        .collect()
}
