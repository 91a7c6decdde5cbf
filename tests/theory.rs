//! The engine against queueing theory (see ../shared/reference/validation.md).
//!
//! Every tolerance is a multiple of a standard error. `Z` = 4 standard errors
//! gives a two-sided false-alarm rate of about 6e-5 per check, with fixed seeds
//! so a run either always passes or always fails.

mod common;
use common::*;

/// Standard errors allowed between simulation and theory.
const Z: f64 = 4.0;

/// A single pool fed by one Poisson stream of direct admissions.
fn single_pool(per_day: f64, stay: &str, beds: u32, when_full: &str, warmup: u32, days: u32, reps: u32) -> String {
    let end = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(days as u64 - 1);
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
    let r = R as f64;
    let se_mean = (m / r).sqrt();
    let mu4 = m * (1.0 + 3.0 * m);
    let se_var = ((mu4 - m * m * (r - 3.0) / (r - 1.0)) / r).sqrt();
    for stay in ["{ dist = \"lognormal\", mean = 5.0, sd = 8.0 }", "{ dist = \"exponential\", mean = 5.0 }"] {
        let model = model(&single_pool(LAMBDA, stay, 100_000, "queue", 300, 1, R));
        let reps = run(&model);
        let census = values(&model, &reps, "midnight_occupancy", Some("beds"));
        let (mean, var) = (mean(&census), variance(&census));
        eprintln!("M/G/inf {stay}: mean {mean:.3} var {var:.3} (theory {m}, SE {se_mean:.3} / {se_var:.3})");
        assert!((mean - m).abs() < Z * se_mean, "{stay}: mean {mean} vs {m}");
        assert!((var - m).abs() < Z * se_var, "{stay}: variance {var} vs {m}");
    }
}

/// Erlang B: a pool that turns patients away when full (M/G/c/c) loses the
/// share B(c, a) of them, for exponential and lognormal stays of the same mean
/// (insensitivity). By PASTA the pool is also full for the share B of the time.
/// c = 10 beds, a = 8 (8 a day, 1-day stays): B = 0.121661 (reference value).
/// The standard error is measured across 40 independent replications of
/// 1000 days each (about 8000 admissions requests each).
#[test]
fn erlang_b_blocking_for_exponential_and_lognormal_stays() {
    const BEDS: u32 = 10;
    const LOAD: f64 = 8.0;
    let b = erlang_b(BEDS, LOAD);
    assert!((b - 0.121661).abs() < 1e-6, "Erlang B recursion {b}");
    for stay in ["{ dist = \"exponential\", mean = 1.0 }", "{ dist = \"lognormal\", mean = 1.0, sd = 2.0 }"] {
        let model = model(&single_pool(LOAD, stay, BEDS, "divert", 30, 1000, 40));
        let reps = run(&model);
        let blocked = values(&model, &reps, "diverted_share", Some("beds"));
        let full = values(&model, &reps, "share_of_time_full", Some("beds"));
        let (mb, se_b) = (mean(&blocked), standard_error(&blocked));
        let (mf, se_f) = (mean(&full), standard_error(&full));
        eprintln!("Erlang B {stay}: diverted {mb:.5} (SE {se_b:.5}), time full {mf:.5} (SE {se_f:.5}), theory {b:.5}");
        // The SE must be small enough for the test to mean something (power check).
        assert!(se_b < 0.01 * b * 2.0, "SE {se_b} too large for a useful test");
        assert!((mb - b).abs() < Z * se_b, "{stay}: diverted share {mb} vs Erlang B {b}");
        assert!((mf - b).abs() < Z * se_f, "{stay}: time full {mf} vs Erlang B {b}");
    }
}

/// Erlang C: exponential stays with a first-come-first-served queue (M/M/c).
/// Mean wait for a bed = C(c, a) / (c mu - lambda). c = 10, lambda = 8/day,
/// mu = 1/day: C = 0.40918, mean wait = 0.20459 days = 4.910 hours. Standard
/// error across 30 replications of 2000 days.
#[test]
fn erlang_c_mean_bed_wait() {
    const BEDS: u32 = 10;
    const LAMBDA: f64 = 8.0;
    let c = erlang_c(BEDS, LAMBDA);
    let wait_hours = c / (BEDS as f64 * 1.0 - LAMBDA) * 24.0;
    let model = model(&single_pool(LAMBDA, "{ dist = \"exponential\", mean = 1.0 }", BEDS, "queue", 50, 2000, 30));
    let reps = run(&model);
    let waits = values(&model, &reps, "bed_wait_hours_mean", Some("beds"));
    let (m, se) = (mean(&waits), standard_error(&waits));
    eprintln!("Erlang C: mean wait {m:.4} h (SE {se:.4}), theory {wait_hours:.4} h, C = {c:.5}");
    assert!(se < 0.05 * wait_hours, "SE {se} too large for a useful test");
    assert!((m - wait_hours).abs() < Z * se, "mean wait {m} h vs Erlang C {wait_hours} h");
}

/// Little's law inside one run: time-average number in beds = throughput x
/// mean length of stay, and time-average number waiting = request rate x mean
/// wait. Over a finite window the two sides differ only by the patients
/// present at its start and end; each edge contributes about
/// L x E[S^2] / (2 E[S]) bed-days, so the relative gap is bounded by about
/// E[S^2] / (E[S] T). We allow 3 times that.
#[test]
fn littles_law_within_one_run() {
    const DAYS: u32 = 3000;
    // Beds: lognormal stays, mean 5, sd 8; queue side: the Erlang C system.
    let model_a =
        model(&single_pool(20.0, "{ dist = \"lognormal\", mean = 5.0, sd = 8.0 }", 100_000, "queue", 100, DAYS, 1));
    let reps = run(&model_a);
    let k = &reps[0];
    let l = k.get(&model_a, "time_average_occupancy", Some("beds")).unwrap();
    let throughput = k.get(&model_a, "discharges", Some("beds")).unwrap() / DAYS as f64;
    let w = k.get(&model_a, "length_of_stay_days_mean", Some("beds")).unwrap();
    let tolerance = 3.0 * (8.0f64.powi(2) + 5.0f64.powi(2)) / (5.0 * DAYS as f64);
    eprintln!("Little (beds): L {l:.3} vs lambda W {:.3}, tolerance {tolerance:.4}", throughput * w);
    assert!((l - throughput * w).abs() / l < tolerance);

    let model_b = model(&single_pool(8.0, "{ dist = \"exponential\", mean = 1.0 }", 10, "queue", 50, DAYS, 1));
    let reps = run(&model_b);
    let k = &reps[0];
    let lq = k.get(&model_b, "boarders_time_average", Some("beds")).unwrap();
    let rate = k.get(&model_b, "bed_requests", Some("beds")).unwrap() / DAYS as f64;
    let wq = k.get(&model_b, "bed_wait_hours_mean", Some("beds")).unwrap() / 24.0;
    // Waits are short (hours), so the edge effect is tiny: E[W^2]/(E[W] T) with
    // W roughly exponential (mean 0.5 day when waiting) is about 1/T.
    let tolerance = 3.0 * 2.0 * 0.5 / DAYS as f64 * 10.0;
    eprintln!("Little (queue): Lq {lq:.4} vs lambda Wq {:.4}, tolerance {tolerance:.4}", rate * wq);
    assert!((lq - rate * wq).abs() / lq < tolerance);
}
