//! Key performance indicators of one replication: what a run measures,
//! named by metric and scope (trust, pool or specialty). Summaries across
//! replications are [`crate::summary`] (one KPI) and [`crate::reduce`] (all).

use crate::engine::{Outcome, PoolOutcome};
use crate::model::{DAY, HOUR, Model};

/// A KPI's name and what it belongs to: a pool, a specialty, or (both
/// `None`) the whole trust.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key {
    pub metric: &'static str,
    pub pool: Option<usize>,
    pub specialty: Option<usize>,
}

/// The KPIs of one replication: scalar values, and daily series over the reported days.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpis {
    pub scalar: Vec<(Key, f64)>,
    pub daily: Vec<(Key, Vec<f64>)>,
    /// Per calendar month of the reported period (first month first).
    pub monthly: Vec<(Key, Vec<f64>)>,
    pub events: u64,
}

impl Kpis {
    /// A scalar KPI by metric name and pool name (`None`: trust-wide).
    pub fn get(&self, model: &Model, metric: &str, pool: Option<&str>) -> Option<f64> {
        let pool = resolve_pool(model, pool)?;
        self.scalar.iter().find(|(k, _)| k.metric == metric && k.pool == pool && k.specialty.is_none()).map(|(_, v)| *v)
    }

    /// A scalar KPI of a specialty, by name.
    pub fn get_specialty(&self, model: &Model, metric: &str, specialty: &str) -> Option<f64> {
        let j = model.specialties.iter().position(|s| s.name == specialty)?;
        self.scalar.iter().find(|(k, _)| k.metric == metric && k.specialty == Some(j)).map(|(_, v)| *v)
    }

    /// A daily series by metric name and pool name (`None`: trust-wide).
    pub fn daily(&self, model: &Model, metric: &str, pool: Option<&str>) -> Option<&[f64]> {
        let pool = resolve_pool(model, pool)?;
        self.daily
            .iter()
            .find(|(k, _)| k.metric == metric && k.pool == pool && k.specialty.is_none())
            .map(|(_, v)| v.as_slice())
    }
}

fn resolve_pool(model: &Model, pool: Option<&str>) -> Option<Option<usize>> {
    match pool {
        None => Some(None),
        Some(name) => model.pools.iter().position(|p| p.name == name).map(Some),
    }
}

/// Occupancy threshold of the NHS planning assumption (92% of G&A beds).
pub const OCCUPANCY_THRESHOLD: f64 = 0.92;

fn ratio(a: f64, b: f64) -> f64 {
    if b > 0.0 { a / b } else { f64::NAN }
}

/// Turns a replication's raw measurements into named KPIs. Trust-wide first,
/// then each pool in scenario order, metric by metric.
pub fn kpis(model: &Model, out: &Outcome) -> Kpis {
    let n_pools = model.pools.len();
    let window = out.window_seconds as f64;
    // Trust (the last outcome entry) first, then pools.
    let order: Vec<(Option<usize>, &PoolOutcome)> = std::iter::once((None, &out.pools[n_pools]))
        .chain(out.pools[..n_pools].iter().enumerate().map(|(i, p)| (Some(i), p)))
        .collect();
    let mut scalar = Vec::new();
    let mut push_all = |metric: &'static str, f: &dyn Fn(&PoolOutcome) -> f64| {
        for (pool, o) in &order {
            scalar.push((Key { metric, pool: *pool, specialty: None }, f(o)));
        }
    };
    let days = |o: &PoolOutcome| o.midnight.len() as f64;
    push_all("midnight_occupancy", &|o| ratio(o.midnight.iter().map(|&x| x as f64).sum(), days(o)));
    push_all("bed_occupancy_rate", &|o| ratio(o.midnight.iter().map(|&x| x as f64).sum(), days(o) * o.beds as f64));
    push_all("time_average_occupancy", &|o| o.occupancy_area as f64 / window);
    push_all("peak_occupancy", &|o| o.peak as f64);
    push_all("share_of_time_full", &|o| o.full_seconds as f64 / window);
    push_all("days_over_92pct", &|o| {
        o.midnight.iter().filter(|&&x| x as f64 > OCCUPANCY_THRESHOLD * o.beds as f64).count() as f64
    });
    push_all("boarders_time_average", &|o| o.boarder_area as f64 / window);
    // Queue growth: waiting at the last reported 08:00 minus the first.
    push_all("boarders_growth_per_day", &|o| match (o.boarders_0800.first(), o.boarders_0800.last()) {
        (Some(&a), Some(&b)) if o.boarders_0800.len() > 1 => (b as f64 - a as f64) / (o.boarders_0800.len() - 1) as f64,
        _ => f64::NAN,
    });
    push_all("bed_wait_hours_mean", &|o| ratio(o.wait_seconds as f64, o.waits as f64 * HOUR as f64));
    push_all("waits_over_12h_from_dta", &|o| o.waits_over_12h as f64);
    push_all("bed_requests", &|o| o.bed_requests as f64);
    push_all("diverted", &|o| o.diverted as f64);
    push_all("diverted_share", &|o| ratio(o.diverted as f64, o.bed_requests as f64));
    // Window totals are the sums of the daily counts (not stored twice).
    let total = |v: &[u32]| v.iter().map(|&x| x as u64).sum::<u64>() as f64;
    push_all("admissions", &|o| total(&o.admissions_daily));
    push_all("discharges", &|o| total(&o.discharges_daily));
    push_all("length_of_stay_days_mean", &|o| ratio(o.stay_seconds as f64, total(&o.discharges_daily) * DAY as f64));

    let mut daily = Vec::new();
    let series = |v: &[u32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    for (metric, f) in [
        ("midnight_occupancy", (|o: &PoolOutcome| &o.midnight) as fn(&PoolOutcome) -> &Vec<u32>),
        ("boarders_0800", |o| &o.boarders_0800),
        ("admissions", |o| &o.admissions_daily),
        ("discharges", |o| &o.discharges_daily),
    ] {
        for (pool, o) in &order {
            daily.push((Key { metric, pool: *pool, specialty: None }, series(f(o))));
        }
    }

    if let Some(ed) = &out.ed {
        let total = |v: &[u32]| v.iter().map(|&x| x as f64).sum::<f64>();
        let trust = |metric| Key { metric, pool: None, specialty: None };
        scalar.push((trust("ed_attendances"), total(&ed.attendances)));
        scalar.push((trust("ed_4h_performance"), ratio(total(&ed.within_4h), total(&ed.attendances))));
        scalar.push((trust("ed_over_12h_from_arrival"), total(&ed.over_12h)));
        daily.push((trust("ed_attendances"), series(&ed.attendances)));
        daily.push((
            trust("ed_4h_performance"),
            ed.within_4h.iter().zip(&ed.attendances).map(|(&w, &a)| ratio(w as f64, a as f64)).collect(),
        ));
        daily.push((trust("ed_over_12h_from_arrival"), series(&ed.over_12h)));
    }
    if !out.electives.is_empty() {
        elective_kpis(out, &mut scalar, &mut daily);
    }
    let mut monthly = Vec::new();
    if model.pools.iter().any(|p| p.escalation.is_some()) {
        escalation_kpis(model, &order, &mut scalar, &mut daily, &mut monthly);
    }
    if !out.opel.is_empty() {
        let trust = |metric| Key { metric, pool: None, specialty: None };
        for (level, metric) in ["opel_1_days", "opel_2_days", "opel_3_days", "opel_4_days"].into_iter().enumerate() {
            scalar.push((trust(metric), out.opel.iter().filter(|&&l| l as usize == level + 1).count() as f64));
        }
        daily.push((trust("opel_level"), out.opel.iter().map(|&l| l as f64).collect()));
    }
    Kpis { scalar, daily, monthly, events: out.events }
}

/// The KPIs a run of `model` reports (names, pools, specialties and series
/// lengths), with placeholder values: lets a command check a KPI name, or a
/// part file's layout, before simulating.
pub fn layout(model: &Model) -> Kpis {
    let plan = crate::engine::Plan::new(model);
    kpis(model, &crate::engine::Engine::blank(&plan))
}

/// Month boundaries of the reported period: (first day index, label "2026-11").
pub fn months(model: &Model) -> Vec<(usize, String)> {
    use chrono::Datelike;
    let mut out: Vec<(usize, String)> = Vec::new();
    for d in 0..model.reported_days() as usize {
        let date = model.start + chrono::Days::new(d as u64);
        if d == 0 || date.day() == 1 {
            out.push((d, date.format("%Y-%m").to_string()));
        }
    }
    out
}

/// Escalation KPIs and costs; the trust's cost is the sum of the pools'.
fn escalation_kpis(
    model: &Model,
    order: &[(Option<usize>, &PoolOutcome)],
    scalar: &mut Vec<(Key, f64)>,
    daily: &mut Vec<(Key, Vec<f64>)>,
    monthly: &mut Vec<(Key, Vec<f64>)>,
) {
    let day = DAY as f64;
    // Daily cost of one pool: open bed-days x rate + occupied bed-days x rate + openings x fixed.
    let pool_daily_cost = |i: usize, o: &PoolOutcome| -> Vec<f64> {
        let Some(e) = &model.pools[i].escalation else { return vec![0.0; o.midnight.len()] };
        (0..o.midnight.len())
            .map(|d| {
                o.escalation_open_daily[d] as f64 / day * e.cost.per_open_bed_day
                    + o.escalation_used_daily[d] as f64 / day * e.cost.per_occupied_bed_day
                    + o.escalation_openings_daily[d] as f64 * e.cost.per_opening
            })
            .collect()
    };
    let pools: Vec<(usize, &PoolOutcome)> = order.iter().filter_map(|(p, o)| p.map(|i| (i, *o))).collect();
    debug_assert!(pools.iter().enumerate().all(|(k, (i, _))| k == *i), "pools in scenario order");
    let pool_costs: Vec<Vec<f64>> = pools.iter().map(|(i, o)| pool_daily_cost(*i, o)).collect();
    let days = order[0].1.midnight.len();
    let trust_cost: Vec<f64> = (0..days).map(|d| pool_costs.iter().map(|c| c[d]).sum()).collect();
    let cost_of = |pool: Option<usize>| -> &Vec<f64> {
        match pool {
            None => &trust_cost,
            // `order` lists the pools 0..n in order after the trust, so pool i's
            // costs are pool_costs[i] (no fallback that could charge another pool).
            Some(i) => &pool_costs[i],
        }
    };
    let key = |metric, pool| Key { metric, pool, specialty: None };
    for (metric, f) in [
        ("escalation_beds_open_days", (|o: &PoolOutcome| o.escalation_open_seconds as f64) as fn(&PoolOutcome) -> f64),
        ("escalation_beds_occupied_days", |o| o.escalation_used_seconds as f64),
    ] {
        for (pool, o) in order {
            scalar.push((key(metric, *pool), f(o) / day));
        }
    }
    for (pool, o) in order {
        scalar.push((key("escalation_openings", *pool), o.escalation_openings as f64));
    }
    // The sum of the daily costs: exactly open bed-days x rate + openings x fixed (+ occupied).
    for (pool, _) in order {
        scalar.push((key("escalation_cost", *pool), cost_of(*pool).iter().sum()));
    }
    for (pool, o) in order {
        daily
            .push((key("escalation_beds_open", *pool), o.escalation_open_midnight.iter().map(|&x| x as f64).collect()));
        daily.push((
            key("escalation_bed_days_open", *pool),
            o.escalation_open_daily.iter().map(|&x| x as f64 / day).collect(),
        ));
        daily.push((
            key("escalation_bed_days_occupied", *pool),
            o.escalation_used_daily.iter().map(|&x| x as f64 / day).collect(),
        ));
        daily.push((key("escalation_cost", *pool), cost_of(*pool).clone()));
    }
    let bounds = months(model);
    for (pool, _) in order {
        let cost = cost_of(*pool);
        let by_month = bounds
            .iter()
            .enumerate()
            .map(|(m, (first, _))| {
                let last = bounds.get(m + 1).map_or(days, |(f, _)| *f);
                cost[*first..last].iter().sum()
            })
            .collect();
        monthly.push((key("escalation_cost", *pool), by_month));
    }
}

/// Elective KPIs: all specialties (trust-wide rows), then each specialty.
fn elective_kpis(out: &Outcome, scalar: &mut Vec<(Key, f64)>, daily: &mut Vec<(Key, Vec<f64>)>) {
    use crate::engine::ElectiveOutcome;
    let n = out.electives.len() - 1;
    let order: Vec<(Option<usize>, &ElectiveOutcome)> = std::iter::once((None, &out.electives[n]))
        .chain(out.electives[..n].iter().enumerate().map(|(j, e)| (Some(j), e)))
        .collect();
    let last = |v: &[u32]| v.last().map_or(f64::NAN, |&x| x as f64);
    type Measure<'a> = (&'static str, &'a dyn Fn(&ElectiveOutcome) -> f64);
    let metrics: [Measure; 9] = [
        ("elective_scheduled", &|e| e.scheduled as f64),
        ("elective_treated", &|e| e.treated as f64),
        ("elective_cancelled_no_bed", &|e| e.cancelled as f64),
        ("elective_cancelled_share", &|e| ratio(e.cancelled as f64, e.scheduled as f64)),
        ("theatre_utilisation", &|e| ratio(e.treated as f64, e.slots as f64)),
        ("waiting_list_size", &|e| last(&e.waiting_daily)),
        ("waiting_under_18_weeks_share", &|e| ratio(last(&e.under_18_weeks_daily), last(&e.waiting_daily))),
        ("waiting_over_52_weeks", &|e| last(&e.over_52_weeks_daily)),
        ("waiting_urgent", &|e| last(&e.urgent_daily)),
    ];
    for (metric, f) in metrics {
        for (specialty, e) in &order {
            scalar.push((Key { metric, pool: None, specialty: *specialty }, f(e)));
        }
    }
    let series = |v: &[u32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
    for (specialty, e) in &order {
        let key = |metric| Key { metric, pool: None, specialty: *specialty };
        daily.push((key("elective_cancelled_no_bed"), series(&e.cancelled_daily)));
        // Rolling 7-day sums, so weekly totals have their own percentiles.
        let weekly = (0..e.cancelled_daily.len())
            .map(|d| e.cancelled_daily[d.saturating_sub(6)..=d].iter().map(|&x| x as f64).sum())
            .collect();
        daily.push((key("elective_cancelled_7_days"), weekly));
        daily.push((key("waiting_list_size"), series(&e.waiting_daily)));
        daily.push((
            key("waiting_under_18_weeks_share"),
            e.under_18_weeks_daily.iter().zip(&e.waiting_daily).map(|(&u, &w)| ratio(u as f64, w as f64)).collect(),
        ));
        daily.push((key("waiting_over_52_weeks"), series(&e.over_52_weeks_daily)));
        daily.push((key("waiting_urgent"), series(&e.urgent_daily)));
    }
}
