//! Elective booking by clinical priority (P1-P4), patients not ready for a
//! date, the steady-state initial list and the 65-week count.

mod common;
use bedflow::stats::Metric;
use common::*;

/// One day-case specialty (no beds involved) with a daily list of `cases`.
fn scenario(list: u32, wait: &str, referrals: f64, cases: u32, priority: &str, warmup: u32, reps: u32) -> String {
    format!(
        r#"
[scenario]
name = "priority"
start = "2026-11-02"
end = "2027-03-28"
warmup_days = {warmup}
replications = {reps}
seed = 20261129

[[admissions]]
name = "emergency"
source = "direct"
per_day = 1
pool = "beds"
stay_days = {{ dist = "exponential", mean = 1 }}

[[pool]]
name = "beds"
beds = 50

[[specialty]]
name = "general surgery"
waiting_list = {list}
initial_wait_weeks = {wait}
referrals_per_week = {referrals}
inpatient_share = 0
stay_days = {{ dist = "fixed", value = 1 }}
{priority}

[[theatre_list]]
specialty = "general surgery"
pool = "beds"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
lists_per_day = 1
cases_per_list = {cases}
start_hour = 8
open_on_bank_holidays = true
"#
    )
}

/// Hand-worked: a list of 300 long waiters and 3 cases a day for 20
/// referrals a week, 20% of them P1 (target 3 days) and the rest P4 with a
/// ten-year target. P1s (0.6 a day) go first, so every one is treated by
/// the next day's list: none late in the window (the initial list's P1s,
/// already late, are treated during the 28-day warm-up). Booked by referral
/// date alone, a new P1 would wait behind the 300 for about 100 days: every
/// one late.
#[test]
fn priority_booking_treats_every_p1_within_its_target() {
    let priority = "priority_shares = [0.2, 0, 0, 0.8]\npriority_target_days = [3, 28, 91, 3650]";
    let m = model(&scenario(300, r#"{ dist = "uniform", min = 0, max = 20 }"#, 20.0, 3, priority, 28, 6));
    let reps = run(&m);
    let late = values(&m, &reps, Metric::ElectiveTreatedAfterTarget, None);
    let treated = values(&m, &reps, Metric::ElectiveTreated, None);
    assert!(treated.iter().all(|&t| t > 400.0), "{treated:?}");
    assert_eq!(late, vec![0.0; 6], "P1s treated late");
    assert!(values(&m, &reps, Metric::WaitingOver65Weeks, None).iter().all(|&x| x == 0.0));
}

/// 2,000 patients referred 66 to 70 weeks ago, all P4 with a target of
/// `p4_target_days`, one case a day, a referral a week, 28 days' warm-up.
fn long_waiters(p4_target_days: u32) -> String {
    let priority = format!("priority_shares = [0, 0, 0, 1]\npriority_target_days = [3, 28, 91, {p4_target_days}]");
    scenario(2000, r#"{ dist = "uniform", min = 66, max = 70 }"#, 1.0, 1, &priority, 28, 2)
}

/// Hand-worked: a list of 2,000 patients all referred 66 to 70 weeks ago,
/// one case a day and a referral a week. At the end every patient still on
/// the initial list has waited over 65 weeks and every new referral under
/// 52, so the 65-week count equals the 52-week count: 2,000 less the 175
/// days' cases (28 of warm-up and 147 in the window; the oldest go first).
#[test]
fn the_65_week_count_is_every_long_waiter_left() {
    let m = model(&long_waiters(3650));
    let reps = run(&m);
    let over_65 = values(&m, &reps, Metric::WaitingOver65Weeks, None);
    assert_eq!(over_65, values(&m, &reps, Metric::WaitingOver52Weeks, None));
    assert_eq!(over_65, vec![2000.0 - 175.0; 2]);
    // Every one of them is past a one-year target: all 147 treated in the
    // window are late; with the ten-year target none is.
    assert_eq!(values(&m, &reps, Metric::ElectiveTreatedAfterTarget, None), vec![0.0; 2]);
    let m = model(&long_waiters(364));
    let reps = run(&m);
    assert_eq!(values(&m, &reps, Metric::ElectiveTreated, None), vec![147.0; 2]);
    assert_eq!(values(&m, &reps, Metric::ElectiveTreatedAfterTarget, None), vec![147.0; 2]);
}

/// An elective cut by hand: ten cases a list, every day, halved for routine
/// patients all winter: with only routine patients on a long list, 5 are
/// treated a day, 735 over the 147 days; without the cut, 1,470.
#[test]
fn an_elective_cut_treats_only_its_routine_slots() {
    let text = scenario(3000, r#"{ dist = "uniform", min = 0, max = 20 }"#, 1.0, 10, "urgent_share = 0.0", 0, 2);
    let cut = text.clone() + "\n[[elective_cut]]\nfrom = \"2026-11-02\"\nto = \"2027-03-28\"\nfactor = 0.5\n";
    for (text, treated) in [(cut, 735.0), (text, 1470.0)] {
        let m = model(&text);
        let reps = run(&m);
        assert_eq!(values(&m, &reps, Metric::ElectiveTreated, None), vec![treated; 2]);
    }
}

/// Inpatient electives ask for beds like everyone else: with beds to
/// spare (50 for about 4 patients a day staying a day) every request in the
/// window is admitted at once, so bed requests equal admissions, electives
/// included (3 a day).
#[test]
fn elective_inpatients_count_as_bed_requests() {
    let text = scenario(300, r#"{ dist = "uniform", min = 0, max = 20 }"#, 20.0, 3, "urgent_share = 0.2", 0, 2)
        .replace("inpatient_share = 0", "inpatient_share = 1");
    let m = model(&text);
    let reps = run(&m);
    let treated = values(&m, &reps, Metric::ElectiveTreated, None);
    assert!(treated.iter().all(|&t| t == 3.0 * 147.0), "{treated:?}");
    assert_eq!(values(&m, &reps, Metric::BedRequests, None), values(&m, &reps, Metric::Admissions, None));
    // Cancelling routine inpatients while anyone waits for a bed cancels
    // nobody when nobody waits.
    let m = model(&text.replace("beds = 50", "beds = 50\ncancel_electives_when_boarding = true"));
    let reps = run(&m);
    assert_eq!(values(&m, &reps, Metric::ElectiveCancelledNoBed, None), vec![0.0; 2]);
    assert_eq!(values(&m, &reps, Metric::ElectiveTreated, None), treated);
}

/// A patient cancelled for want of a bed is not counted as treated late:
/// everyone on the list is past a one-year target and inpatients compete
/// for one bed, so some are cancelled, and every one treated is late.
#[test]
fn a_cancelled_patient_is_not_counted_late() {
    let text = long_waiters(364).replace("inpatient_share = 0", "inpatient_share = 1").replace("beds = 50", "beds = 1");
    let m = model(&text);
    let reps = run(&m);
    let cancelled = values(&m, &reps, Metric::ElectiveCancelledNoBed, None);
    assert!(cancelled.iter().all(|&c| c > 0.0), "{cancelled:?}");
    let treated = values(&m, &reps, Metric::ElectiveTreated, None);
    assert!(treated.iter().all(|&t| t > 0.0), "{treated:?}");
    assert_eq!(values(&m, &reps, Metric::ElectiveTreatedAfterTarget, None), treated);
}

/// Patients not ready when offered a date come back after `deferral_weeks`
/// keeping their referral date: with offers declined, some wait over 52
/// weeks; with none declined (same draws otherwise), nobody does, and the
/// list is the same size at the end (the slot goes to the next patient).
#[test]
fn patients_not_ready_become_the_long_waiters() {
    let run_with = |not_ready: f64| {
        let priority =
            format!("priority_shares = [0.05, 0.15, 0.4, 0.4]\nnot_ready_share = {not_ready}\ndeferral_weeks = 20");
        let m = model(&scenario(1500, "\"steady-state\"", 100.0, 15, &priority, 300, 8));
        let reps = run(&m);
        (
            values(&m, &reps, Metric::WaitingOver52Weeks, None),
            values(&m, &reps, Metric::WaitingListSize, None),
            values(&m, &reps, Metric::WaitingOver65Weeks, None),
        )
    };
    let (long, size, over_65) = run_with(0.3);
    let (none, size_none, _) = run_with(0.0);
    assert!(none.iter().all(|&x| x == 0.0), "{none:?}");
    assert!(long.iter().all(|&x| x > 5.0), "{long:?}");
    assert!(over_65.iter().zip(&long).all(|(a, b)| a <= b));
    for (a, b) in size.iter().zip(&size_none) {
        assert!((a - b).abs() <= 0.05 * b, "{a} vs {b}");
    }
}

/// "steady-state" starts the list as a list treated as fast as referred,
/// urgent first, stays: no urgent patient waiting, routine ones with ages
/// uniform from 0 to L / r_routine weeks, so the share under 18 weeks is
/// 18 x 90 / 3000 = 0.54 at the start and stays there (within 3 points over
/// the winter; treating 105 a week for 100 referred, it creeps up), where a
/// younger start drifts down.
#[test]
fn a_steady_state_list_does_not_drift() {
    let share = |wait: &str| {
        let m = model(&scenario(3000, wait, 100.0, 100 / 7 + 1, "urgent_share = 0.1", 0, 8));
        let reps = run(&m);
        let series: Vec<Vec<f64>> = reps
            .iter()
            .map(|r| {
                r.daily
                    .iter()
                    .find(|(k, _)| k.metric == Metric::WaitingUnder18WeeksShare && k.specialty().is_none())
                    .unwrap()
                    .1
                    .clone()
            })
            .collect();
        let first = mean(&series.iter().map(|s| s[0]).collect::<Vec<_>>());
        let last = mean(&series.iter().map(|s| s[s.len() - 1]).collect::<Vec<_>>());
        (first, last)
    };
    // No urgent patient waiting at the start: the first midnight holds at
    // most that day's urgent referrals (10 a day in all, 1 urgent).
    let m = model(&scenario(3000, "\"steady-state\"", 100.0, 100 / 7 + 1, "urgent_share = 0.1", 0, 8));
    for r in run(&m) {
        let urgent = r.daily(&m, Metric::WaitingUrgent, None).unwrap()[0];
        assert!(urgent <= 10.0, "{urgent} urgent on the first day");
    }
    let (first, last) = share("\"steady-state\"");
    assert!((first - 0.54).abs() < 0.02, "{first}");
    assert!((last - first).abs() < 0.03, "{first} -> {last}");
    let (young_first, young_last) = share(r#"{ dist = "uniform", min = 0, max = 10 }"#);
    assert!(young_first > 0.99 && young_last < 0.8, "{young_first} -> {young_last}");
}

/// A steady-state list fills the last class with referrals (P3 when P4 has
/// no share), its ages uniform over list / rate: 3,000 waiters at 70 P3
/// referrals a week span 42.9 weeks, so 18 / 42.9 = 0.42 of them are under
/// 18 weeks. The first midnight adds about 14 referrals (under 18 weeks)
/// and treats 15 of the oldest: (1,260 + 14) / 2,999 = 0.425. Standard
/// error: sqrt(0.42 x 0.58 / 3,000) = 0.009 a replication, 0.003 over 8;
/// the tolerance 0.02 is 6 of them (a list put in P4 with no age would
/// read 1.0).
#[test]
fn a_steady_state_list_fills_the_last_class_with_referrals() {
    let m = model(&scenario(3000, "\"steady-state\"", 100.0, 15, "priority_shares = [0.1, 0.2, 0.7, 0.0]", 0, 8));
    let first: Vec<f64> =
        run(&m).iter().map(|r| r.daily(&m, Metric::WaitingUnder18WeeksShare, None).unwrap()[0]).collect();
    let first = mean(&first);
    assert!((first - 0.425).abs() < 0.02, "{first}");
}

/// Bad priority fields exit with their location.
#[test]
fn bad_priority_fields_are_refused() {
    for (priority, field) in [
        ("priority_shares = [0.5, 0.5, 0.5, 0.5]", "priority_shares"),
        ("priority_shares = [1, 0, 0]", "priority_shares"),
        ("priority_shares = [1, 0, 0, 0]\nurgent_share = 0.1", "urgent_share"),
        ("priority_shares = [0.5, 0.5, 0.5]\nurgent_share = 0.1", "priority_shares"),
        ("urgent_share = 0.1\nnot_ready_share = 0.1", "not_ready_share"),
        ("priority_shares = [1, 0, 0, 0]\npriority_target_days = [0, 1, 2, 3]", "priority_target_days[1]"),
        ("priority_shares = [1, 0, 0, 0]\ndeferral_weeks = 1000", "deferral_weeks"),
    ] {
        let text = scenario(10, "\"steady-state\"", 1.0, 1, priority, 0, 1);
        let err = bedflow::scenario::parse_str(&text, "test.toml").map(|_| ()).unwrap_err().to_string();
        assert!(err.contains(&format!("specialty[1].{field}")), "{priority}: {err}");
        assert!(err.contains("has 1 problem"), "one problem each: {err}");
    }
    // An urgent_share equal to P1 + P2 (a plan variant switching to priorities) is accepted.
    let text =
        scenario(10, "\"steady-state\"", 1.0, 1, "urgent_share = 0.3\npriority_shares = [0.1, 0.2, 0.3, 0.4]", 0, 1);
    assert!(bedflow::scenario::parse_str(&text, "test.toml").is_ok());
    let text = scenario(10, "\"steady\"", 1.0, 1, "urgent_share = 0.1", 0, 1);
    let err = bedflow::scenario::parse_str(&text, "test.toml").map(|_| ()).unwrap_err().to_string();
    assert!(err.contains("specialty[1].initial_wait_weeks") && err.contains("steady-state"), "{err}");
}

/// The bed check counting the day's discharges already due before 14:00
/// (on the shipped winter's general-surgery lists, common random numbers):
/// fewer routine inpatients cancelled on the day in every replication, and
/// more treated. (A booked patient without a free bed waits at the front of
/// the bed queue, so emergency waits may lengthen; not a law for every
/// sample path, it holds on this trust.)
#[test]
fn counting_expected_discharges_cancels_fewer_electives() {
    let with = std::fs::read_to_string("scenarios/winter-2026-27.toml")
        .unwrap()
        .replace("replications = 200", "replications = 12");
    assert!(with.contains("\nbed_check_until_hour = 14\n"), "the shipped lists count due discharges");
    let text = with.replace("\nbed_check_until_hour = 14\n", "\n");
    let (base, counted) = (model(&text), model(&with));
    let (a, b) = (run(&base), run(&counted));
    let spec = |m: &bedflow::model::Model, r: &[bedflow::stats::Kpis], metric| -> Vec<f64> {
        r.iter().map(|k| k.get_specialty(m, metric, "general surgery").unwrap()).collect()
    };
    let (c0, c1) =
        (spec(&base, &a, Metric::ElectiveCancelledNoBed), spec(&counted, &b, Metric::ElectiveCancelledNoBed));
    let (t0, t1) = (spec(&base, &a, Metric::ElectiveTreated), spec(&counted, &b, Metric::ElectiveTreated));
    assert!(mean(&c0) > 20.0, "the base must cancel: {c0:?}");
    for i in 0..c0.len() {
        assert!(c1[i] <= c0[i], "replication {i}: {} cancelled counting due discharges, {} without", c1[i], c0[i]);
        assert!(t1[i] >= t0[i], "replication {i}: {} treated, {} without", t1[i], t0[i]);
    }
    assert!(mean(&c1) < 0.7 * mean(&c0), "{c1:?} vs {c0:?}");
}

/// The recovery-wait hand cases: one bed, an emergency admission every
/// midnight staying 10 hours, and a daily 08:00 list of `cases` inpatients
/// of the specialty described by `specialty` (a waiting list of 1,000, no
/// referrals), staying `stay_days`; `recovery` is the list's
/// `recovery_wait_hours` line (or nothing).
fn recovery_scenario(specialty: &str, cases: u32, stay_days: f64, recovery: &str) -> String {
    format!(
        r#"
[scenario]
name = "recovery"
start = "2026-11-02"
end = "2026-11-29"
warmup_days = 0
replications = 2
seed = 1

[[admissions]]
name = "emergency"
source = "direct"
per_day = 1
arrivals = "regular"
pool = "ward"
stay_days = {{ dist = "fixed", value = 0.4166666666666667 }}

[[pool]]
name = "ward"
beds = 1

[[specialty]]
name = "surgery"
waiting_list = 1000
referrals_per_week = 0
inpatient_share = 1
stay_days = {{ dist = "fixed", value = {stay_days} }}
{specialty}

[[theatre_list]]
specialty = "surgery"
pool = "ward"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
lists_per_day = 1
cases_per_list = {cases}
start_hour = 8
open_on_bank_holidays = true
{recovery}
"#
    )
}

/// Hand-worked recovery wait: at 08:00 the bed is always taken and frees
/// at 10:00, and the day's one routine inpatient stays about an hour. With
/// no recovery wait every case is cancelled; with a 1-hour wait every case
/// waits and is cancelled at 09:00 (and goes back on the list); with a
/// 3-hour wait every case gets the bed at 10:00: treated, after a 2-hour
/// wait. An urgent case is never given the recovery wait (nor cancelled):
/// with a 1-hour wait it still gets the bed at 10:00. (Also two cases a day,
/// and the bed check that counts discharges due: below.)
#[test]
fn a_recovery_wait_hand_worked() {
    let run_with = |specialty: &str, recovery: &str| {
        let m = model(&recovery_scenario(specialty, 1, 0.04, recovery));
        let r = run(&m);
        (
            values(&m, &r, Metric::ElectiveScheduled, None)[0],
            values(&m, &r, Metric::ElectiveTreated, None)[0],
            values(&m, &r, Metric::ElectiveCancelledNoBed, None)[0],
            values(&m, &r, Metric::WaitingListSize, None)[0],
            values(&m, &r, Metric::BedWaitHoursMean, Some("ward"))[0],
        )
    };
    let routine = "urgent_share = 0";
    let days = 28.0;
    assert_eq!(run_with(routine, ""), (days, 0.0, days, 1000.0, 0.0));
    let (s, t, c, list, _) = run_with(routine, "recovery_wait_hours = 1");
    assert_eq!((s, t, c, list), (days, 0.0, days, 1000.0), "cancelled at 09:00, back on the list");
    let (s, t, c, list, wait) = run_with(routine, "recovery_wait_hours = 3");
    assert_eq!((s, t, c, list), (days, days, 0.0, 1000.0 - days), "treated at 10:00");
    // The emergency patients never wait; the electives wait 2 hours each.
    assert!((wait - 2.0 * days / (2.0 * days)).abs() < 0.02, "mean bed wait {wait} hours");
    let (s, t, c, list, _) = run_with("urgent_share = 1", "recovery_wait_hours = 1");
    assert_eq!((s, t, c, list), (days, days, 0.0, 1000.0 - days), "urgent: treated at 10:00");
    // Two cases a day staying 2.4 hours, with a 3-hour wait: both wait; the
    // first gets the bed at 10:00 (treated, in the bed until 12:24), the
    // second is cancelled at 11:00, when the first one's own deadline
    // passes too. The bed is taken 12.4 hours a day.
    let m = model(&recovery_scenario(routine, 2, 0.1, "recovery_wait_hours = 3"));
    let r = run(&m);
    let got =
        [Metric::ElectiveScheduled, Metric::ElectiveTreated, Metric::ElectiveCancelledNoBed, Metric::WaitingListSize]
            .map(|k| values(&m, &r, k, None)[0]);
    assert_eq!(got, [2.0 * days, days, days, 1000.0 - days]);
    let occupancy = values(&m, &r, Metric::TimeAverageOccupancy, Some("ward"))[0];
    assert!((occupancy - 12.4 / 24.0).abs() < 1e-6, "time-average occupancy {occupancy}");
    // Counting discharges due by 14:00 instead: the 10:00 discharge is
    // promised to the first case, so the second is cancelled at 08:00.
    let m = model(&recovery_scenario(routine, 2, 0.04, "bed_check_until_hour = 14"));
    let r = run(&m);
    let got = [Metric::ElectiveScheduled, Metric::ElectiveTreated, Metric::ElectiveCancelledNoBed]
        .map(|k| values(&m, &r, k, None)[0]);
    assert_eq!(got, [2.0 * days, days, days], "one discharge due, one case promised");
}

/// A case cancelled at the end of its recovery wait goes back exactly as a
/// case cancelled at booking does. Every patient is P4 and late (waits of
/// 51 to 53 weeks against 26): with a 1-hour wait every case is cancelled
/// at 09:00, so each day's list, its 18-, 52- and 65-week counts, the
/// daily cancellations and the treated-after-target count (0) equal those
/// of the run without a recovery wait, in every replication; and the list
/// is conserved (initial = treated + still waiting).
#[test]
fn a_recovery_timeout_puts_the_case_back_as_a_cancellation_would() {
    let specialty =
        "initial_wait_weeks = { dist = \"uniform\", min = 51, max = 53 }\npriority_shares = [0.0, 0.0, 0.0, 1.0]";
    let daily = |recovery: &str| {
        let m = model(&recovery_scenario(specialty, 2, 0.04, recovery));
        let reps = run(&m);
        let metrics = [
            Metric::WaitingListSize,
            Metric::WaitingUnder18WeeksShare,
            Metric::WaitingOver52Weeks,
            Metric::WaitingOver65Weeks,
            Metric::ElectiveCancelledNoBed,
        ];
        let series: Vec<Vec<f64>> =
            reps.iter().flat_map(|r| metrics.map(|k| r.daily(&m, k, None).unwrap().to_vec())).collect();
        let late = values(&m, &reps, Metric::ElectiveTreatedAfterTarget, None);
        assert_waiting_lists_conserved(&m);
        (series, late)
    };
    let (base, base_late) = daily("");
    assert!(base.iter().all(|s| s.len() == 28) && base[2][0] > 0.0, "52-week waiters in the list");
    assert_eq!(base_late, [0.0, 0.0]);
    assert_eq!(daily("recovery_wait_hours = 1"), (base, base_late));
}

/// A specialty with a waiting list and no theatre list (say, a plan
/// variant's `[[theatre_list]]` replaced its parent's) is warned about.
#[test]
fn a_specialty_without_lists_is_warned_about() {
    let text = scenario(100, "\"steady-state\"", 10.0, 1, "urgent_share = 0.1", 0, 1);
    assert!(model(&text).start_and_capacity_warnings().iter().all(|w| !w.contains("no [[theatre_list]]")));
    let cut = &text[..text.find("[[theatre_list]]").unwrap()];
    let warnings = model(cut).start_and_capacity_warnings();
    assert!(
        warnings.iter().any(|w| w.contains("specialty \"general surgery\" has a waiting list but no [[theatre_list]]")),
        "{warnings:?}"
    );
}
