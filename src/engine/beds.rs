//! Beds: bed requests, admission, the pools' first-come-first-served queues
//! (urgent electives at the front), discharge, escalation beds opened and
//! closed at bed meetings, and the occupancy gauges those changes move.

use super::*;

impl Engine<'_> {
    /// A bed meeting: open or close escalation beds by the pool's rules.
    pub(super) fn bed_meeting(&mut self, review: Review, now: u32) {
        let plan = self.plan;
        let pool = review.pool as usize;
        let Some(e) = &plan.escalation[pool] else { return };
        let g = self.gauges[pool];
        let open = g.capacity - g.core;
        let occupancy = f64::from(g.occupied) / f64::from(g.core);
        let pressure = occupancy >= e.open_at || e.open_at_boarders.is_some_and(|b| g.waiting >= b);
        if review.may_open && pressure && open < e.max {
            let n = e.step.min(e.max - open);
            self.set_capacity(pool, now, n as i32);
            self.last_opening[pool] = now;
            if let Some(d) = self.report_day(now) {
                self.out.pools[pool].escalation_openings += 1;
                self.out.pools[pool].escalation_openings_daily[d] += 1;
            }
            // The new beds take the patients waiting, in queue order.
            while self.gauges[pool].occupied < self.gauges[pool].capacity
                && let Some(q) = self.queues[pool].pop_front()
            {
                if self.patients[q as usize].urgent {
                    self.urgent_in_queue[pool] -= 1;
                }
                self.change(pool, now, 0, -1);
                self.admit(q, now);
            }
        } else if open > 0 && occupancy < e.close_below && now - self.last_opening[pool] >= e.min_open {
            // Close a step only if that many beds are empty.
            let n = e.step.min(open);
            if g.capacity - g.occupied >= n {
                self.set_capacity(pool, now, -(n as i32));
            }
        }
    }

    /// Changes a pool's (and the trust's) capacity at `now`, keeping the time integrals exact.
    pub(super) fn set_capacity(&mut self, pool: usize, now: u32, delta: i32) {
        let (t, n) = self.targets(pool);
        for &i in &t[..n] {
            self.advance(i, now);
            self.gauges[i].capacity = self.gauges[i].capacity.wrapping_add_signed(delta);
        }
    }

    pub(super) fn release(&mut self, p: u32) {
        self.patients[p as usize].state = State::Free;
        self.free.push(p);
    }

    /// The single-pool mirror, the one place it is decided: with one pool the
    /// trust is that pool, so during the run only the pool's gauge and outcome
    /// are kept ([`Engine::targets`], [`Engine::trust_gauge`]) and the trust's
    /// outcome is copied from it when the books close (`finish`): half the
    /// bookkeeping in single-pool models.
    #[inline]
    pub(super) fn trust_mirrors_pool(&self) -> bool {
        self.plan.pools() == 1
    }

    /// The outcome entries a pool's change updates: the pool and the trust
    /// (the first `n` of the pair; only the pool under the single-pool mirror).
    #[inline]
    pub(super) fn targets(&self, pool: usize) -> ([usize; 2], usize) {
        ([pool, self.plan.pools()], if self.trust_mirrors_pool() { 1 } else { 2 })
    }

    pub(super) fn request_bed(&mut self, p: u32, now: u32) {
        let plan = self.plan;
        let pat = self.patients[p as usize];
        let pool = pat.pool as usize;
        let (t, n) = self.targets(pool);
        if self.in_window(pat.decision) {
            for &i in &t[..n] {
                self.out.pools[i].bed_requests += 1;
            }
        }
        if self.gauges[pool].occupied < self.gauges[pool].capacity {
            self.admit(p, now);
            return;
        }
        match plan.when_full[pool] {
            WhenFull::Queue => {
                self.patients[p as usize].state = State::Waiting;
                self.queues[pool].push_back(p);
                self.change(pool, now, 0, 1);
                if pat.from_ed {
                    self.ed_boards(p, now);
                }
            }
            WhenFull::Divert => {
                if self.in_window(pat.decision) {
                    for &i in &t[..n] {
                        self.out.pools[i].diverted += 1;
                    }
                }
                if pat.from_ed {
                    self.ed_leaves(pat.arrival, now - pat.arrival, true);
                    self.ed_vacate(p, now);
                }
                self.release(p);
            }
        }
    }

    pub(super) fn admit(&mut self, p: u32, now: u32) {
        let plan = self.plan;
        let pat = &mut self.patients[p as usize];
        pat.state = State::InBed;
        pat.admitted = now;
        let pat = *pat;
        let pool = pat.pool as usize;
        let (t, n) = self.targets(pool);
        self.change(pool, now, 1, 0);
        if self.in_window(pat.decision) {
            let wait = now - pat.decision;
            for &i in &t[..n] {
                let o = &mut self.out.pools[i];
                o.waits += 1;
                o.wait_seconds += u64::from(wait);
                o.waits_over_12h += u64::from(wait > TWELVE_HOURS);
            }
        }
        if let Some(d) = self.report_day(now) {
            for &i in &t[..n] {
                let o = &mut self.out.pools[i];
                o.admissions_daily[d] += 1;
            }
        }
        if pat.from_ed {
            self.ed_leaves(pat.arrival, now - pat.arrival, true);
            if self.in_window(pat.decision) {
                self.ed_trolley_wait(now - pat.decision);
            }
            self.ed_vacate(p, now);
        }
        let ready = now.saturating_add(pat.stay);
        if let Some(t) = plan.discharge.leave_time(ready, pat.key)
            && t < plan.horizon
        {
            self.events.push(t, Step::Discharge, Kind::Discharge, p);
        }
    }

    pub(super) fn discharge(&mut self, p: u32, now: u32) {
        let pat = self.patients[p as usize];
        let pool = pat.pool as usize;
        let (t, n) = self.targets(pool);
        self.change(pool, now, -1, 0);
        if let Some(d) = self.report_day(now) {
            for &i in &t[..n] {
                let o = &mut self.out.pools[i];
                o.discharges_daily[d] += 1;
                o.stay_seconds += u64::from(now - pat.admitted);
            }
        }
        self.release(p);
        if let Some(q) = self.queues[pool].pop_front() {
            if self.patients[q as usize].urgent {
                self.urgent_in_queue[pool] -= 1;
            }
            self.change(pool, now, 0, -1);
            self.admit(q, now);
        }
    }

    /// Changes a pool's occupancy or queue at `now`, keeping the pool's and the
    /// trust's time integrals exact (integer bed-seconds).
    pub(super) fn change(&mut self, pool: usize, now: u32, d_occupied: i32, d_waiting: i32) {
        let (t, n) = self.targets(pool);
        let in_window = self.in_window(now);
        for &i in &t[..n] {
            self.advance(i, now);
            let g = &mut self.gauges[i];
            // Wrapping for speed; `census` checks the counts twice a day.
            g.occupied = g.occupied.wrapping_add_signed(d_occupied);
            g.waiting = g.waiting.wrapping_add_signed(d_waiting);
            if in_window && g.occupied > self.out.pools[i].peak {
                self.out.pools[i].peak = g.occupied;
            }
        }
    }
}
