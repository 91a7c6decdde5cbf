//! Shards and merge: a merge never produces wrong results. The scenario's
//! whole extends chain is fingerprinted; crafted or corrupt parts are refused
//! with exit 2 and a message, never a panic or a huge allocation; empty shards
//! merge; part files are written safely and never replace anything but a part.

use assert_cmd::Command;
use proptest::prelude::*;
use serde_json::Value;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use std::time::Duration;

const WINTER: &str = "scenarios/winter-2026-27.toml";

fn bedflow() -> Command {
    let mut c = Command::cargo_bin("bedflow").unwrap();
    c.timeout(Duration::from_secs(120));
    c
}

fn run_shard(scenario: &Path, reps: u32, shard: &str, out: &Path) -> assert_cmd::assert::Assert {
    bedflow()
        .arg("run")
        .arg(scenario)
        .args(["--replications", &reps.to_string(), "--quiet", "--shard", shard, "--out"])
        .arg(out)
        .assert()
}

/// Every file of a folder, by name, with its bytes.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_file())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), std::fs::read(e.path()).unwrap()))
        .collect();
    v.sort();
    v
}

/// The two folders hold the same files with the same bytes, run.json aside
/// (and its line in the .bedflow marker, which lists every file's SHA-256).
fn same_outputs(a: &Path, b: &Path) {
    let (x, y) = (files(a), files(b));
    assert_eq!(x.iter().map(|f| &f.0).collect::<Vec<_>>(), y.iter().map(|f| &f.0).collect::<Vec<_>>());
    let without_run_json = |bytes: &[u8]| -> Vec<u8> {
        bytes
            .split(|&b| b == b'\n')
            .filter(|l| !l.ends_with(b"  run.json") && !l.starts_with(b"staging "))
            .flatten()
            .copied()
            .collect()
    };
    for ((name, p), (_, q)) in x.iter().zip(&y) {
        if name == ".bedflow" {
            assert!(
                without_run_json(p) == without_run_json(q),
                "{name} differs beyond the lines of run.json and the staging tag"
            );
        } else if name != "run.json" {
            assert!(p == q, "{name} differs");
        }
    }
}

fn stderr(a: &assert_cmd::assert::Assert) -> String {
    String::from_utf8_lossy(&a.get_output().stderr).into_owned()
}

/// Exit 2, the message contains `fragment`, and nothing panicked.
fn refused(a: assert_cmd::assert::Assert, fragment: &str) -> String {
    let err = stderr(&a);
    a.code(2);
    assert!(!err.contains("panicked"), "{err}");
    assert!(err.contains(fragment), "expected \"{fragment}\" in: {err}");
    err
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A part split into its first line, its header and its body.
struct Split {
    magic: String,
    header: Value,
    body: Vec<u8>,
}

fn split(bytes: &[u8]) -> Split {
    let first = bytes.iter().position(|&b| b == b'\n').unwrap();
    let second = first + 1 + bytes[first + 1..].iter().position(|&b| b == b'\n').unwrap();
    Split {
        magic: String::from_utf8(bytes[..first].to_vec()).unwrap(),
        header: serde_json::from_slice(&bytes[first + 1..second]).unwrap(),
        body: bytes[second + 1..].to_vec(),
    }
}

impl Split {
    fn join(&self) -> Vec<u8> {
        let mut out = format!("{}\n{}\n", self.magic, self.header).into_bytes();
        out.extend_from_slice(&self.body);
        out
    }

    /// Puts the body's true checksum in the header, so only the intended fault remains.
    fn rehash(&mut self) {
        self.header["body_sha256"] = Value::String(sha(&self.body));
    }
}

/// A valid part of the winter scenario: shard 1 of 1, two replications.
fn valid_part(dir: &Path) -> Vec<u8> {
    let path = dir.join("valid.part");
    run_shard(Path::new(WINTER), 2, "1/1", &path).success();
    std::fs::read(path).unwrap()
}

fn merge(parts: &[&Path], out: &Path) -> assert_cmd::assert::Assert {
    bedflow().arg("merge").args(parts).arg("--out").arg(out).assert()
}

/// A child scenario extending a copy of the winter scenario.
fn chain(dir: &Path) -> (PathBuf, PathBuf) {
    let parent = dir.join("parent.toml");
    std::fs::copy(WINTER, &parent).unwrap();
    let child = dir.join("child.toml");
    std::fs::write(&child, "extends = \"parent.toml\"\n[scenario]\nname = \"child\"\n").unwrap();
    (parent, child)
}

fn change_parent(parent: &Path) {
    let text = std::fs::read_to_string(parent).unwrap().replacen("beds = 395", "beds = 400", 1);
    std::fs::write(parent, text).unwrap();
}

#[test]
fn parent_changed_between_shards_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (parent, child) = chain(d);
    run_shard(&child, 4, "1/2", &d.join("1.part")).success();
    change_parent(&parent);
    run_shard(&child, 4, "2/2", &d.join("2.part")).success();
    refused(merge(&[&d.join("1.part"), &d.join("2.part")], &d.join("m")), "differ in scenario");
    assert!(!d.join("m").exists());
}

#[test]
fn parent_changed_before_merge_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (parent, child) = chain(d);
    run_shard(&child, 4, "1/2", &d.join("1.part")).success();
    run_shard(&child, 4, "2/2", &d.join("2.part")).success();
    merge(&[&d.join("1.part"), &d.join("2.part")], &d.join("ok")).success();
    change_parent(&parent);
    refused(merge(&[&d.join("1.part"), &d.join("2.part")], &d.join("m")), "has changed since the shards ran");
    assert!(!d.join("m").exists());
}

/// run.json's scenario_sha256 of a lone file is its plain SHA-256; with a
/// parent it covers the parent too.
#[test]
fn run_json_fingerprint_covers_the_chain() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (parent, child) = chain(d);
    let sum = |scenario: &Path, out: &str| -> String {
        bedflow()
            .arg("run")
            .arg(scenario)
            .args(["--replications", "2", "--quiet", "--out"])
            .arg(d.join(out))
            .assert()
            .success();
        let info: Value = serde_json::from_slice(&std::fs::read(d.join(out).join("run.json")).unwrap()).unwrap();
        info["scenario_sha256"].as_str().unwrap().to_string()
    };
    assert_eq!(sum(&parent, "p"), sha(&std::fs::read(&parent).unwrap()));
    let before = sum(&child, "c1");
    change_parent(&parent);
    assert_ne!(before, sum(&child, "c2"));
}

/// One crafted part, merged alone: refused with exit 2 and `fragment`.
fn crafted(name: &str, fragment: &str, edit: impl FnOnce(&mut Split)) {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut part = split(&valid_part(d));
    edit(&mut part);
    let path = d.join(format!("{name}.part"));
    std::fs::write(&path, part.join()).unwrap();
    let started = std::time::Instant::now();
    refused(merge(&[&path], &d.join("out")), fragment);
    assert!(started.elapsed() < Duration::from_secs(30), "{name} took {:?}", started.elapsed());
    assert!(!d.join("out").exists());
    // The bytes parser agrees, where the fault needs no scenario to see.
    let _ = bedflow::output::shard::parse_part(&std::fs::read(&path).unwrap(), "x.part");
}

#[test]
fn the_valid_part_merges() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let part = split(&valid_part(d));
    let path = d.join("again.part");
    std::fs::write(&path, part.join()).unwrap();
    merge(&[&path], &d.join("out")).success();
    let raw = bedflow::output::shard::parse_part(&std::fs::read(&path).unwrap(), "again.part").unwrap();
    assert_eq!(raw.reps.iter().map(|r| r.0).collect::<Vec<_>>(), vec![0, 1]);
}

#[test]
fn crafted_shard_zero() {
    crafted("shard0", "shard is 0", |p| p.header["shard"] = 0.into());
}

#[test]
fn crafted_shard_above_shards() {
    crafted("shard3of2", "shard is 3, which is not between 1 and shards (2)", |p| {
        p.header["shard"] = 3.into();
        p.header["shards"] = 2.into();
    });
}

#[test]
fn crafted_zero_shards() {
    crafted("shards0", "shards is 0", |p| p.header["shards"] = 0.into());
}

#[test]
fn crafted_huge_count() {
    crafted("count", "count is 4294967295", |p| p.header["count"] = u32::MAX.into());
}

#[test]
fn crafted_huge_count_and_replications() {
    crafted("reps", "replications is 4294967295", |p| {
        p.header["count"] = u32::MAX.into();
        p.header["replications"] = u32::MAX.into();
    });
}

#[test]
fn crafted_huge_series() {
    crafted("series", "no scenario has more than", |p| p.header["daily"][0][3] = (u64::MAX / 2).into());
}

#[test]
fn crafted_pool_index_out_of_range() {
    crafted("pool", "pool #1000", |p| {
        // The second scalar is the first pool's; point it far beyond the pools.
        p.header["scalar"][1][1] = 999.into();
    });
}

#[test]
fn crafted_specialty_index_out_of_range() {
    crafted("specialty", "specialty #", |p| {
        let scalar = p.header["scalar"].as_array_mut().unwrap();
        let last = scalar.len() - 1;
        scalar[last][2] = 12345.into();
    });
}

#[test]
fn crafted_truncated_body() {
    crafted("truncated", "truncated or has extra data", |p| {
        p.body.truncate(p.body.len() - 8);
        p.rehash();
    });
}

#[test]
fn crafted_extra_data() {
    crafted("extra", "truncated or has extra data", |p| p.body.extend_from_slice(&[0; 8]));
}

#[test]
fn crafted_flipped_body_byte() {
    crafted("flipped", "SHA-256", |p| {
        // A low mantissa bit of the first replication's first value.
        p.body[13] ^= 0x10;
    });
}

#[test]
fn crafted_renamed_metric() {
    crafted("renamed", "is \"bed_occupancy\", where this bedflow computes \"midnight_occupancy\"", |p| {
        p.header["scalar"][0][0] = "bed_occupancy".into()
    });
}

#[test]
fn crafted_series_length() {
    crafted("length", "values, where this bedflow computes", |p| {
        // One more value in the first daily series, and the body to match.
        let n = p.header["daily"][0][3].as_u64().unwrap();
        p.header["daily"][0][3] = (n + 1).into();
        p.body.extend_from_slice(&[0; 16]);
        p.rehash();
    });
}

#[test]
fn crafted_other_format_version() {
    crafted("v1", "part format version 1", |p| p.magic = "bedflow-part 1".into());
    crafted("v3", "part format version 3", |p| p.magic = "bedflow-part 3".into());
    crafted("field", "format version 7", |p| p.header["format"] = 7.into());
}

#[test]
fn crafted_infinite_value() {
    crafted("inf", "is infinite", |p| {
        // The first value of the first replication (after its number and event count).
        p.body[12..20].copy_from_slice(&f64::INFINITY.to_bits().to_le_bytes());
        p.rehash();
    });
}

#[test]
fn crafted_wrong_replication_number() {
    crafted("repno", "is replication 6", |p| {
        p.body[0..4].copy_from_slice(&5u32.to_le_bytes());
        p.rehash();
    });
}

#[test]
fn crafted_unknown_header_field() {
    crafted("unknown", "its header", |p| p.header["extra"] = 1.into());
}

#[test]
fn crafted_bad_checksum_text() {
    crafted("sumtext", "body_sha256 is not a SHA-256", |p| p.header["body_sha256"] = "xyz".into());
}

/// NaN (an undefined KPI) is legitimate and merges.
#[test]
fn nan_values_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut p = split(&valid_part(d));
    p.body[12..20].copy_from_slice(&f64::NAN.to_bits().to_le_bytes());
    p.rehash();
    let path = d.join("nan.part");
    std::fs::write(&path, p.join()).unwrap();
    merge(&[&path], &d.join("out")).success();
}

/// More shards than replications: the empty shards merge, and the result is
/// the single-machine run's.
#[test]
fn more_shards_than_replications_merge() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let parts: Vec<PathBuf> = (1..=5).map(|k| d.join(format!("{k}.part"))).collect();
    for (k, p) in parts.iter().enumerate() {
        run_shard(Path::new(WINTER), 3, &format!("{}/5", k + 1), p).success();
    }
    let refs: Vec<&Path> = parts.iter().map(|p| p.as_path()).collect();
    merge(&refs, &d.join("merged")).success();
    bedflow().args(["run", WINTER, "--replications", "3", "--quiet", "--out"]).arg(d.join("single")).assert().success();
    same_outputs(&d.join("single"), &d.join("merged"));
    // An empty shard is still needed.
    refused(merge(&refs[..4], &d.join("m2")), "shard 5/5 is missing");
}

/// More parts than a merge keeps open: read one after another, same result.
#[test]
fn more_parts_than_kept_open_merge() {
    use bedflow::output::shard::{self, Layout, MAX_OPEN_PARTS, PartMeta};
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let shards = MAX_OPEN_PARTS as u32 + 1;
    let model = bedflow::scenario::load(Path::new(WINTER)).unwrap();
    let layout = Layout::of_model(&model);
    let spec = bedflow::replicate::RunSpec { replications: 3, seed: model.seed, threads: 1 };
    let mut parts = Vec::new();
    for k in 1..=shards {
        let indices = shard::shard_indices(k, shards, 3);
        let reps = bedflow::replicate::run_indices(&model, spec, &indices, &|| {}).unwrap();
        let meta = PartMeta {
            scenario_path: WINTER.into(),
            scenario_sha256: bedflow::scenario::fingerprint::fingerprint(Path::new(WINTER), &[]).unwrap(),
            seed: model.seed,
            replications: 3,
            shard: k,
            shards,
        };
        let path = d.join(format!("{k}.part"));
        shard::write_part(&path, &meta, &layout, &indices.into_iter().zip(reps).collect::<Vec<_>>()).unwrap();
        parts.push(path);
    }
    parts.reverse();
    let refs: Vec<&Path> = parts.iter().map(|p| p.as_path()).collect();
    merge(&refs, &d.join("merged")).success();
    bedflow().args(["run", WINTER, "--replications", "3", "--quiet", "--out"]).arg(d.join("single")).assert().success();
    same_outputs(&d.join("single"), &d.join("merged"));
}

#[cfg(unix)]
#[test]
fn symlink_at_the_old_temporary_name_is_not_followed() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let victim = d.join("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    std::os::unix::fs::symlink(&victim, d.join("a.partial")).unwrap();
    run_shard(Path::new(WINTER), 2, "1/1", &d.join("a.part")).success();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
    assert!(std::fs::symlink_metadata(d.join("a.partial")).unwrap().file_type().is_symlink());
    merge(&[&d.join("a.part")], &d.join("m")).success();
    // No temporary file is left behind.
    let left: Vec<String> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Two shards whose --out differ only in extension, run at once, each get
/// their own part (the old shared temporary name is even occupied by a folder).
#[test]
fn outs_differing_only_in_extension() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir(d.join("a.partial")).unwrap();
    for _ in 0..3 {
        let spawn = |shard: &str, out: &str| {
            std::process::Command::new(env!("CARGO_BIN_EXE_bedflow"))
                .args(["run", WINTER, "--replications", "6", "--quiet", "--shard", shard, "--out"])
                .arg(d.join(out))
                .spawn()
                .unwrap()
        };
        let (mut a, mut b) = (spawn("1/2", "a.part"), spawn("2/2", "a.bin"));
        assert!(a.wait().unwrap().success() && b.wait().unwrap().success());
        merge(&[&d.join("a.part"), &d.join("a.bin")], &d.join("merged")).success();
        let h = |p: &str| split(&std::fs::read(d.join(p)).unwrap()).header;
        assert_eq!((h("a.part")["shard"].as_u64(), h("a.bin")["shard"].as_u64()), (Some(1), Some(2)));
        std::fs::remove_dir_all(d.join("merged")).unwrap();
    }
}

#[test]
fn out_naming_the_scenario_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let (parent, child) = chain(d);
    let (p0, c0) = (std::fs::read(&parent).unwrap(), std::fs::read(&child).unwrap());
    refused(run_shard(&child, 2, "1/2", &child), "is the scenario file");
    refused(run_shard(&child, 2, "1/2", &parent), "is the scenario file");
    // Named another way.
    refused(run_shard(&child, 2, "1/2", &d.join(".").join("parent.toml")), "is the scenario file");
    assert_eq!(std::fs::read(&parent).unwrap(), p0);
    assert_eq!(std::fs::read(&child).unwrap(), c0);
}

#[test]
fn out_naming_a_non_part_file_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let notes = d.join("notes.part");
    std::fs::write(&notes, "my notes\n").unwrap();
    refused(run_shard(Path::new(WINTER), 2, "1/2", &notes), "not a bedflow part file");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my notes\n");
    // An empty file is not a part file either.
    std::fs::write(&notes, "").unwrap();
    refused(run_shard(Path::new(WINTER), 2, "1/2", &notes), "not a bedflow part file");
    assert_eq!(std::fs::read_to_string(&notes).unwrap(), "");
    // A folder.
    std::fs::create_dir(d.join("dir")).unwrap();
    refused(run_shard(Path::new(WINTER), 2, "1/2", &d.join("dir")), "folder");
    assert!(d.join("dir").is_dir());
}

#[cfg(unix)]
#[test]
fn out_naming_a_symlink_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    run_shard(Path::new(WINTER), 2, "1/2", &d.join("real.part")).success();
    let before = std::fs::read(d.join("real.part")).unwrap();
    std::os::unix::fs::symlink(d.join("real.part"), d.join("link.part")).unwrap();
    refused(run_shard(Path::new(WINTER), 2, "2/2", &d.join("link.part")), "symbolic link");
    assert_eq!(std::fs::read(d.join("real.part")).unwrap(), before);
}

#[test]
fn an_existing_part_file_is_replaced() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let p = d.join("1.part");
    run_shard(Path::new(WINTER), 2, "1/2", &p).success();
    run_shard(Path::new(WINTER), 2, "2/2", &p).success();
    assert_eq!(split(&std::fs::read(&p).unwrap()).header["shard"], 2);
    // An old-format part may be replaced too.
    std::fs::write(&p, "bedflow-part 1\n{}\n").unwrap();
    run_shard(Path::new(WINTER), 2, "1/2", &p).success();
}

#[cfg(unix)]
#[test]
fn fifo_as_a_part_is_refused_quickly() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let fifo = d.join("fifo.part");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    let started = std::time::Instant::now();
    let a = bedflow().arg("merge").arg(&fifo).arg("--out").arg(d.join("m")).timeout(Duration::from_secs(10)).assert();
    refused(a, "not a regular file");
    assert!(started.elapsed() < Duration::from_secs(10));
    // A device and a folder likewise.
    refused(merge(&[Path::new("/dev/zero")], &d.join("m")), "not a regular file");
    refused(merge(&[d], &d.join("m")), "not a regular file");
    // A FIFO as --out is refused too, without opening it.
    let a = bedflow()
        .args(["run", WINTER, "--replications", "2", "--quiet", "--shard", "1/1", "--out"])
        .arg(&fifo)
        .timeout(Duration::from_secs(10))
        .assert();
    refused(a, "not a regular file");
}

#[test]
fn missing_part_is_bad_input() {
    let tmp = tempfile::tempdir().unwrap();
    refused(merge(&[&tmp.path().join("nope.part")], &tmp.path().join("m")), "cannot read part file");
}

/// /proc takes no new files, even from root.
#[cfg(target_os = "linux")]
#[test]
fn failing_to_write_a_part_exits_1() {
    let a = run_shard(Path::new(WINTER), 2, "1/1", Path::new("/proc/bedflow-test.part"));
    let err = stderr(&a);
    a.code(1);
    assert!(err.contains("cannot write part file"), "{err}");
}

/// The layout computed without simulating is every replication's, for every
/// shipped scenario.
#[test]
fn layout_without_simulating_matches_a_replication() {
    use bedflow::output::shard::Layout;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_none_or(|e| e != "toml") {
            continue;
        }
        let model = bedflow::scenario::load(&path).unwrap();
        let spec = bedflow::replicate::RunSpec { replications: 1, seed: 1, threads: 1 };
        let reps = bedflow::replicate::run_indices(&model, spec, &[0], &|| {}).unwrap();
        assert_eq!(Layout::of_model(&model), Layout::of(&reps[0]), "{}", path.display());
    }
}

fn valid_bytes() -> &'static [u8] {
    static BYTES: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    BYTES.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        valid_part(tmp.path())
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, failure_persistence: None, ..ProptestConfig::default() })]

    /// Arbitrary bytes, with or without the magic line.
    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..600), magic in any::<bool>()) {
        let mut input = if magic { b"bedflow-part 2\n".to_vec() } else { Vec::new() };
        input.extend_from_slice(&bytes);
        // As the fuzz target (tests/fuzz/fuzz_targets/parse_part.rs) checks.
        match bedflow::output::shard::parse_part(&input, "fuzz.part") {
            Ok(part) => prop_assert_eq!(part.reps.len(), part.header.count as usize),
            Err(e) => prop_assert!(e.to_string().contains("fuzz.part")),
        }
    }

    /// A valid part with bytes overwritten, inserted or cut, anywhere.
    #[test]
    fn mutated_parts_never_panic(at in 0usize..200_000, kind in 0u8..4, junk in prop::collection::vec(any::<u8>(), 1..16)) {
        let mut bytes = valid_bytes().to_vec();
        let at = at % bytes.len();
        match kind {
            0 => for (i, b) in junk.iter().enumerate() {
                if let Some(x) = bytes.get_mut(at + i) { *x = *b; }
            },
            1 => { bytes.splice(at..at, junk.iter().copied()); }
            2 => bytes.truncate(at),
            _ => { let end = (at + junk.len()).min(bytes.len()); bytes.drain(at..end); }
        }
        let result = bedflow::output::shard::parse_part(&bytes, "fuzz.part");
        // A changed body never passes: its checksum is in the header.
        let header_end = valid_bytes().iter().enumerate().filter(|(_, b)| **b == b'\n').nth(1).map_or(0, |(i, _)| i);
        if at > header_end && bytes != valid_bytes() {
            prop_assert!(result.is_err());
        }
    }

    /// Header fields replaced by extreme numbers: refused or accepted, never a panic.
    #[test]
    fn extreme_header_numbers_never_panic(field in prop::sample::select(vec!["shard", "shards", "replications", "count", "seed", "format"]), value in prop::sample::select(vec![0u64, 1, 2, 3, 99_999, 100_001, 1_000_001, u64::from(u32::MAX), u64::MAX])) {
        let mut p = split(valid_bytes());
        p.header[field] = value.into();
        let _ = bedflow::output::shard::parse_part(&p.join(), "fuzz.part");
    }
}

/// The largest header a scenario within the limits can produce (1,000 pools
/// and 1,000 specialties, every optional KPI, the longest series, the longest
/// scenario path written at its longest) fits under MAX_HEADER_BYTES, which
/// stays near it (within 4x). The winter scenario has every optional KPI
/// (emergency department, electives, escalation, OPEL); its per-pool and
/// per-specialty KPIs are repeated for 1,000 of each.
#[test]
fn largest_legitimate_header_fits_the_cap() {
    use bedflow::output::shard::{Layout, MAX_HEADER_BYTES, MAX_SERIES, PartHeader};
    let model = bedflow::scenario::load(Path::new(WINTER)).unwrap();
    let layout = Layout::of_model(&model);
    let n = bedflow::scenario::limits::MAX_TABLES;
    // Every KPI of the trust once; a pool's or specialty's n times, indexes with the most digits.
    let widen = |pool: Option<usize>, specialty: Option<usize>| -> Vec<(Option<usize>, Option<usize>)> {
        match (pool, specialty) {
            (Some(0), None) => vec![(Some(n - 1), None); n],
            (None, Some(0)) => vec![(None, Some(n - 1)); n],
            (None, None) => vec![(None, None)],
            _ => Vec::new(),
        }
    };
    let scalar: Vec<_> = layout
        .scalar
        .iter()
        .flat_map(|k| widen(k.pool(), k.specialty()).into_iter().map(|(p, s)| (k.metric.to_string(), p, s)))
        .collect();
    let series = |keys: &[(bedflow::stats::Key, usize)]| -> Vec<(String, Option<usize>, Option<usize>, usize)> {
        keys.iter()
            .flat_map(|(k, _)| {
                widen(k.pool(), k.specialty()).into_iter().map(|(p, s)| (k.metric.to_string(), p, s, MAX_SERIES))
            })
            .collect()
    };
    let (daily, monthly) = (series(&layout.daily), series(&layout.monthly));
    // Every key of winter's layout has a trust-wide, a first-pool or a first-specialty form.
    assert!(
        layout.scalar.iter().any(|k| k.specialty() == Some(0)) && layout.scalar.iter().any(|k| k.pool() == Some(0))
    );
    assert!(!monthly.is_empty() && daily.iter().any(|d| d.1.is_some()));
    let header = PartHeader {
        format: 2,
        bedflow_version: "x".repeat(64),
        // A control character is written as \u0001: six bytes each.
        scenario_path: "\u{1}".repeat(4096),
        scenario_sha256: "0".repeat(64),
        seed: u64::MAX,
        replications: 1_000_000,
        shard: 100_000,
        shards: 100_000,
        count: 1_000_000,
        scalar,
        daily,
        monthly,
        body_sha256: "0".repeat(64),
    };
    let len = serde_json::to_string(&header).unwrap().len() as u64 + 1;
    eprintln!(
        "largest header: {len} bytes ({} scalar, {} daily, {} monthly KPIs)",
        header.scalar.len(),
        header.daily.len(),
        header.monthly.len()
    );
    assert!(len < MAX_HEADER_BYTES && len > MAX_HEADER_BYTES / 4, "{len} bytes against a cap of {MAX_HEADER_BYTES}");
}

/// A header longer than any run can write is refused before it is parsed.
#[test]
fn crafted_header_over_the_cap() {
    use bedflow::output::shard::MAX_HEADER_BYTES;
    crafted("long", &format!("longer than {MAX_HEADER_BYTES} bytes"), |p| {
        let scalar = p.header["scalar"].as_array_mut().unwrap();
        // `["",0,0],` is 9 bytes.
        scalar.extend((0..MAX_HEADER_BYTES / 9 + 1).map(|_| serde_json::json!(["", 0, 0])));
    });
}

/// A first part with a KPI list far beyond the scenario's (but under the cap)
/// is refused on its own, before any other part is read.
#[test]
fn crafted_layout_is_refused_before_other_parts_are_read() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let mut part = split(&valid_part(d));
    // 200,000 more scalar KPIs, first, and their values (zeros) in each record.
    const MORE: usize = 200_000;
    let scalar = part.header["scalar"].as_array_mut().unwrap();
    scalar.splice(0..0, (0..MORE).map(|_| serde_json::json!(["", 0, 0])));
    let record = part.body.len() / 2;
    part.body = part.body.chunks(record).flat_map(|r| [&r[..12], &vec![0; 8 * MORE][..], &r[12..]].concat()).collect();
    part.rehash();
    let first = d.join("first.part");
    std::fs::write(&first, part.join()).unwrap();
    let garbage = d.join("garbage.part");
    std::fs::write(&garbage, "not a part\n").unwrap();
    let err = refused(merge(&[&first, &garbage], &d.join("out")), "scalar KPIs, where this bedflow computes");
    assert!(err.contains("first.part") && !err.contains("garbage.part"), "{err}");
    assert!(!d.join("out").exists());
}

/// An event count no replication can have is refused: summed, it would wrap
/// run.json's total.
#[test]
fn crafted_huge_event_count() {
    crafted("events", "18446744073709551615 events, more than any replication", |p| {
        p.body[4..12].copy_from_slice(&u64::MAX.to_le_bytes());
        p.rehash();
    });
}

/// Runs shard 1/1 into `out`, paused just before its part is renamed into
/// place; `during` runs at the pause, then the shard resumes. Returns its exit
/// code and stderr.
fn shard_paused_before_rename(d: &Path, out: &Path, during: impl FnOnce()) -> (Option<i32>, String) {
    use std::io::BufRead;
    let resume = d.join("resume");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_bedflow"))
        .args(["run", WINTER, "--replications", "2", "--quiet", "--shard", "1/1", "--out"])
        .arg(out)
        .env("BEDFLOW_FAILPOINT", "part-before-rename")
        .env("BEDFLOW_FAILPOINT_RESUME", &resume)
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut seen = String::new();
    loop {
        let mut line = String::new();
        assert!(stderr.read_line(&mut line).unwrap() > 0, "the shard ended before its failpoint: {seen}");
        seen += &line;
        if line.trim_end() == "bedflow: failpoint part-before-rename" {
            break;
        }
    }
    during();
    std::fs::write(&resume, "").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stderr, &mut rest).unwrap();
    let status = child.wait().unwrap();
    std::fs::remove_file(&resume).unwrap();
    (status.code(), seen + &rest)
}

fn temporaries(d: &Path) -> Vec<String> {
    std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains(".tmp-"))
        .collect()
}

/// A file made at the part's path while the shard runs (after --out was
/// checked) is kept: the shard fails with exit 2 and leaves no temporary file.
/// A part file made there is replaced, and with nothing there the part is written.
#[test]
fn file_made_at_out_during_the_run_is_kept() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let out = d.join("results.part");
    let (code, err) = shard_paused_before_rename(d, &out, || std::fs::write(&out, "my notes\n").unwrap());
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("not a bedflow part file") && err.contains("appeared while the shard ran"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(std::fs::read_to_string(&out).unwrap(), "my notes\n");
    assert!(temporaries(d).is_empty(), "{:?}", temporaries(d));
    // A folder made there is kept too.
    std::fs::remove_file(&out).unwrap();
    let (code, err) = shard_paused_before_rename(d, &out, || std::fs::create_dir(&out).unwrap());
    assert_eq!(code, Some(2), "{err}");
    assert!(out.is_dir() && temporaries(d).is_empty());
    std::fs::remove_dir(&out).unwrap();
    // A part file made there is replaced.
    let (code, err) = shard_paused_before_rename(d, &out, || std::fs::write(&out, "bedflow-part 1\n{}\n").unwrap());
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(split(&std::fs::read(&out).unwrap()).header["shard"], 1);
    // Nothing there: written.
    std::fs::remove_file(&out).unwrap();
    let (code, err) = shard_paused_before_rename(d, &out, || {});
    assert_eq!(code, Some(0), "{err}");
    merge(&[&out], &d.join("m")).success();
    assert!(temporaries(d).is_empty());
}
