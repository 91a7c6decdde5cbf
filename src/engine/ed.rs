//! The emergency department: an attendance is admitted or not, waits for a
//! decision to admit, and leaves ED when it gets a bed (or is diverted).
//!
//! Without `[ed] spaces` the department never fills: every attendance is
//! assessed at once. With them ([`crate::model::EdCapacity`]) this stage owns
//! the department's state ([`Floor`]): free treatment spaces and corridor
//! places, the queues for a space (ambulance handovers before walk-ins) and
//! the admitted patients holding a space while they wait for a bed (exit
//! block). A space is given in one place, [`Engine::ed_fill`], whenever one
//! may have become usable (an arrival, a departure, a boarder's decision).

use super::*;

/// `Patient::pool` of an attendance that will not be admitted.
const NOT_ADMITTED: u16 = u16::MAX;

/// Handover time an ambulance is allowed before hours count as lost (the NHS
/// standard is 15 minutes).
const HANDOVER_STANDARD: u32 = 15 * 60;

#[cfg(test)]
#[path = "ed_tests.rs"]
mod tests;

/// Where an ED patient is, under the capacity model (`NotModelled` without it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(super) enum EdPlace {
    /// No ED capacity model, or not an ED patient.
    #[default]
    NotModelled,
    /// Waiting for a treatment space (in an ambulance or the waiting room).
    Queue,
    /// In a treatment space: being assessed, or admitted and waiting for a bed.
    Space,
    /// Admitted, waiting for a bed in a corridor place.
    Corridor,
    /// In a minors space (streamed at arrival; never admitted).
    Minors,
    /// Has left the department.
    Left,
}

/// The department's state under the capacity model, reset each replication.
#[derive(Debug, Default)]
pub(super) struct Floor {
    free_spaces: u32,
    free_corridor: u32,
    /// Ambulance arrivals waiting to be handed over, first come first served.
    ambulances: VecDeque<u32>,
    /// Walk-ins waiting for a space.
    walk_ins: VecDeque<u32>,
    /// Free minors spaces, and the patients streamed to minors waiting for one.
    free_minors: u32,
    minors: VecDeque<u32>,
    /// Admitted patients holding a space while they wait for a bed, by
    /// decision time, as (patient, arrival): entries whose patient has since
    /// left are skipped when met. Kept only when there is a corridor.
    boarders: VecDeque<(u32, u32)>,
    /// Patients being assessed or treated in a space (the rest of the
    /// occupied spaces hold admitted patients waiting for a bed).
    assessing: u32,
    /// Queue entries of walk-ins who left without being seen: skipped (and
    /// their slots freed) when reached, so a slot is never reused while an
    /// entry still names it.
    abandoned: u32,
    /// Admitted patients waiting for a bed in a space or the corridor.
    waiting_for_bed: WindowCount,
    /// Clinicians busy with a patient; patients in a main space waiting for
    /// one; the stream of clinicians' times (with a rota only).
    clinicians_busy: u32,
    to_be_seen: VecDeque<u32>,
    clinician_rng: Option<ChaCha8Rng>,
    /// Patients in the corridor.
    in_corridor: WindowCount,
}

/// A count of patients and its time integral over the reported window: the
/// corridor and the boarders in ED both need one.
#[derive(Debug, Default, Clone, Copy)]
struct WindowCount {
    count: u32,
    /// When `count` last changed.
    since: u32,
}

impl WindowCount {
    /// Patient-seconds of the count within `window` since its last change up
    /// to `now`; then the count changes by `delta`.
    fn change(&mut self, now: u32, delta: i32, window: (u32, u32)) -> u64 {
        let (from, to) = (self.since.max(window.0), now.min(window.1));
        let area = if to > from { u64::from(self.count) * u64::from(to - from) } else { 0 };
        self.count = self.count.wrapping_add_signed(delta);
        self.since = now;
        area
    }
}

impl Floor {
    /// Empties the department for a new replication.
    pub(super) fn reset(&mut self, capacity: Option<&EdCapacity>) {
        self.free_spaces = capacity.map_or(0, |c| c.spaces);
        self.free_corridor = capacity.map_or(0, |c| c.corridor_spaces);
        self.ambulances.clear();
        self.walk_ins.clear();
        self.free_minors = capacity.and_then(|c| c.minors.as_ref()).map_or(0, |m| m.spaces);
        self.minors.clear();
        self.boarders.clear();
        self.in_corridor = WindowCount::default();
        self.assessing = 0;
        self.abandoned = 0;
        self.waiting_for_bed = WindowCount::default();
        self.clinicians_busy = 0;
        self.to_be_seen.clear();
        self.clinician_rng = None;
    }

    /// Patients in (main) spaces and corridor places.
    fn occupied(&self, capacity: &EdCapacity) -> u32 {
        capacity.spaces - self.free_spaces + self.in_corridor.count
    }

    /// Patients in minors spaces.
    fn in_minors(&self, capacity: &EdCapacity) -> u32 {
        capacity.minors.as_ref().map_or(0, |m| m.spaces) - self.free_minors
    }
}

impl Engine<'_> {
    pub(super) fn ed_arrival(
        &mut self,
        now: u32,
        case_mix: &mut ChaCha8Rng,
        [mode, patience]: [&mut ChaCha8Rng; 2],
        stays: &mut [ChaCha8Rng],
    ) {
        let plan = self.plan;
        let Some(ed) = &plan.ed else { return };
        if let Some(d) = self.report_day(now)
            && let Some(e) = self.out.ed.as_mut()
        {
            e.attendances[d] += 1;
        }
        // The same draws in the same order with or without capacity, so the
        // case mix and stays stay common random numbers across both.
        let admitted = unit_f64(case_mix) < ed.admission_probability;
        let (pool, assessment, stay, key) = if admitted {
            let u = unit_f64(case_mix);
            let k = ed
                .route_cumulative
                .iter()
                .find(|(upper, _)| u < *upper)
                .or(ed.route_cumulative.last())
                .map_or(0, |(_, k)| *k);
            let assessment = secs(ed.to_decision.sample(case_mix));
            let rng = &mut stays[k];
            let stay = secs(plan.routes[k].stay.sample(rng));
            (plan.routes[k].pool as u16, assessment, stay, rng.next_u64())
        } else {
            (NOT_ADMITTED, 0, secs(ed.in_department.sample(case_mix)), 0)
        };
        let capacity = ed.capacity.as_ref();
        if capacity.is_none() && !admitted {
            self.ed_leaves(now, stay, false);
            return;
        }
        let (decision, state, ed_place) = match capacity {
            // Without capacity the assessment starts on arrival.
            None => (now.saturating_add(assessment), State::AwaitingDecision, EdPlace::NotModelled),
            // Until a space is free, `decision` holds how long the assessment will take.
            Some(_) => (assessment, State::EdQueue, EdPlace::Queue),
        };
        let p = self.new_patient(Patient {
            arrival: now,
            decision,
            admitted: 0,
            stay,
            key,
            pool,
            state,
            from_ed: true,
            urgent: false,
            ed_place,
            pathway: 0,
        });
        let Some(capacity) = capacity else {
            if decision < plan.horizon {
                self.events.push(decision, Step::BedRequest, Kind::Decision, p);
            }
            return;
        };
        // Arrival mode and streaming from their own stream, two draws for every
        // attendance whatever the settings: changing the ambulance share or the
        // minors stream changes no other draw (common random numbers).
        let (u_mode, u_stream) = (unit_f64(mode), unit_f64(mode));
        let ambulance = u_mode < capacity.ambulance_by_hour[((now / HOUR) % 24) as usize];
        let to_minors = !ambulance && !admitted && capacity.minors.as_ref().is_some_and(|m| u_stream < m.share);
        // Patience from its own stream, one draw for every attendance: only
        // walk-ins who will not be admitted may leave without being seen.
        let gives_up = ed.patience.as_ref().map(|s| now.saturating_add(secs(s.sample(patience))));
        if let Some(deadline) = gives_up.filter(|&t| !ambulance && !admitted && t < plan.horizon) {
            // Until seen, `admitted` holds the time the patient would give up.
            self.patients[p as usize].admitted = deadline;
            self.events.push(deadline, Step::Discharge, Kind::EdAbandon, p);
        }
        if to_minors {
            self.floor.minors.push_back(p);
        } else if ambulance {
            self.floor.ambulances.push_back(p);
        } else {
            self.floor.walk_ins.push_back(p);
        }
        self.ed_fill(now);
    }

    /// Gives free spaces to waiting patients (ambulances first), moving the
    /// longest-waiting boarder in a space to a free corridor place when no
    /// space is free and someone waits for one.
    pub(super) fn ed_fill(&mut self, now: u32) {
        let plan = self.plan;
        let Some(capacity) = plan.ed.as_ref().and_then(|e| e.capacity.as_ref()) else { return };
        while self.floor.free_minors > 0 {
            let Some(p) = self.floor.minors.pop_front() else { break };
            if self.skip_if_gone(p) {
                continue;
            }
            self.floor.free_minors -= 1;
            self.start_assessment(p, false, EdPlace::Minors, now);
        }
        loop {
            // Walk-ins who left unseen are skipped first, so "someone is
            // waiting" below means a patient who is still there.
            while let Some(&p) = self.floor.walk_ins.front()
                && self.patients[p as usize].ed_place != EdPlace::Queue
            {
                self.floor.walk_ins.pop_front();
                self.skip_if_gone(p);
            }
            let from_ambulance = !self.floor.ambulances.is_empty();
            if !from_ambulance && self.floor.walk_ins.is_empty() {
                break;
            }
            if self.floor.free_spaces == 0 {
                if self.floor.free_corridor > 0
                    && let Some(b) = self.next_boarder_in_space()
                {
                    self.corridor_change(now, 1);
                    self.patients[b as usize].ed_place = EdPlace::Corridor;
                    self.floor.free_corridor -= 1;
                    self.floor.free_spaces += 1;
                    continue;
                }
                break;
            }
            let queue = if from_ambulance { &mut self.floor.ambulances } else { &mut self.floor.walk_ins };
            let Some(p) = queue.pop_front() else { break };
            if self.skip_if_gone(p) {
                continue;
            }
            self.floor.free_spaces -= 1;
            self.start_assessment(p, from_ambulance, EdPlace::Space, now);
            self.ed_peak(now, capacity);
        }
    }

    /// A queue entry of a walk-in who left without being seen: frees the slot
    /// (no entry names it any more) and says to skip it.
    fn skip_if_gone(&mut self, p: u32) -> bool {
        if self.patients[p as usize].ed_place == EdPlace::Queue {
            return false;
        }
        self.floor.abandoned -= 1;
        self.release(p);
        true
    }

    /// A walk-in's patience runs out: if still waiting for a space (and this
    /// is their deadline, not a later patient's in a reused slot), they leave
    /// without being seen; their queue entry is skipped when reached.
    pub(super) fn ed_abandon(&mut self, p: u32, now: u32) {
        let pat = self.patients[p as usize];
        if pat.state != State::EdQueue || pat.ed_place != EdPlace::Queue || pat.admitted != now {
            return;
        }
        self.ed_leaves(pat.arrival, now - pat.arrival, false);
        if self.report_day(pat.arrival).is_some()
            && let Some(e) = self.out.ed.as_mut()
        {
            e.left_without_being_seen += 1;
        }
        self.patients[p as usize].ed_place = EdPlace::Left;
        self.floor.abandoned += 1;
    }

    /// The first boarder in the list still waiting in a space, if any.
    fn next_boarder_in_space(&mut self) -> Option<u32> {
        while let Some((b, arrival)) = self.floor.boarders.pop_front() {
            if self.boards_in_space(b, arrival) {
                return Some(b);
            }
        }
        None
    }

    /// Whether a boarders-list entry (patient, arrival) still names a patient
    /// waiting for a bed in a space (not one who has left, nor a later
    /// patient in the same slot).
    fn boards_in_space(&self, b: u32, arrival: u32) -> bool {
        let pat = &self.patients[b as usize];
        pat.state == State::Waiting && pat.ed_place == EdPlace::Space && pat.arrival == arrival
    }

    /// Patient `p` takes a space: the handover and space-wait clocks stop, the
    /// assessment starts.
    fn start_assessment(&mut self, p: u32, ambulance: bool, place: EdPlace, now: u32) {
        let plan = self.plan;
        let pat = &mut self.patients[p as usize];
        pat.ed_place = place;
        self.floor.assessing += u32::from(place == EdPlace::Space);
        let arrival = pat.arrival;
        let wait = now - arrival;
        self.count_space_wait(arrival, wait, ambulance);
        if place == EdPlace::Space && plan.ed.as_ref().is_some_and(|e| e.clinicians.is_some()) {
            // In a space, waiting to be seen: `decision` (admitted) and `stay`
            // (not admitted) still hold how long the assessment will take.
            let pat = &mut self.patients[p as usize];
            pat.state = if pat.pool == NOT_ADMITTED { State::EdTreatment } else { State::AwaitingDecision };
            self.floor.to_be_seen.push_back(p);
            self.ed_see(now);
        } else {
            self.begin_treatment(p, now);
        }
    }

    /// Patient `p`'s assessment starts: the decision to admit, or leaving,
    /// is scheduled.
    fn begin_treatment(&mut self, p: u32, now: u32) {
        let plan = self.plan;
        let pat = &mut self.patients[p as usize];
        let assessment = pat.decision;
        if pat.pool == NOT_ADMITTED {
            pat.state = State::EdTreatment;
            let leave = now.saturating_add(pat.stay);
            if leave < plan.horizon {
                self.events.push(leave, Step::Discharge, Kind::EdDeparture, p);
            }
        } else {
            pat.state = State::AwaitingDecision;
            pat.decision = now.saturating_add(assessment);
            if pat.decision < plan.horizon {
                self.events.push(pat.decision, Step::BedRequest, Kind::Decision, p);
            }
        }
    }

    /// Gives the waiting patients to the clinicians free in this clock hour.
    fn ed_see(&mut self, now: u32) {
        let plan = self.plan;
        let Some((rota, minutes)) = plan.ed.as_ref().and_then(|e| e.clinicians.as_ref()) else { return };
        let on_duty = rota[((now / HOUR) % 24) as usize];
        while self.floor.clinicians_busy < on_duty {
            let Some(p) = self.floor.to_be_seen.pop_front() else { break };
            self.floor.clinicians_busy += 1;
            if let Some(rng) = self.floor.clinician_rng.as_mut() {
                let free_at = now.saturating_add(secs(minutes.sample(rng)));
                if free_at < plan.horizon {
                    self.events.push(free_at, Step::Discharge, Kind::ClinicianFree, p);
                }
            }
            self.begin_treatment(p, now);
        }
    }

    /// A clinician is free: they see the next patient if still on duty.
    pub(super) fn ed_clinician_free(&mut self, now: u32) {
        self.floor.clinicians_busy -= 1;
        self.ed_see(now);
    }

    /// A clock hour starts: more clinicians may be on duty (fewer let the busy
    /// ones finish), and the next hour's change is scheduled.
    pub(super) fn ed_rota_change(&mut self, now: u32) {
        self.ed_see(now);
        let next = now.saturating_add(HOUR);
        if next < self.plan.horizon {
            self.events.push(next, Step::Discharge, Kind::RotaChange, 0);
        }
    }

    /// With a clinicians' rota: their stream, and the first hour change.
    pub(super) fn ed_start_rota(&mut self, rng: ChaCha8Rng) {
        if self.plan.ed.as_ref().is_some_and(|e| e.clinicians.is_some()) {
            self.floor.clinician_rng = Some(rng);
            if HOUR < self.plan.horizon {
                self.events.push(HOUR, Step::Discharge, Kind::RotaChange, 0);
            }
        }
    }

    /// A patient not admitted leaves the department at the end of their treatment.
    pub(super) fn ed_departure(&mut self, p: u32, now: u32) {
        if self.patients[p as usize].ed_place == EdPlace::Space {
            self.floor.assessing -= 1;
        }
        let arrival = self.patients[p as usize].arrival;
        self.ed_leaves(arrival, now - arrival, false);
        self.ed_vacate(p, now);
        self.release(p);
    }

    /// An ED patient's assessment ends with the decision to admit (before
    /// they ask for a bed): under the capacity model they stop counting as
    /// being assessed.
    pub(super) fn ed_decided(&mut self, now: u32) {
        if self.plan.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
            self.floor.assessing -= 1;
            self.boarders_change(now, 1);
        }
    }

    /// ED boarder-seconds within the reported window, up to `now`, then the
    /// count of admitted patients waiting in ED for a bed changes by `delta`.
    fn boarders_change(&mut self, now: u32, delta: i32) {
        let area = self.floor.waiting_for_bed.change(now, delta, self.plan.window);
        if let Some(e) = self.out.ed.as_mut() {
            e.boarder_seconds += area;
        }
    }

    /// The department at a census reading of reported day `d` (capacity
    /// model only): everyone in it (waiting for a space, in a space or in the
    /// corridor), and of them the admitted waiting for a bed.
    pub(super) fn ed_census(&mut self, d: usize, morning: bool) {
        let Some(capacity) = self.plan.ed.as_ref().and_then(|e| e.capacity.as_ref()) else { return };
        let f = &self.floor;
        let in_place = f.occupied(capacity);
        let waiting = f.ambulances.len() + f.walk_ins.len() + f.minors.len() - f.abandoned as usize;
        let everyone = in_place + f.in_minors(capacity) + waiting as u32;
        let boarders = in_place - f.assessing;
        if let Some(e) = self.out.ed.as_mut() {
            let (all, waiting) = if morning {
                (&mut e.in_department_0800, &mut e.boarders_0800)
            } else {
                (&mut e.in_department_midnight, &mut e.boarders_midnight)
            };
            all[d] = everyone;
            waiting[d] = boarders;
        }
    }

    /// An admitted ED patient found no bed: they keep their space (or, with a
    /// corridor, may be moved there when someone needs the space).
    pub(super) fn ed_boards(&mut self, p: u32, now: u32) {
        if self.patients[p as usize].ed_place != EdPlace::Space || self.floor.free_corridor_total() == 0 {
            return;
        }
        // Forget boarders who have left before remembering this one.
        while let Some(&(b, arrival)) = self.floor.boarders.front()
            && !self.boards_in_space(b, arrival)
        {
            self.floor.boarders.pop_front();
        }
        let arrival = self.patients[p as usize].arrival;
        self.floor.boarders.push_back((p, arrival));
        self.ed_fill(now);
    }

    /// Patient `p` leaves the department (to a bed, diverted or home): their
    /// space or corridor place goes to whoever waits.
    pub(super) fn ed_vacate(&mut self, p: u32, now: u32) {
        let pat = self.patients[p as usize];
        // An admitted patient leaves ED only after their decision: a boarder.
        if pat.pool != NOT_ADMITTED && matches!(pat.ed_place, EdPlace::Space | EdPlace::Corridor) {
            self.boarders_change(now, -1);
        }
        match pat.ed_place {
            EdPlace::Space => self.floor.free_spaces += 1,
            EdPlace::Minors => self.floor.free_minors += 1,
            EdPlace::Corridor => {
                self.corridor_change(now, -1);
                self.floor.free_corridor += 1;
            }
            EdPlace::NotModelled | EdPlace::Queue | EdPlace::Left => return,
        }
        self.patients[p as usize].ed_place = EdPlace::Left;
        self.ed_fill(now);
    }

    /// Corridor patient-seconds within the reported window, up to `now`, then
    /// the corridor count changes by `delta`.
    fn corridor_change(&mut self, now: u32, delta: i32) {
        let area = self.floor.in_corridor.change(now, delta, self.plan.window);
        if let Some(e) = self.out.ed.as_mut() {
            e.corridor_seconds += area;
        }
    }

    /// The ED's peak starts from the patients already in its spaces and
    /// corridor when the reported window opens (as the bed peaks do).
    pub(super) fn ed_peak_at_window_start(&mut self) {
        let plan = self.plan;
        if let Some(capacity) = plan.ed.as_ref().and_then(|e| e.capacity.as_ref()) {
            self.record_peak(capacity);
        }
    }

    /// Keeps the most patients in spaces and corridor places at once (in the window).
    fn ed_peak(&mut self, now: u32, capacity: &EdCapacity) {
        if self.in_window(now) {
            self.record_peak(capacity);
        }
    }

    fn record_peak(&mut self, capacity: &EdCapacity) {
        let n = self.floor.occupied(capacity);
        if let Some(e) = self.out.ed.as_mut() {
            e.occupancy_peak = e.occupancy_peak.max(n);
        }
    }

    /// Closes the books at the horizon: the corridor's time integral, and the
    /// patients still waiting for a space, counted with their wait so far
    /// (as bed waits are), so a department that never empties shows it.
    pub(super) fn ed_finish(&mut self) {
        let horizon = self.plan.horizon;
        self.corridor_change(horizon, 0);
        self.boarders_change(horizon, 0);
        fn queue_of(f: &mut Floor, which: usize) -> &mut VecDeque<u32> {
            match which {
                0 => &mut f.ambulances,
                1 => &mut f.walk_ins,
                _ => &mut f.minors,
            }
        }
        for which in 0..3 {
            let queue = std::mem::take(queue_of(&mut self.floor, which));
            for &p in &queue {
                let pat = self.patients[p as usize];
                if pat.ed_place == EdPlace::Queue {
                    self.count_space_wait(pat.arrival, horizon - pat.arrival, which == 0);
                }
            }
            // Give the queue's allocation back for the next replication.
            let slot = queue_of(&mut self.floor, which);
            *slot = queue;
            slot.clear();
        }
    }

    /// One wait for a treatment space (and, for an ambulance, its handover),
    /// against the arrival's day.
    fn count_space_wait(&mut self, arrival: u32, wait: u32, ambulance: bool) {
        if self.report_day(arrival).is_some()
            && let Some(e) = self.out.ed.as_mut()
        {
            e.space_waits += 1;
            e.space_wait_seconds += u64::from(wait);
            if ambulance {
                e.handovers_over_30m += u32::from(wait > 30 * 60);
                e.handovers_over_60m += u32::from(wait > 60 * 60);
                e.handover_seconds_lost += u64::from(wait.saturating_sub(HANDOVER_STANDARD));
            }
        }
    }

    /// An ED patient's wait for a bed from the decision to admit (in the
    /// window): over 12 hours it is an NHS 12-hour trolley wait.
    pub(super) fn ed_trolley_wait(&mut self, wait: u32) {
        if let Some(e) = self.out.ed.as_mut() {
            e.over_12h_from_dta += u32::from(wait > TWELVE_HOURS);
        }
    }

    /// Records an ED attendance's time in department against its arrival day.
    pub(super) fn ed_leaves(&mut self, arrival: u32, duration: u32, admitted: bool) {
        if let Some(d) = self.report_day(arrival)
            && let Some(e) = self.out.ed.as_mut()
        {
            let within = u32::from(duration <= FOUR_HOURS);
            e.within_4h[d] += within;
            e.over_12h[d] += u32::from(duration > TWELVE_HOURS);
            e.seconds_in_department += u64::from(duration);
            let bins = e.minutes_in_department.len();
            if bins > 0 {
                e.minutes_in_department[(duration / 60).min(bins as u32 - 1) as usize] += 1;
            }
            if admitted {
                e.admitted[d] += 1;
                e.admitted_within_4h[d] += within;
            }
        }
    }
}

impl Floor {
    /// Whether the department has a corridor at all (free or used places).
    fn free_corridor_total(&self) -> u32 {
        self.free_corridor + self.in_corridor.count
    }
}
