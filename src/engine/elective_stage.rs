//! Electives in the event loop: the initial waiting list, referrals drawn
//! onto it, and theatre sessions that book patients into beds or cancel them.

use super::*;

impl Engine<'_> {
    /// Draws one waiting-list patient of specialty `j` referred at `referral`:
    /// urgency, inpatient or day case, and (for inpatients) stay and discharge key.
    pub(super) fn draw_waiter(&self, j: usize, referral: i64, rng: &mut ChaCha8Rng) -> (bool, Waiter) {
        let sp = &self.plan.specialties[j];
        let urgent = unit_f64(rng) < sp.urgent_share;
        let inpatient = unit_f64(rng) < sp.inpatient_share;
        let stay = secs(sp.stay.sample(rng));
        let key = rng.next_u64();
        (urgent, Waiter { referral, stay, key, inpatient })
    }

    /// The waiting list at the start of the simulation, oldest first: the
    /// census's patients of this specialty if it lists any (their referral
    /// dates and urgency as given; day case or inpatient, stay and key drawn
    /// as at referral), else `waiting_list` patients with drawn waits.
    pub(super) fn initial_waiting_list(&mut self, j: usize, rng: &mut ChaCha8Rng) {
        let sp = &self.plan.specialties[j];
        let initial = if let Some(list) = &sp.census_list {
            for &(referral, urgent) in list {
                let (_, w) = self.draw_waiter(j, referral, rng);
                self.waiting[j].push(urgent, w);
            }
            list.len() as u64
        } else {
            for _ in 0..sp.initial {
                let waited = sp.initial_wait.sample(rng).min(1.0e9) as i64;
                let (urgent, w) = self.draw_waiter(j, -waited, rng);
                self.waiting[j].push(urgent, w);
            }
            u64::from(sp.initial)
        };
        self.waiting[j].urgent.make_contiguous().sort_by_key(|w| w.referral);
        self.waiting[j].routine.make_contiguous().sort_by_key(|w| w.referral);
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
        self.scratch.clear();
        for _ in 0..session.slots {
            let (urgent, w) = if let Some(w) = self.waiting[j].urgent.pop_front() {
                (true, w)
            } else if routine_used < session.routine_slots
                && let Some(w) = self.waiting[j].routine.pop_front()
            {
                routine_used += 1;
                (false, w)
            } else {
                break;
            };
            if !w.inpatient {
                treated += 1;
                continue;
            }
            let free = self.gauges[pool].occupied < self.gauges[pool].capacity;
            let boarding = plan.cancel_when_boarding[pool] && !self.queues[pool].is_empty();
            if !urgent && (!free || boarding) {
                cancelled += 1;
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
                urgent,
                ed_place: ed::EdPlace::NotModelled,
                pathway: 0,
            });
            if self.in_window(now) {
                let (t, n) = self.targets(pool);
                for &i in &t[..n] {
                    self.out.pools[i].bed_requests += 1;
                }
            }
            if free {
                self.admit(p, now);
            } else {
                // Urgent: first in line for the next bed, after earlier urgent patients.
                let at = self.urgent_in_queue[pool] as usize;
                self.queues[pool].insert(at, p);
                self.urgent_in_queue[pool] += 1;
                self.change(pool, now, 0, 1);
            }
        }
        // Cancelled patients go back to the front, in their original order.
        for w in self.scratch.drain(..).rev() {
            self.waiting[j].routine.push_front(w);
        }
        for i in [j, all] {
            let e = &mut self.out.electives[i];
            e.treated_total += treated;
            if in_window {
                e.slots += u64::from(session.slots);
                e.scheduled += treated + cancelled;
                e.treated += treated;
                e.cancelled += cancelled;
            }
            if let Some(d) = day {
                e.cancelled_daily[d] += cancelled as u32;
            }
        }
    }
}
