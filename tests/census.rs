//! Starting from a census (`[scenario] census`, `run --census`): by hand,
//! against the exact expectation of an infinite-server pool, and bad files.

mod common;
use assert_cmd::Command;
use bedflow::stats::Metric;
use common::*;
use statrs::distribution::{ContinuousCDF, LogNormal};

/// A pool of `beds` beds fed by `per_day` direct admissions a day (regular
/// at 00:00 when `regular`, else Poisson) with `stay`, reported for `days`
/// days from 2027-01-04 with no warm-up, from the census in `census.csv`
/// beside the scenario.
fn scenario(beds: u32, per_day: f64, regular: bool, stay: &str, days: u32, reps: u32) -> String {
    let end = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap() + chrono::Days::new(u64::from(days) - 1);
    let arrivals = if regular { "arrivals = \"regular\"" } else { "" };
    format!(
        r#"
[scenario]
name = "from-census"
start = "2027-01-04"
end = "{end}"
warmup_days = 0
replications = {reps}
seed = 4
census = "census.csv"

[[admissions]]
name = "emergency"
source = "direct"
per_day = {per_day}
{arrivals}
pool = "ward"
stay_days = {stay}

[[pool]]
name = "ward"
beds = {beds}
"#
    )
}

/// Writes the scenario and census into a temporary folder and loads it.
fn load(toml: &str, csv: &str) -> (tempfile::TempDir, bedflow::model::Model) {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), toml).unwrap();
    std::fs::write(tmp.path().join("census.csv"), csv).unwrap();
    let m = bedflow::scenario::load(&tmp.path().join("s.toml")).unwrap_or_else(|e| panic!("{e}"));
    (tmp, m)
}

/// By hand: 100 patients in beds at the census, 10 expected to leave at
/// noon on each of the first 10 days; one new patient a day at 00:00 staying
/// 6 hours (gone by midnight). Midnight occupancy is 90, 80, ..., 0, then 0;
/// each day sees 1 admission and 11 discharges while the census lasts. The
/// census patients' stays before the census are unknown, so they are left
/// out of the mean length of stay: it is the newcomers' 0.25 days.
#[test]
fn a_census_with_expected_discharges_gives_exact_occupancy() {
    let mut csv = String::from("pool,admitted,expected_discharge\n");
    for i in 0..100 {
        let day = 4 + i / 10;
        csv.push_str(&format!("ward,2026-12-{:02}T10:00,2027-01-{day:02}T12:00\n", 1 + i % 28));
    }
    let (_tmp, m) = load(&scenario(200, 1.0, true, "{ dist = \"fixed\", value = 0.25 }", 14, 2), &csv);
    assert_eq!(m.census.as_ref().unwrap().patients.len(), 100);
    for r in run(&m) {
        let expected: Vec<f64> = (1..=14).map(|d| f64::from((100 - 10 * d).max(0))).collect();
        assert_eq!(r.daily(&m, Metric::MidnightOccupancy, None).unwrap(), &expected);
        let discharges: Vec<f64> = (0..14).map(|d| if d < 10 { 11.0 } else { 1.0 }).collect();
        assert_eq!(r.daily(&m, Metric::Discharges, None).unwrap(), &discharges);
        assert_eq!(r.daily(&m, Metric::Admissions, None).unwrap(), &[1.0; 14]);
        assert_eq!(r.get(&m, Metric::LengthOfStayDaysMean, None), Some(0.25));
        assert_eq!(r.get(&m, Metric::PeakOccupancy, None), Some(101.0));
    }
}

/// Against theory: an infinite-server pool (beds far above need) with
/// Poisson admissions (8 a day) and lognormal stays (mean 5, sd 7 days)
/// started from a census of 40 patients with known days already in bed and
/// no `expected_discharge`. Each census patient of age a is still in at time
/// t with probability S(a + t) / S(a) (their rest of stay is drawn given the
/// days already spent), and newcomers are M/G/inf, so the expected midnight
/// census after t days is exactly sum_i S(a_i + t) / S(a_i) + 8 x
/// integral_0^t S(u) du. With ages spread like a steady state's, that stays
/// near the long run's 8 x 5 = 40 beds, where drawing whole fresh stays
/// instead (ignoring the days already spent) would sag by several beds:
/// the test checks it can tell the two apart. 4000 replications; each day's
/// mean is checked against its t interval at false-alarm rate 1e-4.
#[test]
fn a_census_run_forward_matches_the_exact_expectation() {
    let (mean, sd) = (5.0_f64, 7.0_f64);
    let s2 = (1.0 + (sd / mean).powi(2)).ln();
    let d = LogNormal::new(mean.ln() - 0.5 * s2, s2.sqrt()).unwrap();
    let surv = |x: f64| if x <= 0.0 { 1.0 } else { d.sf(x) };
    // Ages spread like a steady state's: the equilibrium age density is
    // S(a) / E[S]; its quantiles by bisection on the trapezium integral.
    let integral = |a: f64, b: f64| {
        let n = 4000;
        let h = (b - a) / f64::from(n);
        (0..n).map(|k| 0.5 * h * (surv(a + h * f64::from(k)) + surv(a + h * f64::from(k + 1)))).sum::<f64>()
    };
    let ages: Vec<f64> = (0..40)
        .map(|i| {
            let p = (f64::from(i) + 0.5) / 40.0;
            let (mut lo, mut hi) = (0.0, 400.0);
            for _ in 0..50 {
                let mid = 0.5 * (lo + hi);
                if integral(0.0, mid) / mean < p { lo = mid } else { hi = mid }
            }
            0.5 * (lo + hi)
        })
        .collect();
    let start = chrono::NaiveDate::from_ymd_opt(2027, 1, 4).unwrap().and_hms_opt(0, 0, 0).unwrap();
    let mut csv = String::from("pool,admitted\n");
    for a in &ages {
        let t = start - chrono::Duration::seconds((a * 86_400.0).round() as i64);
        csv.push_str(&format!("ward,{}\n", t.format("%Y-%m-%dT%H:%M:%S")));
    }
    let stay = "{ dist = \"lognormal\", mean = 5.0, sd = 7.0 }";
    let (_tmp, m) = load(&scenario(100_000, 8.0, false, stay, 10, 4000), &csv);
    let reps = run(&m);
    for day in 0..10 {
        let t = f64::from(day + 1);
        let exact = ages.iter().map(|&a| surv(a + t) / surv(a)).sum::<f64>() + 8.0 * integral(0.0, t);
        let fresh = ages.iter().map(|_| surv(t)).sum::<f64>() + 8.0 * integral(0.0, t);
        let v: Vec<f64> =
            reps.iter().map(|r| r.daily(&m, Metric::MidnightOccupancy, None).unwrap()[day as usize]).collect();
        let (got, half) = (common::mean(&v), t_half_width(&v, 1e-4));
        eprintln!("day {day}: {got:.3} +/- {half:.3}, exact {exact:.3}, fresh stays {fresh:.3}, long run 40");
        assert!((got - exact).abs() < half, "day {day}: {got} vs {exact}");
        assert!((exact - 40.0).abs() < 1.0, "the census is near the steady state: {exact}");
        if day >= 2 {
            assert!(exact - fresh > 4.0 * half, "day {day}: the test could not tell fresh stays apart");
        }
    }
}

/// Bad census rows and files: exit 2, the file, line and field on one line,
/// nothing written.
#[test]
fn bad_census_rows_are_refused_with_their_lines() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = scenario(10, 1.0, true, "{ dist = \"fixed\", value = 1.0 }", 5, 2);
    std::fs::write(tmp.path().join("s.toml"), &toml).unwrap();
    for (csv, expected) in [
        (
            "pool,admitted\nward,2027-01-01T10:00\nwards,2027-01-02T10:00\n",
            "census.csv:3:1: pool: unknown pool \"wards\"",
        ),
        (
            "pool,admitted\nward,2027-01-05T10:00\n",
            "census.csv:2:1: admitted: 2027-01-05 10:00:00 is after the census time",
        ),
        ("pool,admitted\nward,yesterday\n", "census.csv:2:1: admitted: expected a date-time"),
        ("pool,admitted,waiting_since\nward,2027-01-01,2027-01-02\n", "census.csv:2:1: waiting_since: give `admitted`"),
        (
            "pool,admitted,expected_discharge\nward,2027-01-03,2027-01-02\n",
            "census.csv:2:1: expected_discharge: 2027-01-02 00:00:00 is before",
        ),
        ("pool,admitted,route\nward,2027-01-03,surgery\n", "census.csv:2:1: route: unknown route \"surgery\""),
        ("pool,admitted,bed\nward,2027-01-03,4\n", "census.csv:1:1: bed: unknown column \"bed\""),
        ("admitted\n2027-01-03\n", "census.csv:1:1: pool: the census needs a `pool` column"),
        ("pool,admitted\nward\n", "census.csv:2:1: not a valid CSV row"),
        ("pool,admitted\nward,\n", "census.csv:2:1: admitted: missing"),
    ] {
        std::fs::write(tmp.path().join("census.csv"), csv).unwrap();
        let out = Command::cargo_bin("bedflow")
            .unwrap()
            .current_dir(tmp.path())
            .args(["run", "s.toml", "--quiet", "--out", "out"])
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{csv}: {stderr}");
        assert!(stderr.lines().any(|l| l.contains(expected)), "{csv}: {stderr}");
        assert!(!tmp.path().join("out").exists(), "nothing written");
    }
    // The file itself: missing, not a .csv, and `--census` with `--shard`.
    std::fs::write(tmp.path().join("census.txt"), "pool,admitted\n").unwrap();
    for (args, expected) in [
        (vec!["run", "s.toml", "--census", "none.csv"], "cannot read census none.csv"),
        (vec!["run", "s.toml", "--census", "census.txt"], "a census must be a .csv file"),
        (vec!["run", "s.toml", "--census", "census.csv", "--shard", "1/2"], "cannot be used with"),
    ] {
        let out = Command::cargo_bin("bedflow").unwrap().current_dir(tmp.path()).args(&args).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains(expected), "{args:?}: {stderr}");
    }
    // A census named in the scenario that is missing is reported at its key.
    std::fs::remove_file(tmp.path().join("census.csv")).unwrap();
    let out =
        Command::cargo_bin("bedflow").unwrap().current_dir(tmp.path()).args(["check", "s.toml"]).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr.contains("s.toml:9:10: scenario.census: cannot read census"), "{stderr}");
}

/// The shipped forecast: 21 days from the census in `scenarios/`, every
/// census patient placed (the first midnight's census is near the file's 609
/// in beds), run from the command line in well under a second.
#[test]
fn the_shipped_forecast_starts_from_its_census() {
    let m = bedflow::scenario::load(std::path::Path::new("scenarios/forecast-21-days.toml")).unwrap();
    let c = m.census.as_ref().unwrap();
    assert_eq!(c.patients.len(), 615);
    assert_eq!(c.patients.iter().filter(|p| p.waiting).count(), 6);
    assert_eq!(c.waiting_list.len(), 6100);
    assert_eq!((m.warmup_days, m.reported_days()), (0, 21));
    let m = model_with_reps(m, 16);
    let reps = run(&m);
    for r in &reps {
        let first = r.daily(&m, Metric::MidnightOccupancy, None).unwrap()[0];
        assert!((560.0..=680.0).contains(&first), "first midnight {first}");
    }
}

fn model_with_reps(mut m: bedflow::model::Model, reps: u32) -> bedflow::model::Model {
    m.replications = reps;
    m
}

/// What a careless or hostile census cannot do: a link named `.csv` to
/// another file is refused without reading it (nothing of it quoted); a long
/// unknown header cell is quoted cut short; placeholder dates decades away
/// are refused; the extension's case does not matter; errors are headed as a
/// census's, not a scenario's. And the warnings: more patients in a pool
/// than it could ever open beds for, and a census far smaller than the
/// trust.
#[test]
fn census_files_are_read_safely_and_checked() {
    let tmp = tempfile::tempdir().unwrap();
    let toml = scenario(10, 1.0, true, "{ dist = \"fixed\", value = 1.0 }", 5, 2);
    std::fs::write(tmp.path().join("s.toml"), &toml).unwrap();
    std::fs::write(tmp.path().join("secret.txt"), "pool,admitted\nTOP-SECRET-TOKEN,2027-01-01\n").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), tmp.path().join("link.csv")).unwrap();
    let long = "x".repeat(5000);
    std::fs::write(tmp.path().join("long.csv"), format!("pool,admitted,{long}\nward,2027-01-01,1\n")).unwrap();
    std::fs::write(tmp.path().join("old.csv"), "pool,admitted\nward,1900-01-01\n").unwrap();
    std::fs::write(tmp.path().join("UPPER.CSV"), "pool,admitted\nward,2027-01-01T10:00\n").unwrap();
    let many: String =
        std::iter::once("pool,admitted\n".to_string()).chain((0..12).map(|_| "ward,2027-01-02\n".into())).collect();
    std::fs::write(tmp.path().join("many.csv"), many).unwrap();
    let run = |census: &str| {
        let out = Command::cargo_bin("bedflow")
            .unwrap()
            .current_dir(tmp.path())
            .args(["run", "s.toml", "--census", census, "--replications", "2", "--quiet", "--out"])
            .arg(format!("out-{census}"))
            .output()
            .unwrap();
        (out.status.code(), String::from_utf8_lossy(&out.stderr).into_owned())
    };
    let (code, err) = run("link.csv");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("a link to a file whose name does not end in .csv") && !err.contains("TOP-SECRET"), "{err}");
    let (code, err) = run("long.csv");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.starts_with("error: census long.csv has 1 problem"), "{err}");
    assert!(err.lines().all(|l| l.len() < 400), "a line of {} bytes: {err}", err.len());
    let (code, err) = run("old.csv");
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("old.csv:2:1: admitted: 1900-01-01 00:00:00 is more than ten years before"), "{err}");
    let (code, err) = run("UPPER.CSV");
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = run("many.csv");
    assert_eq!(code, Some(0), "{err}");
    assert!(err.contains("puts 12 patients in pool \"ward\", which has 10 core beds"), "{err}");
    let (code, err) = run("UPPER.CSV");
    assert!(code == Some(0) && err.contains("lists 1 patients in beds against 10 core beds"), "{err}");
}

/// A census may give a specialty's elective waiting list: rows with
/// `specialty`, `referral_date` and `urgent`, which replace the scenario's
/// `waiting_list` of 200 for that specialty. Five patients (two urgent, one
/// referred over a year before), no referrals and no theatre lists: at the
/// last reported midnight (9 January 2027) the list holds 5, 2 urgent, 1
/// over 52 weeks, 4 of 5 under 18 weeks, in every replication.
#[test]
fn a_census_can_give_the_elective_waiting_list() {
    let toml = scenario(10, 1.0, true, "{ dist = \"fixed\", value = 0.25 }", 5, 2)
        + "\n[[specialty]]\nname = \"orthopaedics\"\nwaiting_list = 200\nreferrals_per_week = 0.0\n\
           urgent_share = 0.1\ninpatient_share = 0.5\nstay_days = { dist = \"fixed\", value = 2.0 }\n";
    let csv = "pool,admitted,specialty,referral_date,urgent\n\
               ward,2027-01-03T10:00,,,\n\
               ,,orthopaedics,2026-12-20,true\n\
               ,,orthopaedics,2026-12-01,1\n\
               ,,orthopaedics,2025-11-01,false\n\
               ,,orthopaedics,2026-10-01,\n\
               ,,orthopaedics,2026-11-15,no\n";
    let (_tmp, m) = load(&toml, csv);
    let c = m.census.as_ref().unwrap();
    assert_eq!((c.patients.len(), c.waiting_list.len()), (1, 5));
    for r in run(&m) {
        let get = |metric| r.get_specialty(&m, metric, "orthopaedics").unwrap();
        assert_eq!(get(Metric::WaitingListSize), 5.0);
        assert_eq!(get(Metric::WaitingUrgent), 2.0);
        assert_eq!(get(Metric::WaitingOver52Weeks), 1.0);
        assert_eq!(get(Metric::WaitingUnder18WeeksShare), 0.8);
    }
    // Waiting-list rows have no bed, and name a specialty that exists.
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("s.toml"), &toml).unwrap();
    for (csv, expected) in [
        ("specialty,referral_date\nurology,2026-12-01\n", "census.csv:2:1: specialty: unknown specialty \"urology\""),
        (
            "specialty,referral_date,pool,admitted\northopaedics,2026-12-01,ward,\n",
            "census.csv:2:1: pool: a waiting-list row",
        ),
        (
            "specialty,referral_date,urgent\northopaedics,2026-12-01,maybe\n",
            "census.csv:2:1: urgent: expected true or false",
        ),
        (
            "specialty,referral_date\northopaedics,2027-02-01\n",
            "census.csv:2:1: referral_date: 2027-02-01 00:00:00 is after",
        ),
    ] {
        std::fs::write(tmp.path().join("census.csv"), csv).unwrap();
        let err = bedflow::scenario::load(&tmp.path().join("s.toml")).unwrap_err().to_string();
        assert!(err.lines().any(|l| l.contains(expected)), "{csv}: {err}");
    }
}

/// Without a route, a census patient's route is drawn among the pool's
/// routes by admissions a day times the chance of lasting as long: 200
/// patients 5 days into their stays, in a pool whose routes are "long"
/// (1 part of admissions, fixed 30 days) and "short" (9 parts, fixed 10
/// days): both last 5 days, so about 1 in 10 is a long stay with 25 days to
/// go and the rest leave on day 5. At the midnight ending day 7, about 20
/// census patients remain (binomial, sd 4.2) plus the 2 newcomers of the
/// first second; drawing always one route or the other would leave 2 or 202.
#[test]
fn a_census_patient_without_a_route_gets_one_by_the_odds() {
    let toml = scenario(1000, 0.01, true, "{ dist = \"fixed\", value = 30.0 }", 7, 4).replacen(
        "name = \"emergency\"",
        "name = \"long\"",
        1,
    ) + "\n[[admissions]]\nname = \"short\"\nsource = \"direct\"\nper_day = 0.09\narrivals = \"regular\"\n\
           pool = \"ward\"\nstay_days = { dist = \"fixed\", value = 10.0 }\n";
    let csv: String = std::iter::once("pool,admitted\n".to_string())
        .chain((0..200).map(|_| "ward,2026-12-30T00:00\n".to_string()))
        .collect();
    let (_tmp, m) = load(&toml, &csv);
    for r in run(&m) {
        let left = r.daily(&m, Metric::MidnightOccupancy, None).unwrap()[6];
        assert!((7.0..=40.0).contains(&left), "{left} in beds at the end of day 7");
    }
}

/// A census patient whose route belongs to another pool is an outlier where
/// they lie: 3 of the ward's patients in `other`'s beds and 2 in their own,
/// all staying 30 days: `other` holds 3 outliers at every midnight, the
/// ward none.
#[test]
fn census_outliers_are_counted_where_they_lie() {
    let toml = scenario(10, 0.01, true, "{ dist = \"fixed\", value = 30.0 }", 5, 2)
        .replace("beds = 10\n", "beds = 10\noutlie_to = [\"other\"]\n")
        + "\n[[pool]]\nname = \"other\"\nbeds = 10\n";
    let csv = "pool,admitted,route\nother,2027-01-01,emergency\nother,2027-01-01,emergency\nother,2027-01-01,emergency\n\
               ward,2027-01-01,emergency\nward,2027-01-01,emergency\n";
    let (_tmp, m) = load(&toml, csv);
    for r in run(&m) {
        assert_eq!(r.daily(&m, Metric::OutliersMidnight, Some("other")).unwrap(), &[3.0; 5]);
        assert_eq!(r.daily(&m, Metric::OutliersMidnight, Some("ward")).unwrap(), &[0.0; 5]);
        assert_eq!(r.daily(&m, Metric::OutliersMidnight, None).unwrap(), &[3.0; 5], "the trust's are its wards' sum");
        assert_eq!(r.get(&m, Metric::OutlierBedDays, Some("other")), Some(15.0));
    }
}
