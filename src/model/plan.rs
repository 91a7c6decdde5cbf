//! What a plan itself costs (`[plan]`): the price of the change a scenario
//! tests (20 more beds, a weekend discharge team), so `compare` can set it
//! against what the plan saves in escalation cost and show the net position.

use chrono::NaiveDate;

/// A plan's own cost, in GBP, before inflation or discounting. A negative
/// cost is a saving (a ward closed saves its staff).
#[derive(Debug, Clone, PartialEq)]
pub struct PlanCost {
    /// What the plan is, in a planner's words (shown by `compare`).
    pub description: String,
    /// Paid once (recruitment, equipment, a ward's fit-out).
    pub one_off_cost: f64,
    /// Paid every day from `from` to `to` (staff, a contract's daily rate).
    pub cost_per_day: f64,
    /// First day the daily cost is paid (default: the first reported day).
    pub from: NaiveDate,
    /// Last day the daily cost is paid (default: the last reported day).
    pub to: NaiveDate,
}

impl PlanCost {
    /// Days of the reported period on which the daily cost is paid.
    pub fn days_paid(&self, start: NaiveDate, end: NaiveDate) -> u32 {
        let (a, b) = (self.from.max(start), self.to.min(end));
        if b < a { 0 } else { (b - a).num_days() as u32 + 1 }
    }

    /// The plan's cost over the reported period: the one-off cost plus the
    /// daily cost on each day paid (days outside the reported period are
    /// not counted, as escalation cost is not).
    pub fn total(&self, start: NaiveDate, end: NaiveDate) -> f64 {
        self.one_off_cost + self.cost_per_day * f64::from(self.days_paid(start, end))
    }
}

impl super::Model {
    /// Whether the scenario has anything to cost (escalation beds or a
    /// `[plan]`): `run` and `compare` write a finance workbook for it.
    pub fn has_costs(&self) -> bool {
        self.pools.iter().any(|p| p.escalation.is_some()) || self.plan.is_some()
    }

    /// The plan's own cost over the reported period (0 without `[plan]`).
    pub fn plan_cost(&self) -> f64 {
        self.plan.as_ref().map_or(0.0, |p| p.total(self.start, self.end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// From 1 December to 31 March inside a 1 November to 31 March winter:
    /// 121 days paid (31 + 31 + 28 + 31), plus the one-off cost; a period
    /// reaching past the reported days is cut to them; one outside pays nothing daily.
    #[test]
    fn a_plan_pays_its_daily_cost_on_reported_days_only() {
        let p = |from, to| PlanCost {
            description: String::new(),
            one_off_cost: 5_000.0,
            cost_per_day: 100.0,
            from: d(from),
            to: d(to),
        };
        let (start, end) = (d("2026-11-01"), d("2027-03-31"));
        assert_eq!(p("2026-12-01", "2027-03-31").days_paid(start, end), 121);
        assert_eq!(p("2026-12-01", "2027-03-31").total(start, end), 5_000.0 + 12_100.0);
        assert_eq!(p("2026-10-01", "2027-06-30").days_paid(start, end), 151);
        assert_eq!(p("2027-04-01", "2027-06-30").total(start, end), 5_000.0);
        assert_eq!(p("2026-11-01", "2026-11-01").days_paid(start, end), 1);
    }
}
