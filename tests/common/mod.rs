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

/// Student's t quantile with `n - 1` degrees of freedom for a two-sided
/// false-alarm rate `alpha` (n replications).
pub fn t_quantile(n: usize, alpha: f64) -> f64 {
    use statrs::distribution::{ContinuousCDF, StudentsT};
    StudentsT::new(0.0, 1.0, (n - 1) as f64).unwrap().inverse_cdf(1.0 - alpha / 2.0)
}

/// Half-width of the two-sided `1 - alpha` t interval of the mean of `values`.
pub fn t_half_width(values: &[f64], alpha: f64) -> f64 {
    t_quantile(values.len(), alpha) * standard_error(values)
}

/// A theory check: the mean of `values` (one per replication) equals
/// `expected` within a t interval at false-alarm rate 1e-4, and that interval
/// is under `power` of `expected` (so a real bug of that size cannot hide).
pub fn assert_mean_matches_theory(what: &str, values: &[f64], expected: f64, power: f64) {
    let (m, tol) = (mean(values), t_half_width(values, 1e-4));
    eprintln!("{what}: mean {m:.4} (+/- {tol:.4}), theory {expected:.4}");
    assert!(tol < power * expected, "{what}: tolerance {tol} too wide for a useful test");
    assert!((m - expected).abs() < tol, "{what}: mean {m} vs theory {expected}");
}

/// Runs each of the model's replications on one engine and checks that every
/// specialty's waiting list is conserved: initial + referrals = treated +
/// still waiting at the end. Returns the outcomes for further checks.
pub fn assert_waiting_lists_conserved(model: &Model) -> Vec<bedflow::engine::Outcome> {
    let plan = bedflow::engine::Plan::new(model);
    let streams = bedflow::engine::rng::Streams::new(model.seed);
    let mut engine = bedflow::engine::Engine::new(&plan);
    (0..model.replications)
        .map(|r| {
            let out = engine.run(&streams, r);
            for e in &out.electives {
                assert_eq!(e.initial_total + e.referred_total, e.treated_total + e.waiting_end, "replication {r}");
            }
            out
        })
        .collect()
}
