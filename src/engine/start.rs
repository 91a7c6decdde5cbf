//! The starting state: the patients of a census placed in their beds (and
//! queues) at time 0, before any event, each with the rest of their stay.
//!
//! A census patient's remaining stay is `expected_discharge` less the census
//! time if the census gives it; otherwise it is drawn from the stay
//! distribution of the route that admitted them, conditioned on the days
//! already spent ([`crate::dist::Distribution::residual`]: a patient 10 days
//! into a long-tailed stay has more to go than a new one). Without a route in
//! the census, the route is drawn among the pool's emergency routes with
//! weights proportional to each route's admissions a day times the chance
//! its stays last as long as this one has (Bayes: the longer a patient has
//! stayed, the likelier a long-stay route); a pool with no emergency route
//! uses its theatre lists' specialties, equally weighted. The draws use a
//! stream of their own ([`super::rng::CENSUS`]), so a census changes no
//! other draw. Census patients' stays count from the census time in no
//! length-of-stay figure: their discharges are left out of
//! `length_of_stay_days_mean`. Patients waiting at the census wait from the
//! census time (their earlier wait is not known to the engine), ask for a bed
//! in file order at time 0 (outlying as any other), and never hold an ED space.

use super::*;
use crate::dist::Distribution;
use crate::model::{CensusRoute, CensusStay, Model};

/// Marks a census patient (in `Patient::arrival`): their stay before the
/// census is not known to the engine.
pub(super) const CENSUS_ARRIVAL: u32 = u32::MAX;

/// One census patient in engine units.
pub(super) struct StartPatient {
    /// Pool of the bed (or of the queue, for a patient waiting).
    bed: u32,
    /// The patient's own pool (differs from `bed` for an outlier).
    home: u16,
    /// Days already in the bed.
    elapsed: f64,
    /// Remaining stay in seconds, when the census gives it.
    fixed: Option<u32>,
    waiting: bool,
    /// Known pathway (1-3) and days waited on it (see `CensusPatient::pathway`).
    pathway: Option<(u8, f64)>,
    /// Cumulative weights of the stay distributions that may have admitted
    /// the patient: (upper bound, index into [`StartPlan::stays`]).
    choices: Vec<(f64, u32)>,
}

/// The census, ready to place in every replication.
pub(super) struct StartPlan {
    patients: Vec<StartPatient>,
    /// Stay distributions, in days: each route's, then each specialty's.
    stays: Vec<Distribution>,
}

impl StartPlan {
    /// The census of `model` in engine units, or `None` without one.
    pub(super) fn new(model: &Model) -> Option<StartPlan> {
        let census = model.census.as_ref()?;
        let stays: Vec<Distribution> = model
            .routes
            .iter()
            .map(|r| r.stay_days.clone())
            .chain(model.specialties.iter().map(|s| s.stay_days.clone()))
            .collect();
        let specialty = |j: usize| model.routes.len() + j;
        let patients = census
            .patients
            .iter()
            .map(|c| {
                let home = match c.route {
                    Some(CensusRoute::Route(r)) if !c.waiting => model.routes[r].pool,
                    _ => c.pool,
                };
                let candidates: Vec<(f64, usize)> = match c.route {
                    Some(CensusRoute::Route(r)) => vec![(1.0, r)],
                    Some(CensusRoute::Specialty(j)) => vec![(1.0, specialty(j))],
                    None => {
                        let routes: Vec<(f64, usize)> = model
                            .routes
                            .iter()
                            .enumerate()
                            .filter(|(_, r)| r.pool == c.pool)
                            .map(|(k, r)| (model.route_per_day(r), k))
                            .collect();
                        if routes.iter().any(|(w, _)| *w > 0.0) {
                            routes
                        } else {
                            let mut lists: Vec<usize> = model
                                .theatre_lists
                                .iter()
                                .filter(|l| l.pool == c.pool)
                                .map(|l| specialty(l.specialty))
                                .collect();
                            lists.dedup();
                            lists.into_iter().map(|k| (1.0, k)).collect()
                        }
                    }
                };
                // Weight by the chance each could have lasted this long.
                let mut acc = 0.0;
                let choices: Vec<(f64, u32)> = candidates
                    .iter()
                    .filter_map(|&(w, k)| {
                        let w = w * stays[k].survival(c.elapsed_days);
                        (w > 0.0 && w.is_finite()).then(|| {
                            acc += w;
                            (acc, k as u32)
                        })
                    })
                    .collect();
                let choices = choices.into_iter().map(|(a, k)| (a / acc, k)).collect();
                StartPatient {
                    bed: c.pool as u32,
                    home: home as u16,
                    elapsed: c.elapsed_days,
                    fixed: match c.stay {
                        CensusStay::Expected(days) => Some(secs(days * f64::from(DAY))),
                        CensusStay::Drawn => None,
                    },
                    waiting: c.waiting,
                    pathway: c.pathway.filter(|_| !c.waiting),
                    choices,
                }
            })
            .collect();
        Some(StartPlan { patients, stays })
    }
}

impl Engine<'_> {
    /// Places the census at time 0: patients in beds first (file order),
    /// then those waiting ask for a bed.
    pub(super) fn place_census(&mut self, mut rng: ChaCha8Rng) {
        let plan = self.plan;
        let Some(start) = &plan.start else { return };
        for waiting in [false, true] {
            for s in start.patients.iter().filter(|s| s.waiting == waiting) {
                // Two draws per patient whatever its kind, so each keeps its own.
                let (u1, u2, key) = (unit_f64(&mut rng), unit_f64(&mut rng), rng.next_u64());
                let stay = match s.fixed {
                    Some(t) => t,
                    None => match s.choices.iter().find(|(c, _)| u1 < *c).or(s.choices.last()) {
                        Some(&(_, k)) => {
                            let elapsed = if waiting { 0.0 } else { s.elapsed };
                            secs(start.stays[k as usize].residual(elapsed, u2) * f64::from(DAY))
                        }
                        None => 0,
                    },
                };
                let p = self.new_patient(Patient {
                    // A patient waiting arrives at the census time; one in a
                    // bed is marked, its stay before the census unknown.
                    arrival: if waiting { 0 } else { CENSUS_ARRIVAL },
                    decision: 0,
                    admitted: 0,
                    stay,
                    key,
                    pool: s.home,
                    state: State::Waiting,
                    from_ed: false,
                    urgent: false,
                    ed_place: ed::EdPlace::NotModelled,
                    pathway: 0,
                });
                if waiting {
                    self.request_bed(p, 0);
                } else {
                    self.place_in_bed(p, s.bed as usize, s.pathway);
                }
            }
        }
    }

    /// A census patient already in a bed of `bed` at time 0: no admission, no
    /// wait, only the discharge to come.
    fn place_in_bed(&mut self, p: u32, bed: usize, pathway: Option<(u8, f64)>) {
        let plan = self.plan;
        let pat = &mut self.patients[p as usize];
        let home = pat.pool as usize;
        let ward = plan.is_ward(bed);
        pat.state = if bed == home || ward { State::InBed } else { State::Outlying };
        pat.pool = bed as u16;
        let pat = *pat;
        self.change(bed, 0, 1, 0);
        if pat.state == State::Outlying {
            self.count_outliers(bed, 0, 1);
        }
        match pathway {
            Some((k, waited)) => self.schedule_known_pathway(p, usize::from(k), waited),
            None => self.schedule_leave(p, pat.stay, home),
        }
    }
}
