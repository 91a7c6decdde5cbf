//! Elective work: theatre-list sessions, waiting lists, and what the engine
//! precomputes for them.
//!
//! Each list session takes patients from its specialty's waiting list,
//! urgent first, then routine, longest wait first within each class. A day
//! case needs no bed. An inpatient needs a free bed in the list's pool at the
//! session's start: a routine inpatient without one (or, if the pool says so,
//! while anyone waits for a bed there) is cancelled on the day and goes back to
//! the waiting list keeping their original referral date (the RTT clock does
//! not stop); the slot is lost. An urgent inpatient is never cancelled for
//! lack of a bed: they wait for the next bed, ahead of emergency patients.

use super::arrivals::HourlyRates;
use crate::dist::Sampler;
use crate::model::{DAY, HOUR, Model, TimeProfile};
use chrono::Datelike;
use std::collections::VecDeque;

/// One theatre-list session.
#[derive(Debug, Clone, Copy)]
pub struct Session {
    /// Start, in seconds from the first warm-up midnight (day x 86,400 + `start_hour` x 3,600).
    pub time: u32,
    /// Index of its theatre list in [`Model::theatre_lists`](crate::model::Model::theatre_lists).
    pub list: u32,
    /// Patients it can operate on (`cases_per_list`), urgent and routine together.
    pub slots: u32,
    /// Slots routine patients may use (fewer under an elective cut).
    pub routine_slots: u32,
}

/// Every session over `days` simulated days, in time order (list order within a time).
pub fn sessions(model: &Model, days: u32) -> Vec<Session> {
    let mut out = Vec::new();
    for d in 0..days {
        let date = model.date_of_day(d);
        let weekday = date.weekday().num_days_from_monday() as usize;
        let holiday = model.calendar.is_bank_holiday(date);
        for (i, l) in model.theatre_lists.iter().enumerate() {
            if !l.weekdays[weekday] || (holiday && !l.open_on_bank_holidays) {
                continue;
            }
            let factor: f64 = model
                .elective_cuts
                .iter()
                .filter(|c| c.from <= date && date <= c.to && c.specialty.is_none_or(|s| s == l.specialty))
                .map(|c| c.factor)
                .product();
            let routine_slots = (factor * f64::from(l.cases_per_list)).round() as u32;
            for _ in 0..l.lists_per_day {
                out.push(Session {
                    time: d * DAY + l.start_hour * HOUR,
                    list: i as u32,
                    slots: l.cases_per_list,
                    routine_slots,
                });
            }
        }
    }
    out.sort_by_key(|s| (s.time, s.list));
    out
}

/// What the engine needs about a specialty.
pub struct SpecialtyPlan {
    /// Hourly referral rates: `referrals_per_week` / 7 a day, flat over hours and weekdays but multiplied by
    /// seasonality (see [`Model::day_multiplier`](crate::model::Model::day_multiplier)).
    pub referrals: HourlyRates,
    /// Inpatient length of stay, sampled in seconds.
    pub stay: Sampler,
    /// Initial waits, in seconds.
    pub initial_wait: Sampler,
    /// Patients on the list when the simulation starts (first warm-up day).
    pub initial: u32,
    /// The list from a census, if it gives this specialty's: each patient's
    /// referral (seconds from the start, at most 0) and urgency, oldest first.
    pub census_list: Option<Vec<(i64, bool)>>,
    /// Share of patients (0-1) who are urgent: booked first, never cancelled for lack of a bed.
    pub urgent_share: f64,
    /// Share of patients (0-1) who need an inpatient bed after surgery.
    pub inpatient_share: f64,
    /// Priority booking, in engine units, if the specialty uses it.
    pub priority: Option<PriorityPlan>,
    /// With `initial_wait_weeks = "steady-state"`: running totals of the
    /// classes' shares of the initial list, and each class's longest wait in
    /// seconds (see [`crate::model::Specialty::steady_state_list`]).
    pub steady: Option<([f64; 4], [f64; 4])>,
}

/// Priority booking in engine units (see [`crate::model::Priority`]).
pub struct PriorityPlan {
    /// Running totals of the shares of P1-P4 (the last is 1).
    pub cumulative: [f64; 4],
    /// Targets from referral, in seconds.
    pub targets: [i64; 4],
    /// Share of offers a patient cannot take.
    pub not_ready: f64,
    /// Seconds a deferred patient is off the list.
    pub deferral: u32,
}

impl PriorityPlan {
    /// Whether `w`, booked at `now`, is past their category's target from referral.
    pub fn is_late(&self, w: &Waiter, now: u32) -> bool {
        i64::from(now) - w.referral > self.targets[usize::from(w.class)]
    }
}

impl SpecialtyPlan {
    /// One plan per specialty of `model`, in scenario order, over `days` simulated days.
    pub fn new(model: &Model, days: u32) -> Vec<SpecialtyPlan> {
        model
            .specialties
            .iter()
            .enumerate()
            .map(|(j, s)| SpecialtyPlan {
                referrals: HourlyRates::new(model, s.referrals_per_week / 7.0, &TimeProfile::flat(), days),
                stay: s.stay_days.sampler(f64::from(DAY)),
                initial_wait: s.initial_wait_weeks.sampler(7.0 * f64::from(DAY)),
                initial: s.initial_list,
                census_list: model.census.as_ref().and_then(|c| {
                    let mut list: Vec<(i64, bool)> = c
                        .waiting_list
                        .iter()
                        .filter(|w| w.specialty == j)
                        .map(|w| (-((w.waited_days * f64::from(DAY)).round() as i64), w.urgent))
                        .collect();
                    list.sort_by_key(|w| w.0);
                    (!list.is_empty()).then_some(list)
                }),
                urgent_share: s.urgent_share,
                inpatient_share: s.inpatient_share,
                steady: s.steady_state.then(|| {
                    let (shares, waits) = s.steady_state_list();
                    let mut acc = 0.0;
                    let mut cumulative = shares.map(|x| {
                        acc += x;
                        acc
                    });
                    cumulative[3] = 1.0;
                    (cumulative, waits.map(|w| w * 7.0 * f64::from(DAY)))
                }),
                priority: s.priority.as_ref().map(|p| {
                    let mut acc = 0.0;
                    let mut cumulative = p.shares.map(|x| {
                        acc += x;
                        acc
                    });
                    cumulative[3] = 1.0;
                    PriorityPlan {
                        cumulative,
                        targets: p.target_days.map(|d| (d * f64::from(DAY)).round() as i64),
                        not_ready: p.not_ready_share,
                        deferral: (p.deferral_weeks * 7.0 * f64::from(DAY)).round() as u32,
                    }
                }),
            })
            .collect()
    }
}

/// A patient on a waiting list. Their stay and discharge key are drawn at
/// referral, so bed changes never change them (common random numbers).
#[derive(Debug, Clone, Copy)]
pub struct Waiter {
    /// Referral time in seconds from the start of the simulation (negative
    /// for the initial list).
    pub referral: i64,
    /// Inpatient length of stay in seconds (drawn for day cases too, so every patient uses the same draws).
    pub stay: u32,
    /// The patient's own random key, kept as an inpatient: drives their daily discharge draws.
    pub key: u64,
    /// Needs a bed after surgery; `false` for a day case.
    pub inpatient: bool,
    /// Booking class: with priorities P1-P4 as 0-3; without, 0 urgent and 3 routine.
    pub class: u8,
    /// Times the patient was not ready when offered a date (keys their next draw).
    pub deferrals: u8,
}

impl Waiter {
    /// Urgent (P1 and P2, or the simple model's urgent): never cancelled for
    /// lack of a bed, and ahead of emergency patients in a bed queue.
    pub fn urgent(&self) -> bool {
        self.class < 2
    }
}

/// A specialty's waiting list: four booking classes, each in referral order
/// (oldest at the front), and the patients deferred for a while.
#[derive(Debug, Default, Clone)]
pub struct WaitingList {
    /// Patients by class (see [`Waiter::class`]), oldest referral first; one
    /// cancelled on the day goes back to the front of their class.
    pub classes: [VecDeque<Waiter>; 4],
    /// Patients not ready when offered a date, in the order they come back,
    /// and when each does (priority booking only).
    pub deferred: VecDeque<Waiter>,
    /// When each deferred patient comes back, in seconds.
    pub deferred_until: VecDeque<u32>,
}

impl WaitingList {
    /// Empties the list (the engine is reused for the next replication).
    pub fn clear(&mut self) {
        self.classes.iter_mut().for_each(VecDeque::clear);
        self.deferred.clear();
        self.deferred_until.clear();
    }

    /// Adds a patient at the back of their class (a new referral is the newest).
    pub fn push(&mut self, w: Waiter) {
        self.classes[usize::from(w.class)].push_back(w);
    }

    /// Patients waiting, deferred ones included.
    pub fn len(&self) -> usize {
        self.classes.iter().map(VecDeque::len).sum::<usize>() + self.deferred.len()
    }

    /// Whether nobody is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Urgent patients waiting (classes 0 and 1; deferred ones included).
    pub fn urgent_len(&self) -> usize {
        self.classes[0].len() + self.classes[1].len() + self.deferred.iter().filter(|w| w.urgent()).count()
    }

    /// Patients who at `now` have waited at least `seconds`.
    pub fn waited_at_least(&self, now: u32, seconds: u32) -> usize {
        let cutoff = i64::from(now) - i64::from(seconds);
        self.classes.iter().map(|c| c.partition_point(|w| w.referral <= cutoff)).sum::<usize>()
            + self.deferred.iter().filter(|w| w.referral <= cutoff).count()
    }

    /// The next patient to offer a date, taken off the list: the oldest
    /// referral of the most urgent class that has anyone (P1, then P2, ...;
    /// or urgent, then routine), routine classes (2 and 3) only if
    /// `routine_ok`.
    pub fn take(&mut self, routine_ok: bool) -> Option<Waiter> {
        let allowed = if routine_ok { 4 } else { 2 };
        self.classes[..allowed].iter_mut().find_map(VecDeque::pop_front)
    }

    /// Defers `w` until `until` (they come back keeping their referral date).
    pub fn defer(&mut self, mut w: Waiter, until: u32) {
        w.deferrals = w.deferrals.saturating_add(1);
        self.deferred.push_back(w);
        self.deferred_until.push_back(until);
    }

    /// Puts deferred patients due back by `now` into their class, in
    /// referral order.
    pub fn recall(&mut self, now: u32) {
        while self.deferred_until.front().is_some_and(|&t| t <= now) {
            self.deferred_until.pop_front();
            let Some(w) = self.deferred.pop_front() else { break };
            let class = &mut self.classes[usize::from(w.class)];
            let at = class.partition_point(|x| x.referral <= w.referral);
            class.insert(at, w);
        }
    }
}

/// Most bytes a worker thread's engine holds per waiting-list patient for
/// `model`: [`super::BYTES_PER_WAITER`], and with priority booking a
/// deferred patient's return time beside them.
pub fn bytes_per_waiter(model: &Model) -> u64 {
    let deferrals = model.books_by_priority();
    super::BYTES_PER_WAITER + if deferrals { 2 * std::mem::size_of::<u32>() as u64 } else { 0 }
}

/// 18 weeks in seconds: the RTT standard (`waiting_under_18_weeks_share`).
pub const WEEKS_18: u32 = 18 * 7 * DAY;
/// 52 weeks in seconds: the long-wait count (`waiting_over_52_weeks`).
pub const WEEKS_52: u32 = 52 * 7 * DAY;
/// 65 weeks in seconds (`waiting_over_65_weeks`, with priority booking).
pub const WEEKS_65: u32 = 65 * 7 * DAY;

#[cfg(test)]
mod tests {
    use super::*;

    /// The list's counts by hand: 2 P1, 3 P2, a P3 and a P4 in their classes,
    /// and a deferred P2 and P4: 9 waiting, 6 of them urgent; none once cleared.
    #[test]
    fn the_list_counts_everyone_and_its_urgent_patients() {
        let mut list = WaitingList::default();
        assert!(list.is_empty());
        for class in [0, 0, 1, 1, 1, 2, 3] {
            list.push(waiter(0, class));
        }
        list.defer(waiter(0, 1), 100);
        list.defer(waiter(0, 3), 100);
        assert_eq!((list.len(), list.urgent_len(), list.is_empty()), (9, 6, false));
        list.clear();
        assert!(list.is_empty() && list.urgent_len() == 0);
    }

    /// Urgent means P1 and P2 (classes 0 and 1): P3 and P4 are routine.
    #[test]
    fn urgent_means_p1_and_p2() {
        assert_eq!([0, 1, 2, 3].map(|c| waiter(0, c).urgent()), [true, true, false, false]);
    }

    /// Late means past the target: treated exactly at it is on time.
    #[test]
    fn late_is_strictly_past_the_target() {
        let plan = PriorityPlan {
            cumulative: [0.25, 0.5, 0.75, 1.0],
            targets: [0, 100, 200, 300],
            not_ready: 0.0,
            deferral: 0,
        };
        let now = 1000;
        assert!(!plan.is_late(&waiter(800, 2), now), "200 s waited, target 200 s");
        assert!(plan.is_late(&waiter(799, 2), now));
        assert!(!plan.is_late(&waiter(700, 3), now) && plan.is_late(&waiter(699, 3), now));
    }

    /// Hand-worked elective cuts: a cut halves specialty a's routine slots
    /// from Wednesday to Friday inclusive, and a trust-wide cut of 0.4 on
    /// Friday applies to both specialties (on a's Friday, with its own cut:
    /// 10 x 0.5 x 0.4 = 2). Every other day has all 10 slots; urgent
    /// patients may always use all of them.
    #[test]
    fn cuts_take_routine_slots_on_their_dates_and_specialty() {
        let text = r#"
[scenario]
name = "cuts"
start = "2026-01-05"
end = "2026-01-11"
warmup_days = 0
replications = 1
seed = 1

[[admissions]]
name = "emergency"
source = "direct"
per_day = 1.0
pool = "ward"
stay_days = { dist = "fixed", value = 1.0 }

[[pool]]
name = "ward"
beds = 10

[[specialty]]
name = "a"
waiting_list = 10
urgent_share = 0.2
referrals_per_week = 1.0
inpatient_share = 0
stay_days = { dist = "fixed", value = 1.0 }

[[specialty]]
name = "b"
waiting_list = 10
urgent_share = 0.2
referrals_per_week = 1.0
inpatient_share = 0
stay_days = { dist = "fixed", value = 1.0 }

[[theatre_list]]
specialty = "a"
pool = "ward"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
lists_per_day = 1
cases_per_list = 10
start_hour = 8

[[theatre_list]]
specialty = "b"
pool = "ward"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
lists_per_day = 1
cases_per_list = 10
start_hour = 8

[[elective_cut]]
from = "2026-01-07"
to = "2026-01-09"
factor = 0.5
specialty = "a"

[[elective_cut]]
from = "2026-01-09"
to = "2026-01-09"
factor = 0.4
"#;
        let model = crate::scenario::parse_str(text, "cuts.toml").expect("valid");
        let all = sessions(&model, 7);
        let routine = |list: u32| all.iter().filter(|s| s.list == list).map(|s| s.routine_slots).collect::<Vec<_>>();
        assert_eq!(routine(0), vec![10, 10, 5, 5, 2, 10, 10]);
        assert_eq!(routine(1), vec![10, 10, 10, 10, 4, 10, 10]);
        assert!(all.iter().all(|s| s.slots == 10 && s.time % DAY == 8 * HOUR));
    }

    fn waiter(referral: i64, class: u8) -> Waiter {
        Waiter { referral, stay: 0, key: referral as u64, inpatient: false, class, deferrals: 0 }
    }

    /// Hand-worked booking order: the most urgent class first (a P1
    /// referred today before a P4 referred 200 days ago), oldest first
    /// within a class, routine classes only while `routine_ok`; without
    /// priorities, urgent (class 0) then routine (class 3) the same way.
    #[test]
    fn booking_takes_the_most_urgent_class_then_the_longest_wait() {
        let d = i64::from(DAY);
        let mut list = WaitingList::default();
        for w in [
            waiter(-200 * d, 3),
            waiter(0, 0),
            waiter(-80 * d, 2),
            waiter(-154 * d, 3),
            waiter(0, 1),
            waiter(-90 * d, 2),
        ] {
            list.push(w);
        }
        for c in &mut list.classes {
            c.make_contiguous().sort_by_key(|w| w.referral);
        }
        let order: Vec<(i64, u8)> = std::iter::from_fn(|| list.take(true)).map(|w| (w.referral / d, w.class)).collect();
        assert_eq!(order, vec![(0, 0), (0, 1), (-90, 2), (-80, 2), (-200, 3), (-154, 3)]);
        let mut list = WaitingList::default();
        list.push(waiter(-300 * d, 3));
        list.push(waiter(0, 1));
        assert_eq!(list.take(false).map(|w| w.class), Some(1), "routine not allowed");
        assert!(list.take(false).is_none());
        assert_eq!(list.take(true).map(|w| w.class), Some(3));
    }

    /// A deferred patient comes back into their class in referral order,
    /// only once due, and counts as waiting meanwhile.
    #[test]
    fn deferred_patients_come_back_in_referral_order() {
        let mut list = WaitingList::default();
        for r in [-50, -30, -10] {
            list.push(waiter(r, 2));
        }
        let w = list.take(true).unwrap();
        assert_eq!(w.referral, -50);
        list.defer(w, 100);
        assert_eq!((list.len(), list.waited_at_least(0, 40)), (3, 1));
        list.recall(99);
        assert_eq!(list.classes[2].len(), 2);
        list.push(waiter(-60, 2));
        list.recall(100);
        let order: Vec<i64> = list.classes[2].iter().map(|w| w.referral).collect();
        assert_eq!(order, vec![-50, -30, -10, -60]);
        assert_eq!(list.classes[2][0].deferrals, 1);
    }
}
