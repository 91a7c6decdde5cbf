//! Electives in the event loop: the initial waiting list, referrals drawn
//! onto it, and theatre sessions that book patients into beds or cancel them.

use super::rng::keyed_unit;
use super::*;

/// Salt of the "not ready for this date" draw, less the patient's deferrals
/// so far (`keyed_unit`'s day argument; see `pathways` for the others).
const NOT_READY_SALT: u32 = u32::MAX - 16;

/// The salt of a patient's next "not ready" draw after `deferrals` of them:
/// one per deferral, all between `NOT_READY_SALT - 255` and
/// `NOT_READY_SALT`, so never a day number (the discharge draws) nor the
/// salts above it (`u32::MAX - 3` to `u32::MAX`: pathways, reviews, hours).
fn not_ready_salt(deferrals: u8) -> u32 {
    NOT_READY_SALT - u32::from(deferrals)
}

impl Engine<'_> {
    /// Draws one waiting-list patient of specialty `j` referred at `referral`:
    /// urgency (or priority category: the same draw, so P1 + P2 are exactly
    /// the urgent), inpatient or day case, and (for inpatients) stay and
    /// discharge key.
    pub(super) fn draw_waiter(&self, j: usize, referral: i64, rng: &mut ChaCha8Rng) -> Waiter {
        let sp = &self.plan.specialties[j];
        let u = unit_f64(rng);
        let class = match &sp.priority {
            Some(p) => p.cumulative.iter().position(|&c| u < c).unwrap_or(3) as u8,
            None if u < sp.urgent_share => 0,
            None => 3,
        };
        let inpatient = unit_f64(rng) < sp.inpatient_share;
        let stay = secs(sp.stay.sample(rng));
        let key = rng.next_u64();
        Waiter { referral, stay, key, inpatient, class, deferrals: 0 }
    }

    /// The waiting list at the start of the simulation, oldest first: the
    /// census's patients of this specialty if it lists any (their referral
    /// dates and urgency as given; day case or inpatient, stay and key drawn
    /// as at referral), else `waiting_list` patients with drawn waits.
    pub(super) fn initial_waiting_list(&mut self, j: usize, rng: &mut ChaCha8Rng) {
        let sp = &self.plan.specialties[j];
        let initial = if let Some(list) = &sp.census_list {
            // A census says urgent or not: with priorities, P2 (P1 if P2 has
            // no share) or P3 (P4 if P3 has none).
            let (urgent, routine) = match &sp.priority {
                Some(p) => (
                    if p.cumulative[1] > p.cumulative[0] { 1 } else { 0 },
                    if p.cumulative[2] > p.cumulative[1] { 2 } else { 3 },
                ),
                None => (0, 3),
            };
            for &(referral, is_urgent) in list {
                let w = self.draw_waiter(j, referral, rng);
                self.waiting[j].push(Waiter { class: if is_urgent { urgent } else { routine }, ..w });
            }
            list.len() as u64
        } else if let Some((cumulative, waits)) = &sp.steady {
            // The steady state: the class by its share of the list, then an
            // age uniform over that class's waits (two draws after the
            // patient's own, from the same stream).
            for _ in 0..sp.initial {
                let w = self.draw_waiter(j, 0, rng);
                let u = unit_f64(rng);
                let class = cumulative.iter().position(|&c| u < c).unwrap_or(3);
                let waited = (unit_f64(rng) * waits[class]).min(1.0e9) as i64;
                self.waiting[j].push(Waiter { referral: -waited, class: class as u8, ..w });
            }
            u64::from(sp.initial)
        } else {
            for _ in 0..sp.initial {
                let waited = sp.initial_wait.sample(rng).min(1.0e9) as i64;
                let w = self.draw_waiter(j, -waited, rng);
                self.waiting[j].push(w);
            }
            u64::from(sp.initial)
        };
        for class in &mut self.waiting[j].classes {
            class.make_contiguous().sort_by_key(|w| w.referral);
        }
        let n = self.plan.specialties.len();
        for i in [j, n] {
            self.out.electives[i].initial_total += initial;
        }
    }

    /// One theatre-list session: see [`electives`] for the rules.
    pub(super) fn theatre_session(&mut self, session: Session, now: u32) {
        let plan = self.plan;
        let (j, pool) = plan.lists[session.list as usize];
        let all = plan.specialties.len();
        let day = self.report_day(now);
        let in_window = day.is_some();
        let mut routine_used = 0;
        let mut treated = 0u64;
        let mut cancelled = 0u64;
        let mut late = 0u64;
        let priority = plan.specialties[j].priority.as_ref();
        if priority.is_some() {
            self.waiting[j].recall(now);
        }
        self.scratch.clear();
        let mut booked = 0;
        while booked < session.slots {
            let Some(w) = self.waiting[j].take(routine_used < session.routine_slots) else { break };
            if let Some(p) = priority
                && p.not_ready > 0.0
                && !w.urgent()
                && keyed_unit(w.key, not_ready_salt(w.deferrals)) < p.not_ready
            {
                // Not ready for this date (routine patients only: an urgent
                // one's date is made to fit): off the list for a while, and
                // the slot goes to the next patient.
                self.waiting[j].defer(w, now.saturating_add(p.deferral));
                continue;
            }
            booked += 1;
            let urgent = w.urgent();
            if !urgent {
                routine_used += 1;
            }
            if let Some(p) = priority {
                late += u64::from(p.is_late(&w, now));
            }
            if !w.inpatient {
                treated += 1;
                continue;
            }
            let free = self.gauges[pool].occupied < self.gauges[pool].capacity;
            let boarding = plan.cancel_when_boarding[pool] && !self.queues[pool].is_empty();
            // With `bed_check_until_hour`, a routine inpatient is booked if a
            // bed is free now or one of the pool's discharges already due
            // before that hour is not yet promised to a patient at the queue's
            // front; booked without a free bed, they wait at the front (promised).
            let promised = !urgent && !free && !boarding && self.bed_due(session.list as usize, pool, now);
            // With `recovery_wait_hours`, one who still finds no bed is booked
            // anyway and waits at the front of the queue, for so long.
            let recovery = plan.recovery[session.list as usize].filter(|_| !urgent && !promised && !free && !boarding);
            if !urgent && !promised && recovery.is_none() && (!free || boarding) {
                cancelled += 1;
                late -= u64::from(priority.is_some_and(|p| p.is_late(&w, now)));
                self.scratch.push(w);
                continue;
            }
            treated += 1;
            let p = self.new_patient(Patient {
                arrival: now,
                decision: now,
                admitted: 0,
                stay: w.stay,
                key: w.key,
                pool: pool as u16,
                state: State::Waiting,
                from_ed: false,
                urgent: urgent || promised || recovery.is_some(),
                ed_place: ed::EdPlace::NotModelled,
                pathway: 0,
            });
            if self.in_window(now) {
                let (t, n) = self.targets(pool);
                for &i in &t[..n] {
                    self.out.pools[i].bed_requests += 1;
                }
            }
            if let Some(r) = recovery {
                let was_late = priority.is_some_and(|p| p.is_late(&w, now));
                self.recovering.push(Recovering {
                    patient: p,
                    specialty: j as u16,
                    session: now,
                    deadline: now.saturating_add(r),
                    late: was_late,
                    waiter: w,
                });
                if now.saturating_add(r) < plan.horizon {
                    self.events.push(now + r, Step::Discharge, Kind::RecoveryTimeout, p);
                }
            }
            if free {
                self.admit(p, now);
            } else {
                // Urgent (or promised): first in line for the next bed, after earlier ones.
                let at = self.urgent_in_queue[pool] as usize;
                self.queues[pool].insert(at, p);
                self.urgent_in_queue[pool] += 1;
                self.change(pool, now, 0, 1);
            }
        }
        // Cancelled patients go back to the front of their class, in their original order.
        for w in self.scratch.drain(..).rev() {
            self.waiting[j].classes[usize::from(w.class)].push_front(w);
        }
        for i in [j, all] {
            let e = &mut self.out.electives[i];
            e.treated_total += treated;
            if in_window {
                e.slots += u64::from(session.slots);
                e.scheduled += treated + cancelled;
                e.treated += treated;
                e.cancelled += cancelled;
                e.treated_after_target += late;
            }
            if let Some(d) = day {
                e.cancelled_daily[d] += cancelled as u32;
            }
        }
    }

    /// With list `list`'s `bed_check_until_hour`: whether a discharge of
    /// `pool` due from `now` to that hour today is left over once the
    /// patients already at the queue's front (urgent and promised electives)
    /// have had theirs.
    fn bed_due(&self, list: usize, pool: usize, now: u32) -> bool {
        let Some(until) = self.plan.check_until[list] else { return false };
        let end = (now / DAY) * DAY + until;
        let due: u32 = self.due[pool][(now / HOUR) as usize..(end / HOUR) as usize].iter().sum();
        due > self.urgent_in_queue[pool]
    }

    /// Patient `p`, urgent, leaves a bed queue for a bed: if they were
    /// waiting in recovery, they are off that list (and stay treated).
    pub(super) fn recovered(&mut self, p: u32) {
        if self.recovering.is_empty() {
            return;
        }
        if let Some(i) = self.recovering.iter().position(|r| r.patient == p) {
            self.recovering.swap_remove(i);
        }
    }

    /// A booked elective's wait in recovery ends at `now` with no bed: the
    /// case is cancelled (counted for the session's day), the patient leaves
    /// the bed queue and goes back on the waiting list with their referral
    /// date. A slot reused since by another patient has another deadline.
    pub(super) fn recovery_timeout(&mut self, p: u32, now: u32) {
        let Some(i) = self.recovering.iter().position(|r| r.patient == p && r.deadline == now) else { return };
        let r = self.recovering.swap_remove(i);
        let pool = usize::from(self.patients[p as usize].pool);
        if let Some(at) = self.queues[pool].iter().position(|&q| q == p) {
            self.queues[pool].remove(at);
            self.urgent_in_queue[pool] -= 1;
            self.change(pool, now, 0, -1);
        }
        self.release(p);
        let class = &mut self.waiting[usize::from(r.specialty)].classes[usize::from(r.waiter.class)];
        let at = class.partition_point(|x| x.referral <= r.waiter.referral);
        class.insert(at, r.waiter);
        let all = self.plan.specialties.len();
        let day = self.report_day(r.session);
        for i in [usize::from(r.specialty), all] {
            let e = &mut self.out.electives[i];
            e.treated_total -= 1;
            if let Some(d) = day {
                e.treated -= 1;
                e.cancelled += 1;
                e.cancelled_daily[d] += 1;
                e.treated_after_target -= u64::from(r.late);
            }
        }
    }
}

/// An elective booked without a bed (`recovery_wait_hours`), waiting for one.
#[derive(Debug, Clone, Copy)]
pub(super) struct Recovering {
    pub(super) patient: u32,
    pub(super) specialty: u16,
    /// The session's start: its day counts the case, treated or cancelled.
    pub(super) session: u32,
    /// When the wait ends (the timeout event's time).
    pub(super) deadline: u32,
    /// Counted as treated after its target at the session.
    pub(super) late: bool,
    /// The waiting-list entry, to go back to the list if cancelled.
    pub(super) waiter: Waiter,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every deferral count has its own salt, in its own range.
    #[test]
    fn not_ready_salts_stay_in_their_range() {
        let salts: Vec<u32> = (0..=255).map(not_ready_salt).collect();
        assert!(salts.iter().all(|&s| (u32::MAX - 16 - 255..=u32::MAX - 16).contains(&s)));
        assert!(salts.windows(2).all(|w| w[1] == w[0] - 1), "one salt per deferral");
    }

    /// A census's waiting list says urgent or not, and with priorities the
    /// classes follow the shares by hand: urgent is P2 (P1 when P2 has no
    /// share), routine P3 (P4 when P3 has none). 30 urgent and 70 routine
    /// census patients, every one in its class whatever the draws (the
    /// census list replaces the specialty's `waiting_list` of 500).
    #[test]
    fn a_census_list_takes_the_classes_its_shares_allow() {
        for (shares, urgent, routine) in [("[0.1, 0.2, 0.3, 0.4]", 1, 2), ("[0.1, 0.0, 0.0, 0.9]", 0, 3)] {
            let text = format!(
                r#"
[scenario]
name = "census-classes"
warmup_days = 0
start = "2027-01-04"
end = "2027-01-11"
replications = 1
seed = 5

[[admissions]]
name = "emergency"
source = "direct"
per_day = 1
pool = "beds"
stay_days = {{ dist = "fixed", value = 1 }}

[[pool]]
name = "beds"
beds = 10

[[specialty]]
name = "surgery"
waiting_list = 500
referrals_per_week = 0
inpatient_share = 0.5
stay_days = {{ dist = "fixed", value = 1 }}
priority_shares = {shares}
priority_target_days = [2, 28, 90, 365]
"#
            );
            let mut model = crate::scenario::parse_str(&text, "test.toml").expect("valid");
            let waiting_list = (0..100)
                .map(|i| crate::model::CensusWaiter { specialty: 0, waited_days: f64::from(i), urgent: i % 10 < 3 })
                .collect();
            model.census = Some(crate::model::Census {
                file: "census.csv".into(),
                sha256: String::new(),
                patients: Vec::new(),
                waiting_list,
            });
            let plan = Plan::new(&model);
            let mut engine = Engine::new(&plan);
            // No referrals and no theatre lists: the list stays as placed.
            engine.run(&super::super::rng::Streams::new(model.seed), 0);
            let sizes: Vec<usize> = engine.waiting[0].classes.iter().map(VecDeque::len).collect();
            let mut expected = vec![0; 4];
            expected[urgent] += 30;
            expected[routine] += 70;
            assert_eq!(sizes, expected, "shares {shares}");
        }
    }
}
