//! The summary of one KPI across replications: mean, Student-t 95%
//! confidence interval of the mean, and percentiles. A leaf: it knows
//! numbers, not KPIs or models.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Half the width of the Student-t 95% confidence interval of a mean of `n`
/// values with sample standard deviation `sd` (NaN below two values). The one
/// place the interval is computed, for exact and streaming summaries alike.
pub fn ci95_half_width(sd: f64, n: usize) -> f64 {
    if n < 2 {
        return f64::NAN;
    }
    let t = StudentsT::new(0.0, 1.0, (n - 1) as f64).map(|d| d.inverse_cdf(0.975)).unwrap_or(f64::NAN);
    t * sd / (n as f64).sqrt()
}

/// Summary of one KPI across replications. Replications where the KPI is
/// undefined (e.g. a mean wait with nobody waiting) are left out; `n` says how many remain.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Summary {
    /// Replications with a defined value (the `replications` column of the CSVs).
    pub n: usize,
    /// Mean over those replications, in the KPI's units.
    pub mean: f64,
    /// Sample standard deviation across replications (n - 1 divisor); NaN below two.
    pub sd: f64,
    /// Lower end of the Student-t 95% confidence interval of the mean; NaN below two replications.
    pub ci95_low: f64,
    /// Upper end of that interval.
    pub ci95_high: f64,
    /// 10th percentile across replications (Excel's `PERCENTILE.INC`).
    pub p10: f64,
    /// 25th percentile across replications.
    pub p25: f64,
    /// Median across replications.
    pub p50: f64,
    /// 75th percentile across replications.
    pub p75: f64,
    /// 90th percentile across replications: a bad winter, one in ten.
    pub p90: f64,
    /// 95th percentile across replications.
    pub p95: f64,
}

/// Mean, Student-t 95% confidence interval of the mean, and percentiles.
/// With fewer than two replications the interval is undefined (NaN).
pub fn summarise(values: &[f64]) -> Summary {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    let n = v.len();
    if n == 0 {
        let nan = f64::NAN;
        return Summary {
            n,
            mean: nan,
            sd: nan,
            ci95_low: nan,
            ci95_high: nan,
            p10: nan,
            p25: nan,
            p50: nan,
            p75: nan,
            p90: nan,
            p95: nan,
        };
    }
    let mean = v.iter().sum::<f64>() / n as f64;
    let (sd, half) = if n >= 2 {
        let sd = (v.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64).sqrt();
        (sd, ci95_half_width(sd, n))
    } else {
        (f64::NAN, f64::NAN)
    };
    v.sort_by(f64::total_cmp);
    let q = |p| percentile_sorted(&v, p);
    Summary {
        n,
        mean,
        sd,
        ci95_low: mean - half,
        ci95_high: mean + half,
        p10: q(0.10),
        p25: q(0.25),
        p50: q(0.50),
        p75: q(0.75),
        p90: q(0.90),
        p95: q(0.95),
    }
}

/// Percentile by linear interpolation between order statistics (Excel's
/// PERCENTILE.INC, R type 7), so analysts can reproduce it in a spreadsheet.
pub fn percentile_sorted(v: &[f64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    let h = (v.len() - 1) as f64 * p;
    let lo = h.floor() as usize;
    let hi = (lo + 1).min(v.len() - 1);
    v[lo] + (h - lo as f64) * (v[hi] - v[lo])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_match_excel_percentile_inc() {
        let v = [1.0, 2.0, 3.0, 4.0, 10.0];
        assert_eq!(percentile_sorted(&v, 0.5), 3.0);
        assert!((percentile_sorted(&v, 0.9) - 7.6).abs() < 1e-12);
        assert!((percentile_sorted(&v, 0.1) - 1.4).abs() < 1e-12);
    }

    #[test]
    fn t_interval_hand_computed() {
        // mean 3, sd sqrt(2.5) = 1.5811, t(0.975, 4) = 2.776445
        let s = summarise(&[1.0, 2.0, 3.0, 4.0, 5.0]);
        let half = 2.776445 * 1.5811388 / 5f64.sqrt();
        assert!((s.ci95_low - (3.0 - half)).abs() < 1e-5);
        assert!((s.ci95_high - (3.0 + half)).abs() < 1e-5);
        assert_eq!(s.n, 5);
    }

    /// Two values are enough for an interval: t(0.975, 1) = 12.7062, so the
    /// half-width of [1, 3] is 12.7062 x sqrt(2) / sqrt(2); one value has none.
    #[test]
    fn two_values_give_an_interval_and_one_does_not() {
        let s = summarise(&[1.0, 3.0]);
        assert!((s.ci95_high - 2.0 - 12.706205).abs() < 1e-5, "{s:?}");
        assert!(summarise(&[1.0]).ci95_low.is_nan());
        assert!(ci95_half_width(1.0, 1).is_nan() && ci95_half_width(1.0, 0).is_nan());
    }

    #[test]
    fn undefined_values_are_left_out() {
        let s = summarise(&[f64::NAN, 2.0, 4.0]);
        assert_eq!(s.n, 2);
        assert_eq!(s.mean, 3.0);
    }
}
