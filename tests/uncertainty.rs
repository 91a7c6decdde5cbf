//! `[[uncertainty]]`: inputs multiplied by a factor drawn once per
//! replication, from streams of their own.

mod common;

use bedflow::scenario::parse_str;
use bedflow::stats::{Kpis, Metric};
use common::*;

fn winter(extra: &str, reps: u32) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/winter-2026-27.toml")).unwrap();
    format!("{}\n{extra}\n", text.replace("replications = 200 ", &format!("replications = {reps} ")))
}

fn all(m: &bedflow::model::Model, reps: &[Kpis], metric: Metric) -> Vec<f64> {
    reps.iter().map(|k| k.get(m, metric, None).unwrap()).collect()
}

/// A fixed factor of 0.5 is the same run as the input halved by hand, bit
/// for bit: the factor changes the input and nothing else (every other
/// random stream is untouched). For ED attendances, a route's rate, a
/// route's stays and a pathway's starts.
#[test]
fn a_fixed_factor_is_the_input_changed_by_hand() {
    let half = "factor = { dist = \"fixed\", value = 0.5 }";
    let cases = [
        ("ed.attendances_per_day", "attendances_per_day = 330.0", "attendances_per_day = 165.0"),
        ("admissions.GP-referred medical.per_day", "per_day = 12.0", "per_day = 6.0"),
        (
            "admissions.surgical (ED).stay_days",
            "stay_days = { dist = \"lognormal\", mean = 3.8, sd = 5.0 }",
            "stay_days = { dist = \"lognormal\", mean = 1.9, sd = 2.5 }",
        ),
        (
            "pathway.P2.starts_per_day",
            "starts_per_day = [5, 5, 5, 5, 5, 1, 0]",
            "starts_per_day = [3, 3, 3, 3, 3, 1, 0]",
        ),
    ];
    for (input, from, to) in cases {
        let base = winter("", 4);
        assert!(base.contains(from), "{from}");
        let uncertain = model(&winter(&format!("[[uncertainty]]\ninput = \"{input}\"\n{half}"), 4));
        let by_hand = model(&base.replacen(from, to, 1));
        let (a, b) = (run(&uncertain), run(&by_hand));
        for r in 0..4 {
            for metric in [Metric::EdAttendances, Metric::Admissions, Metric::MidnightOccupancy, Metric::NctrBedDays] {
                let (x, y) = (a[r].get(&uncertain, metric, None), b[r].get(&by_hand, metric, None));
                assert_eq!(x.map(f64::to_bits), y.map(f64::to_bits), "{input}, replication {r}, {metric}");
            }
        }
    }
}

/// The two levels: with attendances uncertain by a lognormal factor (mean 1,
/// sd 0.05), a winter's attendances vary across replications by the
/// Poisson part plus the factor's: Var = E[N] + (0.05 E[N])^2 (the
/// seasonality and profiles are fixed). With 400 replications the sample
/// variance is within its chi-square 1e-4 bounds of that (for a normal
/// approximation of the total: 0.72x to 1.33x at 399 degrees of freedom),
/// and far above the Poisson part alone.
#[test]
fn uncertain_attendances_add_their_variance() {
    let extra =
        "[[uncertainty]]\ninput = \"ed.attendances_per_day\"\nfactor = { dist = \"lognormal\", mean = 1.0, sd = 0.05 }";
    let text = winter(extra, 400)
        .replace("warmup_days = 60", "warmup_days = 0")
        .replace("[[pool]]\nname = \"medicine\"\nbeds = 395", "[[pool]]\nname = \"medicine\"\nbeds = 3950");
    let m = model(&text);
    let n = all(&m, &run(&m), Metric::EdAttendances);
    let mean = mean(&n);
    let var = n.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n.len() as f64 - 1.0);
    let predicted = mean + (0.05 * mean).powi(2);
    assert!(var > 0.72 * predicted && var < 1.33 * predicted, "variance {var}, predicted {predicted}");
    assert!(var > 20.0 * mean, "the factor's part dominates: {var} vs Poisson {mean}");
}

/// Common random numbers hold: two scenarios with the same uncertain input
/// (here differing in medicine's beds) draw the same factor in each
/// replication, so their ED attendances are identical replication by
/// replication; the factors do not depend on the thread count.
#[test]
fn factors_are_common_to_scenarios_and_threads() {
    let extra =
        "[[uncertainty]]\ninput = \"ed.attendances_per_day\"\nfactor = { dist = \"uniform\", min = 0.9, max = 1.1 }";
    let a = model(&winter(extra, 8));
    let b = model(&winter(extra, 8).replace("beds = 395", "beds = 420"));
    let (ra, rb) = (run(&a), run(&b));
    assert_eq!(all(&a, &ra, Metric::EdAttendances), all(&b, &rb, Metric::EdAttendances));
    let plain = model(&winter("", 8));
    assert_ne!(all(&a, &ra, Metric::EdAttendances), all(&plain, &run(&plain), Metric::EdAttendances));
    let one = bedflow::replicate::run(&a, bedflow::replicate::RunSpec { replications: 8, seed: 1, threads: 1 }, &|| {})
        .unwrap();
    let two = bedflow::replicate::run(&a, bedflow::replicate::RunSpec { replications: 8, seed: 1, threads: 2 }, &|| {})
        .unwrap();
    assert_eq!(all(&a, &one, Metric::MidnightOccupancy), all(&a, &two, Metric::MidnightOccupancy));
    let streams = bedflow::engine::rng::Streams::new(1);
    let f: Vec<f64> = (0..2000).map(|r| bedflow::replicate::uncertain_factors(&a, &streams, r)[0]).collect();
    // Uniform 0.9-1.1: mean 1, sd 0.2 / sqrt(12) = 0.0577; 4 standard errors.
    assert!((mean(&f) - 1.0).abs() < 4.0 * 0.0577 / 2000f64.sqrt(), "{}", mean(&f));
    assert!(f.iter().all(|x| (0.9..=1.1).contains(x)));
}

#[test]
fn bad_uncertain_inputs_are_refused() {
    for (extra, want) in [
        ("input = \"ed.spaces\"\nfactor = { dist = \"fixed\", value = 1.0 }", "expected one of"),
        ("input = \"admissions.medical (ED).per_day\"\nfactor = { dist = \"fixed\", value = 1.0 }", "is an ED route"),
        (
            "input = \"admissions.nobody.stay_days\"\nfactor = { dist = \"fixed\", value = 1.0 }",
            "no [[admissions]] route",
        ),
        ("input = \"pathway.P3.starts_per_day\"\nfactor = { dist = \"fixed\", value = 1.0 }", "has no starts_per_day"),
        ("input = \"ed.attendances_per_day\"\nfactor = { dist = \"fixed\", value = 0.0 }", "mean above 0"),
        ("input = \"ed.attendances_per_day\"", "uncertainty[1].factor"),
    ] {
        let e = parse_str(&winter(&format!("[[uncertainty]]\n{extra}"), 4), "bad.toml").unwrap_err().to_string();
        assert!(e.contains(want), "{extra}: {e}");
    }
}
