//! Nothing lost: bedflow only replaces folders it made, refuses before
//! simulating, publishes safely at every instant (killed at each step of
//! publication through the `failpoints` feature), and never touches look-alike
//! or live folders.

use assert_cmd::Command;
use std::io::BufRead;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

const WINTER: &str = "scenarios/winter-2026-27.toml";

fn bedflow() -> Command {
    Command::cargo_bin("bedflow").unwrap()
}

/// Every file under `dir` (recursively) with its bytes, sorted by path.
fn tree(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(PathBuf, Vec<u8>)>) {
        for e in std::fs::read_dir(dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                out.push((p.strip_prefix(root).unwrap().to_path_buf(), b"<dir>".to_vec()));
                walk(root, &p, out);
            } else {
                out.push((p.strip_prefix(root).unwrap().to_path_buf(), std::fs::read(&p).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A user's folder of documents, with a sub-folder.
fn user_docs(root: &Path) -> PathBuf {
    let docs = root.join("mydocs");
    std::fs::create_dir_all(docs.join("sub")).unwrap();
    std::fs::write(docs.join("thesis.docx"), "t").unwrap();
    std::fs::write(docs.join("sub/board-paper.pdf"), "b").unwrap();
    docs
}

/// The command must be refused with exit 2 and a message before simulating:
/// 15,000 replications (a million for `run`) would take minutes, so finishing
/// within the timeout proves it.
fn refused_before_simulating(cmd: &mut Command, why: &str) {
    let started = Instant::now();
    let out = cmd.timeout(Duration::from_secs(60)).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{why}: {stderr}");
    assert!(stderr.contains("refusing to write results to"), "{why}: {stderr}");
    assert!(started.elapsed() < Duration::from_secs(60), "{why}: it simulated first");
}

#[test]
fn folders_bedflow_did_not_make_are_refused_by_every_command() {
    let tmp = tempfile::tempdir().unwrap();
    let docs = user_docs(tmp.path());
    let before = tree(&docs);
    // Enough to take over a minute if simulated, and within the memory limit for two runs of the shipped winter.
    let many = ["--replications", "12000", "--quiet", "--out"];
    refused_before_simulating(bedflow().args(["run", WINTER]).args(many).arg(&docs), "run");
    refused_before_simulating(
        bedflow().args(["compare", WINTER, "scenarios/winter-2026-27-plus-20-beds.toml"]).args(many).arg(&docs),
        "compare",
    );
    refused_before_simulating(
        bedflow().args(["sweep", WINTER, "--set", "pool.medicine.beds=390..400:10"]).args(many).arg(&docs),
        "sweep",
    );
    // merge: two real parts, then an output folder that is not bedflow's.
    let mut parts = Vec::new();
    for k in 1..=2 {
        let part = tmp.path().join(format!("p{k}.part"));
        bedflow()
            .args(["run", WINTER, "--replications", "2", "--quiet", "--shard", &format!("{k}/2"), "--out"])
            .arg(&part)
            .assert()
            .success();
        parts.push(part);
    }
    let merged = bedflow().arg("merge").args(&parts).arg("--out").arg(&docs).output().unwrap();
    assert_eq!(merged.status.code(), Some(2), "{}", String::from_utf8_lossy(&merged.stderr));
    assert!(tree(&docs) == before, "the user's folder changed");
    // Nothing of bedflow's is left beside it.
    let names: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert!(names.iter().all(|n| !n.starts_with(".mydocs")), "{names:?}");
}

#[test]
fn the_working_folder_and_the_scenario_itself_are_refused() {
    let tmp = tempfile::tempdir().unwrap();
    let scenario = tmp.path().join("trust.toml");
    std::fs::copy(WINTER, &scenario).unwrap();
    let before = tree(tmp.path());
    // --out "$PWD" (the scenario's own folder), given as `.` and as its full path.
    for out in [PathBuf::from("."), tmp.path().to_path_buf()] {
        refused_before_simulating(
            bedflow()
                .current_dir(tmp.path())
                .args(["run", "trust.toml", "--replications", "1000000", "--quiet", "--out"])
                .arg(&out),
            "--out at the working folder",
        );
    }
    // --out naming the scenario file, or another regular file.
    let notes = tmp.path().join("notes.txt");
    std::fs::write(&notes, "n").unwrap();
    for out in [&scenario, &notes] {
        refused_before_simulating(
            bedflow().arg("run").arg(&scenario).args(["--replications", "1000000", "--quiet", "--out"]).arg(out),
            "--out naming a file",
        );
    }
    std::fs::remove_file(&notes).unwrap();
    assert!(tree(tmp.path()) == before, "a user file changed");
}

#[test]
fn a_bedflow_folder_is_replaced_but_not_once_a_user_adds_to_it() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let run = |seed: &str| {
        bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--seed", seed, "--out"]).arg(&out).output()
    };
    assert!(run("1").unwrap().status.success());
    let marker = std::fs::read_to_string(out.join(".bedflow")).unwrap();
    assert!(marker.contains("summary.csv") && marker.contains("report.html"), "{marker}");
    let first = std::fs::read(out.join("summary.csv")).unwrap();
    assert!(run("2").unwrap().status.success(), "bedflow replaces its own folder");
    assert_ne!(std::fs::read(out.join("summary.csv")).unwrap(), first);
    std::fs::write(out.join("my-notes.txt"), "mine").unwrap();
    let before = tree(&out);
    let refused = run("3").unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("my-notes.txt"));
    assert!(tree(&out) == before, "the refused run changed the folder");
}

#[test]
fn look_alike_folders_are_never_removed() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let lookalikes = [".results.old-backup", ".results.partial-mine", ".results.partial-12", ".results.old-7"];
    for l in lookalikes {
        std::fs::create_dir(tmp.path().join(l)).unwrap();
        std::fs::write(tmp.path().join(l).join("keep.txt"), "k").unwrap();
    }
    bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&out).assert().success();
    for l in lookalikes {
        assert_eq!(std::fs::read_to_string(tmp.path().join(l).join("keep.txt")).unwrap(), "k", "{l}");
    }
}

/// Starts a run into `out` that pauses at `failpoint`; returns once it is
/// there. It goes on once a file `resume` beside `out` exists.
fn paused_run(out: &Path, seed: &str, failpoint: &str) -> Paused {
    let resume = out.with_extension("resume");
    let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("bedflow"))
        .args(["run", WINTER, "--replications", "2", "--quiet", "--seed", seed, "--out"])
        .arg(out)
        .env("BEDFLOW_FAILPOINT", failpoint)
        .env("BEDFLOW_FAILPOINT_RESUME", &resume)
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let step = failpoint.split(',').next().unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in std::io::BufReader::new(stderr).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        match rx.recv_timeout(left) {
            Ok(line) if line == format!("bedflow: failpoint {step}") => return Paused { child, lines: rx, resume },
            Ok(_) => {}
            Err(_) => {
                let _ = child.kill();
                panic!("the run never reached failpoint {step}");
            }
        }
    }
}

/// A run paused at a failpoint, with the rest of its stderr to come.
struct Paused {
    child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    resume: PathBuf,
}

impl Paused {
    /// Lets the run go on; returns its exit code and the rest of its stderr.
    fn resume(mut self) -> (Option<i32>, String) {
        std::fs::write(&self.resume, "").unwrap();
        let status = self.child.wait().unwrap();
        let _ = std::fs::remove_file(&self.resume);
        (status.code(), self.lines.iter().collect::<Vec<_>>().join("\n"))
    }
}

fn kill9(mut paused: Paused) {
    paused.child.kill().unwrap(); // SIGKILL on Unix
    let _ = paused.child.wait();
}

/// The results in `out`, but run.json (wall time) and the marker (which
/// holds run.json's checksum).
fn results_of(out: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    tree(out).into_iter().filter(|(p, _)| p != Path::new("run.json") && p != Path::new(".bedflow")).collect()
}

/// Killed with SIGKILL at every step of publishing, on both the atomic
/// exchange path and the portable two-rename path: the target holds a
/// complete set of results (old or new) or, between the two renames, the next
/// run puts the old ones back before anything else; nothing is lost.
#[test]
fn killed_at_every_step_of_publishing_nothing_is_lost() {
    let cases = [
        ("before-publish", "old"),
        ("after-exchange", "new"),
        ("before-publish,no-exchange", "old"),
        ("after-set-aside,no-exchange", "restored"),
        ("after-rename,no-exchange", "new"),
    ];
    let tmp = tempfile::tempdir().unwrap();
    let reference = |seed: &str| {
        let dir = tmp.path().join(format!("reference-{seed}"));
        bedflow()
            .args(["run", WINTER, "--replications", "2", "--quiet", "--seed", seed, "--out"])
            .arg(&dir)
            .assert()
            .success();
        results_of(&dir)
    };
    let (old, new) = (reference("11"), reference("22"));
    assert!(old != new, "two seeds give different results");
    for (i, (failpoint, expect)) in cases.iter().enumerate() {
        let out = tmp.path().join(format!("results-{i}"));
        bedflow()
            .args(["run", WINTER, "--replications", "2", "--quiet", "--seed", "11", "--out"])
            .arg(&out)
            .assert()
            .success();
        kill9(paused_run(&out, "22", failpoint));
        match *expect {
            "old" => assert!(results_of(&out) == old, "{failpoint}: previous results changed"),
            "new" => assert!(results_of(&out) == new, "{failpoint}: new results incomplete"),
            _ => {
                // Between the renames the old results sit aside; the next run
                // restores them first (seen by pausing it before it publishes).
                assert!(!out.exists(), "{failpoint}");
                kill9(paused_run(&out, "33", "before-publish"));
                assert!(results_of(&out) == old, "{failpoint}: the old results were not restored");
            }
        }
        // The next run succeeds and tidies every leftover of the killed ones.
        bedflow()
            .args(["run", WINTER, "--replications", "2", "--quiet", "--seed", "22", "--out"])
            .arg(&out)
            .assert()
            .success();
        assert!(results_of(&out) == new, "{failpoint}: the next run's results differ");
        let prefix = format!(".results-{i}.");
        let left: Vec<String> = std::fs::read_dir(tmp.path())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.starts_with(&prefix))
            .collect();
        assert!(left.is_empty(), "{failpoint}: left behind {left:?}");
    }
}

/// A second run into a target that a live run is writing is refused and
/// harms neither; the first completes normally.
#[test]
fn two_runs_into_one_folder_do_not_break_each_other() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&out).assert().success();
    let before = tree(&out);
    let first = paused_run(&out, "5", "before-publish");
    let second = bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&out).output().unwrap();
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert_eq!(second.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("another bedflow run"), "{stderr}");
    assert!(tree(&out) == before, "the refused run changed the results");
    let partials = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(".results.partial-"))
        .count();
    assert_eq!(partials, 1, "the live run's partial folder must survive");
    kill9(first);
}

/// Files a user puts into the results folder while a run is simulating, or a
/// folder they make at its path, stop publication: exit 2, their files and
/// the previous results untouched. Checked just before the swap, and once more
/// after it (a file added between the last check and the swap swaps back).
#[test]
fn files_added_during_a_run_are_never_deleted() {
    let tmp = tempfile::tempdir().unwrap();
    for (i, step) in ["before-publish", "before-exchange"].iter().enumerate() {
        let out = tmp.path().join(format!("res{i}"));
        bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&out).assert().success();
        let before = results_of(&out);
        let paused = paused_run(&out, "9", step);
        std::fs::write(out.join("notes.txt"), "my precious notes").unwrap();
        std::fs::create_dir(out.join("mysub")).unwrap();
        std::fs::write(out.join("mysub/f"), "deep").unwrap();
        let (code, stderr) = paused.resume();
        assert_eq!(code, Some(2), "{step}: {stderr}");
        assert!(stderr.contains("changed while bedflow was running"), "{step}: {stderr}");
        assert_eq!(std::fs::read_to_string(out.join("notes.txt")).unwrap(), "my precious notes");
        assert_eq!(std::fs::read_to_string(out.join("mysub/f")).unwrap(), "deep");
        let mut now = results_of(&out);
        now.retain(|(p, _)| !p.starts_with("notes.txt") && !p.starts_with("mysub"));
        assert!(now == before, "{step}: the previous results changed");
    }
    // A folder made at the path while the run simulates.
    let out = tmp.path().join("fresh");
    let paused = paused_run(&out, "9", "before-publish");
    std::fs::create_dir(&out).unwrap();
    std::fs::write(out.join("board.docx"), "paper").unwrap();
    let (code, stderr) = paused.resume();
    assert_eq!(code, Some(2), "{stderr}");
    assert_eq!(std::fs::read_to_string(out.join("board.docx")).unwrap(), "paper");
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 1, "nothing of bedflow's put in the user's folder");
    let left: Vec<String> = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with('.'))
        .collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}

/// Copies of results folders under leftover-like names (a dated backup, a
/// partial-looking copy with notes added) are never removed or moved, even by
/// a run that is refused; `--out link/` and `--out res/.` are the link and the
/// folder themselves, checked before simulating.
#[test]
fn backups_under_leftover_names_and_trailing_slashes() {
    let tmp = tempfile::tempdir().unwrap();
    let res = tmp.path().join("res");
    bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&res).assert().success();
    let copies = [".res.old-20250101", ".res.partial-1", ".res.partial-1-0000abcd", ".res.old-7-deadbeef"];
    for c in copies {
        let dir = tmp.path().join(c);
        std::fs::create_dir(&dir).unwrap();
        for e in std::fs::read_dir(&res).unwrap().flatten() {
            std::fs::copy(e.path(), dir.join(e.file_name())).unwrap();
        }
        std::fs::write(dir.join("analysis.docx"), "thesis").unwrap();
    }
    std::fs::rename(&res, tmp.path().join("elsewhere")).unwrap();
    // The target is missing: nothing is restored from the copies.
    bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&res).assert().success();
    for c in copies {
        assert!(tmp.path().join(c).join("analysis.docx").exists(), "{c} was touched");
        assert!(tmp.path().join(c).join("summary.csv").exists(), "{c} was emptied");
    }
    let link = tmp.path().join("link");
    std::os::unix::fs::symlink(&res, &link).unwrap();
    refused_before_simulating(
        bedflow()
            .args(["run", WINTER, "--replications", "1000000", "--quiet", "--out"])
            .arg(format!("{}/", link.display())),
        "a link with a trailing slash",
    );
    bedflow()
        .args(["run", WINTER, "--replications", "2", "--quiet", "--out"])
        .arg(format!("{}/.", res.display()))
        .assert()
        .success();
    assert!(res.join("summary.csv").exists(), "`res/.` is `res`");
}

/// An escape sequence in a path (here `--out`) reaches the terminal escaped.
#[test]
fn error_messages_never_carry_terminal_escapes() {
    let tmp = tempfile::tempdir().unwrap();
    let evil = tmp.path().join("\u{1b}]0;pwned\u{7}");
    std::fs::write(&evil, "x").unwrap();
    let out = bedflow().args(["run", WINTER, "--quiet", "--out"]).arg(&evil).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{7}'), "{stderr:?}");
    assert!(stderr.contains("\\u{1b}]0;pwned"), "{stderr:?}");
    // Arguments echoed by the argument parser, and the rarer bidi controls.
    let bad_flag = bedflow().args(["run", WINTER, "--replications", "\u{1b}]0;pwned\u{7}"]).output().unwrap();
    assert_eq!(bad_flag.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&bad_flag.stderr);
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('\u{7}'), "{stderr:?}");
    let odd = tmp.path().join("a\u{2028}b\u{061c}c");
    std::fs::write(&odd, "x").unwrap();
    let out = bedflow().args(["run", WINTER, "--quiet", "--out"]).arg(&odd).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains('\u{2028}') && !stderr.contains('\u{061c}'), "{stderr:?}");
}

/// A results file edited by hand, a `.bedflow` file that lists a user's file
/// under a made-up checksum, or a damaged `.bedflow` file: refused, nothing
/// changed. An empty folder (made ahead of the run) holds nothing to lose and
/// is used; a file a spreadsheet holds open is named with advice.
#[test]
fn edited_results_and_forged_markers_are_refused_but_empty_folders_used() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("results");
    let run = || bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&out).output().unwrap();
    std::fs::create_dir(&out).unwrap();
    assert!(run().status.success(), "an empty folder is used");
    // An edited CSV.
    let summary = out.join("summary.csv");
    let mut text = std::fs::read_to_string(&summary).unwrap();
    text.push_str("my,own,row\n");
    std::fs::write(&summary, &text).unwrap();
    let refused = run();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("\"summary.csv\" changed since bedflow wrote it"));
    assert_eq!(std::fs::read_to_string(&summary).unwrap(), text, "the edit survives");
    // A user's file listed in the marker under a checksum that is not its own.
    let clean = tmp.path().join("clean");
    bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&clean).assert().success();
    let mut marker = std::fs::read_to_string(clean.join(".bedflow")).unwrap();
    marker.push_str(&format!("{}  notes.txt\n", "0".repeat(64)));
    std::fs::write(clean.join(".bedflow"), &marker).unwrap();
    std::fs::write(clean.join("notes.txt"), "mine").unwrap();
    let forged = bedflow().args(["run", WINTER, "--quiet", "--out"]).arg(&clean).output().unwrap();
    assert_eq!(forged.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(clean.join("notes.txt")).unwrap(), "mine");
    // A damaged marker.
    std::fs::write(clean.join(".bedflow"), "").unwrap();
    let damaged = bedflow().args(["run", WINTER, "--quiet", "--out"]).arg(&clean).output().unwrap();
    assert_eq!(damaged.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&damaged.stderr).contains("not one bedflow wrote"));
    // A spreadsheet's lock file.
    std::fs::write(&summary, std::fs::read(tmp.path().join("clean/summary.csv")).unwrap()).unwrap();
    std::fs::remove_dir_all(&out).unwrap();
    assert!(run().status.success());
    std::fs::write(out.join(".~lock.daily.csv#"), "lock").unwrap();
    let locked = run();
    assert_eq!(locked.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&locked.stderr).contains("close it"),
        "{}",
        String::from_utf8_lossy(&locked.stderr)
    );
}

/// A file saved into the old results just after the last check, while they
/// are being removed, is kept (the run still succeeds and says where), and no
/// later run deletes it. A hard-linked backup's marker is never edited, and a
/// refused swap puts the target's marker back exactly.
#[test]
fn late_files_hard_links_and_refused_swaps() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("res");
    let run = |seed: &str| {
        bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--seed", seed, "--out"]).arg(&out).output()
    };
    assert!(run("1").unwrap().status.success());
    // Hard-linked backup.
    let backup = tmp.path().join("backup");
    std::fs::create_dir(&backup).unwrap();
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        std::fs::hard_link(e.path(), backup.join(e.file_name())).unwrap();
    }
    let backup_marker = std::fs::read(backup.join(".bedflow")).unwrap();
    // A file saved into the old results while they are removed.
    let paused = paused_run(&out, "2", "before-removal");
    let old = std::fs::read_dir(tmp.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with(".res.partial-"))
        .expect("the old results under the partial name");
    std::fs::write(old.join("notes.txt"), "saved late").unwrap();
    let (code, stderr) = paused.resume();
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("left") && stderr.contains("notes.txt"), "{stderr}");
    assert_eq!(std::fs::read_to_string(old.join("notes.txt")).unwrap(), "saved late");
    assert!(run("3").unwrap().status.success());
    assert_eq!(std::fs::read_to_string(old.join("notes.txt")).unwrap(), "saved late", "a later run deleted it");
    assert!(std::fs::read(backup.join(".bedflow")).unwrap() == backup_marker, "the backup's marker was edited");
    // A refused swap leaves the target's marker exactly as it was.
    let marker_before = std::fs::read(out.join(".bedflow")).unwrap();
    let paused = paused_run(&out, "4", "before-exchange");
    std::fs::write(out.join("late.txt"), "x").unwrap();
    let (code, _) = paused.resume();
    assert_eq!(code, Some(2));
    assert!(std::fs::read(out.join(".bedflow")).unwrap() == marker_before, "the marker changed");
}

/// An old-results folder planted under a leftover name, naming itself but
/// holding something bedflow did not write, is never moved into place.
#[test]
fn planted_old_folders_are_not_restored() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("res");
    let planted = tmp.path().join(".res.old-1-0000abcd");
    std::fs::create_dir(&planted).unwrap();
    std::fs::write(planted.join(".bedflow"), "bedflow output folder\nstaging .res.old-1-0000abcd\n").unwrap();
    std::fs::write(planted.join("notes.txt"), "n").unwrap();
    bedflow().args(["run", WINTER, "--replications", "2", "--quiet", "--out"]).arg(&out).assert().success();
    assert!(planted.join("notes.txt").exists(), "the planted folder was moved or emptied");
    assert!(out.join("summary.csv").exists());
    // A line feed in a path is escaped in messages too.
    let odd = tmp.path().join("x\ny");
    std::fs::write(&odd, "f").unwrap();
    let o = bedflow().args(["run", WINTER, "--quiet", "--out"]).arg(&odd).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(stderr.lines().count() == 1 && stderr.contains("x\\ny"), "{stderr:?}");
}
