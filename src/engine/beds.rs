//! Beds: bed requests, admission, the pools' first-come-first-served queues
//! (urgent electives at the front), discharge, escalation beds opened and
//! closed at bed meetings, and the occupancy gauges those changes move.

use super::*;

impl Engine<'_> {
    /// An entry of the bed-side timetable: a bed meeting (open or close
    /// escalation beds by the pool's rules) or a dated change of core beds.
    pub(super) fn bed_meeting(&mut self, review: Review, now: u32) {
        let plan = self.plan;
        let pool = review.pool as usize;
        let may_open = match review.action {
            Action::Meeting { may_open } => may_open,
            Action::SetCore(beds) => return self.dated_core(pool, beds, now),
            Action::PathwayDay(starts) => return self.pathway_day(pool, starts, now),
            Action::NoonReading => return self.noon_reading(now),
        };
        let Some(e) = &plan.escalation[pool] else { return };
        let g = self.gauges[pool];
        let open = g.capacity - g.core;
        // A pool reads its own beds; a shared escalation ward reads the
        // pools it serves, combined (their core beds, patients and queues).
        let (occupancy, waiting) = if plan.serves[pool].is_empty() {
            (f64::from(g.occupied) / f64::from(g.core), g.waiting)
        } else {
            let (occupied, core, waiting) = plan.serves[pool].iter().fold((0u64, 0u64, 0u32), |(o, c, w), &p| {
                let s = &self.gauges[p];
                (o + u64::from(s.occupied), c + u64::from(s.core), w + s.waiting)
            });
            (occupied as f64 / core as f64, waiting)
        };
        let pressure = occupancy >= e.open_at || e.open_at_boarders.is_some_and(|b| waiting >= b);
        if may_open && pressure && open < e.max {
            let n = e.step.min(e.max - open);
            self.resize(pool, now, 0, n as i32);
            self.last_opening[pool] = now;
            if let Some(d) = self.report_day(now) {
                self.out.pools[pool].escalation_openings += 1;
                self.out.pools[pool].escalation_openings_daily[d] += 1;
            }
            // The new beds take the patients waiting, in queue order.
            self.fill(pool, now);
        } else if open > 0 && occupancy < e.close_below && now - self.last_opening[pool] >= e.min_open {
            // Close a step only if that many beds are empty (none are while
            // a dated closure leaves more patients than beds).
            let n = e.step.min(open);
            if g.capacity.saturating_sub(g.occupied) >= n {
                self.resize(pool, now, 0, -(n as i32));
            }
        }
    }

    /// Gives a pool's free beds to the patients waiting: its own queue first,
    /// in queue order; then, while more beds are free than it keeps for its
    /// own patients, the patients of the pools that outlie into it, the
    /// longest-waiting first (earliest decision to admit; ties to the pool
    /// listed first in the scenario).
    #[inline]
    pub(super) fn fill(&mut self, pool: usize, now: u32) {
        while self.gauges[pool].occupied < self.gauges[pool].capacity && self.admit_head(pool, now) {}
        if self.plan.outlying.is_some() {
            self.fill_with_guests(pool, now);
        }
    }

    /// The second half of [`Engine::fill`]: free beds beyond those kept go
    /// to other pools' patients waiting (out of line: most models do not outlie).
    #[inline(never)]
    fn fill_with_guests(&mut self, pool: usize, now: u32) {
        let Some(out) = &self.plan.outlying else { return };
        while self.room_for_guest(pool) {
            let mut best: Option<(u32, usize)> = None;
            for &g in &out.guests[pool] {
                if let Some(&q) = self.queues[g].front() {
                    let decision = self.patients[q as usize].decision;
                    if best.is_none_or(|(d, _)| decision < d) {
                        best = Some((decision, g));
                    }
                }
            }
            let Some((_, g)) = best else { return };
            let Some(q) = self.queues[g].pop_front() else { return };
            if self.patients[q as usize].urgent {
                self.urgent_in_queue[g] -= 1;
                self.recovered(q);
            }
            self.change(g, now, 0, -1);
            self.admit_to(q, pool, now);
        }
    }

    /// Changes the other pools' patients in `host`'s beds, keeping their
    /// bed-seconds in the window (kept here, at the changes, rather than in
    /// every [`Engine::advance`]: most models never outlie).
    pub(super) fn count_outliers(&mut self, host: usize, now: u32, delta: i32) {
        let (count, since) = self.outliers[host];
        self.out.pools[host].outlier_area += u64::from(count) * self.seconds_in_window(since, now);
        self.outliers[host] = (count.wrapping_add_signed(delta), now);
    }

    /// True if another pool's patient may take one of `host`'s beds: more are
    /// free than it keeps for its own patients.
    #[inline]
    fn room_for_guest(&self, host: usize) -> bool {
        let g = self.gauges[host];
        let keep = self.plan.outlying.as_ref().map_or(0, |o| o.keep[host]);
        u64::from(g.occupied) + u64::from(keep) < u64::from(g.capacity)
    }

    /// Changes a pool's (and the trust's) core beds by `d_core` and its beds
    /// in all by `d_capacity` at `now`, keeping the time integrals exact: an
    /// escalation step changes only the beds in all, a change of core beds
    /// (by date, or an outbreak) both.
    pub(super) fn resize(&mut self, pool: usize, now: u32, d_core: i32, d_capacity: i32) {
        let (t, n) = self.targets(pool);
        for &i in &t[..n] {
            self.advance(i, now);
            let g = &mut self.gauges[i];
            g.core = g.core.wrapping_add_signed(d_core);
            g.capacity = g.capacity.wrapping_add_signed(d_capacity);
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
        if plan.outlying.is_some() && self.outlie(p, pool, now) {
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

    /// Places patient `p` of a full `pool` in the first pool of its
    /// `outlie_to` with room for a guest; false if none has (out of line:
    /// most models do not outlie).
    #[inline(never)]
    fn outlie(&mut self, p: u32, pool: usize, now: u32) -> bool {
        let Some(out) = &self.plan.outlying else { return false };
        for &h in &out.to[pool] {
            if self.room_for_guest(h) {
                self.admit_to(p, h, now);
                return true;
            }
        }
        false
    }

    /// Gives patient `p` a bed in its own pool.
    #[inline]
    pub(super) fn admit(&mut self, p: u32, now: u32) {
        let pat = &mut self.patients[p as usize];
        pat.state = State::InBed;
        pat.admitted = now;
        let pool = pat.pool as usize;
        self.occupy(p, pool, pool, now, true);
    }

    /// Gives patient `p` a bed in another pool, `bed` (an outlier, or a
    /// shared escalation ward's patient): the wait counts for the patient's
    /// own pool, the bed, the admission and later the discharge for the pool
    /// whose bed it is. The patient stays there until discharge (no moves
    /// back); an outlier for its stay times its pool's `outlier_stay_factor`
    /// and counted as an outlier, a ward's patient neither. Out of line:
    /// most models do not outlie.
    #[inline(never)]
    pub(super) fn admit_to(&mut self, p: u32, bed: usize, now: u32) {
        let plan = self.plan;
        let pat = &mut self.patients[p as usize];
        let home = pat.pool as usize;
        pat.admitted = now;
        pat.pool = bed as u16;
        // A shared escalation ward's beds are its served pools' own: its
        // patients are not outliers (no stay factor, not counted as such).
        let outlier = plan.outlying.as_ref().filter(|_| !plan.is_ward(bed));
        pat.state = if outlier.is_some() { State::Outlying } else { State::InBed };
        if let Some(out) = outlier {
            pat.stay = secs(f64::from(pat.stay) * out.stay_factor[home]);
        }
        let pat = *pat;
        if pat.state == State::Outlying {
            self.count_outliers(bed, now, 1);
            if self.report_day(now).is_some() {
                self.out.pools[home].outliers_out += 1;
                self.out.pools[bed].outliers_in += 1;
            }
        }
        self.count_wait(home, now - pat.decision, pat.decision);
        self.occupy(p, bed, home, now, false);
    }

    /// A wait for a bed of `pool` (and the trust) after a decision at `decision`.
    #[inline(always)]
    fn count_wait(&mut self, pool: usize, wait: u32, decision: u32) {
        if self.in_window(decision) {
            let (t, n) = self.targets(pool);
            for &i in &t[..n] {
                let o = &mut self.out.pools[i];
                o.waits += 1;
                o.wait_seconds += u64::from(wait);
                o.waits_over_12h += u64::from(wait > TWELVE_HOURS);
            }
        }
    }

    /// Patient `p` of pool `home` takes a bed of `bed` at `now`: occupancy,
    /// the wait (for the bed's pool, if `wait`), the day's admissions,
    /// leaving ED, and the discharge to come.
    #[inline(always)]
    fn occupy(&mut self, p: u32, bed: usize, home: usize, now: u32, wait: bool) {
        let pat = self.patients[p as usize];
        self.change(bed, now, 1, 0);
        if wait {
            self.count_wait(bed, now - pat.decision, pat.decision);
        }
        if let Some(d) = self.report_day(now) {
            let (t, n) = self.targets(bed);
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
        self.schedule_leave(p, now.saturating_add(pat.stay), home);
    }

    pub(super) fn discharge(&mut self, p: u32, now: u32) {
        let pat = self.patients[p as usize];
        let pool = pat.pool as usize;
        let (t, n) = self.targets(pool);
        self.change(pool, now, -1, 0);
        if pat.state == State::Outlying {
            self.count_outliers(pool, now, -1);
        }
        if self.plan.leaving_detail {
            self.count_leaving(pat, pool, now, true);
        }
        if let Some(d) = self.report_day(now) {
            // A census patient's stay before the census is unknown: counted apart.
            let census = pat.arrival == start::CENSUS_ARRIVAL;
            let stay = if census { 0 } else { u64::from(now - pat.admitted) };
            for &i in &t[..n] {
                let o = &mut self.out.pools[i];
                o.discharges_daily[d] += 1;
                o.stay_seconds += stay;
                o.census_discharges += u64::from(census);
            }
        }
        self.release(p);
        // One bed freed: the head of the queue takes it if the pool is not
        // over its beds (after a dated closure or an outbreak). A queue is
        // only ever waiting for a full pool, so one `if` is enough here.
        if self.gauges[pool].occupied < self.gauges[pool].capacity {
            self.admit_head(pool, now);
        }
        if self.plan.outlying.is_some() {
            self.fill_with_guests(pool, now);
        }
    }

    /// Gives the patient at the head of `pool`'s queue a bed there; false
    /// if nobody waits.
    #[inline(always)]
    fn admit_head(&mut self, pool: usize, now: u32) -> bool {
        let Some(q) = self.queues[pool].pop_front() else { return false };
        if self.patients[q as usize].urgent {
            self.urgent_in_queue[pool] -= 1;
            // An elective waiting in recovery is off that list once in a bed.
            self.recovered(q);
        }
        self.change(pool, now, 0, -1);
        self.admit(q, now);
        true
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
