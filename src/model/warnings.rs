//! What `check` and `run` warn about before simulating: pools nothing uses,
//! demand above what a pool or the ED's spaces can carry, dated bed changes
//! outside the run, and a census that does not fit the hospital. Each
//! warning is one message with the numbers, never NaN.

use super::*;

impl Model {
    /// Every warning, in the order `check` prints them: pools nothing uses,
    /// demand above what pools, the ED or pathways can carry, changes outside
    /// the run, a thin census, and a warm-up too short to fill the hospital.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = self.unused_pools();
        out.extend(self.overloaded_pools());
        out.extend(self.overloaded_ed());
        out.extend(self.overloaded_pathways());
        out.extend(self.start_and_capacity_warnings());
        out.extend(self.short_warm_up());
        out
    }

    /// A run starting empty (no census) needs a warm-up of a few mean stays
    /// before its beds reach their usual level: under twice the longest
    /// route's mean stay, the first reported days are too empty (the ED and
    /// occupancy figures read too well).
    pub fn short_warm_up(&self) -> Option<String> {
        if self.census.is_some() {
            return None;
        }
        let (route, stay) = self
            .routes
            .iter()
            .map(|r| (r.name.as_str(), r.stay_days.mean()))
            .filter(|(_, m)| m.is_finite())
            .max_by(|a, b| a.1.total_cmp(&b.1))?;
        let need = (2.0 * stay).ceil();
        // Stays longer than any warm-up allowed: the overload warning says
        // what matters (the pool never empties), so say nothing here.
        if need > crate::scenario::limits::MAX_WARMUP_DAYS as f64 {
            return None;
        }
        (f64::from(self.warmup_days) < need).then(|| {
            format!(
                "a warm-up of {} days is short for an empty hospital: the longest mean stay is {stay:.1} days \
                 (route \"{route}\"), so the first reported days start too empty; use warmup_days = {need} or more, \
                 or start from a census",
                self.warmup_days
            )
        })
    }

    /// Warnings for dated bed changes that fall wholly outside the simulated
    /// days (most likely a mistyped year) and for a census listing far fewer
    /// patients than the trust's core beds (a partial census starts the
    /// hospital nearly empty). One message each.
    pub fn start_and_capacity_warnings(&self) -> Vec<String> {
        let first = self.date_of_day(0);
        let last = self.end + chrono::Days::new(u64::from(crate::engine::COOLDOWN_DAYS));
        let mut out = Vec::new();
        for p in &self.pools {
            for c in &p.capacity {
                if c.from > last || c.to.is_some_and(|t| t < first) {
                    let to = c.to.map_or("the end".to_string(), |t| t.to_string());
                    out.push(format!(
                        "pool \"{}\": the capacity change from {} to {to} lies outside the simulated days ({first} to \
                         {last}) and changes nothing",
                        p.name, c.from
                    ));
                }
            }
        }
        // A specialty nobody operates on: its list only grows (a plan
        // variant's `[[theatre_list]]` replaces the parent's lists whole).
        for (j, s) in self.specialties.iter().enumerate() {
            if (s.referrals_per_week > 0.0 || s.initial_list > 0)
                && !self.theatre_lists.iter().any(|l| l.specialty == j)
            {
                out.push(format!(
                    "specialty \"{}\" has a waiting list but no [[theatre_list]]: nobody is treated and its list only \
                     grows (a plan variant's [[theatre_list]] entries replace all of its parent's lists)",
                    s.name
                ));
            }
        }
        // An initial waiting list whose ages are far from where the list
        // settles drifts for about L / r weeks, which looks like winter damage.
        for s in &self.specialties {
            if s.initial_list == 0 || s.referrals_per_week <= 0.0 || s.steady_state {
                continue;
            }
            let settle = f64::from(s.initial_list) / s.referrals_per_week;
            let mean = s.initial_wait_weeks.mean();
            if mean < 0.75 * settle / 2.0 || mean > 1.33 * settle / 2.0 {
                out.push(format!(
                    "specialty \"{}\": the initial list's mean wait ({} weeks) is far from the {} weeks a list of {} \
                     with {} referrals a week settles to when treated as fast as referred; its waiting-time measures \
                     will drift for about {} weeks: give initial_wait_weeks = \"steady-state\", or warmup_days of \
                     about {}",
                    s.name,
                    readable(mean),
                    readable(settle / 2.0),
                    s.initial_list,
                    readable(s.referrals_per_week),
                    readable(settle),
                    (settle * 7.0).round()
                ));
            }
        }
        if let Some(c) = &self.census {
            for (i, p) in self.pools.iter().enumerate() {
                let n = c.patients.iter().filter(|c| !c.waiting && c.pool == i).count();
                let open = if p.is_escalation_ward() { 0 } else { p.beds_on(first) };
                let most = open + p.escalation.as_ref().map_or(0, |e| e.max_beds);
                if n as u64 > u64::from(most) {
                    out.push(format!(
                        "the census {} puts {n} patients in pool \"{}\", which has {open} core beds open on {first} \
                         and at most {most} with escalation beds: the extra patients hold beds nobody could open, and \
                         nobody is admitted there until they leave",
                        c.file, p.name
                    ));
                }
            }
            let in_beds = c.patients.iter().filter(|p| !p.waiting).count();
            let core: u32 = self.pools.iter().map(|p| p.beds_on(first)).sum();
            if (in_beds as f64) < 0.25 * f64::from(core) {
                out.push(format!(
                    "the census {} lists {in_beds} patients in beds against {core} core beds: list every patient in a \
                     bed at the census time, or the hospital starts nearly empty",
                    c.file
                ));
            }
        }
        out
    }

    /// True if some pool's core beds change by date (`[[pool.capacity]]`).
    pub fn has_dated_capacity(&self) -> bool {
        self.pools.iter().any(|p| !p.capacity.is_empty())
    }

    /// True if some pool has infection-control outbreaks.
    pub fn has_outbreaks(&self) -> bool {
        self.pools.iter().any(|p| p.outbreaks.is_some())
    }

    /// True if some pool's patients may outlie into another specialty's pool
    /// (a shared escalation ward's patients are not outliers): the outlier
    /// measures and chart are reported only then.
    pub fn has_outlying(&self) -> bool {
        self.pools.iter().any(|p| p.outlie_to.iter().any(|&h| !self.pools[h].is_escalation_ward()))
    }

    /// Pools no admission route, theatre list or outlying pool (shared
    /// escalation wards included) sends anyone to: they stay
    /// empty, which is almost always a misspelt name in a plan variant (a new
    /// `[[pool]]` name adds a pool; names are case-sensitive). One message each,
    /// naming a pool whose name differs only in case or spaces if there is one.
    pub fn unused_pools(&self) -> Vec<String> {
        let squash = |s: &str| s.to_lowercase().split_whitespace().collect::<String>();
        (0..self.pools.len())
            .filter(|&i| {
                !self.routes.iter().any(|r| r.pool == i)
                    && !self.theatre_lists.iter().any(|l| l.pool == i)
                    && !self.pools.iter().any(|p| p.outlie_to.contains(&i))
            })
            .map(|i| {
                let name = &self.pools[i].name;
                let twin = self.pools.iter().enumerate().find(|(j, p)| *j != i && squash(&p.name) == squash(name));
                let hint = twin.map_or(String::new(), |(_, p)| format!(" (did you mean \"{}\"?)", p.name));
                format!(
                    "pool \"{name}\" gets no patients: no admission route or theatre list uses it, so it stays empty \
                     and lowers trust-wide occupancy{hint}; a [[pool]] in a plan variant changes an existing pool only \
                     if its name matches exactly"
                )
            })
            .collect()
    }

    /// Warnings for ED treatment spaces whose offered load (attendances a day,
    /// at peak seasonality, x mean time in a space / 24, before any exit
    /// block) exceeds them: patients would queue for a space without limit.
    pub fn overloaded_ed(&self) -> Vec<String> {
        let Some(ed) = &self.ed else { return Vec::new() };
        let Some(c) = &ed.capacity else { return Vec::new() };
        let days = self.warmup_days + self.reported_days();
        let peak = (0..days).map(|d| self.seasonality_factor(self.date_of_day(d))).fold(1.0_f64, f64::max);
        let per_hour = ed.attendances_per_day * peak / 24.0;
        let p = ed.admission_probability;
        let minors_share = c.minors.as_ref().map_or(0.0, |m| (1.0 - c.ambulance_share) * m.share);
        let main = per_hour
            * (p * ed.hours_to_decision.mean() + (1.0 - p) * (1.0 - minors_share) * ed.hours_in_department.mean());
        let mut out = Vec::new();
        let mut check = |load: f64, spaces: u32, what: &str| {
            if load.is_finite() && load > f64::from(spaces) {
                out.push(format!(
                    "ED: offered load of the {what} {} spaces (attendances an hour x mean hours in a space{}, before \
                     any exit block) exceeds its {spaces} spaces; patients will queue for a space and their time in \
                     ED will grow through the run; see ed_space_wait_hours_mean",
                    readable(load),
                    if peak > 1.0 { format!(", at peak seasonality x{peak:.3}") } else { String::new() },
                ));
            }
        };
        check(main, c.spaces, "main treatment");
        if let Some(m) = &c.minors {
            check(per_hour * (1.0 - p) * minors_share * ed.hours_in_department.mean(), m.spaces, "minors");
        }
        out
    }

    /// Pathways whose starts a week fall short of the patients needing them
    /// (every pool's emergency admissions a day x its share, before
    /// seasonality, electives and outlying left out): their queue grows
    /// without limit, and so do the beds it holds.
    pub fn overloaded_pathways(&self) -> Vec<String> {
        let mut out = Vec::new();
        for p in &self.pathways {
            let Some(week) = p.starts_per_day else { continue };
            let need: f64 = (0..self.pools.len())
                .map(|i| {
                    let per_day: f64 = self.routes.iter().filter(|r| r.pool == i).map(|r| self.route_per_day(r)).sum();
                    per_day * self.pools[i].pathway_shares[p.index]
                })
                .sum::<f64>()
                * 7.0;
            let starts: u32 = week.iter().sum();
            if need > f64::from(starts) {
                out.push(format!(
                    "pathway {}: about {} patients a week need it (emergency admissions x pathway_shares, before \
                     seasonality) but it has {starts} starts a week; its queue, and the beds it holds, will grow \
                     through the run; see pathway_{}_queue_peak and nctr_patients_midnight",
                    crate::model::PATHWAY_NAMES[p.index],
                    readable(need),
                    crate::model::PATHWAY_NAMES[p.index].to_lowercase()
                ));
            }
        }
        out
    }

    /// Pools whose offered load at peak seasonality exceeds every bed they can
    /// open (core + escalation): queues there grow without limit (a `divert`
    /// pool turns a share away instead; a pool with elective load only cancels
    /// routine inpatients). Each entry is a message with the numbers, never NaN.
    /// Elective inpatients count at their theatre lists' weekly capacity.
    pub fn overloaded_pools(&self) -> Vec<String> {
        let days = self.warmup_days + self.reported_days();
        let peak = (0..days).map(|d| self.seasonality_factor(self.date_of_day(d))).fold(1.0_f64, f64::max);
        let mut out = Vec::new();
        let load_of = |i: usize| {
            let elective: f64 = self
                .theatre_lists
                .iter()
                .filter(|l| l.pool == i)
                .map(|l| {
                    let sp = &self.specialties[l.specialty];
                    let per_week = l.weekdays.iter().filter(|d| **d).count() as f64
                        * f64::from(l.lists_per_day * l.cases_per_list);
                    per_week / 7.0 * sp.inpatient_share * sp.stay_days.mean()
                })
                .sum::<f64>();
            (self.offered_load(i) + self.pathway_delay_load(i)) * peak + elective
        };
        // The most beds a pool can have: its largest dated core beds (an
        // opening counts; a closure for the whole run leaves 0) plus escalation.
        let most = |p: &BedPool| {
            let first = self.date_of_day(0);
            let dated = if p.capacity.is_empty() {
                p.beds
            } else {
                (0..days).map(|d| p.beds_on(first + chrono::Days::new(u64::from(d)))).max().unwrap_or(p.beds)
            };
            dated + p.escalation.as_ref().map_or(0, |e| e.max_beds)
        };
        for (i, p) in self.pools.iter().enumerate() {
            let load = load_of(i);
            let capacity = most(p);
            if load.is_nan() || load <= f64::from(capacity) {
                continue;
            }
            // A pool that outlies may pass its overflow to its hosts: warn only
            // if the hosts, carrying their own load too, cannot take it.
            if !p.outlie_to.is_empty() {
                let spare: f64 = p
                    .outlie_to
                    .iter()
                    .map(|&h| f64::from(most(&self.pools[h])) - load_of(h))
                    .filter(|x| *x > 0.0)
                    .sum();
                if load <= f64::from(capacity) + spare {
                    continue;
                }
            }
            let offered = if load.is_finite() { format!("{} beds", readable(load)) } else { "unbounded".to_string() };
            let delays = self.pathway_delay_load(i);
            let head = format!(
                "pool \"{}\": offered load {offered} (admissions a day x mean stay{}{}) exceeds its {} beds{}",
                p.name,
                if delays > 0.0 {
                    format!(" plus {} beds of patients waiting for a discharge pathway", readable(delays))
                } else {
                    String::new()
                },
                if peak > 1.0 { format!(", at peak seasonality x{peak:.3}") } else { String::new() },
                capacity,
                if capacity > p.beds { format!(" ({} core + escalation)", p.beds) } else { String::new() },
            );
            let has_emergency = self.routes.iter().any(|r| r.pool == i && self.route_per_day(r) > 0.0);
            let consequence = if p.when_full == WhenFull::Divert && has_emergency {
                // Carried load is at most the beds, so at least 1 - beds/load is turned away (Erlang B >= that).
                let share = 1.0 - f64::from(capacity) / load;
                format!(
                    "at least {:.0}% of its admissions will be diverted (when_full = \"divert\"); see diverted_share",
                    100.0 * share
                )
            } else if has_emergency {
                let growth = (load - f64::from(capacity)) / self.mean_stay(i);
                let by = if growth.is_finite() && growth > 0.0 {
                    format!(" by at least {} patients a day", readable(growth))
                } else {
                    String::new()
                };
                format!(
                    "the queue will grow{by} (more with discharge delays) and bed waits will be long and censored \
                     at the end of the run; see boarders_growth_per_day"
                )
            } else {
                "routine elective inpatients will be cancelled for lack of a bed; see elective_cancelled_no_bed"
                    .to_string()
            };
            out.push(format!("{head}; {consequence}"));
        }
        out
    }

    /// Beds a pool's patients hold past their acute stay waiting for a
    /// discharge pathway: admissions a day x each pathway's share of the
    /// pool's patients x its mean assessment delay (`delay_days`). The wait
    /// for a start when starts run short, and for the discharge hour, come on
    /// top and are not counted, so this is a lower bound of the extra load.
    pub fn pathway_delay_load(&self, pool: usize) -> f64 {
        let p = &self.pools[pool];
        let per_day: f64 = self.routes.iter().filter(|r| r.pool == pool).map(|r| self.route_per_day(r)).sum();
        let days: f64 = self
            .pathways
            .iter()
            .filter_map(|w| {
                let delay = w.delay_days.as_ref()?.mean();
                let share = *p.pathway_shares.get(w.index)?;
                (delay.is_finite() && share > 0.0).then_some(share * delay)
            })
            .sum();
        per_day * days
    }

    /// Mean length of stay of a pool's emergency routes, weighted by admissions.
    fn mean_stay(&self, pool: usize) -> f64 {
        let (load, rate) =
            self.routes.iter().filter(|r| r.pool == pool).fold((0.0, 0.0), |(l, n), r| {
                (l + self.route_per_day(r) * r.stay_days.mean(), n + self.route_per_day(r))
            });
        if rate > 0.0 { load / rate } else { 1.0 }
    }
}

/// A count or load for a message: one decimal place, or scientific notation
/// from a billion up (a load near 1e300 is not printed with 300 digits).
fn readable(x: f64) -> String {
    if x.abs() >= 1e9 { format!("{x:.3e}") } else { format!("{x:.1}") }
}
