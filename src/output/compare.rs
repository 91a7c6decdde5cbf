//! Outputs of `bedflow compare` and `bedflow sweep`.

use super::atomic;
use super::format::Unit;
use super::plots::compare::{Forest, ForestPanel, ForestRow, Sweep, SweepPanel};
use super::plots::render;
use super::report::inline_svg;
use super::tables::{Csv, for_excel, num};
use crate::compare::{MonthPaired, Paired, Target};
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::Metric;
use crate::summary::Summary;
use maud::{DOCTYPE, PreEscaped, html};

/// A scenario that was run, with its results.
pub struct Ran<'a> {
    /// The scenario as run.
    pub model: &'a Model,
    /// Its file, as shown to the user.
    pub path: String,
    /// The KPIs summarised across replications.
    pub sums: Summaries,
}

/// A row of `comparison.csv`; the field names are the header.
#[derive(serde::Serialize)]
struct ComparisonRow<'a> {
    scenario: &'a str,
    metric: &'a str,
    pool: &'a str,
    specialty: &'a str,
    base_mean: String,
    alt_mean: String,
    diff_mean: String,
    diff_ci95_low: String,
    diff_ci95_high: String,
    diff_p10: String,
    diff_p50: String,
    diff_p90: String,
    replications: usize,
}

/// `comparison.csv`: per alternative and KPI, BASE and ALT means and the
/// paired difference ALT - BASE with its 95% CI and percentiles.
pub fn comparison_csv(pairs: &[(String, Vec<Paired>)]) -> std::io::Result<Vec<u8>> {
    let mut w = Csv::new();
    for (alt, rows) in pairs {
        for p in rows {
            let d = &p.diff;
            w.record(ComparisonRow {
                scenario: alt,
                metric: p.key.metric.name(),
                pool: &p.key.pool,
                specialty: &p.key.specialty,
                base_mean: num(p.base.mean),
                alt_mean: num(p.alt.mean),
                diff_mean: num(d.mean),
                diff_ci95_low: num(d.ci95_low),
                diff_ci95_high: num(d.ci95_high),
                diff_p10: num(d.p10),
                diff_p50: num(d.p50),
                diff_p90: num(d.p90),
                replications: d.n,
            });
        }
    }
    Ok(for_excel(w.finish()?))
}

/// A row of `comparison_by_month.csv`; the field names are the header.
#[derive(serde::Serialize)]
struct MonthRow<'a> {
    scenario: &'a str,
    metric: &'a str,
    pool: &'a str,
    specialty: &'a str,
    month: &'a str,
    base_mean: String,
    alt_mean: String,
    diff_mean: String,
    diff_ci95_low: String,
    diff_ci95_high: String,
    replications: usize,
}

/// `comparison_by_month.csv`: per alternative, daily series and calendar
/// month, BASE's and ALT's mean per day and the paired difference ALT - BASE
/// with its 95% CI.
pub fn comparison_by_month_csv(pairs: &[(String, Vec<MonthPaired>)]) -> std::io::Result<Vec<u8>> {
    let mut w = Csv::new();
    for (alt, rows) in pairs {
        for p in rows {
            w.record(MonthRow {
                scenario: alt,
                metric: p.key.metric.name(),
                pool: &p.key.pool,
                specialty: &p.key.specialty,
                month: &p.month,
                base_mean: num(p.base.mean),
                alt_mean: num(p.alt.mean),
                diff_mean: num(p.diff.mean),
                diff_ci95_low: num(p.diff.ci95_low),
                diff_ci95_high: num(p.diff.ci95_high),
                replications: p.diff.n,
            });
        }
    }
    Ok(for_excel(w.finish()?))
}

/// Headline KPIs shown in the comparison report, with how each is shown.
const HEADLINE: [(Metric, &str, Unit); 10] = [
    (Metric::BedOccupancyRate, "Midnight bed occupancy", Unit::Share),
    (Metric::DaysOver92Pct, "Days over 92% occupied", Unit::Tenths),
    (Metric::ShareOfTimeFull, "Time with every bed full", Unit::Share),
    (Metric::BedWaitHoursMean, "Mean wait for a bed (hours)", Unit::Tenths),
    (Metric::WaitsOver12hFromDta, "Waits over 12 hours from DTA", Unit::Count),
    (Metric::Ed4hPerformance, "ED 4-hour performance", Unit::Share),
    (Metric::EdOver12hFromArrival, "ED stays over 12 hours", Unit::Count),
    (Metric::NctrPatientsMidnight, "Patients past their acute stay at midnight (NCTR)", Unit::Tenths),
    (Metric::ElectiveCancelledNoBed, "Electives cancelled, no bed", Unit::Count),
    (Metric::EscalationCost, "Escalation cost", Unit::Money),
];

/// `comparison.html`: per alternative, the headline KPIs' paired differences,
/// then the overlay chart. Names are escaped by `maud`; the chart is bedflow's own SVG.
fn report(
    base: &Ran<'_>,
    pairs: &[(String, Vec<Paired>)],
    decision: &maud::Markup,
    svg: &str,
    reps: usize,
    seed: u64,
    by_month: bool,
) -> String {
    const STYLE: &str = "body{font-family:\"DejaVu Sans\",Arial,sans-serif;max-width:1180px;margin:0 auto;padding:24px;color:#212b32}h1,h2{color:#003087}table{border-collapse:collapse;width:100%;font-size:0.92em}td,th{border-bottom:1px solid #d8dde0;padding:5px 8px;text-align:right}td:first-child,th:first-child{text-align:left}svg{width:100%;height:auto}.note{color:#425563}";
    let name = &base.model.name;
    let page = html! {
        (DOCTYPE) "\n"
        html lang="en-GB" { "\n"
            head { "\n"
                meta charset="utf-8"; "\n"
                title { "bedflow comparison: " (name) } "\n"
                style { (PreEscaped(STYLE)) } "\n"
            } "\n"
            body { "\n"
                h1 { "bedflow comparison: " (name) } "\n"
                p class="note" { (reps) " replications each, seed " (seed) ", common random numbers: replication r of every scenario sees the same arrivals and stays, so each difference below is taken replication by replication (ALT minus BASE)." } "\n"
                (decision)
                h2 { "The differences at a glance" } "\n"
                figure { (PreEscaped(inline_svg(svg))) } "\n"
                @for (alt, rows) in pairs {
                    h2 { (alt) " minus " (name) ": headline measures with their spread" } "\n"
                    table {
                        tr { th { "Measure (trust-wide)" } th { "Base mean" } th { "Alternative mean" } th { "Difference" } th { "95% CI of the difference" } th { "P10" } th { "P90" } } "\n"
                        @for (metric, label, u) in HEADLINE {
                            @if let Some(p) = rows.iter().find(|p| p.key.metric == metric && p.key.pool.is_empty() && p.key.specialty.is_empty()) {
                                tr {
                                    td { (label) } td { (u.level(p.base.mean)) } td { (u.level(p.alt.mean)) } td { (u.difference(p.diff.mean)) }
                                    td { (u.difference(p.diff.ci95_low)) " to " (u.difference(p.diff.ci95_high)) } td { (u.difference(p.diff.p10)) } td { (u.difference(p.diff.p90)) }
                                } "\n"
                            }
                        }
                    } "\n"
                }
                p class="note" { "Every KPI, per pool and specialty: " code { "comparison.csv" } "." } "\n"
                @if by_month {
                    p class="note" {
                        "Month by month (a plan changes beds by date): " code { "comparison_by_month.csv" }
                        ", each daily series as a mean per day of each month, with the paired difference and its 95% CI; the months before the change show no difference."
                    } "\n"
                }
            } "\n"
        } "\n"
    };
    page.into_string()
}

/// The measures `comparison.png` shows: those that separate plans.
const FOREST: [(crate::decision::Source, &str); 6] = {
    use crate::decision::Source;
    [
        (Source::Kpi(Metric::WaitsOver12hFromDta), "fewer is better"),
        (Source::Kpi(Metric::Ed4hPerformance), "higher is better"),
        (Source::Kpi(Metric::EscalationCost), "lower is better"),
        (Source::PlanCost, "what the plan itself costs"),
        (Source::NetCost, "lower is better"),
        (Source::Kpi(Metric::ElectiveCancelledNoBed), "fewer is better"),
    ]
};

/// A signed difference in thousands of pounds: `-£231k`, `+£1,128k`.
fn thousands(x: f64) -> String {
    match Unit::Money.difference(x / 1000.0).as_str() {
        "£0" => "£0".into(),
        s => format!("{s}k"),
    }
}

/// The `comparison` figure from the ranked plans: one panel per measure
/// any plan has, money in thousands of pounds, shares in percentage points.
fn forest(base: &str, reps: usize, plans: &[crate::decision::PlanResult]) -> Forest {
    // Plan names without the part they share with the base ("winter-2026-27-").
    let common = |name: &str| {
        let n = base.bytes().zip(name.bytes()).take_while(|(a, b)| a == b).count();
        let separator = |c: u8| b"-_.".contains(&c);
        let cut = if n == base.len() && name.as_bytes().get(n).copied().is_some_and(separator) {
            n + 1
        } else {
            name[..n].rfind(['-', '_', '.']).map_or(0, |i| i + 1)
        };
        if cut < name.len() { name[cut..].to_string() } else { name.to_string() }
    };
    let labels: Vec<String> =
        plans.iter().enumerate().map(|(i, p)| format!("{}. {}", i + 1, common(&p.name))).collect();
    let panels = FOREST
        .iter()
        .filter_map(|&(source, which)| {
            let rows: Vec<Option<ForestRow>> = plans
                .iter()
                .map(|p| {
                    p.row(source).map(|r| {
                        let u = r.measure.unit;
                        let scale = match u {
                            Unit::Share => 100.0,
                            Unit::Money => 0.001,
                            Unit::Count | Unit::Tenths => 1.0,
                        };
                        ForestRow {
                            mean: r.diff.mean * scale,
                            low: r.diff.ci95_low * scale,
                            high: r.diff.ci95_high * scale,
                            label: match u {
                                // The axis is in thousands: so are the labels.
                                Unit::Money => thousands(r.diff.mean),
                                _ => u.difference(r.diff.mean),
                            },
                        }
                    })
                })
                .collect();
            let first = plans.iter().find_map(|p| p.row(source))?;
            let x_label = match first.measure.unit {
                Unit::Share => "Difference from the base (percentage points)",
                Unit::Money => "Difference from the base (£ thousand)",
                _ => "Difference from the base",
            };
            Some(ForestPanel { title: format!("{} ({which})", first.measure.label), x_label: x_label.into(), rows })
        })
        .collect();
    Forest {
        title: format!("Each plan minus {base}: mean and 95% CI, {reps} replications, common random numbers"),
        plans: labels,
        panels,
    }
}

/// Writes `comparison.csv`, `comparison.png/.svg` and `comparison.html`, and
/// `comparison_by_month.csv` when given (see [`crate::compare::paired_by_month`]).
#[allow(clippy::too_many_arguments)]
pub fn write_compare(
    staging: atomic::Staging,
    base: &Ran<'_>,
    pairs: &[(String, Vec<Paired>)],
    plans: &[crate::decision::PlanResult],
    finance: &[(&Model, Summaries, super::RunInfo)],
    by_month: Option<&[(String, Vec<MonthPaired>)]>,
    replications: usize,
    seed: u64,
) -> Result<(), atomic::OutputDirError> {
    staging.publish(|tmp| {
        std::fs::write(tmp.join("comparison.csv"), comparison_csv(pairs)?)?;
        if let Some(m) = by_month {
            std::fs::write(tmp.join("comparison_by_month.csv"), comparison_by_month_csv(m)?)?;
        }
        let fig = forest(&base.model.name, replications, plans);
        let svg = render(&fig, tmp).map_err(std::io::Error::other)?;
        let table = super::decision::html(&base.model.name, replications, plans);
        std::fs::write(
            tmp.join("comparison.html"),
            report(base, pairs, &table, &svg, replications, seed, by_month.is_some()),
        )?;
        let book = super::decision::workbook(&base.model.name, replications, plans, pairs, base.model.start)
            .map_err(std::io::Error::other)?;
        std::fs::write(tmp.join("comparison.xlsx"), book)?;
        for (model, sums, info) in finance {
            let book = super::finance::workbook(model, sums, info).map_err(std::io::Error::other)?;
            std::fs::write(tmp.join(format!("finance-{}.xlsx", model.name)), book)?;
        }
        Ok(())
    })
}

/// The result of a sweep at one value.
pub struct SweepPoint {
    /// The swept field's value at this point.
    pub value: f64,
    /// What the value's scenario names (the scenario itself is dropped once run).
    pub names: crate::compare::Names,
    /// Scalar KPI summaries (the daily and monthly ones are not kept).
    pub sums: Summaries,
}

/// What the target search found.
#[derive(Debug, Clone, PartialEq)]
pub struct TargetAnswer {
    /// The target searched for.
    pub target: Target,
    /// Smallest value whose mean meets the target.
    pub smallest: Option<f64>,
    /// Smallest value whose whole 95% CI meets it (met with confidence).
    pub smallest_confident: Option<f64>,
    /// Mean and CI of the target KPI at `smallest`.
    pub at_smallest: Option<Summary>,
}

impl TargetAnswer {
    /// One line for the terminal and `target.txt`.
    pub fn describe(&self, path: &str) -> String {
        match (self.smallest, self.at_smallest) {
            (Some(v), Some(s)) => {
                // The KPI as a planner reads it: a share as a percentage,
                // money in pounds, anything else to one decimal place.
                let unit = if self.target.metric.is_share() {
                    Unit::Share
                } else if self.target.metric == Metric::EscalationCost {
                    Unit::Money
                } else {
                    Unit::Tenths
                };
                format!(
                    "target {}: smallest {path} = {} (mean {}, 95% CI {} to {}); with the whole CI inside the target: {}",
                    self.target.describe(),
                    num(v),
                    unit.level(s.mean),
                    // Clipped to the values the KPI can take, as the report does.
                    // (`NaN` stays undefined: one replication has no interval).
                    unit.level(if self.target.metric.can_be_negative() || s.ci95_low.is_nan() {
                        s.ci95_low
                    } else {
                        s.ci95_low.max(0.0)
                    }),
                    unit.level(if self.target.metric.at_most_one() && !s.ci95_high.is_nan() {
                        s.ci95_high.min(1.0)
                    } else {
                        s.ci95_high
                    }),
                    self.smallest_confident.map_or("none of the swept values".into(), num)
                )
            }
            _ => format!("target {}: no swept value of {path} meets it", self.target.describe()),
        }
    }
}

/// The pool a `--set` path names (`pool.NAME.field`), if any.
fn swept_pool(path: &str) -> Option<String> {
    let mut parts = path.split('.');
    (parts.next() == Some("pool")).then(|| parts.next().map(str::to_string)).flatten()
}

/// The target KPI's summary at one sweep point: the named pool, or the swept
/// pool if the path names one and the metric exists per pool, else trust-wide.
pub fn target_summary<'a>(point: &'a SweepPoint, target: &Target, path: &str) -> Option<&'a Summary> {
    let pool_name = target.pool.clone().or_else(|| swept_pool(path));
    let pool = pool_name.and_then(|n| point.names.pool(&n));
    pool.and_then(|p| point.sums.get(target.metric, Some(p))).or_else(|| point.sums.get(target.metric, None))
}

/// The smallest swept value meeting the target by its mean, and the smallest
/// meeting it with its whole 95% CI (values are tried in sweep order).
pub fn answer(points: &[SweepPoint], target: &Target, path: &str) -> TargetAnswer {
    let find = |confident: bool| {
        points.iter().find(|p| {
            target_summary(p, target, path).is_some_and(|s| {
                if confident {
                    let edge = if target.at_most { s.ci95_high } else { s.ci95_low };
                    target.met_by(edge)
                } else {
                    target.met_by(s.mean)
                }
            })
        })
    };
    let smallest = find(false);
    TargetAnswer {
        target: target.clone(),
        smallest: smallest.map(|p| p.value),
        smallest_confident: find(true).map(|p| p.value),
        at_smallest: smallest.and_then(|p| target_summary(p, target, path).copied()),
    }
}

/// A row of `sweep.csv`; the field names are the header.
#[derive(serde::Serialize)]
struct SweepRow<'a> {
    value: String,
    metric: &'a str,
    pool: &'a str,
    specialty: &'a str,
    mean: String,
    ci95_low: String,
    ci95_high: String,
    p10: String,
    p50: String,
    p90: String,
}

/// `sweep.csv` (every KPI at every value) and `sweep.png/.svg`.
pub fn write_sweep(
    staging: atomic::Staging,
    path: &str,
    points: &[SweepPoint],
    target: Option<&Target>,
    answer: Option<&TargetAnswer>,
) -> Result<(), atomic::OutputDirError> {
    staging.publish(|tmp| {
        let mut w = Csv::new();
        for p in points {
            for (key, s) in &p.sums.scalar {
                let named = p.names.key(key);
                w.record(SweepRow {
                    value: num(p.value),
                    metric: named.metric.name(),
                    pool: &named.pool,
                    specialty: &named.specialty,
                    mean: num(s.mean),
                    ci95_low: num(s.ci95_low),
                    ci95_high: num(s.ci95_high),
                    p10: num(s.p10),
                    p50: num(s.p50),
                    p90: num(s.p90),
                });
            }
        }
        std::fs::write(tmp.join("sweep.csv"), for_excel(w.finish()?))?;
        if let Some(a) = answer {
            std::fs::write(tmp.join("target.txt"), a.describe(path) + "\n")?;
        }
        // Panels: the target KPI, then what a planner weighs: 12-hour
        // waits, occupancy, escalation cost (where there is any), the time
        // full and the 4-hour standard; four at most, each one the scenario has.
        let mut metrics: Vec<Metric> = vec![];
        if let Some(t) = target {
            metrics.push(t.metric);
        }
        for m in [
            Metric::WaitsOver12hFromDta,
            Metric::BedOccupancyRate,
            Metric::EscalationCost,
            Metric::ShareOfTimeFull,
            Metric::Ed4hPerformance,
            Metric::BedWaitHoursMean,
        ] {
            let reported = points.first().is_some_and(|p| p.sums.get(m, None).is_some());
            if metrics.len() < 4 && !metrics.contains(&m) && reported {
                metrics.push(m);
            }
        }
        let panels = metrics
            .into_iter()
            .map(|metric| {
                let t = Target { metric, pool: target.and_then(|t| t.pool.clone()), at_most: true, value: 0.0 };
                let pts: Vec<(f64, Summary)> =
                    points.iter().filter_map(|p| target_summary(p, &t, path).map(|s| (p.value, *s))).collect();
                let percent = metric.is_share();
                let money = metric == Metric::EscalationCost;
                let pool = t.pool.clone().or_else(|| swept_pool(path));
                let per_pool = points.first().is_some_and(|p| {
                    pool.as_ref().and_then(|n| p.names.pool(n)).is_some_and(|i| p.sums.get(metric, Some(i)).is_some())
                });
                let (label, decimals) = super::report::metric_label(metric).unwrap_or((metric.name(), 2));
                let label = if money { "Escalation cost" } else { label };
                SweepPanel {
                    title: match (per_pool, pool) {
                        (true, Some(p)) => format!("{label}: {p}"),
                        _ => format!("{label}: trust"),
                    },
                    points: pts,
                    target: target.filter(|t| t.metric == metric).map(|t| t.value),
                    percent,
                    money,
                    decimals: if percent || money { 0 } else { decimals },
                }
            })
            .collect();
        let name = points.first().map_or(String::new(), |p| p.names.scenario.clone());
        let x_label = match swept_pool(path) {
            Some(pool) if path.ends_with(".beds") => format!("core beds in {pool} ({path})"),
            _ => path.to_string(),
        };
        let fig = Sweep {
            title: format!("{name}: what changes with {x_label}"),
            x_label: super::plots::winter::capitalise(&x_label),
            panels,
            chosen: answer.and_then(|a| a.smallest),
        };
        render(&fig, tmp).map_err(std::io::Error::other)?;
        Ok(())
    })
}
