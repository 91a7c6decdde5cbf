//! Arrival processes.
//!
//! Demand is a non-homogeneous Poisson process whose rate is constant within
//! each clock hour: daily rate x hour-of-day share x weekday x seasonality x
//! bank-holiday factor. Arrivals are drawn exactly by inverting the cumulative
//! rate: draw E ~ Exp(1) and walk forward hour by hour until the integrated
//! rate reaches E. There is no thinning, so no acceptance test can be evaluated
//! in the wrong interval, and an hour with rate zero gets no arrivals at all.

use crate::model::{ArrivalProcess, HOUR, Model, TimeProfile};
use rand::Rng;

/// Arrival rate per second in each hour of the horizon.
#[derive(Debug, Clone)]
pub struct HourlyRates {
    per_second: Box<[f64]>,
}

impl HourlyRates {
    /// Rates for `per_day` arrivals a day shaped by `profile`, over `days` days.
    pub fn new(model: &Model, per_day: f64, profile: &TimeProfile, days: u32) -> HourlyRates {
        let mut per_second = Vec::with_capacity(days as usize * 24);
        for m in model.day_multipliers(profile, days) {
            for share in profile.hour_share {
                per_second.push(per_day * m * share / f64::from(HOUR));
            }
        }
        HourlyRates { per_second: per_second.into_boxed_slice() }
    }

    /// Expected arrivals over the horizon (for checks and tests).
    pub fn expected_total(&self) -> f64 {
        self.per_second.iter().sum::<f64>() * f64::from(HOUR)
    }

    /// Expected arrivals in hour `h` of the horizon.
    pub fn expected_in_hour(&self, h: usize) -> f64 {
        self.per_second[h] * f64::from(HOUR)
    }
}

/// The state of one arrival stream within a replication.
#[derive(Debug, Clone, Copy)]
pub enum ArrivalClock {
    /// A Poisson stream.
    Poisson {
        /// Continuous time of the last arrival, in seconds (kept unrounded so
        /// rounding to whole seconds never accumulates).
        t: f64,
    },
    /// Evenly spaced arrivals (`arrivals = "regular"`).
    Regular {
        /// Index of the next arrival; arrival k comes at k x 86,400 / `per_day` seconds.
        k: u64,
        /// Arrivals a day.
        per_day: f64,
    },
}

impl ArrivalClock {
    /// A stream before its first arrival: Poisson from time 0, or regular from arrival 0.
    pub fn new(process: ArrivalProcess, per_day: f64) -> ArrivalClock {
        match process {
            ArrivalProcess::Poisson => ArrivalClock::Poisson { t: 0.0 },
            ArrivalProcess::Regular => ArrivalClock::Regular { k: 0, per_day },
        }
    }

    /// The next arrival time in whole seconds, or `None` past the horizon's rates.
    #[inline]
    pub fn next<R: Rng + ?Sized>(&mut self, rates: &HourlyRates, rng: &mut R) -> Option<u32> {
        match self {
            ArrivalClock::Poisson { t } => next_poisson(rates, t, rng),
            ArrivalClock::Regular { k, per_day } => {
                let at = (*k as f64 * f64::from(crate::model::DAY) / *per_day).floor();
                *k += 1;
                let hours = rates.per_second.len() as f64;
                (at < hours * f64::from(HOUR)).then_some(at as u32)
            }
        }
    }
}

#[inline]
fn next_poisson<R: Rng + ?Sized>(rates: &HourlyRates, t: &mut f64, rng: &mut R) -> Option<u32> {
    let mut e: f64 = rand_distr::Distribution::sample(&rand_distr::Exp1, rng);
    let hour = f64::from(HOUR);
    let mut h = (*t / hour) as usize;
    loop {
        let r = *rates.per_second.get(h)?;
        let end = (h + 1) as f64 * hour;
        let room = end - *t;
        if r > 0.0 && e <= r * room {
            *t += e / r;
            return Some(second_in_hour(*t, h));
        }
        e -= r * room;
        *t = end;
        h += 1;
    }
}

/// The whole second of time `t` (seconds), kept inside hour `h`, the hour
/// whose rate produced the arrival: rounding down does that, and the clamp
/// covers `t` landing exactly on the hour's end after floating-point rounding.
#[inline]
fn second_in_hour(t: f64, h: usize) -> u32 {
    let h = h as u32;
    (t as u32).min((h + 1) * HOUR - 1).max(h * HOUR)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An arrival time rounds down to its second, and never leaves the hour
    /// whose rate produced it, even at the hour's very end or start.
    #[test]
    fn arrival_seconds_stay_inside_their_hour() {
        assert_eq!(second_in_hour(7250.9, 2), 7250);
        assert_eq!(second_in_hour(3.0 * 3600.0, 2), 3 * 3600 - 1, "exactly the end: the hour's last second");
        assert_eq!(second_in_hour(7199.999, 2), 7200, "just before the start: the hour's first second");
        assert_eq!(second_in_hour(7200.0, 2), 7200);
    }
    use crate::calendar::{Calendar, Region};
    use crate::model::{DischargePolicy, Model};
    use chrono::NaiveDate;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    fn model(days: u32) -> Model {
        let start = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap(); // a Monday
        Model {
            name: "t".into(),
            start,
            end: start + chrono::Days::new(u64::from(days) - 1),
            warmup_days: 0,
            replications: 1,
            seed: 1,
            calendar: Calendar::new(Region::None, &[]),
            ed: None,
            seasonality: vec![],
            routes: vec![],
            pools: vec![],
            discharge: DischargePolicy::OnReady,
            pathways: Vec::new(),
            specialties: vec![],
            theatre_lists: vec![],
            elective_cuts: vec![],
            opel: None,
            census: None,
            uncertainty: Vec::new(),
            plan: None,
        }
    }

    fn draw_all(rates: &HourlyRates, seed: u64) -> Vec<u32> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut clock = ArrivalClock::new(ArrivalProcess::Poisson, 0.0);
        std::iter::from_fn(|| clock.next(rates, &mut rng)).collect()
    }

    /// Weight in one hour only: every arrival lands in [10:00, 11:00), and
    /// arrivals on the last second of hour 10 are possible but hour 11 is empty.
    #[test]
    fn single_hour_profile_keeps_arrivals_inside_the_hour() {
        let m = model(200);
        let mut p = TimeProfile::flat();
        p.hour_share = [0.0; 24];
        p.hour_share[10] = 1.0;
        let rates = HourlyRates::new(&m, 50.0, &p, 200);
        let times = draw_all(&rates, 3);
        assert!(!times.is_empty());
        for t in &times {
            let s = t % crate::model::DAY;
            assert!((10 * HOUR..11 * HOUR).contains(&s), "arrival at second {s} of the day");
        }
    }

    /// Weekday weights Monday-only: no arrival on Tuesday..Sunday.
    #[test]
    fn weekday_profile_respects_day_boundaries() {
        let m = model(70);
        let mut p = TimeProfile::flat();
        p.day_multiplier = [7.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let rates = HourlyRates::new(&m, 20.0, &p, 70);
        for t in draw_all(&rates, 4) {
            assert_eq!((t / crate::model::DAY) % 7, 0, "arrival on day {}", t / crate::model::DAY);
        }
    }

    /// The count in each clock hour of the day matches the profile: chi-square
    /// over the 24 hours against its 0.1% critical value for 23 degrees of
    /// freedom (49.73), and the total within 4 Poisson standard errors.
    #[test]
    fn hour_of_day_profile_is_reproduced() {
        const CHI2_23DF_P001: f64 = 49.73;
        let days = 730;
        let m = model(days);
        let mut p = TimeProfile::flat();
        let w: [f64; 24] = [
            2.0, 1.6, 1.3, 1.1, 1.0, 1.0, 1.3, 2.0, 3.2, 4.4, 5.0, 5.1, 5.0, 4.8, 4.6, 4.5, 4.5, 4.4, 4.2, 4.0, 3.7,
            3.3, 2.9, 2.4,
        ];
        let total: f64 = w.iter().sum();
        p.hour_share = std::array::from_fn(|h| w[h] / total);
        let rates = HourlyRates::new(&m, 330.0, &p, days);
        let times = draw_all(&rates, 5);
        let mut counts = [0.0f64; 24];
        for t in &times {
            counts[((t % crate::model::DAY) / HOUR) as usize] += 1.0;
        }
        let expected_total = rates.expected_total();
        let chi2: f64 = (0..24)
            .map(|h| {
                let e = expected_total * p.hour_share[h];
                (counts[h] - e).powi(2) / e
            })
            .sum();
        assert!(chi2 < CHI2_23DF_P001, "chi-square {chi2}");
        let n = times.len() as f64;
        assert!((n - expected_total).abs() < 4.0 * expected_total.sqrt(), "{n} vs {expected_total}");
    }

    #[test]
    fn regular_arrivals_are_evenly_spaced() {
        let m = model(2);
        let rates = HourlyRates::new(&m, 4.0, &TimeProfile::flat(), 2);
        let mut rng = ChaCha8Rng::seed_from_u64(0);
        let mut clock = ArrivalClock::new(ArrivalProcess::Regular, 4.0);
        let times: Vec<u32> = std::iter::from_fn(|| clock.next(&rates, &mut rng)).collect();
        assert_eq!(times, vec![0, 21600, 43200, 64800, 86400, 108000, 129600, 151200]);
    }
}
