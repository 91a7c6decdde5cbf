//! Plots and report on a tiny scenario: sizes, not blank, labelled, snapshot
//! of the SVG labels and the KPI table, and the report rendered in Chromium.

use assert_cmd::Command;
use std::path::Path;

const TINY: &str = r#"
[scenario]
name = "tiny"
start = "2026-12-20"
end = "2027-01-10"
warmup_days = 20
replications = 8
seed = 5

[calendar]
bank_holidays = "england-and-wales"

[ed]
attendances_per_day = 60.0
admission_probability = 0.3
hours_to_decision = { dist = "lognormal", mean = 3.0, sd = 1.5 }
hours_in_department = { dist = "lognormal", mean = 2.5, sd = 1.2 }
spaces = 10
corridor_spaces = 2
ambulance_share = 0.3

[[admissions]]
name = "medical"
source = "ed"
share = 1.0
pool = "A&E medicine"
stay_days = { dist = "gamma", mean = 4.0, sd = 3.0 }

[[pool]]
name = "A&E medicine"
beds = 100

[discharge]
mode = "daily-window"
window = [9, 19]
weekend_factor = 0.6
bank_holiday_factor = 0.5
"#;

const PLOTS: [&str; 4] = ["winter_occupancy", "bank_holidays", "ed_performance", "ed_crowding"];

/// Runs the tiny scenario once into a temporary folder.
fn run_tiny() -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("tiny.toml"), TINY).unwrap();
    Command::cargo_bin("bedflow")
        .unwrap()
        .current_dir(tmp.path())
        .args(["run", "tiny.toml", "--out", "out"])
        .assert()
        .success();
    tmp
}

/// Width, height and the share of pixels that are not white.
fn png_stats(path: &Path) -> (u32, u32, f64) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let channels = info.color_type.samples();
    let pixels = buf[..info.buffer_size()].chunks(channels);
    let total = f64::from(info.width * info.height);
    let inked = pixels.filter(|p| p.iter().take(3).any(|&c| c < 235)).count() as f64;
    (info.width, info.height, inked / total)
}

/// The text labels of an SVG, in drawing order (a stable summary of a plot).
fn svg_labels(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .filter_map(|t| {
            t.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")).map(|(s, _)| s.trim().to_string())
        })
        .collect()
}

#[test]
fn plots_are_large_labelled_and_not_blank() {
    let tmp = run_tiny();
    let out = tmp.path().join("out");
    for name in PLOTS {
        let (w, h, inked) = png_stats(&out.join(format!("{name}.png")));
        assert!(w >= 1000 && h >= 600, "{name}: {w}x{h}");
        // A blank PNG has no ink; titles, axes, labels and lines give a few percent at least.
        assert!(inked > 0.02, "{name}: only {:.1}% of pixels drawn", inked * 100.0);
        let svg = std::fs::read_to_string(out.join(format!("{name}.svg"))).unwrap();
        let labels = svg_labels(&svg);
        assert!(labels.iter().any(|l| l.starts_with("tiny:")), "{name}: title");
        assert!(labels.len() > 20, "{name}: axis and legend labels");
    }
    let winter = svg_labels(&std::fs::read_to_string(out.join("winter_occupancy.svg")).unwrap());
    for expected in [
        "Date",
        "Beds occupied at midnight",
        "Median",
        "Core beds",
        "92% of core beds",
        "Bank holiday",
        "Christmas-New Year fortnight",
        "28 Dec",
        "1 Jan",
    ] {
        assert!(winter.iter().any(|l| l == expected), "winter plot lacks {expected:?}: {winter:?}");
    }
    let ed = svg_labels(&std::fs::read_to_string(out.join("ed_performance.svg")).unwrap());
    for expected in ["78% interim standard", "95% constitutional standard", "Within 4 hours (%)"] {
        assert!(ed.iter().any(|l| l == expected), "ED plot lacks {expected:?}");
    }
    let holidays = svg_labels(&std::fs::read_to_string(out.join("bank_holidays.svg")).unwrap());
    // One zoomed chart for the festive period, named and dated, with the
    // beds and the patients waiting below them.
    assert!(
        holidays.iter().any(|l| l.starts_with("Christmas and New Year: ")),
        "bank-holiday plot names the period: {holidays:?}"
    );
    for expected in ["Beds occupied at midnight", "Waiting for a bed, 08:00", "Core beds", "Bank holiday"] {
        assert!(holidays.iter().any(|l| l == expected), "bank-holiday plot lacks {expected:?}: {holidays:?}");
    }
    insta::assert_snapshot!("winter_occupancy_labels", winter.join("\n"));
}

/// A warning `check` prints (here: a warm-up too short for an empty
/// hospital) is in a box at the top of the report; a scenario without
/// warnings has no box.
#[test]
fn warnings_are_in_a_visible_box() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("short.toml"), TINY.replace("warmup_days = 20", "warmup_days = 3")).unwrap();
    let check =
        Command::cargo_bin("bedflow").unwrap().current_dir(tmp.path()).args(["check", "short.toml"]).output().unwrap();
    let said = String::from_utf8_lossy(&check.stderr).into_owned();
    assert!(said.contains("warning: a warm-up of 3 days is short for an empty hospital"), "{said}");
    Command::cargo_bin("bedflow")
        .unwrap()
        .current_dir(tmp.path())
        .args(["run", "short.toml", "--out", "out", "--quiet", "--replications", "2"])
        .assert()
        .success();
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    let boxed = html.split("<div class=\"warnings\"").nth(1).expect("a warnings box");
    assert!(boxed.split("</div>").next().unwrap().contains("a warm-up of 3 days is short"));
    assert!(html.find("class=\"warnings\"").unwrap() < html.find("What was simulated").unwrap(), "at the top");
    let plain = run_tiny();
    assert!(!std::fs::read_to_string(plain.path().join("out/report.html")).unwrap().contains("class=\"warnings\""));
}

#[test]
fn report_is_self_contained_and_has_the_kpi_table() {
    let tmp = run_tiny();
    let html = std::fs::read_to_string(tmp.path().join("out/report.html")).unwrap();
    for forbidden in ["http://", "https://", "<script", "src=", "url(", "<link"] {
        assert!(!html.contains(forbidden), "report contains {forbidden:?}");
    }
    for needed in [
        "tiny",
        "20 Dec 2026 to 10 Jan 2027",
        "Replications",
        "Seed",
        "95% CI",
        "<svg",
        "STRESS-DES",
        "A&amp;E medicine",
    ] {
        assert!(html.contains(needed), "report lacks {needed:?}");
    }
    assert_eq!(html.matches("<svg").count(), PLOTS.len(), "every plot inline");
    let table = html.split("<table class=\"kpi\">").nth(1).and_then(|t| t.split("</table>").next()).unwrap();
    insta::assert_snapshot!("tiny_kpi_table", table);
}

#[test]
fn outputs_are_identical_between_identical_runs() {
    let (a, b) = (run_tiny(), run_tiny());
    for f in ["report.html", "winter_occupancy.svg", "bank_holidays.svg", "ed_performance.svg", "winter_occupancy.png"]
    {
        let read = |d: &tempfile::TempDir| std::fs::read(d.path().join("out").join(f)).unwrap();
        assert!(read(&a) == read(&b), "{f} differs between identical runs");
    }
}

/// Chromium on `PATH` (Debian's `chromium`, or `chromium-browser`, `google-chrome`).
fn find_chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser", "google-chrome"].map(|n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Runs headless Chromium on `page` with the flags this machine needs.
fn chromium(exe: &Path, profile: &Path, extra: &[String], page: &Path) -> std::process::Output {
    std::process::Command::new(exe)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(extra)
        .arg(format!("file://{}", page.display()))
        .output()
        .expect("chromium runs")
}

/// Renders the report in headless Chromium and checks the rendered DOM
/// (`--dump-dom`): every chart is there as an inline SVG with drawn content,
/// the KPI table has its trust and pool rows, and nothing refers to another
/// file (a missing image would log nothing); then a screenshot that is not
/// blank. Without Chromium on `PATH` the test fails when
/// BEDFLOW_REQUIRE_CHROMIUM is set (CI, which installs it) and is skipped
/// with a notice otherwise.
#[test]
fn report_renders_in_headless_chromium() {
    let Some(exe) = find_chromium() else {
        assert!(std::env::var_os("BEDFLOW_REQUIRE_CHROMIUM").is_none(), "Chromium required but not on PATH");
        eprintln!("NOTICE: chromium not on PATH; report rendering test skipped");
        return;
    };
    let tmp = run_tiny();
    let report = tmp.path().join("out/report.html");
    let dom = chromium(&exe, &tmp.path().join("profile-dom"), &["--dump-dom".into()], &report);
    assert!(dom.status.success(), "chromium failed: {}", String::from_utf8_lossy(&dom.stderr));
    let dom = String::from_utf8_lossy(&dom.stdout).into_owned();
    assert!(dom.contains("<h2>Key measures</h2>"), "no KPI section in the rendered page");
    for name in PLOTS {
        let start = dom.find(&format!("<figure id=\"{name}\">")).unwrap_or_else(|| panic!("chart {name} missing"));
        let figure = &dom[start..start + dom[start..].find("</figure>").expect("figure closed")];
        assert!(figure.contains("<svg"), "chart {name} has no SVG");
        assert!(
            figure.matches("<path").count() + figure.matches("<polyline").count() > 5,
            "chart {name} draws nothing"
        );
    }
    let kpi = &dom[dom.find("<table class=\"kpi\">").expect("KPI table")..];
    let kpi = &kpi[..kpi.find("</table>").expect("KPI table closed")];
    let rows: Vec<&str> = kpi.split("<tr").skip(2).collect();
    assert!(rows.len() >= 20, "{} KPI rows", rows.len());
    assert!(rows.iter().any(|r| r.contains("<td>Trust</td>")), "no trust rows");
    assert!(rows.iter().any(|r| r.contains("A&amp;E medicine")), "no pool rows");
    assert!(!dom.contains(" src=\"") && !dom.contains("<link"), "the page refers to other files");
    let shot = tmp.path().join("shot.png");
    let out = chromium(&exe, &tmp.path().join("profile-shot"), &[format!("--screenshot={}", shot.display())], &report);
    assert!(out.status.success(), "chromium failed: {}", String::from_utf8_lossy(&out.stderr));
    let (w, h, inked) = png_stats(&shot);
    assert!(w >= 1000 && h >= 1000);
    assert!(inked > 0.05, "screenshot looks blank ({:.1}% drawn)", inked * 100.0);
}

/// The shipped winter's plots for outlying and dated capacity: the occupancy
/// chart stacks the patients waiting on the beds line and draws core plus
/// open escalation beds; the Christmas-New Year label, wider than its
/// fortnight on a five-month axis, is split into two lines inside it rather
/// than spilling over the bank-holiday labels; the outliers chart names each
/// host pool and where its outliers come from; a plan with a dated closure
/// says its beds change by date, and a pool whose beds change only by
/// outbreaks (random, not planned) does not.
#[test]
fn winter_plots_show_waiting_outliers_and_dated_beds() {
    let tmp = tempfile::tempdir().unwrap();
    let manifest = env!("CARGO_MANIFEST_DIR");
    for (scenario, out) in [("winter-2026-27", "w"), ("winter-2026-27-close-ward-12", "c")] {
        Command::cargo_bin("bedflow")
            .unwrap()
            .args(["run", &format!("{manifest}/scenarios/{scenario}.toml"), "--replications", "6", "--quiet", "--out"])
            .arg(tmp.path().join(out))
            .assert()
            .success();
    }
    let labels = |path: &str| svg_labels(&std::fs::read_to_string(tmp.path().join(path)).unwrap());
    let winter = labels("w/winter_occupancy.svg");
    for expected in
        ["Waiting for a bed at 08:00, above the beds", "Core + open escalation beds (median)", "Christmas", "New Year"]
    {
        assert!(winter.iter().any(|l| l == expected), "winter plot lacks {expected:?}: {winter:?}");
    }
    assert!(!winter.iter().any(|l| l == "Christmas-New Year"), "the label spills out of its fortnight");
    let outliers = labels("w/outliers.svg");
    for expected in ["Trust-wide", "Medicine (from care of older people)"] {
        assert!(outliers.iter().any(|l| l == expected), "outliers plot lacks {expected:?}: {outliers:?}");
    }
    // The shared escalation ward's patients are not outliers: no panel.
    assert!(!outliers.iter().any(|l| l.starts_with("Winter escalation ward")), "{outliers:?}");
    let (_, _, inked) = png_stats(&tmp.path().join("w/outliers.png"));
    assert!(inked > 0.02);
    let closed = labels("c/winter_occupancy.svg");
    assert!(closed.iter().any(|l| l == "Medicine (395 core beds, changing by date)"), "{closed:?}");
    assert!(closed.iter().any(|l| l == "Care of older people (120 core beds)"), "{closed:?}");
    assert!(tmp.path().join("c/outliers.png").exists(), "the plan extends the base, which outlies");
}

/// `compare` of the tiny scenario with a plan of its own (more beds, a
/// cost): `comparison.png` is large, drawn, and names the plan and each
/// measure with which way is better; `comparison.xlsx` reads back with the
/// plan cost as a number on the ranked sheet and one sheet for the plan.
#[test]
fn comparison_picture_and_workbook_read_back() {
    use calamine::{Reader, Xlsx, open_workbook};
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("tiny.toml"), TINY).unwrap();
    std::fs::write(
        tmp.path().join("tiny-more-beds.toml"),
        "extends = \"tiny.toml\"\n\n[[pool]]\nname = \"A&E medicine\"\nbeds = 110\n\n[plan]\ncost_per_day = 4500\n",
    )
    .unwrap();
    Command::cargo_bin("bedflow")
        .unwrap()
        .current_dir(tmp.path())
        .args(["compare", "tiny.toml", "tiny-more-beds.toml", "--out", "cmp", "-q"])
        .assert()
        .success();
    let out = tmp.path().join("cmp");
    let (w, h, inked) = png_stats(&out.join("comparison.png"));
    assert!(w >= 1000 && h >= 600 && inked > 0.02, "{w}x{h}, {:.1}% drawn", inked * 100.0);
    let labels = svg_labels(&std::fs::read_to_string(out.join("comparison.svg")).unwrap());
    for expected in [
        "1. more-beds",
        "12-hour waits from decision to admit, every route (fewer is better)",
        "ED 4-hour performance (higher is better)",
        "Plan cost (what the plan itself costs)",
        "Net cost (plan plus escalation) (lower is better)",
        "Difference from the base (percentage points)",
    ] {
        assert!(labels.iter().any(|l| l == expected), "comparison plot lacks {expected:?}: {labels:?}");
    }
    // 22 reported days x GBP 4,500.
    let mut wb: Xlsx<_> = open_workbook(out.join("comparison.xlsx")).expect("comparison.xlsx opens");
    assert_eq!(wb.sheet_names(), vec!["Comparison", "tiny-more-beds"]);
    let ranked = wb.worksheet_range("Comparison").unwrap();
    let plan = ranked.rows().find(|r| r[2] == "Plan cost").expect("a plan cost row");
    assert_eq!((plan[1].to_string(), plan[5].to_string()), ("tiny-more-beds".to_string(), "99000".to_string()));
    assert_eq!(plan[8], "worse");
}
