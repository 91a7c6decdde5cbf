//! Outlying (`outlie_to`, `keep_for_own_patients`, `outlier_stay_factor`):
//! pools that lend beds, against queueing theory, hand-worked cases and the
//! shipped winter under common random numbers.

mod common;
use bedflow::stats::Metric;
use common::*;

/// Two pools fed by their own Poisson streams with exponential stays (mean
/// 1 day), each outlying into the other if `outlying`: `a` with 6 beds and
/// 4.8 admissions a day, `b` with 4 beds and 3.2 a day (80% load each).
fn pair(when_full: &str, outlying: bool, days: u32, reps: u32) -> String {
    let (a, la, b, lb) = (6, 4.8, 4, 3.2);
    let end = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new(u64::from(days) - 1);
    let (to_b, to_a) = if outlying { ("outlie_to = [\"b\"]", "outlie_to = [\"a\"]") } else { ("", "") };
    format!(
        r#"
[scenario]
name = "pair"
start = "2026-01-01"
end = "{end}"
warmup_days = 50
replications = {reps}
seed = 20261129

[[admissions]]
name = "to a"
source = "direct"
per_day = {la}
pool = "a"
stay_days = {{ dist = "exponential", mean = 1.0 }}

[[admissions]]
name = "to b"
source = "direct"
per_day = {lb}
pool = "b"
stay_days = {{ dist = "exponential", mean = 1.0 }}

[[pool]]
name = "a"
beds = {a}
when_full = "{when_full}"
{to_b}

[[pool]]
name = "b"
beds = {b}
when_full = "{when_full}"
{to_a}
"#
    )
}

/// Full sharing makes two pools one: 6 + 4 beds offered 4.8 + 3.2 bed-days a
/// day, each outlying into the other with no beds kept back, turn patients
/// away exactly when all 10 beds are full, so the trust's diverted share is
/// Erlang B(10, 8) = 0.12166 (not the 0.18 of two separate pools). 200
/// replications of 1000 days: t interval at false-alarm rate 1e-4, under 2.5%
/// of the blocking (see `assert_mean_matches_theory`).
#[test]
fn two_pools_that_outlie_into_each_other_block_like_one_erlang_b() {
    let expected = erlang_b(10, 8.0);
    let m = model(&pair("divert", true, 1000, 200));
    let reps = run(&m);
    let blocked = values(&m, &reps, Metric::DivertedShare, None);
    assert_mean_matches_theory("Erlang B, pooled by outlying", &blocked, expected, 0.025);
    // Both directions are used, and the counts agree trust-wide.
    for r in &reps {
        let out = r.get(&m, Metric::OutliersOut, Some("a")).unwrap();
        let into = r.get(&m, Metric::OutliersIn, Some("b")).unwrap();
        assert!(out > 0.0 && out == into, "a -> b: {out} out, {into} in");
        assert_eq!(r.get(&m, Metric::OutliersIn, None), r.get(&m, Metric::OutliersOut, None));
    }
    // Without outlying the same pools block far more: the test can tell.
    let m = model(&pair("divert", false, 1000, 40));
    let separate = mean(&values(&m, &run(&m), Metric::DivertedShare, None));
    let theory = (4.8 * erlang_b(6, 4.8) + 3.2 * erlang_b(4, 3.2)) / 8.0;
    assert!((separate - theory).abs() < 0.01 && separate > expected + 0.04, "{separate} vs {theory}");
}

/// With queues, full sharing is M/M/10: a bed freed in either pool takes its
/// own queue first, then the longest-waiting patient of the other, so no bed
/// stands empty while anyone waits and the number waiting is M/M/10's. Mean
/// wait = C(10, 8) / (10 - 8) days = 4.910 hours; 1000 replications of 2000
/// days, as `theory::erlang_c_mean_bed_wait` (whose notes give the power).
#[test]
fn two_pools_that_outlie_into_each_other_wait_like_one_erlang_c() {
    let expected = erlang_c(10, 8.0) / 2.0 * 24.0;
    let m = model(&pair("queue", true, 2000, 1000));
    let waits = values(&m, &run(&m), Metric::BedWaitHoursMean, None);
    assert_mean_matches_theory("Erlang C, pooled by outlying", &waits, expected, 0.03);
}

/// Pool `a` (1 bed, an arrival every 8 or 12 hours, fixed stays) outlies
/// into `b` (`b_beds` beds, no patients of its own), both `divert`.
fn host(per_day: f64, stay_hours: f64, b_beds: u32, keep: u32, factor: f64) -> String {
    format!(
        r#"
[scenario]
name = "host"
start = "2026-01-05"
end = "2026-01-14"
warmup_days = 4
replications = 2
seed = 1

[[admissions]]
name = "guest"
source = "direct"
per_day = {per_day}
arrivals = "regular"
pool = "a"
stay_days = {{ dist = "fixed", value = {stay} }}

[[pool]]
name = "a"
beds = 1
when_full = "divert"
outlie_to = ["b"]
outlier_stay_factor = {factor}

[[pool]]
name = "b"
beds = {b_beds}
when_full = "divert"
keep_for_own_patients = {keep}
"#,
        stay = stay_hours / 24.0
    )
}

/// Kept beds, by hand. Arrivals at 00:00, 08:00 and 16:00 stay 20 hours; `a`
/// has 1 bed. 00:00 takes `a`'s bed (free again at 20:00), 08:00 finds it
/// full and outlies into `b` (2 beds, 0 taken). At 16:00 `b` has 1 bed free:
/// with 1 kept for its own patients the patient is turned away; with none
/// kept, outlies. Every day alike: 10 days give 10 own admissions and 10
/// outliers and 10 diverted (keep 1), or 10 and 20 and 0 (keep 0). Outlier
/// bed-days: 20 hours each, the window cutting the first (4 h inside) and
/// the last (16 h): 200 h = 8.333 days (keep 1); twice that (keep 0).
#[test]
fn kept_beds_turn_guests_away_exactly() {
    for (keep, outliers, diverted) in [(1, 10.0, 10.0), (0, 20.0, 0.0)] {
        let m = model(&host(3.0, 20.0, 2, keep, 1.0));
        for r in run(&m) {
            let get = |metric, pool| r.get(&m, metric, pool).unwrap();
            assert_eq!(get(Metric::OutliersOut, Some("a")), outliers, "keep {keep}");
            assert_eq!(get(Metric::OutliersIn, Some("b")), outliers, "keep {keep}");
            assert_eq!(get(Metric::OutliersIn, Some("a")), 0.0);
            assert_eq!(get(Metric::Diverted, Some("a")), diverted, "keep {keep}");
            assert_eq!(get(Metric::Admissions, Some("a")), 10.0, "own beds, keep {keep}");
            // An outlier's admission and discharge count where its bed is.
            assert_eq!(get(Metric::Admissions, Some("b")), outliers, "keep {keep}");
            let bed_days = get(Metric::OutlierBedDays, Some("b"));
            assert!((bed_days - outliers * 20.0 / 24.0).abs() < 1e-9, "keep {keep}: {bed_days}");
            assert_eq!(get(Metric::OutlierBedDays, None), bed_days);
            assert_eq!((get(Metric::OutliersOut, None), get(Metric::OutliersIn, None)), (outliers, outliers));
            assert_eq!(r.daily(&m, Metric::OutliersMidnight, None), r.daily(&m, Metric::OutliersMidnight, Some("b")));
            assert_eq!(
                r.daily(&m, Metric::OutliersMidnight, Some("b")).unwrap(),
                &[if keep == 1 { 1.0 } else { 2.0 }; 10]
            );
        }
    }
}

/// The stay factor, by hand. Arrivals at 00:00 and 12:00 stay 24 hours; `a`
/// has 1 bed, `b` 1. Without a factor, each day's 12:00 patient outlies into
/// `b` and leaves at 12:00 next day, just before the next outlier: nobody is
/// turned away. With factor 1.5 an outlier stays 36 hours, so every other
/// 12:00 patient finds both beds full: over 10 days, 5 outliers (36 h stays)
/// and 5 diverted; own stays stay 1 day.
#[test]
fn outliers_stay_longer_by_the_factor() {
    for (factor, outliers, diverted, host_stay) in [(1.0, 10.0, 0.0, 1.0), (1.5, 5.0, 5.0, 1.5)] {
        let m = model(&host(2.0, 24.0, 1, 0, factor));
        for r in run(&m) {
            let get = |metric, pool| r.get(&m, metric, pool).unwrap();
            assert_eq!(get(Metric::OutliersOut, Some("a")), outliers, "factor {factor}");
            assert_eq!(get(Metric::Diverted, Some("a")), diverted, "factor {factor}");
            assert_eq!(get(Metric::LengthOfStayDaysMean, Some("a")), 1.0, "factor {factor}");
            assert_eq!(get(Metric::LengthOfStayDaysMean, Some("b")), host_stay, "factor {factor}");
        }
    }
}

/// Bad outlying and capacity fields are refused with the file, line and field.
#[test]
fn bad_outlying_and_capacity_fields_are_refused() {
    let base = host(3.0, 20.0, 2, 0, 1.0);
    for (from, to, expected) in [
        ("outlie_to = [\"b\"]", "outlie_to = [\"c\"]", "pool[1].outlie_to[1]: unknown pool \"c\""),
        ("outlie_to = [\"b\"]", "outlie_to = [\"a\"]", "pool[1].outlie_to[1]: a pool cannot outlie into itself"),
        ("outlie_to = [\"b\"]", "outlie_to = [\"b\", \"b\"]", "pool[1].outlie_to[2]: \"b\" is listed twice"),
        ("outlie_to = [\"b\"]", "outlie_to = \"b\"", "pool[1].outlie_to: expected an array"),
        ("outlier_stay_factor = 1", "outlier_stay_factor = 0", "pool[1].outlier_stay_factor:"),
        ("outlier_stay_factor = 1", "outlier_stay_factor = 11", "pool[1].outlier_stay_factor: expected a factor"),
        ("keep_for_own_patients = 0", "keep_for_own_patients = -1", "pool[2].keep_for_own_patients:"),
        (
            "keep_for_own_patients = 0",
            "keep_for_own_patients = 0\n[[pool.capacity]]\nfrom = \"2026-01-10\"\nto = \"2026-01-08\"\nbeds = 1",
            "pool[2].capacity[1].to: `to` (2026-01-08) is before `from` (2026-01-10)",
        ),
        (
            "keep_for_own_patients = 0",
            "keep_for_own_patients = 0\n[[pool.capacity]]\nfrom = \"2026-01-10\"\nbeds = 1\n\
             [[pool.capacity]]\nfrom = \"2026-01-06\"\nto = \"2026-01-10\"\nbeds = 0",
            "pool[2].capacity[1].from: this change from 2026-01-10 overlaps another from 2026-01-06 to 2026-01-10",
        ),
        (
            "keep_for_own_patients = 0",
            "keep_for_own_patients = 0\n[[pool.capacity]]\nfrom = \"2026-01-10\"\nbeds = -2",
            "pool[2].capacity[1].beds:",
        ),
        (
            "keep_for_own_patients = 0",
            "keep_for_own_patients = 0\n[[pool.capacity]]\nfrom = \"2026-01-10\"\nbeds = 1\nward = 12",
            "pool[2].capacity[1].ward:",
        ),
    ] {
        assert!(base.contains(from), "{from}");
        let text = base.replacen(from, to, 1);
        let err = bedflow::scenario::parse_str(&text, "outlie.toml").unwrap_err().to_string();
        // `file:line:col: field: message` on one line.
        let line = err.lines().find(|l| l.contains(expected)).unwrap_or_else(|| panic!("{to}: {err}"));
        assert!(line.starts_with("outlie.toml:"), "{line}");
    }
}

/// Metamorphic, on the shipped winter (which outlies older people into
/// medicine; here with no patient on a discharge pathway and surgical lists
/// checking free beds only, whose queues and promised beds would mix other
/// mechanisms in) under common random numbers: allowing outlying lowers the
/// trust's 12-hour waits from the decision to admit, in total over 16
/// replications and with the paired 95% interval of the difference below
/// zero, with 15 more medicine beds (at the shipped 395, medicine, where
/// older people outlie, is itself so full that the gain is a few per cent,
/// inside the noise of 40 replications). (The shared escalation ward stays in both: only
/// outlying between specialties' pools is taken away.) Not replication by
/// replication: an outlier's longer stay (x 1.15) or a guest in a bed its
/// host's own patient then needs can lengthen a wait, and at the shipped
/// 95% occupancy the medical bed queue is near its tipping point, where that
/// cascades into more waits in some replications (40 more in one of 16).
#[test]
fn outlying_lowers_twelve_hour_waits_on_the_shipped_winter() {
    let text = std::fs::read_to_string("scenarios/winter-2026-27.toml")
        .unwrap()
        .replace("replications = 200", "replications = 16")
        .replace("beds = 395", "beds = 410")
        .lines()
        .filter(|l| !l.starts_with("pathway_shares") && !l.starts_with("bed_check_until_hour"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(text.contains("\noutlie_to = [\"medicine\"]"));
    let with = model(&text);
    let without = model(&text.lines().filter(|l| !l.starts_with("outlie_to")).collect::<Vec<_>>().join("\n"));
    assert!(without.pools.iter().all(|p| p.outlie_to.iter().all(|&h| without.pools[h].is_escalation_ward())));
    let a = values(&with, &run(&with), Metric::WaitsOver12hFromDta, None);
    let b = values(&without, &run(&without), Metric::WaitsOver12hFromDta, None);
    let d: Vec<f64> = a.iter().zip(&b).map(|(w, wo)| w - wo).collect();
    assert!(mean(&d) + t_half_width(&d, 0.05) < 0.0, "outlying vs not: {d:?}");
    assert!(a.iter().sum::<f64>() < b.iter().sum::<f64>(), "{a:?} vs {b:?}");
}

/// Host `h` (1 bed, its own patient every midnight for 23 hours) takes the
/// overflow of `a` and `b` (1 bed each, listed in that order, each filled at
/// midnight by a 100-day stay), which get `a_per_day` and `b_per_day`
/// regular arrivals; an urgent theatre list for `a` at 08:00 if `urgent`.
fn two_guests(a_per_day: f64, b_per_day: f64, urgent: bool) -> String {
    let list = if urgent {
        "[[specialty]]\nname = \"surgery\"\nwaiting_list = 5\nreferrals_per_week = 0.0\nurgent_share = 1.0\n\
         inpatient_share = 1.0\nstay_days = { dist = \"fixed\", value = 100.0 }\n\n\
         [[theatre_list]]\nspecialty = \"surgery\"\npool = \"a\"\nweekdays = [\"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\"]\n\
         lists_per_day = 1\ncases_per_list = 1\nstart_hour = 8\n"
    } else {
        ""
    };
    format!(
        r#"
[scenario]
name = "two-guests"
start = "2026-01-05"
end = "2026-01-07"
warmup_days = 0
replications = 2
seed = 2

[[admissions]]
name = "own"
source = "direct"
per_day = 1.0
arrivals = "regular"
pool = "h"
stay_days = {{ dist = "fixed", value = 0.9583333333333334 }}

[[admissions]]
name = "to a"
source = "direct"
per_day = {a_per_day}
arrivals = "regular"
pool = "a"
stay_days = {{ dist = "fixed", value = 100.0 }}

[[admissions]]
name = "to b"
source = "direct"
per_day = {b_per_day}
arrivals = "regular"
pool = "b"
stay_days = {{ dist = "fixed", value = 100.0 }}

[[pool]]
name = "h"
beds = 1

[[pool]]
name = "a"
beds = 1
outlie_to = ["h"]

[[pool]]
name = "b"
beds = 1
outlie_to = ["h"]

{list}
"#
    )
}

/// A freed host bed goes to the longest-waiting guest, by hand. At 23:00 on
/// the first day `h`'s own patient leaves and nobody of its own waits; the
/// heads of the guests' queues decided at 06:00 (b, 4 a day) and 12:00 (a,
/// 2 a day): b's patient takes the bed. With 4 a day each, both heads
/// decided at 06:00: the tie goes to the pool listed first, a. The bed is
/// then held for 100 days: one outlier in the window.
#[test]
fn a_freed_host_bed_goes_to_the_longest_waiting_guest() {
    for (a, b, into_a, into_b) in [(2.0, 4.0, 0.0, 1.0), (4.0, 4.0, 1.0, 0.0)] {
        let m = model(&two_guests(a, b, false));
        for r in run(&m) {
            assert_eq!(r.get(&m, Metric::OutliersOut, Some("a")), Some(into_a), "{a}/{b} a day");
            assert_eq!(r.get(&m, Metric::OutliersOut, Some("b")), Some(into_b), "{a}/{b} a day");
            assert_eq!(r.get(&m, Metric::OutliersIn, Some("h")), Some(1.0));
        }
    }
}

/// An urgent elective waiting at the head of a guest's queue can take a
/// host's freed bed, and the guest's count of urgent patients at its queue's
/// front follows (a wrong count stops the run at the next census reading).
/// At 08:00 the urgent list patient finds `a` full and waits at the front
/// of its queue; `h` frees at 23:00 and takes the longest waiting, who is
/// the urgent patient (a's emergency patients came at 00:00 and 12:00, but
/// the urgent patient was put in front of them).
#[test]
fn an_urgent_elective_waiting_in_a_guest_queue_takes_a_host_bed() {
    let m = model(&two_guests(2.0, 1.0, true));
    for r in run(&m) {
        assert_eq!(r.get(&m, Metric::OutliersOut, Some("a")), Some(1.0));
        assert_eq!(r.get_specialty(&m, Metric::ElectiveTreated, "surgery"), Some(3.0), "one a weekday, none cancelled");
    }
}
