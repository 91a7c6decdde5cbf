//! The discrete-event engine: one replication of the hospital.
//!
//! Knows nothing of TOML, files or plots. [`Plan`] precomputes everything
//! that is the same for every replication (hourly arrival rates, samplers,
//! discharge chances per day); [`Engine`] holds the per-thread scratch state
//! (event heap, patient slots, queues) and is reused across replications, so
//! the event loop allocates nothing per event.
//!
//! Time is integer seconds from midnight of the first warm-up day. What
//! happens at one second goes in the order of [`order::Step`] (discharges,
//! bed requests, theatre sessions, bed meetings, arrivals), decided in that
//! one place; daily census observations (08:00 boarders, midnight occupancy)
//! see the state just before anything that happens at that exact second.
//!
//! Each stage of a patient's journey has its own module of `Engine` methods:
//! `ed` (attendances, decisions), `beds` (requests, queues,
//! admission, discharge, escalation beds), `elective_stage` (waiting lists,
//! theatre sessions), `census` (time integrals, daily readings, OPEL); the
//! event loop in [`Engine::run`] only dispatches.

pub mod arrivals;
mod beds;
mod census;
mod closures;
pub mod discharge;
mod ed;
mod elective_stage;
pub mod electives;
pub mod order;
mod outcome;
mod pathways;
mod plan;
pub mod queue;
pub mod rng;
mod start;

pub use outcome::{EdOutcome, ElectiveOutcome, Outcome, PathwayOutcome, PoolOutcome, TIME_BINS};
pub use plan::Plan;
use plan::*;

use crate::dist::unit_f64;
use crate::model::{DAY, EdCapacity, HOUR, WhenFull};
use arrivals::ArrivalClock;
pub use electives::bytes_per_waiter;
use electives::{Session, WEEKS_18, WEEKS_52, WEEKS_65, Waiter, WaitingList};
use order::{Source, Step};
use queue::{EventQueue, Kind};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::collections::VecDeque;

/// Days simulated after `end` so that attendances on the last reported day
/// finish their ED journey; only ED outcomes of in-window arrivals and bed
/// waits of in-window decisions are counted from them.
pub const COOLDOWN_DAYS: u32 = 2;

/// Most bytes a worker thread's engine holds per patient slot without ED
/// capacity: the `Patient`, its place on the free list, its one pending
/// event (a decision or a discharge) and its place in a bed queue, each in a
/// vector that may have twice the capacity it uses. Slots are reused once
/// free, so this is the worst case, when no patient ever leaves (a stay or
/// decision time beyond the horizon). ED capacity adds to it: see
/// [`bytes_per_patient`].
pub const BYTES_PER_PATIENT: u64 = 2
    * (std::mem::size_of::<Patient>()
        + std::mem::size_of::<u32>()
        + std::mem::size_of::<queue::Event>()
        + std::mem::size_of::<u32>()) as u64;

/// [`BYTES_PER_PATIENT`] for this model: under the ED capacity model a
/// patient's place in an ED queue replaces its place in a bed queue (never
/// both), and it adds an entry in the list of boarders in spaces; a walk-in's
/// give-up event (with `patience_hours`) and a clinician's end of an
/// assessment (with `clinicians`) may stay in the heap after the patient has
/// moved on, one more event each (each doubled for a growing vector).
pub fn bytes_per_patient(model: &crate::model::Model) -> u64 {
    // An elective waiting in recovery (`recovery_wait_hours`) adds an entry
    // and its timeout event.
    let recovery = if model.theatre_lists.iter().any(|l| l.recovery_wait_hours.is_some()) {
        2 * (std::mem::size_of::<elective_stage::Recovering>() + std::mem::size_of::<queue::Event>()) as u64
    } else {
        0
    };
    let Some(c) = model.ed.as_ref().and_then(|e| e.capacity.as_ref()) else { return BYTES_PER_PATIENT + recovery };
    let event = std::mem::size_of::<queue::Event>() as u64;
    BYTES_PER_PATIENT
        + recovery
        + 2 * (std::mem::size_of::<(u32, u32)>() as u64
            + event * u64::from(c.patience_hours.is_some())
            + event * u64::from(c.clinicians.is_some()))
}

/// Most bytes a worker thread's engine holds per waiting-list patient: a
/// `Waiter` in a `VecDeque` that may have twice the capacity it uses.
pub const BYTES_PER_WAITER: u64 = 2 * std::mem::size_of::<Waiter>() as u64;

/// "No further arrival" in an arrival register.
const NEVER: u32 = u32::MAX;
const FOUR_HOURS: u32 = 4 * HOUR;
const TWELVE_HOURS: u32 = 12 * HOUR;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
enum State {
    #[default]
    Free,
    /// In ED, before the decision to admit.
    AwaitingDecision,
    /// Decision made, waiting for a bed.
    Waiting,
    /// In ED, waiting for a treatment space (capacity model only).
    EdQueue,
    /// In ED, not to be admitted, being treated in a space (capacity model only).
    EdTreatment,
    InBed,
    /// In a bed of another pool (an outlier); `pool` is the host's.
    Outlying,
}

#[derive(Debug, Clone, Copy, Default)]
struct Patient {
    arrival: u32,
    decision: u32,
    admitted: u32,
    stay: u32,
    /// Seeds the patient's discharge-day draws.
    key: u64,
    /// Pool index (at most 2,000 pools and wards: see `scenario::limits`).
    pool: u16,
    state: State,
    from_ed: bool,
    /// Where an ED patient is in the department (capacity model only).
    ed_place: ed::EdPlace,
    /// An urgent elective: waits for a bed ahead of emergency patients.
    urgent: bool,
    /// Discharge pathway after the acute stay: 0 for P0 (none), 1-3 for P1-P3.
    pathway: u8,
}

// Two patients to a 64-byte cache line: a new field must fit the padding.
const _: () = assert!(std::mem::size_of::<Patient>() == 32);

/// Live occupancy of one pool (or the trust) and its time integrals.
#[derive(Debug, Clone, Copy, Default)]
struct Gauge {
    occupied: u32,
    waiting: u32,
    last: u32,
    /// Core beds plus open escalation beds.
    capacity: u32,
    core: u32,
}

/// Per-thread scratch state, reused across replications.
pub struct Engine<'p> {
    plan: &'p Plan,
    events: EventQueue,
    patients: Vec<Patient>,
    free: Vec<u32>,
    queues: Vec<VecDeque<u32>>,
    gauges: Vec<Gauge>,
    clocks: Vec<Option<ArrivalClock>>,
    ed_clock: ArrivalClock,
    next_arrival: Vec<u32>,
    waiting: Vec<WaitingList>,
    /// Urgent electives at the front of each pool's bed queue.
    urgent_in_queue: Vec<u32>,
    referral_clocks: Vec<ArrivalClock>,
    scratch: Vec<Waiter>,
    /// Time of each pool's latest escalation opening.
    last_opening: Vec<u32>,
    /// Each pool's core beds by its dated changes (before outbreaks).
    dated: Vec<u32>,
    /// Beds an outbreak closes in each pool now (0: none running).
    outbreak_closed: Vec<u32>,
    /// Beds actually closed by an outbreak (at most the dated beds), and
    /// since when, for the closed bed-seconds.
    infection_closed: Vec<u32>,
    infection_since: Vec<u32>,
    /// Other pools' patients in each pool's beds, and since when (kept
    /// apart from the gauges, which every event touches).
    outliers: Vec<(u32, u32)>,
    /// Each pool's outbreak stream (every pool has one; unused without outbreaks).
    outbreak_rngs: Vec<ChaCha8Rng>,
    out: Outcome,
    /// The ED's spaces, corridor and queues (capacity model only).
    floor: ed::Floor,
    /// Patients waiting for a start of pathway P1, P2, P3, and the starts left today.
    pathway_queues: [VecDeque<u32>; 3],
    pathway_budget: [u32; 3],
    /// The day each pathway's starts left were released.
    budget_day: [u32; 3],
    /// Discharge-lounge chairs taken on each simulated day (with a lounge).
    lounge_booked: Vec<u32>,
    /// Per pool, discharges scheduled by clock hour of the run (with a bed
    /// check that counts discharges due); never decremented: a discharge is
    /// never cancelled, so those after a time are still to come.
    due: Vec<Vec<u32>>,
    /// Electives booked without a bed, waiting in recovery for one
    /// (`recovery_wait_hours`): few at a time, searched by patient.
    recovering: Vec<elective_stage::Recovering>,
    /// OPEL readings checked against a brute-force count, and those of them
    /// with long waiters while urgent electives were queued (tests only).
    #[cfg(test)]
    opel_checks: (u64, u64),
}

impl<'p> Engine<'p> {
    /// An engine for `plan` with empty buffers; each [`Engine::run`] starts from a clean state, so one engine serves
    /// every replication a thread runs.
    pub fn new(plan: &'p Plan) -> Engine<'p> {
        let pools = plan.pools();
        Engine {
            plan,
            events: EventQueue::default(),
            patients: Vec::new(),
            free: Vec::new(),
            queues: vec![VecDeque::new(); pools],
            gauges: vec![Gauge::default(); pools + 1],
            clocks: Vec::new(),
            ed_clock: ArrivalClock::Poisson { t: 0.0 },
            next_arrival: Vec::new(),
            waiting: vec![WaitingList::default(); plan.specialties.len()],
            urgent_in_queue: vec![0; pools],
            referral_clocks: Vec::new(),
            scratch: Vec::new(),
            last_opening: vec![0; pools],
            dated: plan.beds.clone(),
            outbreak_closed: vec![0; pools],
            infection_closed: vec![0; pools],
            infection_since: vec![0; pools],
            outbreak_rngs: Vec::new(),
            outliers: vec![(0, 0); pools],
            out: Outcome::default(),
            floor: ed::Floor::default(),
            pathway_queues: Default::default(),
            pathway_budget: [0; 3],
            budget_day: [0; 3],
            lounge_booked: Vec::new(),
            due: Vec::new(),
            recovering: Vec::new(),
            #[cfg(test)]
            opel_checks: (0, 0),
        }
    }

    fn reset(&mut self) {
        let plan = self.plan;
        self.events.clear();
        self.patients.clear();
        self.free.clear();
        self.queues.iter_mut().for_each(VecDeque::clear);
        self.floor.reset(plan.ed.as_ref().and_then(|e| e.capacity.as_ref()));
        let total_core: u32 = plan.beds.iter().sum();
        for (i, g) in self.gauges.iter_mut().enumerate() {
            let core = plan.beds.get(i).copied().unwrap_or(total_core);
            *g = Gauge { capacity: core, core, ..Gauge::default() };
        }
        self.last_opening.iter_mut().for_each(|t| *t = 0);
        self.dated.copy_from_slice(&plan.beds);
        self.outbreak_closed.iter_mut().for_each(|b| *b = 0);
        self.infection_closed.iter_mut().for_each(|b| *b = 0);
        self.infection_since.iter_mut().for_each(|t| *t = 0);
        self.outliers.iter_mut().for_each(|o| *o = (0, 0));
        self.pathway_queues.iter_mut().for_each(VecDeque::clear);
        self.recovering.clear();
        self.pathway_budget = [0; 3];
        self.budget_day = [0; 3];
        self.lounge_booked.clear();
        if plan.lounge.is_some() {
            self.lounge_booked.resize((plan.horizon / DAY) as usize, 0);
        }
        if plan.count_due {
            self.due.resize(plan.pools(), Vec::new());
            for d in &mut self.due {
                d.clear();
                d.resize((plan.horizon / HOUR) as usize + 1, 0);
            }
        }
        self.clocks.clear();
        self.clocks.extend(plan.routes.iter().map(|r| r.direct.as_ref().map(|(_, c)| *c)));
        self.ed_clock = plan.ed.as_ref().map_or(ArrivalClock::Poisson { t: 0.0 }, |e| e.clock);
        self.waiting.iter_mut().for_each(WaitingList::clear);
        self.urgent_in_queue.iter_mut().for_each(|u| *u = 0);
        self.referral_clocks.clear();
        self.referral_clocks.extend(plan.specialties.iter().map(|_| ArrivalClock::Poisson { t: 0.0 }));
        let days = plan.days as usize;
        let total_beds: u32 = plan.beds.iter().sum();
        let pool = |beds| PoolOutcome {
            beds,
            midnight: vec![0; days],
            boarders_0800: vec![0; days],
            admissions_daily: vec![0; days],
            discharges_daily: vec![0; days],
            escalation_open_daily: vec![0; days],
            escalation_used_daily: vec![0; days],
            escalation_openings_daily: vec![0; days],
            escalation_open_midnight: vec![0; days],
            core_midnight: vec![0; days],
            outliers_midnight: if plan.outlying.is_some() { vec![0; days] } else { Vec::new() },
            nctr_midnight: if plan.leaving_detail { vec![0; days] } else { Vec::new() },
            free_noon: if plan.lounge.is_some() { vec![0; days] } else { Vec::new() },
            ..PoolOutcome::default()
        };
        self.out = Outcome {
            pools: plan.beds.iter().map(|&b| pool(b)).chain(std::iter::once(pool(total_beds))).collect(),
            ed: plan.ed.as_ref().map(|_| EdOutcome {
                attendances: vec![0; days],
                within_4h: vec![0; days],
                over_12h: vec![0; days],
                admitted: vec![0; days],
                admitted_within_4h: vec![0; days],
                in_department_0800: vec![0; days],
                in_department_midnight: vec![0; days],
                boarders_0800: vec![0; days],
                boarders_midnight: vec![0; days],
                minutes_in_department: if plan.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
                    vec![0; outcome::TIME_BINS]
                } else {
                    Vec::new()
                },
                ..EdOutcome::default()
            }),
            electives: if plan.specialties.is_empty() {
                Vec::new()
            } else {
                (0..=plan.specialties.len())
                    .map(|_| ElectiveOutcome {
                        cancelled_daily: vec![0; days],
                        waiting_daily: vec![0; days],
                        under_18_weeks_daily: vec![0; days],
                        over_52_weeks_daily: vec![0; days],
                        urgent_daily: vec![0; days],
                        over_65_weeks_daily: if plan.specialties.iter().any(|s| s.priority.is_some()) {
                            vec![0; days]
                        } else {
                            Vec::new()
                        },
                        ..ElectiveOutcome::default()
                    })
                    .collect()
            },
            opel: if plan.opel.is_some() { vec![1; days] } else { Vec::new() },
            pathways: if plan.pathways.is_some() {
                (0..3).map(|_| PathwayOutcome { nctr_midnight: vec![0; days], ..PathwayOutcome::default() }).collect()
            } else {
                Vec::new()
            },
            discharge_hours: if plan.leaving_detail { vec![0; 24] } else { Vec::new() },
            lounge_moves: 0,
            lounge_seconds: 0,
            events: 0,
            window_seconds: plan.window_seconds(),
        };
    }

    /// What a replication has measured before its first event: every count
    /// zero, every series at full length. Its KPIs have the names, pools,
    /// specialties and series lengths of every replication of this plan.
    pub fn blank(plan: &'p Plan) -> Outcome {
        let mut engine = Engine::new(plan);
        engine.reset();
        engine.out
    }

    /// Runs replication `rep` with its own random streams and returns what it measured.
    pub fn run(&mut self, streams: &rng::Streams, rep: u32) -> Outcome {
        self.reset();
        let plan = self.plan;
        let mut ed_arrivals = streams.stream(rep, rng::ED_ARRIVALS);
        let mut case_mix = streams.stream(rep, rng::ED_CASE_MIX);
        let mut arrival_mode = streams.stream(rep, rng::ED_ARRIVAL_MODE);
        let mut patience = streams.stream(rep, rng::ED_PATIENCE);
        self.ed_start_rota(streams.stream(rep, rng::ED_CLINICIANS));
        let mut route_arrivals: Vec<ChaCha8Rng> =
            (0..plan.routes.len()).map(|k| streams.stream(rep, rng::route_arrivals(k))).collect();
        let mut stays: Vec<ChaCha8Rng> =
            (0..plan.routes.len()).map(|k| streams.stream(rep, rng::route_stays(k))).collect();
        let n_spec = plan.specialties.len();
        let mut referrals: Vec<ChaCha8Rng> =
            (0..n_spec).map(|j| streams.stream(rep, rng::specialty_referrals(j))).collect();
        let mut elective_mix: Vec<ChaCha8Rng> =
            (0..n_spec).map(|j| streams.stream(rep, rng::specialty_case_mix(j))).collect();
        for (j, rng) in elective_mix.iter_mut().enumerate() {
            self.initial_waiting_list(j, rng);
        }
        if plan.start.is_some() {
            self.place_census(streams.stream(rep, rng::CENSUS));
        }
        if plan.outbreaks.iter().any(Option::is_some) {
            self.start_outbreaks(streams, rep);
        }

        // Arrivals live in registers beside the heap rather than in it: slot 0
        // is the ED, slot 1 + k is direct route k, then one slot per
        // specialty's referrals (u32::MAX: no more arrivals). They have the
        // last same-second rank, so one is taken only when it is strictly
        // earlier than the heap's next event and the next theatre session;
        // ties between arrival streams go to the lower slot. Theatre sessions
        // come from a precomputed timetable and run after the heap's events
        // (discharges, decisions) of the same second. This halves the heap traffic.
        self.next_arrival.clear();
        self.next_arrival.push(match &plan.ed {
            Some(ed) => self.ed_clock.next(&ed.rates, &mut ed_arrivals).unwrap_or(NEVER),
            None => NEVER,
        });
        for (k, rng) in route_arrivals.iter_mut().enumerate() {
            let t = self.next_direct(k, rng);
            self.next_arrival.push(t);
        }
        let first_referral = 1 + plan.routes.len();
        for (j, rng) in referrals.iter_mut().enumerate() {
            let t = self.referral_clocks[j].next(&plan.specialties[j].referrals, rng).unwrap_or(NEVER);
            self.next_arrival.push(t);
        }

        // Census ticks: tick 2d is 08:00 of day d, tick 2d+1 is midnight ending day d.
        let mut tick: u32 = 0;
        let mut next_reading = Self::reading_time(0);
        let mut session = 0usize;
        let mut review = 0usize;
        let mut events = 0u64;
        loop {
            let (slot, arrival) = self
                .next_arrival
                .iter()
                .enumerate()
                .fold((0, NEVER), |best, (i, &t)| if t < best.1 { (i, t) } else { best });
            // The next thing to do, in the same-second order of `order::Step`.
            let (now, source) = order::next(
                self.events.peek_time().unwrap_or(NEVER),
                plan.sessions.get(session).map_or(NEVER, |s| s.time),
                plan.reviews.get(review).map_or(NEVER, |r| r.time),
                arrival,
            );
            if now >= plan.horizon {
                break;
            }
            if now >= next_reading {
                next_reading = self.observe_until(&mut tick, now);
            }
            events += 1;
            if source == Source::Heap {
                let Some(ev) = self.events.pop() else { break };
                match ev.kind {
                    Kind::Decision => {
                        self.ed_decided(now);
                        self.request_bed(ev.target, now);
                    }
                    Kind::Discharge => self.discharge(ev.target, now),
                    Kind::EdDeparture => self.ed_departure(ev.target, now),
                    Kind::EdAbandon => self.ed_abandon(ev.target, now),
                    Kind::ClinicianFree => self.ed_clinician_free(now),
                    Kind::RotaChange => self.ed_rota_change(now),
                    Kind::OutbreakStart => self.outbreak_start(ev.target as usize, now),
                    Kind::OutbreakEnd => self.outbreak_end(ev.target as usize, now),
                    Kind::PathwayReady => self.pathway_ready(ev.target, now),
                    Kind::RecoveryTimeout => self.recovery_timeout(ev.target, now),
                }
            } else if source == Source::TheatreSession {
                self.theatre_session(plan.sessions[session], now);
                session += 1;
            } else if source == Source::BedMeeting {
                self.bed_meeting(plan.reviews[review], now);
                review += 1;
            } else if slot == 0 {
                self.next_arrival[0] = match &plan.ed {
                    Some(ed) => self.ed_clock.next(&ed.rates, &mut ed_arrivals).unwrap_or(NEVER),
                    None => NEVER,
                };
                self.ed_arrival(now, &mut case_mix, [&mut arrival_mode, &mut patience], &mut stays);
            } else if slot < first_referral {
                let k = slot - 1;
                self.next_arrival[slot] = self.next_direct(k, &mut route_arrivals[k]);
                let rng = &mut stays[k];
                let stay = secs(plan.routes[k].stay.sample(rng));
                let key = rng.next_u64();
                let p = self.new_patient(Patient {
                    arrival: now,
                    decision: now,
                    admitted: 0,
                    stay,
                    key,
                    pool: plan.routes[k].pool as u16,
                    state: State::Waiting,
                    from_ed: false,
                    urgent: false,
                    ed_place: ed::EdPlace::NotModelled,
                    pathway: 0,
                });
                self.request_bed(p, now);
            } else {
                let j = slot - first_referral;
                self.next_arrival[slot] =
                    self.referral_clocks[j].next(&plan.specialties[j].referrals, &mut referrals[j]).unwrap_or(NEVER);
                let waiter = self.draw_waiter(j, i64::from(now), &mut elective_mix[j]);
                self.waiting[j].push(waiter);
                for i in [j, n_spec] {
                    self.out.electives[i].referred_total += 1;
                }
            }
        }
        self.observe_until(&mut tick, plan.horizon);
        self.finish();
        self.out.events = events;
        std::mem::take(&mut self.out)
    }

    /// Next arrival time of direct route `k` (`NEVER` for ED routes or past the horizon).
    fn next_direct(&mut self, k: usize, rng: &mut ChaCha8Rng) -> u32 {
        match (&self.plan.routes[k].direct, self.clocks[k].as_mut()) {
            (Some((rates, _)), Some(clock)) => clock.next(rates, rng).unwrap_or(NEVER),
            _ => NEVER,
        }
    }

    /// Takes a free patient slot (no allocation once the slab has grown).
    fn new_patient(&mut self, p: Patient) -> u32 {
        match self.free.pop() {
            Some(i) => {
                self.patients[i as usize] = p;
                i
            }
            None => {
                self.patients.push(p);
                (self.patients.len() - 1) as u32
            }
        }
    }
}

#[cfg(test)]
mod tests;
