//! The engine against queueing theory (see ../shared/reference/validation.md).
//!
//! Every tolerance is a quantile times a standard error, chosen so that a
//! correct engine fails a check with probability [`ALPHA`] (two-sided) over
//! the choice of seed: the normal quantile where the standard error comes from
//! theory, Student's t with n - 1 degrees of freedom where it is estimated
//! from n replications. Seeds are fixed, so a run always passes or always
//! fails. Each test also checks its power: the tolerance must be a small
//! share of the quantity tested (stated per test), so a real bug of that size
//! cannot hide inside it.

mod common;
use bedflow::stats::Metric;
use common::*;
use statrs::distribution::{ContinuousCDF, Normal};

/// Probability that a correct engine fails one check (two-sided).
const ALPHA: f64 = 1e-4;

/// Quantile for a standard error known from theory (3.89 for ALPHA = 1e-4).
fn z_quantile() -> f64 {
    Normal::new(0.0, 1.0).unwrap().inverse_cdf(1.0 - ALPHA / 2.0)
}

/// Quantile for a standard error estimated from `n` replications (4.03 at n = 200).
fn t_quantile(n: usize) -> f64 {
    common::t_quantile(n, ALPHA)
}

/// A single pool fed by one Poisson stream of direct admissions.
fn single_pool(per_day: f64, stay: &str, beds: u32, when_full: &str, warmup: u32, days: u32, reps: u32) -> String {
    let end = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(days) - 1);
    format!(
        r#"
[scenario]
name = "theory"
start = "2026-01-01"
end = "{end}"
warmup_days = {warmup}
replications = {reps}
seed = 20261123

[[admissions]]
name = "emergency"
source = "direct"
per_day = {per_day}
pool = "beds"
stay_days = {stay}

[[pool]]
name = "beds"
beds = {beds}
when_full = "{when_full}"
"#
    )
}

/// M/G/inf: with beds far above demand, the midnight census is Poisson with
/// mean lambda x E[stay], whatever the stay distribution. One reported day per
/// replication makes the replications' censuses independent draws.
///
/// lambda = 10/day, E[stay] = 5 days: mean = variance = 50. The 300-day warm-up
/// leaves a bias of lambda x E[(S - 300)+] < 0.002 beds for the lognormal
/// (sd 8) and e^-60 for the exponential, below 0.02 standard errors.
/// With R = 4000 replications: SE(mean) = sqrt(50/R) = 0.11; SE(sample
/// variance) = sqrt((mu4 - sigma^4 (R-3)/(R-1)) / R) with the Poisson fourth
/// central moment mu4 = m (1 + 3m), = 1.12.
#[test]
fn m_g_inf_occupancy_is_poisson() {
    const R: u32 = 4000;
    const LAMBDA: f64 = 10.0;
    const MEAN_STAY: f64 = 5.0;
    let m = LAMBDA * MEAN_STAY;
    let r = f64::from(R);
    let se_mean = (m / r).sqrt();
    let mu4 = m * (1.0 + 3.0 * m);
    let se_var = ((mu4 - m * m * (r - 3.0) / (r - 1.0)) / r).sqrt();
    for stay in ["{ dist = \"lognormal\", mean = 5.0, sd = 8.0 }", "{ dist = \"exponential\", mean = 5.0 }"] {
        let model = model(&single_pool(LAMBDA, stay, 100_000, "queue", 300, 1, R));
        let reps = run(&model);
        let census = values(&model, &reps, Metric::MidnightOccupancy, Some("beds"));
        let (mean, var) = (mean(&census), variance(&census));
        eprintln!("M/G/inf {stay}: mean {mean:.3} var {var:.3} (theory {m}, SE {se_mean:.3} / {se_var:.3})");
        let z = z_quantile();
        assert!((mean - m).abs() < z * se_mean, "{stay}: mean {mean} vs {m}");
        assert!((var - m).abs() < z * se_var, "{stay}: variance {var} vs {m}");
    }
}

/// Erlang B: a pool that turns patients away when full (M/G/c/c) loses the
/// share B(c, a) of them, for exponential and lognormal stays of the same mean
/// (insensitivity). By PASTA the pool is also full for the share B of the time.
/// c = 10 beds, a = 8 (8 a day, 1-day stays): B = 0.121661 (reference value).
/// The standard error is estimated across 200 independent replications of
/// 1000 days each (about 8000 requests each; a binomial share over 8000
/// correlated requests has SE about 0.005, so SE of the mean is about 0.0004).
/// Power: the tolerance (t quantile x SE) must be under 2.5% of B.
#[test]
fn erlang_b_blocking_for_exponential_and_lognormal_stays() {
    const BEDS: u32 = 10;
    const LOAD: f64 = 8.0;
    let b = erlang_b(BEDS, LOAD);
    assert!((b - 0.121661).abs() < 1e-6, "Erlang B recursion {b}");
    for stay in ["{ dist = \"exponential\", mean = 1.0 }", "{ dist = \"lognormal\", mean = 1.0, sd = 2.0 }"] {
        let model = model(&single_pool(LOAD, stay, BEDS, "divert", 30, 1000, 200));
        let reps = run(&model);
        let blocked = values(&model, &reps, Metric::DivertedShare, Some("beds"));
        let full = values(&model, &reps, Metric::ShareOfTimeFull, Some("beds"));
        let t = t_quantile(blocked.len());
        let (mb, tol_b) = (mean(&blocked), t * standard_error(&blocked));
        let (mf, tol_f) = (mean(&full), t * standard_error(&full));
        eprintln!(
            "Erlang B {stay}: diverted {mb:.5} (+/- {tol_b:.5}), time full {mf:.5} (+/- {tol_f:.5}), theory {b:.5}"
        );
        assert!(tol_b < 0.025 * b && tol_f < 0.025 * b, "tolerance {tol_b} / {tol_f} too wide for a useful test");
        assert!((mb - b).abs() < tol_b, "{stay}: diverted share {mb} vs Erlang B {b}");
        assert!((mf - b).abs() < tol_f, "{stay}: time full {mf} vs Erlang B {b}");
    }
}

/// Erlang C: exponential stays with a first-come-first-served queue (M/M/c).
/// Mean wait for a bed = C(c, a) / (c mu - lambda). c = 10, lambda = 8/day,
/// mu = 1/day: C = 0.40918, mean wait = 0.20459 days = 4.910 hours. Standard
/// error estimated across 1000 replications of 2000 days (waits are strongly
/// autocorrelated at 80% load: each replication's mean wait has a standard
/// deviation near 0.73 h, so the mean of 1000 has SE near 0.023 h; about 3 s
/// on two cores). Power: the tolerance must be under 3% of the mean wait
/// (0.15 h), where 4 standard errors of 30 replications allowed 0.53 h. (With
/// this seed the first 200 replications alone sit 3.1 SE low, a 1-in-600
/// event for a correct engine, so 200 would have raised a false alarm; all
/// 1000 sit 0.6 SE low.)
#[test]
fn erlang_c_mean_bed_wait() {
    const BEDS: u32 = 10;
    const LAMBDA: f64 = 8.0;
    let c = erlang_c(BEDS, LAMBDA);
    let wait_hours = c / (f64::from(BEDS) * 1.0 - LAMBDA) * 24.0;
    let model = model(&single_pool(LAMBDA, "{ dist = \"exponential\", mean = 1.0 }", BEDS, "queue", 50, 2000, 1000));
    let reps = run(&model);
    let waits = values(&model, &reps, Metric::BedWaitHoursMean, Some("beds"));
    let (m, tol) = (mean(&waits), t_quantile(waits.len()) * standard_error(&waits));
    eprintln!("Erlang C: mean wait {m:.4} h (+/- {tol:.4}), theory {wait_hours:.4} h, C = {c:.5}");
    assert!(tol < 0.03 * wait_hours, "tolerance {tol} h too wide for a useful test");
    assert!((m - wait_hours).abs() < tol, "mean wait {m} h vs Erlang C {wait_hours} h");
}

/// Little's law, L = lambda W, for the beds (time-average occupancy against
/// throughput x mean stay, lognormal stays) and for the queue (time-average
/// boarders against request rate x mean bed wait, the Erlang C system).
///
/// Over a finite window the two sides differ only through the patients
/// present at its edges: those in beds (or waiting) at the start, whose time
/// before the window counts in W but not in L, and those at the end, whose
/// time inside the window counts in L but not in W. After a warm-up the
/// system is stationary, so the two edges have the same expected size and the
/// expected gap L - lambda W is zero (up to the few stays longer than the
/// warm-up: P(S > 100 days) = 6e-4 for this lognormal, a bias below 1e-5 of
/// L). So the test is the same as the others: the gap's mean over 100
/// replications is zero within a t quantile of its standard error. Power: the
/// tolerance must be under 0.5% of L (beds) and 2% of Lq (queue), so an
/// occupancy or wait that is wrong by a few percent fails.
#[test]
fn littles_law_gap_is_zero_on_average() {
    const DAYS: u32 = 1000;
    const R: u32 = 100;
    let beds =
        model(&single_pool(20.0, "{ dist = \"lognormal\", mean = 5.0, sd = 8.0 }", 100_000, "queue", 100, DAYS, R));
    let queue = model(&single_pool(8.0, "{ dist = \"exponential\", mean = 1.0 }", 10, "queue", 50, DAYS, R));
    let cases = [
        (&beds, Metric::TimeAverageOccupancy, Metric::Discharges, Metric::LengthOfStayDaysMean, 1.0, 0.005),
        (&queue, Metric::BoardersTimeAverage, Metric::BedRequests, Metric::BedWaitHoursMean, 24.0, 0.02),
    ];
    for (m, l_metric, count, w_metric, w_per_day, power) in cases {
        let reps = run(m);
        let (mut gaps, mut ls) = (Vec::new(), Vec::new());
        for k in &reps {
            let l = k.get(m, l_metric, Some("beds")).unwrap();
            let rate = k.get(m, count, Some("beds")).unwrap() / f64::from(DAYS);
            let w = k.get(m, w_metric, Some("beds")).unwrap() / w_per_day;
            gaps.push(l - rate * w);
            ls.push(l);
        }
        let (gap, tol, l) = (mean(&gaps), t_quantile(gaps.len()) * standard_error(&gaps), mean(&ls));
        eprintln!("Little ({l_metric}): L {l:.4}, mean gap L - lambda W {gap:.5} (+/- {tol:.5})");
        assert!(tol < power * l, "tolerance {tol} too wide for a useful test of L = {l}");
        assert!(gap.abs() < tol, "{l_metric}: L - lambda W = {gap} on average, beyond {tol}");
    }
}
