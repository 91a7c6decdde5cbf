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
}

/// A specialty's waiting list: urgent and routine, each in referral order
/// (oldest at the front).
#[derive(Debug, Default, Clone)]
pub struct WaitingList {
    /// Urgent patients (e.g. cancer), oldest referral first: booked before any routine patient.
    pub urgent: VecDeque<Waiter>,
    /// Routine patients, oldest referral first; one cancelled on the day goes back to the front.
    pub routine: VecDeque<Waiter>,
}

impl WaitingList {
    /// Empties both lists (the engine is reused for the next replication).
    pub fn clear(&mut self) {
        self.urgent.clear();
        self.routine.clear();
    }

    /// Adds a patient at the back of their class's list (a new referral is the newest).
    pub fn push(&mut self, urgent: bool, w: Waiter) {
        if urgent { self.urgent.push_back(w) } else { self.routine.push_back(w) }
    }

    /// Patients waiting, urgent and routine.
    pub fn len(&self) -> usize {
        self.urgent.len() + self.routine.len()
    }

    /// Whether nobody is waiting.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Patients who at `now` have waited at least `seconds`.
    pub fn waited_at_least(&self, now: u32, seconds: u32) -> usize {
        let cutoff = i64::from(now) - i64::from(seconds);
        self.urgent.partition_point(|w| w.referral <= cutoff) + self.routine.partition_point(|w| w.referral <= cutoff)
    }
}

/// 18 weeks in seconds: the RTT standard (`waiting_under_18_weeks_share`).
pub const WEEKS_18: u32 = 18 * 7 * DAY;
/// 52 weeks in seconds: the long-wait count (`waiting_over_52_weeks`).
pub const WEEKS_52: u32 = 52 * 7 * DAY;
