//! Leaving hospital after the acute stay: discharge pathways (P1-P3), the
//! discharge lounge, and the books of patients who no longer meet the
//! criteria to reside (NCTR) and of the clock hours of discharge.
//!
//! A patient's acute stay ends at `ready` (admission plus `stay_days`: the
//! time they meet the criteria to reside). Their pathway is a draw on their
//! own key against their home pool's `pathway_shares` (so it never depends
//! on what else happens: common random numbers). P0 leaves by the discharge
//! rules from `ready`. P1-P3 first wait the pathway's `delay_days` (a keyed
//! draw too), then, for a pathway with a number of starts a day, join its
//! queue: each midnight the day's starts go to the queue, first come first
//! served, and what is left serves patients joining later that day (starts
//! not used are lost). A started patient leaves by the discharge rules from
//! the start. Throughout, the patient keeps their bed.
//!
//! NCTR: a patient in a bed after `ready` (waiting for a pathway, for the
//! discharge hour or past a weekend), counted at each midnight reading and
//! as bed-seconds, for the pool whose bed it is and the trust, and at
//! midnight by pathway.

use super::rng::keyed_unit;
use super::*;

/// Salts of the pathway draws (`keyed_unit`'s day argument; the discharge
/// rules use `u32::MAX` and `u32::MAX - 1`, the daily window real days).
const PATHWAY_SALT: u32 = u32::MAX - 2;
const DELAY_SALT: u32 = u32::MAX - 3;

impl Engine<'_> {
    /// Schedules the leaving of patient `p`, now in a bed, whose acute stay
    /// ends at `ready`; `home` is the pool whose pathway shares apply (its
    /// own, even when it lies elsewhere).
    #[inline(always)]
    pub(super) fn schedule_leave(&mut self, p: u32, ready: u32, home: usize) {
        let plan = self.plan;
        if !plan.leave_extras {
            // The plain path (no pathway, lounge or due-discharge count), as
            // before any of them existed.
            if let Some(t) = plan.discharge.leave_time(ready, self.patients[p as usize].key)
                && t < plan.horizon
            {
                self.events.push(t, Step::Discharge, Kind::Discharge, p);
            }
        } else if plan.pathways.is_some() {
            self.schedule_pathway(p, ready, home);
        } else {
            self.leave_from(p, ready);
        }
    }

    /// [`Engine::schedule_leave`] with pathways: out of line, so a model
    /// without them keeps the plain path inlined.
    #[inline(never)]
    fn schedule_pathway(&mut self, p: u32, ready: u32, home: usize) {
        let plan = self.plan;
        let Some(pw) = &plan.pathways else {
            return self.leave_from(p, ready);
        };
        let key = self.patients[p as usize].key;
        let u = keyed_unit(key, PATHWAY_SALT);
        let Some(k) = pw.cumulative[home].iter().position(|&c| u < c) else {
            return self.leave_from(p, ready);
        };
        self.join_pathway(p, k, ready, 0.0);
    }

    /// A census patient already on pathway `k` (1-3) for `waited` days at
    /// time 0: the rest of the pathway's delay given the time waited, then
    /// the queue or the discharge rules. A pathway the scenario does not
    /// have (or P0): ready now.
    pub(super) fn schedule_known_pathway(&mut self, p: u32, k: usize, waited: f64) {
        if self.plan.pathways.is_none() || !(1..=3).contains(&k) {
            return self.leave_from(p, 0);
        }
        self.join_pathway(p, k - 1, 0, waited);
    }

    /// Patient `p`, ready at `ready` and `waited` days into pathway `k`
    /// (0-2)'s delay, waits the rest of it (the keyed draw, given the time
    /// waited), then joins the pathway's queue or leaves by the discharge rules.
    fn join_pathway(&mut self, p: u32, k: usize, ready: u32, waited: f64) {
        let plan = self.plan;
        let Some(pw) = &plan.pathways else {
            return self.leave_from(p, ready);
        };
        self.patients[p as usize].pathway = k as u8 + 1;
        let key = self.patients[p as usize].key;
        let delay = pw.delay[k]
            .as_ref()
            .map_or(0, |d| secs(d.residual(waited.max(0.0), keyed_unit(key, DELAY_SALT)) * f64::from(DAY)));
        let joins = ready.saturating_add(delay);
        if pw.limited[k] {
            if joins < plan.horizon {
                self.events.push(joins, Step::Discharge, Kind::PathwayReady, p);
            }
        } else {
            self.pathway_started(k, ready, joins);
            self.leave_from(p, joins);
        }
    }

    /// Patient `p` may leave from `from` on: the discharge rules give the
    /// time, and a lounge chair may free the bed earlier that day.
    #[inline(never)]
    fn leave_from(&mut self, p: u32, from: u32) {
        let plan = self.plan;
        let Some(t) = plan.discharge.leave_time(from, self.patients[p as usize].key) else { return };
        let t = if plan.lounge.is_some() { self.lounge(t, from) } else { t };
        if t < plan.horizon {
            self.events.push(t, Step::Discharge, Kind::Discharge, p);
            if plan.count_due {
                self.due[usize::from(self.patients[p as usize].pool)][(t / HOUR) as usize] += 1;
            }
        }
    }

    /// The time a patient due to leave at `leave`, and ready (or started on
    /// their pathway) at `from`, gives up their bed: the lounge's move time
    /// that day if the lounge is open, the patient is due later that day
    /// but before it closes, is ready by then, and a chair is left (chairs
    /// go to patients in the order their leaving is settled; everyone moves
    /// at one time, so a day's moves are at most the chairs).
    #[inline(never)]
    fn lounge(&mut self, leave: u32, from: u32) -> u32 {
        let Some(l) = &self.plan.lounge else { return leave };
        let day = (leave / DAY) as usize;
        let moves = (leave / DAY) * DAY + l.move_at;
        let fits = leave > moves && leave - moves + l.move_at <= l.close_at && from <= moves;
        if !(fits && l.open.get(day).copied().unwrap_or(false) && self.lounge_booked[day] < l.chairs) {
            return leave;
        }
        self.lounge_booked[day] += 1;
        if self.in_window(moves) {
            self.out.lounge_moves += 1;
            self.out.lounge_seconds += u64::from(leave - moves);
        }
        moves
    }

    /// Patient `p`'s pathway delay is over: they start at once if a start is
    /// left today, or join the pathway's queue.
    pub(super) fn pathway_ready(&mut self, p: u32, now: u32) {
        let k = usize::from(self.patients[p as usize].pathway) - 1;
        // A start left from an earlier day is gone: at midnight the patient
        // joins the queue, which the new day's starts then serve first.
        if self.pathway_budget[k] > 0 && self.budget_day[k] == now / DAY {
            self.pathway_budget[k] -= 1;
            self.start_pathway(p, now);
        } else {
            self.pathway_queues[k].push_back(p);
            if self.in_window(now) {
                let o = &mut self.out.pathways[k];
                o.queue_peak = o.queue_peak.max(self.pathway_queues[k].len() as u32);
            }
        }
    }

    /// Midnight: pathway `k`'s starts for the day, to its queue first.
    pub(super) fn pathway_day(&mut self, k: usize, starts: u32, now: u32) {
        self.pathway_budget[k] = starts;
        self.budget_day[k] = now / DAY;
        while self.pathway_budget[k] > 0 {
            let Some(p) = self.pathway_queues[k].pop_front() else { break };
            self.pathway_budget[k] -= 1;
            self.start_pathway(p, now);
        }
    }

    /// Patient `p` starts their pathway at `now` and leaves by the discharge rules.
    fn start_pathway(&mut self, p: u32, now: u32) {
        let pat = self.patients[p as usize];
        self.pathway_started(usize::from(pat.pathway) - 1, pat.admitted.saturating_add(pat.stay), now);
        self.leave_from(p, now);
    }

    /// A start of pathway `k` at `start` for a patient ready at `ready`: its wait, if the start is in the window.
    fn pathway_started(&mut self, k: usize, ready: u32, start: u32) {
        if self.in_window(start) {
            let o = &mut self.out.pathways[k];
            o.starts += 1;
            o.wait_seconds += u64::from(start - ready);
        }
    }

    /// Patient `pat` gives up a bed of `bed` at `now` (discharge, or the end
    /// of the run): their time past `ready` in NCTR, and (when `left`) the
    /// clock hour of the discharge.
    #[inline(never)]
    pub(super) fn count_leaving(&mut self, pat: Patient, bed: usize, now: u32, left: bool) {
        let ready = pat.admitted.saturating_add(pat.stay);
        if left && let Some(_) = self.report_day(now) {
            self.out.discharge_hours[((now % DAY) / HOUR) as usize] += 1;
        }
        if ready >= now {
            return;
        }
        let area = self.seconds_in_window(ready, now);
        let days = i64::from(self.plan.days);
        let first = i64::from(self.plan.first_day);
        // Midnight readings k (at (first_day + k + 1) days) with ready < reading <= now.
        let lo = (i64::from(ready / DAY) - first).max(0);
        let hi = (i64::from(now / DAY) - first - 1).min(days - 1);
        let (t, n) = self.targets(bed);
        for &i in &t[..n] {
            let o = &mut self.out.pools[i];
            o.nctr_area += area;
            for k in lo..=hi {
                o.nctr_midnight[k as usize] += 1;
            }
        }
        if pat.pathway > 0 {
            let o = &mut self.out.pathways[usize::from(pat.pathway) - 1];
            for k in lo..=hi {
                o.nctr_midnight[k as usize] += 1;
            }
        }
    }

    /// Noon (with a discharge lounge): each pool's free beds, core and open
    /// escalation beds not occupied, after whatever happens at that second.
    pub(super) fn noon_reading(&mut self, now: u32) {
        let Some(d) = self.report_day(now) else { return };
        let trust = self.plan.pools();
        let mut total = 0;
        for i in 0..trust {
            let g = self.gauges[i];
            let free = g.capacity.saturating_sub(g.occupied);
            self.out.pools[i].free_noon[d] = free;
            total += free;
        }
        self.out.pools[trust].free_noon[d] = total;
    }

    /// End of the run: patients still in a bed count in NCTR up to the horizon.
    pub(super) fn close_nctr_books(&mut self) {
        for p in 0..self.patients.len() {
            let pat = self.patients[p];
            if matches!(pat.state, State::InBed | State::Outlying) {
                self.count_leaving(pat, pat.pool as usize, self.plan.horizon, false);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pathway draws' salts are pinned: a patient's pathway and delay
    /// are draws on their key with these salts, so another value changes
    /// every seeded output of a scenario with pathways (they are also the
    /// two just below the profile rules' `u32::MAX` and `u32::MAX - 1`, and
    /// above the not-ready salts: far from any day number).
    #[test]
    fn the_pathway_salts_are_pinned() {
        assert_eq!([PATHWAY_SALT, DELAY_SALT], [u32::MAX - 2, u32::MAX - 3]);
    }

    /// By hand, on a lounge moving patients at 10:00 (1,000 chairs, open
    /// every day): a patient ready by then and due after it moves at 10:00
    /// and uses a chair; one due at 10:00 itself gains nothing and keeps
    /// their bed until then (no chair, no move counted); one due before,
    /// or ready after the move, or due after the 20:00 close, does not move.
    #[test]
    fn only_a_patient_due_after_the_move_goes_to_the_lounge() {
        let text = r#"
[scenario]
name = "lounge"
start = "2026-11-02"
end = "2026-12-02"
warmup_days = 0
replications = 1
seed = 3

[[admissions]]
name = "emergency"
source = "direct"
per_day = 1
pool = "beds"
stay_days = { dist = "fixed", value = 1 }

[[pool]]
name = "beds"
beds = 10

[discharge]
mode = "profile"
weekday_hours = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]

[discharge.lounge]
chairs = 1000
move_hour = 10
close_hour = 20
weekends = true
"#;
        let model = crate::scenario::parse_str(text, "test.toml").expect("valid");
        let plan = Plan::new(&model);
        let mut engine = Engine::new(&plan);
        engine.reset();
        assert_eq!(engine.lounge_booked.len(), 33, "one chair count a simulated day (31 days and the 2-day cool-down)");
        let day = 10 * DAY;
        let moves = day + 10 * HOUR;
        let mut check = |leave: u32, from: u32, expected: u32, chairs: u32| {
            assert_eq!(engine.lounge(leave, from), expected, "due at {leave}, ready at {from}");
            assert_eq!(engine.lounge_booked[10], chairs, "chairs booked after a patient due at {leave}");
        };
        check(moves, day, moves, 0);
        check(moves - 1, day, moves - 1, 0);
        check(moves + HOUR, moves + 1, moves + HOUR, 0);
        check(day + 21 * HOUR, day, day + 21 * HOUR, 0);
        check(moves + 1, moves, moves, 1);
        check(day + 15 * HOUR, day, moves, 2);
        assert_eq!((engine.out.lounge_moves, engine.out.lounge_seconds), (2, 1 + 5 * u64::from(HOUR)));
    }
}
