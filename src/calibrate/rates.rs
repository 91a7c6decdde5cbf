//! Rates of arrival streams from the data range: the daily mean, weekday
//! and month factors, the bank-holiday factor and where holiday demand went.

use super::*;

/// The days of the data range and its calendar.
pub(super) struct Range<'a> {
    pub(super) from: NaiveDate,
    pub(super) days: i64,
    pub(super) calendar: &'a Calendar,
}

/// A stream's rate: the daily mean before the weekday weight, month factor and bank-holiday factor.
#[derive(Debug, Clone)]
pub(super) struct Rate {
    pub(super) per_day: f64,
    pub(super) day_of_week: [f64; 7],
    pub(super) weekday_means: [f64; 7],
    pub(super) bank_holiday_factor: f64,
    pub(super) bank_holidays: usize,
    pub(super) displacement: Option<DisplacementFit>,
}

/// Where a stream's holiday demand went, estimated from the working days
/// around each holiday (see [`Range::displacement`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DisplacementFit {
    /// Share of the missing demand arriving on each of the first three working days after.
    pub after_days: [f64; 3],
    /// Share arriving on the working day before.
    pub before: f64,
    /// Standard error of the total share moved (Poisson counts).
    pub se: f64,
    /// Whether it is precise enough to write (standard error under 0.15).
    pub written: bool,
}

/// Largest standard error of a displacement estimate that is written.
pub const MAX_DISPLACEMENT_SE: f64 = 0.15;

impl Range<'_> {
    pub(super) fn contains(&self, t: i64) -> bool {
        let start = midnight(self.from);
        t >= start && t < start + self.days * DAY
    }

    pub(super) fn date(&self, d: usize) -> NaiveDate {
        self.from + chrono::Duration::days(d as i64)
    }

    pub(super) fn daily_counts(&self, times: &[i64]) -> Vec<f64> {
        let start = midnight(self.from);
        let mut c = vec![0.0; self.days as usize];
        for &t in times {
            if let Some(x) = c.get_mut(((t - start).div_euclid(DAY)) as usize) {
                *x += 1.0;
            }
        }
        c
    }

    pub(super) fn holiday(&self, d: usize) -> bool {
        self.calendar.is_bank_holiday(self.date(d))
    }

    /// Weekday weights (mean 1) from the mean count on each weekday that is
    /// not a bank holiday, each day divided by its month factor first.
    pub(super) fn weekday_weights(&self, counts: &[f64], months: &BTreeMap<u32, f64>) -> ([f64; 7], [f64; 7]) {
        let (mut sum, mut n) = ([0.0; 7], [0.0; 7]);
        for (d, &c) in counts.iter().enumerate() {
            if !self.holiday(d) {
                let date = self.date(d);
                let w = date.weekday().num_days_from_monday() as usize;
                sum[w] += c / months.get(&date.month()).copied().unwrap_or(1.0);
                n[w] += 1.0;
            }
        }
        let means: [f64; 7] = std::array::from_fn(|w| if n[w] > 0.0 { sum[w] / n[w] } else { 0.0 });
        let overall = means.iter().sum::<f64>() / 7.0;
        (std::array::from_fn(|w| if overall > 0.0 { means[w] / overall } else { 1.0 }), means)
    }

    /// Calendar-month factors: each month's mean of count / weekday weight
    /// (bank holidays left out) over the mean of all such days.
    pub(super) fn month_factors(&self, counts: &[f64], dow: &[f64; 7]) -> BTreeMap<u32, f64> {
        let mut by_month: BTreeMap<u32, (f64, f64)> = BTreeMap::new();
        let (mut total, mut n) = (0.0_f64, 0.0_f64);
        for (d, &c) in counts.iter().enumerate() {
            let date = self.date(d);
            let w = dow[date.weekday().num_days_from_monday() as usize];
            if self.holiday(d) || w <= 0.0 {
                continue;
            }
            let e = by_month.entry(date.month()).or_default();
            e.0 += c / w;
            e.1 += 1.0;
            total += c / w;
            n += 1.0;
        }
        let overall = total / n.max(1.0);
        by_month.into_iter().map(|(m, (s, k))| (m, if overall > 0.0 { s / k / overall } else { 1.0 })).collect()
    }

    /// Observed mean a day by (year, month).
    pub(super) fn month_means(&self, counts: &[f64]) -> Vec<((i32, u32), f64)> {
        let mut by: BTreeMap<(i32, u32), (f64, f64)> = BTreeMap::new();
        for (d, &c) in counts.iter().enumerate() {
            let date = self.date(d);
            let e = by.entry((date.year(), date.month())).or_default();
            e.0 += c;
            e.1 += 1.0;
        }
        by.into_iter().map(|(k, (s, n))| (k, s / n)).collect()
    }

    /// A stream's rate given the month factors: weekday weights, the base
    /// daily rate (mean of count / (weekday weight x month factor) over days
    /// that are not bank holidays), and the bank-holiday factor (mean of
    /// count / expected count over bank holidays; 1 with none, or when every
    /// holiday falls on a day of weight 0).
    pub(super) fn rate(&self, counts: &[f64], months: &BTreeMap<u32, f64>) -> Rate {
        let (dow, weekday_means) = self.weekday_weights(counts, months);
        let month = |d: usize| months.get(&self.date(d).month()).copied().unwrap_or(1.0);
        let weight = |d: usize| dow[self.date(d).weekday().num_days_from_monday() as usize] * month(d);
        let (mut s, mut n) = (0.0_f64, 0.0_f64);
        for (d, &c) in counts.iter().enumerate() {
            if !self.holiday(d) && weight(d) > 0.0 {
                s += c / weight(d);
                n += 1.0;
            }
        }
        let per_day = s / n.max(1.0);
        let (mut hs, mut he, mut holidays) = (0.0, 0.0, 0);
        for (d, &c) in counts.iter().enumerate() {
            if self.holiday(d) {
                holidays += 1;
                hs += c;
                he += weight(d) * per_day;
            }
        }
        let bank_holiday_factor = if he > 0.0 { hs / he } else { 1.0 };
        let expected: Vec<f64> = (0..counts.len()).map(|d| weight(d) * per_day).collect();
        let displacement = self.displacement(counts, &expected);
        Rate { per_day, day_of_week: dow, weekday_means, bank_holiday_factor, bank_holidays: holidays, displacement }
    }

    /// Estimates where holidays' missing demand went: over every block of
    /// consecutive bank holidays (weekends inside a block belong to it), the
    /// missing demand is expected minus actual on the holidays; the excess on
    /// the k-th working day after the block and on the working day before it
    /// is actual minus expected. The shares are total excess / total missing
    /// (a moment estimator; each share clamped to 0..1, the total to 1), with
    /// the Poisson standard error sqrt(expected on those days) / missing.
    /// `None` when the holidays miss no demand.
    pub(super) fn displacement(&self, counts: &[f64], expected: &[f64]) -> Option<DisplacementFit> {
        let n = counts.len();
        let working = |d: usize| !self.holiday(d) && !crate::calendar::is_weekend(self.date(d));
        let (mut missing, mut excess, mut before, mut var) = (0.0, [0.0; 3], 0.0, 0.0);
        let mut d = 0;
        while d < n {
            if !self.holiday(d) {
                d += 1;
                continue;
            }
            // The block: holidays and the weekend days between or after them.
            let start = d;
            let mut end = d;
            while end + 1 < n && !working(end + 1) {
                end += 1;
            }
            let after: Vec<usize> = (end + 1..n).filter(|&x| working(x)).take(3).collect();
            let prev = (0..start).rev().find(|&x| working(x));
            if after.len() < 3 || prev.is_none() {
                d = end + 1;
                continue;
            }
            for h in (start..=end).filter(|&h| self.holiday(h)) {
                missing += expected[h] - counts[h];
            }
            for (k, &x) in after.iter().enumerate() {
                excess[k] += counts[x] - expected[x];
                var += expected[x];
            }
            if let Some(p) = prev {
                before += counts[p] - expected[p];
                var += expected[p];
            }
            d = end + 1;
        }
        if missing <= 0.0 {
            return None;
        }
        let share = |x: f64| if x.is_finite() { x.clamp(0.0, 1.0) } else { 0.0 };
        let mut after_days = excess.map(|e| share(e / missing));
        let total: f64 = after_days.iter().sum();
        if total > 1.0 {
            after_days = after_days.map(|x| x / total);
        }
        let room = (1.0 - after_days.iter().sum::<f64>()).max(0.0);
        let before = share(before / missing).min(room);
        let se = var.sqrt() / missing;
        Some(DisplacementFit { after_days, before, se, written: se < MAX_DISPLACEMENT_SE })
    }
}
