//! Census observation: the time integrals of occupancy and waiting, the
//! daily 08:00 and midnight readings (and OPEL), and the end-of-run closing
//! of the books. Readings see the state just before anything at that second.

use super::*;

impl Engine<'_> {
    /// Index of the gauge that holds the trust-wide state.
    #[inline]
    pub(super) fn trust_gauge(&self) -> usize {
        if self.plan.pools() == 1 { 0 } else { self.plan.pools() }
    }

    #[inline]
    pub(super) fn in_window(&self, t: u32) -> bool {
        t >= self.plan.window.0 && t < self.plan.window.1
    }

    /// Index of the reported day containing `t`, if any.
    #[inline]
    pub(super) fn report_day(&self, t: u32) -> Option<usize> {
        let d = (t / DAY).checked_sub(self.plan.first_day)?;
        (d < self.plan.days).then_some(d as usize)
    }

    /// Accumulates gauge `i`'s time integrals up to `now`, clipped to the window.
    #[inline]
    pub(super) fn advance(&mut self, i: usize, now: u32) {
        let (ws, we) = self.plan.window;
        let g = &mut self.gauges[i];
        let a = g.last.max(ws);
        let b = now.min(we);
        if b > a {
            let dt = (b - a) as u64;
            let o = &mut self.out.pools[i];
            o.occupancy_area += g.occupied as u64 * dt;
            o.boarder_area += g.waiting as u64 * dt;
            if g.occupied >= g.capacity {
                o.full_seconds += dt;
            }
            let open = g.capacity.saturating_sub(g.core) as u64;
            let used = g.occupied.saturating_sub(g.core) as u64;
            // Pools only: the trust's figures are the pools' sums (see `finish`).
            if open + used > 0 && i < self.plan.pools() {
                // Split at midnights so each day gets its own bed-seconds (monthly costs).
                let mut t = a;
                while t < b {
                    let end = ((t / DAY + 1) * DAY).min(b);
                    let d = (t / DAY - self.plan.first_day) as usize;
                    let seg = (end - t) as u64;
                    o.escalation_open_daily[d] += open * seg;
                    o.escalation_used_daily[d] += used * seg;
                    t = end;
                }
                o.escalation_open_seconds += open * dt;
                o.escalation_used_seconds += used * dt;
            }
        }
        g.last = now;
    }

    /// Takes the daily census readings due at or before `now`.
    pub(super) fn observe_until(&mut self, tick: &mut u32, now: u32) {
        loop {
            let day = *tick / 2;
            let morning = tick.is_multiple_of(2);
            let at = if morning { day * DAY + 8 * HOUR } else { (day + 1) * DAY };
            if at > now || at > self.plan.horizon {
                return;
            }
            // Checked invariant, twice a day rather than on every change (the
            // counters wrap there, for speed): every patient in a bed or waiting
            // for one is a live patient, so a count past that is an engine bug.
            let trust = &self.gauges[self.trust_gauge()];
            if trust.occupied as usize + trust.waiting as usize > self.patients.len() - self.free.len() {
                counts_broken();
            }
            let first = self.plan.first_day;
            if !morning && day + 1 == first {
                // Start of the window: the peak starts from the census there.
                for (o, g) in self.out.pools.iter_mut().zip(&self.gauges) {
                    o.peak = o.peak.max(g.occupied);
                }
            }
            if let Some(d) = day.checked_sub(first).filter(|d| *d < self.plan.days) {
                let d = d as usize;
                for (o, g) in self.out.pools.iter_mut().zip(&self.gauges) {
                    if morning {
                        o.boarders_0800[d] = g.waiting;
                    } else {
                        o.midnight[d] = g.occupied;
                        o.escalation_open_midnight[d] = g.capacity - g.core;
                    }
                }
                if morning && let Some(opel) = &self.plan.opel {
                    let trust = &self.gauges[self.trust_gauge()];
                    let occupancy = trust.occupied as f64 / trust.core as f64;
                    let long = self
                        .queues
                        .iter()
                        .flatten()
                        .filter(|&&p| at - self.patients[p as usize].decision > TWELVE_HOURS)
                        .count() as u32;
                    let band = |x: f64, t: [f64; 3]| t.iter().filter(|&&v| x >= v).count();
                    let as_f = |t: [u32; 3]| t.map(|v| v as f64);
                    let level = band(occupancy, opel.occupancy)
                        .max(band(trust.waiting as f64, as_f(opel.boarders)))
                        .max(band(long as f64, as_f(opel.waits_over_12h)));
                    self.out.opel[d] = 1 + level as u8;
                }
                if !morning && !self.waiting.is_empty() {
                    let all = self.waiting.len();
                    for j in 0..all {
                        let list = &self.waiting[j];
                        let (size, over_18, over_52) =
                            (list.len(), list.waited_at_least(at, WEEKS_18), list.waited_at_least(at, WEEKS_52));
                        for i in [j, all] {
                            let e = &mut self.out.electives[i];
                            e.waiting_daily[d] += size as u32;
                            e.under_18_weeks_daily[d] += (size - over_18) as u32;
                            e.over_52_weeks_daily[d] += over_52 as u32;
                            e.urgent_daily[d] += list.urgent.len() as u32;
                        }
                    }
                }
            }
            *tick += 1;
        }
    }

    /// Closes the books at the horizon: time integrals, and patients still in
    /// ED or still waiting for a bed (counted with their wait so far).
    pub(super) fn finish(&mut self) {
        let plan = self.plan;
        let trust = plan.pools();
        let all = self.waiting.len();
        for j in 0..all {
            let n = self.waiting[j].len() as u64;
            for i in [j, all] {
                self.out.electives[i].waiting_end += n;
            }
        }
        let single = trust == 1;
        for i in 0..=trust {
            if !(single && i == trust) {
                self.advance(i, plan.horizon);
            }
        }
        // Trust-wide escalation figures are the pools' sums.
        let (pools, rest) = self.out.pools.split_at_mut(trust);
        let t = &mut rest[0];
        for p in pools.iter() {
            t.escalation_open_seconds += p.escalation_open_seconds;
            t.escalation_used_seconds += p.escalation_used_seconds;
            t.escalation_openings += p.escalation_openings;
            for d in 0..t.midnight.len() {
                t.escalation_open_daily[d] += p.escalation_open_daily[d];
                t.escalation_used_daily[d] += p.escalation_used_daily[d];
                t.escalation_openings_daily[d] += p.escalation_openings_daily[d];
            }
        }
        for p in 0..self.patients.len() {
            let pat = self.patients[p];
            if pat.from_ed && matches!(pat.state, State::AwaitingDecision | State::Waiting) {
                self.ed_leaves(pat.arrival, plan.horizon - pat.arrival);
            }
            if pat.state == State::Waiting && self.in_window(pat.decision) {
                let wait = plan.horizon - pat.decision;
                let (t, n) = self.targets(pat.pool as usize);
                for &i in &t[..n] {
                    let o = &mut self.out.pools[i];
                    o.waits += 1;
                    o.wait_seconds += wait as u64;
                    o.waits_over_12h += (wait > TWELVE_HOURS) as u64;
                }
            }
        }
        if single {
            // The trust is the one pool (see `targets`).
            self.out.pools[trust] = self.out.pools[0].clone();
        }
    }
}

/// A bed or queue count past the number of live patients: an engine bug
/// (a counter wrapped), never input. Stops the run rather than report it.
#[cold]
#[inline(never)]
fn counts_broken() -> ! {
    panic!("bedflow bug: a bed or queue count no longer matches the patients; please report it with the scenario")
}
