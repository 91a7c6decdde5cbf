//! Comparing scenarios under common random numbers, and sweeping a value.
//!
//! Every scenario runs with the same seed and replication count, so
//! replication r of each sees the same arrivals and stays; the difference
//! ALT - BASE is taken replication by replication (a paired difference), which
//! removes most of the noise two independent runs would show.

use crate::model::Model;
use crate::stats::{Key, Kpis, Metric};
use crate::summary::{Summary, summarise};

/// A KPI identified by names rather than indices, so two scenarios with
/// different pool lists can still be paired.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct NamedKey {
    /// KPI measured.
    pub metric: Metric,
    /// Pool name; empty for a trust-wide or per-specialty KPI (the CSVs' `pool` column).
    pub pool: String,
    /// Specialty name; empty unless the KPI is per specialty (the CSVs' `specialty` column).
    pub specialty: String,
}

impl NamedKey {
    /// `key` of `model` by names: its pool and specialty indices replaced by their names.
    pub fn of(model: &Model, key: &Key) -> NamedKey {
        NamedKey {
            metric: key.metric,
            pool: key.pool().map(|p| model.pools[p].name.clone()).unwrap_or_default(),
            specialty: key.specialty().map(|s| model.specialties[s].name.clone()).unwrap_or_default(),
        }
    }
}

/// The names a scenario's KPI keys refer to: what a sweep keeps of each
/// value's scenario once it has run, so only one scenario is loaded at a time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Names {
    /// The scenario's `[scenario] name`.
    pub scenario: String,
    /// Pool names in scenario order: a KPI key's pool index points here.
    pub pools: Vec<String>,
    /// Specialty names in scenario order: a KPI key's specialty index points here.
    pub specialties: Vec<String>,
}

impl Names {
    /// Keeps only the names of `model`'s scenario, pools and specialties.
    pub fn of(model: &Model) -> Names {
        Names {
            scenario: model.name.clone(),
            pools: model.pools.iter().map(|p| p.name.clone()).collect(),
            specialties: model.specialties.iter().map(|s| s.name.clone()).collect(),
        }
    }

    /// The key by names, as [`NamedKey::of`] gives it for the model.
    pub fn key(&self, key: &Key) -> NamedKey {
        NamedKey {
            metric: key.metric,
            pool: key.pool().and_then(|p| self.pools.get(p)).cloned().unwrap_or_default(),
            specialty: key.specialty().and_then(|s| self.specialties.get(s)).cloned().unwrap_or_default(),
        }
    }

    /// Index of the pool named `name`.
    pub fn pool(&self, name: &str) -> Option<usize> {
        self.pools.iter().position(|p| p == name)
    }
}

/// One KPI of BASE and ALT with the paired difference ALT - BASE.
#[derive(Debug, Clone)]
pub struct Paired {
    /// The KPI, by names both scenarios share.
    pub key: NamedKey,
    /// The KPI over BASE's replications.
    pub base: Summary,
    /// The KPI over ALT's replications.
    pub alt: Summary,
    /// ALT - BASE taken replication by replication (replications where both are defined), summarised.
    pub diff: Summary,
}

/// What a comparison keeps of one scenario's replications once they have
/// run: the summaries (from the reducer `run` uses, fed one replication at a
/// time), each replication's scalar KPIs, and, when months are paired, each
/// daily series' mean per day in each month. Daily values themselves are not
/// kept (they go to the reducer as they arrive), so a comparison's memory
/// grows with replications only by one f64 per scalar KPI (and per series
/// and month), not by the days of every series.
#[derive(Debug)]
pub struct Kept {
    /// Every KPI summarised across replications, as `Summaries::new` gives it.
    pub sums: crate::reduce::Summaries,
    /// The scalar KPIs' keys, in each replication's order.
    scalar_keys: Vec<Key>,
    /// Per replication, the scalar KPIs in `scalar_keys` order.
    scalars: Vec<Vec<f64>>,
    /// The daily series' keys (only when months are kept).
    daily_keys: Vec<Key>,
    /// Per replication, each daily series' month means (series by series,
    /// months in order); empty unless months are kept.
    month_means: Vec<Vec<f64>>,
}

/// Receives one scenario's replications in order and gives a [`Kept`].
pub struct Keeper {
    reducer: crate::reduce::Reducer,
    /// The reported period's months (first day, label) and its days, when month means are kept.
    months: Option<(Vec<(usize, String)>, usize)>,
    daily_keys: Vec<Key>,
    month_means: Vec<Vec<f64>>,
}

impl Keeper {
    /// A keeper of one scenario's replications; with `months_of`, each daily
    /// series' month means for [`paired_by_month`], over that model's months
    /// (the base's, for every scenario of a comparison).
    pub fn new(months_of: Option<&Model>) -> Keeper {
        Keeper {
            reducer: crate::reduce::Reducer::new(),
            months: months_of.map(|m| (crate::stats::months(m), m.reported_days() as usize)),
            daily_keys: Vec::new(),
            month_means: Vec::new(),
        }
    }

    /// Adds the next replication, in replication order.
    pub fn push(&mut self, k: &Kpis) {
        self.reducer.push(k);
        if let Some((months, days)) = &self.months {
            if self.month_means.is_empty() {
                self.daily_keys = k.daily.iter().map(|(key, _)| *key).collect();
            }
            let mut row = Vec::with_capacity(k.daily.len() * months.len());
            for (_, v) in &k.daily {
                for (m, (from, _)) in months.iter().enumerate() {
                    let to = months.get(m + 1).map_or(*days, |n| n.0);
                    row.push(month_mean(v, *from, to));
                }
            }
            self.month_means.push(row);
        }
    }

    /// What was kept.
    pub fn finish(self) -> Kept {
        let results = self.reducer.finish();
        Kept {
            sums: results.sums,
            scalar_keys: results.scalar_keys,
            scalars: results.scalars,
            daily_keys: self.daily_keys,
            month_means: self.month_means,
        }
    }
}

impl Kept {
    /// Keeps replications already held in memory (tests, small runs).
    pub fn of(reps: &[Kpis], months_of: Option<&Model>) -> Kept {
        let mut k = Keeper::new(months_of);
        for r in reps {
            k.push(r);
        }
        k.finish()
    }

    /// Replications kept.
    pub fn replications(&self) -> usize {
        self.scalars.len()
    }

    /// A trust-wide scalar KPI in each replication, if the scenario reports it.
    pub fn trust_column(&self, metric: Metric) -> Option<Vec<f64>> {
        let key = Key::new(metric, crate::stats::Scope::Trust);
        let i = self.scalar_keys.iter().position(|k| *k == key)?;
        Some(self.scalars.iter().map(|r| r[i]).collect())
    }
}

/// A month's mean per day of the days whose value is defined (NaN when none is).
fn month_mean(v: &[f64], from: usize, to: usize) -> f64 {
    let ok: Vec<f64> = v.get(from..to).unwrap_or_default().iter().copied().filter(|x| x.is_finite()).collect();
    if ok.is_empty() { f64::NAN } else { ok.iter().sum::<f64>() / ok.len() as f64 }
}

/// ALT - BASE replication by replication; NaN where either is undefined.
fn differences(alt: &[f64], base: &[f64]) -> Vec<f64> {
    alt.iter().zip(base).map(|(x, y)| if x.is_finite() && y.is_finite() { x - y } else { f64::NAN }).collect()
}

/// Pairs every scalar KPI the two runs share, in BASE's order. Replications
/// where either value is undefined are left out of the difference.
pub fn paired(base_model: &Model, base: &Kept, alt_model: &Model, alt: &Kept) -> Vec<Paired> {
    if base.scalars.is_empty() || alt.scalars.is_empty() {
        return Vec::new();
    }
    let alt_index: Vec<NamedKey> = alt.scalar_keys.iter().map(|k| NamedKey::of(alt_model, k)).collect();
    let mut out = Vec::new();
    for (i, key) in base.scalar_keys.iter().enumerate() {
        let named = NamedKey::of(base_model, key);
        let Some(j) = alt_index.iter().position(|k| *k == named) else { continue };
        let b: Vec<f64> = base.scalars.iter().map(|r| r[i]).collect();
        let a: Vec<f64> = alt.scalars.iter().map(|r| r[j]).collect();
        let d = differences(&a, &b);
        out.push(Paired { key: named, base: summarise(&b), alt: summarise(&a), diff: summarise(&d) });
    }
    out
}

/// One daily series of BASE and ALT over one calendar month: the paired
/// difference of the month's mean per day.
#[derive(Debug, Clone)]
pub struct MonthPaired {
    /// The series, by names both scenarios share.
    pub key: NamedKey,
    /// The month, `2027-01`.
    pub month: String,
    /// BASE's mean per day over the month, across replications.
    pub base: Summary,
    /// ALT's mean per day over the month, across replications.
    pub alt: Summary,
    /// ALT - BASE taken replication by replication.
    pub diff: Summary,
}

/// Pairs every daily series the two runs share, month by month (in BASE's
/// order, then by month): what `comparison_by_month.csv` shows, so a change
/// that starts on a date shows no difference in the months before it. A
/// month's value is the mean of its days' values that are defined (days
/// with no attendances have no 4-hour performance).
pub fn paired_by_month(base_model: &Model, base: &Kept, alt_model: &Model, alt: &Kept) -> Vec<MonthPaired> {
    if base.month_means.is_empty() || alt.month_means.is_empty() {
        return Vec::new();
    }
    let months = crate::stats::months(base_model);
    let alt_index: Vec<NamedKey> = alt.daily_keys.iter().map(|k| NamedKey::of(alt_model, k)).collect();
    let mut out = Vec::new();
    for (i, key) in base.daily_keys.iter().enumerate() {
        let named = NamedKey::of(base_model, key);
        let Some(j) = alt_index.iter().position(|k| *k == named) else { continue };
        for (m, (_, label)) in months.iter().enumerate() {
            let b: Vec<f64> = base.month_means.iter().map(|r| r[i * months.len() + m]).collect();
            let a: Vec<f64> = alt.month_means.iter().map(|r| r[j * months.len() + m]).collect();
            let d = differences(&a, &b);
            out.push(MonthPaired {
                key: named.clone(),
                month: label.clone(),
                base: summarise(&b),
                alt: summarise(&a),
                diff: summarise(&d),
            });
        }
    }
    out
}

/// A sweep target such as `share_of_time_full<=0.05` or `ed_4h_performance>=0.78`,
/// optionally for a pool: `share_of_time_full:medicine<=0.05`.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    /// KPI the target is on.
    pub metric: Metric,
    /// Pool written after `:` (`METRIC:POOL`); `None` means the swept pool's KPI if there is one, else the trust's.
    pub pool: Option<String>,
    /// `true` for `<=` (the KPI must not exceed `value`), `false` for `>=` (it must reach it).
    pub at_most: bool,
    /// Threshold in the KPI's own units (a share 0-1, beds, hours, days, pounds...).
    pub value: f64,
}

impl std::str::FromStr for Target {
    type Err = String;
    fn from_str(s: &str) -> Result<Target, String> {
        let (lhs, at_most, rhs) = if let Some((l, r)) = s.split_once("<=") {
            (l, true, r)
        } else if let Some((l, r)) = s.split_once(">=") {
            (l, false, r)
        } else {
            return Err(format!("expected METRIC<=VALUE or METRIC>=VALUE (optionally METRIC:POOL), found \"{s}\""));
        };
        let value: f64 =
            rhs.trim().parse().map_err(|_| format!("the target value must be a number, found \"{}\"", rhs.trim()))?;
        if !value.is_finite() {
            return Err("the target value must be finite".into());
        }
        let (metric, pool) = match lhs.trim().split_once(':') {
            Some((m, p)) => (m.trim(), Some(p.trim().to_string())),
            None => (lhs.trim(), None),
        };
        if metric.is_empty() {
            return Err("the target needs a metric name".into());
        }
        let Ok(metric) = metric.parse::<Metric>() else {
            let mut names: Vec<&str> = <Metric as strum::VariantNames>::VARIANTS.to_vec();
            names.sort_unstable();
            return Err(format!("--target: no KPI named \"{}\"; KPIs: {}", metric.escape_debug(), names.join(", ")));
        };
        Ok(Target { metric, pool, at_most, value })
    }
}

impl Target {
    /// Whether a KPI value (a mean or a CI bound) meets the target; NaN and infinities never do.
    pub fn met_by(&self, x: f64) -> bool {
        x.is_finite() && if self.at_most { x <= self.value } else { x >= self.value }
    }

    /// The target as messages and `target.txt` show it, e.g. `share_of_time_full:medicine <= 0.05`.
    pub fn describe(&self) -> String {
        let place = self.pool.as_ref().map_or(String::new(), |p| format!(":{p}"));
        format!("{}{} {} {}", self.metric, place, if self.at_most { "<=" } else { ">=" }, self.value)
    }
}

/// Most values one sweep may have.
pub const MAX_SWEEP_VALUES: usize = 500;

/// A swept range `A..B:STEP` (inclusive of B when it lands on a step). The
/// count is computed arithmetically and checked against
/// [`MAX_SWEEP_VALUES`] before any value is built. The values are whole
/// numbers (written without a decimal point) when A, B and STEP are.
pub fn parse_range(s: &str) -> Result<(Vec<f64>, bool), String> {
    let (range, step) = s.split_once(':').unwrap_or((s, "1"));
    let (a_text, b_text) = range.split_once("..").ok_or_else(|| format!("expected A..B:STEP, found \"{s}\""))?;
    let num = |t: &str| t.trim().parse::<f64>().map_err(|_| format!("expected a number in \"{s}\", found \"{t}\""));
    let (a, b, step_value) = (num(a_text)?, num(b_text)?, num(step)?);
    if !(a.is_finite() && b.is_finite()) {
        return Err(format!("A and B must be finite numbers in \"{s}\""));
    }
    if !step_value.is_finite() || step_value <= 0.0 {
        return Err(format!("STEP must be a finite number > 0 in \"{s}\", found {step_value}"));
    }
    if b < a {
        return Err(format!("A must not exceed B in \"{s}\" ({a} > {b})"));
    }
    // In f64 first: a huge count must not saturate or wrap an integer.
    let count = ((b - a) / step_value + 1e-9).floor() + 1.0;
    if count.is_nan() || count > MAX_SWEEP_VALUES as f64 {
        return Err(format!(
            "\"{s}\" gives {count:.4e} values; a sweep has at most {MAX_SWEEP_VALUES}: use a larger STEP"
        ));
    }
    let n = count as usize;
    let whole = |t: &str, v: f64| !t.contains('.') && v.fract() == 0.0;
    let integer = whole(a_text, a) && whole(b_text, b) && whole(step, step_value);
    // A + i x STEP, rounded to the decimal places the literals have (0.1 x 3
    // is 0.3, not 0.30000000000000004), and never past B.
    let places = [a_text, b_text, step]
        .iter()
        .map(|t| decimal_places(t))
        .collect::<Option<Vec<u32>>>()
        .and_then(|p| p.into_iter().max());
    let value = |i: usize| {
        let v = a + step_value * i as f64;
        let v = match places {
            Some(p) => {
                let scale = 10f64.powi(p as i32);
                // Beyond 2^52 a float has no fraction left to round.
                if (v * scale).abs() < 4.5e15 { (v * scale).round() / scale } else { v }
            }
            None => v,
        };
        v.min(b)
    };
    Ok(((0..n).map(value).collect(), integer))
}

/// Decimal places a number literal is written with (`0.25` 2, `5e-1` 1,
/// `1.5e2` 0); `None` beyond 15, where rounding would not help.
fn decimal_places(t: &str) -> Option<u32> {
    let t = t.trim();
    let (mantissa, exponent) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], t[i + 1..].parse::<i64>().ok()?),
        None => (t, 0),
    };
    let fraction = mantissa.split_once('.').map_or(0, |(_, f)| f.len() as i64);
    let places = fraction.saturating_sub(exponent).max(0);
    (places <= 15).then_some(places as u32)
}

/// Fields a sweep cannot vary: every value of a sweep runs with the same
/// seed and replication count (common random numbers), so `scenario.seed`
/// and `scenario.replications` are refused (use `--seed`/`--replications`).
pub fn check_sweep_path(path: &str) -> Result<(), String> {
    let p: String = path.chars().filter(|c| !c.is_whitespace()).collect();
    if p == "scenario.seed" || p == "scenario.replications" {
        let flag = if p == "scenario.seed" { "--seed" } else { "--replications" };
        return Err(format!(
            "cannot sweep {p}: every value of a sweep runs with the same seed and replications (common random \
             numbers); use {flag} to set it for the whole sweep"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A sweep target's pool is found by its exact name, at its own index.
    #[test]
    fn names_find_pools_by_exact_name() {
        let names = Names {
            scenario: "s".into(),
            pools: vec!["medicine".into(), "surgery".into(), "care of older people".into()],
            specialties: vec![],
        };
        assert_eq!(names.pool("medicine"), Some(0));
        assert_eq!(names.pool("care of older people"), Some(2));
        assert_eq!(names.pool("Medicine"), None);
    }

    #[test]
    fn targets_and_ranges_parse() {
        let t: Target = "share_of_time_full<=0.05".parse().unwrap();
        assert!(t.at_most && t.value == 0.05 && t.pool.is_none());
        let t: Target = "ed_4h_performance:medicine >= 0.78".parse().unwrap();
        assert!(!t.at_most && t.pool.as_deref() == Some("medicine"));
        assert!("share_of_time_full=0.05".parse::<Target>().is_err());
        assert_eq!(parse_range("380..420:10").unwrap(), (vec![380.0, 390.0, 400.0, 410.0, 420.0], true));
        assert_eq!(parse_range("0.5..1.0:0.25").unwrap().0, vec![0.5, 0.75, 1.0]);
        assert!(parse_range("10..5:1").is_err());
        assert!(parse_range("1..2:0").is_err());
        assert!(parse_range("1..2:-1").is_err());
        assert!(parse_range("1..2:inf").is_err());
        assert!(parse_range("1..2:NaN").is_err());
        assert!(parse_range("0..inf:1").is_err());
        assert!(parse_range("0..1e20:1").unwrap_err().contains("1.0000e20 values"));
        assert!(parse_range("1..2:1e-300").unwrap_err().contains("at most 500"));
        assert_eq!(parse_range("1..500:1").unwrap().0.len(), 500);
        assert!(parse_range("1..501:1").is_err());
        // Not whole: not rounded to integers.
        assert_eq!(parse_range("1..2:5e-1").unwrap(), (vec![1.0, 1.5, 2.0], false));
        // A + i x STEP rounded to the literals' decimal places, never past B.
        assert_eq!(parse_range("0..0.3:0.1").unwrap().0, vec![0.0, 0.1, 0.2, 0.3]);
        let tenths = parse_range("0..1:0.1").unwrap().0;
        assert_eq!(
            tenths.iter().map(|v| v.to_string()).collect::<Vec<_>>().join(" "),
            "0 0.1 0.2 0.3 0.4 0.5 0.6 0.7 0.8 0.9 1"
        );
        assert_eq!(parse_range("0.05..0.2:5e-2").unwrap().0, vec![0.05, 0.1, 0.15, 0.2]);
        assert_eq!(parse_range("1e-20..3e-20:1e-20").unwrap().0.len(), 3);
        assert!(parse_range("1e-20..3e-20:1e-20").unwrap().0.iter().all(|&v| v <= 3e-20));
        // Integer sweeps are unchanged.
        assert_eq!(parse_range("380..420:10").unwrap().0, vec![380.0, 390.0, 400.0, 410.0, 420.0]);
        assert_eq!(parse_range("1e3..3e3:1e3").unwrap().0, vec![1000.0, 2000.0, 3000.0]);
        assert!(check_sweep_path("scenario.seed").is_err());
        assert!(check_sweep_path(" scenario.replications ").is_err());
        assert!(check_sweep_path("pool.medicine.beds").is_ok());
    }
}
