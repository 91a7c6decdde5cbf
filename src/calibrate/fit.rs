//! Duration fits for `calibrate`: lognormal, gamma and Weibull by maximum
//! likelihood with right-censored observations, the family chosen by AIC,
//! and an empirical distribution when no family fits.
//!
//! Why these choices:
//! - Right censoring: a spell still open at the end of the extract has lasted
//!   at least its time so far. Dropping it loses the longest stays (the tail
//!   that fills beds); counting it as complete shortens them. The likelihood
//!   takes a complete stay's density and a censored stay's survival
//!   probability, as a parametric survival fit does.
//! - Every family has two parameters, so AIC ranks them by likelihood alone;
//!   it is reported so an analyst can see how close the runners-up were.
//! - "Fits" means the largest gap between the fitted CDF and the
//!   Kaplan-Meier estimate (which handles the censoring) is below
//!   `max(0.03, 1.63 / sqrt(n))`: not rejected at the 1% level by a
//!   Kolmogorov-Smirnov-type distance, or, on the large samples of a year's
//!   extract where any test rejects everything, within 3 percentage points
//!   everywhere. Otherwise the stay is written as `empirical`: 100 quantiles
//!   of the Kaplan-Meier estimate.
//!
//! Stays of zero (admitted and discharged in the same minute) are kept at one
//! minute: every family has support above zero.

use crate::dist::Distribution;
use statrs::distribution::{Continuous, ContinuousCDF};

/// The shortest duration fitted, in days: one minute.
pub const MIN_DAYS: f64 = 1.0 / 1440.0;

/// Durations to fit: the complete ones and the right-censored ones (lasted at least this long).
#[derive(Debug, Clone, Default)]
pub struct Sample {
    /// Durations that ended.
    pub complete: Vec<f64>,
    /// Durations still running at the end of the extract (at least this long).
    pub censored: Vec<f64>,
}

impl Sample {
    /// Number of durations, complete and censored.
    pub fn len(&self) -> usize {
        self.complete.len() + self.censored.len()
    }

    /// True when there is nothing to fit.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A parametric family the fit may choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    /// Lognormal (parameters: mu and sigma of the log).
    Lognormal,
    /// Gamma (shape, scale).
    Gamma,
    /// Weibull (shape, scale).
    Weibull,
}

impl Family {
    /// The three families, in the order reported.
    pub const ALL: [Family; 3] = [Family::Lognormal, Family::Gamma, Family::Weibull];

    /// Name as written in a scenario's `dist`.
    pub fn name(self) -> &'static str {
        match self {
            Family::Lognormal => "lognormal",
            Family::Gamma => "gamma",
            Family::Weibull => "weibull",
        }
    }
}

/// One family's maximum-likelihood fit.
#[derive(Debug, Clone, PartialEq)]
pub struct Fit {
    /// The family.
    pub family: Family,
    /// The fitted distribution, as a scenario writes it.
    pub dist: Distribution,
    /// Maximised log-likelihood.
    pub log_likelihood: f64,
    /// Akaike information criterion (2 x 2 parameters - 2 log-likelihood); lower is better.
    pub aic: f64,
    /// Largest gap between the fitted CDF and the Kaplan-Meier estimate.
    pub distance: f64,
}

/// What `calibrate` writes for one duration.
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    /// Durations fitted (complete and censored).
    pub n: usize,
    /// Every family's fit, best AIC first.
    pub fits: Vec<Fit>,
    /// The distance below which a fit is accepted (see the module comment).
    pub threshold: f64,
    /// The distribution written: the best fit if it is accepted, else `empirical`.
    pub chosen: Distribution,
    /// The Kaplan-Meier estimate: (duration, P(longer)) at each complete duration.
    pub km: Vec<(f64, f64)>,
}

impl Choice {
    /// The best fit by AIC, if any family could be fitted.
    pub fn best(&self) -> Option<&Fit> {
        self.fits.first()
    }

    /// True when the written distribution is the empirical fallback.
    pub fn is_empirical(&self) -> bool {
        matches!(self.chosen, Distribution::Empirical { .. })
    }
}

/// Smallest sample fitted by a family; below it the observed values are used as they are.
pub const MIN_PARAMETRIC: usize = 50;

/// Fits every family to `sample` and chooses what to write. `None` for an empty sample.
pub fn choose(sample: &Sample) -> Option<Choice> {
    if sample.complete.is_empty() {
        return None;
    }
    let clean = |v: &[f64]| v.iter().map(|&x| x.max(MIN_DAYS)).filter(|x| x.is_finite()).collect::<Vec<f64>>();
    let s = Sample { complete: clean(&sample.complete), censored: clean(&sample.censored) };
    let km = kaplan_meier(&s);
    let n = s.len();
    // Every duration the same (a fixed schedule): no family has zero spread.
    if s.censored.is_empty() && s.complete.iter().all(|&x| x == s.complete[0]) {
        let chosen = Distribution::Fixed { value: (s.complete[0] * 1e4).round() / 1e4 };
        return Some(Choice { n, fits: Vec::new(), threshold: 0.0, chosen, km });
    }
    let threshold = (1.63 / (n as f64).sqrt()).max(0.03);
    let mut fits: Vec<Fit> = if s.complete.len() >= MIN_PARAMETRIC {
        Family::ALL.iter().filter_map(|&f| fit(f, &s, &km)).collect()
    } else {
        Vec::new()
    };
    fits.sort_by(|a, b| a.aic.total_cmp(&b.aic));
    let chosen = match fits.first() {
        Some(f) if f.distance <= threshold => f.dist.clone(),
        _ => Distribution::Empirical { values: km_quantiles(&km, &s) },
    };
    Some(Choice { n, fits, threshold, chosen, km })
}

/// Natural parameters of each family from the scenario's parameterisation and back.
fn to_dist(family: Family, p: [f64; 2]) -> Option<Distribution> {
    let d = match family {
        Family::Lognormal => {
            let (mu, sigma) = (p[0], p[1].exp());
            let mean = (mu + sigma * sigma / 2.0).exp();
            let sd = mean * (sigma * sigma).exp_m1().sqrt();
            Distribution::LogNormal { mean, sd }
        }
        Family::Gamma => {
            let (shape, scale) = (p[0].exp(), p[1].exp());
            Distribution::Gamma { mean: shape * scale, sd: shape.sqrt() * scale }
        }
        Family::Weibull => Distribution::Weibull { shape: p[0].exp(), scale: p[1].exp() },
    };
    d.validate().ok().map(|()| d)
}

/// Log-likelihood of `s` under `family` with natural parameters `p`
/// (lognormal: mu, ln sigma; gamma and Weibull: ln shape, ln scale).
fn log_likelihood(family: Family, p: [f64; 2], s: &Sample) -> f64 {
    let terms = |pdf: &dyn Fn(f64) -> f64, sf: &dyn Fn(f64) -> f64| -> f64 {
        let a: f64 = s.complete.iter().map(|&x| pdf(x)).sum();
        let b: f64 = s.censored.iter().map(|&x| sf(x).max(1e-300).ln()).sum();
        a + b
    };
    let value = match family {
        Family::Lognormal => match statrs::distribution::LogNormal::new(p[0], p[1].exp()) {
            Ok(d) => terms(&|x| d.ln_pdf(x), &|x| d.sf(x)),
            Err(_) => f64::NEG_INFINITY,
        },
        Family::Gamma => match statrs::distribution::Gamma::new(p[0].exp(), (-p[1]).exp()) {
            Ok(d) => terms(&|x| d.ln_pdf(x), &|x| d.sf(x)),
            Err(_) => f64::NEG_INFINITY,
        },
        Family::Weibull => match statrs::distribution::Weibull::new(p[0].exp(), p[1].exp()) {
            Ok(d) => terms(&|x| d.ln_pdf(x), &|x| d.sf(x)),
            Err(_) => f64::NEG_INFINITY,
        },
    };
    if value.is_nan() { f64::NEG_INFINITY } else { value }
}

/// Starting point: the method of moments on the complete durations.
fn start(family: Family, s: &Sample) -> [f64; 2] {
    let n = s.complete.len() as f64;
    let mean = s.complete.iter().sum::<f64>() / n;
    let var = s.complete.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1.0).max(1.0);
    let cv2 = (var / (mean * mean)).max(1e-4);
    match family {
        Family::Lognormal => {
            let logs: Vec<f64> = s.complete.iter().map(|x| x.ln()).collect();
            let m = logs.iter().sum::<f64>() / n;
            let v = logs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / n;
            [m, v.max(1e-6).sqrt().ln()]
        }
        Family::Gamma => {
            let shape = 1.0 / cv2;
            [shape.ln(), (mean / shape).ln()]
        }
        // Weibull's shape is about cv^-1.086 for shapes from 0.5 to 5.
        Family::Weibull => {
            let shape = cv2.sqrt().powf(-1.086).clamp(0.1, 20.0);
            [shape.ln(), (mean / statrs::function::gamma::gamma(1.0 + 1.0 / shape)).ln()]
        }
    }
}

/// Maximum-likelihood fit of one family, or `None` if it fails to converge to a valid distribution.
fn fit(family: Family, s: &Sample, km: &[(f64, f64)]) -> Option<Fit> {
    let p = nelder_mead(|p| -log_likelihood(family, p, s), start(family, s));
    let log_likelihood = log_likelihood(family, p, s);
    if !log_likelihood.is_finite() {
        return None;
    }
    let dist = to_dist(family, p)?;
    let distance = km.iter().map(|&(x, surv)| (dist.survival(x) - surv).abs()).fold(0.0, f64::max);
    Some(Fit { family, dist, log_likelihood, aic: 4.0 - 2.0 * log_likelihood, distance })
}

/// Minimises `f` over two parameters (Nelder-Mead with the usual
/// coefficients: reflection 1, expansion 2, contraction 1/2, shrink 1/2),
/// until the simplex's values agree to 1e-10 relative or 2,000 steps. The
/// parameters are on log scales, so steps of 0.1 are sensible everywhere.
pub fn nelder_mead(f: impl Fn([f64; 2]) -> f64, x0: [f64; 2]) -> [f64; 2] {
    let mut pts = [x0, [x0[0] + 0.1, x0[1]], [x0[0], x0[1] + 0.1]];
    let mut vals = pts.map(&f);
    for _ in 0..2000 {
        let mut order = [0usize, 1, 2];
        order.sort_by(|&a, &b| vals[a].total_cmp(&vals[b]));
        let (best, mid, worst) = (order[0], order[1], order[2]);
        if (vals[worst] - vals[best]).abs() <= 1e-10 * (1.0 + vals[best].abs()) && vals[best].is_finite() {
            break;
        }
        let centre = [(pts[best][0] + pts[mid][0]) / 2.0, (pts[best][1] + pts[mid][1]) / 2.0];
        let along = |t: f64| [centre[0] + t * (pts[worst][0] - centre[0]), centre[1] + t * (pts[worst][1] - centre[1])];
        let reflected = along(-1.0);
        let fr = f(reflected);
        if fr < vals[best] {
            let expanded = along(-2.0);
            let fe = f(expanded);
            (pts[worst], vals[worst]) = if fe < fr { (expanded, fe) } else { (reflected, fr) };
        } else if fr < vals[mid] {
            (pts[worst], vals[worst]) = (reflected, fr);
        } else {
            let contracted = if fr < vals[worst] { along(-0.5) } else { along(0.5) };
            let fc = f(contracted);
            if fc < vals[worst].min(fr) {
                (pts[worst], vals[worst]) = (contracted, fc);
            } else {
                for i in [mid, worst] {
                    pts[i] = [(pts[i][0] + pts[best][0]) / 2.0, (pts[i][1] + pts[best][1]) / 2.0];
                    vals[i] = f(pts[i]);
                }
            }
        }
    }
    let best = (0..3).min_by(|&a, &b| vals[a].total_cmp(&vals[b])).unwrap_or(0);
    pts[best]
}

/// Kaplan-Meier estimate of P(duration > x) at each distinct complete
/// duration, in increasing order. A censored duration equal to a complete one
/// counts as still at risk there (the usual convention).
pub fn kaplan_meier(s: &Sample) -> Vec<(f64, f64)> {
    let mut all: Vec<(f64, bool)> =
        s.complete.iter().map(|&x| (x, true)).chain(s.censored.iter().map(|&x| (x, false))).collect();
    all.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let mut at_risk = all.len() as f64;
    let mut surv = 1.0;
    let mut out = Vec::new();
    let mut i = 0;
    while i < all.len() {
        let x = all[i].0;
        let (mut events, mut leaving) = (0.0, 0.0);
        while i < all.len() && all[i].0 == x {
            events += f64::from(u8::from(all[i].1));
            leaving += 1.0;
            i += 1;
        }
        if events > 0.0 {
            surv *= 1.0 - events / at_risk;
            out.push((x, surv));
        }
        at_risk -= leaving;
    }
    out
}

/// 100 quantiles of the Kaplan-Meier estimate, at probabilities 0.005,
/// 0.015, ..., 0.995; beyond the last complete duration (heavy censoring)
/// the longest duration seen stands in.
pub fn km_quantiles(km: &[(f64, f64)], s: &Sample) -> Vec<f64> {
    let longest = s.complete.iter().chain(&s.censored).copied().fold(MIN_DAYS, f64::max);
    (0..100)
        .map(|i| {
            let p = (f64::from(i) + 0.5) / 100.0;
            let x = km.iter().find(|&&(_, surv)| 1.0 - surv >= p).map_or(longest, |&(x, _)| x);
            (x * 1e4).round() / 1e4
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    fn sample_of(d: &impl rand_distr::Distribution<f64>, n: usize, seed: u64) -> Vec<f64> {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(seed);
        (0..n).map(|_| d.sample(&mut rng)).collect()
    }

    #[test]
    fn nelder_mead_finds_a_quadratic_minimum() {
        let p = nelder_mead(|p| (p[0] - 3.0).powi(2) + 10.0 * (p[1] + 1.0).powi(2), [0.0, 0.0]);
        assert!((p[0] - 3.0).abs() < 1e-4 && (p[1] + 1.0).abs() < 1e-4, "{p:?}");
    }

    /// Kaplan-Meier by hand: 1, 2+, 3, 4 (2 censored): S(1) = 3/4, S(3) = 3/4 x 1/2, S(4) = 0.
    #[test]
    fn kaplan_meier_by_hand() {
        let s = Sample { complete: vec![3.0, 1.0, 4.0], censored: vec![2.0] };
        let km = kaplan_meier(&s);
        assert_eq!(km, vec![(1.0, 0.75), (3.0, 0.375), (4.0, 0.0)]);
    }

    /// Lognormal MLE has a closed form without censoring: mu and sigma are the
    /// mean and (n-divisor) sd of the logs; the optimiser must reach it.
    #[test]
    fn lognormal_fit_matches_the_closed_form() {
        let x = sample_of(&rand_distr::LogNormal::new(1.0, 1.2).unwrap(), 2000, 1);
        let s = Sample { complete: x.clone(), censored: vec![] };
        let c = choose(&s).unwrap();
        let f = c.fits.iter().find(|f| f.family == Family::Lognormal).unwrap();
        let logs: Vec<f64> = x.iter().map(|v| v.ln()).collect();
        let mu = logs.iter().sum::<f64>() / 2000.0;
        let sigma = (logs.iter().map(|l| (l - mu).powi(2)).sum::<f64>() / 2000.0).sqrt();
        let Distribution::LogNormal { mean, sd } = f.dist else { panic!() };
        let s2 = (1.0 + (sd / mean).powi(2)).ln();
        assert!((s2.sqrt() - sigma).abs() < 1e-5, "{} vs {sigma}", s2.sqrt());
        assert!((mean.ln() - s2 / 2.0 - mu).abs() < 1e-5);
    }

    /// Censoring handled: stays from an exponential-like gamma, censored at
    /// a fixed horizon, still give the true mean within 4 standard errors; the
    /// naive mean of complete stays is biased low by far more.
    #[test]
    fn censored_stays_are_not_lost() {
        let x = sample_of(&rand_distr::Gamma::new(0.8, 5.0).unwrap(), 5000, 2);
        let horizon = 8.0;
        let s = Sample {
            complete: x.iter().copied().filter(|&v| v <= horizon).collect(),
            censored: x.iter().filter(|&&v| v > horizon).map(|_| horizon).collect(),
        };
        assert!(s.censored.len() > 500, "the test needs heavy censoring");
        let c = choose(&s).unwrap();
        let g = c.fits.iter().find(|f| f.family == Family::Gamma).unwrap();
        // Standard error of a mean of 5,000 gamma(0.8, 5) draws: 5 sqrt(0.8) / sqrt(5000) = 0.063;
        // censoring loses information, so allow 4 of them doubled.
        assert!((g.dist.mean() - 4.0).abs() < 0.5, "{:?}", g.dist);
        let naive = s.complete.iter().sum::<f64>() / s.complete.len() as f64;
        assert!(naive < 3.0, "the naive mean is biased low: {naive}");
    }

    /// AIC picks the generating family on large samples: 5,000 draws of
    /// each family at shapes a stay takes, 5 seeds each; at this size the
    /// wrong family loses by tens of log-likelihood units, so every pick must
    /// be right (allow one miss in 15 for the near-exponential case).
    #[test]
    fn aic_picks_the_generating_family() {
        let mut wrong = Vec::new();
        for seed in 0..5 {
            let cases: [(Family, Vec<f64>); 3] = [
                (Family::Lognormal, sample_of(&rand_distr::LogNormal::new(1.2, 1.1).unwrap(), 5000, 10 + seed)),
                (Family::Gamma, sample_of(&rand_distr::Gamma::new(0.7, 5.0).unwrap(), 5000, 20 + seed)),
                (Family::Weibull, sample_of(&rand_distr::Weibull::new(7.0, 0.85).unwrap(), 5000, 30 + seed)),
            ];
            for (family, x) in cases {
                let c = choose(&Sample { complete: x, censored: vec![] }).unwrap();
                if c.best().unwrap().family != family {
                    wrong.push((family, seed, c.best().unwrap().family));
                }
                assert!(!c.is_empirical() || c.best().unwrap().family != family, "a true family is accepted");
            }
        }
        assert!(wrong.len() <= 1, "{wrong:?}");
    }

    /// A two-humped sample fits no family: the empirical fallback is written,
    /// and its quantiles reproduce the humps.
    #[test]
    fn a_mixture_falls_back_to_empirical() {
        let mut x = sample_of(&rand_distr::Normal::new(1.0, 0.1).unwrap(), 3000, 3);
        x.extend(sample_of(&rand_distr::Normal::new(10.0, 0.5).unwrap(), 3000, 4));
        let c = choose(&Sample { complete: x, censored: vec![] }).unwrap();
        assert!(c.is_empirical(), "{:?}", c.best());
        let Distribution::Empirical { values } = &c.chosen else { panic!() };
        assert_eq!(values.len(), 100);
        assert!(values[25] < 2.0 && values[75] > 8.0, "{values:?}");
    }

    #[test]
    fn small_samples_use_the_values_seen() {
        let c = choose(&Sample { complete: vec![1.0, 2.0, 3.0], censored: vec![] }).unwrap();
        assert!(c.fits.is_empty() && c.is_empirical());
        assert!(choose(&Sample::default()).is_none());
    }
}
