//! Comparing scenarios, inheritance, and sweeps.

mod common;
use assert_cmd::Command;
use bedflow::compare::Kept;
use bedflow::replicate::{self, RunSpec};
use bedflow::stats::Metric;
use common::*;
use std::path::Path;

fn queue_pool(beds: u32) -> String {
    format!(
        r#"
[scenario]
name = "pool-{beds}"
start = "2026-01-01"
end = "2026-06-29"
warmup_days = 30
replications = 40
seed = 99

[[admissions]]
name = "emergency"
source = "direct"
per_day = 18.0
pool = "beds"
stay_days = {{ dist = "lognormal", mean = 5.0, sd = 5.0 }}

[[pool]]
name = "beds"
beds = {beds}
"#
    )
}

/// Common random numbers: the paired difference in mean bed wait between 100
/// and 101 beds varies far less when both run on the same streams than when
/// the alternative uses other random numbers. The ratio of variances is
/// printed and must exceed 4.
#[test]
fn common_random_numbers_shrink_the_variance_of_differences() {
    let (base, alt) = (model(&queue_pool(100)), model(&queue_pool(101)));
    let run_seed = |m: &bedflow::model::Model, seed| {
        replicate::run(m, RunSpec { replications: 40, seed, threads: 2 }, &|| {}).unwrap()
    };
    let (b, a_same, a_other) = (run_seed(&base, 99), run_seed(&alt, 99), run_seed(&alt, 12345));
    let waits = |m, r: &[bedflow::stats::Kpis]| values(m, r, Metric::BedWaitHoursMean, Some("beds"));
    let wb = waits(&base, &b);
    let paired: Vec<f64> = waits(&alt, &a_same).iter().zip(&wb).map(|(x, y)| x - y).collect();
    let independent: Vec<f64> = waits(&alt, &a_other).iter().zip(&wb).map(|(x, y)| x - y).collect();
    let ratio = variance(&independent) / variance(&paired);
    println!(
        "variance of the difference: independent {:.4}, common random numbers {:.4}, ratio {ratio:.1}",
        variance(&independent),
        variance(&paired)
    );
    assert!(ratio > 4.0, "ratio {ratio}");
    assert!(mean(&paired) < 0.0, "a bed more shortens waits");
}

fn bedflow() -> Command {
    Command::cargo_bin("bedflow").unwrap()
}

/// Comparing a scenario with itself gives exactly zero for every difference.
#[test]
fn comparing_a_scenario_with_itself_gives_exact_zeros() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("cmp");
    bedflow()
        .args([
            "compare",
            "scenarios/winter-2026-27.toml",
            "scenarios/winter-2026-27.toml",
            "--replications",
            "4",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let csv = std::fs::read_to_string(out.join("comparison.csv")).unwrap();
    let mut rows = 0;
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        for c in &cells[6..12] {
            assert!(c.is_empty() || *c == "0", "non-zero difference: {line}");
        }
        rows += 1;
    }
    assert!(rows > 50, "{rows} KPIs compared");
    for f in ["comparison.png", "comparison.svg", "comparison.html"] {
        assert!(out.join(f).exists(), "{f}");
    }
    // Every panel is all zeros: its axis runs -1 to 1 around the zero line
    // (it was 1e-9 wide, every tick reading "0.0").
    let svg = std::fs::read_to_string(out.join("comparison.svg")).unwrap();
    let ticks: Vec<&str> =
        svg.split("<text").filter_map(|t| t.split_once('>')?.1.split_once("</text>")).map(|(s, _)| s.trim()).collect();
    for want in ["-1.0", "-0.5", "0.5", "1.0"] {
        assert!(ticks.contains(&want), "no tick {want}: {ticks:?}");
    }
}

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A two-level extends chain merges tables key by key and named pools by name,
/// and an error in the child names the child file and line.
#[test]
fn extends_chains_merge_and_errors_name_the_child() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(
        d,
        "base.toml",
        &queue_pool(100).replace(
            "[[pool]]",
            "[discharge]\nmode = \"daily-window\"\nwindow = [9, 19]\nweekend_factor = 0.6\n\n[[pool]]",
        ),
    );
    std::fs::create_dir(d.join("plans")).unwrap();
    write(
        d,
        "plans/parent.toml",
        "extends = \"../base.toml\"\n\n[scenario]\nname = \"parent\"\n\n[[pool]]\nname = \"beds\"\nbeds = 110\n\n[[pool]]\nname = \"extra\"\nbeds = 5\n",
    );
    let child = write(
        d,
        "plans/child.toml",
        "extends = \"parent.toml\"\n\n[scenario]\nname = \"child\"\nseed = 7\n\n[discharge]\nweekend_factor = 0.9\n",
    );
    let m = bedflow::scenario::load(&child).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(m.name, "child");
    assert_eq!(m.seed, 7);
    assert_eq!(m.replications, 40, "inherited from the grandparent");
    assert_eq!(m.pools.len(), 2);
    assert_eq!((m.pools[0].name.as_str(), m.pools[0].beds), ("beds", 110));
    assert_eq!((m.pools[1].name.as_str(), m.pools[1].beds), ("extra", 5));
    match m.discharge {
        bedflow::model::DischargePolicy::DailyWindow { weekend_factor, open_hour, .. } => {
            assert_eq!((weekend_factor, open_hour), (0.9, 9), "merged key by key");
        }
        other => panic!("discharge mode inherited, found {other:?}"),
    }
    let bad = write(
        d,
        "plans/bad.toml",
        "extends = \"parent.toml\"\n\n[scenario]\nname = \"bad\"\n\n[[pool]]\nname = \"beds\"\nbeds = 0\n",
    );
    let assert = bedflow().arg("check").arg(&bad).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains(&format!("{}:8:8: pool[1].beds", bad.display())), "{stderr}");
    // An error inherited from the parent points at the parent.
    write(d, "plans/parent2.toml", "extends = \"../base.toml\"\n\n[[pool]]\nname = \"beds\"\nbedz = 3\n");
    let child2 = write(d, "plans/child2.toml", "extends = \"parent2.toml\"\n");
    let assert = bedflow().arg("check").arg(&child2).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(stderr.contains("parent2.toml:5:1: pool[1].bedz"), "{stderr}");
    // A missing parent and a loop are clear errors.
    let orphan = write(d, "plans/orphan.toml", "extends = \"nowhere.toml\"\n");
    let assert = bedflow().arg("check").arg(&orphan).assert().code(2);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("orphan.toml:1:11: extends: cannot find"));
    write(d, "plans/loop_a.toml", "extends = \"loop_b.toml\"\n");
    let loop_b = write(d, "plans/loop_b.toml", "extends = \"loop_a.toml\"\n");
    let assert = bedflow().arg("check").arg(&loop_b).assert().code(2);
    assert!(String::from_utf8_lossy(&assert.get_output().stderr).contains("loop"));
}

/// A plan variant without a `[scenario] name` of its own is named after its
/// file (not its parent, whose results it would overwrite); `--set
/// scenario.name` still names it; a stem that cannot be a name is refused at
/// the variant's first line. `compare` refuses two different files under one
/// name, and allows one file given twice.
#[test]
fn a_variant_without_a_name_takes_its_files_and_compare_refuses_shared_names() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let base = write(d, "base.toml", &queue_pool(100).replace("replications = 40", "replications = 2"));
    let plan = write(d, "plus-10-beds.toml", "extends = \"base.toml\"\n\n[[pool]]\nname = \"beds\"\nbeds = 110\n");
    assert_eq!(bedflow::scenario::load(&plan).unwrap_or_else(|e| panic!("{e}")).name, "plus-10-beds");
    assert_eq!(
        bedflow::scenario::load(&base).unwrap_or_else(|e| panic!("{e}")).name,
        "pool-100",
        "a single file keeps its name"
    );
    let set = bedflow::scenario::load_with(&plan, &[("scenario.name".into(), "\"chosen\"".into())]);
    assert_eq!(set.unwrap_or_else(|e| panic!("{e}")).name, "chosen");
    let odd = write(d, "plus ten.toml", "extends = \"base.toml\"\n");
    let assert = bedflow().arg("check").arg(&odd).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("plus ten.toml:1:1: scenario.name: this file extends another without a [scenario] name"),
        "{stderr}"
    );
    // Two files named alike: refused before anything runs, naming both.
    let twin = write(d, "twin.toml", "extends = \"base.toml\"\n\n[scenario]\nname = \"plus-10-beds\"\n");
    let out = d.join("out");
    let assert = bedflow().arg("compare").arg(&base).arg(&plan).arg(&twin).arg("--out").arg(&out).assert().code(2);
    let stderr = String::from_utf8_lossy(&assert.get_output().stderr).into_owned();
    assert!(
        stderr.contains("plus-10-beds.toml and ") && stderr.contains("twin.toml are both named \"plus-10-beds\""),
        "{stderr}"
    );
    assert!(!out.exists(), "nothing written");
    // The same file twice is one plan: allowed.
    bedflow().arg("compare").arg(&base).arg(&base).arg("--out").arg(&out).arg("--quiet").assert().success();
}

/// What a plan costs (`[plan]`), worked by hand: 10 more beds at GBP 450 a
/// bed-day from 1 to 28 February (28 days x 4,500 = 126,000) plus 10,000
/// once; 5 fewer beds save 5 x 450 every one of the 180 reported days
/// (-405,000). No escalation here, so the net cost is the plan cost. The
/// plan with more beds avoids more long waits, so it ranks first whatever
/// the order given; the table, the HTML and the workbook say so, and the
/// workbook is the same bytes run after run.
#[test]
fn plans_have_costs_and_compare_ranks_them_with_verdicts() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "base.toml", &queue_pool(100).replace("replications = 40", "replications = 12"));
    write(
        d,
        "more.toml",
        "extends = \"base.toml\"\n\n[[pool]]\nname = \"beds\"\nbeds = 104\n\n[plan]\ndescription = \"four more beds\"\ncost_per_day = 4500\none_off_cost = 10000\nfrom = \"2026-02-01\"\nto = \"2026-02-28\"\n",
    );
    write(
        d,
        "fewer.toml",
        "extends = \"base.toml\"\n\n[[pool]]\nname = \"beds\"\nbeds = 95\n\n[plan]\ncost_per_day = -2250\n",
    );
    let run = |out: &str| {
        let o = bedflow()
            .current_dir(d)
            .args(["compare", "base.toml", "fewer.toml", "more.toml", "--quiet", "--out", out])
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        String::from_utf8(o.stdout).unwrap()
    };
    let text = run("a");
    let (more, fewer) = (text.find("1. more: four more beds").unwrap(), text.find("2. fewer").unwrap());
    assert!(more < fewer, "{text}");
    let line = |from: usize, label: &str| {
        text[from..].lines().find(|l| l.trim_start().starts_with(label)).unwrap().to_string()
    };
    let plan = line(more, "Plan cost");
    assert!(plan.contains("£0") && plan.contains("+£136,000  +£136,000 to +£136,000  worse"), "{plan}");
    assert!(line(fewer, "Plan cost").contains("-£405,000  -£405,000 to -£405,000  better"), "{text}");
    assert!(line(more, "Net cost").contains("+£136,000"), "no escalation: net = plan cost\n{text}");
    let waits = line(more, "12-hour waits from decision to admit");
    assert!(waits.ends_with("better"), "{waits}");
    assert!(line(fewer, "12-hour waits from decision to admit").ends_with("worse"), "{text}");
    assert!(!text.contains("Escalation cost"), "no escalation: no row for it\n{text}");
    let html = std::fs::read_to_string(d.join("a/comparison.html")).unwrap();
    assert!(html.find("1. more: four more beds").unwrap() < html.find("2. fewer").unwrap());
    assert!(html.contains("+£136,000") && !html.contains("-0.0"), "formatted, no -0");
    // Each costed plan's finance workbook, as `run` writes it; the base has
    // neither escalation nor a plan cost, so none.
    assert!(d.join("a/finance-more.xlsx").exists() && d.join("a/finance-fewer.xlsx").exists());
    assert!(!d.join("a/finance-pool-100.xlsx").exists());
    run("b");
    let book = std::fs::read(d.join("a/comparison.xlsx")).unwrap();
    assert!(book.starts_with(b"PK") && book == std::fs::read(d.join("b/comparison.xlsx")).unwrap());
    // A [plan] must say what it costs, with its dates in order.
    write(d, "bad.toml", "extends = \"base.toml\"\n\n[plan]\ndescription = \"free\"\n");
    let o = bedflow().current_dir(d).args(["check", "bad.toml"]).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("bad.toml:3:1: plan: a [plan] needs `one_off_cost` or `cost_per_day`")
    );
    write(
        d,
        "dates.toml",
        "extends = \"base.toml\"\n\n[plan]\ncost_per_day = 1\nfrom = \"2026-03-01\"\nto = \"2026-02-01\"\n",
    );
    let o = bedflow().current_dir(d).args(["check", "dates.toml"]).output().unwrap();
    assert!(
        String::from_utf8_lossy(&o.stderr)
            .contains("dates.toml:6:6: plan.to: `to` (2026-02-01) is before `from` (2026-03-01)")
    );
}

/// A `[plan]` is checked before anything runs: its description (length,
/// control characters, bidirectional overrides), costs that keep every
/// total finite, paid dates inside the reported period; and a variant whose
/// file would give it its parent's name is refused. Each with file, line,
/// column and field on one line, exit 2.
#[test]
fn bad_plans_and_a_variant_named_like_its_parent_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "base.toml", &queue_pool(100));
    let long = "x".repeat(201);
    for (plan, expected) in [
        (
            format!("description = \"{long}\"\ncost_per_day = 1"),
            "p.toml:4:15: plan.description: a description of the plan: at most 200 characters, found 201",
        ),
        (
            "description = \"ward \\u202E 7\"\ncost_per_day = 1".to_string(),
            "p.toml:4:15: plan.description: a description of the plan: no control characters",
        ),
        (
            "description = \"a\\nb\"\ncost_per_day = 1".to_string(),
            "plan.description: a description of the plan: no control characters",
        ),
        ("cost_per_day = 1e308".to_string(), "p.toml:4:16: plan.cost_per_day: expected GBP between -1e9 and 1e9"),
        ("one_off_cost = -2e9".to_string(), "p.toml:4:16: plan.one_off_cost: expected GBP between -1e9 and 1e9"),
        (
            "cost_per_day = 1\nfrom = \"1066-10-14\"".to_string(),
            "p.toml:5:8: plan.from: 1066-10-14 is outside the reported period (2026-01-01 to 2026-06-29)",
        ),
        (
            "cost_per_day = 1\nto = \"2030-01-01\"".to_string(),
            "p.toml:5:6: plan.to: 2030-01-01 is outside the reported period",
        ),
    ] {
        std::fs::write(d.join("p.toml"), format!("extends = \"base.toml\"\n\n[plan]\n{plan}\n")).unwrap();
        let o = bedflow().current_dir(d).args(["check", "p.toml"]).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        assert_eq!(o.status.code(), Some(2), "{plan}: {err}");
        assert!(err.lines().any(|l| l.contains(expected)), "{plan}: expected {expected:?} in\n{err}");
    }
    // Dates bedflow's workbooks cannot hold are refused before any run.
    let old = queue_pool(100)
        .replace("start = \"2026-01-01\"", "start = \"1899-12-01\"")
        .replace("end = \"2026-06-29\"", "end = \"1899-12-31\"");
    write(d, "old.toml", &old);
    let o = bedflow().current_dir(d).args(["check", "old.toml"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert!(err.contains("old.toml:4:9: scenario.start: 1899-12-01 is outside the years 1900 to 9999"), "{err}");
    // base.toml is named "pool-100": a variant file pool-100.toml without a
    // name of its own would take it.
    std::fs::create_dir(d.join("v")).unwrap();
    write(d, "v/pool-100.toml", "extends = \"../base.toml\"\n");
    let o = bedflow().current_dir(d).args(["check", "v/pool-100.toml"]).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr).into_owned();
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("pool-100.toml:1:1: scenario.name: ")
            && err.contains("that is the name of the scenario it extends"),
        "{err}"
    );
}

/// The net cost is the plan cost plus the escalation cost, replication by
/// replication, for the base (which may have a plan cost of its own) and the
/// plan: the table's net rows equal the sum of its plan and escalation rows.
#[test]
fn net_cost_is_plan_cost_plus_escalation_cost() {
    let escalating = |beds: u32, per_day: u32| {
        queue_pool(beds).replace("replications = 40", "replications = 8")
            + &format!(
                "\n[pool.escalation]\nmax_beds = 10\nbeds_per_step = 5\nreview_hours = [8]\nopen_at_occupancy = 0.85\n\
                 close_below_occupancy = 0.7\ncost_per_open_bed_day = 300\ncost_per_opening = 1000\n\n\
                 [plan]\ncost_per_day = {per_day}\n"
            )
    };
    let (base, alt) = (common::model(&escalating(100, 100)), common::model(&escalating(104, 500)));
    let spec = RunSpec { replications: 8, seed: 5, threads: 1 };
    let (rb, ra) = (replicate::run(&base, spec, &|| {}).unwrap(), replicate::run(&alt, spec, &|| {}).unwrap());
    let (rb, ra) = (Kept::of(&rb, None), Kept::of(&ra, None));
    let pairs = bedflow::compare::paired(&base, &rb, &alt, &ra);
    let plans = bedflow::decision::decide((&base, &rb), &[(&alt, &ra)], &[(alt.name.clone(), pairs)]);
    use bedflow::decision::Source;
    let row = |s| plans[0].row(s).unwrap();
    let (esc, plan, net) = (row(Source::Kpi(Metric::EscalationCost)), row(Source::PlanCost), row(Source::NetCost));
    assert!(esc.base > 0.0 && esc.alt > 0.0, "both escalate: {} {}", esc.base, esc.alt);
    assert_eq!((plan.base, plan.alt), (base.plan_cost(), alt.plan_cost()));
    assert_eq!((plan.base, plan.alt), (100.0 * 180.0, 500.0 * 180.0));
    let close = |a: f64, b: f64| (a - b).abs() <= 1e-9 * a.abs().max(1.0);
    assert!(close(net.base, plan.base + esc.base) && close(net.alt, plan.alt + esc.alt), "{net:?}");
    assert!(close(net.diff.mean, plan.diff.mean + esc.diff.mean), "{net:?}");
}

/// Sweeping beds: share_of_time_full falls (never rises) as beds are added,
/// and --target returns the smallest value whose mean meets the target.
#[test]
fn sweep_is_monotone_and_finds_the_smallest_value() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = write(tmp.path(), "pool.toml", &queue_pool(100));
    let out = tmp.path().join("sweep");
    let assert = bedflow()
        .arg("sweep")
        .arg(&scenario)
        .args([
            "--set",
            "pool.beds.beds=90..120:5",
            "--target",
            "share_of_time_full<=0.05",
            "--replications",
            "12",
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .assert()
        .success();
    let stdout = String::from_utf8_lossy(&assert.get_output().stdout).into_owned();
    let csv = std::fs::read_to_string(out.join("sweep.csv")).unwrap();
    let full: Vec<(f64, f64)> = csv
        .lines()
        .filter_map(|l| {
            let c: Vec<&str> = l.split(',').collect();
            (c.get(1) == Some(&"share_of_time_full") && c.get(2) == Some(&"beds"))
                .then(|| (c[0].parse().unwrap(), c[4].parse().unwrap()))
        })
        .collect();
    assert_eq!(full.iter().map(|(v, _)| *v).collect::<Vec<_>>(), vec![90.0, 95.0, 100.0, 105.0, 110.0, 115.0, 120.0]);
    for w in full.windows(2) {
        assert!(w[1].1 <= w[0].1, "share_of_time_full rose from {:?} to {:?}", w[0], w[1]);
    }
    let smallest = full.iter().find(|(_, m)| *m <= 0.05).map(|(v, _)| *v).expect("some value meets the target");
    assert!(full.iter().filter(|(v, _)| *v < smallest).all(|(_, m)| *m > 0.05));
    assert!(stdout.contains(&format!("smallest pool.beds.beds = {smallest}")), "{stdout}");
    assert!(out.join("sweep.png").exists() && out.join("target.txt").exists());
}

#[test]
fn bad_sweep_arguments_exit_2() {
    bedflow().args(["sweep", "scenarios/winter-2026-27.toml", "--set", "pool.medicine.beds=10..5:1"]).assert().code(2);
    bedflow().args(["sweep", "scenarios/winter-2026-27.toml", "--set", "pool.nowhere.beds=10..12:1"]).assert().code(2);
    bedflow()
        .args([
            "sweep",
            "scenarios/winter-2026-27.toml",
            "--set",
            "pool.medicine.beds=300..310:10",
            "--target",
            "beds=3",
        ])
        .assert()
        .code(2);
}

/// `compare` reports ALT - BASE: with 20 more beds the trolley waits fall, so
/// the difference is negative, and it equals the alternative's mean minus the
/// base's as `run` reports them on the same seed (common random numbers).
#[test]
fn compare_reports_alt_minus_base() {
    let tmp = tempfile::tempdir().unwrap();
    let (base, alt) = ("scenarios/winter-2026-27.toml", "scenarios/winter-2026-27-plus-20-beds.toml");
    let flags = ["--replications", "6", "--seed", "5", "--quiet", "--out"];
    bedflow().args(["compare", base, alt]).args(flags).arg(tmp.path().join("cmp")).assert().success();
    let mean_of = |scenario: &str, dir: &str| -> f64 {
        bedflow().args(["run", scenario]).args(flags).arg(tmp.path().join(dir)).assert().success();
        let csv = std::fs::read_to_string(tmp.path().join(dir).join("summary.csv")).unwrap();
        let row = csv.lines().find(|l| l.starts_with("waits_over_12h_from_dta,,")).unwrap();
        row.split(',').nth(2).unwrap().parse().unwrap()
    };
    let (b, a) = (mean_of(base, "base"), mean_of(alt, "alt"));
    assert!(b > 0.0 && a < b, "precondition: 20 more beds cut trolley waits ({b} -> {a})");
    let csv = std::fs::read_to_string(tmp.path().join("cmp/comparison.csv")).unwrap();
    let row: Vec<&str> = csv
        .lines()
        .find(|l| l.split(',').nth(1) == Some("waits_over_12h_from_dta") && l.split(',').nth(2) == Some(""))
        .unwrap()
        .split(',')
        .collect();
    let num = |i: usize| row[i].parse::<f64>().unwrap();
    assert!((num(4) - b).abs() < 1e-6, "base_mean {} vs run {b}", num(4));
    assert!((num(5) - a).abs() < 1e-6, "alt_mean {} vs run {a}", num(5));
    assert!((num(6) - (a - b)).abs() < 1e-6, "diff_mean {} is not ALT - BASE = {}", num(6), a - b);
    assert!(num(6) < 0.0 && num(10) < 0.0, "ALT - BASE is negative in most replications: {row:?}");
}

/// `--target METRIC:POOL` with a pool the scenario does not have is refused
/// before anything runs (it used to fall back to the trust's KPI under the
/// pool's name); an unknown KPI lists the KPIs.
#[test]
fn sweep_target_with_an_unknown_pool_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    for (target, expect) in [
        ("share_of_time_full:Medicine<=0.02", "no pool named \"Medicine\""),
        ("share_full<=0.02", "KPIs: "),
        ("ed_4h_performance:medicine>=0.9", "trust-wide KPI"),
    ] {
        let out = bedflow()
            .args(["sweep", "scenarios/winter-2026-27.toml", "--set", "pool.medicine.beds=340..420:20"])
            .args(["--replications", "20000", "--quiet", "--target", target, "--out"])
            .arg(tmp.path().join("s"))
            .timeout(std::time::Duration::from_secs(60))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{target}: {stderr}");
        assert!(stderr.contains(expect), "{target}: {stderr}");
    }
    assert!(!tmp.path().join("s").exists());
}

/// The issue's check: `compare` of the shipped "close ward 12 from 1
/// January" plan against the base writes `comparison_by_month.csv`, where
/// every bed-side daily series (census, boarders, admissions, discharges) of
/// every pool differs by exactly 0 in November and December, and boarders
/// and medicine's occupancy move from January. (`beds_open` is a series of
/// scenarios with dated changes only, so the base has none to pair.) A
/// comparison of plans without dated changes writes no such file.
#[test]
fn compare_a_closure_from_january_month_by_month() {
    let tmp = tempfile::tempdir().unwrap();
    Command::cargo_bin("bedflow")
        .unwrap()
        .args(["compare", "scenarios/winter-2026-27.toml", "scenarios/winter-2026-27-close-ward-12.toml"])
        .args(["--replications", "8", "--quiet", "--out"])
        .arg(tmp.path().join("c"))
        .assert()
        .success();
    let text = std::fs::read_to_string(tmp.path().join("c/comparison_by_month.csv")).unwrap();
    let mut lines = text.lines();
    assert_eq!(
        lines.next().unwrap().trim_start_matches('\u{feff}'),
        "scenario,metric,pool,specialty,month,base_mean,alt_mean,diff_mean,diff_ci95_low,diff_ci95_high,replications"
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    let bed_side = ["midnight_occupancy", "boarders_0800", "admissions", "discharges"];
    let mut checked = 0;
    for r in &rows {
        if bed_side.contains(&r[1]) && (r[4] == "2026-11" || r[4] == "2026-12") {
            assert_eq!(r[7], "0", "{r:?}");
            checked += 1;
        }
    }
    assert_eq!(checked, 4 * 6 * 2, "four series; the trust, four pools and the shared escalation ward; two months");
    let find = |metric: &str, pool: &str, month: &str| -> f64 {
        rows.iter().find(|r| r[1] == metric && r[2] == pool && r[4] == month).unwrap()[7].parse().unwrap()
    };
    for month in ["2027-01", "2027-02", "2027-03"] {
        assert!(find("boarders_0800", "", month) > 0.0, "{month}");
    }
    assert!(find("midnight_occupancy", "medicine", "2027-01") < 0.0);
    Command::cargo_bin("bedflow")
        .unwrap()
        .args(["compare", "scenarios/winter-2026-27.toml", "scenarios/winter-2026-27-plus-20-beds.toml"])
        .args(["--replications", "2", "--quiet", "--out"])
        .arg(tmp.path().join("d"))
        .assert()
        .success();
    assert!(!tmp.path().join("d/comparison_by_month.csv").exists());
    // The comparison page points to the month-by-month file when there is one.
    let page = |dir: &str| std::fs::read_to_string(tmp.path().join(dir).join("comparison.html")).unwrap();
    assert!(page("c").contains("comparison_by_month.csv") && !page("d").contains("comparison_by_month.csv"));
}

/// A plan variant that names one pool twice is refused (in a single file it
/// always was): merged, the second entry would silently win.
#[test]
fn a_variant_naming_a_pool_twice_is_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let parent = std::fs::canonicalize("scenarios/winter-2026-27.toml").unwrap();
    let child = format!(
        "extends = \"{}\"\n[scenario]\nname = \"twice\"\n\n[[pool]]\nname = \"surgery\"\nbeds = 150\n\n[[pool]]\nname = \"surgery\"\nbeds = 170\n",
        parent.display()
    );
    std::fs::write(tmp.path().join("twice.toml"), child).unwrap();
    let err = bedflow::scenario::load(&tmp.path().join("twice.toml")).unwrap_err().to_string();
    assert!(err.contains("twice.toml:10:8: pool[2].name: \"surgery\" is named twice in this file"), "{err}");
}

/// A plan variant may switch a distribution's kind or the discharge mode:
/// the table then replaces the parent's whole (its other keys belong to the
/// other kind), while a table of the same kind still merges key by key.
#[test]
fn a_variant_may_switch_a_distribution_or_the_discharge_mode() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::copy("scenarios/winter-2026-27.toml", d.join("base.toml")).unwrap();
    let write = |name: &str, text: &str| {
        let p = d.join(name);
        std::fs::write(&p, text).unwrap();
        p
    };
    let v = write(
        "v.toml",
        "extends = \"base.toml\"\n[scenario]\nname = \"v\"\n[discharge]\nmode = \"daily-window\"\nwindow = [9, 19]\n\n[[admissions]]\nname = \"medical (ED)\"\nstay_days = { dist = \"fixed\", value = 4 }\n\n[[pathway]]\nname = \"P3\"\ndelay_days = { mean = 9.0 }\n",
    );
    let m = bedflow::scenario::load(&v).unwrap_or_else(|e| panic!("{e}"));
    assert!(matches!(m.discharge, bedflow::model::DischargePolicy::DailyWindow { open_hour: 9, .. }));
    assert_eq!(m.routes[0].stay_days, bedflow::dist::Distribution::Fixed { value: 4.0 });
    let p3 = m.pathways.iter().find(|p| p.index == 2).unwrap();
    assert_eq!(p3.delay_days, Some(bedflow::dist::Distribution::LogNormal { mean: 9.0, sd: 5.0 }), "same kind: merged");
}

/// Month by month, hand-worked: January's mean per day of a series that is
/// 1, 2, 3, ... over its 31 days is 16, and February's (days 32 to 59) 45.5;
/// ALT twice BASE gives differences of 16 and 45.5. Days with no value (NaN)
/// are left out of a month's mean.
#[test]
fn monthly_pairs_are_the_means_of_their_days() {
    let m = model(&queue_pool(100));
    let base_k = bedflow::stats::layout(&m);
    let series = |scale: f64| -> Vec<f64> { (1..=180).map(|d| f64::from(d) * scale).collect() };
    let make = |scale: f64| {
        let mut k = base_k.clone();
        for (key, v) in &mut k.daily {
            if key.metric == Metric::MidnightOccupancy && key.pool().is_none() {
                *v = series(scale);
                v[40] = f64::NAN;
            }
        }
        k
    };
    let (base, alt) = (vec![make(1.0), make(1.0)], vec![make(2.0), make(2.0)]);
    let (base, alt) = (Kept::of(&base, Some(&m)), Kept::of(&alt, Some(&m)));
    let rows = bedflow::compare::paired_by_month(&m, &base, &m, &alt);
    let row = |month: &str| {
        rows.iter()
            .find(|r| r.month == month && r.key.metric == Metric::MidnightOccupancy && r.key.pool.is_empty())
            .unwrap_or_else(|| panic!("no {month} row"))
    };
    let jan = row("2026-01");
    assert_eq!((jan.base.mean, jan.alt.mean, jan.diff.mean), (16.0, 32.0, 16.0));
    // February: days 32-59 with day 41 undefined: (sum 32..=59 - 41) / 27.
    let feb = (f64::from((32..=59).sum::<u32>()) - 41.0) / 27.0;
    let f = row("2026-02");
    assert!((f.base.mean - feb).abs() < 1e-9 && (f.diff.mean - feb).abs() < 1e-9, "{} vs {feb}", f.base.mean);
}

/// Sweep targets both ways, by hand: `>=` is met at or above its value,
/// `<=` at or below, never by NaN or infinity; each reads back as written.
#[test]
fn targets_are_met_both_ways_and_read_back() {
    use bedflow::compare::Target;
    let at_least: Target = "ed_4h_performance>=0.7".parse().unwrap();
    assert!(at_least.met_by(0.8) && at_least.met_by(0.7));
    assert!(!at_least.met_by(0.69) && !at_least.met_by(f64::NAN) && !at_least.met_by(f64::INFINITY));
    assert_eq!(at_least.describe(), "ed_4h_performance >= 0.7");
    let at_most: Target = "share_of_time_full:medicine<=0.05".parse().unwrap();
    assert!(at_most.met_by(0.05) && at_most.met_by(0.0) && !at_most.met_by(0.06));
    assert!(!at_most.met_by(f64::NEG_INFINITY));
    assert_eq!(at_most.describe(), "share_of_time_full:medicine <= 0.05");
}

/// Sweep ranges at their edges: `A..A` is the one value A; an infinite or
/// NaN end is refused as not finite (not by a later check).
#[test]
fn sweep_ranges_at_their_edges() {
    use bedflow::compare::parse_range;
    assert_eq!(parse_range("5..5"), Ok((vec![5.0], true)));
    for bad in ["1..inf", "inf..5", "nan..5", "1..nan"] {
        let err = parse_range(bad).unwrap_err();
        assert!(err.contains("must be finite"), "{bad}: {err}");
    }
}
