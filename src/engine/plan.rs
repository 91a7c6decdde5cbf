//! What the engine precomputes once per model and shares between threads:
//! hourly arrival rates, samplers, discharge rules, theatre sessions, bed
//! meetings and the reported window, all in engine units (seconds, indices).

use super::COOLDOWN_DAYS;
use super::arrivals::{ArrivalClock, HourlyRates};
use super::discharge::DischargeRules;
use super::electives::{self, Session, SpecialtyPlan};
use crate::dist::Sampler;
use crate::model::{DAY, HOUR, Model, RouteSource, WhenFull};

/// Converts a sampled duration to whole seconds, saturating far beyond any horizon.
#[inline]
pub(super) fn secs(x: f64) -> u32 {
    // Durations are never negative; adding 0.5 and truncating rounds to nearest.
    if x >= 4.0e9 { 4_000_000_000 } else { (x + 0.5) as u32 }
}

pub(super) struct EdPlan {
    pub(super) rates: HourlyRates,
    pub(super) admission_probability: f64,
    pub(super) to_decision: Sampler,
    pub(super) in_department: Sampler,
    /// Cumulative shares of ED routes: (upper bound, route index).
    pub(super) route_cumulative: Vec<(f64, usize)>,
    /// Clinicians on duty by clock hour and their time with a patient, in
    /// seconds (`clinicians`, `clinician_minutes`).
    pub(super) clinicians: Option<([u32; 24], Sampler)>,
    /// Walk-ins' patience for a space, in seconds (`patience_hours`).
    pub(super) patience: Option<Sampler>,
    /// The attendance clock at the start of a replication (Poisson or regular).
    pub(super) clock: ArrivalClock,
    /// Treatment spaces, corridor and ambulances (`None`: the ED never fills).
    pub(super) capacity: Option<crate::model::EdCapacity>,
}

pub(super) struct RoutePlan {
    pub(super) pool: usize,
    pub(super) stay: Sampler,
    /// Own arrival stream for direct routes.
    pub(super) direct: Option<(HourlyRates, ArrivalClock)>,
}

/// A pool's escalation rules in engine units.
pub(super) struct EscalationPlan {
    pub(super) max: u32,
    pub(super) step: u32,
    pub(super) open_at: f64,
    pub(super) open_at_boarders: Option<u32>,
    pub(super) close_below: f64,
    pub(super) min_open: u32,
}

/// What a bed-side timetable entry does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Action {
    /// A dated change of the pool's core beds (`[[pool.capacity]]`) takes
    /// effect: the new number of core beds.
    SetCore(u32),
    /// A new day's starts of a discharge pathway (the entry's `pool` is the
    /// pathway: 0 for P1, 1 for P2, 2 for P3): go to its queue first, and
    /// what is left serves patients joining it later that day.
    PathwayDay(u32),
    /// Noon: every pool's free beds are read (with a discharge lounge only;
    /// the entry's `pool` is unused).
    NoonReading,
    /// A bed meeting; `may_open` is false outside the escalation windows.
    Meeting { may_open: bool },
}

impl Action {
    /// Same-second order of timetable entries: dated bed changes, then
    /// pathway starts (both change what a meeting sees), then meetings.
    fn rank(self) -> u8 {
        match self {
            Action::SetCore(_) => 0,
            Action::PathwayDay(_) => 1,
            Action::NoonReading => 2,
            Action::Meeting { .. } => 3,
        }
    }
}

/// An entry of the bed-side timetable of one pool: a bed meeting, a dated
/// change of its core beds, or (for a pathway) a day's starts.
#[derive(Debug, Clone, Copy)]
pub(super) struct Review {
    pub(super) time: u32,
    pub(super) pool: u32,
    pub(super) action: Action,
}

/// The bed-side timetable, in time order: at one second, dated changes of
/// core beds first (so a meeting at that second sees the new beds), then
/// pathway starts (at each midnight), then bed meetings, each in pool (or
/// pathway) order.
pub(super) fn reviews(model: &Model, days: u32) -> Vec<Review> {
    let mut out = Vec::new();
    for d in 0..days {
        let date = model.date_of_day(d);
        if model.lounge().is_some() {
            out.push(Review { time: d * DAY + 12 * HOUR, pool: 0, action: Action::NoonReading });
        }
        for p in &model.pathways {
            if let Some(starts) = p.starts_on(date, model.calendar.is_bank_holiday(date)) {
                out.push(Review { time: d * DAY, pool: p.index as u32, action: Action::PathwayDay(starts) });
            }
        }
        for (i, p) in model.pools.iter().enumerate() {
            if !p.capacity.is_empty() {
                let before = if d == 0 { p.beds } else { p.beds_on(model.date_of_day(d - 1)) };
                let beds = p.beds_on(date);
                if beds != before {
                    out.push(Review { time: d * DAY, pool: i as u32, action: Action::SetCore(beds) });
                }
            }
            let Some(e) = &p.escalation else { continue };
            let may_open = e.windows.is_empty() || e.windows.iter().any(|(f, t)| *f <= date && date <= *t);
            for h in &e.review_hours {
                out.push(Review { time: d * DAY + h * HOUR, pool: i as u32, action: Action::Meeting { may_open } });
            }
        }
    }
    out.sort_by_key(|r| (r.time, r.action.rank(), r.pool));
    out
}

/// A pool's outbreaks in engine units: the time between outbreaks (from the
/// end of one to the start of the next) and each one's length, in seconds.
pub(super) struct OutbreakPlan {
    pub(super) gap: Sampler,
    pub(super) beds: u32,
    pub(super) days: Sampler,
}

/// Outlying rules in engine units (see [`crate::model::BedPool::outlie_to`]).
pub(super) struct Outlying {
    /// Per pool: the pools its patients may be placed in, in order of preference.
    pub(super) to: Vec<Vec<usize>>,
    /// Per pool: the pools whose patients may be placed in it.
    pub(super) guests: Vec<Vec<usize>>,
    /// Per pool: beds kept for its own patients.
    pub(super) keep: Vec<u32>,
    /// Per pool: the stay factor of its patients when placed elsewhere.
    pub(super) stay_factor: Vec<f64>,
}

/// Discharge pathways in engine units (see [`crate::model::Pathway`]).
pub(super) struct PathwayPlan {
    /// Per pool: running totals of the shares of P1, P2 and P3 (a draw at
    /// or above the last is P0).
    pub(super) cumulative: Vec<[f64; 3]>,
    /// Per pathway (P1-P3): the delay after the acute stay, in days.
    pub(super) delay: [Option<crate::dist::Distribution>; 3],
    /// Per pathway: true if it has a number of starts a day (a queue).
    pub(super) limited: [bool; 3],
}

/// A discharge lounge in engine units.
pub(super) struct LoungePlan {
    pub(super) chairs: u32,
    /// Seconds after midnight patients move in, and the lounge closes.
    pub(super) move_at: u32,
    pub(super) close_at: u32,
    /// Per simulated day: open or not.
    pub(super) open: Box<[bool]>,
}

/// Everything about a model the engine precomputes once, shared by all threads.
pub struct Plan {
    pub(super) ed: Option<EdPlan>,
    pub(super) routes: Vec<RoutePlan>,
    pub(super) beds: Vec<u32>,
    pub(super) when_full: Vec<WhenFull>,
    pub(super) cancel_when_boarding: Vec<bool>,
    pub(super) discharge: DischargeRules,
    pub(super) specialties: Vec<SpecialtyPlan>,
    pub(super) sessions: Vec<Session>,
    /// Per theatre list: (specialty, pool).
    pub(super) lists: Vec<(usize, usize)>,
    /// Per theatre list: the hour of day (in seconds) up to which its bed
    /// check counts discharges already due (`bed_check_until_hour`).
    pub(super) check_until: Vec<Option<u32>>,
    /// Some list counts discharges due: keep each pool's due discharges by hour.
    pub(super) count_due: bool,
    /// Per theatre list: the longest wait in recovery for a bed, in seconds (`recovery_wait_hours`).
    pub(super) recovery: Vec<Option<u32>>,
    pub(super) escalation: Vec<Option<EscalationPlan>>,
    /// Bed meetings of pools with escalation beds, in time order.
    pub(super) reviews: Vec<Review>,
    /// Outlying rules, if any pool outlies.
    pub(super) outlying: Option<Outlying>,
    /// Per pool: infection-control outbreaks, if modelled.
    pub(super) outbreaks: Vec<Option<OutbreakPlan>>,
    /// Per pool: the pools a shared escalation ward serves (empty for a pool).
    pub(super) serves: Vec<Vec<usize>>,
    /// The census placed at time 0, if the run starts from one.
    pub(super) start: Option<super::start::StartPlan>,
    pub(super) opel: Option<crate::model::Opel>,
    /// Discharge pathways, if any.
    pub(super) pathways: Option<PathwayPlan>,
    /// The discharge lounge, if any.
    pub(super) lounge: Option<LoungePlan>,
    /// Count NCTR and the hours of discharge: with pathways or the profile rules.
    pub(super) leaving_detail: bool,
    /// Leaving needs more than the discharge rules: pathways, a lounge or a
    /// count of due discharges (else the plain, inlined path).
    pub(super) leave_extras: bool,
    /// End of the simulated time (seconds).
    pub(super) horizon: u32,
    /// Reported window [start, end) in seconds.
    pub(super) window: (u32, u32),
    /// Simulation day index of the first reported day.
    pub(super) first_day: u32,
    /// Reported days.
    pub(super) days: u32,
}

impl Plan {
    /// True if pool `i` is a shared escalation ward (it serves other pools).
    pub(super) fn is_ward(&self, i: usize) -> bool {
        !self.serves[i].is_empty()
    }

    /// Precomputes everything `model`'s replications share, over warm-up, reported days and cool-down.
    pub fn new(model: &Model) -> Plan {
        let days_total = model.warmup_days + model.reported_days() + COOLDOWN_DAYS;
        let ed = model.ed.as_ref().map(|ed| EdPlan {
            rates: HourlyRates::new(model, ed.attendances_per_day, &ed.profile, days_total),
            capacity: ed.capacity.clone(),
            clock: ArrivalClock::new(ed.arrivals, ed.attendances_per_day),
            patience: ed.capacity.as_ref().and_then(|c| c.patience_hours.as_ref()).map(|d| d.sampler(f64::from(HOUR))),
            clinicians: ed
                .capacity
                .as_ref()
                .and_then(|c| c.clinicians.as_ref())
                .map(|c| (c.on_duty, c.minutes.sampler(60.0))),
            admission_probability: ed.admission_probability,
            to_decision: ed.hours_to_decision.sampler(f64::from(HOUR)),
            in_department: ed.hours_in_department.sampler(f64::from(HOUR)),
            route_cumulative: {
                let mut acc = 0.0;
                model
                    .routes
                    .iter()
                    .enumerate()
                    .filter_map(|(i, r)| match r.source {
                        RouteSource::Ed { share } => {
                            acc += share;
                            Some((acc, i))
                        }
                        RouteSource::Direct { .. } => None,
                    })
                    .collect()
            },
        });
        let routes = model
            .routes
            .iter()
            .map(|r| RoutePlan {
                pool: r.pool,
                stay: r.stay_days.sampler(f64::from(DAY)),
                direct: match &r.source {
                    RouteSource::Direct { per_day, profile, process } => Some((
                        HourlyRates::new(model, *per_day, profile, days_total),
                        ArrivalClock::new(*process, *per_day),
                    )),
                    RouteSource::Ed { .. } => None,
                },
            })
            .collect();
        let first_day = model.warmup_days;
        let days = model.reported_days();
        let count_due = model.theatre_lists.iter().any(|l| l.bed_check_until_hour.is_some());
        Plan {
            ed,
            routes,
            beds: model.pools.iter().map(|p| p.beds).collect(),
            when_full: model.pools.iter().map(|p| p.when_full).collect(),
            cancel_when_boarding: model.pools.iter().map(|p| p.cancel_electives_when_boarding).collect(),
            discharge: DischargeRules::new(model, days_total),
            specialties: SpecialtyPlan::new(model, days_total),
            sessions: electives::sessions(model, days_total),
            lists: model.theatre_lists.iter().map(|l| (l.specialty, l.pool)).collect(),
            check_until: model.theatre_lists.iter().map(|l| l.bed_check_until_hour.map(|h| h * HOUR)).collect(),
            count_due,
            recovery: model
                .theatre_lists
                .iter()
                .map(|l| l.recovery_wait_hours.map(|h| secs(h * f64::from(HOUR))))
                .collect(),
            escalation: model
                .pools
                .iter()
                .map(|p| {
                    p.escalation.as_ref().map(|e| EscalationPlan {
                        max: e.max_beds,
                        step: e.beds_per_step,
                        open_at: e.open_at_occupancy,
                        open_at_boarders: e.open_at_boarders,
                        close_below: e.close_below_occupancy,
                        min_open: e.min_days_open * DAY,
                    })
                })
                .collect(),
            reviews: reviews(model, days_total),
            start: super::start::StartPlan::new(model),
            outlying: model.pools.iter().any(|p| !p.outlie_to.is_empty()).then(|| Outlying {
                to: model.pools.iter().map(|p| p.outlie_to.clone()).collect(),
                guests: (0..model.pools.len())
                    .map(|h| (0..model.pools.len()).filter(|&g| model.pools[g].outlie_to.contains(&h)).collect())
                    .collect(),
                keep: model.pools.iter().map(|p| p.keep_for_own_patients).collect(),
                stay_factor: model.pools.iter().map(|p| p.outlier_stay_factor).collect(),
            }),
            serves: model.pools.iter().map(|p| p.serves.clone()).collect(),
            outbreaks: model
                .pools
                .iter()
                .map(|p| {
                    p.outbreaks.as_ref().map(|o| OutbreakPlan {
                        // A start in a week with chance p: a rate of -ln(1 - p) a week.
                        gap: crate::dist::Distribution::Exponential { mean: 7.0 / -(-o.chance_per_week).ln_1p() }
                            .sampler(f64::from(DAY)),
                        beds: o.beds,
                        days: o.days.sampler(f64::from(DAY)),
                    })
                })
                .collect(),
            opel: model.opel.clone(),
            pathways: (!model.pathways.is_empty()).then(|| PathwayPlan {
                cumulative: model
                    .pools
                    .iter()
                    .map(|p| {
                        let s = p.pathway_shares;
                        [s[0], s[0] + s[1], s[0] + s[1] + s[2]]
                    })
                    .collect(),
                delay: std::array::from_fn(|i| {
                    model.pathways.iter().find(|p| p.index == i).and_then(|p| p.delay_days.clone())
                }),
                limited: std::array::from_fn(|i| {
                    model.pathways.iter().any(|p| p.index == i && p.starts_per_day.is_some())
                }),
            }),
            lounge: model.lounge().map(|l| LoungePlan {
                chairs: l.chairs,
                move_at: l.move_hour * HOUR,
                close_at: l.close_hour * HOUR,
                open: (0..days_total)
                    .map(|d| {
                        let date = model.date_of_day(d);
                        l.weekends || !(crate::calendar::is_weekend(date) || model.calendar.is_bank_holiday(date))
                    })
                    .collect(),
            }),
            leave_extras: !model.pathways.is_empty() || model.lounge().is_some() || count_due,
            leaving_detail: model.reports_leaving(),
            horizon: days_total * DAY,
            window: (first_day * DAY, (first_day + days) * DAY),
            first_day,
            days,
        }
    }

    /// Number of bed pools; the trust-wide total comes after them in every per-pool vector.
    pub fn pools(&self) -> usize {
        self.beds.len()
    }

    /// Length of the reported window, in seconds.
    pub fn window_seconds(&self) -> u32 {
        self.window.1 - self.window.0
    }
}
