//! `calibrate` and `backtest` on the synthetic example extract
//! (`scenarios/example-trust/`, written by its `generate.py` from the true
//! parameters in `truth.json`).
//!
//! Tolerances come from the sampling error at the extract's size: a
//! proportion p from n rows has standard error sqrt(p (1 - p) / n), a mean
//! of n draws sd / sqrt(n). Each check allows 4 standard errors (a false
//! alarm about 1 in 16,000 per check, for a fixed extract: the checks are
//! deterministic, so a pass is a pass every time).

use assert_cmd::Command;
use bedflow::calibrate::backtest::{self, Series};
use bedflow::calibrate::fit::Family;
use bedflow::calibrate::{Calibration, Options, calibrate, extract};
use bedflow::dist::Distribution;
use chrono::NaiveDate;
use std::path::PathBuf;

fn here(file: &str) -> PathBuf {
    PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/example-trust")).join(file)
}

fn truth() -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(here("truth.json")).unwrap()).unwrap()
}

fn beds() -> Vec<(String, u32)> {
    truth()["beds"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.as_u64().unwrap() as u32)).collect()
}

fn date(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
}

fn example() -> Calibration {
    calibrate(Options {
        spells: here("spells.csv"),
        attendances: Some(here("attendances.csv")),
        from: date("2025-04-01"),
        to: date("2026-03-31"),
        beds: beds(),
        name: "example-trust".into(),
        start: None,
        end: None,
        region: bedflow::calendar::Region::EnglandAndWales,
        growth: None,
    })
    .unwrap()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!((got - want).abs() <= tol, "{what}: estimated {got}, true {want}, allowed +/- {tol}");
}

/// The scenario written passes every check `bedflow check` makes, and the
/// planted bad rows are counted, not silently used.
#[test]
fn the_scenario_written_is_valid_and_bad_rows_are_reported() {
    let cal = example();
    let model = bedflow::scenario::parse_str(&cal.toml, "example-trust.toml").unwrap();
    assert_eq!(model.pools.len(), 4);
    assert_eq!(model.routes.len(), 6);
    let (spells, attendances) = (&cal.problems[0].1, &cal.problems[1].1);
    // generate.py plants 5 of each problem.
    for kind in ["discharged before admitted", "route or pool is blank", "admitted is not a date-time"] {
        assert_eq!(spells.by_kind[kind].0, 5, "{kind}: {:?}", spells.by_kind);
    }
    assert_eq!(spells.by_kind["duplicate of an earlier row"].0, 5, "{:?}", spells.by_kind);
    for kind in ["arrival is not a date-time", "departure before arrival", "admitted is not true/false, 1/0 or yes/no"]
    {
        assert_eq!(attendances.by_kind[kind].0, 5, "{kind}: {:?}", attendances.by_kind);
    }
}

/// ED estimates against the truth.
#[test]
fn ed_parameters_are_recovered() {
    let cal = example();
    let t = truth();
    let ed = cal.ed.as_ref().unwrap();
    let n = ed.attendances as f64;
    let p = t["ed"]["admission_probability"].as_f64().unwrap();
    close("admission probability", ed.admission_probability, p, 4.0 * (p * (1.0 - p) / n).sqrt());
    // ED times: means of about 28,000 (admitted) and 75,000 draws.
    let admitted = n * p;
    let Distribution::LogNormal { mean, sd } = ed.hours_to_decision.chosen else {
        panic!("{:?}", ed.hours_to_decision.chosen)
    };
    close("hours to decision, mean", mean, 4.0, 4.0 * 2.5 / admitted.sqrt());
    close("hours to decision, sd", sd, 2.5, 0.1);
    let Distribution::LogNormal { mean, .. } = ed.hours_in_department.chosen else { panic!() };
    close("hours in department, mean", mean, 2.5, 4.0 * 1.6 / (n - admitted).sqrt());
    // Weekday weights: each weekday's mean over ~51 days of ~280 Poisson
    // attendances (plus month-to-month variation): sd of a weight about
    // sqrt(280 / 51) / 280 = 0.008, so 0.035.
    let truth_dow: Vec<f64> = t["ed"]["day_of_week"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    for (w, (&got, want)) in ed.day_of_week.iter().zip(truth_dow).enumerate() {
        close(&format!("weekday {w} weight"), got, want, 0.035);
    }
    // Month factors: the truth's months average 1.0075; calibrate scales
    // its factors to average 1 over the year's days, so compare ratios.
    // A month of ~30 days x 280 has a relative error of about 1/sqrt(8400) = 1.1%.
    let months = t["month_factors"].as_object().unwrap();
    let mean_true: f64 = months.values().map(|v| v.as_f64().unwrap()).sum::<f64>() / 12.0;
    for (m, f) in &cal.months {
        let want = months[&m.to_string()].as_f64().unwrap() / mean_true;
        close(&format!("month {m} factor"), *f, want, 0.045);
    }
    close("attendances a day", ed.per_day, 280.0 * mean_true, 4.0 * (280.0_f64 * 365.0).sqrt() / 365.0 + 1.0);
    // Hour shares: the largest hour holds ~6.5% of 102,700 attendances.
    let total: f64 = ed.hour_counts.iter().sum();
    let truth_h: Vec<f64> = t["ed"]["hour_of_day"].as_array().unwrap().iter().map(|v| v.as_f64().unwrap()).collect();
    let tsum: f64 = truth_h.iter().sum();
    for (h, (&c, w)) in ed.hour_counts.iter().zip(truth_h).enumerate() {
        let want = w / tsum;
        close(&format!("hour {h} share"), c / total, want, 4.0 * (want * (1.0 - want) / total).sqrt());
    }
}

/// Routes: ED shares, direct rates, and each stay's family and mean.
#[test]
fn routes_and_stays_are_recovered() {
    let cal = example();
    let t = truth();
    let ed_spells: f64 = cal.routes.iter().filter(|r| r.share > 0.0).map(|r| r.spells as f64).sum();
    for tr in t["routes"].as_array().unwrap() {
        let name = tr["name"].as_str().unwrap();
        let r = cal.routes.iter().find(|r| r.name == name).unwrap();
        assert_eq!(r.pool, tr["pool"].as_str().unwrap());
        let rate = tr["share_or_per_day"].as_f64().unwrap();
        match tr["source"].as_str().unwrap() {
            "ed" => close(&format!("{name} share"), r.share, rate, 4.0 * (rate * (1.0 - rate) / ed_spells).sqrt()),
            // A year of Poisson arrivals: relative error 1/sqrt(spells); the
            // month factors (from ED) scale direct routes too (about 1.0075 in the truth).
            _ => close(&format!("{name} a day"), r.per_day, rate, rate * (0.0075 + 4.0 / (r.spells as f64).sqrt())),
        }
        let stay = &tr["stay_days"];
        let (family, a, b) = (stay[0].as_str().unwrap(), stay[1].as_f64().unwrap(), stay[2].as_f64().unwrap());
        let want = match family {
            "lognormal" => Family::Lognormal,
            "gamma" => Family::Gamma,
            _ => Family::Weibull,
        };
        assert_eq!(r.stay.best().unwrap().family, want, "{name}: {:?}", r.stay.fits);
        assert!(!r.stay.is_empirical(), "{name}: the true family fits");
        let (mean, sd) = match family {
            "weibull" => {
                let g1 = statrs::function::gamma::gamma(1.0 + 1.0 / a);
                let g2 = statrs::function::gamma::gamma(1.0 + 2.0 / a);
                (b * g1, b * (g2 - g1 * g1).sqrt())
            }
            _ => (a, b),
        };
        close(&format!("{name} mean stay"), r.stay.chosen.mean(), mean, 4.0 * sd / (r.spells as f64).sqrt());
    }
}

/// Discharge rules and pathways.
#[test]
fn discharge_rules_and_pathways_are_recovered() {
    let cal = example();
    let t = truth();
    let d = cal.discharge.as_ref().unwrap();
    // About 9,000 P0 patients ready on weekends: the share's error is
    // about sqrt(0.75 x 0.25 / 9000) / 0.6 = 0.008.
    close("weekend review share", d.weekend_review_share, 0.75, 0.035);
    // Bank holidays: about 8 x 100 patients ready.
    close("bank-holiday review share", d.bank_holiday_review_share, 0.85, 0.08);
    for (pool, shares) in t["pathway_shares"].as_object().unwrap() {
        let got = d.shares[pool.as_str()];
        let n = cal.routes.iter().filter(|r| r.pool == *pool).map(|r| r.spells as f64).sum::<f64>();
        for (k, p) in ["P1", "P2", "P3"].iter().enumerate() {
            let want = shares[*p].as_f64().unwrap();
            close(&format!("{pool} {p} share"), got[k], want, 4.0 * (want * (1.0 - want) / n).sqrt() + 1e-9);
        }
    }
    // Pathway delays: the mean is approximate (the P0 mean wait for the
    // discharge hour is taken off every patient's wait, not each patient's
    // own), so 10% of the mean plus 4 standard errors.
    for (k, (p, spec)) in t["pathway_delay_days"].as_object().unwrap().iter().enumerate() {
        let (mean, sd) = (spec[1].as_f64().unwrap(), spec[2].as_f64().unwrap());
        let c = d.delays[k].as_ref().unwrap();
        close(&format!("{p} mean delay"), c.chosen.mean(), mean, 0.1 * mean + 4.0 * sd / (c.n as f64).sqrt());
    }
}

/// With 80% bands, the share of days inside is 80% for a correct model,
/// within binomial error for the effective number of independent days
/// (occupancy is correlated from day to day: n_eff = n (1 - r) / (1 + r)
/// with r the lag-1 autocorrelation of the inside/outside indicator), 4
/// standard errors.
fn assert_covers_80(s: &Series) {
    let inside: Vec<f64> = s
        .actual
        .iter()
        .zip(&s.simulated)
        .filter_map(|(a, sim)| a.map(|a| f64::from(u8::from(a >= sim.p10 && a <= sim.p90))))
        .collect();
    let n = inside.len() as f64;
    let m = inside.iter().sum::<f64>() / n;
    let var = inside.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
    let cov = inside.windows(2).map(|w| (w[0] - m) * (w[1] - m)).sum::<f64>() / n;
    let r = if var > 0.0 { (cov / var).clamp(0.0, 0.95) } else { 0.0 };
    let n_eff = n * (1.0 - r) / (1.0 + r);
    let tol = 4.0 * (0.8_f64 * 0.2 / n_eff).sqrt();
    assert!(
        (s.coverage() - 0.8).abs() <= tol,
        "{}: {:.3} of days inside P10-P90, expected 0.8 +/- {tol:.3}",
        s.name,
        s.coverage()
    );
}

fn backtest_of(model_text: &str, replications: u32) -> Vec<Series> {
    let sets = std::env::temp_dir().join(format!("bedflow-bt-{}.toml", std::process::id()));
    std::fs::write(&sets, model_text).unwrap();
    let mut model =
        bedflow::scenario::load_with_without_census(&sets, &[("scenario.warmup_days".to_string(), "0".to_string())])
            .unwrap();
    std::fs::remove_file(&sets).unwrap();
    let (spells, _, file) = extract::read_spells(&here("spells.csv")).unwrap();
    let (att, _, _) = extract::read_attendances(&here("attendances.csv")).unwrap();
    let spec = bedflow::replicate::RunSpec { replications, seed: 1, threads: 0 };
    let (series, unknown) = backtest::run(&mut model, &spells, Some(&att), &file, spec, &|| {}).unwrap();
    assert_eq!(unknown, 0);
    series
}

/// The scenario the data was simulated from (truth.toml) covers 80% of days
/// within binomial error, trust-wide and for ED 4-hour performance.
#[test]
fn a_backtest_of_the_true_scenario_covers_80_percent_of_days() {
    let series = backtest_of(&std::fs::read_to_string(here("truth.toml")).unwrap(), 100);
    for s in series.iter().filter(|s| s.name == "trust" || s.name == "ed_4h_performance") {
        assert_covers_80(s);
    }
}

/// The Done-when: the calibrated scenario's backtest covers about 80% of
/// days (trust-wide, every ward group, ED 4-hour performance), as the true
/// scenario's does.
#[test]
fn a_backtest_of_the_calibrated_scenario_covers_about_80_percent_of_days() {
    let series = backtest_of(&example().toml, 100);
    assert_eq!(series.len(), 6, "trust, 4 ward groups, ED 4-hour");
    for s in &series {
        assert_covers_80(s);
        if s.name == "trust" {
            assert!(s.mape() < 0.05, "trust median within 5% on average: {}", s.mape());
        }
    }
}

/// Midnight occupancy from spells by hand, read as the engine's midnight
/// census reads (before anything else at that second): in at 10:00 on day 0,
/// out at 09:00 on day 2 is in beds at the midnights ending days 0 and 1;
/// admitted exactly at a midnight is not yet in at that midnight, and
/// discharged exactly at one still is; a spell still open counts to the end.
#[test]
fn actual_occupancy_by_hand() {
    let at = |s: &str| extract::date_time(s).unwrap();
    let spell = |a: &str, d: Option<&str>| extract::Spell {
        admitted: at(a),
        discharged: d.map(at),
        source: extract::Source::Ed,
        route: "r".into(),
        pool: "p".into(),
        ready: None,
        pathway: None,
        line: 2,
    };
    let spells = [
        spell("2025-04-01T10:00", Some("2025-04-03T09:00")),
        spell("2025-04-02T00:00", Some("2025-04-03T00:00")),
        spell("2025-03-30T12:00", None),
    ];
    let occ = backtest::actual_occupancy(&spells, &["p".to_string()], date("2025-04-01"), 4);
    // Midnight ending 1 April: first and third; ending 2 April: all three;
    // ending 3 April (04-04 00:00): only the open one.
    assert_eq!(occ[0], vec![2.0, 3.0, 1.0, 1.0]);
}

fn bedflow() -> Command {
    Command::cargo_bin("bedflow").unwrap()
}

/// Beds are never guessed: a ward group without --beds is refused (exit 2)
/// naming it, before anything is written.
#[test]
fn calibrate_refuses_to_guess_beds() {
    let out = tempfile::tempdir().unwrap();
    let dir = out.path().join("cal");
    let a = bedflow()
        .args(["calibrate", "--spells"])
        .arg(here("spells.csv"))
        .args(["--from", "2025-04-01", "--to", "2026-03-31", "--beds", "medicine=400", "--out"])
        .arg(&dir)
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("beds cannot be inferred") && err.contains("\"care of older people\""), "{err}");
    assert!(!dir.exists());
}

/// A file without a required column: exit 2 naming the file and line 1.
#[test]
fn calibrate_names_a_missing_column() {
    let out = tempfile::tempdir().unwrap();
    let bad = out.path().join("spells.csv");
    std::fs::write(&bad, "admitted,discharged,source,pool\n2025-04-01T10:00,,ed,medicine\n").unwrap();
    let a = bedflow()
        .args(["calibrate", "--spells"])
        .arg(&bad)
        .args(["--from", "2025-04-01", "--to", "2026-03-31", "--beds", "medicine=400", "--out"])
        .arg(out.path().join("cal"))
        .assert()
        .code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("spells.csv:1: missing column route"), "{err}");
}

/// From two CSV files to a checked scenario, a report and a backtest, as the README walks it.
#[test]
fn calibrate_then_check_then_backtest_from_the_command_line() {
    let out = tempfile::tempdir().unwrap();
    let cal = out.path().join("cal");
    let mut cmd = bedflow();
    cmd.args(["calibrate", "--spells"]).arg(here("spells.csv")).arg("--attendances").arg(here("attendances.csv"));
    cmd.args(["--from", "2025-04-01", "--to", "2026-03-31", "--name", "example-trust", "--out"]).arg(&cal);
    for (pool, n) in beds() {
        cmd.arg("--beds").arg(format!("{pool}={n}"));
    }
    cmd.assert().success();
    for f in ["example-trust.toml", "calibration.html", "fits.png", "ed_profiles.png"] {
        assert!(cal.join(f).is_file(), "{f}");
    }
    bedflow().arg("check").arg(cal.join("example-trust.toml")).assert().success();
    let bt = out.path().join("bt");
    bedflow()
        .arg("backtest")
        .arg(cal.join("example-trust.toml"))
        .arg("--spells")
        .arg(here("spells.csv"))
        .args(["--from", "2025-10-01", "--to", "2025-12-31", "--replications", "20", "--quiet", "--out"])
        .arg(&bt)
        .assert()
        .success();
    let csv = std::fs::read_to_string(bt.join("backtest_summary.csv")).unwrap();
    assert!(csv.starts_with("series,days,share_of_days_inside_p10_p90,median_mape"), "{csv}");
    assert!(csv.contains("trust,92,"), "{csv}");
    assert!(bt.join("backtest.png").is_file() && bt.join("backtest.csv").is_file());
}

/// A census patient already on a pathway (as a backtest builds from the
/// spells): on P3 with a fixed 10-day delay, 4 days already waited, they
/// leave 6 days after the census (the rest of the delay, discharge on
/// ready); one recorded as P0 and past ready leaves at once; one with no
/// pathway recorded takes the pool's shares (here all P3: the whole delay).
#[test]
fn census_patients_keep_their_pathway_and_time_waited() {
    use bedflow::model::{Census, CensusPatient, CensusStay};
    let text = r#"
[scenario]
name = "known"
start = "2026-01-01"
end = "2026-01-20"
warmup_days = 0
replications = 2
seed = 1

[[admissions]]
name = "r"
source = "direct"
per_day = 0.0
pool = "p"
stay_days = { dist = "fixed", value = 1.0 }

[[pool]]
name = "p"
beds = 10
pathway_shares = { P3 = 1.0 }

[[pathway]]
name = "P3"
delay_days = { dist = "fixed", value = 10.0 }
"#;
    let mut m = bedflow::scenario::parse_str(text, "known.toml").unwrap();
    let patient = |pathway| CensusPatient {
        pool: 0,
        route: None,
        elapsed_days: 20.0,
        stay: CensusStay::Expected(0.0),
        waiting: false,
        pathway,
    };
    m.census = Some(Census {
        file: "census".into(),
        sha256: String::new(),
        patients: vec![patient(Some((3, 4.0))), patient(Some((0, 1.0))), patient(None)],
        waiting_list: vec![],
    });
    for k in bedflow::replicate::run(&m, bedflow::replicate::RunSpec { replications: 2, seed: 1, threads: 1 }, &|| {})
        .unwrap()
    {
        let d = k.daily(&m, bedflow::stats::Metric::Discharges, None).unwrap();
        let days: Vec<usize> = d.iter().enumerate().flat_map(|(i, &n)| std::iter::repeat_n(i, n as usize)).collect();
        // Day 0 is the census day: the P0 patient leaves at once (day 0), the
        // P3 one after 6 days (day 6), the undecided one after 10 (day 10).
        assert_eq!(days, vec![0, 6, 10], "{d:?}");
    }
}

/// A small spells extract: `n` spells a day of each (source, route, pool)
/// over 2025, each staying `stay` days (or a varied stay when `stay` is 0).
fn small_extract(dir: &std::path::Path, groups: &[(&str, &str, &str)], stay: f64, extra: &str) -> PathBuf {
    let mut text = String::from("id,admitted,discharged,source,route,pool\n");
    let mut id = 0;
    for day in 0..364 {
        for (g, (source, route, pool)) in groups.iter().enumerate() {
            id += 1;
            let a = NaiveDate::from_ymd_opt(2025, 1, 1).unwrap().and_hms_opt(10, 0, 0).unwrap()
                + chrono::Duration::days(day)
                + chrono::Duration::minutes(g as i64);
            let days = if stay > 0.0 { stay } else { 1.0 + ((day * 7 + g as i64) % 11) as f64 * 0.7 };
            let d = a + chrono::Duration::minutes((days * 1440.0) as i64);
            text.push_str(&format!(
                "S{id},{},{},{source},\"{route}\",{pool}\n",
                a.format("%Y-%m-%dT%H:%M"),
                d.format("%Y-%m-%dT%H:%M")
            ));
        }
    }
    text.push_str(extra);
    let path = dir.join("spells.csv");
    std::fs::write(&path, text).unwrap();
    path
}

fn calibrate_cmd(spells: &std::path::Path, beds: &[&str], out: &std::path::Path) -> assert_cmd::assert::Assert {
    let mut c = bedflow();
    c.args(["calibrate", "--spells"])
        .arg(spells)
        .args(["--from", "2025-01-01", "--to", "2025-12-31", "--out"])
        .arg(out);
    for b in beds {
        c.arg("--beds").arg(b);
    }
    c.assert()
}

/// From the attack review: names a scenario cannot hold are refused with
/// the extract's line (not as a bedflow bug); one name under two sources
/// becomes two routes; a stay that never varies is written as fixed; every
/// scenario written passes `check`.
#[test]
fn calibrate_refuses_or_repairs_what_a_scenario_cannot_hold() {
    let dir = tempfile::tempdir().unwrap();
    let spells = small_extract(dir.path(), &[("ed", "A&E: medical", "medicine")], 0.0, "");
    let a = calibrate_cmd(&spells, &["medicine=50"], &dir.path().join("a")).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("spells.csv:2: route \"A&E: medical\" cannot name a scenario's route"), "{err}");

    let spells = small_extract(dir.path(), &[("ed", "ortho", "surgery"), ("elective", "ortho", "surgery")], 2.0, "");
    let out = dir.path().join("b");
    calibrate_cmd(&spells, &["surgery=50"], &out).success();
    let toml = std::fs::read_to_string(out.join("calibrated.toml")).unwrap();
    assert!(toml.contains("name = \"ortho (ED)\"") && toml.contains("name = \"ortho (elective)\""), "{toml}");
    assert!(toml.contains("stay_days = { dist = \"fixed\", value = 2.0 }"), "{toml}");
    bedflow().arg("check").arg(out.join("calibrated.toml")).assert().success();
}

/// Typos in dates are skipped and counted, not fitted: a discharge in 2099
/// and an admission in 1900 (which would stretch the stays and hide the
/// extract's end); years outside 1900-2200 (9999, or a time zone at the
/// edge of the calendar) are no dates.
#[test]
fn date_typos_are_skipped_not_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let extra = "X1,2025-06-01T10:00,2099-01-01T10:00,direct,r,p\n\
                 X2,1900-06-01T10:00,,direct,r,p\n\
                 X3,-262143-01-01T00:00+00:01,,direct,r,p\n\
                 X4,2025-06-02T10:00,9999-01-01T10:00,direct,r,p\n";
    let spells = small_extract(dir.path(), &[("direct", "r", "p")], 2.0, extra);
    let out = dir.path().join("c");
    let a = calibrate_cmd(&spells, &["p=20"], &out).success();
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("1 row skipped: discharged or ready over 2 years after"), "{err}");
    assert!(err.contains("1 row skipped: admitted over 5 years before"), "{err}");
    assert!(err.contains("1 row skipped: admitted is not a date-time"), "{err}");
    assert!(err.contains("1 row skipped: discharged is not a date-time"), "{err}");
    let toml = std::fs::read_to_string(out.join("calibrated.toml")).unwrap();
    assert!(toml.contains("stay_days = { dist = \"fixed\", value = 2.0 }"), "{toml}");
}

/// Only .csv files are read (nothing else is quoted), and a header naming a
/// column twice is refused at line 1.
#[test]
fn extracts_must_be_csv_with_each_column_once() {
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("spells.txt");
    std::fs::write(&txt, "secret line\n").unwrap();
    let a = calibrate_cmd(&txt, &["p=1"], &dir.path().join("d")).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("must be a .csv file") && !err.contains("secret"), "{err}");
    let dup = dir.path().join("dup.csv");
    std::fs::write(&dup, "admitted,discharged,source,route,pool,pool\n").unwrap();
    let a = calibrate_cmd(&dup, &["p=1"], &dir.path().join("e")).code(2);
    let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
    assert!(err.contains("dup.csv:1: column 6 repeats \"pool\""), "{err}");
}

/// A run never replaces the folder holding its own scenario, even one
/// bedflow wrote (a calibrated scenario in its calibrate folder).
#[test]
fn outputs_never_replace_the_folder_of_their_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let spells = small_extract(dir.path(), &[("direct", "r", "p")], 2.0, "");
    let out = dir.path().join("cal");
    calibrate_cmd(&spells, &["p=20"], &out).success();
    let scenario = out.join("calibrated.toml");
    for args in [vec!["run"], vec!["backtest"]] {
        let mut c = bedflow();
        c.args(&args).arg(&scenario);
        if args[0] == "backtest" {
            c.arg("--spells").arg(&spells).args(["--from", "2025-06-01", "--to", "2025-06-30"]);
        }
        let a = c.args(["--replications", "2", "--quiet", "--out"]).arg(&out).assert().code(2);
        let err = String::from_utf8_lossy(&a.get_output().stderr).to_string();
        assert!(err.contains("an input of this run"), "{err}");
        assert!(scenario.is_file());
    }
}
