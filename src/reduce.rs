//! Reducing replications, in replication order, with memory that does not
//! grow with the number of replications.
//!
//! Scalar KPIs are kept exactly (one f64 per KPI per replication: they go to
//! `replications.csv`). Daily series are the bulk of the data (one value per
//! series per day per replication), so each (series, day) cell keeps its
//! values exactly only up to [`EXACT_DAILY_LIMIT`] replications; beyond that
//! it switches to a running mean and variance (exact up to floating-point
//! rounding) and P-square estimators of P10, P25, P50, P75 and P90 (Jain and
//! Chlamtac, 1985), started from the exact order statistics of the first
//! values. Runs of up to that many replications are therefore exact and
//! unchanged; larger ones have approximate daily percentiles (see the README
//! for the measured error). Monthly series are few and kept exactly.

use crate::stats::{Key, Kpis, Summaries, Summary, percentile_sorted, summarise};
use statrs::distribution::{ContinuousCDF, StudentsT};

/// Replications up to which daily percentiles are exact.
pub const EXACT_DAILY_LIMIT: usize = 1000;

/// Bytes of scalar KPIs kept in memory before they spill to disk.
pub const SCALAR_BUDGET_BYTES: u64 = 256 * 1024 * 1024;

const QUANTILES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 0.90];

/// One P-square estimator of a quantile.
#[derive(Debug, Clone)]
struct P2 {
    q: [f64; 5],
    n: [f64; 5],
    desired: [f64; 5],
    step: [f64; 5],
}

impl P2 {
    /// Starts from a sorted sample of at least 5 values, with the markers at
    /// the sample's order statistics nearest their desired positions.
    fn from_sorted(v: &[f64], p: f64) -> P2 {
        let len = v.len() as f64;
        let desired =
            [1.0, 1.0 + (len - 1.0) * p / 2.0, 1.0 + (len - 1.0) * p, 1.0 + (len - 1.0) * (1.0 + p) / 2.0, len];
        let mut n = desired.map(f64::round);
        // Positions must strictly increase.
        for i in 1..5 {
            if n[i] <= n[i - 1] {
                n[i] = n[i - 1] + 1.0;
            }
        }
        let q = n.map(|pos| v[(pos as usize - 1).min(v.len() - 1)]);
        P2 { q, n, desired, step: [0.0, p / 2.0, p, (1.0 + p) / 2.0, 1.0] }
    }

    fn push(&mut self, x: f64) {
        let k = if x < self.q[0] {
            self.q[0] = x;
            0
        } else if x >= self.q[4] {
            self.q[4] = x;
            3
        } else {
            (0..4).find(|&i| x < self.q[i + 1]).unwrap_or(3)
        };
        for i in k + 1..5 {
            self.n[i] += 1.0;
        }
        for i in 0..5 {
            self.desired[i] += self.step[i];
        }
        for i in 1..4 {
            let d = self.desired[i] - self.n[i];
            if (d >= 1.0 && self.n[i + 1] - self.n[i] > 1.0) || (d <= -1.0 && self.n[i - 1] - self.n[i] < -1.0) {
                let s = d.signum();
                let (qm, q0, qp) = (self.q[i - 1], self.q[i], self.q[i + 1]);
                let (nm, n0, np) = (self.n[i - 1], self.n[i], self.n[i + 1]);
                let parabolic = q0
                    + s / (np - nm) * ((n0 - nm + s) * (qp - q0) / (np - n0) + (np - n0 - s) * (q0 - qm) / (n0 - nm));
                self.q[i] = if qm < parabolic && parabolic < qp {
                    parabolic
                } else {
                    let j = if s > 0.0 { i + 1 } else { i - 1 };
                    q0 + s * (self.q[j] - q0) / (self.n[j] - n0)
                };
                self.n[i] += s;
            }
        }
    }

    fn estimate(&self) -> f64 {
        self.q[2]
    }
}

/// The values of one (series, day) across replications.
#[derive(Debug, Clone)]
enum Cell {
    Exact(Vec<f64>),
    Streaming { n: usize, mean: f64, m2: f64, quantiles: Box<[P2; 5]> },
}

impl Cell {
    fn push(&mut self, x: f64) {
        if !x.is_finite() {
            return;
        }
        match self {
            Cell::Exact(v) => {
                v.push(x);
                if v.len() > EXACT_DAILY_LIMIT {
                    let (mut n, mut mean, mut m2) = (0usize, 0.0, 0.0);
                    for &y in v.iter() {
                        welford(&mut n, &mut mean, &mut m2, y);
                    }
                    let mut sorted = std::mem::take(v);
                    sorted.sort_by(f64::total_cmp);
                    let quantiles = Box::new(QUANTILES.map(|p| P2::from_sorted(&sorted, p)));
                    *self = Cell::Streaming { n, mean, m2, quantiles };
                }
            }
            Cell::Streaming { n, mean, m2, quantiles } => {
                welford(n, mean, m2, x);
                for q in quantiles.iter_mut() {
                    q.push(x);
                }
            }
        }
    }

    fn summary(&self) -> Summary {
        match self {
            Cell::Exact(v) => summarise(v),
            Cell::Streaming { n, mean, m2, quantiles } => {
                let sd = (m2 / (*n as f64 - 1.0)).sqrt();
                let t = StudentsT::new(0.0, 1.0, (*n - 1) as f64).map(|d| d.inverse_cdf(0.975)).unwrap_or(f64::NAN);
                let half = t * sd / (*n as f64).sqrt();
                let q = |i: usize| quantiles[i].estimate();
                Summary {
                    n: *n,
                    mean: *mean,
                    sd,
                    ci95_low: mean - half,
                    ci95_high: mean + half,
                    p10: q(0),
                    p25: q(1),
                    p50: q(2),
                    p75: q(3),
                    p90: q(4),
                    p95: f64::NAN,
                }
            }
        }
    }
}

fn welford(n: &mut usize, mean: &mut f64, m2: &mut f64, x: f64) {
    *n += 1;
    let d = x - *mean;
    *mean += d / *n as f64;
    *m2 += d * (x - *mean);
}

/// Everything the outputs need from a run, however many replications.
#[derive(Debug, Clone)]
pub struct Results {
    pub sums: Summaries,
    pub scalar_keys: Vec<Key>,
    /// Per replication, the scalar KPIs in `scalar_keys` order.
    pub scalars: Vec<Vec<f64>>,
    pub events: u64,
}

impl Results {
    /// One scalar KPI across replications (trust-wide or a pool).
    pub fn column(&self, metric: &str, pool: Option<usize>) -> Option<Vec<f64>> {
        let i = self.scalar_keys.iter().position(|k| k.metric == metric && k.pool == pool && k.specialty.is_none())?;
        Some(self.scalars.iter().map(|r| r[i]).collect())
    }
}

/// Receives replications in order; see the module comment.
#[derive(Debug, Default)]
pub struct Reducer {
    scalar_keys: Vec<Key>,
    scalars: Vec<Vec<f64>>,
    daily_keys: Vec<Key>,
    daily: Vec<Vec<Cell>>,
    monthly_keys: Vec<Key>,
    monthly: Vec<Vec<Vec<f64>>>,
    events: u64,
}

impl Reducer {
    pub fn new() -> Reducer {
        Reducer::default()
    }

    pub fn push(&mut self, k: &Kpis) {
        if self.scalars.is_empty() {
            self.scalar_keys = k.scalar.iter().map(|(key, _)| *key).collect();
            self.daily_keys = k.daily.iter().map(|(key, _)| *key).collect();
            self.daily = k.daily.iter().map(|(_, v)| vec![Cell::Exact(Vec::new()); v.len()]).collect();
            self.monthly_keys = k.monthly.iter().map(|(key, _)| *key).collect();
            self.monthly = k.monthly.iter().map(|(_, v)| vec![Vec::new(); v.len()]).collect();
        }
        self.scalars.push(k.scalar.iter().map(|(_, v)| *v).collect());
        for (cells, (_, values)) in self.daily.iter_mut().zip(&k.daily) {
            for (cell, &x) in cells.iter_mut().zip(values) {
                cell.push(x);
            }
        }
        for (months, (_, values)) in self.monthly.iter_mut().zip(&k.monthly) {
            for (m, &x) in months.iter_mut().zip(values) {
                m.push(x);
            }
        }
        self.events += k.events;
    }

    pub fn finish(self) -> Results {
        let n = self.scalars.len();
        let mut column = Vec::with_capacity(n);
        let scalar = self
            .scalar_keys
            .iter()
            .enumerate()
            .map(|(i, key)| {
                column.clear();
                column.extend(self.scalars.iter().map(|r| r[i]));
                (*key, summarise(&column))
            })
            .collect();
        let daily = self
            .daily_keys
            .iter()
            .zip(&self.daily)
            .map(|(k, cells)| (*k, cells.iter().map(Cell::summary).collect()))
            .collect();
        let monthly = self
            .monthly_keys
            .iter()
            .zip(&self.monthly)
            .map(|(k, months)| (*k, months.iter().map(|v| summarise(v)).collect()))
            .collect();
        Results {
            sums: Summaries { scalar, daily, monthly, replications: n },
            scalar_keys: self.scalar_keys,
            scalars: self.scalars,
            events: self.events,
        }
    }
}

/// Exact percentiles of the values, for checking the streaming estimates.
pub fn exact_percentiles(values: &[f64]) -> [f64; 5] {
    let mut v: Vec<f64> = values.iter().copied().filter(|x| x.is_finite()).collect();
    v.sort_by(f64::total_cmp);
    QUANTILES.map(|p| percentile_sorted(&v, p))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Past the exact limit, P-square stays close to the exact percentiles: for
    /// 10,000 Poisson-like counts (mean 600) within 1 unit, and the mean exact.
    #[test]
    fn streaming_percentiles_track_the_exact_ones() {
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let normal = rand_distr::Normal::new(600.0, 25.0).unwrap();
        let xs: Vec<f64> = (0..10_000)
            .map(|_| {
                let x: f64 = rand_distr::Distribution::sample(&normal, &mut rng);
                x.round()
            })
            .collect();
        let mut cell = Cell::Exact(Vec::new());
        for &x in &xs {
            cell.push(x);
        }
        let s = cell.summary();
        let exact = exact_percentiles(&xs);
        for (est, ex) in [s.p10, s.p25, s.p50, s.p75, s.p90].iter().zip(exact) {
            assert!((est - ex).abs() <= 1.0, "estimate {est} vs exact {ex}");
        }
        assert!((s.mean - xs.iter().sum::<f64>() / xs.len() as f64).abs() < 1e-9);
    }

    #[test]
    fn up_to_the_limit_the_cell_is_exact() {
        let xs: Vec<f64> = (0..EXACT_DAILY_LIMIT).map(|i| (i * 7 % 101) as f64).collect();
        let mut cell = Cell::Exact(Vec::new());
        for &x in &xs {
            cell.push(x);
        }
        assert_eq!(cell.summary(), summarise(&xs));
    }
}
