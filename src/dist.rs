//! Probability distributions for durations (lengths of stay, ED times).
//!
//! A [`Distribution`] is what the scenario describes, in the scenario's own
//! units (days for stays, hours for ED times). It knows its mean and variance
//! so that tests and the overload check can compare the simulation with theory.
//! A [`Sampler`] is the pre-built, allocation-free form the engine draws from.

use rand::Rng;
use rand_distr::Distribution as _;

/// A non-negative duration distribution, parameterised the way planners talk
/// about stays (mean and standard deviation) wherever the family allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Distribution {
    /// Memoryless: the standard deviation equals the mean.
    Exponential {
        /// Mean, in the distribution's unit (days for stays, hours for ED times, weeks for initial waits).
        mean: f64,
    },
    /// Right-skewed with a long tail (the usual fit for lengths of stay), set by the mean and sd of the duration
    /// itself, not of its log.
    LogNormal {
        /// Mean of the duration, in the distribution's unit.
        mean: f64,
        /// Standard deviation of the duration, in the distribution's unit.
        sd: f64,
    },
    /// Right-skewed with a lighter tail than the lognormal, set by mean and sd.
    Gamma {
        /// Mean of the duration, in the distribution's unit.
        mean: f64,
        /// Standard deviation of the duration, in the distribution's unit.
        sd: f64,
    },
    /// Weibull: `shape` below 1 gives a long tail, 1 is exponential, above 1 clusters around the scale.
    Weibull {
        /// Shape k (dimensionless, at least 0.05).
        shape: f64,
        /// Scale lambda, in the distribution's unit (about the 63rd percentile).
        scale: f64,
    },
    /// Always the same duration (hand-worked tests, scheduled stays).
    Fixed {
        /// The duration, in the distribution's unit (0 allowed).
        value: f64,
    },
    /// Equally likely anywhere from `min` to `max`.
    Uniform {
        /// Shortest duration, in the distribution's unit (>= 0).
        min: f64,
        /// Longest duration, in the distribution's unit (>= `min`).
        max: f64,
    },
    /// Each value equally likely (e.g. a list of observed stays).
    Empirical {
        /// Observed durations, in the distribution's unit (each >= 0); a value listed twice is twice as likely.
        values: Vec<f64>,
    },
}

impl Distribution {
    /// Checks the parameters; the error says what is wrong in planner's words.
    pub fn validate(&self) -> Result<(), String> {
        let finite_pos = |name: &str, v: f64| {
            if v.is_finite() && v > 0.0 {
                Ok(())
            } else {
                Err(format!("`{name}` must be a finite number > 0, found {v}"))
            }
        };
        match self {
            Distribution::Exponential { mean } => finite_pos("mean", *mean),
            Distribution::LogNormal { mean, sd } | Distribution::Gamma { mean, sd } => {
                finite_pos("mean", *mean)?;
                finite_pos("sd", *sd)
            }
            Distribution::Weibull { shape, scale } => {
                finite_pos("shape", *shape)?;
                finite_pos("scale", *scale)?;
                if *shape < 0.05 {
                    return Err(format!("`shape` below 0.05 gives astronomically long stays, found {shape}"));
                }
                Ok(())
            }
            Distribution::Fixed { value } => {
                if value.is_finite() && *value >= 0.0 {
                    Ok(())
                } else {
                    Err(format!("`value` must be a finite number >= 0, found {value}"))
                }
            }
            Distribution::Uniform { min, max } => {
                if !(min.is_finite() && *min >= 0.0) {
                    return Err(format!("`min` must be a finite number >= 0, found {min}"));
                }
                if !(max.is_finite() && max >= min) {
                    return Err(format!("`max` must be finite and >= min ({min}), found {max}"));
                }
                Ok(())
            }
            Distribution::Empirical { values } => {
                if values.is_empty() {
                    return Err("`values` must list at least one value".into());
                }
                if let Some(v) = values.iter().find(|v| !(v.is_finite() && **v >= 0.0)) {
                    return Err(format!("every entry of `values` must be a finite number >= 0, found {v}"));
                }
                Ok(())
            }
        }
    }

    /// Mean, in the distribution's unit: what the overload check and theory tests use.
    pub fn mean(&self) -> f64 {
        match self {
            Distribution::Exponential { mean }
            | Distribution::LogNormal { mean, .. }
            | Distribution::Gamma { mean, .. } => *mean,
            Distribution::Weibull { shape, scale } => scale * gamma_fn(1.0 + 1.0 / shape),
            Distribution::Fixed { value } => *value,
            Distribution::Uniform { min, max } => 0.5 * (min + max),
            Distribution::Empirical { values } => values.iter().sum::<f64>() / values.len() as f64,
        }
    }

    /// Variance, in the distribution's unit squared.
    pub fn variance(&self) -> f64 {
        match self {
            Distribution::Exponential { mean } => mean * mean,
            Distribution::LogNormal { sd, .. } | Distribution::Gamma { sd, .. } => sd * sd,
            Distribution::Weibull { shape, scale } => {
                let g1 = gamma_fn(1.0 + 1.0 / shape);
                let g2 = gamma_fn(1.0 + 2.0 / shape);
                scale * scale * (g2 - g1 * g1)
            }
            Distribution::Fixed { .. } => 0.0,
            Distribution::Uniform { min, max } => (max - min).powi(2) / 12.0,
            Distribution::Empirical { values } => {
                let m = self.mean();
                values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / values.len() as f64
            }
        }
    }

    /// Short human description, echoed in reports ("lognormal(mean 6.5, sd 8)").
    pub fn describe(&self) -> String {
        match self {
            Distribution::Exponential { mean } => format!("exponential(mean {mean})"),
            Distribution::LogNormal { mean, sd } => format!("lognormal(mean {mean}, sd {sd})"),
            Distribution::Gamma { mean, sd } => format!("gamma(mean {mean}, sd {sd})"),
            Distribution::Weibull { shape, scale } => {
                format!("weibull(shape {shape}, scale {scale})")
            }
            Distribution::Fixed { value } => format!("fixed({value})"),
            Distribution::Uniform { min, max } => format!("uniform({min} to {max})"),
            Distribution::Empirical { values } => format!("empirical({} values)", values.len()),
        }
    }

    /// The distribution of `factor` x the duration (a scale change: every
    /// family here is closed under it), for an uncertain input's factor.
    pub fn scaled(&self, factor: f64) -> Distribution {
        let f = factor.max(0.0);
        match self {
            Distribution::Exponential { mean } => Distribution::Exponential { mean: mean * f },
            Distribution::LogNormal { mean, sd } => Distribution::LogNormal { mean: mean * f, sd: sd * f },
            Distribution::Gamma { mean, sd } => Distribution::Gamma { mean: mean * f, sd: sd * f },
            Distribution::Weibull { shape, scale } => Distribution::Weibull { shape: *shape, scale: scale * f },
            Distribution::Fixed { value } => Distribution::Fixed { value: value * f },
            Distribution::Uniform { min, max } => Distribution::Uniform { min: min * f, max: max * f },
            Distribution::Empirical { values } => {
                Distribution::Empirical { values: values.iter().map(|v| v * f).collect() }
            }
        }
    }

    /// P(duration > `x`), in the distribution's unit.
    pub fn survival(&self, x: f64) -> f64 {
        use statrs::distribution::ContinuousCDF;
        if x < 0.0 {
            return 1.0;
        }
        match self {
            Distribution::Exponential { mean } => (-x / mean).exp(),
            Distribution::LogNormal { mean, sd } => {
                let (mu, sigma) = lognormal_params(*mean, *sd);
                statrs::distribution::LogNormal::new(mu, sigma).map_or(f64::from(u8::from(x < *mean)), |d| d.sf(x))
            }
            Distribution::Gamma { mean, sd } => {
                let shape = (mean / sd).powi(2);
                statrs::distribution::Gamma::new(shape, mean / (sd * sd))
                    .map_or(f64::from(u8::from(x < *mean)), |d| d.sf(x))
            }
            Distribution::Weibull { shape, scale } => (-(x / scale).powf(*shape)).exp(),
            Distribution::Fixed { value } => f64::from(u8::from(x < *value)),
            Distribution::Uniform { min, max } => {
                if x < *min {
                    1.0
                } else if x >= *max {
                    0.0
                } else {
                    (max - x) / (max - min)
                }
            }
            Distribution::Empirical { values } => {
                values.iter().filter(|&&v| v > x).count() as f64 / values.len() as f64
            }
        }
    }

    /// The rest of a duration that has already lasted `elapsed`, drawn from
    /// the distribution conditioned on lasting longer than `elapsed`, by
    /// inverting the survival function: with `u` uniform in [0, 1), the
    /// duration is the `x` with P(X > x) = (1 - u) P(X > elapsed). Returns 0
    /// when nothing in the distribution lasts that long (a patient already
    /// past every modelled stay is ready now). In the distribution's unit.
    pub fn residual(&self, elapsed: f64, u: f64) -> f64 {
        use statrs::distribution::ContinuousCDF;
        let a = elapsed.max(0.0);
        let target = (1.0 - u) * self.survival(a);
        if target <= 0.0 || !target.is_finite() {
            return 0.0;
        }
        let x = match self {
            // Memoryless: the rest is a fresh draw.
            Distribution::Exponential { mean } => a - mean * target.ln() + mean * self.survival(a).ln(),
            Distribution::LogNormal { mean, sd } => {
                let (mu, sigma) = lognormal_params(*mean, *sd);
                statrs::distribution::LogNormal::new(mu, sigma).map_or(a, |d| d.inverse_cdf(1.0 - target))
            }
            Distribution::Gamma { mean, sd } => {
                let shape = (mean / sd).powi(2);
                statrs::distribution::Gamma::new(shape, mean / (sd * sd)).map_or(a, |d| d.inverse_cdf(1.0 - target))
            }
            Distribution::Weibull { shape, scale } => scale * (-target.ln()).powf(1.0 / shape),
            Distribution::Fixed { value } => *value,
            Distribution::Uniform { min, max } => max - target * (max - min),
            Distribution::Empirical { values } => {
                // Equally likely among the observed values longer than `elapsed`.
                let longer: Vec<f64> = values.iter().copied().filter(|&v| v > a).collect();
                let i = ((u * longer.len() as f64) as usize).min(longer.len().saturating_sub(1));
                longer.get(i).copied().unwrap_or(a)
            }
        };
        (x - a).max(0.0)
    }

    /// Builds the sampler, scaled so that samples come out in `unit` units
    /// (e.g. seconds per day). Call only on a validated distribution.
    pub fn sampler(&self, unit: f64) -> Sampler {
        let inner = match self {
            Distribution::Exponential { mean } => Inner::Exponential(mean * unit),
            Distribution::LogNormal { mean, sd } => {
                // Moment matching: sigma^2 = ln(1 + sd^2/mean^2), mu = ln(mean) - sigma^2/2.
                let s2 = (1.0 + (sd / mean).powi(2)).ln();
                let mu = (mean * unit).ln() - 0.5 * s2;
                match rand_distr::LogNormal::new(mu, s2.sqrt()) {
                    Ok(d) => Inner::LogNormal(d),
                    Err(_) => Inner::Fixed(mean * unit),
                }
            }
            Distribution::Gamma { mean, sd } => {
                let shape = (mean / sd).powi(2);
                let scale = sd * sd / mean * unit;
                match rand_distr::Gamma::new(shape, scale) {
                    Ok(d) => Inner::Gamma(d),
                    Err(_) => Inner::Fixed(mean * unit),
                }
            }
            Distribution::Weibull { shape, scale } => match rand_distr::Weibull::new(scale * unit, *shape) {
                Ok(d) => Inner::Weibull(d),
                Err(_) => Inner::Fixed(self.mean() * unit),
            },
            Distribution::Fixed { value } => Inner::Fixed(value * unit),
            Distribution::Uniform { min, max } => Inner::Uniform(min * unit, (max - min) * unit),
            Distribution::Empirical { values } => Inner::Empirical(values.iter().map(|v| v * unit).collect()),
        };
        Sampler { inner }
    }
}

/// The lognormal's (mu, sigma) of the log, from the duration's mean and sd
/// (moment matching, as [`Distribution::sampler`] does).
fn lognormal_params(mean: f64, sd: f64) -> (f64, f64) {
    let s2 = (1.0 + (sd / mean).powi(2)).ln();
    (mean.ln() - 0.5 * s2, s2.sqrt())
}

/// Gamma function, for Weibull moments.
fn gamma_fn(x: f64) -> f64 {
    statrs::function::gamma::gamma(x)
}

#[derive(Debug, Clone)]
enum Inner {
    Exponential(f64),
    LogNormal(rand_distr::LogNormal<f64>),
    Gamma(rand_distr::Gamma<f64>),
    Weibull(rand_distr::Weibull<f64>),
    Fixed(f64),
    Uniform(f64, f64),
    Empirical(Box<[f64]>),
}

/// A ready-to-draw distribution. Sampling never allocates.
#[derive(Debug, Clone)]
pub struct Sampler {
    inner: Inner,
}

impl Sampler {
    /// One draw, in the unit given to [`Distribution::sampler`] (e.g. seconds).
    #[inline]
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match &self.inner {
            Inner::Exponential(mean) => {
                let e: f64 = rand_distr::Exp1.sample(rng);
                mean * e
            }
            Inner::LogNormal(d) => d.sample(rng),
            Inner::Gamma(d) => d.sample(rng),
            Inner::Weibull(d) => d.sample(rng),
            Inner::Fixed(v) => *v,
            Inner::Uniform(lo, width) => lo + width * unit_f64(rng),
            Inner::Empirical(values) => {
                let i = (unit_f64(rng) * values.len() as f64) as usize;
                values[i.min(values.len() - 1)]
            }
        }
    }
}

/// A uniform draw in [0, 1) with 53 random bits.
#[inline]
pub fn unit_f64<R: Rng + ?Sized>(rng: &mut R) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

#[cfg(test)]
mod tests {
    /// The residual draw is the conditional distribution: over a fine grid
    /// of `u` its mean equals the mean residual life, the integral of the
    /// survival function beyond `elapsed` divided by the survival there
    /// (computed by the trapezium rule), for every family and several ages.
    #[test]
    fn residual_draws_have_the_mean_residual_life() {
        let families = [
            Distribution::Exponential { mean: 4.0 },
            Distribution::LogNormal { mean: 5.0, sd: 7.0 },
            Distribution::Gamma { mean: 4.0, sd: 3.0 },
            Distribution::Weibull { shape: 0.8, scale: 4.0 },
            Distribution::Uniform { min: 1.0, max: 9.0 },
        ];
        for d in &families {
            for elapsed in [0.0, 0.5, 3.0, 10.0] {
                let n = 20_000;
                let drawn = (0..n).map(|i| d.residual(elapsed, (f64::from(i) + 0.5) / f64::from(n))).sum::<f64>()
                    / f64::from(n);
                let (h, mut integral) = (0.001, 0.0);
                let mut x = elapsed;
                while d.survival(x) > 1e-12 && x < elapsed + 2000.0 {
                    integral += 0.5 * h * (d.survival(x) + d.survival(x + h));
                    x += h;
                }
                let s = d.survival(elapsed);
                let expected = if s > 0.0 { integral / s } else { 0.0 };
                assert!(
                    (drawn - expected).abs() < 0.01 * expected.max(0.1),
                    "{} at {elapsed}: drawn {drawn}, expected {expected}",
                    d.describe()
                );
            }
        }
        // Fixed and empirical: what is left of the values still possible.
        assert_eq!(Distribution::Fixed { value: 3.0 }.residual(1.0, 0.7), 2.0);
        assert_eq!(Distribution::Fixed { value: 3.0 }.residual(5.0, 0.7), 0.0);
        let e = Distribution::Empirical { values: vec![1.0, 2.0, 6.0, 10.0] };
        assert_eq!(e.residual(3.0, 0.1), 3.0);
        assert_eq!(e.residual(3.0, 0.9), 7.0);
    }

    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    /// Sample mean and variance of each family match `mean()` and `variance()`.
    /// With n draws the sample mean has standard error sd/sqrt(n); we allow 5 SE
    /// (false alarm about 6e-7). The variance check uses the plug-in standard error
    /// of the sample variance, sqrt((m4 - s^4)/n), also at 5 SE.
    #[test]
    fn moments_match_theory() {
        const N: usize = 400_000;
        const Z: f64 = 5.0;
        let cases = [
            Distribution::Exponential { mean: 4.0 },
            Distribution::LogNormal { mean: 6.5, sd: 8.0 },
            Distribution::Gamma { mean: 3.0, sd: 2.0 },
            Distribution::Weibull { shape: 1.5, scale: 5.0 },
            Distribution::Fixed { value: 2.5 },
            Distribution::Uniform { min: 1.0, max: 3.0 },
            Distribution::Empirical { values: vec![1.0, 2.0, 7.0] },
        ];
        let mut rng = ChaCha8Rng::seed_from_u64(7);
        for d in cases {
            d.validate().unwrap();
            let s = d.sampler(1.0);
            let xs: Vec<f64> = (0..N).map(|_| s.sample(&mut rng)).collect();
            let m = xs.iter().sum::<f64>() / N as f64;
            let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (N - 1) as f64;
            let m4 = xs.iter().map(|x| (x - m).powi(4)).sum::<f64>() / N as f64;
            let se_m = (d.variance() / N as f64).sqrt();
            let se_v = ((m4 - v * v) / N as f64).sqrt();
            assert!((m - d.mean()).abs() <= Z * se_m + 1e-12, "{d:?}: mean {m}");
            assert!((v - d.variance()).abs() <= Z * se_v + 1e-12, "{d:?}: var {v}");
        }
    }

    #[test]
    fn rejects_bad_parameters() {
        assert!(Distribution::LogNormal { mean: -1.0, sd: 1.0 }.validate().is_err());
        assert!(Distribution::Exponential { mean: f64::NAN }.validate().is_err());
        assert!(Distribution::Uniform { min: 3.0, max: 1.0 }.validate().is_err());
        assert!(Distribution::Empirical { values: vec![] }.validate().is_err());
        assert!(Distribution::Fixed { value: f64::INFINITY }.validate().is_err());
    }
}
