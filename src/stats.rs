//! Key performance indicators of one replication: what a run measures,
//! named by metric and scope (trust, pool or specialty). Summaries across
//! replications are [`crate::summary`] (one KPI) and [`crate::reduce`] (all).

use crate::engine::{Outcome, PoolOutcome};
pub use crate::metric::{Key, Metric, Scope};
use crate::model::{DAY, HOUR, Model};

/// The KPIs of one replication: scalar values, and daily series over the reported days.
#[derive(Debug, Clone, PartialEq)]
pub struct Kpis {
    /// Scalar KPIs in layout order: one value over the reported window each (NaN where undefined).
    pub scalar: Vec<(Key, f64)>,
    /// Daily series in layout order: one value per reported day each.
    pub daily: Vec<(Key, Vec<f64>)>,
    /// Per calendar month of the reported period (first month first).
    pub monthly: Vec<(Key, Vec<f64>)>,
    /// Events the engine processed in this replication.
    pub events: u64,
}

impl Kpis {
    /// A scalar KPI by metric and pool name (`None`: trust-wide).
    pub fn get(&self, model: &Model, metric: Metric, pool: Option<&str>) -> Option<f64> {
        let key = Key::new(metric, resolve_pool(model, pool)?);
        self.scalar.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// A scalar KPI of a specialty, by name.
    pub fn get_specialty(&self, model: &Model, metric: Metric, specialty: &str) -> Option<f64> {
        let j = model.specialties.iter().position(|s| s.name == specialty)?;
        let key = Key::new(metric, Scope::Specialty(j));
        self.scalar.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }

    /// A daily series by metric and pool name (`None`: trust-wide).
    pub fn daily(&self, model: &Model, metric: Metric, pool: Option<&str>) -> Option<&[f64]> {
        let key = Key::new(metric, resolve_pool(model, pool)?);
        self.daily.iter().find(|(k, _)| *k == key).map(|(_, v)| v.as_slice())
    }
}

fn resolve_pool(model: &Model, pool: Option<&str>) -> Option<Scope> {
    match pool {
        None => Some(Scope::Trust),
        Some(name) => model.pools.iter().position(|p| p.name == name).map(Scope::Pool),
    }
}

/// The `q` quantile, in minutes, of a histogram of whole minutes (the
/// smallest minute m with at least q of the values at or below m); NaN when
/// empty. Times past the last bin count as the last bin.
fn minutes_quantile(bins: &[u32], q: f64) -> f64 {
    let total: u64 = bins.iter().map(|&b| u64::from(b)).sum();
    if total == 0 {
        return f64::NAN;
    }
    let need = (q * total as f64).ceil().max(1.0) as u64;
    let mut seen = 0u64;
    for (m, &b) in bins.iter().enumerate() {
        seen += u64::from(b);
        if seen >= need {
            return m as f64;
        }
    }
    (bins.len() - 1) as f64
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
    let window = f64::from(out.window_seconds);
    // Trust (the last outcome entry) first, then pools.
    let order: Vec<(Scope, &PoolOutcome)> = std::iter::once((Scope::Trust, &out.pools[n_pools]))
        .chain(out.pools[..n_pools].iter().enumerate().map(|(i, p)| (Scope::Pool(i), p)))
        .collect();
    let mut scalar = Vec::new();
    let mut push_all = |metric: Metric, f: &dyn Fn(&PoolOutcome) -> f64| {
        for (scope, o) in &order {
            scalar.push((Key::new(metric, *scope), f(o)));
        }
    };
    let days = |o: &PoolOutcome| o.midnight.len() as f64;
    push_all(Metric::MidnightOccupancy, &|o| ratio(o.midnight.iter().map(|&x| f64::from(x)).sum(), days(o)));
    // Core beds of each day (integers: the sum is exact, and equals days x
    // beds when no dated change applies).
    let core_days = |o: &PoolOutcome| o.core_midnight.iter().map(|&x| f64::from(x)).sum::<f64>();
    push_all(Metric::BedOccupancyRate, &|o| ratio(o.midnight.iter().map(|&x| f64::from(x)).sum(), core_days(o)));
    push_all(Metric::TimeAverageOccupancy, &|o| o.occupancy_area as f64 / window);
    push_all(Metric::PeakOccupancy, &|o| f64::from(o.peak));
    // A shared escalation ward (no core beds: `beds` 0, which no pool has)
    // is "full" whenever it is closed and has no core beds to be 92% of:
    // both measures are undefined there, like its occupancy rate.
    let ward = |o: &PoolOutcome| o.beds == 0;
    push_all(Metric::ShareOfTimeFull, &|o| if ward(o) { f64::NAN } else { o.full_seconds as f64 / window });
    push_all(Metric::DaysOver92Pct, &|o| {
        if ward(o) {
            return f64::NAN;
        }
        o.midnight
            .iter()
            .zip(&o.core_midnight)
            .filter(|(x, c)| f64::from(**x) > OCCUPANCY_THRESHOLD * f64::from(**c))
            .count() as f64
    });
    push_all(Metric::BoardersTimeAverage, &|o| o.boarder_area as f64 / window);
    // Queue growth: waiting at the last reported 08:00 minus the first.
    push_all(Metric::BoardersGrowthPerDay, &|o| match (o.boarders_0800.first(), o.boarders_0800.last()) {
        (Some(&a), Some(&b)) if o.boarders_0800.len() > 1 => {
            (f64::from(b) - f64::from(a)) / (o.boarders_0800.len() - 1) as f64
        }
        _ => f64::NAN,
    });
    push_all(Metric::BedWaitHoursMean, &|o| ratio(o.wait_seconds as f64, o.waits as f64 * f64::from(HOUR)));
    push_all(Metric::WaitsOver12hFromDta, &|o| o.waits_over_12h as f64);
    push_all(Metric::BedRequests, &|o| o.bed_requests as f64);
    push_all(Metric::Diverted, &|o| o.diverted as f64);
    push_all(Metric::DivertedShare, &|o| ratio(o.diverted as f64, o.bed_requests as f64));
    // Window totals are the sums of the daily counts (not stored twice).
    let total = |v: &[u32]| v.iter().map(|&x| u64::from(x)).sum::<u64>() as f64;
    push_all(Metric::Admissions, &|o| total(&o.admissions_daily));
    push_all(Metric::Discharges, &|o| total(&o.discharges_daily));
    push_all(Metric::LengthOfStayDaysMean, &|o| {
        ratio(o.stay_seconds as f64, (total(&o.discharges_daily) - o.census_discharges as f64) * f64::from(DAY))
    });

    let outbreaks = model.has_outbreaks();
    let dated = outbreaks || model.has_dated_capacity();
    if dated {
        push_all(Metric::BedsClosedDays, &|o| {
            o.core_midnight.iter().map(|&c| f64::from(o.beds.saturating_sub(c))).sum()
        });
    }
    if outbreaks {
        push_all(Metric::InfectionClosureDays, &|o| o.infection_closed_seconds as f64 / f64::from(DAY));
    }
    let outlying = model.has_outlying();
    if outlying {
        push_all(Metric::OutliersOut, &|o| o.outliers_out as f64);
        push_all(Metric::OutliersIn, &|o| o.outliers_in as f64);
        push_all(Metric::OutlierBedDays, &|o| o.outlier_area as f64 / f64::from(DAY));
    }

    let mut daily = Vec::new();
    let series = |v: &[u32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    for (metric, f) in [
        (Metric::MidnightOccupancy, (|o: &PoolOutcome| &o.midnight) as fn(&PoolOutcome) -> &Vec<u32>),
        (Metric::Boarders0800, |o| &o.boarders_0800),
        (Metric::Admissions, |o| &o.admissions_daily),
        (Metric::Discharges, |o| &o.discharges_daily),
    ] {
        for (scope, o) in &order {
            daily.push((Key::new(metric, *scope), series(f(o))));
        }
    }
    if dated {
        for (scope, o) in &order {
            daily.push((Key::new(Metric::BedsOpen, *scope), series(&o.core_midnight)));
        }
    }
    if outlying {
        for (scope, o) in &order {
            daily.push((Key::new(Metric::OutliersMidnight, *scope), series(&o.outliers_midnight)));
        }
    }

    if let Some(ed) = &out.ed {
        let total = |v: &[u32]| v.iter().map(|&x| f64::from(x)).sum::<f64>();
        let trust = |metric| Key::new(metric, Scope::Trust);
        scalar.push((trust(Metric::EdAttendances), total(&ed.attendances)));
        scalar.push((trust(Metric::Ed4hPerformance), ratio(total(&ed.within_4h), total(&ed.attendances))));
        scalar.push((trust(Metric::EdOver12hFromArrival), total(&ed.over_12h)));
        daily.push((trust(Metric::EdAttendances), series(&ed.attendances)));
        daily.push((
            trust(Metric::Ed4hPerformance),
            ed.within_4h.iter().zip(&ed.attendances).map(|(&w, &a)| ratio(f64::from(w), f64::from(a))).collect(),
        ));
        daily.push((trust(Metric::EdOver12hFromArrival), series(&ed.over_12h)));
        if model.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
            let (admitted, admitted_4h) = (total(&ed.admitted), total(&ed.admitted_within_4h));
            let (all, all_4h) = (total(&ed.attendances), total(&ed.within_4h));
            scalar.push((trust(Metric::Ed4hPerformanceAdmitted), ratio(admitted_4h, admitted)));
            scalar.push((trust(Metric::Ed4hPerformanceNonAdmitted), ratio(all_4h - admitted_4h, all - admitted)));
            let hours = f64::from(HOUR);
            scalar.push((trust(Metric::Ed12hFromDta), f64::from(ed.over_12h_from_dta)));
            scalar.push((trust(Metric::EdOver12hFromArrivalShare), ratio(total(&ed.over_12h), all)));
            scalar.push((
                trust(Metric::EdTimeInDepartmentHoursP95),
                minutes_quantile(&ed.minutes_in_department, 0.95) / 60.0,
            ));
            if model.ed.as_ref().and_then(|e| e.capacity.as_ref()).is_some_and(|c| c.patience_hours.is_some()) {
                scalar.push((trust(Metric::LeftWithoutBeingSeen), f64::from(ed.left_without_being_seen)));
            }
            scalar.push((
                trust(Metric::EdTimeInDepartmentHoursMean),
                ratio(ed.seconds_in_department as f64, all * hours),
            ));
            scalar.push((
                trust(Metric::EdSpaceWaitHoursMean),
                ratio(ed.space_wait_seconds as f64, ed.space_waits as f64 * hours),
            ));
            scalar.push((trust(Metric::EdOccupancyPeak), f64::from(ed.occupancy_peak)));
            scalar.push((trust(Metric::EdBoardersTimeAverage), ed.boarder_seconds as f64 / window));
            scalar.push((trust(Metric::CorridorCarePatientHours), ed.corridor_seconds as f64 / hours));
            scalar.push((trust(Metric::AmbulanceHandoversOver30m), f64::from(ed.handovers_over_30m)));
            scalar.push((trust(Metric::AmbulanceHandoversOver60m), f64::from(ed.handovers_over_60m)));
            scalar.push((trust(Metric::AmbulanceHoursLost), ed.handover_seconds_lost as f64 / hours));
            daily.push((
                trust(Metric::Ed4hPerformanceAdmitted),
                ed.admitted_within_4h
                    .iter()
                    .zip(&ed.admitted)
                    .map(|(&w, &a)| ratio(f64::from(w), f64::from(a)))
                    .collect(),
            ));
            daily.push((
                trust(Metric::Ed4hPerformanceNonAdmitted),
                (0..ed.attendances.len())
                    .map(|d| {
                        let (n, w) = (ed.attendances[d] - ed.admitted[d], ed.within_4h[d] - ed.admitted_within_4h[d]);
                        ratio(f64::from(w), f64::from(n))
                    })
                    .collect(),
            ));
            daily.push((trust(Metric::EdPatients0800), series(&ed.in_department_0800)));
            daily.push((trust(Metric::EdPatientsMidnight), series(&ed.in_department_midnight)));
            daily.push((trust(Metric::EdBoarders0800), series(&ed.boarders_0800)));
            daily.push((trust(Metric::EdBoardersMidnight), series(&ed.boarders_midnight)));
        }
    }
    if !out.electives.is_empty() {
        elective_kpis(out, &mut scalar, &mut daily);
    }
    if !out.pools[n_pools].nctr_midnight.is_empty() {
        leaving_kpis(model, out, &order, &mut scalar, &mut daily);
    }
    let mut monthly = Vec::new();
    if model.pools.iter().any(|p| p.escalation.is_some()) {
        escalation_kpis(model, &order, &mut scalar, &mut daily, &mut monthly);
    }
    if !out.opel.is_empty() {
        let trust = |metric| Key::new(metric, Scope::Trust);
        for (level, metric) in
            [Metric::Opel1Days, Metric::Opel2Days, Metric::Opel3Days, Metric::Opel4Days].into_iter().enumerate()
        {
            scalar.push((trust(metric), out.opel.iter().filter(|&&l| l as usize == level + 1).count() as f64));
        }
        daily.push((trust(Metric::OpelLevel), out.opel.iter().map(|&l| f64::from(l)).collect()));
    }
    Kpis { scalar, daily, monthly, events: out.events }
}

/// NCTR, pathways, the hours and weekdays of discharges and the lounge
/// (with pathways or the profile discharge rules).
fn leaving_kpis(
    model: &Model,
    out: &Outcome,
    order: &[(Scope, &PoolOutcome)],
    scalar: &mut Vec<(Key, f64)>,
    daily: &mut Vec<(Key, Vec<f64>)>,
) {
    let day = f64::from(DAY);
    let mean = |v: &[u32]| ratio(v.iter().map(|&x| f64::from(x)).sum(), v.len() as f64);
    for (metric, f) in [
        (Metric::NctrPatientsMidnight, &(|o: &PoolOutcome| mean(&o.nctr_midnight)) as &dyn Fn(&PoolOutcome) -> f64),
        (Metric::NctrBedDays, &|o| o.nctr_area as f64 / day),
        (Metric::NctrShareOfOccupiedBeds, &|o| ratio(o.nctr_area as f64, o.occupancy_area as f64)),
    ] {
        for (scope, o) in order {
            scalar.push((Key::new(metric, *scope), f(o)));
        }
    }
    let series = |v: &[u32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    for (scope, o) in order {
        daily.push((Key::new(Metric::NctrPatients, *scope), series(&o.nctr_midnight)));
    }
    let trust = |metric| Key::new(metric, Scope::Trust);
    if !out.pathways.is_empty() {
        let all = &out.pools[model.pools.len()].nctr_midnight;
        let p0 = (0..all.len())
            .map(|d| f64::from(all[d]) - out.pathways.iter().map(|p| f64::from(p.nctr_midnight[d])).sum::<f64>())
            .collect();
        daily.push((trust(Metric::NctrPatientsP0), p0));
        let names = [
            (Metric::NctrPatientsP1, Metric::PathwayP1WaitDaysMean, Metric::PathwayP1QueuePeak),
            (Metric::NctrPatientsP2, Metric::PathwayP2WaitDaysMean, Metric::PathwayP2QueuePeak),
            (Metric::NctrPatientsP3, Metric::PathwayP3WaitDaysMean, Metric::PathwayP3QueuePeak),
        ];
        for p in &model.pathways {
            let (nctr, wait, peak) = names[p.index];
            let o = &out.pathways[p.index];
            daily.push((trust(nctr), series(&o.nctr_midnight)));
            scalar.push((trust(wait), ratio(o.wait_seconds as f64, o.starts as f64 * day)));
            scalar.push((trust(peak), f64::from(o.queue_peak)));
        }
    }
    let hours = &out.discharge_hours;
    let total: u64 = hours.iter().sum();
    let share = |r: std::ops::Range<usize>| ratio(hours[r].iter().sum::<u64>() as f64, total as f64);
    scalar.push((trust(Metric::DischargesBeforeNoonShare), share(0..12)));
    scalar.push((trust(Metric::DischargesOvernightShare), share(0..6) + share(23..24)));
    // Weekend days against weekdays, bank holidays apart (they sit between).
    let discharges = &out.pools[model.pools.len()].discharges_daily;
    let (mut we, mut wd) = ((0.0, 0.0), (0.0, 0.0));
    for (d, &n) in discharges.iter().enumerate() {
        let date = model.start + chrono::Days::new(d as u64);
        if model.calendar.is_bank_holiday(date) {
            continue;
        }
        let side = if crate::calendar::is_weekend(date) { &mut we } else { &mut wd };
        side.0 += f64::from(n);
        side.1 += 1.0;
    }
    scalar.push((trust(Metric::WeekendDischargesVsWeekday), ratio(ratio(we.0, we.1), ratio(wd.0, wd.1))));
    if model.lounge().is_some() {
        scalar.push((trust(Metric::LoungePatients), out.lounge_moves as f64));
        scalar.push((trust(Metric::LoungeChairHours), out.lounge_seconds as f64 / f64::from(HOUR)));
        for (scope, o) in order {
            scalar.push((Key::new(Metric::BedsFreeNoon, *scope), mean(&o.free_noon)));
            daily.push((Key::new(Metric::BedsFreeNoon, *scope), series(&o.free_noon)));
        }
    }
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
    order: &[(Scope, &PoolOutcome)],
    scalar: &mut Vec<(Key, f64)>,
    daily: &mut Vec<(Key, Vec<f64>)>,
    monthly: &mut Vec<(Key, Vec<f64>)>,
) {
    let day = f64::from(DAY);
    // Daily cost of one pool: open bed-days x rate + occupied bed-days x rate + openings x fixed.
    let pool_daily_cost = |i: usize, o: &PoolOutcome| -> Vec<f64> {
        let Some(e) = &model.pools[i].escalation else { return vec![0.0; o.midnight.len()] };
        (0..o.midnight.len())
            .map(|d| {
                o.escalation_open_daily[d] as f64 / day * e.cost.per_open_bed_day
                    + o.escalation_used_daily[d] as f64 / day * e.cost.per_occupied_bed_day
                    + f64::from(o.escalation_openings_daily[d]) * e.cost.per_opening
            })
            .collect()
    };
    let pools: Vec<(usize, &PoolOutcome)> = order.iter().filter_map(|(s, o)| s.pool().map(|i| (i, *o))).collect();
    debug_assert!(pools.iter().enumerate().all(|(k, (i, _))| k == *i), "pools in scenario order");
    let pool_costs: Vec<Vec<f64>> = pools.iter().map(|(i, o)| pool_daily_cost(*i, o)).collect();
    let days = order[0].1.midnight.len();
    let trust_cost: Vec<f64> = (0..days).map(|d| pool_costs.iter().map(|c| c[d]).sum()).collect();
    let cost_of = |scope: Scope| -> &Vec<f64> {
        match scope.pool() {
            None => &trust_cost,
            // `order` lists the pools 0..n in order after the trust, so pool i's
            // costs are pool_costs[i] (no fallback that could charge another pool).
            Some(i) => &pool_costs[i],
        }
    };
    let key = Key::new;
    for (metric, f) in [
        (
            Metric::EscalationBedsOpenDays,
            (|o: &PoolOutcome| o.escalation_open_seconds as f64) as fn(&PoolOutcome) -> f64,
        ),
        (Metric::EscalationBedsOccupiedDays, |o| o.escalation_used_seconds as f64),
    ] {
        for (pool, o) in order {
            scalar.push((key(metric, *pool), f(o) / day));
        }
    }
    for (pool, o) in order {
        scalar.push((key(Metric::EscalationOpenings, *pool), o.escalation_openings as f64));
    }
    // The sum of the daily costs: exactly open bed-days x rate + openings x fixed (+ occupied).
    for (pool, _) in order {
        scalar.push((key(Metric::EscalationCost, *pool), cost_of(*pool).iter().sum()));
    }
    for (pool, o) in order {
        daily.push((
            key(Metric::EscalationBedsOpen, *pool),
            o.escalation_open_midnight.iter().map(|&x| f64::from(x)).collect(),
        ));
        daily.push((
            key(Metric::EscalationBedDaysOpen, *pool),
            o.escalation_open_daily.iter().map(|&x| x as f64 / day).collect(),
        ));
        daily.push((
            key(Metric::EscalationBedDaysOccupied, *pool),
            o.escalation_used_daily.iter().map(|&x| x as f64 / day).collect(),
        ));
        daily.push((key(Metric::EscalationCost, *pool), cost_of(*pool).clone()));
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
        monthly.push((key(Metric::EscalationCost, *pool), by_month));
    }
}

/// Elective KPIs: all specialties (trust-wide rows), then each specialty.
fn elective_kpis(out: &Outcome, scalar: &mut Vec<(Key, f64)>, daily: &mut Vec<(Key, Vec<f64>)>) {
    use crate::engine::ElectiveOutcome;
    let n = out.electives.len() - 1;
    let order: Vec<(Scope, &ElectiveOutcome)> = std::iter::once((Scope::Trust, &out.electives[n]))
        .chain(out.electives[..n].iter().enumerate().map(|(j, e)| (Scope::Specialty(j), e)))
        .collect();
    let last = |v: &[u32]| v.last().map_or(f64::NAN, |&x| f64::from(x));
    type Measure<'a> = (Metric, &'a dyn Fn(&ElectiveOutcome) -> f64);
    let metrics: [Measure; 9] = [
        (Metric::ElectiveScheduled, &|e| e.scheduled as f64),
        (Metric::ElectiveTreated, &|e| e.treated as f64),
        (Metric::ElectiveCancelledNoBed, &|e| e.cancelled as f64),
        (Metric::ElectiveCancelledShare, &|e| ratio(e.cancelled as f64, e.scheduled as f64)),
        (Metric::TheatreUtilisation, &|e| ratio(e.treated as f64, e.slots as f64)),
        (Metric::WaitingListSize, &|e| last(&e.waiting_daily)),
        (Metric::WaitingUnder18WeeksShare, &|e| ratio(last(&e.under_18_weeks_daily), last(&e.waiting_daily))),
        (Metric::WaitingOver52Weeks, &|e| last(&e.over_52_weeks_daily)),
        (Metric::WaitingUrgent, &|e| last(&e.urgent_daily)),
    ];
    for (metric, f) in metrics {
        for (specialty, e) in &order {
            scalar.push((Key::new(metric, *specialty), f(e)));
        }
    }
    let series = |v: &[u32]| v.iter().map(|&x| f64::from(x)).collect::<Vec<f64>>();
    for (specialty, e) in &order {
        let key = |metric| Key::new(metric, *specialty);
        daily.push((key(Metric::ElectiveCancelledNoBed), series(&e.cancelled_daily)));
        // Rolling 7-day sums, so weekly totals have their own percentiles.
        let weekly = (0..e.cancelled_daily.len())
            .map(|d| e.cancelled_daily[d.saturating_sub(6)..=d].iter().map(|&x| f64::from(x)).sum())
            .collect();
        daily.push((key(Metric::ElectiveCancelled7Days), weekly));
        daily.push((key(Metric::WaitingListSize), series(&e.waiting_daily)));
        daily.push((
            key(Metric::WaitingUnder18WeeksShare),
            e.under_18_weeks_daily
                .iter()
                .zip(&e.waiting_daily)
                .map(|(&u, &w)| ratio(f64::from(u), f64::from(w)))
                .collect(),
        ));
        daily.push((key(Metric::WaitingOver52Weeks), series(&e.over_52_weeks_daily)));
        daily.push((key(Metric::WaitingUrgent), series(&e.urgent_daily)));
        if !e.over_65_weeks_daily.is_empty() {
            scalar.push((key(Metric::WaitingOver65Weeks), last(&e.over_65_weeks_daily)));
            scalar.push((key(Metric::ElectiveTreatedAfterTarget), e.treated_after_target as f64));
            daily.push((key(Metric::WaitingOver65Weeks), series(&e.over_65_weeks_daily)));
        }
    }
}
