//! Census observation: the time integrals of occupancy and waiting, the
//! daily 08:00 and midnight readings (and OPEL), and the end-of-run closing
//! of the books. Readings see the state just before anything at that second.

use super::*;

impl Engine<'_> {
    /// Index of the gauge that holds the trust-wide state (the pool's own
    /// under the single-pool mirror, [`Engine::trust_mirrors_pool`]).
    #[inline]
    pub(super) fn trust_gauge(&self) -> usize {
        if self.trust_mirrors_pool() { 0 } else { self.plan.pools() }
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

    /// Seconds of [since, now) inside the reported window: what a count held
    /// over that time adds to its integral.
    #[inline]
    pub(super) fn seconds_in_window(&self, since: u32, now: u32) -> u64 {
        let (ws, we) = self.plan.window;
        u64::from(now.min(we).saturating_sub(since.max(ws)))
    }

    /// Accumulates gauge `i`'s time integrals up to `now`, clipped to the window.
    #[inline]
    pub(super) fn advance(&mut self, i: usize, now: u32) {
        let (ws, we) = self.plan.window;
        let g = &mut self.gauges[i];
        let a = g.last.max(ws);
        let b = now.min(we);
        if b > a {
            let dt = u64::from(b - a);
            let o = &mut self.out.pools[i];
            o.occupancy_area += u64::from(g.occupied) * dt;
            o.boarder_area += u64::from(g.waiting) * dt;
            if g.occupied >= g.capacity {
                o.full_seconds += dt;
            }
            let open = u64::from(g.capacity.saturating_sub(g.core));
            // Pools only: the trust's figures are the pools' sums (see `finish`).
            // Escalation beds are used only if open (patients above the core
            // beds in beds still closing after a closure are not in them).
            if open > 0 && i < self.plan.pools() {
                let used = u64::from(g.occupied.min(g.capacity).saturating_sub(g.core));
                // Split at midnights so each day gets its own bed-seconds (monthly costs).
                let mut t = a;
                while t < b {
                    let end = ((t / DAY + 1) * DAY).min(b);
                    let d = (t / DAY - self.plan.first_day) as usize;
                    let seg = u64::from(end - t);
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

    /// When census reading `tick` is due: tick 2d is 08:00 of day d, tick
    /// 2d + 1 the midnight ending day d.
    #[inline]
    pub(super) fn reading_time(tick: u32) -> u32 {
        let day = tick / 2;
        if tick.is_multiple_of(2) { day * DAY + 8 * HOUR } else { (day + 1) * DAY }
    }

    /// Takes the daily census readings due at or before `now`; returns when
    /// the next is due (the event loop calls again only then).
    pub(super) fn observe_until(&mut self, tick: &mut u32, now: u32) -> u32 {
        loop {
            let day = *tick / 2;
            let morning = tick.is_multiple_of(2);
            let at = Self::reading_time(*tick);
            if at > now || at > self.plan.horizon {
                return at;
            }
            // Checked invariant, twice a day rather than on every change (the
            // counters wrap there, for speed): every patient in a bed or waiting
            // for one is a live patient, so a count past that is an engine bug.
            let trust = &self.gauges[self.trust_gauge()];
            if trust.occupied as usize + trust.waiting as usize > self.patients.len() - self.free.len() {
                counts_broken();
            }
            // And each bed queue's count of urgent electives at its front ends
            // where they end (checked at the boundary only: constant time).
            for (q, &u) in self.queues.iter().zip(&self.urgent_in_queue) {
                let u = u as usize;
                let urgent = |k: usize| q.get(k).is_some_and(|&p| self.patients[p as usize].urgent);
                if u > q.len() || (u > 0 && !urgent(u - 1)) || urgent(u) {
                    counts_broken();
                }
            }
            let first = self.plan.first_day;
            if !morning && day + 1 == first {
                // Start of the window: the peak starts from the census there.
                for (o, g) in self.out.pools.iter_mut().zip(&self.gauges) {
                    o.peak = o.peak.max(g.occupied);
                }
                self.ed_peak_at_window_start();
            }
            if let Some(d) = day.checked_sub(first).filter(|d| *d < self.plan.days) {
                let d = d as usize;
                self.ed_census(d, morning);
                for (i, (o, g)) in self.out.pools.iter_mut().zip(&self.gauges).enumerate() {
                    if morning {
                        o.boarders_0800[d] = g.waiting;
                    } else {
                        o.midnight[d] = g.occupied;
                        o.escalation_open_midnight[d] = g.capacity - g.core;
                        o.core_midnight[d] = g.core;
                        if let Some(x) = o.outliers_midnight.get_mut(d) {
                            *x = self.outliers.get(i).map_or(0, |o| o.0);
                        }
                    }
                }
                if morning && let Some(opel) = &self.plan.opel {
                    let trust = &self.gauges[self.trust_gauge()];
                    let occupancy = f64::from(trust.occupied) / f64::from(trust.core);
                    let long = self.waiting_over_12h(at);
                    #[cfg(test)]
                    {
                        assert_eq!(long, self.waiting_over_12h_brute_force(at), "at {at}");
                        self.opel_checks.0 += 1;
                        // Readings where one search over a whole queue would be wrong:
                        // urgent patients waiting under 12 hours ahead of longer waits.
                        let cutoff = at.saturating_sub(TWELVE_HOURS);
                        let mixed = self.queues.iter().zip(&self.urgent_in_queue).any(|(q, &u)| {
                            let recent =
                                q.iter().take(u as usize).any(|&p| self.patients[p as usize].decision >= cutoff);
                            let long = q.iter().skip(u as usize).any(|&p| self.patients[p as usize].decision < cutoff);
                            recent && long
                        });
                        self.opel_checks.1 += u64::from(mixed);
                    }
                    let band = |x: f64, t: [f64; 3]| t.iter().filter(|&&v| x >= v).count();
                    let as_f = |t: [u32; 3]| t.map(f64::from);
                    let level = band(occupancy, opel.occupancy)
                        .max(band(f64::from(trust.waiting), as_f(opel.boarders)))
                        .max(band(f64::from(long), as_f(opel.waits_over_12h)));
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
                            e.urgent_daily[d] += list.urgent_len() as u32;
                        }
                        if !self.out.electives[j].over_65_weeks_daily.is_empty() {
                            let over_65 = list.waited_at_least(at, WEEKS_65) as u32;
                            for i in [j, all] {
                                self.out.electives[i].over_65_weeks_daily[d] += over_65;
                            }
                        }
                    }
                }
            }
            *tick += 1;
        }
    }

    /// Patients who at `at` have waited more than 12 hours for a bed, over
    /// every pool's queue, in O(pools x log queue). Each queue is the urgent
    /// electives (the first `urgent_in_queue`, inserted after earlier urgent
    /// ones at their session's time) then everyone else in request order
    /// (pushed when their decision is made, at the event loop's
    /// non-decreasing time), so both parts are in non-decreasing decision
    /// order: a binary search in each gives the count. Every queued decision
    /// is before `at` (a reading comes before anything at its second).
    pub(super) fn waiting_over_12h(&self, at: u32) -> u32 {
        let Some(cutoff) = at.checked_sub(TWELVE_HOURS) else { return 0 };
        let mut long = 0;
        for (q, &urgent) in self.queues.iter().zip(&self.urgent_in_queue) {
            // Decisions strictly before the cutoff have waited more than 12 hours.
            let before = |lo: usize, hi: usize| {
                let (mut lo, mut hi) = (lo, hi);
                let start = lo;
                while lo < hi {
                    let mid = lo + (hi - lo) / 2;
                    if self.patients[q[mid] as usize].decision < cutoff { lo = mid + 1 } else { hi = mid }
                }
                lo - start
            };
            let urgent = urgent as usize;
            long += before(0, urgent) + before(urgent, q.len());
        }
        long as u32
    }

    /// [`Self::waiting_over_12h`] by scanning every queue (tests only).
    #[cfg(test)]
    pub(super) fn waiting_over_12h_brute_force(&self, at: u32) -> u32 {
        self.queues.iter().flatten().filter(|&&p| at - self.patients[p as usize].decision > TWELVE_HOURS).count() as u32
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
        self.ed_finish();
        for p in 0..trust {
            self.close_infection_books(p, plan.horizon);
            self.count_outliers(p, plan.horizon, 0);
        }
        let single = self.trust_mirrors_pool();
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
            t.outliers_in += p.outliers_in;
            t.outliers_out += p.outliers_out;
            t.outlier_area += p.outlier_area;
            t.infection_closed_seconds += p.infection_closed_seconds;
            for d in 0..t.outliers_midnight.len() {
                t.outliers_midnight[d] += p.outliers_midnight[d];
            }
            for d in 0..t.midnight.len() {
                t.escalation_open_daily[d] += p.escalation_open_daily[d];
                t.escalation_used_daily[d] += p.escalation_used_daily[d];
                t.escalation_openings_daily[d] += p.escalation_openings_daily[d];
            }
        }
        for p in 0..self.patients.len() {
            let pat = self.patients[p];
            if pat.from_ed
                && pat.ed_place != ed::EdPlace::Left
                && matches!(pat.state, State::AwaitingDecision | State::Waiting | State::EdQueue | State::EdTreatment)
            {
                // Admitted means given a decision to admit: those still queuing
                // or being assessed at the end count as not (yet) admitted.
                self.ed_leaves(pat.arrival, plan.horizon - pat.arrival, pat.state == State::Waiting);
            }
            if pat.state == State::Waiting && self.in_window(pat.decision) {
                let wait = plan.horizon - pat.decision;
                let (t, n) = self.targets(pat.pool as usize);
                for &i in &t[..n] {
                    let o = &mut self.out.pools[i];
                    o.waits += 1;
                    o.wait_seconds += u64::from(wait);
                    o.waits_over_12h += u64::from(wait > TWELVE_HOURS);
                }
                if pat.from_ed {
                    self.ed_trolley_wait(wait);
                }
            }
        }
        if plan.leaving_detail {
            self.close_nctr_books();
        }
        if single {
            // The trust is the one pool (see `trust_mirrors_pool`).
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

#[cfg(test)]
mod tests {
    use super::*;

    /// The binary-search count of patients waiting over 12 hours equals a
    /// scan of every queue at every OPEL reading, in an overloaded trust
    /// whose queues hold urgent electives ahead of emergency patients (lists
    /// at 22:00, so at 08:00 the latest urgent patients have waited 10 hours
    /// while emergency patients behind them have waited longer).
    #[test]
    fn long_wait_count_equals_a_scan_of_every_queue() {
        let text = r#"
[scenario]
name = "overloaded"
start = "2025-01-01"
end = "2025-03-31"
warmup_days = 10
replications = 1
seed = 7

[[pool]]
name = "medicine"
beds = 20

[[pool]]
name = "surgery"
beds = 6

[[admissions]]
name = "medical"
source = "direct"
per_day = 6.0
pool = "medicine"
stay_days = { dist = "lognormal", mean = 4.0, sd = 3.0 }

[[admissions]]
name = "surgical"
source = "direct"
per_day = 1.5
pool = "surgery"
stay_days = { dist = "lognormal", mean = 4.0, sd = 3.0 }

[[specialty]]
name = "general surgery"
waiting_list = 200
referrals_per_week = 20.0
urgent_share = 0.6
inpatient_share = 0.9
stay_days = { dist = "lognormal", mean = 3.0, sd = 2.0 }

[[theatre_list]]
specialty = "general surgery"
pool = "surgery"
weekdays = ["Mon", "Tue", "Wed", "Thu", "Fri"]
lists_per_day = 1
cases_per_list = 4
start_hour = 22

[opel]
occupancy = [0.90, 0.95, 0.99]
boarders = [5, 15, 30]
waits_over_12h = [1, 5, 10]
"#;
        let model = crate::scenario::parse_str(text, "overloaded.toml").unwrap();
        let plan = Plan::new(&model);
        let streams = rng::Streams::new(model.seed);
        let mut engine = Engine::new(&plan);
        let mut long_days = 0;
        for rep in 0..3 {
            let out = engine.run(&streams, rep);
            long_days += out.opel.iter().filter(|&&l| l == 4).count();
        }
        // Every reported morning was checked (the assertion is in the reading).
        assert_eq!(engine.opel_checks.0, 3 * u64::from(model.reported_days()));
        assert!(engine.opel_checks.1 > 10, "recent urgent electives ahead of long waits: {:?}", engine.opel_checks);
        assert!(long_days > 10, "{long_days}");
        // Exactly 12 hours is not more than 12 hours: at the latest decision
        // still queued plus 12 hours, that patient is not counted.
        let latest = engine.queues.iter().flatten().map(|&p| engine.patients[p as usize].decision).max().unwrap();
        let at = latest + TWELVE_HOURS;
        let counted = engine.waiting_over_12h(at);
        assert_eq!(counted, engine.waiting_over_12h_brute_force(at));
        assert_eq!(counted + 1, engine.waiting_over_12h_brute_force(at + 1), "the latest waiter crosses 12 hours");
    }
}
