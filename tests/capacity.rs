//! Capacity by date (`[[pool.capacity]]`): ward closures and openings, by
//! hand and on the shipped winter under common random numbers.

mod common;
use bedflow::stats::Metric;
use common::*;

/// Arrivals every 6 hours from midnight, each staying exactly 2 days, into 8
/// beds (exactly enough), reported 2026-01-07 to 2026-01-16; `closure` adds
/// `[[pool.capacity]]` tables.
fn ward(closure: &str) -> String {
    format!(
        r#"
[scenario]
name = "closure"
start = "2026-01-07"
end = "2026-01-16"
warmup_days = 6
replications = 2
seed = 1

[[admissions]]
name = "scheduled"
source = "direct"
per_day = 4.0
arrivals = "regular"
pool = "ward"
stay_days = {{ dist = "fixed", value = 2.0 }}

[[pool]]
name = "ward"
beds = 8
{closure}
"#
    )
}

/// Half the ward closed from 10 to 13 January, by hand. At midnight starting
/// the 10th the 8 patients stay (nobody is moved) and the arrivals queue; as
/// the old patients leave (06:00, 12:00, 18:00) the ward falls to 4, after
/// which each discharge admits one from the queue: 4 in beds at every
/// midnight of the closure. At midnight starting the 14th the 4 reopened beds
/// take 4 of the queue at once: 8 again. `beds_open` shows exactly the dated
/// beds, and 4 beds x 4 days are closed.
#[test]
fn a_dated_closure_shows_exactly_in_beds_open() {
    let m = model(&ward("[[pool.capacity]]\nfrom = \"2026-01-10\"\nto = \"2026-01-13\"\nbeds = 4"));
    let beds = [8.0, 8.0, 8.0, 4.0, 4.0, 4.0, 4.0, 8.0, 8.0, 8.0];
    for r in run(&m) {
        for pool in [Some("ward"), None] {
            assert_eq!(r.daily(&m, Metric::BedsOpen, pool).unwrap(), &beds);
            assert_eq!(r.daily(&m, Metric::MidnightOccupancy, pool).unwrap(), &beds);
            assert_eq!(r.get(&m, Metric::BedsClosedDays, pool), Some(16.0));
            assert_eq!(r.get(&m, Metric::BedOccupancyRate, pool), Some(1.0), "occupied / open core beds");
        }
        // On the 10th the old patients leave at 00:00 (before the closure),
        // 06:00, 12:00 and 18:00, leaving 4 in 4 beds: nobody is admitted.
        let admissions = r.daily(&m, Metric::Admissions, Some("ward")).unwrap();
        assert_eq!(&admissions[..3], &[4.0; 3]);
        assert_eq!(admissions[3], 0.0, "{admissions:?}");
        // Those admitted on the 13th leave on the 15th, so the 14th's only
        // admissions are the 4 reopened beds taking the queue at midnight.
        assert_eq!(admissions[7], 4.0, "{admissions:?}");
        // And they go to the longest waiting, at once: by 08:00 on the 14th
        // the queue is 4 shorter, less the 2 arrivals since (00:00, 06:00),
        // where on the 13th the day's discharges and arrivals balanced.
        let boarders = r.daily(&m, Metric::Boarders0800, Some("ward")).unwrap();
        assert_eq!(boarders[7], boarders[6] - 4.0 + 2.0, "{boarders:?}");
        // The arrivals queue from the 10th: 2 a day more than the 4 beds take.
        assert!(r.get(&m, Metric::WaitsOver12hFromDta, Some("ward")).unwrap() > 0.0);
    }
    // Without the closure the same ward has no wait and no closed beds.
    let open = model(&ward(""));
    for r in run(&open) {
        assert_eq!(r.get(&open, Metric::WaitsOver12hFromDta, None), Some(0.0));
        assert_eq!(r.get(&open, Metric::BedsClosedDays, None), None, "reported only with dated changes");
        assert_eq!(r.daily(&open, Metric::BedsOpen, None), None);
    }
}

/// An opening (more beds than `beds`) and a change without an end: a winter
/// ward of 4 more beds from the 12th. The extra beds take the queue of an
/// overfull ward at once, and count as no closure.
#[test]
fn an_opening_without_an_end_holds_to_the_end() {
    let text = ward("[[pool.capacity]]\nfrom = \"2026-01-12\"\nbeds = 12").replace("beds = 8\n", "beds = 6\n");
    let m = model(&text);
    for r in run(&m) {
        assert_eq!(
            r.daily(&m, Metric::BedsOpen, Some("ward")).unwrap(),
            &[6.0, 6.0, 6.0, 6.0, 6.0, 12.0, 12.0, 12.0, 12.0, 12.0]
        );
        assert_eq!(r.get(&m, Metric::BedsClosedDays, Some("ward")), Some(0.0));
        // 8 patients a 2-day stay need 8 beds: full with a queue before, 8 after.
        let midnight = r.daily(&m, Metric::MidnightOccupancy, Some("ward")).unwrap();
        assert_eq!(&midnight[..5], &[6.0; 5]);
        assert!(midnight[5..].iter().all(|&x| x >= 8.0), "{midnight:?}");
    }
}

/// Metamorphic, on the shipped winter under common random numbers: closing
/// 28 medicine beds from 1 January changes nothing before 1 January (every
/// daily series of every replication identical up to 31 December) and then
/// lengthens waits in every replication. The ED's daily figures count
/// attendances by day of arrival, so a patient who arrives on 31 December and
/// is still in ED at midnight meets the closure: those series are compared up
/// to 29 December (the engine's cool-down assumes ED journeys end within two
/// days, as here).
#[test]
fn a_closure_from_january_changes_nothing_before_it() {
    let text = std::fs::read_to_string("scenarios/winter-2026-27.toml")
        .unwrap()
        .replace("replications = 200", "replications = 16");
    let base = model(&text);
    let closed = model(&text.replacen(
        "[pool.escalation]\n",
        "[[pool.capacity]]\nfrom = \"2027-01-01\"\nbeds = 367\n\n[pool.escalation]\n",
        1,
    ));
    let (a, b) = (run(&base), run(&closed));
    let first_january = (chrono::NaiveDate::from_ymd_opt(2027, 1, 1).unwrap() - base.start).num_days() as usize;
    for (ra, rb) in a.iter().zip(&b) {
        for (key, series) in &ra.daily {
            let other = rb.daily.iter().find(|(k, _)| k == key).map(|(_, v)| v).unwrap();
            let by_arrival = matches!(
                key.metric,
                Metric::Ed4hPerformance
                    | Metric::Ed4hPerformanceAdmitted
                    | Metric::Ed4hPerformanceNonAdmitted
                    | Metric::EdOver12hFromArrival
            );
            let days = if by_arrival { first_january - 2 } else { first_january };
            assert_eq!(&series[..days], &other[..days], "{key:?} before 1 January");
        }
        // Beds open: the base's (which has infection-control closures, the
        // same outbreaks in both: their own stream) less 28 from January.
        let (open_a, open_b) = (
            ra.daily(&base, Metric::BedsOpen, Some("medicine")).unwrap(),
            rb.daily(&closed, Metric::BedsOpen, Some("medicine")).unwrap(),
        );
        for (d, (a, b)) in open_a.iter().zip(open_b).enumerate() {
            assert_eq!(*b, if d < first_january { *a } else { a - 28.0 }, "day {d}");
        }
        let closed_days = (closed.end - closed.start).num_days() as usize + 1 - first_january;
        let (ca, cb) = (
            ra.get(&base, Metric::BedsClosedDays, Some("medicine")).unwrap(),
            rb.get(&closed, Metric::BedsClosedDays, Some("medicine")).unwrap(),
        );
        assert_eq!(cb - ca, 28.0 * closed_days as f64);
        let (wa, wb) = (
            ra.get(&base, Metric::BedWaitHoursMean, Some("medicine")).unwrap(),
            rb.get(&closed, Metric::BedWaitHoursMean, Some("medicine")).unwrap(),
        );
        assert!(wb > wa, "28 fewer beds from January should lengthen medicine's waits: {wb} vs {wa}");
    }
}

/// Backward compatibility in the engine: a scenario that names the new
/// fields without using them (a dated change to the same beds, an empty
/// `outlie_to`, kept beds nobody outlies into, a stay factor with nowhere to
/// outlie) gives every KPI of the plain scenario exactly, replication by
/// replication. (Byte-identical files before and after a change are checked
/// with `tests/bytecheck.sh` against the previous build.)
#[test]
fn naming_the_new_fields_without_using_them_changes_nothing() {
    let text = std::fs::read_to_string("scenarios/winter-2026-27.toml")
        .unwrap()
        .replace("replications = 200", "replications = 4");
    let plain_text: String = text.lines().filter(|l| !l.starts_with("outlie_to")).map(|l| format!("{l}\n")).collect();
    let plain = model(&plain_text);
    let named = model(
        &plain_text.replacen("beds = 120\n", "beds = 120\noutlie_to = []\nkeep_for_own_patients = 5\n", 1).replacen(
            "[pool.escalation]\n",
            "[[pool.capacity]]\nfrom = \"2026-12-01\"\nbeds = 395\n\n[pool.escalation]\n",
            1,
        ),
    );
    assert_eq!(named.pools[0].capacity.len(), 1);
    let (a, b) = (run(&plain), run(&named));
    for (ra, rb) in a.iter().zip(&b) {
        for (key, x) in &ra.scalar {
            let y = rb.scalar.iter().find(|(k, _)| k == key).map(|(_, v)| *v).unwrap();
            assert!(x.to_bits() == y.to_bits(), "{key:?}: {x} vs {y}");
        }
        for (key, x) in &ra.daily {
            assert_eq!(Some(x), rb.daily.iter().find(|(k, _)| k == key).map(|(_, v)| v), "{key:?}");
        }
    }
    // The dated change to the same beds closes nothing (the closures are the outbreaks').
    assert_eq!(
        b[0].get(&named, Metric::BedsClosedDays, Some("medicine")),
        a[0].get(&plain, Metric::BedsClosedDays, Some("medicine"))
    );
}

/// A 4-bed pool with plenty of demand (Poisson, 3 a day, 1-day stays) and,
/// if `outbreaks`, a 2-bed closure lasting exactly 5 days whose chance of
/// starting in a week is 0.2.
fn outbreak_pool(outbreaks: bool, reps: u32) -> String {
    let o = if outbreaks {
        "[pool.outbreaks]\nchance_per_week = 0.2\nbeds_closed = 2\ndays_closed = { dist = \"fixed\", value = 5.0 }"
    } else {
        ""
    };
    format!(
        r#"
[scenario]
name = "outbreaks"
start = "2026-01-01"
end = "2028-09-26"
warmup_days = 200
replications = {reps}
seed = 8

[[admissions]]
name = "emergency"
source = "direct"
per_day = 3.0
pool = "ward"
stay_days = {{ dist = "exponential", mean = 1.0 }}

[[pool]]
name = "ward"
beds = 4
{o}
"#
    )
}

/// The trust's closed bed-days are its wards' sum: a second ward with its
/// own outbreaks beside the first.
#[test]
fn the_trusts_outbreak_closures_are_its_wards_sum() {
    let text = outbreak_pool(true, 10)
        + "\n[[pool]]\nname = \"ward 2\"\nbeds = 4\n[pool.outbreaks]\nchance_per_week = 0.5\nbeds_closed = 1\n\
           days_closed = { dist = \"fixed\", value = 3.0 }\n";
    let m = model(&text);
    for r in run(&m) {
        let closed = |pool| r.get(&m, Metric::InfectionClosureDays, pool).unwrap();
        assert!(closed(Some("ward")) > 0.0 && closed(Some("ward 2")) > 0.0);
        assert!((closed(None) - closed(Some("ward")) - closed(Some("ward 2"))).abs() < 1e-9);
    }
}

/// Outbreaks against renewal theory: each closes 2 beds for exactly 5 days,
/// the next starting after an exponential gap whose chance of ending within
/// a week is 0.2 (mean 7 / -ln 0.8 = 31.37 days). In the long run the beds
/// are closed 5 / 36.37 of the time, so 1000 reported days (after a 200-day
/// warm-up, ample for the renewal process to forget its start) close
/// 2 x 1000 x 0.1375 = 275 bed-days on average: checked with the t interval
/// of 300 replications at false-alarm rate 1e-4, and the interval must be
/// under 5% of it. Beds open at midnight are only ever 4 or 2, and the
/// midnight figure of closed bed-days is within 2 beds a day of the exact
/// one for each outbreak the window cuts. Outbreaks draw from their own
/// stream: the admissions are the same draws as without them.
#[test]
fn outbreaks_close_beds_as_renewal_theory_says() {
    let m = model(&outbreak_pool(true, 300));
    let reps = run(&m);
    let gap = 7.0 / -(0.8f64.ln());
    let expected = 2.0 * 1000.0 * 5.0 / (5.0 + gap);
    let closed = values(&m, &reps, Metric::InfectionClosureDays, Some("ward"));
    assert_mean_matches_theory("outbreak closed bed-days", &closed, expected, 0.05);
    for r in &reps {
        let open = r.daily(&m, Metric::BedsOpen, Some("ward")).unwrap();
        assert!(open.iter().all(|&b| b == 4.0 || b == 2.0));
        let midnight = r.get(&m, Metric::BedsClosedDays, Some("ward")).unwrap();
        let exact = r.get(&m, Metric::InfectionClosureDays, Some("ward")).unwrap();
        let outbreaks = open.windows(2).filter(|w| w[0] == 4.0 && w[1] == 2.0).count() as f64 + 1.0;
        assert!((midnight - exact).abs() <= 2.0 * outbreaks, "{midnight} vs {exact}");
    }
    let plain = model(&outbreak_pool(false, 300));
    let without = run(&plain);
    assert_eq!(values(&m, &reps, Metric::BedRequests, None), values(&plain, &without, Metric::BedRequests, None));
    // And closing beds lengthens waits on average.
    let w = mean(&values(&m, &reps, Metric::BedWaitHoursMean, None));
    let wo = mean(&values(&plain, &without, Metric::BedWaitHoursMean, None));
    assert!(w > wo, "{w} vs {wo}");
}

/// Bad outbreak fields: file, line and field.
#[test]
fn bad_outbreaks_are_refused() {
    let base = outbreak_pool(true, 2);
    for (from, to, expected) in [
        ("chance_per_week = 0.2", "chance_per_week = 1.0", "pool[1].outbreaks.chance_per_week: expected a chance from"),
        ("chance_per_week = 0.2", "chance_per_week = 0", "pool[1].outbreaks.chance_per_week: expected a chance from"),
        // So small that 1 - p rounds to 1: refused, never a rate of 0 (or less).
        (
            "chance_per_week = 0.2",
            "chance_per_week = 1e-20",
            "pool[1].outbreaks.chance_per_week: expected a chance from",
        ),
        (
            "beds_closed = 2",
            "beds_closed = 5",
            "pool[1].outbreaks.beds_closed: 5 beds closed is more than the pool's 4",
        ),
        ("days_closed = { dist = \"fixed\", value = 5.0 }", "", "pool[1].outbreaks.days_closed"),
        ("beds_closed = 2", "beds_closed = 2\nward = 3", "pool[1].outbreaks.ward: unknown field"),
    ] {
        let err = bedflow::scenario::parse_str(&base.replacen(from, to, 1), "o.toml").unwrap_err().to_string();
        let line = err.lines().find(|l| l.contains(expected)).unwrap_or_else(|| panic!("{to}: {err}"));
        assert!(line.starts_with("o.toml:"), "{line}");
    }
}

/// `check` warns about a dated change wholly outside the simulated days (a
/// mistyped year) and judges overload by the beds a pool can have: a pool
/// closed for the whole run is warned about, one opened by date is not.
#[test]
fn warnings_know_the_beds_by_date() {
    let tmp = tempfile::tempdir().unwrap();
    let check = |extra: &str, beds: &str| {
        let text = ward(extra).replace("beds = 8\n", beds);
        std::fs::write(tmp.path().join("w.toml"), text).unwrap();
        let out = assert_cmd::Command::cargo_bin("bedflow")
            .unwrap()
            .args(["check"])
            .arg(tmp.path().join("w.toml"))
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0));
        String::from_utf8_lossy(&out.stderr).into_owned()
    };
    let err = check("[[pool.capacity]]\nfrom = \"2025-01-10\"\nto = \"2025-01-20\"\nbeds = 4", "beds = 8\n");
    assert!(err.contains("the capacity change from 2025-01-10 to 2025-01-20 lies outside the simulated days"), "{err}");
    let err = check("[[pool.capacity]]\nfrom = \"2025-12-01\"\nbeds = 0", "beds = 8\n");
    assert!(err.contains("exceeds its 0 beds"), "closed all run: {err}");
    let err = check("[[pool.capacity]]\nfrom = \"2025-12-01\"\nbeds = 20", "beds = 2\n");
    assert!(!err.contains("exceeds"), "opened to 20 beds for all of the run: {err}");
}
