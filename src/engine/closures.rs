//! Core beds that change while the run goes: dated changes
//! (`[[pool.capacity]]`, from the bed-side timetable) and random
//! infection-control closures (`[pool.outbreaks]`, heap events).
//!
//! A pool's core beds are its dated beds less the beds an outbreak has
//! closed (never below 0). Closed beds close as their patients leave: nobody
//! is moved, and nobody is admitted while the pool holds as many patients as
//! open beds. Reopened beds take the patients waiting at once. Escalation
//! beds open stay open. Outbreaks draw from a stream per pool
//! ([`super::rng::pool_outbreaks`]): the time to the next start
//! (exponential, from the end of the last) and each one's length.

use super::*;

impl Engine<'_> {
    /// A dated change of a pool's core beds takes effect.
    pub(super) fn dated_core(&mut self, pool: usize, beds: u32, now: u32) {
        self.dated[pool] = beds;
        self.apply_core(pool, now);
    }

    /// Sets a pool's core beds to its dated beds less those an outbreak
    /// closes, keeping the infection-closure bed-seconds.
    fn apply_core(&mut self, pool: usize, now: u32) {
        let closed = self.outbreak_closed[pool].min(self.dated[pool]);
        self.close_infection_books(pool, now);
        self.infection_closed[pool] = closed;
        let beds = self.dated[pool] - closed;
        // Both at most MAX_BEDS (a million): the difference fits an i32.
        let delta = beds as i32 - self.gauges[pool].core as i32;
        if delta == 0 {
            return;
        }
        self.resize(pool, now, delta, delta);
        if delta > 0 {
            self.fill(pool, now);
        }
    }

    /// Adds the bed-seconds closed by an outbreak since the last change,
    /// clipped to the reported window.
    pub(super) fn close_infection_books(&mut self, pool: usize, now: u32) {
        let seconds = self.seconds_in_window(self.infection_since[pool], now);
        self.out.pools[pool].infection_closed_seconds += u64::from(self.infection_closed[pool]) * seconds;
        self.infection_since[pool] = now;
    }

    /// Schedules each pool's first outbreak (at the start of a replication).
    pub(super) fn start_outbreaks(&mut self, streams: &rng::Streams, rep: u32) {
        let plan = self.plan;
        self.outbreak_rngs.clear();
        for (i, o) in plan.outbreaks.iter().enumerate() {
            let mut rng = streams.stream(rep, rng::pool_outbreaks(i));
            if let Some(o) = o {
                let t = secs(o.gap.sample(&mut rng));
                if t < plan.horizon {
                    self.events.push(t, Step::Discharge, Kind::OutbreakStart, i as u32);
                }
            }
            self.outbreak_rngs.push(rng);
        }
    }

    /// An outbreak starts in `pool`: its beds close for a drawn time.
    pub(super) fn outbreak_start(&mut self, pool: usize, now: u32) {
        let plan = self.plan;
        let Some(o) = &plan.outbreaks[pool] else { return };
        self.outbreak_closed[pool] = o.beds;
        self.apply_core(pool, now);
        let end = now.saturating_add(secs(o.days.sample(&mut self.outbreak_rngs[pool])));
        if end < plan.horizon {
            self.events.push(end, Step::Discharge, Kind::OutbreakEnd, pool as u32);
        }
    }

    /// An outbreak ends: its beds reopen, and the next one may start.
    pub(super) fn outbreak_end(&mut self, pool: usize, now: u32) {
        let plan = self.plan;
        let Some(o) = &plan.outbreaks[pool] else { return };
        self.outbreak_closed[pool] = 0;
        self.apply_core(pool, now);
        let next = now.saturating_add(secs(o.gap.sample(&mut self.outbreak_rngs[pool])));
        if next < plan.horizon {
            self.events.push(next, Step::Discharge, Kind::OutbreakStart, pool as u32);
        }
    }
}
