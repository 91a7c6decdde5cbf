//! Bounded memory and time for anything that passes `check`: limits from the
//! effective rates of every stream (reported by `check` and `run` alike),
//! bounded plot sizes, sweep counts, sweeps of fields that cannot vary, and
//! the overload warning's wording.

use assert_cmd::Command;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn bedflow() -> Command {
    let mut c = Command::cargo_bin("bedflow").unwrap();
    c.timeout(Duration::from_secs(60));
    c
}

/// A small valid scenario; `extra` is appended to the `[[admissions]]` table.
fn scenario(extra: &str) -> String {
    format!(
        r#"[scenario]
name = "small"
start = "2025-01-01"
end = "2025-01-31"
warmup_days = 5
replications = 5
seed = 1

[[pool]]
name = "medicine"
beds = 40

[[admissions]]
name = "emergency"
source = "direct"
per_day = 10.0
pool = "medicine"
stay_days = {{ dist = "lognormal", mean = 3.0, sd = 2.0 }}
{extra}
"#
    )
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// `check` and `run` both refuse the scenario with exit 2, naming `field`
/// with a file:line:col location, and `run` writes nothing.
fn rejected(text: &str, field: &str) {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", text);
    for args in [vec!["check"], vec!["run", "--quiet", "--out"]] {
        let mut cmd = bedflow();
        cmd.args(&args);
        if args[0] == "run" {
            cmd.arg(dir.path().join("out"));
        }
        let out = cmd.arg(&path).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains("s.toml:") && err.contains(field), "{args:?} should name {field}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
    assert!(!dir.path().join("out").exists());
}

#[test]
fn subnormal_weekday_weight_is_rejected() {
    rejected(&scenario("day_of_week = [5e-324, 0, 0, 0, 0, 0, 0]"), "admissions[1].day_of_week[1]");
}

#[test]
fn subnormal_hour_weight_is_rejected() {
    let hours = std::iter::once("5e-324").chain(std::iter::repeat_n("0", 23)).collect::<Vec<_>>().join(", ");
    rejected(&scenario(&format!("hour_of_day = [{hours}]")), "admissions[1].hour_of_day[1]");
}

#[test]
fn huge_bank_holiday_factor_is_rejected() {
    rejected(&scenario("bank_holiday_factor = 1e300"), "admissions[1].bank_holiday_factor");
}

#[test]
fn huge_seasonality_factor_is_rejected() {
    let one = "\n[[seasonality]]\nfrom = \"2025-01-01\"\nto = \"2025-01-10\"\nfactor = 1e300\n";
    rejected(&format!("{}{one}", scenario("")), "seasonality[1].factor");
    // Each factor is allowed, but overlapping ranges multiply past the limit.
    let many: String =
        (0..6).map(|_| "\n[[seasonality]]\nfrom = \"2025-01-01\"\nto = \"2025-01-10\"\nfactor = 50.0\n").collect();
    rejected(&format!("{}{many}", scenario("")), ".factor");
}

#[test]
fn huge_referrals_per_week_are_counted() {
    let specialty = r#"
[[specialty]]
name = "orthopaedics"
waiting_list = 10
referrals_per_week = 7000000.0
urgent_share = 0.1
inpatient_share = 0.5
stay_days = { dist = "fixed", value = 2.0 }
"#;
    let text = format!("{}{specialty}", scenario("")).replace("end = \"2025-01-31\"", "end = \"2025-12-31\"");
    rejected(&text, "specialty[1].referrals_per_week");
}

fn pools(n: usize) -> String {
    let mut text = String::from(
        "[scenario]\nname = \"many\"\nstart = \"2025-01-01\"\nend = \"2025-01-10\"\nwarmup_days = 2\nreplications = 2\nseed = 1\n",
    );
    for i in 0..n {
        text.push_str(&format!(
            "\n[[pool]]\nname = \"p{i}\"\nbeds = {}\n\n[[admissions]]\nname = \"a{i}\"\nsource = \"direct\"\nper_day = 1.0\n\
             pool = \"p{i}\"\nstay_days = {{ dist = \"fixed\", value = 1.0 }}\n",
            10 + i
        ));
    }
    text
}

#[test]
fn three_thousand_pools_are_rejected_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "many.toml", &pools(3000));
    let out = bedflow().arg("check").arg(&path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("pool[1001]") && err.contains("the limit is 1000"), "{err}");
}

fn png_size(path: &Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let reader = decoder.read_info().unwrap();
    let info = reader.info();
    (info.width, info.height)
}

#[test]
fn plots_stay_bounded_with_many_pools() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "many.toml", &pools(40));
    let out_dir = dir.path().join("out");
    let out = bedflow().args(["run", "--quiet", "--out"]).arg(&out_dir).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    for entry in std::fs::read_dir(&out_dir).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "png") {
            let (w, h) = png_size(&p);
            assert!(w <= 1800 && h <= 3530, "{}: {w} x {h}", p.display());
        }
    }
    let svg = std::fs::read_to_string(out_dir.join("winter_occupancy.svg")).unwrap();
    assert!(svg.contains("29 smaller pools not shown"), "the title says what is left out");
    // The 11 largest pools (p29..p39) are drawn, the others are not.
    assert!(svg.contains("P39 (49 core beds)") && svg.contains("P29 (39 core beds)"));
    assert!(!svg.contains("P28 (38 core beds)"));
}

#[test]
fn run_leaves_no_scratch_or_spill_files() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &scenario(""));
    let out_dir = dir.path().join("out");
    let out = bedflow().args(["run", "--quiet", "--out"]).arg(&out_dir).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let names: Vec<String> =
        std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().to_string_lossy().into_owned()).collect();
    assert_eq!(names.len(), 2, "only the scenario and the results: {names:?}");
    let csv = std::fs::read_to_string(out_dir.join("replications.csv")).unwrap();
    assert_eq!(csv.lines().count(), 6, "a header and 5 replications");
    assert!(!out_dir.join(".replications.spill").exists());
}

#[test]
fn replications_override_is_checked_like_the_scenario() {
    let dir = tempfile::tempdir().unwrap();
    // 38 simulated days of 10,000 a day: 3.8e11 arrivals over 1,000,000 replications.
    let text = scenario("").replace("10.0", "10000.0");
    let path = write(dir.path(), "s.toml", &text);
    let ok = bedflow().arg("check").arg(&path).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = bedflow()
        .args(["run", "--quiet", "--replications", "1000000", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("arrivals in all"), "{err}");
}

fn sweep(set: &str) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &scenario(""));
    let mut cmd = bedflow();
    cmd.timeout(Duration::from_secs(10));
    cmd.args(["sweep", "--quiet", "--set", set, "--out"]).arg(dir.path().join("out")).arg(&path).output().unwrap()
}

#[test]
fn enormous_sweep_counts_exit_2_quickly() {
    for set in ["pool.medicine.beds=0..1e20:1", "pool.medicine.beds=1..2:1e-300"] {
        let out = sweep(set);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains("at most 500") && !err.contains("panicked"), "{set}: {err}");
    }
    for (set, says) in [
        ("pool.medicine.beds=1..2:0", "STEP must be"),
        ("pool.medicine.beds=1..2:-1", "STEP must be"),
        ("pool.medicine.beds=1..2:inf", "STEP must be"),
        ("pool.medicine.beds=5..2:1", "A must not exceed B"),
    ] {
        let out = sweep(set);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains(says), "{set}: {err}");
    }
}

#[test]
fn sweeping_seed_or_replications_is_refused() {
    for (set, flag) in [("scenario.seed=1..3:1", "--seed"), ("scenario.replications=2..4:1", "--replications")] {
        let out = sweep(set);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{set}: {err}");
        assert!(err.contains("cannot sweep") && err.contains(flag), "{set}: {err}");
    }
}

#[test]
fn overload_warning_has_no_nan_and_divert_pools_divert() {
    let extra = r#"
[[pool]]
name = "overflow"
beds = 5
when_full = "divert"

[[admissions]]
name = "transfers"
source = "direct"
per_day = 30.0
pool = "overflow"
stay_days = { dist = "fixed", value = 2.0 }
"#;
    // A stay so long that admissions a day x mean stay overflows.
    let text = format!("{}{extra}", scenario(""))
        .replace("per_day = 10.0", "per_day = 2.0")
        .replace(r#"{ dist = "lognormal", mean = 3.0, sd = 2.0 }"#, r#"{ dist = "fixed", value = 1e308 }"#);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &text);
    let out = bedflow().args(["run", "--quiet", "--out"]).arg(dir.path().join("out")).arg(&path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(!err.contains("NaN") && !err.contains("inf "), "{err}");
    let medicine = err.lines().find(|l| l.contains("pool \"medicine\"")).expect("medicine is overloaded");
    assert!(medicine.contains("queue will grow"), "{medicine}");
    let overflow = err.lines().find(|l| l.contains("pool \"overflow\"")).expect("overflow is overloaded");
    assert!(overflow.contains("92% of its admissions will be diverted"), "{overflow}");
    assert!(!overflow.contains("queue"), "a divert pool has no queue: {overflow}");
}

#[test]
fn compare_refuses_to_hold_more_kpis_than_the_memory_limit() {
    let mut cmd = bedflow();
    cmd.timeout(Duration::from_secs(20));
    let dir = tempfile::tempdir().unwrap();
    let out = cmd
        .args(["compare", "--quiet", "--replications", "1000000", "--out"])
        .arg(dir.path().join("out"))
        .args(["scenarios/winter-2026-27.toml", "scenarios/winter-2026-27-plus-20-beds.toml"])
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("2 scenario runs x 1000000 replications") && err.contains("the limit is 4000 MB"), "{err}");
    assert!(!dir.path().join("out").exists());
}

/// A small scenario whose ED sees `per_day` attendances, all admitted, none
/// ever deciding: every patient stays in ED to the end of the run.
fn ed_that_never_decides(per_day: u32, end: &str) -> String {
    format!(
        r#"[scenario]
name = "stuck"
start = "2025-01-01"
end = "{end}"
warmup_days = 5
replications = 5
seed = 1

[ed]
attendances_per_day = {per_day}
admission_probability = 1.0
hours_to_decision = {{ dist = "fixed", value = 1e300 }}
hours_in_department = {{ dist = "fixed", value = 2.0 }}

[[pool]]
name = "medicine"
beds = 40

[[admissions]]
name = "emergency"
source = "ed"
share = 1.0
pool = "medicine"
stay_days = {{ dist = "fixed", value = 1e300 }}
"#
    )
}

/// Patients who never leave hold a patient slot each in every worker
/// thread's engine: 38 days of 1,000,000 a day is about 4.3 GB in one thread.
#[test]
fn patients_who_never_leave_are_bounded_in_memory() {
    rejected(&ed_that_never_decides(1_000_000, "2025-01-31"), "ed.attendances_per_day");
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &ed_that_never_decides(1_000_000, "2025-01-31"));
    let err = String::from_utf8_lossy(&bedflow().arg("check").arg(&path).output().unwrap().stderr).into_owned();
    assert!(err.contains("3.8000e7 patients in the hospital") && err.contains("the limit is 4000 MB"), "{err}");
}

/// Initial waiting lists are held in memory too: 190 lists of 1,000,000.
#[test]
fn huge_initial_waiting_lists_are_bounded_in_memory() {
    let mut text = scenario("");
    for i in 0..190 {
        text.push_str(&format!(
            "\n[[specialty]]\nname = \"s{i}\"\nwaiting_list = 1000000\nreferrals_per_week = 1.0\nurgent_share = 0.1\n\
             inpatient_share = 0.5\nstay_days = {{ dist = \"fixed\", value = 2.0 }}\n"
        ));
    }
    rejected(&text, ".waiting_list");
}

/// `check` assumes one worker thread; `run` counts an engine per thread (up
/// to the replications) and suggests how many fit.
#[test]
fn run_checks_patient_memory_for_its_threads() {
    let dir = tempfile::tempdir().unwrap();
    // 17 simulated days of 1,000,000 a day: about 1.9 GB per thread.
    let path = write(dir.path(), "s.toml", &ed_that_never_decides(1_000_000, "2025-01-10"));
    let ok = bedflow().arg("check").arg(&path).output().unwrap();
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    let out = bedflow()
        .args(["run", "--quiet", "--threads", "4", "--out"])
        .arg(dir.path().join("out"))
        .arg(&path)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("4 worker thread(s)") && err.contains("use --threads 2 or fewer"), "{err}");
    assert!(!dir.path().join("out").exists());
}

/// Peak resident memory (KB) of a finished `bedflow` run, and its exit code.
#[cfg(target_os = "linux")]
#[expect(clippy::zombie_processes, reason = "reaped by wait4, which also gives its rusage")]
fn peak_rss_kb(args: &[&std::ffi::OsStr]) -> (i64, i32) {
    let child = std::process::Command::new(assert_cmd::cargo::cargo_bin!("bedflow"))
        .args(args)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let mut status = 0;
    // SAFETY: an all-zero rusage is valid; wait4 fills it for this child only.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &raw mut status, 0, &raw mut usage) };
    assert_eq!(pid, child.id() as libc::pid_t);
    (usage.ru_maxrss, libc::WEXITSTATUS(status))
}

/// A sweep holds one value's scenario at a time: 120 values of a scenario
/// with a 20,000-value empirical list stay near one scenario's memory (they
/// used to be loaded all at once, about 50 MB here, 3.9 GB for a 4 MB file).
#[cfg(target_os = "linux")]
#[test]
fn sweep_holds_one_scenario_at_a_time() {
    let values = (0..20_000).map(|i| if i % 2 == 0 { "2" } else { "1" }).collect::<Vec<_>>().join(",");
    let text = scenario("")
        .replace("end = \"2025-01-31\"", "end = \"2025-01-03\"")
        .replace("warmup_days = 5", "warmup_days = 0")
        .replace("replications = 5", "replications = 1")
        .replace(
            r#"{ dist = "lognormal", mean = 3.0, sd = 2.0 }"#,
            &format!("{{ dist = \"empirical\", values = [{values}] }}"),
        );
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "emp.toml", &text);
    let out = dir.path().join("out");
    let args: Vec<&std::ffi::OsStr> =
        ["sweep", "--quiet", "--threads", "1", "--set", "pool.medicine.beds=1..120:1", "--out"]
            .iter()
            .map(std::ffi::OsStr::new)
            .chain([out.as_os_str(), path.as_os_str()])
            .collect();
    let (kb, code) = peak_rss_kb(&args);
    assert_eq!(code, 0);
    assert!(out.join("sweep.csv").exists());
    assert!(kb < 32_000, "peak {kb} KB");
}

/// `n` distinct extra holidays from 2025-01-01, one a day.
fn extra_holidays(n: usize) -> String {
    let start = chrono::NaiveDate::from_ymd_opt(2025, 1, 1).unwrap();
    let dates: Vec<String> = (0..n as u64).map(|i| format!("\"{}\"", start + chrono::Days::new(i))).collect();
    format!("\n[calendar]\nextra_holidays = [{}]\n", dates.join(", "))
}

#[test]
fn extra_holidays_are_capped_and_plotted_quickly() {
    let long = |n| {
        format!("{}{}", scenario(""), extra_holidays(n))
            .replace("end = \"2025-01-31\"", "end = \"2027-12-31\"")
            .replace("replications = 5", "replications = 2")
    };
    rejected(&long(1001), "calendar.extra_holidays[1001]");
    // The most allowed, all in the reported period: the chart is linear in them.
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &long(1000));
    let started = std::time::Instant::now();
    let out = bedflow().args(["run", "--quiet", "--out"]).arg(dir.path().join("out")).arg(&path).output().unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(started.elapsed() < Duration::from_secs(30), "{:?}", started.elapsed());
}

/// A load near 1e300 is written in scientific notation, not 300 digits.
#[test]
fn overload_warning_writes_huge_loads_in_scientific_notation() {
    let text =
        scenario("").replace(r#"{ dist = "lognormal", mean = 3.0, sd = 2.0 }"#, r#"{ dist = "fixed", value = 1e300 }"#);
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "s.toml", &text);
    let out = bedflow().arg("check").arg(&path).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let line = err.lines().find(|l| l.contains("pool \"medicine\"")).expect("medicine is overloaded");
    assert!(line.contains("offered load 1.000e301 beds"), "{line}");
    assert!(!line.contains("000000000000"), "{line}");
}
