//! Small cases worked out by hand: exact counts, no statistics.

mod common;
use bedflow::stats::Metric;
use common::*;

/// Evenly spaced arrivals (every 6 hours from midnight) with fixed 2-day
/// stays into `beds` beds, reported over 10 days after a 6-day warm-up.
fn regular(beds: u32, when_full: &str) -> String {
    format!(
        r#"
[scenario]
name = "hand"
start = "2026-01-07"
end = "2026-01-16"
warmup_days = 6
replications = 3
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
beds = {beds}
when_full = "{when_full}"
"#
    )
}

/// Arrivals at 00:00, 06:00, 12:00, 18:00, each staying exactly 48 hours: at
/// any midnight the 8 patients of the last two days are in. Every arrival
/// meets the discharge of the patient who came 48 hours earlier at the same
/// second; the discharge frees the bed first, so occupancy never exceeds 8 and
/// 8 beds are enough for nobody to wait.
#[test]
fn fixed_arrivals_and_stays_give_exact_counts() {
    let m = model(&regular(8, "queue"));
    for k in run(&m) {
        assert_eq!(k.daily(&m, Metric::MidnightOccupancy, Some("ward")).unwrap(), &[8.0; 10]);
        assert_eq!(k.daily(&m, Metric::Admissions, Some("ward")).unwrap(), &[4.0; 10]);
        assert_eq!(k.daily(&m, Metric::Discharges, Some("ward")).unwrap(), &[4.0; 10]);
        assert_eq!(k.get(&m, Metric::Admissions, None), Some(40.0));
        assert_eq!(k.get(&m, Metric::PeakOccupancy, Some("ward")), Some(8.0));
        assert_eq!(k.get(&m, Metric::TimeAverageOccupancy, Some("ward")), Some(8.0));
        assert_eq!(k.get(&m, Metric::ShareOfTimeFull, Some("ward")), Some(1.0));
        assert_eq!(k.get(&m, Metric::BedWaitHoursMean, Some("ward")), Some(0.0));
        assert_eq!(k.get(&m, Metric::LengthOfStayDaysMean, Some("ward")), Some(2.0));
        assert_eq!(k.get(&m, Metric::DaysOver92Pct, Some("ward")), Some(10.0));
        assert_eq!(k.get(&m, Metric::BedOccupancyRate, Some("ward")), Some(1.0), "8 of 8 beds");
        // 4 arrivals a day over 18 simulated days (6 warm-up, 10 reported, 2
        // cool-down), each an arrival and (but for the last 2 days') a discharge.
        assert_eq!(k.events, 18 * 4 + 16 * 4, "events processed");
    }
}

/// One arrival each midnight, staying exactly 23 days, into 25 beds: the
/// midnight census (read before anything else at that second) holds the 23
/// patients of the last 23 days, exactly 92% of the beds, which is not over
/// 92%; with 26 beds (88%) neither. Two arrivals a day (00:00 and 12:00)
/// staying a day in 1 bed: the queue at 08:00 grows by exactly one a day.
#[test]
fn days_over_92_percent_and_queue_growth_by_hand() {
    let text = |beds: u32, per_day: f64, stay: f64, warmup: u32| {
        regular(beds, "queue")
            .replace("per_day = 4.0", &format!("per_day = {per_day:.1}"))
            .replace("value = 2.0", &format!("value = {stay:.1}"))
            .replace("warmup_days = 6", &format!("warmup_days = {warmup}"))
    };
    for (beds, rate) in [(25, 0.92), (26, 23.0 / 26.0)] {
        let m = model(&text(beds, 1.0, 23.0, 30));
        for k in run(&m) {
            assert_eq!(k.daily(&m, Metric::MidnightOccupancy, Some("ward")).unwrap(), &[23.0; 10]);
            assert_eq!(k.get(&m, Metric::DaysOver92Pct, Some("ward")), Some(0.0), "{beds} beds");
            assert!((k.get(&m, Metric::BedOccupancyRate, Some("ward")).unwrap() - rate).abs() < 1e-12);
        }
    }
    let m = model(&text(1, 2.0, 1.0, 6));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::BoardersGrowthPerDay, Some("ward")), Some(1.0));
    }
}

/// Two direct routes into one bed, each arriving once a day at midnight (the
/// same second), diverting when full. Within a step, arrival streams go in
/// scenario order (`engine::order`): the first route's patient takes the
/// bed every night, and its 1-day stay frees it at the next midnight just
/// before the next arrivals (discharges come first in a second). The second
/// route's patients (half-day stays) are all diverted, so every stay is 1 day.
#[test]
fn arrival_streams_at_the_same_second_go_in_scenario_order() {
    let m = model(
        r#"
[scenario]
name = "ties"
start = "2026-01-07"
end = "2026-01-16"
warmup_days = 2
replications = 2
seed = 1

[[admissions]]
name = "first"
source = "direct"
per_day = 1.0
arrivals = "regular"
pool = "ward"
stay_days = { dist = "fixed", value = 1.0 }

[[admissions]]
name = "second"
source = "direct"
per_day = 1.0
arrivals = "regular"
pool = "ward"
stay_days = { dist = "fixed", value = 0.5 }

[[pool]]
name = "ward"
beds = 1
when_full = "divert"
"#,
    );
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::Admissions, Some("ward")), Some(10.0));
        assert_eq!(k.get(&m, Metric::Diverted, Some("ward")), Some(10.0));
        assert_eq!(k.get(&m, Metric::LengthOfStayDaysMean, Some("ward")), Some(1.0));
    }
}

/// Six beds, diverting when full. Arrivals numbered 0, 1, 2... each stay 8
/// arrival intervals: 0-5 are admitted, 6 and 7 find the ward full, 8 takes
/// the bed 0 frees at that second, ... so every 8 arrivals (2 days) 6 are
/// admitted and 2 diverted: 10 diverted and 30 admitted in 10 days.
#[test]
fn divert_pattern_is_exact() {
    let m = model(&regular(6, "divert"));
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::Diverted, Some("ward")), Some(10.0));
        assert_eq!(k.get(&m, Metric::Admissions, Some("ward")), Some(30.0));
        assert_eq!(k.get(&m, Metric::DivertedShare, Some("ward")), Some(0.25));
        assert_eq!(k.daily(&m, Metric::MidnightOccupancy, Some("ward")).unwrap(), &[6.0; 10]);
    }
}

/// An hourly arrival (regular, 24 a day) staying exactly 3 days, discharged
/// only 09:00-17:00, never on weekends or bank holidays (factors 0).
fn christmas(weekend: f64, bank_holiday: f64, reps: u32) -> String {
    format!(
        r#"
[scenario]
name = "christmas"
start = "2026-10-05"
end = "2027-01-10"
warmup_days = 10
replications = {reps}
seed = 2

[calendar]
bank_holidays = "england-and-wales"

[[admissions]]
name = "hourly"
source = "direct"
per_day = 24.0
arrivals = "regular"
pool = "ward"
stay_days = {{ dist = "fixed", value = 3.0 }}

[[pool]]
name = "ward"
beds = 10000

[discharge]
mode = "daily-window"
window = [9, 17]
weekend_factor = {weekend}
bank_holiday_factor = {bank_holiday}
"#
    )
}

fn day_index(m: &bedflow::model::Model, date: &str) -> usize {
    let d = chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap();
    (d - m.start).num_days() as usize
}

/// On a working day 24 go home: 7 ready after 17:00 the evening before and
/// 17 ready between 00:00 and 16:00. Nobody goes on Christmas Day (Friday,
/// bank holiday), Saturday 26th, Sunday 27th or Monday 28th (the Boxing Day
/// substitute). Tuesday 29th clears the backlog: 7 from the evening of the
/// 24th + 4 x 24 ready on 25th-28th + 17 = 120. Likewise Friday 1 January
/// and the weekend, then Monday 4 January: 7 + 3 x 24 + 17 = 96.
#[test]
fn weekend_and_bank_holiday_factors_delay_discharges() {
    let m = model(&christmas(0.0, 0.0, 2));
    for k in run(&m) {
        let d = k.daily(&m, Metric::Discharges, Some("ward")).unwrap();
        let on = |date| d[day_index(&m, date)];
        for date in ["2026-12-25", "2026-12-26", "2026-12-27", "2026-12-28", "2027-01-01", "2027-01-02"] {
            assert_eq!(on(date), 0.0, "{date}");
        }
        assert_eq!(on("2026-12-24"), 24.0);
        assert_eq!(on("2026-12-29"), 120.0);
        assert_eq!(on("2026-12-30"), 24.0);
        assert_eq!(on("2027-01-04"), 96.0);
        assert_eq!(on("2027-01-05"), 24.0);
    }
}

/// With weekend_factor f, each of the 24 patients waiting on a Saturday (7
/// from Friday evening, 17 ready before 17:00) goes that day with probability
/// f: Saturday discharges are Binomial(24, f) per Saturday. Likewise Christmas
/// Day (a Friday after a normal Thursday) with the bank-holiday factor. The
/// proportion over n candidates has standard error sqrt(f (1-f) / n); we allow 4.
#[test]
fn weekend_and_bank_holiday_factors_are_probabilities() {
    const F_WEEKEND: f64 = 0.65;
    const F_BANK: f64 = 0.55;
    let m = model(&christmas(F_WEEKEND, F_BANK, 200));
    let reps = run(&m);
    let saturdays: Vec<usize> = (0..m.reported_days() as usize)
        .filter(|&i| {
            let date = m.start + chrono::Days::new(i as u64);
            use chrono::Datelike;
            date.weekday() == chrono::Weekday::Sat
                && !m.calendar.is_bank_holiday(date)
                && !m.calendar.is_bank_holiday(date - chrono::Days::new(1))
        })
        .collect();
    let (mut went, mut candidates) = (0.0, 0.0);
    for k in &reps {
        let d = k.daily(&m, Metric::Discharges, Some("ward")).unwrap();
        for &i in &saturdays {
            went += d[i];
            candidates += 24.0;
        }
    }
    let p = went / candidates;
    let se = (F_WEEKEND * (1.0 - F_WEEKEND) / candidates).sqrt();
    assert!((p - F_WEEKEND).abs() < 4.0 * se, "Saturday share {p} vs {F_WEEKEND} (SE {se})");

    let xmas = day_index(&m, "2026-12-25");
    let went: f64 = reps.iter().map(|k| k.daily(&m, Metric::Discharges, Some("ward")).unwrap()[xmas]).sum();
    let n = 24.0 * reps.len() as f64;
    let p = went / n;
    let se = (F_BANK * (1.0 - F_BANK) / n).sqrt();
    assert!((p - F_BANK).abs() < 4.0 * se, "Christmas Day share {p} vs {F_BANK} (SE {se})");
}

/// An ED with fixed times: non-admitted patients leave after `dept` hours,
/// admitted ones reach a decision after `dta` hours and get a bed at once.
fn ed(dept: f64, dta: f64, admit: f64) -> String {
    format!(
        r#"
[scenario]
name = "ed"
start = "2026-11-01"
end = "2026-11-07"
warmup_days = 3
replications = 2
seed = 3

[ed]
attendances_per_day = 100.0
admission_probability = {admit}
hours_to_decision = {{ dist = "fixed", value = {dta} }}
hours_in_department = {{ dist = "fixed", value = {dept} }}

[[admissions]]
name = "medical"
source = "ed"
share = 1.0
pool = "ward"
stay_days = {{ dist = "fixed", value = 1.0 }}

[[pool]]
name = "ward"
beds = 10000
"#
    )
}

#[test]
fn ed_four_and_twelve_hour_measures_are_exact_for_fixed_times() {
    let cases = [
        // (time in department, time to decision, admission probability, 4h performance, all over 12h)
        (3.0, 1.0, 0.0, 1.0, false),
        (4.0, 1.0, 0.0, 1.0, false), // exactly 4 hours counts as within 4 hours
        (5.0, 1.0, 0.0, 0.0, false),
        (12.0, 1.0, 0.0, 0.0, false), // exactly 12 hours is not over 12 hours
        (13.0, 1.0, 0.0, 0.0, true),
        (1.0, 2.0, 1.0, 1.0, false),
        (1.0, 12.5, 1.0, 0.0, true),
    ];
    for (dept, dta, admit, perf, over12) in cases {
        let m = model(&ed(dept, dta, admit));
        for k in run(&m) {
            let attendances = k.get(&m, Metric::EdAttendances, None).unwrap();
            assert!(attendances > 500.0);
            assert_eq!(k.get(&m, Metric::Ed4hPerformance, None), Some(perf), "dept {dept} dta {dta}");
            let expected_12h = if over12 { attendances } else { 0.0 };
            assert_eq!(k.get(&m, Metric::EdOver12hFromArrival, None), Some(expected_12h), "dept {dept} dta {dta}");
        }
    }
}

/// The trust is the sum of its pools: two wards fed by their own evenly
/// spaced routes (4 a day staying 2 days into 8 beds, 2 a day staying 3 days
/// into 6 beds) give trust-wide midnight occupancy 8 + 6 = 14, admissions
/// 40 + 20 and a peak of 14 (a one-pool trust is its pool, a shortcut the
/// engine takes; this checks it is not taken with two).
#[test]
fn the_trust_is_the_sum_of_its_pools() {
    let m = model(
        r#"
[scenario]
name = "two-wards"
start = "2026-01-07"
end = "2026-01-16"
warmup_days = 6
replications = 2
seed = 1

[[admissions]]
name = "medical"
source = "direct"
per_day = 4.0
arrivals = "regular"
pool = "medicine"
stay_days = { dist = "fixed", value = 2.0 }

[[admissions]]
name = "surgical"
source = "direct"
per_day = 2.0
arrivals = "regular"
pool = "surgery"
stay_days = { dist = "fixed", value = 3.0 }

[[pool]]
name = "medicine"
beds = 8

[[pool]]
name = "surgery"
beds = 6
"#,
    );
    for k in run(&m) {
        assert_eq!(k.daily(&m, Metric::MidnightOccupancy, Some("medicine")).unwrap(), &[8.0; 10]);
        assert_eq!(k.daily(&m, Metric::MidnightOccupancy, Some("surgery")).unwrap(), &[6.0; 10]);
        assert_eq!(k.daily(&m, Metric::MidnightOccupancy, None).unwrap(), &[14.0; 10]);
        assert_eq!(k.get(&m, Metric::Admissions, None), Some(60.0));
        assert_eq!(k.get(&m, Metric::PeakOccupancy, None), Some(14.0));
    }
}

/// A wait of exactly 12 hours is not over 12 hours. One bed, arrivals at
/// 00:00 and 12:00 staying 18 hours: the 00:00 arrival of the reported day
/// waits from 00:00 to 12:00 (exactly 12 hours), the 12:00 one until 06:00
/// the next day (18 hours): one wait over 12 hours, not two.
#[test]
fn a_wait_of_exactly_twelve_hours_is_not_over_twelve() {
    let m = model(
        r#"
[scenario]
name = "twelve"
start = "2026-01-08"
end = "2026-01-08"
warmup_days = 1
replications = 2
seed = 1

[[admissions]]
name = "scheduled"
source = "direct"
per_day = 2.0
arrivals = "regular"
pool = "ward"
stay_days = { dist = "fixed", value = 0.75 }

[[pool]]
name = "ward"
beds = 1
"#,
    );
    for k in run(&m) {
        assert_eq!(k.get(&m, Metric::BedRequests, None), Some(2.0));
        assert_eq!(k.get(&m, Metric::BedWaitHoursMean, None), Some(15.0));
        assert_eq!(k.get(&m, Metric::WaitsOver12hFromDta, None), Some(1.0));
    }
}

/// The peak counts the reported window only: 20 times the demand in the
/// first three warm-up days (about 200 beds in use) does not leak into the
/// peak of a window with about 10 a day staying 6 hours.
#[test]
fn the_peak_is_taken_inside_the_window() {
    let m = model(
        r#"
[scenario]
name = "peak"
start = "2026-01-10"
end = "2026-01-20"
warmup_days = 4
replications = 4
seed = 1

[[seasonality]]
from = "2026-01-06"
to = "2026-01-08"
factor = 20.0

[[admissions]]
name = "emergency"
source = "direct"
per_day = 10.0
pool = "ward"
stay_days = { dist = "fixed", value = 0.25 }

[[pool]]
name = "ward"
beds = 1000
"#,
    );
    for k in run(&m) {
        let peak = k.get(&m, Metric::PeakOccupancy, None).unwrap();
        assert!(peak < 30.0, "peak {peak}: the warm-up's surge leaked in");
    }
}

/// And the peak is the window's maximum, not its last value: a surge of 10
/// times the demand in the middle of the window (about 25 beds in use), then
/// almost nothing to the end of the run.
#[test]
fn the_peak_is_the_windows_maximum() {
    let m = model(
        r#"
[scenario]
name = "surge"
start = "2026-01-10"
end = "2026-01-20"
warmup_days = 2
replications = 4
seed = 1

[[seasonality]]
from = "2026-01-12"
to = "2026-01-14"
factor = 10.0

[[seasonality]]
from = "2026-01-16"
to = "2026-01-22"
factor = 0.001

[[admissions]]
name = "emergency"
source = "direct"
per_day = 10.0
pool = "ward"
stay_days = { dist = "fixed", value = 0.25 }

[[pool]]
name = "ward"
beds = 1000
"#,
    );
    for k in run(&m) {
        let peak = k.get(&m, Metric::PeakOccupancy, None).unwrap();
        assert!(peak > 15.0, "peak {peak}: the surge's maximum was lost");
    }
}

/// With nothing happening in the window (arrivals stop when it opens, and
/// every stay outlasts the run), the window's occupancy comes only from the
/// books closed at the end: the time-average occupancy is exactly the
/// midnight census (the patients admitted in the warm-up), for the ward,
/// and for the trust both when it is the one ward and when a second ward
/// joins it.
#[test]
fn the_books_close_at_the_end_of_a_quiet_window() {
    let quiet = regular(40, "queue").replace("value = 2.0", "value = 100.0").replace("arrivals = \"regular\"\n", "")
        + "\n[[seasonality]]\nfrom = \"2026-01-07\"\nto = \"2026-01-20\"\nfactor = 0.0\n";
    let two_wards = quiet.clone()
        + r#"
[[admissions]]
name = "other"
source = "direct"
per_day = 2.0
pool = "other ward"
stay_days = { dist = "fixed", value = 100.0 }

[[pool]]
name = "other ward"
beds = 40
"#;
    for text in [quiet, two_wards] {
        let m = model(&text);
        for k in run(&m) {
            assert_eq!(k.get(&m, Metric::Admissions, None), Some(0.0), "nobody arrives in the window");
            for pool in [Some("ward"), None] {
                let census = k.daily(&m, Metric::MidnightOccupancy, pool).unwrap()[0];
                assert!(census > 0.0);
                assert_eq!(k.get(&m, Metric::TimeAverageOccupancy, pool), Some(census), "{pool:?}");
            }
        }
    }
}
