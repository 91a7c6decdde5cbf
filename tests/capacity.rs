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
        let open = rb.daily(&closed, Metric::BedsOpen, Some("medicine")).unwrap();
        assert!(open[..first_january].iter().all(|&x| x == 395.0) && open[first_january..].iter().all(|&x| x == 367.0));
        let closed_days = (closed.end - closed.start).num_days() as usize + 1 - first_january;
        assert_eq!(rb.get(&closed, Metric::BedsClosedDays, Some("medicine")), Some(28.0 * closed_days as f64));
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
    // The dated change is reported, as no closure.
    assert_eq!(b[0].get(&named, Metric::BedsClosedDays, Some("medicine")), Some(0.0));
}
