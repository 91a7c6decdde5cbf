//! Bank holidays move demand (`bank_holiday_displacement`) and demand grows
//! (`growth_per_year`): hand-worked day multipliers, conservation of
//! arrivals over the Christmas fortnight, and refused fields.

mod common;

use bedflow::scenario::parse_str;
use chrono::NaiveDate;
use common::*;

/// A trust with only a GP stream (12 a day, flat weekdays) over Christmas
/// 2026: Christmas Day is a Friday, Boxing Day's substitute Monday 28 December.
fn scenario(extra: &str, holidays: &str) -> String {
    format!(
        r#"
[scenario]
name = "holidays"
start = "2026-12-14"
end = "2027-01-10"
warmup_days = 0
replications = 400
seed = 7

[calendar]
bank_holidays = "{holidays}"

[[admissions]]
name = "GP"
source = "direct"
per_day = 12.0
bank_holiday_factor = 0.4
{extra}
pool = "beds"
stay_days = {{ dist = "fixed", value = 0.5 }}

[[pool]]
name = "beds"
beds = 500
"#
    )
}

fn multipliers(text: &str) -> (bedflow::model::Model, Vec<f64>) {
    let m = parse_str(text, "holidays.toml").unwrap();
    let bedflow::model::RouteSource::Direct { profile, .. } = &m.routes[0].source else { panic!() };
    let days = m.reported_days();
    let v = m.day_multipliers(profile, days);
    (m, v)
}

fn day(m: &bedflow::model::Model, date: &str) -> usize {
    let d = NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    (d - m.start).num_days() as usize
}

/// By hand: each holiday misses 0.6 of a day; with after = 0.9 over
/// [2, 1] and before = 0.1, Christmas Day's 0.6 goes 0.1 x 0.6 = 0.06 to
/// Thursday 24th and 0.9 x 0.6 x (2/3, 1/3) to Tuesday 29th and Wednesday
/// 30th (Monday 28th is a holiday, and the weekend is not working); Monday
/// 28th's the same to 29th and 30th, and 0.06 to Thursday 24th (the last
/// working day before it). New Year's Day (Friday) to Monday 4th and
/// Tuesday 5th, 0.06 to Thursday 31st.
#[test]
fn displaced_demand_by_hand() {
    let text =
        scenario("bank_holiday_displacement = { after = 0.9, after_days = [2, 1], before = 0.1 }", "england-and-wales");
    let (m, v) = multipliers(&text);
    let at = |d: &str| v[day(&m, d)];
    let close = |a: f64, b: f64| assert!((a - b).abs() < 1e-12, "{a} vs {b}");
    close(at("2026-12-25"), 0.4);
    close(at("2026-12-28"), 0.4);
    close(at("2026-12-24"), 1.0 + 0.06 + 0.06);
    close(at("2026-12-29"), 1.0 + 2.0 * 0.9 * 0.6 * 2.0 / 3.0);
    close(at("2026-12-30"), 1.0 + 2.0 * 0.9 * 0.6 / 3.0);
    close(at("2026-12-31"), 1.0 + 0.06);
    close(at("2027-01-04"), 1.0 + 0.9 * 0.6 * 2.0 / 3.0);
    close(at("2027-01-05"), 1.0 + 0.9 * 0.6 / 3.0);
    close(at("2026-12-26"), 1.0);
    // Conservation: with after + before = 1 nothing is lost.
    let total: f64 = v.iter().sum();
    close(total, v.len() as f64);
}

/// Without the key, the multipliers are the plain per-day ones (the same
/// floating-point values, so outputs are byte-identical).
#[test]
fn no_displacement_means_the_old_multipliers() {
    let (m, v) = multipliers(&scenario("", "england-and-wales"));
    let bedflow::model::RouteSource::Direct { profile, .. } = &m.routes[0].source else { panic!() };
    for (d, x) in v.iter().enumerate() {
        assert_eq!(x.to_bits(), m.day_multiplier(profile, m.date_of_day(d as u32)).to_bits());
    }
}

/// Conservation in simulation: with full displacement, admissions over the
/// Christmas weeks equal those of a run without bank holidays, within
/// sampling error (400 replications; the t interval of the difference of
/// the two means, at the 1e-4 level, contains 0); without displacement
/// 3 holidays x 0.6 x 12 = 21.6 fewer (the test has the power to see it).
#[test]
fn full_displacement_conserves_arrivals_over_the_holidays() {
    let total = |text: &str| -> Vec<f64> {
        let m = model(text);
        let reps = run(&m);
        reps.iter().map(|k| k.get(&m, bedflow::stats::Metric::Admissions, None).unwrap()).collect()
    };
    let none = total(&scenario("", "none"));
    let moved =
        total(&scenario("bank_holiday_displacement = { after = 1.0, after_days = [3, 2, 1] }", "england-and-wales"));
    let lost = total(&scenario("", "england-and-wales"));
    let gap = |a: &[f64], b: &[f64]| {
        let (ma, mb) = (mean(a), mean(b));
        let se = (var(a) / a.len() as f64 + var(b) / b.len() as f64).sqrt();
        (ma - mb, se)
    };
    let (d, se) = gap(&moved, &none);
    assert!(d.abs() < 3.9 * se, "full displacement: {d} +/- {se}");
    let (d, se) = gap(&lost, &none);
    assert!((d + 21.6).abs() < 3.9 * se && d < -5.0 * se, "no displacement: {d} +/- {se}");
}

fn var(v: &[f64]) -> f64 {
    let m = mean(v);
    v.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (v.len() as f64 - 1.0)
}

/// Growth compounds from `start`: a year later the rate is (1 + g) times.
#[test]
fn growth_compounds_from_the_start() {
    let text = scenario("growth_per_year = 0.1", "none").replace("end = \"2027-01-10\"", "end = \"2027-12-14\"");
    let (_, v) = multipliers(&text);
    assert_eq!(v[0], 1.0);
    let year = v[365];
    assert!((year - 1.1_f64.powf(365.0 / 365.25)).abs() < 1e-12, "{year}");
}

#[test]
fn bad_displacement_and_growth_are_refused() {
    for (extra, want) in [
        ("bank_holiday_displacement = { after = 0.8, before = 0.3 }", "after + before must be at most 1"),
        ("bank_holiday_displacement = { after = 0.8, after_days = [] }", "expected 1 to 10 relative weights"),
        ("bank_holiday_displacement = { after = 1.5 }", "admissions[1].bank_holiday_displacement.after"),
        ("bank_holiday_displacement = { later = 0.5 }", "later"),
        ("growth_per_year = 2.0", "expected a yearly growth from -0.5 to 1"),
    ] {
        let e = parse_str(&scenario(extra, "none"), "bad.toml").unwrap_err().to_string();
        assert!(e.contains(want), "{extra}: {e}");
    }
}
