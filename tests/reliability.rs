//! Reliability: no panics on any scenario text (kill -9 and output folders:
//! `data_loss.rs`), shards that merge into the single-machine outputs, and overload warnings.

mod common;

use assert_cmd::Command;
use proptest::prelude::*;
use std::path::Path;

const WINTER: &str = "scenarios/winter-2026-27.toml";

fn bedflow() -> Command {
    Command::cargo_bin("bedflow").unwrap()
}

/// Every rejection carries a location and a message.
fn check_never_panics(text: &str) {
    match bedflow::scenario::parse_str(text, "fuzz.toml") {
        Ok(_) => {}
        Err(e) => {
            assert!(!e.diagnostics.is_empty());
            for d in &e.diagnostics {
                assert!(d.line >= 1 && d.column >= 1 && !d.message.is_empty(), "{d:?}");
            }
            let _ = e.to_string();
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary text, including binary-looking garbage.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}") {
        check_never_panics(&text);
    }

    /// The shipped scenario with one line replaced by garbage, a number
    /// replaced by an extreme value, or a line deleted.
    #[test]
    fn mutated_scenarios_never_panic(line in 0usize..400, kind in 0u8..3, junk in "\\PC{0,30}", big in prop::sample::select(vec!["-1", "0", "1e308", "-1e308", "nan", "inf", "99999999999999999999", "0.0000001", "\"x\"", "[]", "{}"])) {
        let text = std::fs::read_to_string(WINTER).unwrap();
        let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
        let i = line % lines.len();
        match kind {
            0 => lines[i] = junk.clone(),
            1 => {
                if let Some((k, _)) = lines[i].split_once('=') {
                    lines[i] = format!("{k}= {big}");
                }
            }
            _ => { lines.remove(i); }
        }
        check_never_panics(&lines.join("\n"));
    }
}

fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

/// The folders hold the same files with the same bytes, but run.json (which
/// records how the run was done) and its line in the .bedflow marker.
fn same_outputs(single: &Path, merged: &Path) {
    let (single, merged) = (files(single), files(merged));
    assert_eq!(single.len(), merged.len());
    let without_run_json = |bytes: &[u8]| -> Vec<u8> {
        bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.ends_with(b"  run.json") && !l.starts_with(b"staging "))
            .flatten()
            .copied()
            .collect()
    };
    for ((a, x), (b, y)) in single.iter().zip(&merged) {
        assert_eq!(a, b);
        if a == ".bedflow" {
            assert!(
                without_run_json(x) == without_run_json(y),
                "{a} differs beyond the lines of run.json and the staging tag"
            );
        } else if a != "run.json" {
            assert!(x == y, "{a} differs between the merged and the single run");
        }
    }
}

/// More shards than a merge keeps open (300 of a tiny scenario, one
/// replication each, given in reverse order) merge into the single run's bytes.
#[test]
fn three_hundred_shards_merge_into_the_single_run() {
    use bedflow::output::shard::{self, Layout, MAX_OPEN_PARTS, PartMeta};
    const N: u32 = 300;
    assert!(N as usize > MAX_OPEN_PARTS);
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let scenario = d.join("tiny.toml");
    std::fs::write(
        &scenario,
        "[scenario]\nname = \"tiny\"\nstart = \"2025-01-01\"\nend = \"2025-02-28\"\nwarmup_days = 5\n\
         replications = 5\nseed = 3\n\n[[pool]]\nname = \"medicine\"\nbeds = 20\n\n[[admissions]]\n\
         name = \"emergency\"\nsource = \"direct\"\nper_day = 6.0\npool = \"medicine\"\n\
         stay_days = { dist = \"lognormal\", mean = 3.0, sd = 2.0 }\n",
    )
    .unwrap();
    let model = bedflow::scenario::load(&scenario).unwrap();
    let layout = Layout::of_model(&model);
    let spec = bedflow::replicate::RunSpec { replications: N, seed: model.seed, threads: 1 };
    let meta = PartMeta {
        scenario_path: scenario.display().to_string(),
        scenario_sha256: bedflow::scenario::fingerprint::fingerprint(&scenario, &[]).unwrap(),
        seed: model.seed,
        replications: N,
        shard: 0,
        shards: N,
    };
    let mut parts = Vec::new();
    for k in (1..=N).rev() {
        let indices = shard::shard_indices(k, N, N);
        let reps = bedflow::replicate::run_indices(&model, spec, &indices, &|| {}).unwrap();
        let path = d.join(format!("{k}.part"));
        let meta = PartMeta { shard: k, ..meta.clone() };
        shard::write_part(&path, &meta, &layout, &indices.into_iter().zip(reps).collect::<Vec<_>>()).unwrap();
        parts.push(path);
    }
    bedflow().arg("merge").args(&parts).arg("--out").arg(d.join("merged")).assert().success();
    bedflow()
        .arg("run")
        .arg(&scenario)
        .args(["--replications", &N.to_string(), "--quiet", "--out"])
        .arg(d.join("single"))
        .assert()
        .success();
    same_outputs(&d.join("single"), &d.join("merged"));
    let info: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("merged/run.json")).unwrap()).unwrap();
    let single: serde_json::Value = serde_json::from_slice(&std::fs::read(d.join("single/run.json")).unwrap()).unwrap();
    assert_eq!(info["events"], single["events"]);
}

/// Four shards merged give the same bytes as one machine (all but run.json).
#[test]
fn four_shards_merge_into_the_single_run() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut parts = Vec::new();
    for k in [3, 1, 4, 2] {
        let part = d.join(format!("p{k}.part"));
        bedflow()
            .args(["run", WINTER, "--replications", "10", "--quiet", "--shard", &format!("{k}/4"), "--out"])
            .arg(&part)
            .assert()
            .success();
        parts.push(part);
    }
    bedflow().arg("merge").args(&parts).arg("--out").arg(d.join("merged")).assert().success();
    bedflow()
        .args(["run", WINTER, "--replications", "10", "--quiet", "--out"])
        .arg(d.join("single"))
        .assert()
        .success();
    same_outputs(&d.join("single"), &d.join("merged"));
    // A missing or repeated shard is refused.
    bedflow().arg("merge").args(&parts[..3]).arg("--out").arg(d.join("m2")).assert().code(2);
    bedflow()
        .arg("merge")
        .args([&parts[0], &parts[0], &parts[1], &parts[2]])
        .arg("--out")
        .arg(d.join("m3"))
        .assert()
        .code(2);
    assert!(!d.join("m2").exists() && !d.join("m3").exists());
}

/// Demand above capacity: a warning with the numbers, and the queue growth reported.
#[test]
fn overload_is_warned_and_measured() {
    let tmp = tempfile::tempdir().unwrap();
    // Without ED capacity: a full ED would hold the queue back in the department.
    let text =
        common::without_ed_capacity(&std::fs::read_to_string(WINTER).unwrap()).replacen("beds = 395", "beds = 280", 1);
    std::fs::write(tmp.path().join("over.toml"), text).unwrap();
    let out = tmp.path().join("o");
    let assert = bedflow()
        .arg("run")
        .arg(tmp.path().join("over.toml"))
        .args(["--replications", "4", "--quiet", "--out"])
        .arg(&out)
        .assert()
        .success();
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("warning: pool \"medicine\": offered load") && stderr.contains("exceeds its 304 beds"),
        "{stderr}"
    );
    let summary = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let growth: f64 = summary
        .lines()
        .find(|l| l.starts_with("boarders_growth_per_day,medicine,"))
        .unwrap()
        .split(',')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    assert!(growth > 1.0, "queue growth {growth} a day");
}
