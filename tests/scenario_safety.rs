//! Reading scenarios safely (issue 11): only regular `.toml` files are read,
//! never more than the size limit; no error quotes more than one line of a
//! file, and none of a file that is not a scenario; nothing from a scenario
//! reaches the terminal raw; names cannot start a spreadsheet formula or
//! differ only in spaces; and every problem is reported in one pass.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A small valid scenario; tests change one part of it.
const VALID: &str = r#"[scenario]
name = "safe"
start = "2026-11-01"
end = "2026-11-30"
warmup_days = 10
replications = 2
seed = 1

[ed]
attendances_per_day = 100.0
admission_probability = 0.2
hours_to_decision = { dist = "lognormal", mean = 3.5, sd = 2.0 }
hours_in_department = { dist = "lognormal", mean = 2.8, sd = 1.6 }

[[admissions]]
name = "medical"
source = "ed"
share = 1.0
pool = "medicine"
stay_days = { dist = "lognormal", mean = 5.0, sd = 6.0 }

[[pool]]
name = "medicine"
beds = 120
"#;

/// What a finished `bedflow` run left: exit code and stderr.
struct Outcome {
    code: Option<i32>,
    stderr: String,
}

/// Runs `bedflow ARGS` in `dir`, killing it and failing the test if it takes
/// more than 10 s (a FIFO that blocks, /dev/zero read to exhaustion).
fn bedflow_in(dir: &Path, args: &[&str]) -> Outcome {
    bedflow_env(dir, args, &[])
}

fn bedflow_env(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Outcome {
    let mut child = Command::new(env!("CARGO_BIN_EXE_bedflow"))
        .args(args)
        .current_dir(dir)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("bedflow starts");
    let started = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if started.elapsed() > Duration::from_secs(10) {
            let _ = child.kill();
            let _ = child.wait();
            panic!("bedflow {args:?} still running after 10 s (blocked or reading without bound)");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let mut bytes = Vec::new();
        e.read_to_end(&mut bytes).expect("stderr");
        stderr = String::from_utf8_lossy(&bytes).into_owned();
    }
    Outcome { code: status.code(), stderr }
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("write test file");
    p
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo").arg(path).status().expect("mkfifo runs").success();
    assert!(ok, "mkfifo {}", path.display());
}

/// Asserts exit 2 and that some single stderr line holds every one of `parts`, in order.
fn assert_line(o: &Outcome, parts: &[&str]) {
    assert_eq!(o.code, Some(2), "exit code; stderr:\n{}", o.stderr);
    let found = o.stderr.lines().any(|l| {
        let mut rest = l;
        parts.iter().all(|p| match rest.find(p) {
            Some(i) => {
                rest = &rest[i + p.len()..];
                true
            }
            None => false,
        })
    });
    assert!(found, "no line with {parts:?} in:\n{}", o.stderr);
}

/// The 1-based number of the first line of `text` containing `pat`.
fn line_of(text: &str, pat: &str) -> usize {
    text.lines().position(|l| l.contains(pat)).unwrap_or_else(|| panic!("no {pat:?} in the test scenario")) + 1
}

fn problems(o: &Outcome) -> usize {
    o.stderr.lines().filter(|l| l.contains(".toml:") && !l.starts_with("error:")).count()
}

#[cfg(unix)]
#[test]
fn dev_zero_is_refused_at_once_as_scenario_and_as_extends() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::os::unix::fs::symlink("/dev/zero", d.join("zero.toml")).unwrap();
    write(d, "child.toml", "extends = \"/dev/zero\"\n");
    write(d, "child-link.toml", "extends = \"zero.toml\"\n");
    for args in [["check", "/dev/zero"], ["check", "zero.toml"], ["check", "child.toml"], ["check", "child-link.toml"]]
    {
        let started = Instant::now();
        let o = bedflow_in(d, &args);
        assert_eq!(o.code, Some(2), "{args:?}: {}", o.stderr);
        assert!(started.elapsed() < Duration::from_secs(5), "{args:?} took {:?}", started.elapsed());
        assert!(!o.stderr.contains("panicked"), "{args:?}: {}", o.stderr);
    }
    assert_line(&bedflow_in(d, &["check", "zero.toml"]), &["zero.toml", "a device, not a regular .toml file"]);
    assert_line(&bedflow_in(d, &["check", "child.toml"]), &["child.toml:1:11: extends: ", "/dev/zero"]);
    assert_line(&bedflow_in(d, &["check", "child-link.toml"]), &["child-link.toml:1:11: extends: ", "a device"]);
}

#[cfg(unix)]
#[test]
fn a_fifo_is_refused_without_blocking_as_scenario_and_as_extends() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    mkfifo(&d.join("pipe.toml"));
    mkfifo(&d.join("pipe"));
    write(d, "child.toml", "extends = \"pipe.toml\"\n");
    assert_line(&bedflow_in(d, &["check", "pipe.toml"]), &["pipe.toml", "a pipe (FIFO), not a regular .toml file"]);
    assert_line(&bedflow_in(d, &["run", "pipe.toml", "--out", "o"]), &["pipe.toml", "a pipe (FIFO)"]);
    assert_line(&bedflow_in(d, &["check", "pipe"]), &["pipe", "must be a file whose name ends in .toml"]);
    assert_line(&bedflow_in(d, &["check", "child.toml"]), &["child.toml:1:11: extends: ", "a pipe (FIFO)"]);
    assert!(!d.join("o").exists());
}

#[test]
fn standard_input_and_folders_are_refused_by_name() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    std::fs::create_dir(d.join("folder.toml")).unwrap();
    write(d, "child.toml", "# a parent that is a folder\nextends = \"folder.toml\"\n");
    assert_line(&bedflow_in(d, &["check", "-"]), &["scenario - refused", "not from standard input"]);
    assert_line(&bedflow_in(d, &["check", "/dev/stdin"]), &["/dev/stdin", "must be a file whose name ends in .toml"]);
    assert_line(&bedflow_in(d, &["check", "folder.toml"]), &["folder.toml", "a folder, not a regular .toml file"]);
    // The folder is reported where the child names it.
    assert_line(&bedflow_in(d, &["check", "child.toml"]), &["child.toml:2:11: extends: ", "folder.toml", "a folder"]);
}

const SECRETS: [&str; 4] = ["SECRET-ONE", "SECRET-TWO", "SECRET-THREE", "SECRET-FOUR"];

/// Lines of a file that must never be shown, with a TOML error on the third.
fn secret_lines(sep: &str) -> String {
    ["alpha = \"SECRET-ONE\"", "beta = \"SECRET-TWO\"", "gamma = SECRET-THREE unquoted", "delta = \"SECRET-FOUR\""]
        .join(sep)
        + sep
}

fn leaked(stderr: &str) -> Vec<&'static str> {
    SECRETS.iter().copied().filter(|s| stderr.contains(s)).collect()
}

#[cfg(unix)]
#[test]
fn files_that_are_not_toml_scenarios_are_never_quoted() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "secrets.txt", &secret_lines("\n"));
    std::os::unix::fs::symlink(d.join("secrets.txt"), d.join("looks-fine.toml")).unwrap();
    // Valid TOML, but no scenario: each key would have been quoted as an unknown field.
    write(d, "credentials.toml", "api_key = \"SECRET-ONE\"\ntoken = \"SECRET-TWO\"\n");
    write(d, "passwd.toml", "extends = \"/etc/passwd\"\n");
    write(d, "text.toml", "extends = \"secrets.txt\"\n");
    write(d, "link.toml", "extends = \"looks-fine.toml\"\n");
    write(d, "creds-child.toml", "extends = \"credentials.toml\"\n");
    for (file, at) in [
        ("passwd.toml", "/etc/passwd"),
        ("text.toml", "secrets.txt"),
        ("link.toml", "looks-fine.toml"),
        ("creds-child.toml", "credentials.toml"),
    ] {
        let o = bedflow_in(d, &["check", file]);
        assert_line(&o, &[&format!("{file}:1:11: extends: "), at]);
        assert!(leaked(&o.stderr).is_empty(), "{file} leaked {:?}:\n{}", leaked(&o.stderr), o.stderr);
        assert!(!o.stderr.contains("root:"), "{file} leaked /etc/passwd:\n{}", o.stderr);
        assert_eq!(problems(&o), 1, "{file}: one problem:\n{}", o.stderr);
    }
    for file in ["secrets.txt", "looks-fine.toml", "credentials.toml", "/etc/passwd", "/etc/shadow"] {
        let o = bedflow_in(d, &["check", file]);
        assert_line(&o, &["error: scenario ", file, " refused: "]);
        assert!(leaked(&o.stderr).is_empty(), "{file} leaked {:?}:\n{}", leaked(&o.stderr), o.stderr);
        assert!(!o.stderr.contains("root:"), "{file} leaked:\n{}", o.stderr);
        assert_eq!(o.stderr.lines().count(), 1, "{file}: one line only:\n{}", o.stderr);
    }
    // The environment of the process, as a scenario: nothing of it shown.
    let o = bedflow_env(d, &["check", "/proc/self/environ"], &[("BEDFLOW_TEST_SECRET", "SECRET-ONE")]);
    assert_line(&o, &["/proc/self/environ", "refused"]);
    assert!(leaked(&o.stderr).is_empty(), "environment leaked:\n{}", o.stderr);
}

#[test]
fn a_toml_syntax_error_quotes_at_most_its_own_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    // Unix, Windows and old Mac line ends.
    for (name, sep) in [("lf.toml", "\n"), ("crlf.toml", "\r\n"), ("cr.toml", "\r")] {
        write(d, name, &secret_lines(sep));
        let child = format!("child-{name}");
        write(d, &child, &format!("extends = \"{name}\"\n"));
        for file in [name, child.as_str()] {
            let o = bedflow_in(d, &["check", file]);
            assert_eq!(o.code, Some(2), "{file}:\n{}", o.stderr);
            assert!(o.stderr.contains("TOML syntax error"), "{file}:\n{}", o.stderr);
            let shown = leaked(&o.stderr);
            assert!(shown.len() <= 1 && !shown.contains(&"SECRET-ONE"), "{file} showed {shown:?}:\n{}", o.stderr);
            let quoting: Vec<&str> = o.stderr.lines().filter(|l| l.contains("SECRET-")).collect();
            assert!(quoting.len() <= 1, "{file}: more than one line quoted:\n{}", o.stderr);
        }
    }
    // Not UTF-8: only the line with the first bad byte.
    let mut bytes = b"alpha = \"SECRET-ONE\"\nbeta = \"SECRET-TWO\"\ngamma = \"SECRET-THREE".to_vec();
    bytes.push(0xff);
    bytes.extend_from_slice(b"\"\ndelta = \"SECRET-FOUR\"\n");
    std::fs::write(d.join("binary.toml"), &bytes).unwrap();
    let o = bedflow_in(d, &["check", "binary.toml"]);
    assert_line(&o, &["binary.toml:3:", "not UTF-8"]);
    assert_eq!(leaked(&o.stderr), vec!["SECRET-THREE"], "{}", o.stderr);
}

/// True if `s` holds a character a terminal would act on: C0 other than
/// newline, DEL, C1, or a bidirectional override.
fn has_raw_controls(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\n')
            || ('\u{202a}'..='\u{202e}').contains(&c)
            || ('\u{2066}'..='\u{2069}').contains(&c)
    })
}

#[test]
fn control_characters_never_reach_the_terminal_raw() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let text = VALID
        .replace("name = \"safe\"", "name = \"x\\u001b]0;pwned\\u0007\"")
        .replace("name = \"medical\"", "name = \"med\\u009b31m\"")
        .replace("beds = 120", "beds = 120\nwhen_full = \"queue\u{202e}eueuq\"\n\"\\u001b[2J\" = 1")
        .replace("share = 1.0", "share = 1.0\narrivals = \"\\u001b[31mred\\u0007\"");
    write(d, "esc.toml", &text);
    // A raw ESC in the file itself is a TOML error; its line is shown escaped.
    write(d, "raw.toml", &VALID.replace("beds = 120", "beds = 120 # \u{1b}]0;title\u{7}"));
    let o = bedflow_in(d, &["check", "esc.toml"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(!has_raw_controls(&o.stderr), "raw control characters in:\n{:?}", o.stderr);
    assert_line(&o, &["esc.toml:2:8: scenario.name: ", "control characters", "\\u{1b}]0;pwned\\u{7}"]);
    let at = format!("esc.toml:{}:8: admissions[1].name: ", line_of(&text, "med\\u009b"));
    assert_line(&o, &[&at, "\\u{9b}31m"]);
    assert_line(&o, &["esc.toml:", "pool[1].when_full: ", "\\u{202e}"]);
    assert_line(&o, &["esc.toml:", "pool[1].\\u{1b}[2J: unknown field"]);
    let o = bedflow_in(d, &["check", "raw.toml"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(!has_raw_controls(&o.stderr), "raw control characters in:\n{:?}", o.stderr);
    assert!(o.stderr.contains("# \\u{1b}]0;title\\u{7}"), "escaped source line in:\n{}", o.stderr);
    // A scenario file name with control characters, named in a refusal.
    let o = bedflow_in(d, &["check", "bad\u{1b}[2Jname.txt"]);
    assert_eq!(o.code, Some(2), "{}", o.stderr);
    assert!(!has_raw_controls(&o.stderr), "raw control characters in:\n{:?}", o.stderr);
}

#[test]
fn names_cannot_start_a_spreadsheet_formula() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let cases = [
        ("pool", "name = \"medicine\"", "name = \"=HYPERLINK(\\\"http://x\\\")\"", "pool[1].name"),
        ("route", "name = \"medical\"", "name = \"-cmd\"", "admissions[1].name"),
        ("scenario", "name = \"safe\"", "name = \"-rf\"", "scenario.name"),
        ("at", "name = \"medicine\"", "name = \"@SUM(A1)\"", "pool[1].name"),
        ("plus", "name = \"medical\"", "name = \"+1\"", "admissions[1].name"),
    ];
    for (tag, from, to, field) in cases {
        let mut text = VALID.replace(from, to);
        if tag == "pool" || tag == "at" {
            text = text.replace("pool = \"medicine\"", &format!("pool = {}", &to["name = ".len()..]));
        }
        let file = format!("{tag}.toml");
        write(d, &file, &text);
        let line = text.lines().position(|l| l == to).expect("changed line") + 1;
        let o = bedflow_in(d, &["check", &file]);
        assert_line(&o, &[&format!("{file}:{line}:8: {field}: "), "must not start with '=', '+', '-' or '@'"]);
    }
}

#[test]
fn names_with_edge_spaces_or_differing_only_in_spaces_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let two_pools = |a: &str, b: &str| {
        VALID
            .replace("name = \"medicine\"", &format!("name = \"{a}\""))
            .replace("pool = \"medicine\"", &format!("pool = \"{a}\""))
            + &format!("\n[[pool]]\nname = \"{b}\"\nbeds = 10\n")
    };
    let second = line_of(&two_pools("a", "b"), "name = \"b\"");
    write(d, "trailing.toml", &two_pools("medicine", "medicine "));
    let o = bedflow_in(d, &["check", "trailing.toml"]);
    assert_line(&o, &[&format!("trailing.toml:{second}:8: pool[2].name: "), "must not start or end with a space"]);
    write(d, "inner.toml", &two_pools("general medicine", "general  medicine"));
    let o = bedflow_in(d, &["check", "inner.toml"]);
    assert_line(&o, &[&format!("inner.toml:{second}:8: pool[2].name: "), "duplicate name", "apart from spaces"]);
    write(d, "tab.toml", &two_pools("general medicine", "general\\tmedicine"));
    let o = bedflow_in(d, &["check", "tab.toml"]);
    assert_line(&o, &[&format!("tab.toml:{second}:8: pool[2].name: "), "control characters"]);
    write(d, "blank.toml", &two_pools("medicine", "   "));
    let o = bedflow_in(d, &["check", "blank.toml"]);
    assert_line(&o, &[&format!("blank.toml:{second}:8: pool[2].name: "), "must not be empty"]);
    let routes = VALID.replace("share = 1.0", "share = 0.5")
        + "\n[[admissions]]\nname = \"medical \"\nsource = \"ed\"\nshare = 0.5\npool = \"medicine\"\n\
           stay_days = { dist = \"fixed\", value = 1.0 }\n";
    write(d, "routes.toml", &routes);
    let at = format!("routes.toml:{}:8: admissions[2].name: ", line_of(&routes, "name = \"medical \""));
    assert_line(&bedflow_in(d, &["check", "routes.toml"]), &[&at, "space"]);
    let specialties = VALID.to_string()
        + "\n[[specialty]]\nname = \"hip  and knee\"\nwaiting_list = 10\nreferrals_per_week = 5\nurgent_share = 0.1\n\
           inpatient_share = 0.5\nstay_days = { dist = \"fixed\", value = 2.0 }\n\
           \n[[specialty]]\nname = \"hip and knee\"\nwaiting_list = 10\nreferrals_per_week = 5\nurgent_share = 0.1\n\
           inpatient_share = 0.5\nstay_days = { dist = \"fixed\", value = 2.0 }\n";
    write(d, "specialties.toml", &specialties);
    let at = format!("specialties.toml:{}:8: specialty[2].name: ", line_of(&specialties, "name = \"hip and knee\""));
    assert_line(&bedflow_in(d, &["check", "specialties.toml"]), &[&at, "duplicate"]);
}

#[test]
fn a_broken_parent_adds_no_false_error_to_its_child() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    write(d, "parent.toml", &VALID.replace("[ed]", "[ed"));
    write(d, "child.toml", "extends = \"parent.toml\"\n\n[scenario]\nname = \"child\"\n");
    let o = bedflow_in(d, &["check", "child.toml"]);
    assert_line(&o, &["parent.toml:9:4: TOML syntax error"]);
    assert!(!o.stderr.contains("needs a scenario file"), "false error:\n{}", o.stderr);
    assert!(o.stderr.contains("has 1 problem:"), "{}", o.stderr);
}

#[test]
fn shares_and_other_problems_are_reported_in_one_pass() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let text = VALID
        .replace("share = 1.0", "share = 0.7")
        .replace("beds = 120", "beds = \"many\"")
        .replace("admission_probability = 0.2", "admission_probability = 0.2\nhours_of_day = 3")
        + "\n[[pool]]\nname = \"medicine\"\nbeds = 5\n"
        + "\n[opel]\noccupancy = [0.9, 0.8, 0.7]\nboarders = [1, 2, 3]\nwaits_over_12h = [1, 2, 3]\n";
    write(d, "many.toml", &text);
    let o = bedflow_in(d, &["check", "many.toml"]);
    let at = |pat: &str, col: usize, field: &str| format!("many.toml:{}:{col}: {field}: ", line_of(&text, pat));
    assert_line(&o, &[&at("hours_of_day", 1, "ed.hours_of_day"), "unknown field"]);
    assert_line(&o, &[&at("share = 0.7", 9, "admissions[1].share"), "must sum to 1"]);
    assert_line(&o, &[&at("beds = \"many\"", 8, "pool[1].beds"), "expected a whole number"]);
    assert_line(&o, &[&at("occupancy = [0.9", 13, "opel.occupancy"), "ascending"]);
    let second =
        text.lines().collect::<Vec<_>>().iter().rposition(|l| *l == "name = \"medicine\"").expect("second pool") + 1;
    assert_line(&o, &[&format!("many.toml:{second}:8: pool[2].name: "), "duplicate name"]);
    assert!(o.stderr.contains("has 5 problems:"), "{}", o.stderr);
}

#[test]
fn every_shipped_scenario_still_loads() {
    let mut n = 0;
    for entry in std::fs::read_dir("scenarios").unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            let o = bedflow_in(Path::new("."), &["check", path.to_str().unwrap()]);
            assert_eq!(o.code, Some(0), "{}: {}", path.display(), o.stderr);
            n += 1;
        }
    }
    assert!(n >= 5, "{n} shipped scenarios");
}

/// Date ranges (`[[seasonality]]`, `[[elective_cut]]`, escalation `windows`)
/// share one check: `to` before `from` is reported at `to`, alongside any
/// other problem in the same table.
#[test]
fn backwards_date_ranges_are_reported_at_to_in_one_pass() {
    let text = std::fs::read_to_string("scenarios/winter-2026-27.toml").unwrap()
        + "\n[[seasonality]]\nfrom = \"2027-01-10\"\nto = \"2027-01-01\"\nfactor = 1000.0\n";
    let err = bedflow::scenario::parse_str(&text, "s.toml").expect_err("two problems");
    let fields: Vec<&str> = err.diagnostics.iter().map(|d| d.field.as_str()).collect();
    assert!(fields.iter().any(|f| f.ends_with(".to")), "{fields:?}");
    assert!(fields.iter().any(|f| f.ends_with(".factor")), "{fields:?}");
    let to = err.diagnostics.iter().find(|d| d.field.ends_with(".to")).unwrap();
    assert!(to.message.contains("is before `from`"), "{}", to.message);
}
