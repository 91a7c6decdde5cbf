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

const PLOTS: [&str; 3] = ["winter_occupancy", "bank_holidays", "ed_performance"];

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
    let total = (info.width * info.height) as f64;
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
    assert!(holidays.iter().any(|l| l.contains("Christmas Day")), "bank-holiday plot names the holiday");
    insta::assert_snapshot!("winter_occupancy_labels", winter.join("\n"));
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
    assert_eq!(html.matches("<svg").count(), 3, "three inline plots");
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

/// Renders the report in headless Chromium: no console messages (the page
/// has no scripts, so any message is an error such as a failed load), and a
/// screenshot that is not blank. Skipped with a notice when Chromium is not
/// installed, unless BEDFLOW_REQUIRE_CHROMIUM=1 (set by CI, which installs it).
#[test]
fn report_renders_in_headless_chromium() {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].into_iter().find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        assert!(std::env::var("BEDFLOW_REQUIRE_CHROMIUM").is_err(), "Chromium required but not installed");
        eprintln!("NOTICE: chromium not installed; report rendering test skipped");
        return;
    };
    let tmp = run_tiny();
    let report = tmp.path().join("out/report.html");
    let shot = tmp.path().join("shot.png");
    let profile = tmp.path().join("profile");
    let output = std::process::Command::new(chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", shot.display()))
        .arg(format!("file://{}", report.display()))
        .output()
        .expect("chromium runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed: {stderr}");
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "console messages: {console:?}");
    let (w, h, inked) = png_stats(&shot);
    assert!(w >= 1000 && h >= 1000);
    assert!(inked > 0.05, "screenshot looks blank ({:.1}% drawn)", inked * 100.0);
}
