//! One (series, day) cell of daily values across replications: exact up to
//! [`EXACT_DAILY_LIMIT`] values, then a running mean and variance and
//! P-square quantile estimators (Jain and Chlamtac, 1985).

use super::EXACT_DAILY_LIMIT;
use crate::summary::{Summary, ci95_half_width, percentile_sorted, summarise};

const QUANTILES: [f64; 5] = [0.10, 0.25, 0.50, 0.75, 0.90];

/// One P-square estimator of a quantile.
#[derive(Debug, Clone)]
pub(super) struct P2 {
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
pub(super) enum Cell {
    Exact(Vec<f64>),
    Streaming { n: usize, mean: f64, m2: f64, quantiles: Box<[P2; 5]> },
}

impl Cell {
    pub(super) fn push(&mut self, x: f64) {
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

    pub(super) fn summary(&self) -> Summary {
        match self {
            Cell::Exact(v) => summarise(v),
            Cell::Streaming { n, mean, m2, quantiles } => {
                let sd = (m2 / (*n as f64 - 1.0)).sqrt();
                let half = ci95_half_width(sd, *n);
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
    /// 10,000 Poisson-like counts (mean 600) within 1 unit, and the mean, sd and
    /// 95% interval exact.
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
        // The running mean, sd and 95% interval are the exact ones (to rounding).
        let want = summarise(&xs);
        assert_eq!(s.n, want.n);
        for (got, want) in
            [(s.mean, want.mean), (s.sd, want.sd), (s.ci95_low, want.ci95_low), (s.ci95_high, want.ci95_high)]
        {
            assert!((got - want).abs() < 1e-9 * want.abs(), "streaming {got} vs exact {want}");
        }
    }

    /// An estimator started from `start` (sorted here) that has then seen `then`.
    fn after(start: &[f64], then: &[f64], p: f64) -> P2 {
        let mut first = start.to_vec();
        first.sort_by(f64::total_cmp);
        let mut m = P2::from_sorted(&first, p);
        for &x in then {
            m.push(x);
        }
        m
    }

    /// Each of `got` within `tolerance` of `want`.
    fn assert_close(got: [f64; 5], want: [f64; 5], tolerance: f64) {
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < tolerance, "{got:?}, not {want:?}");
        }
    }

    /// The markers start at the sample's order statistics nearest their
    /// desired positions (1, 1 + (n - 1)p/2, 1 + (n - 1)p, 1 + (n - 1)(1 + p)/2,
    /// n), worked by hand for 1,001 values 1..=1001 (so each value is its
    /// position); with 5 values the rounded positions collide and are pushed
    /// apart. A wrong start biases the estimates long after.
    #[test]
    fn markers_start_at_their_desired_order_statistics() {
        let v: Vec<f64> = (1..=1001).map(f64::from).collect();
        let by_hand = [
            (0.10, [1.0, 51.0, 101.0, 551.0, 1001.0]),
            (0.25, [1.0, 126.0, 251.0, 626.0, 1001.0]),
            (0.50, [1.0, 251.0, 501.0, 751.0, 1001.0]),
            (0.75, [1.0, 376.0, 751.0, 876.0, 1001.0]),
            (0.90, [1.0, 451.0, 901.0, 951.0, 1001.0]),
        ];
        for (p, want) in by_hand {
            let m = P2::from_sorted(&v, p);
            assert_close(m.desired, want, 1e-9);
            assert_eq!((m.n, m.q), (want, want), "p {p}");
            assert_eq!(m.step, [0.0, p / 2.0, p, (1.0 + p) / 2.0, 1.0]);
            assert_eq!(m.estimate(), want[2]);
        }
        let five = [10.0, 20.0, 30.0, 40.0, 50.0];
        let m = P2::from_sorted(&five, 0.10);
        assert_eq!((m.n, m.q), ([1.0, 2.0, 3.0, 4.0, 5.0], five));
        // At 0.9 they are pushed past the sample's end (1, 3, 5, 6, 7): the
        // heights stop at its last value rather than reading past it.
        let m = P2::from_sorted(&five, 0.90);
        assert_eq!((m.n, m.q), ([1.0, 3.0, 5.0, 6.0, 7.0], [10.0, 30.0, 50.0, 50.0, 50.0]));
    }

    /// The worked example of Jain and Chlamtac (1985, Table I): the median of
    /// 20 observations, started from the first five. Their published marker
    /// heights after the twentieth (to two decimals, hence the 0.005) and
    /// positions.
    #[test]
    fn p_square_reproduces_the_papers_worked_example() {
        let x = [
            0.02, 0.15, 0.74, 3.39, 0.83, 22.37, 10.15, 15.43, 38.62, 15.92, 34.60, 10.28, 1.47, 0.40, 0.05, 11.39,
            0.27, 0.42, 0.09, 11.37,
        ];
        let m = after(&x[..5], &x[5..], 0.5);
        assert_close(m.q, [0.02, 0.49, 4.44, 17.20, 38.62], 0.005);
        assert_eq!(m.n, [1.0, 6.0, 10.0, 16.0, 20.0]);
        assert!((m.estimate() - 4.44).abs() <= 0.005);
    }

    /// Daily values are counts, so observations often equal a marker. The
    /// paper puts x in cell i when q_i <= x < q_(i+1) (a tie goes up). These 16
    /// counts from 0 to 4 end at these heights in a separate port of the
    /// paper's algorithm (Python, written from the paper, not from this
    /// code); sending ties down ends elsewhere.
    #[test]
    fn an_observation_equal_to_a_marker_counts_in_the_cell_above() {
        let x = [3.0, 4.0, 0.0, 3.0, 0.0, 1.0, 4.0, 1.0, 0.0, 1.0, 3.0, 2.0, 4.0, 2.0, 4.0, 2.0];
        let m = after(&x[..5], &x[5..], 0.5);
        assert_close(m.q, [0.0, 0.65625, 2.55, 3.2375, 4.0], 1e-9);
        assert_eq!(m.n, [1.0, 4.0, 9.0, 12.0, 16.0]);
    }

    /// A marker moves only into a gap: never onto its neighbour. By hand, at
    /// p = 0.1 from 4, 5, 6, 8, 9 (positions 1 to 5; desired 1, 1.2, 1.4,
    /// 3.2, 5), then 8: it lands in the top cell, so the top marker moves to
    /// 6 and the desired positions to 1, 1.25, 1.5, 3.75, 6. The median
    /// marker is 1.5 behind its desired position, but the marker below sits
    /// at the very next position, so nothing moves.
    #[test]
    fn a_marker_never_moves_onto_its_neighbour() {
        let m = after(&[4.0, 5.0, 6.0, 8.0, 9.0], &[8.0], 0.1);
        assert_eq!((m.n, m.q), ([1.0, 2.0, 3.0, 4.0, 6.0], [4.0, 5.0, 6.0, 8.0, 9.0]));
        assert_eq!(m.desired, [1.0, 1.25, 1.5, 3.75, 6.0]);
    }

    /// When the parabola would not land strictly between the neighbours' heights, a marker moves
    /// linearly toward the neighbour in the direction it moves (here the
    /// upper quartile's marker moves up, toward the maximum). Heights from
    /// the same Python port of the paper's algorithm, with this module's
    /// start from a sorted sample of 9.
    #[test]
    fn a_marker_moving_up_linearly_moves_toward_the_marker_above() {
        let m = after(&[0.0, 1.0, 3.0, 4.0, 5.0, 5.0, 8.0, 8.0, 9.0], &[8.0, 9.0], 0.5);
        assert_close(m.q, [0.0, 3.0, 6.375, 8.25, 9.0], 1e-9);
        assert_eq!(m.n, [1.0, 3.0, 6.0, 8.0, 11.0]);
        // A parabola landing exactly on the marker above is not strictly
        // inside the neighbours' heights: the move is linear (7 1/3, not 8).
        let m = after(&[0.0, 2.0, 3.0, 5.0, 7.0, 7.0, 8.0, 9.0, 9.0], &[7.0, 9.0], 0.5);
        assert_close(m.q, [0.0, 3.0, 22.0 / 3.0, 8.0, 9.0], 1e-9);
        // And on the marker below, moving down (0.5, not 0).
        let m = after(&[1.0, 1.0, 3.0, 3.0, 3.0, 4.0, 6.0, 7.0, 8.0], &[0.0], 0.1);
        assert_close(m.q, [0.0, 0.5, 2.0625, 3.0, 8.0], 1e-9);
    }

    /// The outer markers are the sample's minimum and maximum, whatever
    /// arrives after the start.
    #[test]
    fn the_outer_markers_are_the_minimum_and_maximum() {
        let v: Vec<f64> = (1..=1001).map(f64::from).collect();
        let m = after(&v, &[0.5, 2000.0, 0.25, 1500.0, 3000.0], 0.5);
        assert_eq!((m.q[0], m.q[4]), (0.25, 3000.0));
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
