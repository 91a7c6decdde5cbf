//! Discharge pathways, the profile discharge rules and the discharge lounge:
//! theory, hand-worked cases and metamorphic checks under common random numbers.

mod common;
use bedflow::stats::Metric;
use common::*;

/// One pool of `beds`, Poisson direct admissions `per_day` with exponential
/// stays of `stay` days, and the `rest` appended (discharge rules, pathways).
fn scenario(per_day: f64, stay: f64, beds: u32, warmup: u32, reps: u32, pool_extra: &str, rest: &str) -> String {
    format!(
        r#"
[scenario]
name = "pathways"
start = "2026-11-02"
end = "2027-03-28"
warmup_days = {warmup}
replications = {reps}
seed = 20261129

[[admissions]]
name = "emergency"
source = "direct"
per_day = {per_day}
pool = "beds"
stay_days = {{ dist = "exponential", mean = {stay} }}

[[pool]]
name = "beds"
beds = {beds}
{pool_extra}
{rest}
"#
    )
}

/// The stationary mean of the Lindley queue Q' = max(Q + A - c, 0) with A
/// Poisson(`lambda`): the number waiting for a pathway with `c` starts a day
/// released at midnight, read just before the release. Power iteration on
/// the chain truncated far in its tail.
fn lindley_mean(lambda: f64, c: usize) -> f64 {
    const N: usize = 400;
    let mut poisson = vec![(-lambda).exp()];
    for k in 1..N {
        poisson.push(poisson[k - 1] * lambda / k as f64);
    }
    let mut p = vec![0.0; N];
    p[0] = 1.0;
    for _ in 0..20_000 {
        let mut next = vec![0.0; N];
        for (q, &pq) in p.iter().enumerate() {
            if pq < 1e-300 {
                continue;
            }
            for (a, &pa) in poisson.iter().enumerate() {
                let to = (q + a).saturating_sub(c).min(N - 1);
                next[to] += pq * pa;
            }
        }
        p = next;
    }
    p.iter().enumerate().map(|(q, &x)| q as f64 * x).sum()
}

/// Poisson readiness (the departures of an M/M/infinity pool are Poisson),
/// 9 a day, into pathway P1 with 10 starts a day and no delay: the patients waiting
/// at midnight, before the day's starts, follow the Lindley recursion, so
/// their mean is the chain's stationary mean.
#[test]
fn a_pathway_queue_matches_the_lindley_recursion() {
    let (lambda, c) = (9.0, 10);
    let text = scenario(
        lambda,
        2.0,
        10_000,
        60,
        400,
        "pathway_shares = { P1 = 1.0 }",
        "[[pathway]]\nname = \"P1\"\nstarts_per_day = [10, 10, 10, 10, 10, 10, 10]\n",
    );
    let m = model(&text);
    let reps = run(&m);
    let nctr = values(&m, &reps, Metric::NctrPatientsMidnight, None);
    let expected = lindley_mean(lambda, c);
    assert_mean_matches_theory("patients waiting for P1 at midnight", &nctr, expected, 0.15);
    // Little's law for the wait: starts a day x mean wait = mean waiting,
    // time-averaged; here only a sanity bound (the queue empties each day
    // it can), that waits are positive and under three days on average.
    let waits = values(&m, &reps, Metric::PathwayP1WaitDaysMean, None);
    assert!(waits.iter().all(|&w| w > 0.0 && w < 3.0), "{waits:?}");
}

/// Hand-worked: 3 patients a day, fixed stays of 1 day, all on P1 with one
/// start a day: the queue grows by 2 a day, so NCTR patients at midnight
/// rise by 2 a day, exactly.
#[test]
fn a_pathway_too_small_grows_its_queue_by_the_shortfall() {
    let text = scenario(
        3.0,
        1.0,
        10_000,
        0,
        1,
        "pathway_shares = { P1 = 1.0 }",
        "[[pathway]]\nname = \"P1\"\nstarts_per_day = [1, 1, 1, 1, 1, 1, 1]\n",
    )
    .replace(
        "stay_days = { dist = \"exponential\", mean = 1 }",
        "stay_days = { dist = \"fixed\", value = 1 }\narrivals = \"regular\"",
    );
    let m = model(&text);
    let reps = run(&m);
    let daily = reps[0].daily(&m, Metric::NctrPatients, None).unwrap();
    // Day 0's arrivals (00:00, 08:00, 16:00) are ready on day 1; at the
    // midnight ending day 1 three wait and the day's one start went to
    // the first; each later day adds three and starts one.
    for d in 1..20 {
        assert_eq!(daily[d + 1] - daily[d], 2.0, "day {d}: {:?}", &daily[..22]);
    }
}

/// With starts far beyond demand and no delay, pathways change nothing:
/// every KPI the scenario without pathways reports is equal, replication by
/// replication (the pathway draw is a hash of the patient's key, so no
/// random stream moves).
#[test]
fn ample_pathways_without_delay_change_nothing() {
    let rules = "[discharge]\nmode = \"profile\"\nweekday_hours = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0]\nweekend_review_share = 0.6\n";
    let plain = model(&scenario(30.0, 4.0, 130, 30, 6, "", rules));
    let with = model(&scenario(
        30.0,
        4.0,
        130,
        30,
        6,
        "pathway_shares = { P1 = 0.4, P2 = 0.2 }",
        &format!(
            "{rules}[[pathway]]\nname = \"P1\"\nstarts_per_day = [1000, 1000, 1000, 1000, 1000, 1000, 1000]\n\n[[pathway]]\nname = \"P2\"\nstarts_per_day = [1000, 1000, 1000, 1000, 1000, 1000, 1000]\n"
        ),
    ));
    let (a, b) = (run(&plain), run(&with));
    let mut compared = 0;
    for (x, y) in a.iter().zip(&b) {
        for (k, v) in &x.scalar {
            let w = y.scalar.iter().find(|(j, _)| j == k).map(|(_, w)| *w).expect("same KPIs and more");
            assert!(v == &w || (v.is_nan() && w.is_nan()), "{k:?}: {v} vs {w}");
            compared += 1;
        }
    }
    assert!(compared > 50);
    assert!(values(&with, &b, Metric::WaitsOver12hFromDta, None).iter().sum::<f64>() > 0.0, "beds must be tight");
}

/// Metamorphic, under common random numbers: more P1 starts never raise NCTR
/// bed-days, in any replication (ample beds, so everyone is ready at the
/// same time in both runs; the queue is first come first served).
#[test]
fn more_home_care_never_raises_nctr_bed_days() {
    let run_with = |starts: u32| {
        let week = format!("[{starts}, {starts}, {starts}, {starts}, {starts}, 0, 0]");
        let m = model(&scenario(
            40.0,
            4.0,
            10_000,
            30,
            12,
            "pathway_shares = { P1 = 0.3, P3 = 0.05 }",
            &format!(
                "[discharge]\nmode = \"profile\"\nweekday_hours = [0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 4, 4, 4, 3, 2, 1, 0, 0, 0, 0, 0, 0]\nweekend_review_share = 0.5\n\n[[pathway]]\nname = \"P1\"\ndelay_days = {{ dist = \"lognormal\", mean = 1.0, sd = 0.8 }}\nstarts_per_day = {week}\n\n[[pathway]]\nname = \"P3\"\ndelay_days = {{ dist = \"gamma\", mean = 6.0, sd = 3.0 }}\n"
            ),
        ));
        let reps = run(&m);
        // The midnight NCTR count splits exactly by pathway, P0 (waiting for
        // the discharge hour or a weekday) included.
        for k in &reps {
            let by = |metric| k.daily(&m, metric, None).unwrap().to_vec();
            let (all, p0, p1, p3) = (
                by(Metric::NctrPatients),
                by(Metric::NctrPatientsP0),
                by(Metric::NctrPatientsP1),
                by(Metric::NctrPatientsP3),
            );
            for d in 0..all.len() {
                assert_eq!(all[d], p0[d] + p1[d] + p3[d], "day {d}");
            }
            assert!(p0.iter().any(|&x| x > 0.0) && p1.iter().any(|&x| x > 0.0));
        }
        (values(&m, &reps, Metric::NctrBedDays, None), values(&m, &reps, Metric::PathwayP1QueuePeak, None))
    };
    let (tight, peak) = run_with(15);
    let (more, _) = run_with(18);
    assert!(peak.iter().all(|&p| p > 10.0), "the base must queue: {peak:?}");
    for (t, m) in tight.iter().zip(&more) {
        assert!(m <= t, "more starts raised NCTR bed-days: {m} vs {t}");
    }
    assert!(mean(&more) < 0.9 * mean(&tight));
}

/// The profile rules: the shares of discharges before noon and overnight
/// (23:00-05:59) are the profile's (each replication's share is a ratio of
/// counts; the check is a t interval over replications), and weekend
/// discharges fall with the weekend review share.
#[test]
fn discharges_follow_the_hour_profile() {
    let hours = [
        1.0, 0.5, 0.5, 0.5, 0.5, 1.0, 1.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 11.0, 9.0, 6.0, 4.0, 2.0,
        1.0, 1.0, 1.0,
    ];
    let total: f64 = hours.iter().sum();
    let list = hours.iter().map(|h| format!("{h}")).collect::<Vec<_>>().join(", ");
    let rules = |share: f64| {
        format!(
            "[discharge]\nmode = \"profile\"\nweekday_hours = [{list}]\nweekend_review_share = {share}\nbank_holiday_review_share = 1\n"
        )
    };
    let m = model(&scenario(60.0, 3.0, 10_000, 20, 20, "", &rules(0.6)));
    let reps = run(&m);
    let noon = values(&m, &reps, Metric::DischargesBeforeNoonShare, None);
    assert_mean_matches_theory("share before noon", &noon, hours[..12].iter().sum::<f64>() / total, 0.1);
    let night = values(&m, &reps, Metric::DischargesOvernightShare, None);
    assert_mean_matches_theory("share overnight", &night, (hours[..6].iter().sum::<f64>() + hours[23]) / total, 0.2);
    // One review per patient: a share s of those ready at a weekend go then,
    // the rest on Monday, so the weekend's ratio to weekdays is about
    // s / (1 + 0.4 (1 - s)) = 0.53 for s = 0.6, and 1 when everyone is reviewed.
    let ratio = mean(&values(&m, &reps, Metric::WeekendDischargesVsWeekday, None));
    assert!((0.45..0.62).contains(&ratio), "{ratio}");
    let all = model(&scenario(60.0, 3.0, 10_000, 20, 6, "", &rules(1.0)));
    let ratio = mean(&values(&all, &run(&all), Metric::WeekendDischargesVsWeekday, None));
    assert!((0.95..1.05).contains(&ratio), "{ratio}");
}

/// Metamorphic, under common random numbers: a discharge lounge never
/// lowers the beds free at noon, on any day of any replication (a patient
/// in the lounge gives up their bed earlier; with one first-come queue, no
/// one is admitted later), and with tight beds it shortens bed waits. The
/// base is a lounge no one can use (it opens at 23:00, after the last
/// discharge of the profile), so the comparison is with no lounge at all.
#[test]
fn a_discharge_lounge_never_lowers_beds_free_at_noon() {
    let hours = "[0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 6, 5, 4, 3, 2, 0, 0, 0, 0]";
    let base = format!("[discharge]\nmode = \"profile\"\nweekday_hours = {hours}\nweekend_review_share = 0.7\n");
    let run_with = |move_hour: u32| {
        let lounge = format!(
            "{base}\n[discharge.lounge]\nchairs = 100\nmove_hour = {move_hour}\nclose_hour = 24\nweekends = true\n"
        );
        let m = model(&scenario(30.0, 4.0, 130, 30, 8, "", &lounge));
        let reps = run(&m);
        let noon: Vec<Vec<f64>> =
            reps.iter().map(|r| r.daily(&m, Metric::BedsFreeNoon, None).unwrap().to_vec()).collect();
        (noon, values(&m, &reps, Metric::LoungePatients, None), values(&m, &reps, Metric::BedWaitHoursMean, None))
    };
    let (none, moved_none, wait_none) = run_with(23);
    let (lounge, moved, wait) = run_with(10);
    assert!(moved_none.iter().all(|&m| m == 0.0));
    assert!(mean(&moved) > 1000.0, "{moved:?}");
    for (s, l) in none.iter().zip(&lounge) {
        for (d, (a, b)) in s.iter().zip(l).enumerate() {
            assert!(b >= a, "day {d}: {b} beds free at noon with the lounge, {a} without");
        }
    }
    assert!(mean(&wait) < mean(&wait_none), "{wait:?} vs {wait_none:?}");
}

/// A pathway whose starts a week fall short of the patients needing it is
/// warned about before running, with the numbers; one that keeps up is not.
#[test]
fn a_pathway_too_small_is_warned_about() {
    let text = |starts: u32| {
        scenario(
            3.0,
            1.0,
            10_000,
            0,
            1,
            "pathway_shares = { P1 = 1.0 }",
            &format!(
                "[[pathway]]\nname = \"P1\"\nstarts_per_day = [{starts}, {starts}, {starts}, {starts}, {starts}, {starts}, {starts}]\n"
            ),
        )
    };
    let short = model(&text(1)).overloaded_pathways();
    assert_eq!(short.len(), 1, "{short:?}");
    assert!(
        short[0].contains("pathway P1: about 21.0 patients a week") && short[0].contains("7 starts a week"),
        "{}",
        short[0]
    );
    assert!(model(&text(4)).overloaded_pathways().is_empty());
}

/// Hand-worked delay: every patient needs P1, which has a fixed 2.5-day delay
/// and no limit on starts, and leaves the moment it starts (on-ready): each
/// waits exactly 2.5 days past their acute stay, so the mean wait is 2.5
/// days and the NCTR bed-days are 2.5 per patient a day (3 a day, fixed
/// 1-day stays), exactly.
#[test]
fn a_pathway_delay_is_waited_exactly() {
    let text = scenario(
        3.0,
        1.0,
        10_000,
        10,
        2,
        "pathway_shares = { P1 = 1.0 }",
        "[[pathway]]\nname = \"P1\"\ndelay_days = { dist = \"fixed\", value = 2.5 }\n",
    )
    .replace(
        "stay_days = { dist = \"exponential\", mean = 1 }",
        "stay_days = { dist = \"fixed\", value = 1 }\narrivals = \"regular\"",
    );
    let m = model(&text);
    let reps = run(&m);
    for w in values(&m, &reps, Metric::PathwayP1WaitDaysMean, None) {
        assert!((w - 2.5).abs() < 1e-6, "mean wait {w} days");
    }
    // At every moment the patients past their acute stay are those who
    // arrived 1 to 3.5 days before: 7 or 8, a cycle of 8 hours, 7.5 on
    // average. So the reported 147 days (whole cycles, long after the first
    // arrivals) hold exactly 147 x 7.5 bed-days, the waits cut by the
    // window's ends counted up to them (including the patients still
    // waiting when the run ends).
    for b in values(&m, &reps, Metric::NctrBedDays, None) {
        assert!((b - 147.0 * 3.0 * 2.5).abs() < 1e-6, "{b} NCTR bed-days");
    }
}

/// Hand-worked lounge: 4 admissions a day (00:00, 06:00, 12:00, 18:00),
/// fixed 1-day stays, every discharge drawn between 15:00 and 16:00. Each
/// day 3 leavers are ready by the 10:00 move (ready at 18:00 the day
/// before, 00:00 and 06:00) and one is not (12:00); with 2 chairs, exactly 2
/// move each reported day, each for 5 to 6 hours. A lounge closing at 15:00
/// takes nobody (they are all due after it closes).
#[test]
fn a_discharge_lounge_hand_worked() {
    let hours = "[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]";
    let run_with = |close: u32| {
        let rules = format!(
            "[discharge]\nmode = \"profile\"\nweekday_hours = {hours}\n\n[discharge.lounge]\nchairs = 2\nmove_hour = 10\nclose_hour = {close}\nweekends = true\n"
        );
        let text = scenario(4.0, 1.0, 10_000, 5, 2, "", &rules).replace(
            "stay_days = { dist = \"exponential\", mean = 1 }",
            "stay_days = { dist = \"fixed\", value = 1 }\narrivals = \"regular\"",
        );
        let m = model(&text);
        let reps = run(&m);
        // At noon (read before the 12:00 arrival): today's 00:00 and 06:00
        // arrivals, all four of yesterday's (due at 15:00, or tomorrow for
        // 18:00) and the day before's 18:00 (due at 15:00): 7, less the
        // lounge's 2 when it takes them (closing after their 15:00), of
        // 10,000 beds.
        let noon = if close > 15 { 10_000.0 - 5.0 } else { 10_000.0 - 7.0 };
        for k in &reps {
            assert_eq!(k.get(&m, Metric::BedsFreeNoon, None), Some(noon), "lounge closing at {close}:00");
        }
        (values(&m, &reps, Metric::LoungePatients, None), values(&m, &reps, Metric::LoungeChairHours, None))
    };
    let days = 147.0;
    let (moved, hours_used) = run_with(20);
    for (n, h) in moved.iter().zip(&hours_used) {
        assert_eq!(*n, 2.0 * days, "two chairs a day");
        assert!((5.0 * n..=6.0 * n).contains(h), "{h} chair-hours for {n} patients");
    }
    let (moved, _) = run_with(15);
    assert!(moved.iter().all(|&n| n == 0.0), "{moved:?}");
}

/// The overload warning counts the beds patients hold waiting for a
/// pathway: 9 admissions a day with 4-day stays (36 beds) fit 40 beds, but
/// with half of them waiting 2 days for P1 (9 more beds) they do not, and
/// `check` says so, naming the pathway load; without the delay it is silent.
#[test]
fn overload_warning_counts_pathway_delays() {
    let text = |delay: f64| {
        scenario(
            9.0,
            4.0,
            40,
            30,
            2,
            "pathway_shares = { P1 = 0.5 }",
            &format!(
                "[[pathway]]\nname = \"P1\"\ndelay_days = {{ dist = \"fixed\", value = {delay:.1} }}\nstarts_per_day = [100, 100, 100, 100, 100, 100, 100]\n"
            ),
        )
    };
    let check = |t: &str| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("p.toml"), t).unwrap();
        let o = assert_cmd::Command::cargo_bin("bedflow")
            .unwrap()
            .arg("check")
            .arg(dir.path().join("p.toml"))
            .output()
            .unwrap();
        assert!(o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let said = check(&text(2.0));
    assert!(
        said.contains("offered load 45.0 beds (admissions a day x mean stay plus 9.0 beds of patients waiting for a discharge pathway) exceeds its 40 beds"),
        "{said}"
    );
    assert!(!check(&text(0.0)).contains("offered load"), "36 beds fit in 40");
}
