//! Elective theatre lists, bed-driven cancellations and waiting lists.

mod common;
use bedflow::stats::Metric;
use common::*;

/// A pool fed only by one theatre list (a direct route with no arrivals keeps
/// the scenario valid). Lists run Monday to Friday at 08:00.
#[allow(clippy::too_many_arguments)]
fn electives(
    beds: u32,
    inpatient: f64,
    urgent: f64,
    stay: &str,
    waiting: u32,
    referrals: f64,
    cases: u32,
    extra: &str,
) -> String {
    format!(
        r#"
[scenario]
name = "electives"
start = "2026-03-02"
end = "2026-03-29"
warmup_days = 7
replications = 4
seed = 11

[[admissions]]
name = "none"
source = "direct"
per_day = 0.0
pool = "ward"
stay_days = {{ dist = "fixed", value = 1.0 }}

[[pool]]
name = "ward"
beds = {beds}

[[specialty]]
name = "orthopaedics"
waiting_list = {waiting}
initial_wait_weeks = {{ dist = "fixed", value = 10.0 }}
referrals_per_week = {referrals}
urgent_share = {urgent}
inpatient_share = {inpatient}
stay_days = {stay}

[[theatre_list]]
specialty = "orthopaedics"
pool = "ward"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
lists_per_day = 1
cases_per_list = {cases}
start_hour = 8
{extra}
"#
    )
}

/// Two inpatients a weekday, each staying exactly 60 hours, into 4 beds, from
/// an empty ward on a Monday. Monday's pair leaves Wednesday 20:00 and
/// Tuesday's Thursday 20:00, so Wednesday 08:00 finds all 4 beds taken and
/// both cases are cancelled; Thursday and Friday go ahead; the weekend empties
/// the ward. Each week: 10 scheduled, 8 treated, 2 cancelled (Wednesday), so
/// over the 4 reported weeks: 40, 32 and 8; the list of 100 loses 8 in the
/// warm-up week and 32 more by the end: 60 left.
#[test]
fn fixed_schedule_gives_exact_cancellations() {
    let m = model(&electives(4, 1.0, 0.0, "{ dist = \"fixed\", value = 2.5 }", 100, 0.0, 2, ""));
    for k in run(&m) {
        let get = |metric| k.get_specialty(&m, metric, "orthopaedics").unwrap();
        assert_eq!(get(Metric::ElectiveScheduled), 40.0);
        assert_eq!(get(Metric::ElectiveTreated), 32.0);
        assert_eq!(get(Metric::ElectiveCancelledNoBed), 8.0);
        assert_eq!(get(Metric::ElectiveCancelledShare), 0.2);
        assert_eq!(get(Metric::TheatreUtilisation), 0.8);
        assert_eq!(get(Metric::WaitingListSize), 60.0);
        assert_eq!(get(Metric::WaitingUnder18WeeksShare), 1.0);
        assert_eq!(k.get(&m, Metric::PeakOccupancy, Some("ward")), Some(4.0));
        assert_eq!(k.get(&m, Metric::Admissions, Some("ward")), Some(32.0));
        let daily = k.daily.iter().find(|(key, _)| key.metric == Metric::ElectiveCancelledNoBed).unwrap();
        for (d, &c) in daily.1.iter().enumerate() {
            let wednesday = d % 7 == 2;
            assert_eq!(c, if wednesday { 2.0 } else { 0.0 }, "day {d}");
        }
    }
}

/// Day cases never take a bed: a one-bed ward stays empty.
#[test]
fn day_cases_never_take_a_bed() {
    let m = model(&electives(1, 0.0, 0.0, "{ dist = \"fixed\", value = 2.5 }", 100, 0.0, 3, ""));
    for k in run(&m) {
        assert_eq!(k.get_specialty(&m, Metric::ElectiveTreated, "orthopaedics"), Some(60.0));
        assert_eq!(k.get(&m, Metric::PeakOccupancy, Some("ward")), Some(0.0));
        assert_eq!(k.get(&m, Metric::Admissions, Some("ward")), Some(0.0));
        assert_eq!(k.get_specialty(&m, Metric::ElectiveCancelledNoBed, "orthopaedics"), Some(0.0));
    }
}

/// With the England & Wales calendar no list runs on Christmas Day, the
/// Boxing Day substitute (Monday 28 December 2026) or New Year's Day, unless
/// the list opens on bank holidays.
#[test]
fn lists_close_on_bank_holidays() {
    let text = electives(10, 1.0, 0.0, "{ dist = \"fixed\", value = 1.0 }", 10, 0.0, 2, "")
        .replace("start = \"2026-03-02\"", "start = \"2026-12-01\"")
        .replace("end = \"2026-03-29\"", "end = \"2027-01-31\"")
        .replace("[[pool]]", "[calendar]\nbank_holidays = \"england-and-wales\"\n\n[[pool]]");
    let m = model(&text);
    let days = m.warmup_days + m.reported_days();
    let dates = |m: &bedflow::model::Model| -> Vec<chrono::NaiveDate> {
        bedflow::engine::electives::sessions(m, days)
            .iter()
            .map(|s| m.date_of_day(s.time / bedflow::model::DAY))
            .collect()
    };
    let d = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
    let closed = dates(&m);
    for day in ["2026-12-25", "2026-12-28", "2027-01-01"] {
        assert!(!closed.contains(&d(day)), "a list ran on {day}");
    }
    for day in ["2026-12-24", "2026-12-29", "2026-12-30", "2026-12-31", "2027-01-04"] {
        assert!(closed.contains(&d(day)), "no list on {day}");
    }
    let open = dates(&model(&text.replace("start_hour = 8", "start_hour = 8\nopen_on_bank_holidays = true")));
    assert!(open.contains(&d("2026-12-28")) && open.contains(&d("2026-12-25")));
}

/// Urgent patients are never cancelled for beds: with everyone urgent, the
/// same overloaded ward that cancels routine patients cancels nobody (the
/// urgent patients wait for a bed instead).
#[test]
fn urgent_patients_are_never_cancelled() {
    let stay = "{ dist = \"fixed\", value = 2.5 }";
    let routine = model(&electives(4, 1.0, 0.0, stay, 100, 0.0, 2, ""));
    let urgent = model(&electives(4, 1.0, 1.0, stay, 100, 0.0, 2, ""));
    for (r, u) in run(&routine).iter().zip(run(&urgent)) {
        assert!(r.get_specialty(&routine, Metric::ElectiveCancelledNoBed, "orthopaedics").unwrap() > 0.0);
        assert_eq!(u.get_specialty(&urgent, Metric::ElectiveCancelledNoBed, "orthopaedics"), Some(0.0));
        assert_eq!(u.get_specialty(&urgent, Metric::ElectiveTreated, "orthopaedics"), Some(40.0));
        assert!(u.get(&urgent, Metric::BoardersTimeAverage, Some("ward")).unwrap() > 0.0);
    }
}

/// Urgent patients are treated first: while any urgent patient waits at a
/// midnight, no routine patient left the list that day, although routine
/// patients have waited longer.
#[test]
fn urgent_patients_are_treated_first() {
    // No referrals: an urgent referral later in a day would legitimately follow
    // routine work done that morning.
    let m = model(&electives(200, 0.5, 0.3, "{ dist = \"fixed\", value = 1.0 }", 150, 0.0, 3, ""));
    for k in run(&m) {
        let series = |metric| {
            k.daily.iter().find(|(key, _)| key.metric == metric && key.specialty() == Some(0)).unwrap().1.clone()
        };
        let (size, urgent) = (series(Metric::WaitingListSize), series(Metric::WaitingUrgent));
        let routine: Vec<f64> = size.iter().zip(&urgent).map(|(s, u)| s - u).collect();
        assert!(urgent[0] > 0.0, "the test needs urgent patients waiting");
        for d in 1..size.len() {
            if urgent[d] > 0.0 {
                assert!(routine[d] >= routine[d - 1], "day {d}: a routine patient went while urgent ones waited");
            }
        }
        assert!(routine.last() < routine.first(), "routine patients are treated once urgent ones are done");
    }
}

/// Waiting-list conservation in every replication: initial + referrals =
/// treated + still waiting.
#[test]
fn waiting_list_is_conserved() {
    let mut text = std::fs::read_to_string("scenarios/winter-2026-27.toml").unwrap();
    text = text.replace("replications = 200", "replications = 6");
    let m = model(&text);
    assert!(!m.specialties.is_empty(), "the shipped scenario has electives");
    for out in assert_waiting_lists_conserved(&m) {
        for e in &out.electives {
            assert!(e.referred_total > 0 && e.treated_total > 0);
        }
    }
}

/// Common random numbers: with the same seed, more surgical beds never
/// increase cancellations in any replication of the shipped winter, and
/// every referral is the same patient in both runs.
#[test]
fn more_beds_never_increase_cancellations() {
    let text = std::fs::read_to_string("scenarios/winter-2026-27.toml")
        .unwrap()
        .replace("replications = 200", "replications = 16");
    let base = model(&text);
    let surgery = base.pools.iter().position(|p| p.name == "surgery").unwrap();
    let beds = base.pools[surgery].beds;
    let more = model(&text.replacen(&format!("beds = {beds}"), &format!("beds = {}", beds + 10), 1));
    assert_eq!(more.pools[surgery].beds, beds + 10);
    let (a, b) = (run(&base), run(&more));
    let mut fewer = 0;
    for (r, (x, y)) in a.iter().zip(&b).enumerate() {
        let c = |k: &bedflow::stats::Kpis, m| {
            k.get_specialty(m, Metric::ElectiveCancelledNoBed, "general surgery").unwrap()
        };
        let (before, after) = (c(x, &base), c(y, &more));
        assert!(after <= before, "replication {r}: {before} cancellations with {beds} beds, {after} with 10 more");
        fewer += u32::from(after < before);
        assert_eq!(
            values(&base, &a, Metric::EdAttendances, None)[r],
            values(&more, &b, Metric::EdAttendances, None)[r]
        );
    }
    assert!(fewer > 0, "10 more beds should save some cancellations");
}

/// The initial waiting list's waits run back from the start: with every
/// initial patient having waited 50 weeks when the simulation starts (7
/// warm-up days before 2 March), all of the untreated are over 52 weeks by
/// the last reported midnight (29 March: 50 weeks + 35 days), none is under
/// 18 weeks, and no referrals arrive to change that. (A list whose waits ran
/// forward, referred in the future, would show none over 52 weeks.)
#[test]
fn initial_waits_count_back_from_the_start() {
    let text = electives(50, 1.0, 0.0, "{ dist = \"fixed\", value = 1.0 }", 300, 0.0, 2, "").replace(
        "initial_wait_weeks = { dist = \"fixed\", value = 10.0 }",
        "initial_wait_weeks = { dist = \"fixed\", value = 50.0 }",
    );
    let m = model(&text);
    for r in run(&m) {
        let get = |metric| r.get_specialty(&m, metric, "orthopaedics").unwrap();
        let size = get(Metric::WaitingListSize);
        assert!(size > 200.0 && size < 300.0, "{size}");
        assert_eq!(get(Metric::WaitingOver52Weeks), size);
        assert_eq!(get(Metric::WaitingUnder18WeeksShare), 0.0);
    }
}
