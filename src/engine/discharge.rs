//! When a patient whose stay has ended leaves the bed.
//!
//! `on-ready`: the moment the stay ends.
//!
//! `profile` (the recommended model): the patient is reviewed once; a
//! weekday always lets them go, a weekend day only with the share
//! `weekend_review_share` and a bank holiday `bank_holiday_review_share`
//! (one draw per patient, so a patient not reviewed on Saturday is not on
//! Sunday either, and goes on the next weekday: fewer senior reviews, not a
//! coin toss every day). The clock time is a draw from the day's hour-of-day
//! profile (weekday, or weekend for weekends and bank holidays); the patient
//! leaves on the first day they may go at which that time is not before they
//! were ready. So the hours of discharges follow the profile exactly, and a
//! patient ready at 20:00 whose drawn time is 14:00 leaves at 14:00 the next
//! day. Both draws hash the patient's key (common random numbers).
//!
//! `daily-window` (the simple model, kept as it was): a patient ready during
//! the day's window leaves at once; one ready outside it leaves at a time
//! spread evenly over the next window. On a weekend day the discharge goes
//! ahead only with probability `weekend_factor`, on a bank holiday with
//! `bank_holiday_factor` (a bank holiday on a weekend uses the bank-holiday
//! factor); otherwise the patient is considered again the next day. Both the
//! daily go/no-go draw and the time in the window come from a hash of the
//! patient's own key and the day, so they never depend on what else happens
//! in the hospital (common random numbers).

use super::rng::keyed_unit;
use crate::calendar::is_weekend;
use crate::model::{DAY, DischargePolicy, HOUR, Model};

/// The discharge policy compiled for one run: window times in seconds and a
/// go-ahead chance per simulated day, so leaving needs no calendar look-up.
#[derive(Debug, Clone)]
pub enum DischargeRules {
    /// Patients leave the moment their stay ends.
    OnReady,
    /// Hour-of-day profiles and weekend review shares (`mode = "profile"`).
    Profile {
        /// Cumulative shares of the 24 clock hours: weekday, then weekend.
        cumulative: Box<[[f64; 24]; 2]>,
        /// Per simulated day: the share of patients who can go that day, and
        /// which profile it uses (0 weekday, 1 weekend or bank holiday).
        days: Box<[(f64, u8)]>,
    },
    /// Patients leave only inside a daily window.
    DailyWindow {
        /// Window opens, in seconds after midnight.
        open: u32,
        /// Window closes, in seconds after midnight (a patient ready at or after it waits for the next day).
        close: u32,
        /// Chance a ready patient goes on each simulated day (1 on weekdays).
        day_chance: Box<[f64]>,
    },
}

impl DischargeRules {
    /// Rules for `model`'s discharge policy over `days` simulated days (warm-up included).
    pub fn new(model: &Model, days: u32) -> DischargeRules {
        match model.discharge {
            DischargePolicy::OnReady => DischargeRules::OnReady,
            DischargePolicy::Profile {
                weekday_hours,
                weekend_hours,
                weekend_review_share,
                bank_holiday_review_share,
                ..
            } => {
                let days = (0..days)
                    .map(|d| {
                        let date = model.date_of_day(d);
                        if model.calendar.is_bank_holiday(date) {
                            (bank_holiday_review_share, 1)
                        } else if is_weekend(date) {
                            (weekend_review_share, 1)
                        } else {
                            (1.0, 0)
                        }
                    })
                    .collect();
                DischargeRules::Profile {
                    cumulative: Box::new([cumulate(&weekday_hours), cumulate(&weekend_hours)]),
                    days,
                }
            }
            DischargePolicy::DailyWindow { open_hour, close_hour, weekend_factor, bank_holiday_factor } => {
                let day_chance = (0..days)
                    .map(|d| {
                        let date = model.date_of_day(d);
                        if model.calendar.is_bank_holiday(date) {
                            bank_holiday_factor
                        } else if is_weekend(date) {
                            weekend_factor
                        } else {
                            1.0
                        }
                    })
                    .collect();
                DischargeRules::DailyWindow { open: open_hour * HOUR, close: close_hour * HOUR, day_chance }
            }
        }
    }

    /// Discharge time of a patient ready at `ready`, or `None` if it falls
    /// beyond the simulated days. Inlined into admission (the simple rules'
    /// path is short); the profile rules' is a call of its own.
    #[inline(always)]
    pub fn leave_time(&self, ready: u32, key: u64) -> Option<u32> {
        match self {
            DischargeRules::OnReady => Some(ready),
            DischargeRules::Profile { cumulative, days } => profile_leave_time(cumulative, days, ready, key),
            DischargeRules::DailyWindow { open, close, day_chance } => {
                let mut day = ready / DAY;
                let time_of_day = ready % DAY;
                if time_of_day >= *close {
                    day += 1;
                }
                loop {
                    let chance = *day_chance.get(day as usize)?;
                    if chance > 0.0 && keyed_unit(key, day) < chance {
                        let start = day * DAY;
                        if start + open <= ready {
                            // Ready inside today's window: leaves at once.
                            return Some(ready);
                        }
                        let spread = keyed_unit(!key, day);
                        return Some(start + open + (spread * f64::from(close - open)) as u32);
                    }
                    day += 1;
                }
            }
        }
    }
}

/// The profile rules' discharge time (see the module's documentation).
#[inline(never)]
fn profile_leave_time(cumulative: &[[f64; 24]; 2], days: &[(f64, u8)], ready: u32, key: u64) -> Option<u32> {
    let review = keyed_unit(key, REVIEW_SALT);
    let hour = keyed_unit(!key, HOUR_SALT);
    let mut day = ready / DAY;
    loop {
        let (share, kind) = *days.get(day as usize)?;
        if review < share {
            let t = day * DAY + time_of_day(&cumulative[usize::from(kind)], hour);
            if t >= ready {
                return Some(t);
            }
        }
        day += 1;
    }
}

/// Salts of the two per-patient draws of the profile rules (`keyed_unit`'s
/// day argument; the daily-window rules use real day numbers, far below).
const REVIEW_SALT: u32 = u32::MAX;
const HOUR_SALT: u32 = u32::MAX - 1;

/// Running totals of 24 hour shares, the last exactly 1.
fn cumulate(shares: &[f64; 24]) -> [f64; 24] {
    let mut out = [0.0; 24];
    let mut acc = 0.0;
    for (o, s) in out.iter_mut().zip(shares) {
        acc += s;
        *o = acc;
    }
    out[23] = 1.0;
    out
}

/// Seconds after midnight for a uniform draw `u` in [0, 1): the clock hour
/// whose cumulative share first exceeds `u` (an hour of weight 0 is never
/// chosen), and within it a time spread evenly by the rest of `u`.
#[inline]
pub(super) fn time_of_day(cumulative: &[f64; 24], u: f64) -> u32 {
    let h = cumulative.iter().position(|&c| u < c).unwrap_or(23);
    let below = if h == 0 { 0.0 } else { cumulative[h - 1] };
    let frac = ((u - below) / (cumulative[h] - below)).clamp(0.0, 1.0);
    h as u32 * HOUR + ((frac * f64::from(HOUR)) as u32).min(HOUR - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules(chances: &[f64]) -> DischargeRules {
        DischargeRules::DailyWindow { open: 9 * HOUR, close: 17 * HOUR, day_chance: chances.into() }
    }

    #[test]
    fn ready_inside_window_leaves_at_once() {
        let r = rules(&[1.0; 5]);
        let ready = DAY + 10 * HOUR;
        assert_eq!(r.leave_time(ready, 99), Some(ready));
    }

    #[test]
    fn ready_overnight_leaves_in_next_window() {
        let r = rules(&[1.0; 5]);
        for key in 0..200u64 {
            let t = r.leave_time(DAY + 20 * HOUR, key).unwrap();
            assert!((2 * DAY + 9 * HOUR..2 * DAY + 17 * HOUR).contains(&t));
            let t = r.leave_time(DAY + 3 * HOUR, key).unwrap();
            assert!((DAY + 9 * HOUR..DAY + 17 * HOUR).contains(&t));
        }
    }

    /// The time in the window is its own draw, not the day's go/no-go one:
    /// on days with a chance of 0.5, patients who go are spread over the
    /// whole window (9:00-17:00), not only its first half (which the go/no-go
    /// draw, being below 0.5, would give).
    #[test]
    fn the_time_in_the_window_is_spread_over_all_of_it() {
        let r = rules(&[0.5; 40]);
        let late =
            (0..400u64).filter_map(|key| r.leave_time(DAY + 20 * HOUR, key)).filter(|t| t % DAY >= 13 * HOUR).count();
        assert!((150..250).contains(&late), "{late} of 400 after 13:00");
    }

    #[test]
    fn zero_chance_days_are_skipped() {
        // Days 1 and 2 (say Saturday and Sunday) discharge nobody.
        let r = rules(&[1.0, 0.0, 0.0, 1.0]);
        for key in 0..200u64 {
            let t = r.leave_time(DAY + 10 * HOUR, key).unwrap();
            assert!((3 * DAY + 9 * HOUR..3 * DAY + 17 * HOUR).contains(&t), "{t}");
        }
        // Beyond the simulated days: never discharged within the run.
        assert_eq!(rules(&[1.0, 0.0]).leave_time(DAY + 10 * HOUR, 1), None);
    }

    /// By hand: half the leavers in the 10:00 hour and half in the 15:00
    /// hour. A draw picks the hour by the running shares, then the time
    /// within it by where the draw falls inside the hour's share; an hour
    /// with all the weight (the first hour here) spreads over all of it.
    #[test]
    fn a_draw_gives_its_hour_and_its_place_in_the_hour() {
        let mut shares = [0.0; 24];
        shares[10] = 0.5;
        shares[15] = 0.5;
        let c = cumulate(&shares);
        assert_eq!(time_of_day(&c, 0.0), 10 * HOUR);
        assert_eq!(time_of_day(&c, 0.25), 10 * HOUR + HOUR / 2);
        assert_eq!(time_of_day(&c, 0.499_999_999), 11 * HOUR - 1);
        assert_eq!(time_of_day(&c, 0.5), 15 * HOUR);
        assert_eq!(time_of_day(&c, 0.875), 15 * HOUR + 3 * HOUR / 4);
        let mut first = [0.0; 24];
        first[0] = 1.0;
        assert_eq!(time_of_day(&cumulate(&first), 0.5), HOUR / 2);
        // A draw just below an hour's running share can round to the whole
        // hour's share (u - below == c - below in floating point): still in
        // that hour, its last second.
        let mut c = [1.0_f64; 24];
        c[..10].fill(0.398_849_380_133_752_3);
        c[10] = 0.992_325_664_918_164_1;
        let u = f64::from_bits(c[10].to_bits() - 1);
        assert_eq!((u - c[9]) / (c[10] - c[9]), 1.0, "the rounding this case needs");
        assert_eq!(time_of_day(&c, u), 11 * HOUR - 1);
    }

    /// The profile rules' hours of leaving follow the profile: a chi-square
    /// test of 24,000 patients ready at spread-out times over 24 hours
    /// (false-alarm rate 1e-6), and hours of weight 0 never used; a patient
    /// never leaves before ready, and one not reviewed on a weekend day goes
    /// on the next weekday.
    #[test]
    fn leaving_hours_follow_the_profile() {
        use statrs::distribution::{ChiSquared, ContinuousCDF};
        let mut w = [0.0; 24];
        for (h, x) in w.iter_mut().enumerate().skip(7).take(14) {
            *x = 1.0 + (h as f64 - 14.0).abs().mul_add(-0.1, 1.0);
        }
        let total: f64 = w.iter().sum();
        let shares = w.map(|x| x / total);
        // Days 0-4 weekdays, 5 and 6 a weekend with review share 0.5, then weekdays.
        let days: Box<[(f64, u8)]> = (0..40).map(|d| if d % 7 >= 5 { (0.5, 1) } else { (1.0, 0) }).collect();
        let r = DischargeRules::Profile { cumulative: Box::new([cumulate(&shares), cumulate(&shares)]), days };
        let mut counts = [0u32; 24];
        let n = 24_000u64;
        for key in 0..n {
            let ready = (key % 4) as u32 * DAY + (key.wrapping_mul(7919) % u64::from(DAY)) as u32;
            let t = r.leave_time(ready, key.wrapping_mul(0x9E37_79B9_7F4A_7C15)).unwrap();
            assert!(t >= ready);
            let day = t / DAY;
            if ready / DAY < 5 && day >= 5 {
                assert!(day == 7 || day == 5 || day == 6, "ready on day {}, left on {day}", ready / DAY);
            }
            counts[((t % DAY) / HOUR) as usize] += 1;
        }
        let mut chi2 = 0.0;
        let mut df = -1.0;
        for (h, &c) in counts.iter().enumerate() {
            if shares[h] == 0.0 {
                assert_eq!(c, 0, "hour {h} has weight 0");
                continue;
            }
            let e = shares[h] * n as f64;
            chi2 += (f64::from(c) - e).powi(2) / e;
            df += 1.0;
        }
        let limit = ChiSquared::new(df).unwrap().inverse_cdf(1.0 - 1e-6);
        assert!(chi2 < limit, "chi-square {chi2} over {limit} ({df} df): {counts:?}");
        // A profile shifted by a few hours fails the same test (power).
        let mut shifted = [0.0; 24];
        shifted[3..24].copy_from_slice(&shares[..21]);
        let mut chi2_shifted = 0.0;
        for (h, &c) in counts.iter().enumerate() {
            if shifted[h] > 0.0 {
                let e = shifted[h] * n as f64;
                chi2_shifted += (f64::from(c) - e).powi(2) / e;
            }
        }
        assert!(chi2_shifted > 10.0 * limit);
    }
}
