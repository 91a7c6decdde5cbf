//! The ED capacity model (`[ed] spaces`, `corridor_spaces`, `ambulance_share`):
//! queueing theory, a case worked by hand, and the ED without spaces.

mod common;
use bedflow::stats::Metric;
use common::*;

/// A one-pool trust with an ED; `ed` is the rest of the `[ed]` table.
fn trust(ed: &str, beds: u32, stay: &str, days: u32, warmup: u32, reps: u32) -> String {
    let end = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap() + chrono::Days::new(u64::from(days) - 1);
    format!(
        r#"
[scenario]
name = "ed"
start = "2026-01-05"
end = "{end}"
warmup_days = {warmup}
replications = {reps}
seed = 20261129

[ed]
{ed}

[[admissions]]
name = "medical"
source = "ed"
share = 1.0
pool = "ward"
stay_days = {stay}

[[pool]]
name = "ward"
beds = {beds}
"#
    )
}

/// With ample spaces and beds, every patient sent home leaves after exactly
/// 1 hour (within 4) and every admitted one after the decision (5 hours:
/// none within 4; 2 hours: all): the non-admitted 4-hour performance is
/// exactly 1 (overall and every day), the admitted 0 or 1, and the overall
/// share follows.
#[test]
fn four_hour_shares_split_by_admission_by_hand() {
    for decision in [5.0, 2.0] {
        let ed = format!(
            "attendances_per_day = 48.0\nadmission_probability = 0.3\n\
             hours_to_decision = {{ dist = \"fixed\", value = {decision:.1} }}\n\
             hours_in_department = {{ dist = \"fixed\", value = 1.0 }}\n\
             spaces = 200\nambulance_share = 0.3"
        );
        let m = model(&trust(&ed, 500, "{ dist = \"fixed\", value = 1.0 }", 7, 2, 3));
        for k in run(&m) {
            let get = |metric| k.get(&m, metric, None).unwrap();
            assert_eq!(get(Metric::Ed4hPerformanceNonAdmitted), 1.0);
            let daily = k.daily(&m, Metric::Ed4hPerformanceNonAdmitted, None).unwrap();
            assert!(daily.iter().all(|&x| x == 1.0), "{daily:?}");
            let (all, overall) = (get(Metric::EdAttendances), get(Metric::Ed4hPerformance));
            if decision > 4.0 {
                assert_eq!(get(Metric::Ed4hPerformanceAdmitted), 0.0);
                assert!(overall > 0.5 && overall < 0.9, "about 70% sent home: {overall}");
                // The admitted are the attendances not within 4 hours.
                let admitted = all - (overall * all).round();
                assert!(admitted > 0.0 && (overall - (all - admitted) / all).abs() < 1e-12);
            } else {
                assert_eq!(get(Metric::Ed4hPerformanceAdmitted), 1.0);
                assert_eq!(overall, 1.0);
            }
        }
    }
}

/// Twelve ambulance arrivals a day, one every 2 hours from midnight, all
/// admitted after exactly 1 hour in a space, into one bed held for 100 days;
/// 2 treatment spaces. Reported: the first day; the run goes on 2 cool-down
/// days (horizon 72 h).
///
/// By hand: patient 0 (00:00) gets a space, a decision at 01:00 and the bed,
/// leaving ED after 1 hour, the only one within 4 hours. Patients 1 (02:00)
/// and 2 (04:00) get the two spaces and board in them from their decisions
/// (03:00, 05:00). With one corridor place, patient 3's arrival at 06:00
/// moves patient 1 (the longest boarder) to the corridor and takes the space:
/// corridor care from 06:00 to the end of the reported day, 18 hours; 3
/// people in spaces and corridor at most. Patients 4 to 11 (08:00 to 22:00)
/// never get a space: their handovers, still waiting at the horizon, are
/// 72 - 2i hours each (i = 4..11), 456 hours in all, each over 60 minutes,
/// 454 hours beyond the 15-minute standard. Time in ED: 1 hour for patient 0
/// and 72 - 2i for the rest, 661 hours over 12 attendances.
#[test]
fn two_spaces_a_corridor_place_and_a_blocked_bed_by_hand() {
    let ed = |corridor: u32| {
        format!(
            "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 1.0\n\
             hours_to_decision = {{ dist = \"fixed\", value = 1.0 }}\n\
             hours_in_department = {{ dist = \"fixed\", value = 1.0 }}\n\
             spaces = 2\ncorridor_spaces = {corridor}\nambulance_share = 1.0"
        )
    };
    let stay = "{ dist = \"fixed\", value = 100.0 }";
    let m = model(&trust(&ed(1), 1, stay, 1, 0, 2));
    for k in run(&m) {
        let get = |metric| k.get(&m, metric, None).unwrap();
        assert_eq!(get(Metric::EdAttendances), 12.0);
        assert_eq!(get(Metric::Ed4hPerformance), 1.0 / 12.0);
        // Admitted means given a decision to admit: patients 0 to 3; the 8
        // still waiting for a space at the end count as not (yet) admitted.
        assert_eq!(get(Metric::Ed4hPerformanceAdmitted), 1.0 / 4.0);
        assert_eq!(get(Metric::Ed4hPerformanceNonAdmitted), 0.0);
        assert_eq!(get(Metric::EdOver12hFromArrival), 11.0);
        assert_eq!(get(Metric::EdOver12hFromArrivalShare), 11.0 / 12.0);
        // The longest stay, 70 hours (patient 1), is the 95th percentile of 12.
        assert_eq!(get(Metric::EdTimeInDepartmentHoursP95), 70.0);
        assert!((get(Metric::EdTimeInDepartmentHoursMean) - 661.0 / 12.0).abs() < 1e-9);
        assert_eq!(get(Metric::CorridorCarePatientHours), 18.0);
        // Boarders in ED from their decisions (03:00, 05:00, 07:00) to the
        // end of the reported day: 21 + 19 + 17 hours over 24.
        assert!((get(Metric::EdBoardersTimeAverage) - 57.0 / 24.0).abs() < 1e-9);
        assert_eq!(get(Metric::EdOccupancyPeak), 3.0);
        assert!((get(Metric::EdSpaceWaitHoursMean) - 456.0 / 12.0).abs() < 1e-9);
        assert_eq!(get(Metric::AmbulanceHandoversOver30m), 8.0);
        assert_eq!(get(Metric::AmbulanceHandoversOver60m), 8.0);
        assert_eq!(get(Metric::AmbulanceHoursLost), 454.0);
        // Decisions at 03:00, 05:00 and 07:00 wait for the bed to the horizon.
        assert_eq!(get(Metric::WaitsOver12hFromDta), 3.0);
        assert_eq!(get(Metric::BedRequests), 4.0);
        assert_eq!(get(Metric::Ed12hFromDta), 3.0, "all three are ED patients");
        // The department's census: at 08:00 patients 1 (corridor), 2 and 3
        // (spaces) all board (patient 4 comes after the reading); at midnight
        // the same three, and patients 4 to 11 wait for a space.
        let daily = |metric| k.daily(&m, metric, None).unwrap().to_vec();
        assert_eq!(daily(Metric::EdBoarders0800), [3.0]);
        assert_eq!(daily(Metric::EdBoardersMidnight), [3.0]);
        assert_eq!(daily(Metric::EdPatients0800), [3.0]);
        assert_eq!(daily(Metric::EdPatientsMidnight), [11.0]);
    }
    // The peak counts those already in when the window opens: after a day
    // of warm-up the spaces and the corridor place hold the same 3 all
    // through the reported day, with no change to set the peak.
    let m = model(&trust(&ed(1), 1, stay, 1, 1, 2));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::EdOccupancyPeak, None), Some(3.0));
    }
    // With the bed freeing after 4.5 hours, patients leave the corridor for
    // it: patient 2 (decision 05:00) is moved there at 08:00 and has the bed
    // at 10:00; from then each boarder in turn spends 4.5 hours there before
    // the next bed (10:00-14:30, 14:30-19:00, 19:00-23:30, 23:30-24:00):
    // 2 + 3 x 4.5 + 0.5 = 16 corridor hours.
    let m = model(&trust(&ed(1), 1, "{ dist = \"fixed\", value = 0.1875 }", 1, 0, 2));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::CorridorCarePatientHours, None), Some(16.0));
    }
    // Without the corridor, patient 3 waits from 06:00 too: 9 patients wait
    // 72 - 2i hours (i = 3..11), 522 hours, and nobody is in a corridor.
    let m = model(&trust(&ed(0), 1, stay, 1, 0, 2));
    for k in run(&m) {
        let get = |metric| k.get(&m, metric, None).unwrap();
        assert_eq!(get(Metric::CorridorCarePatientHours), 0.0);
        assert!((get(Metric::EdBoardersTimeAverage) - 40.0 / 24.0).abs() < 1e-9, "21 + 19 hours");
        assert_eq!(get(Metric::EdOccupancyPeak), 2.0);
        assert!((get(Metric::EdSpaceWaitHoursMean) - 522.0 / 12.0).abs() < 1e-9);
        assert_eq!(get(Metric::AmbulanceHandoversOver60m), 9.0);
        assert_eq!(get(Metric::WaitsOver12hFromDta), 2.0);
        assert_eq!(get(Metric::Ed12hFromDta), 2.0);
    }
    // Two reported days (horizon 96 hours): patients 1 to 12 are still in
    // ED at the horizon after 94 to 72 hours, half the 24 attendances, so
    // the 95th percentile lies in the last bin, "72 hours or more", which
    // reads exactly 72.
    let m = model(&trust(&ed(0), 1, stay, 2, 0, 2));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::EdAttendances, None).unwrap(), 24.0);
        assert_eq!(k.get(&m, Metric::EdTimeInDepartmentHoursP95, None).unwrap(), 72.0);
    }
}

/// Erlang C for the department: nobody admitted, Poisson attendances at 8 an
/// hour, exponential treatment of mean 1 hour, 10 spaces: an M/M/10 queue at
/// 80% load. Mean wait for a space = C(10, 8) / (10 - 8) hours = 0.2046 h.
/// The same system as the bed test in `theory.rs` with hours for days, so the
/// same design: 1,000 replications of 84 days (16,000 attendances each) and
/// a t quantile at a false-alarm rate of 1e-4; the tolerance must be under
/// 3% of the mean wait.
#[test]
fn erlang_c_mean_wait_for_a_space() {
    const SPACES: u32 = 10;
    const LAMBDA: f64 = 8.0;
    let wait = erlang_c(SPACES, LAMBDA) / (f64::from(SPACES) - LAMBDA);
    let ed = format!(
        "attendances_per_day = {}\nadmission_probability = 0.0\n\
         hours_to_decision = {{ dist = \"fixed\", value = 1.0 }}\n\
         hours_in_department = {{ dist = \"exponential\", mean = 1.0 }}\nspaces = {SPACES}",
        LAMBDA * 24.0
    );
    let m = model(&trust(&ed, 10, "{ dist = \"fixed\", value = 1.0 }", 84, 2, 1000));
    let waits = values(&m, &run(&m), Metric::EdSpaceWaitHoursMean, None);
    assert_mean_matches_theory("ED Erlang C: mean wait (hours)", &waits, wait, 0.03);
}

/// The minors stream is its own queue: every walk-in streamed there (nobody
/// admitted, nobody by ambulance, all streamed) into 10 minors spaces at 8 an
/// hour with exponential treatment of mean 1 hour is the M/M/10 queue above,
/// while the 10 main spaces stay empty. Same design and tolerance.
#[test]
fn erlang_c_mean_wait_for_a_minors_space() {
    const SPACES: u32 = 10;
    const LAMBDA: f64 = 8.0;
    let wait = erlang_c(SPACES, LAMBDA) / (f64::from(SPACES) - LAMBDA);
    let ed = format!(
        "attendances_per_day = {}\nadmission_probability = 0.0\n\
         hours_to_decision = {{ dist = \"fixed\", value = 1.0 }}\n\
         hours_in_department = {{ dist = \"exponential\", mean = 1.0 }}\nspaces = 10\n\
         minors_spaces = {SPACES}\nminors_share = 1.0",
        LAMBDA * 24.0
    );
    let m = model(&trust(&ed, 10, "{ dist = \"fixed\", value = 1.0 }", 84, 2, 1000));
    let reps = run(&m);
    let waits = values(&m, &reps, Metric::EdSpaceWaitHoursMean, None);
    assert_mean_matches_theory("minors Erlang C: mean wait (hours)", &waits, wait, 0.03);
    // The main spaces see nobody: the peak in spaces and corridor stays 0.
    assert!(values(&m, &reps, Metric::EdOccupancyPeak, None).iter().all(|&p| p == 0.0));
    // Minors patients are in the department: about 8 x (1 + 0.2) = 9.6 at
    // any moment (Little's law), far more than the few waiting for a space.
    let census: Vec<f64> = reps
        .iter()
        .map(|k| {
            let d = k.daily(&m, Metric::EdPatientsMidnight, None).unwrap();
            d.iter().sum::<f64>() / d.len() as f64
        })
        .collect();
    let average = census.iter().sum::<f64>() / census.len() as f64;
    assert!((average - 8.0 * (1.0 + wait)).abs() < 0.5, "{average}");
}

/// With more spaces than anyone could fill, the capacity model is the old
/// department: every KPI the two runs share is identical, replication by
/// replication (the case mix and stays are the same draws in the same order,
/// the arrival mode has its own stream).
#[test]
fn unlimited_spaces_are_the_department_without_capacity() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/winter-2026-27.toml")).unwrap();
    let text = text.replace("replications = 200 ", "replications = 4 ");
    let plain = model(&without_ed_capacity(&text));
    assert!(plain.ed.as_ref().unwrap().capacity.is_none(), "the shipped ED's capacity removed");
    let unlimited = model(
        &text.replace("\nspaces = 40", "\nspaces = 100000").replace("minors_spaces = 14", "minors_spaces = 100000"),
    );
    assert!(unlimited.ed.as_ref().unwrap().capacity.is_some(), "the replacement took");
    let (a, b) = (run(&plain), run(&unlimited));
    assert_eq!(a.len(), 4);
    for (x, y) in a.iter().zip(&b) {
        for (key, v) in &x.scalar {
            let w = y.scalar.iter().find(|(k, _)| k == key).map(|(_, w)| *w).unwrap();
            assert!(v == &w || (v.is_nan() && w.is_nan()), "{key:?}: {v} without spaces, {w} with unlimited spaces");
        }
        for (key, v) in &x.daily {
            assert_eq!(Some(v), y.daily.iter().find(|(k, _)| k == key).map(|(_, w)| w), "{key:?}");
        }
        let get = |metric| y.get(&unlimited, metric, None).unwrap();
        assert_eq!(get(Metric::EdSpaceWaitHoursMean), 0.0);
        assert_eq!(get(Metric::CorridorCarePatientHours), 0.0);
        assert_eq!(get(Metric::AmbulanceHoursLost), 0.0);
    }
}

/// Corridor places and ambulance shares do nothing without spaces: refused
/// with the file, line, column and field.
#[test]
fn corridor_without_spaces_is_refused() {
    let ed = "attendances_per_day = 10.0\nadmission_probability = 0.1\n\
              hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
              hours_in_department = { dist = \"fixed\", value = 1.0 }\ncorridor_spaces = 4";
    let err = bedflow::scenario::parse_str(&trust(ed, 5, "{ dist = \"fixed\", value = 1.0 }", 3, 0, 2), "ed.toml")
        .unwrap_err()
        .to_string();
    assert!(err.contains("ed.toml:15:19: ed.corridor_spaces: needs `spaces`"), "{err}");
}

/// Scenario text with every `outlie_to` line and the shared escalation ward
/// removed: pools that never lend beds.
fn without_outlying(text: String) -> String {
    let text: String = text.lines().filter(|l| !l.starts_with("outlie_to")).map(|l| format!("{l}\n")).collect();
    match (text.find("[[escalation_ward]]"), text.find("# OPEL levels")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &text[..a], &text[b..]),
        _ => text,
    }
}

/// The shipped winter with `edit` applied to its text, 16 replications.
fn winter(edit: impl Fn(String) -> String) -> (bedflow::model::Model, Vec<bedflow::stats::Kpis>) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/winter-2026-27.toml")).unwrap();
    let m = model(&edit(text.replace("replications = 200 ", "replications = 16 ")));
    let reps = run(&m);
    assert_eq!(reps.len(), 16);
    (m, reps)
}

/// Metamorphic checks under common random numbers, in every one of 16
/// replications of the shipped winter: fewer medicine beds never improve the
/// 4-hour performance of patients sent home (their spaces are held longer by
/// boarders); more spaces never lengthen the mean wait for a space (with 15
/// more medicine beds, see below). More
/// corridor places shorten ambulance handovers on average (see below).
#[test]
fn beds_spaces_and_corridor_move_the_ed_the_right_way_in_every_replication() {
    let (base_m, base) = winter(|t| t);
    let (fewer_m, fewer) = winter(|t| t.replace("beds = 395", "beds = 355"));
    // The wait for a space with 4 more spaces, on the shipped winter with 15
    // more medicine beds (both runs): at the shipped 96% occupancy the bed
    // queue is at its tipping point, where patients reaching their decision
    // sooner (more spaces) take beds in another order and, in an occasional
    // replication, hold spaces longer (6.58 against 6.62 hours in one of 16).
    let (room_m, room) = winter(|t| t.replace("beds = 395", "beds = 410"));
    let (spaces_m, spaces) =
        winter(|t| t.replace("beds = 395", "beds = 410").replace("\nspaces = 40", "\nspaces = 44"));
    // The corridor matters where admitted patients board in ED: without
    // outlying or the shared escalation ward (which give most boarders a bed
    // on another ward at once). With them gone, the shipped trust (95%
    // occupancy) has 30 more medicine beds here, so its bed queue stays
    // short of the tipping point: at it, bed waits swamp the ED and a few
    // corridor places make no difference that 16 replications can see.
    let roomier = |t: String| without_outlying(t).replace("beds = 395", "beds = 425");
    let (closed_m, closed) = winter(roomier);
    let (corridor_m, corridor) = winter(|t| roomier(t).replace("corridor_spaces = 12", "corridor_spaces = 20"));
    let get = |m, k: &bedflow::stats::Kpis, metric| k.get(m, metric, None).unwrap();
    let mut lost = Vec::new();
    for r in 0..16 {
        let (b, f) = (
            get(&base_m, &base[r], Metric::Ed4hPerformanceNonAdmitted),
            get(&fewer_m, &fewer[r], Metric::Ed4hPerformanceNonAdmitted),
        );
        assert!(f <= b, "replication {r}: 40 fewer beds raised non-admitted 4-hour performance {b} -> {f}");
        let (b, s) = (
            get(&room_m, &room[r], Metric::EdSpaceWaitHoursMean),
            get(&spaces_m, &spaces[r], Metric::EdSpaceWaitHoursMean),
        );
        assert!(s <= b, "replication {r}: 4 more spaces lengthened the wait for a space {b} -> {s}");
        let (b, c) = (
            get(&closed_m, &closed[r], Metric::AmbulanceHoursLost),
            get(&corridor_m, &corridor[r], Metric::AmbulanceHoursLost),
        );
        lost.push(c - b);
    }
    // Not replication by replication: moving a boarder to the corridor lets a
    // walk-in start sooner, so their decision to admit comes sooner and the
    // bed queue's order changes, which can delay a later handover (3 of these
    // 16 replications, by under an hour of the winter's 14 to 59). On average
    // the corridor must shorten handovers: the paired 95% interval is below 0.
    assert!(mean(&lost) + t_half_width(&lost, 0.05) < 0.0, "corridor places vs hours lost: {lost:?}");
}

/// The issue's acceptance check: with the shipped scenario, removing 40
/// medicine beds lowers the 4-hour performance (all, and of patients sent
/// home) by clearly more than the 95% confidence interval of the paired
/// difference: the interval's upper end is below zero.
#[test]
fn forty_fewer_medicine_beds_lower_the_four_hour_standard() {
    let (base_m, base) = winter(|t| t);
    let (fewer_m, fewer) = winter(|t| t.replace("beds = 395", "beds = 355"));
    for metric in [Metric::Ed4hPerformance, Metric::Ed4hPerformanceNonAdmitted] {
        let d: Vec<f64> = (0..16)
            .map(|r| fewer[r].get(&fewer_m, metric, None).unwrap() - base[r].get(&base_m, metric, None).unwrap())
            .collect();
        let (m, half) = (mean(&d), t_half_width(&d, 0.05));
        eprintln!("{metric}: 40 fewer medicine beds change it by {m:.4} (95% CI {:.4} to {:.4})", m - half, m + half);
        assert!(m + half < 0.0, "{metric}: {m} +/- {half}");
    }
}

/// `check` and `run` warn when the ED's spaces cannot carry their offered
/// load (before any exit block): not for the shipped trust, but for one space.
#[test]
fn overloaded_spaces_are_warned_about() {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/winter-2026-27.toml")).unwrap();
    assert_eq!(model(&text).overloaded_ed(), Vec::<String>::new(), "the shipped ED can carry its load");
    let one = model(&text.replace("\nspaces = 40", "\nspaces = 1").replace("minors_spaces = 14", "minors_spaces = 2"));
    let warnings = one.overloaded_ed();
    assert_eq!(warnings.len(), 2, "{warnings:?}");
    assert!(warnings[0].contains("main treatment") && warnings[0].contains("exceeds its 1 spaces"), "{warnings:?}");
    assert!(warnings[1].contains("minors") && warnings[1].contains("exceeds its 2 spaces"), "{warnings:?}");
}

/// Leaving without being seen, by hand: one space, walk-ins every 2 hours
/// from midnight, nobody admitted, 3 hours in the space, 30 minutes of
/// patience. Patient 0 takes the space until 03:00; patient 1 (02:00) gives
/// up at 02:30; patient 2 (04:00) finds it free again; and so on: of the 12
/// attendances of the day, 6 are seen (3 hours in ED) and 6 leave without
/// being seen after 30 minutes, all within 4 hours; mean time in ED 1.75 h.
#[test]
fn walk_ins_leave_without_being_seen_by_hand() {
    let ed = "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 0.0\n\
              hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
              hours_in_department = { dist = \"fixed\", value = 3.0 }\n\
              spaces = 1\npatience_hours = { dist = \"fixed\", value = 0.5 }";
    let m = model(&trust(ed, 1, "{ dist = \"fixed\", value = 1.0 }", 1, 0, 2));
    for k in run(&m) {
        let get = |metric| k.get(&m, metric, None).unwrap();
        assert_eq!(get(Metric::LeftWithoutBeingSeen), 6.0);
        assert_eq!(get(Metric::EdTimeInDepartmentHoursP95), 3.0, "6 of 12 stay 3 hours");
        assert_eq!(get(Metric::EdOver12hFromArrivalShare), 0.0);
        let daily = k.daily(&m, Metric::Ed4hPerformanceNonAdmitted, None).unwrap();
        assert_eq!(daily, &[1.0]);
        assert!(k.daily(&m, Metric::Ed4hPerformanceAdmitted, None).unwrap()[0].is_nan(), "nobody admitted");
        assert_eq!(get(Metric::Ed4hPerformance), 1.0);
        assert!((get(Metric::EdTimeInDepartmentHoursMean) - 1.75).abs() < 1e-9);
        assert_eq!(get(Metric::EdOver12hFromArrival), 0.0);
    }
    // Without patience everyone waits: patient i (every 2 hours) gets the
    // space at 3i hours, so the queue grows and nobody leaves unseen.
    let m = model(&trust(
        &ed.replace("\npatience_hours = { dist = \"fixed\", value = 0.5 }", ""),
        1,
        "{ dist = \"fixed\", value = 1.0 }",
        1,
        0,
        2,
    ));
    assert!(m.ed.as_ref().unwrap().capacity.as_ref().unwrap().patience_hours.is_none());
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::LeftWithoutBeingSeen, None), None, "no such KPI without patience");
        assert!(k.get(&m, Metric::Ed4hPerformance, None).unwrap() < 1.0);
    }
}

/// Clinicians as a queue of their own: unlimited spaces, nobody admitted,
/// Poisson attendances at 8 an hour, 10 clinicians every hour each spending
/// an exponential 60 minutes per patient: the wait to be seen is the M/M/10
/// queue again, and time in ED is that wait plus the fixed hour of
/// treatment. Same design and tolerance as the spaces.
#[test]
fn erlang_c_mean_wait_for_a_clinician() {
    const LAMBDA: f64 = 8.0;
    let wait = erlang_c(10, LAMBDA) / (10.0 - LAMBDA);
    let ed = format!(
        "attendances_per_day = {}\nadmission_probability = 0.0\n\
         hours_to_decision = {{ dist = \"fixed\", value = 1.0 }}\n\
         hours_in_department = {{ dist = \"fixed\", value = 1.0 }}\nspaces = 100000\n\
         clinicians = [{}]\nclinician_minutes = {{ dist = \"exponential\", mean = 60.0 }}",
        LAMBDA * 24.0,
        ["10"; 24].join(", ")
    );
    let m = model(&trust(&ed, 10, "{ dist = \"fixed\", value = 1.0 }", 84, 2, 1000));
    let waits: Vec<f64> =
        values(&m, &run(&m), Metric::EdTimeInDepartmentHoursMean, None).iter().map(|t| t - 1.0).collect();
    assert_mean_matches_theory("clinicians Erlang C: mean wait (hours)", &waits, wait, 0.03);
}

/// A rota by hand: no clinician before 08:00, one from 08:00, 30 minutes per
/// patient, 30 minutes of treatment, walk-ins every 2 hours, plenty of
/// spaces. The four who came in the night are seen at 08:00, 08:30, 09:00
/// and 09:30, the 08:00 arrival at 10:00, the 10:00 one at 10:30, and from
/// 12:00 everyone at once: times in ED 8.5, 7, 5.5, 4, 2.5, 1 and 6 x 0.5
/// hours; 9 of 12 within 4 hours (4 exactly counts); mean 31.5 / 12.
#[test]
fn a_clinicians_rota_by_hand() {
    let rota: Vec<&str> = (0..24).map(|h| if h < 8 { "0" } else { "1" }).collect();
    let ed = format!(
        "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 0.0\n\
         hours_to_decision = {{ dist = \"fixed\", value = 1.0 }}\n\
         hours_in_department = {{ dist = \"fixed\", value = 0.5 }}\nspaces = 100\n\
         clinicians = [{}]\nclinician_minutes = {{ dist = \"fixed\", value = 30.0 }}",
        rota.join(", ")
    );
    let m = model(&trust(&ed, 10, "{ dist = \"fixed\", value = 1.0 }", 1, 0, 2));
    for k in run(&m) {
        let get = |metric| k.get(&m, metric, None).unwrap();
        assert_eq!(get(Metric::Ed4hPerformance), 0.75);
        assert!((get(Metric::EdTimeInDepartmentHoursMean) - 31.5 / 12.0).abs() < 1e-9);
        assert_eq!(get(Metric::EdSpaceWaitHoursMean), 0.0, "spaces are plenty: the wait is for a clinician");
    }
    // From 09:00, an hour with no arrival: the clinician comes on duty at the
    // hour's start, so the five who came by 08:00 are seen at 09:00, 09:30,
    // 10:00, 10:30 and 11:00, the 10:00 arrival at 11:30, and from 12:00
    // everyone at once: 9.5, 8, 6.5, 5, 3.5, 2 and 6 x 0.5 hours; 8 within 4.
    let from_nine = ed.replace("0, 1, 1", "0, 0, 1");
    assert_ne!(from_nine, ed);
    let m = model(&trust(&from_nine, 10, "{ dist = \"fixed\", value = 1.0 }", 1, 0, 2));
    for k in run(&m) {
        let get = |metric| k.get(&m, metric, None).unwrap();
        assert_eq!(get(Metric::Ed4hPerformance), 8.0 / 12.0);
        assert!((get(Metric::EdTimeInDepartmentHoursMean) - 37.5 / 12.0).abs() < 1e-9);
    }
}

/// A rota needs 24 hours, someone on duty, and the clinicians' minutes.
#[test]
fn bad_rotas_are_refused() {
    let base = "attendances_per_day = 10.0\nadmission_probability = 0.1\n\
                hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
                hours_in_department = { dist = \"fixed\", value = 1.0 }\nspaces = 5\n";
    let minutes = "clinician_minutes = { dist = \"fixed\", value = 20.0 }";
    for (rota, expected) in [
        (format!("clinicians = [{}]\n{minutes}", ["1"; 23].join(", ")), "expected 24 whole numbers"),
        (format!("clinicians = [{}]\n{minutes}", ["0"; 24].join(", ")), "at least one clinician"),
        (format!("clinicians = [{}]", ["1"; 24].join(", ")), "needs `clinician_minutes` too"),
        (format!("clinicians = [{}]\n{minutes}", ["1.5"; 24].join(", ")), "clinicians[1]"),
    ] {
        let text = trust(&format!("{base}{rota}"), 5, "{ dist = \"fixed\", value = 1.0 }", 3, 0, 2);
        let err = bedflow::scenario::parse_str(&text, "ed.toml").unwrap_err().to_string();
        assert!(err.contains("ed.toml:") && err.contains(expected), "{rota}: {err}");
    }
}

/// The memory bound per patient grows with what the ED keeps per patient:
/// the boarders list with spaces, one more event each with patience and
/// with clinicians (all doubled for a growing vector).
#[test]
fn memory_per_patient_grows_with_ed_features() {
    use bedflow::engine::{BYTES_PER_PATIENT, bytes_per_patient};
    let base = "attendances_per_day = 10.0\nadmission_probability = 0.1\n\
                hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
                hours_in_department = { dist = \"fixed\", value = 1.0 }\n";
    let stay = "{ dist = \"fixed\", value = 1.0 }";
    let bytes = |extra: &str| bytes_per_patient(&model(&trust(&format!("{base}{extra}"), 5, stay, 3, 0, 2)));
    assert_eq!(bytes(""), BYTES_PER_PATIENT);
    let spaces = bytes("spaces = 5\n");
    assert_eq!(spaces, BYTES_PER_PATIENT + 16);
    let patience = bytes("spaces = 5\npatience_hours = { dist = \"fixed\", value = 1.0 }\n");
    let rota =
        format!("clinicians = [{}]\nclinician_minutes = {{ dist = \"fixed\", value = 20.0 }}\n", ["1"; 24].join(", "));
    let both = bytes(&format!("spaces = 5\npatience_hours = {{ dist = \"fixed\", value = 1.0 }}\n{rota}"));
    assert!(spaces < patience && patience < both, "{spaces} {patience} {both}");
    assert_eq!(both - patience, patience - spaces, "one event each");
}

/// ED patients diverted at their decision to admit leave ED then: by hand,
/// evenly spaced attendances every 2 hours, all admitted after 1 hour, one
/// bed held for 100 days in a pool that diverts: the first takes the bed, the
/// other 11 are diverted after exactly 1 hour in ED. All within 4 hours.
#[test]
fn diverted_ed_patients_leave_at_their_decision() {
    let ed = "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 1.0\n\
              hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
              hours_in_department = { dist = \"fixed\", value = 1.0 }";
    let text = trust(ed, 1, "{ dist = \"fixed\", value = 100.0 }", 1, 0, 2)
        .replace("beds = 1", "beds = 1\nwhen_full = \"divert\"");
    for spaces in ["", "\nspaces = 10"] {
        let m = model(&text.replace(
            "hours_in_department = { dist = \"fixed\", value = 1.0 }",
            &format!("hours_in_department = {{ dist = \"fixed\", value = 1.0 }}{spaces}"),
        ));
        for k in run(&m) {
            assert_eq!(k.get(&m, Metric::Diverted, None), Some(11.0));
            assert_eq!(k.get(&m, Metric::Ed4hPerformance, None), Some(1.0), "spaces: {spaces:?}");
            assert_eq!(k.get(&m, Metric::EdOver12hFromArrival, None), Some(0.0));
            if !spaces.is_empty() {
                // Everyone leaves ED exactly 1 hour after arriving.
                assert_eq!(k.get(&m, Metric::EdTimeInDepartmentHoursMean, None), Some(1.0));
            }
        }
    }
}

/// `ambulance_hour_of_day` shapes the ambulance share by clock hour and keeps
/// the day's share: with evenly spread attendances, a share of 0.5 and
/// weights 1 in the morning and 0 in the afternoon, every morning attendance
/// is an ambulance and no afternoon one; 0.8 would need 160% in the morning,
/// refused. Flat weights change nothing, replication by replication.
#[test]
fn ambulances_by_hour_of_day() {
    let base = "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 0.3\n\
                hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
                hours_in_department = { dist = \"fixed\", value = 1.0 }\nspaces = 2\n";
    let stay = "{ dist = \"fixed\", value = 1.0 }";
    let weights = |w: &str| format!("ambulance_hour_of_day = [{}]\n", [w; 24].join(", "));
    let halves: Vec<&str> = (0..24).map(|h| if h < 12 { "1" } else { "0" }).collect();
    let shaped = format!("ambulance_hour_of_day = [{}]\n", halves.join(", "));
    let m = model(&trust(&format!("{base}ambulance_share = 0.5\n{shaped}"), 5, stay, 3, 0, 2));
    let by_hour = m.ed.as_ref().unwrap().capacity.as_ref().unwrap().ambulance_by_hour;
    assert_eq!(by_hour[..12], [1.0; 12]);
    assert_eq!(by_hour[12..], [0.0; 12]);
    let err = bedflow::scenario::parse_str(
        &trust(&format!("{base}ambulance_share = 0.8\n{shaped}"), 5, stay, 3, 0, 2),
        "ed.toml",
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("ed.ambulance_hour_of_day") && err.contains("160%"), "{err}");
    let plain = model(&trust(&format!("{base}ambulance_share = 0.4\n"), 5, stay, 20, 2, 4));
    let flat = model(&trust(&format!("{base}ambulance_share = 0.4\n{}", weights("3")), 5, stay, 20, 2, 4));
    let (a, b) = (&plain.ed.as_ref().unwrap().capacity, &flat.ed.as_ref().unwrap().capacity);
    let (a, b) = (a.as_ref().unwrap().ambulance_by_hour, b.as_ref().unwrap().ambulance_by_hour);
    assert!(a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-12), "{a:?} {b:?}");
    let (x, y) = (run(&plain), run(&flat));
    for (x, y) in x.iter().zip(&y) {
        for ((k, v), (_, w)) in x.scalar.iter().zip(&y.scalar) {
            assert!(v == w || (v.is_nan() && w.is_nan()), "flat weights changed {k:?}: {v} vs {w}");
        }
    }
}

/// The engine reads the ambulance share at each attendance's clock hour,
/// by hand: one space, 3 hours in it, an attendance every 2 hours from
/// midnight, nobody admitted, walk-ins giving up after 30 minutes; every
/// morning attendance an ambulance (it waits) and no afternoon one. The six
/// ambulances hold the space to 18:00, so the walk-ins of 12:00, 14:00 and
/// 16:00 give up; 18:00 finds the space free (to 21:00), 20:00 gives up,
/// 22:00 is seen: 4 leave without being seen.
#[test]
fn the_ambulance_share_follows_the_clock_hour_by_hand() {
    let halves: Vec<&str> = (0..24).map(|h| if h < 12 { "1" } else { "0" }).collect();
    let ed = format!(
        "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 0.0\n\
         hours_to_decision = {{ dist = \"fixed\", value = 1.0 }}\n\
         hours_in_department = {{ dist = \"fixed\", value = 3.0 }}\nspaces = 1\n\
         patience_hours = {{ dist = \"fixed\", value = 0.5 }}\nambulance_share = 0.5\nambulance_hour_of_day = [{}]",
        halves.join(", ")
    );
    let m = model(&trust(&ed, 1, "{ dist = \"fixed\", value = 1.0 }", 1, 0, 2));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::LeftWithoutBeingSeen, None), Some(4.0));
    }
}

/// The 95th percentile of time in department weighs each time by how many
/// stayed that long: with about 2% admitted after 5 hours and the rest sent
/// home after 1 hour, plenty of spaces and beds, it is 1 hour.
#[test]
fn the_95th_percentile_weighs_times_by_their_counts() {
    let ed = "attendances_per_day = 100.0\nadmission_probability = 0.02\n\
              hours_to_decision = { dist = \"fixed\", value = 5.0 }\n\
              hours_in_department = { dist = \"fixed\", value = 1.0 }\nspaces = 1000";
    let m = model(&trust(ed, 1000, "{ dist = \"fixed\", value = 1.0 }", 10, 0, 2));
    for k in run(&m) {
        let admitted = k.get(&m, Metric::Admissions, None).unwrap();
        let attendances = k.get(&m, Metric::EdAttendances, None).unwrap();
        assert!(admitted > 0.0 && admitted < 0.04 * attendances, "{admitted} of {attendances}");
        assert_eq!(k.get(&m, Metric::EdTimeInDepartmentHoursP95, None), Some(1.0));
    }
}

/// Ambulance handovers by hand: one space, 2.5 hours in it, an ambulance
/// every 2 hours from midnight, nobody admitted. Each waits 30 minutes
/// longer than the one before: 0, 30, 60, ..., 330 minutes. Over 30
/// minutes (strictly): the 10 from 60; over 60: the 9 from 90; hours lost
/// beyond the 15-minute standard: (30 + 60 + ... + 330 - 11 x 15) / 60 =
/// 30.25.
#[test]
fn ambulance_handovers_by_hand() {
    let ed = "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 0.0\n\
              hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
              hours_in_department = { dist = \"fixed\", value = 2.5 }\nspaces = 1\nambulance_share = 1.0";
    let m = model(&trust(ed, 1, "{ dist = \"fixed\", value = 1.0 }", 1, 0, 2));
    for k in run(&m) {
        let get = |metric| k.get(&m, metric, None).unwrap();
        assert_eq!(get(Metric::AmbulanceHandoversOver30m), 10.0);
        assert_eq!(get(Metric::AmbulanceHandoversOver60m), 9.0);
        assert!((get(Metric::AmbulanceHoursLost) - 30.25).abs() < 1e-9);
    }
}

/// 12-hour trolley waits counted when the bed comes, by hand: attendances
/// every 2 hours from midnight into 20 spaces (always one free), all
/// admitted with a decision 1 hour after arriving, into one bed whose stays
/// last exactly 13 hours; reported: the
/// first day (horizon 72 hours). Patient 0 decides at 01:00 and has the bed
/// to 14:00; patient 1 (decision 03:00) gets it at 14:00 after 11 hours;
/// patients 2 to 5 get it at 27, 40, 53 and 66 hours, after 22 to 55 hours;
/// patients 6 to 11 are still waiting at the horizon, each over 12 hours.
/// So 10 of 12 waited over 12 hours from the decision: 4 counted when the
/// bed came, 6 at the end of the run.
#[test]
fn twelve_hour_trolley_waits_by_hand() {
    let ed = "attendances_per_day = 12.0\narrivals = \"regular\"\nadmission_probability = 1.0\n\
              hours_to_decision = { dist = \"fixed\", value = 1.0 }\n\
              hours_in_department = { dist = \"fixed\", value = 1.0 }\nspaces = 20";
    let m = model(&trust(ed, 1, "{ dist = \"fixed\", value = 0.5416666666666666 }", 1, 0, 2));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::Ed12hFromDta, None), Some(10.0));
        assert_eq!(k.get(&m, Metric::WaitsOver12hFromDta, None), Some(10.0));
        assert_eq!(k.get(&m, Metric::Admissions, None), Some(2.0), "patients 0 and 1 on the reported day");
        // Mean wait from decision: 0, 11, 22, 33, 44 and 55 hours to a bed,
        // then 59, 57, ..., 49 hours still waiting at the horizon (72 h):
        // 489 hours over 12.
        let mean = k.get(&m, Metric::BedWaitHoursMean, None).unwrap();
        assert!((mean - 489.0 / 12.0).abs() < 1e-9, "{mean}");
    }
    // Stays of 14 hours: patient 1 waits exactly 12 hours (03:00 to 15:00),
    // which is not over 12; patients 2 to 11 wait longer: 10 again.
    let m = model(&trust(ed, 1, "{ dist = \"fixed\", value = 0.5833333333333334 }", 1, 0, 2));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::Ed12hFromDta, None), Some(10.0));
        assert_eq!(k.get(&m, Metric::WaitsOver12hFromDta, None), Some(10.0));
    }
}
