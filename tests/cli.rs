//! The `bedflow` binary end to end: reproducibility, bad input, output files.

use assert_cmd::Command;
use std::path::{Path, PathBuf};

const WINTER: &str = "scenarios/winter-2026-27.toml";
const FILES: [&str; 3] = ["summary.csv", "daily.csv", "replications.csv"];

fn bedflow() -> Command {
    Command::cargo_bin("bedflow").expect("binary built")
}

fn run_to(dir: &Path, extra: &[&str]) {
    let reps = if extra.contains(&"--replications") { &[][..] } else { &["--replications", "12"][..] };
    bedflow().args(["run", WINTER]).args(reps).arg("--out").arg(dir).args(extra).assert().success();
}

fn read(dir: &Path, file: &str) -> Vec<u8> {
    std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("{}: {e}", dir.join(file).display()))
}

#[test]
fn same_seed_gives_identical_bytes_whatever_the_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    run_to(&a, &["--threads", "1"]);
    run_to(&b, &["--threads", "2"]);
    run_to(&c, &["--threads", "2"]);
    for f in FILES {
        assert!(read(&a, f) == read(&b, f), "{f}: 1 thread and 2 threads differ");
        assert!(read(&b, f) == read(&c, f), "{f}: two identical runs differ");
    }
    let json: serde_json::Value = serde_json::from_slice(&read(&a, "run.json")).unwrap();
    assert_eq!(json["seed"], 20261101);
    assert_eq!(json["replications"], 12);
    assert_eq!(json["scenario_sha256"].as_str().map(str::len), Some(64));
}

#[test]
fn a_different_seed_gives_different_results() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b) = (tmp.path().join("a"), tmp.path().join("b"));
    run_to(&a, &[]);
    run_to(&b, &["--seed", "7"]);
    assert!(read(&a, "summary.csv") != read(&b, "summary.csv"));
}

#[test]
fn outputs_have_the_documented_columns_and_metrics() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    run_to(&out, &["--replications", "3"]);
    let summary = String::from_utf8(read(&out, "summary.csv")).unwrap();
    assert!(summary.starts_with("metric,pool,mean,ci95_low,ci95_high,p10,p50,p90"));
    for metric in [
        "midnight_occupancy",
        "time_average_occupancy",
        "peak_occupancy",
        "share_of_time_full",
        "days_over_92pct",
        "bed_wait_hours_mean",
        "waits_over_12h_from_dta",
        "ed_4h_performance",
        "ed_over_12h_from_arrival",
        "diverted",
        "admissions",
        "discharges",
    ] {
        assert!(summary.lines().any(|l| l.starts_with(&format!("{metric},,"))), "trust-wide {metric}");
    }
    assert!(summary.lines().any(|l| l.starts_with("midnight_occupancy,medicine,")));
    let daily = String::from_utf8(read(&out, "daily.csv")).unwrap();
    assert!(daily.starts_with("date,metric,pool,mean,p10,p50,p90"));
    for metric in ["midnight_occupancy", "boarders_0800", "admissions", "discharges", "ed_4h_performance"] {
        assert!(daily.lines().any(|l| l.starts_with(&format!("2026-11-01,{metric},"))), "daily {metric}");
    }
    assert!(daily.lines().any(|l| l.starts_with("2027-03-31,")));
    let reps = String::from_utf8(read(&out, "replications.csv")).unwrap();
    assert_eq!(reps.lines().count(), 4, "header + 3 replications");
}

/// Every malformed scenario under tests/bad_scenarios names its file, line
/// and field, exits 2, and leaves no output folder.
#[test]
fn malformed_scenarios_are_rejected_with_location() {
    let dir = Path::new("tests/bad_scenarios");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir).unwrap().map(|e| e.unwrap().path()).collect();
    files.sort();
    assert!(files.len() >= 12, "the corpus has {} cases", files.len());
    let tmp = tempfile::tempdir().unwrap();
    for file in files {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        let name = file.file_name().unwrap().to_string_lossy().into_owned();
        let header =
            |key: &str| text.lines().find_map(|l| l.strip_prefix(&format!("# {key}: ")).map(|s| s.trim().to_string()));
        let (line, field) = match name.as_str() {
            "empty_file.toml" => ("1".to_string(), "missing [scenario]".to_string()),
            "binary_garbage.toml" => ("1".to_string(), "not UTF-8".to_string()),
            _ => (header("expect-line").expect("expect-line"), header("expect-field").expect("expect-field")),
        };
        let out = tmp.path().join(name.trim_end_matches(".toml"));
        for args in [vec!["check"], vec!["run"]] {
            let mut cmd = bedflow();
            cmd.args(&args).arg(&file);
            if args[0] == "run" {
                cmd.arg("--out").arg(&out);
            }
            let assert = cmd.assert().code(2);
            let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
            // `file:line:col: field: message`, all on one line.
            let location = format!("{}:{line}:", file.display());
            let on_one_line = stderr.lines().any(|l| {
                let Some(rest) = l.strip_prefix(&location) else { return false };
                let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                let Some(rest) = rest[digits..].strip_prefix(": ") else { return false };
                digits > 0
                    && (rest.starts_with(&format!("{field}:"))
                        || header("expect-field").is_none() && rest.contains(&field))
            });
            assert!(on_one_line, "{name}: expected {location}COL: {field} on one line in:\n{stderr}");
            assert!(!stderr.contains("panicked"), "{name} panicked");
        }
        assert!(!out.exists(), "{name}: output folder written for a bad scenario");
    }
    let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
    assert!(leftovers.is_empty(), "nothing at all written: {leftovers:?}");
}

#[test]
fn missing_file_and_bad_flags_exit_2() {
    bedflow().args(["check", "no/such/file.toml"]).assert().code(2);
    bedflow().args(["run", WINTER, "--replications", "0"]).assert().code(2);
    bedflow().args(["run", WINTER, "--threads", "zero"]).assert().code(2);
}

#[test]
fn check_accepts_the_shipped_scenario() {
    bedflow().args(["check", WINTER]).assert().success();
}

#[test]
fn run_replaces_earlier_results_completely() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("o");
    // An earlier run's folder holding a file this run does not write (as
    // finance.xlsx after escalation is taken out of a scenario).
    run_to(&out, &["--replications", "2"]);
    // (its line in the marker: the SHA-256 of "old", as sha256sum prints it).
    let mut marker = std::fs::read_to_string(out.join(".bedflow")).unwrap();
    marker.push_str("cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4  stale.csv\n");
    std::fs::write(out.join(".bedflow"), marker).unwrap();
    std::fs::write(out.join("stale.csv"), "old").unwrap();
    run_to(&out, &["--replications", "2"]);
    assert!(!out.join("stale.csv").exists());
    assert!(out.join("summary.csv").exists());
    let names: Vec<String> =
        std::fs::read_dir(tmp.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names, vec!["o".to_string()], "no temporary folders left behind");
}

/// `small.toml` and `./small.toml` are the same scenario: identical reports.
#[test]
fn a_leading_dot_slash_does_not_change_the_outputs() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(WINTER, tmp.path().join("small.toml")).unwrap();
    for (scenario, out) in [("small.toml", "a"), ("./small.toml", "b")] {
        bedflow()
            .current_dir(tmp.path())
            .args(["run", scenario, "--replications", "2", "--quiet", "--out", out])
            .assert()
            .success();
    }
    for f in ["report.html", "summary.csv", "daily.csv"] {
        assert!(read(&tmp.path().join("a"), f) == read(&tmp.path().join("b"), f), "{f} differs");
    }
}

/// A plan variant that misspells a pool adds an empty pool: `check` and `run`
/// warn, naming the pool it probably meant.
#[test]
fn a_pool_nothing_uses_is_warned_about() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::copy(WINTER, tmp.path().join("base.toml")).unwrap();
    std::fs::write(
        tmp.path().join("typo.toml"),
        "extends = \"base.toml\"\n[scenario]\nname = \"typo\"\n[[pool]]\nname = \"Medicine\"\nbeds = 430\n",
    )
    .unwrap();
    let out = bedflow().arg("check").arg(tmp.path().join("typo.toml")).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success());
    assert!(
        stderr.contains("pool \"Medicine\" gets no patients") && stderr.contains("did you mean \"medicine\"?"),
        "{stderr}"
    );
    let shipped = bedflow().args(["check", WINTER]).output().unwrap();
    assert!(!String::from_utf8_lossy(&shipped.stderr).contains("gets no patients"));
}
