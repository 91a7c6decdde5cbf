//! The decision table of `compare`: for each plan, the measures a winter
//! plan is judged on, its difference from the base with a 95% CI and a
//! verdict (better, worse, no clear difference), what the plan itself costs
//! and its net position (plan cost plus escalation cost, against the base's),
//! and the plans ranked.
//!
//! Plans are ranked by the 12-hour waits from decision to admit they avoid,
//! every route (ED, direct and elective patients: what a bed plan is for;
//! the ED's own, the NHS trolley-wait count, is shown below it), most first; plans with equal means are ranked by net cost, lowest
//! first. The verdict is read from the 95% CI of the paired difference: a
//! CI wholly on the good side is "better", wholly on the bad side "worse",
//! otherwise "no clear difference"; a difference of exactly 0 in every
//! replication is "no difference".

use crate::compare::{Kept, Paired};
use crate::model::Model;
use crate::output::format::Unit;
use crate::stats::Metric;
use crate::summary::{Summary, summarise};

/// Where a measure's values come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// A trust-wide KPI.
    Kpi(Metric),
    /// The plan's own cost (`[plan]`), the same in every replication.
    PlanCost,
    /// Plan cost plus escalation cost, replication by replication.
    NetCost,
}

/// A measure of the decision table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Measure {
    /// What it is, in a planner's words.
    pub label: &'static str,
    /// How it is shown.
    pub unit: Unit,
    /// Whether a fall is an improvement.
    pub lower_is_better: bool,
    /// Where its values come from.
    pub source: Source,
}

/// The measures, in the table's order. A KPI the scenarios do not report
/// (no ED, no electives, no pathways) is left out.
pub const MEASURES: [Measure; 11] = [
    Measure {
        label: "12-hour waits from decision to admit, every route",
        unit: Unit::Count,
        lower_is_better: true,
        source: Source::Kpi(Metric::WaitsOver12hFromDta),
    },
    Measure {
        label: "ED 12-hour waits from decision to admit (trolley waits)",
        unit: Unit::Count,
        lower_is_better: true,
        source: Source::Kpi(Metric::Ed12hFromDta),
    },
    Measure {
        label: "ED 4-hour performance",
        unit: Unit::Share,
        lower_is_better: false,
        source: Source::Kpi(Metric::Ed4hPerformance),
    },
    Measure {
        label: "ED stays over 12 hours from arrival",
        unit: Unit::Count,
        lower_is_better: true,
        source: Source::Kpi(Metric::EdOver12hFromArrival),
    },
    Measure {
        label: "Midnight bed occupancy",
        unit: Unit::Share,
        lower_is_better: true,
        source: Source::Kpi(Metric::BedOccupancyRate),
    },
    Measure {
        label: "Days over 92% occupied",
        unit: Unit::Tenths,
        lower_is_better: true,
        source: Source::Kpi(Metric::DaysOver92Pct),
    },
    Measure {
        label: "Patients past their acute stay at midnight",
        unit: Unit::Tenths,
        lower_is_better: true,
        source: Source::Kpi(Metric::NctrPatientsMidnight),
    },
    Measure {
        label: "Electives cancelled for want of a bed",
        unit: Unit::Count,
        lower_is_better: true,
        source: Source::Kpi(Metric::ElectiveCancelledNoBed),
    },
    Measure {
        label: "Escalation cost",
        unit: Unit::Money,
        lower_is_better: true,
        source: Source::Kpi(Metric::EscalationCost),
    },
    Measure { label: "Plan cost", unit: Unit::Money, lower_is_better: true, source: Source::PlanCost },
    Measure {
        label: "Net cost (plan plus escalation)",
        unit: Unit::Money,
        lower_is_better: true,
        source: Source::NetCost,
    },
];

/// What the 95% CI of a difference says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// The CI lies wholly on the good side of 0.
    Better,
    /// The CI lies wholly on the bad side of 0.
    Worse,
    /// The CI straddles 0 (or is undefined).
    NoClearDifference,
    /// Exactly 0 in every replication.
    NoDifference,
}

impl Verdict {
    /// The verdict of a difference `d` for a measure where lower is better or not.
    pub fn of(d: &Summary, lower_is_better: bool) -> Verdict {
        if d.n > 0 && d.mean == 0.0 && (d.n == 1 || d.sd == 0.0) {
            return Verdict::NoDifference;
        }
        let (lower, higher) = (d.ci95_high < 0.0, d.ci95_low > 0.0);
        match (lower, higher) {
            (true, _) if lower_is_better => Verdict::Better,
            (true, _) => Verdict::Worse,
            (_, true) if lower_is_better => Verdict::Worse,
            (_, true) => Verdict::Better,
            _ => Verdict::NoClearDifference,
        }
    }

    /// As the table shows it.
    pub fn word(self) -> &'static str {
        match self {
            Verdict::Better => "better",
            Verdict::Worse => "worse",
            Verdict::NoClearDifference => "no clear difference",
            Verdict::NoDifference => "no difference",
        }
    }
}

/// One measure of one plan against the base.
#[derive(Debug, Clone)]
pub struct Row {
    /// The measure.
    pub measure: Measure,
    /// The base's mean.
    pub base: f64,
    /// The plan's mean.
    pub alt: f64,
    /// The paired difference, plan minus base.
    pub diff: Summary,
    /// What the difference's CI says.
    pub verdict: Verdict,
}

/// One plan against the base.
#[derive(Debug, Clone)]
pub struct PlanResult {
    /// The plan's scenario name.
    pub name: String,
    /// Its `[plan] description` (may be empty).
    pub description: String,
    /// Its measures, in [`MEASURES`] order.
    pub rows: Vec<Row>,
}

impl PlanResult {
    /// The row of a measure, by its source.
    pub fn row(&self, source: Source) -> Option<&Row> {
        self.rows.iter().find(|r| r.measure.source == source)
    }

    /// Net cost per 12-hour wait avoided, when the plan clearly avoids them
    /// and costs more on net (otherwise the ratio misleads: a plan that
    /// saves money and waits needs no ratio).
    pub fn net_cost_per_wait_avoided(&self) -> Option<f64> {
        let waits = self.row(Source::Kpi(Metric::WaitsOver12hFromDta))?;
        let net = self.row(Source::NetCost)?;
        (waits.verdict == Verdict::Better && net.diff.mean > 0.0).then(|| net.diff.mean / -waits.diff.mean)
    }
}

/// Escalation cost of each replication (0 where the scenario has no escalation).
fn escalation_costs(reps: &Kept) -> Vec<f64> {
    reps.trust_column(Metric::EscalationCost).unwrap_or_else(|| vec![0.0; reps.replications()])
}

/// Each plan against the base, ranked (see the module's documentation).
/// `pairs` are each plan's name and paired KPIs, in `alts` order.
pub fn decide(base: (&Model, &Kept), alts: &[(&Model, &Kept)], pairs: &[(String, Vec<Paired>)]) -> Vec<PlanResult> {
    rank(alts.iter().zip(pairs).map(|(&alt, (_, pairs))| plan_result(base, alt, pairs)).collect())
}

/// One plan against the base: its rows of [`MEASURES`]. `pairs` are the
/// plan's paired KPIs. `compare` calls this as each plan finishes, so it
/// need not keep every plan's replications until the last has run.
pub fn plan_result(base: (&Model, &Kept), alt: (&Model, &Kept), pairs: &[Paired]) -> PlanResult {
    let (base_model, base_reps) = base;
    let (model, reps) = alt;
    let base_plan = base_model.plan_cost();
    let base_net: Vec<f64> = escalation_costs(base_reps).iter().map(|c| c + base_plan).collect();
    let plan = model.plan_cost();
    let net: Vec<f64> = escalation_costs(reps).iter().map(|c| c + plan).collect();
    let rows = MEASURES
        .iter()
        .filter_map(|m| {
            let (base, alt, diff) = match m.source {
                Source::Kpi(metric) => {
                    let p = pairs
                        .iter()
                        .find(|p| p.key.metric == metric && p.key.pool.is_empty() && p.key.specialty.is_empty())?;
                    (p.base.mean, p.alt.mean, p.diff)
                }
                Source::PlanCost => {
                    let d: Vec<f64> = vec![plan - base_plan; reps.replications().min(base_reps.replications())];
                    (base_plan, plan, summarise(&d))
                }
                Source::NetCost => {
                    let d: Vec<f64> = net.iter().zip(&base_net).map(|(a, b)| a - b).collect();
                    (summarise(&base_net).mean, summarise(&net).mean, summarise(&d))
                }
            };
            Some(Row { measure: *m, base, alt, diff, verdict: Verdict::of(&diff, m.lower_is_better) })
        })
        .collect();
    PlanResult {
        name: model.name.clone(),
        description: model.plan.as_ref().map(|p| p.description.clone()).unwrap_or_default(),
        rows,
    }
}

/// The plans in the order they are reported: fewest 12-hour waits first, then lowest net cost.
pub fn rank(mut out: Vec<PlanResult>) -> Vec<PlanResult> {
    let key = |p: &PlanResult, s: Source| p.row(s).map_or(f64::INFINITY, |r| r.diff.mean);
    out.sort_by(|a, b| {
        let waits = Source::Kpi(Metric::WaitsOver12hFromDta);
        key(a, waits).total_cmp(&key(b, waits)).then(key(a, Source::NetCost).total_cmp(&key(b, Source::NetCost)))
    });
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diff(values: &[f64]) -> Summary {
        summarise(values)
    }

    /// The verdict reads the CI's side of 0, in the measure's direction.
    #[test]
    fn verdicts_read_the_ci_in_the_measures_direction() {
        let fall = diff(&[-5.0, -6.0, -4.0, -5.5]);
        let rise = diff(&[5.0, 6.0, 4.0, 5.5]);
        let either = diff(&[-5.0, 6.0, -4.0, 3.0]);
        assert_eq!(Verdict::of(&fall, true), Verdict::Better);
        assert_eq!(Verdict::of(&fall, false), Verdict::Worse);
        assert_eq!(Verdict::of(&rise, true), Verdict::Worse);
        assert_eq!(Verdict::of(&rise, false), Verdict::Better);
        assert_eq!(Verdict::of(&either, true), Verdict::NoClearDifference);
        assert_eq!(Verdict::of(&diff(&[0.0; 5]), true), Verdict::NoDifference);
        assert_eq!(Verdict::of(&diff(&[0.0]), true), Verdict::NoDifference);
        // A cost the same in every replication: its CI is the value itself.
        assert_eq!(Verdict::of(&diff(&[100.0; 5]), true), Verdict::Worse);
        // One replication of a nonzero difference: no interval, no verdict.
        assert_eq!(Verdict::of(&diff(&[-3.0]), true), Verdict::NoClearDifference);
        assert_eq!(Verdict::of(&diff(&[]), true), Verdict::NoClearDifference);
        // A CI that reaches 0 exactly does not exclude it: no clear difference.
        let touching = Summary { ci95_low: 0.0, ci95_high: 2.0, ..diff(&[0.5, 1.0, 1.5]) };
        assert_eq!(Verdict::of(&touching, true), Verdict::NoClearDifference);
        let touching = Summary { ci95_low: -2.0, ci95_high: 0.0, ..diff(&[-0.5, -1.0, -1.5]) };
        assert_eq!(Verdict::of(&touching, false), Verdict::NoClearDifference);
    }

    /// The ratio is shown only for a plan that clearly avoids 12-hour waits
    /// and costs more on net: otherwise it would mislead (a negative cost
    /// per wait, or a ratio for waits it may not avoid).
    #[test]
    fn net_cost_per_wait_avoided_only_when_it_reads_right() {
        let measure = |s: Source| *MEASURES.iter().find(|m| m.source == s).unwrap();
        let plan = |waits: &[f64], net: &[f64]| {
            let row = |s: Source, v: &[f64]| {
                let d = diff(v);
                Row { measure: measure(s), base: 0.0, alt: 0.0, diff: d, verdict: Verdict::of(&d, true) }
            };
            PlanResult {
                name: "p".into(),
                description: String::new(),
                rows: vec![row(Source::Kpi(Metric::WaitsOver12hFromDta), waits), row(Source::NetCost, net)],
            }
        };
        let fewer = [-100.0, -110.0, -90.0];
        assert_eq!(plan(&fewer, &[1000.0, 1100.0, 900.0]).net_cost_per_wait_avoided(), Some(10.0));
        assert_eq!(plan(&fewer, &[-1000.0, -1100.0, -900.0]).net_cost_per_wait_avoided(), None, "saves money too");
        assert_eq!(plan(&fewer, &[0.0, 0.0, 0.0]).net_cost_per_wait_avoided(), None, "costs nothing");
        assert_eq!(plan(&[-100.0, 50.0, 20.0], &[1000.0, 1100.0, 900.0]).net_cost_per_wait_avoided(), None, "unclear");
    }
}
