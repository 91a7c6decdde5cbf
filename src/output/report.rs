//! `report.html`: one self-contained page (inline CSS and SVG, no scripts, no
//! network) that a planning group reads on a laptop or prints for a board paper.
//!
//! The report is a pure function of the scenario, the summaries and the
//! deterministic run facts, so it is byte-identical between identical runs
//! (wall time and thread count are left to `run.json`). It ends with the
//! model's assumptions echoed back in the STRESS-DES reporting structure
//! (objectives, logic, inputs, outputs, experimentation, implementation).

use super::RunInfo;
use crate::dist::Distribution;
use crate::model::{ArrivalProcess, DischargePolicy, Model, RouteSource, WhenFull};
use crate::reduce::Summaries;
use crate::stats::{Metric, Scope};
use crate::summary::Summary;
use maud::{DOCTYPE, Markup, PreEscaped, html};

/// How each KPI is shown: its label and decimals (shares, known to the metric itself, as percentages).
struct MetricView {
    metric: Metric,
    label: &'static str,
    decimals: usize,
}

const METRICS: &[MetricView] = &[
    MetricView { metric: Metric::MidnightOccupancy, label: "Beds occupied at midnight (mean of days)", decimals: 1 },
    MetricView { metric: Metric::BedOccupancyRate, label: "Midnight bed occupancy", decimals: 1 },
    MetricView { metric: Metric::TimeAverageOccupancy, label: "Beds occupied, time average", decimals: 1 },
    MetricView { metric: Metric::PeakOccupancy, label: "Peak beds occupied", decimals: 0 },
    MetricView { metric: Metric::ShareOfTimeFull, label: "Time with every bed full", decimals: 1 },
    MetricView { metric: Metric::DaysOver92Pct, label: "Days over 92% occupied (midnight)", decimals: 1 },
    MetricView { metric: Metric::BoardersTimeAverage, label: "Patients waiting for a bed, time average", decimals: 1 },
    MetricView { metric: Metric::BedWaitHoursMean, label: "Mean wait for a bed after DTA (hours)", decimals: 2 },
    MetricView {
        metric: Metric::WaitsOver12hFromDta,
        label: "Bed waits over 12 hours from DTA (every route)",
        decimals: 0,
    },
    MetricView { metric: Metric::Diverted, label: "Patients diverted", decimals: 0 },
    MetricView { metric: Metric::Admissions, label: "Admissions", decimals: 0 },
    MetricView { metric: Metric::Discharges, label: "Discharges", decimals: 0 },
    MetricView { metric: Metric::LengthOfStayDaysMean, label: "Mean length of stay (days)", decimals: 2 },
    MetricView { metric: Metric::OutliersOut, label: "Patients given a bed in another pool (outliers)", decimals: 0 },
    MetricView { metric: Metric::OutliersIn, label: "Other pools' patients given a bed here", decimals: 0 },
    MetricView { metric: Metric::OutlierBedDays, label: "Bed-days used by other pools' patients", decimals: 0 },
    MetricView {
        metric: Metric::BedsClosedDays,
        label: "Core bed-days closed (dated changes, outbreaks)",
        decimals: 0,
    },
    MetricView { metric: Metric::InfectionClosureDays, label: "Core bed-days closed by outbreaks", decimals: 0 },
    MetricView { metric: Metric::EdAttendances, label: "ED attendances", decimals: 0 },
    MetricView { metric: Metric::Ed4hPerformance, label: "ED 4-hour performance", decimals: 1 },
    MetricView { metric: Metric::EdOver12hFromArrival, label: "ED stays over 12 hours from arrival", decimals: 0 },
    MetricView { metric: Metric::Ed4hPerformanceAdmitted, label: "ED 4-hour performance, admitted", decimals: 1 },
    MetricView {
        metric: Metric::Ed4hPerformanceNonAdmitted,
        label: "ED 4-hour performance, not admitted",
        decimals: 1,
    },
    MetricView {
        metric: Metric::Ed12hFromDta,
        label: "ED 12-hour waits from decision to admit (NHS trolley waits)",
        decimals: 0,
    },
    MetricView { metric: Metric::LeftWithoutBeingSeen, label: "Left ED without being seen", decimals: 0 },
    MetricView { metric: Metric::EdTimeInDepartmentHoursMean, label: "Mean time in ED (hours)", decimals: 2 },
    MetricView { metric: Metric::EdSpaceWaitHoursMean, label: "Mean wait for an ED space (hours)", decimals: 2 },
    MetricView { metric: Metric::EdOccupancyPeak, label: "Peak patients in ED spaces and corridor", decimals: 0 },
    MetricView {
        metric: Metric::EdBoardersTimeAverage,
        label: "Admitted patients waiting in ED for a bed, time average",
        decimals: 1,
    },
    MetricView { metric: Metric::CorridorCarePatientHours, label: "Corridor care (patient-hours)", decimals: 0 },
    MetricView { metric: Metric::AmbulanceHandoversOver30m, label: "Ambulance handovers over 30 minutes", decimals: 0 },
    MetricView { metric: Metric::AmbulanceHandoversOver60m, label: "Ambulance handovers over 60 minutes", decimals: 0 },
    MetricView { metric: Metric::AmbulanceHoursLost, label: "Ambulance hours lost (beyond 15 minutes)", decimals: 0 },
];

/// An en dash for a value that is undefined (no replication had one).
fn dash() -> Markup {
    PreEscaped("&ndash;".into())
}

/// A KPI value as the table shows it: a percentage for shares, thousands
/// grouped for counts, a dash when undefined.
fn fmt(v: &MetricView, x: f64) -> Markup {
    if !x.is_finite() {
        return dash();
    }
    let text = if v.metric.is_share() {
        format!("{}%", fixed(100.0 * x, v.decimals))
    } else {
        group_thousands(&fixed(x, v.decimals))
    };
    html! { (text) }
}

/// `x` to `decimals` places, without the minus sign of a value that rounds
/// to zero ("-0.0" reads as a loss where there is none).
fn fixed(x: f64, decimals: usize) -> String {
    let s = format!("{x:.decimals$}");
    match s.strip_prefix('-') {
        Some(rest) if rest.chars().all(|c| c == '0' || c == '.') => rest.to_string(),
        _ => s,
    }
}

/// 12345.6 -> "12,345.6" so counts read easily.
fn group_thousands(s: &str) -> String {
    let (sign, rest) = s.strip_prefix('-').map_or(("", s), |r| ("-", r));
    let (int, frac) = rest.split_once('.').map_or((rest, None), |(i, f)| (i, Some(f)));
    let mut out = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    match frac {
        Some(f) => format!("{sign}{out}.{f}"),
        None => format!("{sign}{out}"),
    }
}

/// Pounds, thousands grouped (`&pound;12,345`), or a dash when undefined.
fn money(x: f64) -> Markup {
    if !x.is_finite() {
        return dash();
    }
    html! { (PreEscaped("&pound;")) (group_thousands(&format!("{x:.0}"))) }
}

/// The KPI table: one row per metric and pool, mean with 95% CI and P10/P50/P90.
pub fn kpi_table(model: &Model, sums: &Summaries) -> String {
    kpi_markup(model, sums).into_string()
}

fn kpi_markup(model: &Model, sums: &Summaries) -> Markup {
    html! {
        table class="kpi" { "\n"
            thead { tr { th { "Measure" } th { "Where" } th { "Mean" } th { "95% CI of the mean" } th { "P10" } th { "P50" } th { "P90" } } } "\n"
            tbody { "\n"
                @for v in METRICS {
                    // Trust row, then pools, then specialties (whichever the metric has).
                    @for (summary, place, trust) in kpi_rows(model, sums, v.metric) {
                        @if let Some(s) = summary {
                            // A t interval can stray outside 0..100% for a share, or below zero for a
                            // count or a time; show it clipped to the values the measure can take.
                            @let lo = if v.metric.can_be_negative() { s.ci95_low } else { s.ci95_low.max(0.0) };
                            @let hi = if v.metric.is_share() { s.ci95_high.min(1.0) } else { s.ci95_high };
                            tr class=[trust.then_some("trust")] {
                                td { @if trust { (v.label) } }
                                td { (place) }
                                td { (fmt(v, s.mean)) }
                                td { @if s.ci95_low.is_finite() { (fmt(v, lo)) " to " (fmt(v, hi)) } @else { (dash()) } }
                                td { (fmt(v, s.p10)) }
                                td { (fmt(v, s.p50)) }
                                td { (fmt(v, s.p90)) }
                            } "\n"
                        }
                    }
                }
            } "\n"
        } "\n"
    }
}

/// The rows of one metric: (summary, where, is the trust row). Escalation
/// rows only for pools that can escalate.
fn kpi_rows<'a>(model: &'a Model, sums: &'a Summaries, metric: Metric) -> Vec<(Option<&'a Summary>, &'a str, bool)> {
    let mut rows = vec![(sums.get(metric, None), "Trust", true)];
    for (i, p) in model.pools.iter().enumerate() {
        if metric.is_escalation() && p.escalation.is_none() {
            continue;
        }
        rows.push((sums.get(metric, Some(i)), p.name.as_str(), false));
    }
    for (j, s) in model.specialties.iter().enumerate() {
        rows.push((sums.get_specialty(metric, j), s.name.as_str(), false));
    }
    rows
}

const CSS: &str = r#"
:root { --blue: #005eb8; --dark: #003087; --grey: #425563; --pale: #e8edee; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", Arial, Helvetica, sans-serif; color: #212b32; margin: 0 auto; max-width: 1180px; padding: 24px 28px 60px; line-height: 1.45; }
header { border-bottom: 4px solid var(--blue); margin-bottom: 18px; }
h1 { color: var(--dark); font-size: 1.9em; margin: 0 0 4px; }
h2 { color: var(--dark); border-bottom: 1px solid #d8dde0; padding-bottom: 4px; margin-top: 34px; }
h3 { color: var(--grey); margin-bottom: 6px; }
.sub { color: var(--grey); margin: 0 0 12px; }
.facts, .kpi, .inputs { border-collapse: collapse; width: 100%; font-size: 0.92em; }
.facts td, .facts th, .kpi td, .kpi th, .inputs td, .inputs th { border-bottom: 1px solid #d8dde0; padding: 5px 8px; text-align: left; vertical-align: top; }
.kpi td:nth-child(n+3), .kpi th:nth-child(n+3) { text-align: right; white-space: nowrap; }
.kpi tr.trust td { border-top: 2px solid #aeb7bd; font-weight: bold; }
.kpi tr.trust td:nth-child(n+3) { font-weight: bold; }
.facts th { width: 28%; color: var(--grey); font-weight: normal; }
.headline { display: flex; flex-wrap: wrap; gap: 12px; margin: 10px 0 6px; }
.card { flex: 1 1 200px; background: var(--pale); border-left: 6px solid var(--blue); padding: 10px 14px; }
.card .value { font-size: 1.7em; font-weight: bold; color: var(--dark); }
.card .label { color: var(--grey); font-size: 0.9em; }
figure { margin: 18px 0 28px; }
figure svg { width: 100%; height: auto; border: 1px solid #e0e4e6; }
figcaption { color: var(--grey); font-size: 0.92em; margin-top: 6px; }
.note { color: var(--grey); font-size: 0.9em; }
code { background: var(--pale); padding: 0 3px; }
@media print {
  body { max-width: none; padding: 0; font-size: 10pt; }
  h2 { page-break-after: avoid; }
  figure, table { page-break-inside: avoid; }
  figure svg { border: none; }
}
"#;

fn card(value: Markup, label: &str) -> Markup {
    html! { div class="card" { div class="value" { (value) } div class="label" { (label) } } }
}

fn headline(model: &Model, sums: &Summaries) -> Markup {
    let get = |m: Metric| sums.get(m, None).copied();
    let view = |m: Metric| METRICS.iter().find(|v| v.metric == m);
    let beds: u32 = model.pools.iter().map(|p| p.beds).sum();
    let mut cards: Vec<(Metric, String)> = vec![
        (Metric::BedOccupancyRate, format!("mean midnight occupancy of {beds} core beds")),
        (Metric::DaysOver92Pct, "days over 92% occupied (of the period)".into()),
    ];
    if model.ed.is_some() {
        cards.push((Metric::Ed4hPerformance, "of ED attendances within 4 hours".into()));
        cards.push((Metric::EdOver12hFromArrival, "ED stays over 12 hours".into()));
    }
    // The NHS trolley-wait count (ED patients only) where the model has it.
    if model.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
        cards.push((Metric::Ed12hFromDta, "ED waits over 12 hours from decision to admit".into()));
    } else {
        cards.push((Metric::WaitsOver12hFromDta, "waits over 12 hours from decision to admit".into()));
    }
    let thousands = |x: f64| html! { (PreEscaped("&pound;")) (group_thousands(&format!("{:.0}", x / 1000.0))) "k" };
    html! {
        div class="headline" {
            @for (metric, label) in &cards {
                @if let (Some(s), Some(v)) = (get(*metric), view(*metric)) {
                    (card(fmt(v, s.mean), label))
                }
            }
            @if let Some(s) = get(Metric::EscalationCost) {
                (card(html! { (thousands(s.p50)) " / " (thousands(s.p90)) }, "escalation cost, P50 / P90"))
            }
        } "\n"
    }
}

fn describe_profile(p: &crate::model::TimeProfile) -> String {
    let flat_hours = p.hour_share.iter().all(|s| (s - 1.0 / 24.0).abs() < 1e-12);
    let flat_days = p.day_multiplier.iter().all(|m| (m - 1.0).abs() < 1e-12);
    let mut parts = Vec::new();
    if flat_hours {
        parts.push("flat through the day".to_string());
    } else {
        let (peak, _) = p.hour_share.iter().enumerate().fold((0, 0.0), |b, (h, &s)| if s > b.1 { (h, s) } else { b });
        parts.push(format!("hour-of-day profile peaking {peak:02}:00-{:02}:00", peak + 1));
    }
    if flat_days {
        parts.push("the same every weekday".to_string());
    } else {
        let names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
        let list: Vec<String> = names.iter().zip(p.day_multiplier).map(|(n, m)| format!("{n} {m:.2}")).collect();
        parts.push(format!("weekday multipliers {}", list.join(", ")));
    }
    if (p.bank_holiday_factor - 1.0).abs() > 1e-12 {
        parts.push(format!("x{} on bank holidays", p.bank_holiday_factor));
    }
    parts.join("; ")
}

fn describe(d: &Distribution) -> String {
    format!("{} (mean {:.2}, sd {:.2})", d.describe(), d.mean(), d.variance().sqrt())
}

/// Escalation cost by calendar month (trust-wide), if any pool escalates.
fn monthly_cost(model: &Model, sums: &Summaries) -> Markup {
    let Some((_, by_month)) =
        sums.monthly.iter().find(|(k, _)| k.metric == Metric::EscalationCost && k.scope == Scope::Trust)
    else {
        return html! {};
    };
    html! {
        h3 { "Escalation cost by month (trust)" } "\n"
        table class="kpi" {
            thead { tr { th { "Month" } th {} th { "Mean" } th { "95% CI of the mean" } th { "P10" } th { "P50" } th { "P90" } } }
            tbody { "\n"
                @for ((_, label), s) in crate::stats::months(model).iter().zip(by_month) {
                    tr {
                        td { (label) } td {}
                        td { (money(s.mean)) }
                        td { (money(s.ci95_low)) " to " (money(s.ci95_high)) }
                        td { (money(s.p10)) } td { (money(s.p50)) } td { (money(s.p90)) }
                    } "\n"
                }
            }
        } "\n"
        p class="note" { "Detailed costs and assumptions: " code { "finance.xlsx" } "." } "\n"
    }
}

/// The inputs: ED, seasonality, routes, pools.
fn inputs(model: &Model) -> Markup {
    html! {
        h3 { "3. Inputs" } "\n"
        @if let Some(ed) = &model.ed {
            table class="inputs" {
                tr { th { "ED attendances" } td { (ed.attendances_per_day) " a day on average; "
                    @match ed.arrivals {
                        ArrivalProcess::Poisson => (describe_profile(&ed.profile)),
                        ArrivalProcess::Regular => "evenly spaced",
                    } } } "\n"
                tr { th { "Admitted" } td { (format!("{:.1}", 100.0 * ed.admission_probability)) "% of attendances" } } "\n"
                tr {
                    th { @if ed.capacity.is_some() { "Treatment space to decision to admit" } @else { "Arrival to decision to admit" } }
                    td { (describe(&ed.hours_to_decision)) " hours" }
                } "\n"
                tr {
                    th { @if ed.capacity.is_some() { "Time in a treatment space if not admitted" } @else { "Time in ED if not admitted" } }
                    td { (describe(&ed.hours_in_department)) " hours" }
                }
                @if let Some(c) = &ed.capacity {
                    "\n"
                    tr {
                        th { "ED capacity" }
                        td {
                            (c.spaces) " treatment spaces, " (c.corridor_spaces) " corridor places for admitted patients waiting for a bed; "
                            (fixed(100.0 * c.ambulance_share, 0)) "% of attendances by ambulance, handed over before walk-ins"
                            @if let Some(m) = &c.minors {
                                "; " (m.spaces) " minors spaces for " (fixed(100.0 * m.share, 0)) "% of the walk-ins not admitted"
                            }
                            @if let Some(d) = &c.patience_hours {
                                "; walk-ins leave unseen after " (describe(d)) " hours of waiting"
                            }
                            @if let Some(r) = &c.clinicians {
                                "; clinicians on duty by hour from 00:00: "
                                (r.on_duty.iter().map(u32::to_string).collect::<Vec<_>>().join(", "))
                                ", " (describe(&r.minutes)) " minutes per patient"
                            }
                        }
                    }
                }
            } "\n"
        } @else {
            p { "No emergency department is modelled: all demand is direct admissions." } "\n"
        }
        @if !model.seasonality.is_empty() {
            p { "Seasonality (multiplies all emergency demand; overlapping ranges multiply):" } "\n"
            table class="inputs" {
                tr { th { "From" } th { "To" } th { "Factor" } } "\n"
                @for s in &model.seasonality {
                    tr { td { (s.from.format("%-d %b %Y")) } td { (s.to.format("%-d %b %Y")) } td { (s.factor) } } "\n"
                }
            } "\n"
        }
        p { "Admission routes:" } "\n"
        table class="inputs" {
            tr { th { "Route" } th { "Source" } th { "Pool" } th { "Length of stay (days)" } } "\n"
            @for r in &model.routes {
                @let source = match &r.source {
                    RouteSource::Ed { share } => format!("{:.1}% of ED admissions", 100.0 * share),
                    RouteSource::Direct { per_day, profile, process } => match process {
                        ArrivalProcess::Poisson => format!("direct, {per_day} a day (Poisson); {}", describe_profile(profile)),
                        ArrivalProcess::Regular => format!("direct, {per_day} a day, evenly spaced"),
                    },
                };
                tr { td { (r.name) } td { (source) } td { (model.pools[r.pool].name) } td { (describe(&r.stay_days)) } } "\n"
            }
        } "\n"
        p { "Bed pools (offered load = admissions a day x mean stay, before seasonality and discharge delays):" } "\n"
        table class="inputs" {
            tr { th { "Pool" } th { "Core beds" } th { "When full" } th { "Offered load (beds)" } } "\n"
            @for (i, p) in model.pools.iter().enumerate() {
                @let when = match p.when_full {
                    WhenFull::Queue => "queue (board in ED)",
                    WhenFull::Divert => "divert",
                };
                tr { td { (p.name) } td { (p.beds) } td { (when) } td { (fixed(model.offered_load(i), 1)) } } "\n"
            }
        } "\n"
        (bed_changes(model))
    }
}

/// Outlying, dated bed changes and outbreaks, pool by pool (only those a
/// scenario uses), and the census the run started from.
fn bed_changes(model: &Model) -> Markup {
    let name = |i: usize| model.pools[i].name.as_str();
    html! {
        @for (i, p) in model.pools.iter().enumerate().filter(|(_, p)| !p.is_escalation_ward()) {
            @let to: Vec<&str> = p.outlie_to.iter().map(|&i| name(i)).collect();
            @let host = model.pools.iter().any(|q| q.outlie_to.contains(&i));
            @if !to.is_empty() {
                p {
                    strong { "Outlying: " (p.name) "." }
                    " When none of its beds is free, its patients take a bed in " (to.join(", then "))
                    " (where more beds are free than the host keeps for its own patients); they stay there until discharge, for "
                    (format!("{:.2}", p.outlier_stay_factor)) " times their stay (not in an escalation ward)."
                    @if p.keep_for_own_patients > 0 { " It keeps " (p.keep_for_own_patients) " beds for its own patients." }
                } "\n"
            }
            @if to.is_empty() && host && p.keep_for_own_patients > 0 {
                p { strong { "Outlying: " (p.name) "." } " Keeps " (p.keep_for_own_patients) " beds for its own patients." } "\n"
            }
            @for c in &p.capacity {
                p {
                    strong { "Beds by date: " (p.name) "." }
                    " " (c.beds) " core beds from " (c.from.format("%-d %b %Y"))
                    @if let Some(t) = c.to { " to " (t.format("%-d %b %Y")) } @else { " to the end of the run" }
                    " (otherwise " (p.beds) "); beds close as their patients leave."
                } "\n"
            }
            @if let Some(o) = &p.outbreaks {
                p {
                    strong { "Infection-control closures: " (p.name) "." }
                    " An outbreak starts with a " (format!("{:.0}%", 100.0 * o.chance_per_week)) " chance a week (none running), closing "
                    (o.beds) " core beds for " (describe(&o.days)) " days."
                } "\n"
            }
        }
        @if let Some(c) = &model.census {
            p {
                strong { "Starting census." }
                " " (c.patients.iter().filter(|p| !p.waiting).count()) " patients in beds and "
                (c.patients.iter().filter(|p| p.waiting).count()) " waiting for one at 00:00 on "
                (model.date_of_day(0).format("%-d %b %Y")) ", from " (c.file) "; remaining stays drawn given the days already spent unless an expected discharge is given."
                @if !c.waiting_list.is_empty() { " " (c.waiting_list.len()) " patients on elective waiting lists, with their referral dates." }
            } "\n"
        }
    }
}

/// Escalation rules of each pool that has them, and the OPEL rules.
fn escalation_rules(model: &Model) -> Markup {
    html! {
        @for p in &model.pools {
            @if let Some(e) = &p.escalation {
                @let hours: Vec<String> = e.review_hours.iter().map(|h| format!("{h:02}:00")).collect();
                @let windows: Vec<String> = e.windows.iter().map(|(a, b)| format!("{} to {}", a.format("%-d %b %Y"), b.format("%-d %b %Y"))).collect();
                p {
                    strong { "Escalation: " (p.name) "." }
                    @if p.is_escalation_ward() {
                        @let served: Vec<&str> = p.serves.iter().map(|&i| model.pools[i].name.as_str()).collect();
                        " A shared escalation ward for " (served.join(", ")) " (occupancy and patients waiting of those pools together; no core beds)."
                    }
                    " Up to " (e.max_beds) " beds" @if !p.is_escalation_ward() { " above the " (p.beds) " core beds" } ", " (e.beds_per_step)
                    " at a time, opened at bed meetings (" (hours.join(", ")) ") when occupancy of core beds is at least "
                    (format!("{:.0}", 100.0 * e.open_at_occupancy)) "%"
                    @if let Some(b) = e.open_at_boarders { " or at least " (b) " patients wait for a bed" }
                    @if !windows.is_empty() { ", only " (windows.join("; ")) }
                    "; a step closes at a meeting once occupancy is below " (format!("{:.0}", 100.0 * e.close_below_occupancy))
                    "%, its beds are empty and it has been at least " (e.min_days_open) " days since the last opening. Cost: "
                    (e.cost.basis) "; plus GBP " (e.cost.per_occupied_bed_day) " per occupied escalation bed-day and GBP "
                    (e.cost.per_opening) " per opening."
                } "\n"
            }
        }
        @if let Some(o) = &model.opel {
            @let pct = |x: f64| format!("{:.0}%", 100.0 * x);
            p {
                strong { "OPEL." }
                " Each day's level is 1 plus the highest band reached at the 08:00 census by trust occupancy of core beds (levels 2/3/4 from "
                (pct(o.occupancy[0])) " / " (pct(o.occupancy[1])) " / " (pct(o.occupancy[2]))
                "), patients waiting for a bed (" (o.boarders[0]) " / " (o.boarders[1]) " / " (o.boarders[2])
                ") and patients waiting over 12 hours since a decision to admit ("
                (o.waits_over_12h[0]) " / " (o.waits_over_12h[1]) " / " (o.waits_over_12h[2]) ")."
            } "\n"
        }
    }
}

/// The model description, STRESS-DES style.
fn assumptions(model: &Model, info: &RunInfo) -> Markup {
    let discharge = match model.discharge {
        DischargePolicy::OnReady => "Patients leave the moment their stay ends.".to_string(),
        DischargePolicy::DailyWindow { open_hour, close_hour, weekend_factor, bank_holiday_factor } => format!(
            "Discharges happen between {open_hour:02}:00 and {close_hour:02}:00. A patient whose stay ends inside the window leaves at once; one whose stay ends outside it leaves during the next window. On Saturdays and Sundays a ready patient goes with probability {weekend_factor}, on bank holidays with probability {bank_holiday_factor}; otherwise they are considered again the next day."
        ),
    };
    let holidays: Vec<String> = model
        .calendar
        .holidays
        .iter()
        .filter(|d| d.date >= model.start && d.date <= model.end)
        .map(|d| format!("{} ({})", d.date.format("%a %-d %b %Y"), d.title))
        .collect();
    let extra = model.calendar.holidays.iter().any(|d| d.title == "Extra holiday");
    html! {
        h2 { "Model description and assumptions" } "\n"
        p class="note" { "Structured after the STRESS-DES guidelines for reporting discrete-event simulations." } "\n"
        h3 { "1. Objectives" } "\n"
        p { "Estimate bed occupancy, waits for a bed, ED 4-hour and 12-hour performance and diversions for the bed model below over the reported period, with their uncertainty across simulated replications of the same period." } "\n"
        h3 { "2. Logic" } "\n"
        p { "Patients arrive at the emergency department or directly to a bed pool. A share of ED attendances is admitted: after the time to a decision to admit (DTA) they ask their route's pool for a bed. A free bed is taken at once; otherwise the patient waits in the pool's first-come-first-served queue (boarding in ED), or is diverted if the pool diverts when full. Each patient's length of stay is drawn on arrival; when it ends the patient is discharged according to the discharge policy, and a freed bed goes to the first patient waiting. At the same instant a discharge happens before a bed request, and bed requests before arrivals." } "\n"
        @if model.ed.as_ref().is_some_and(|e| e.capacity.is_some()) {
            p { "The emergency department has a limited number of treatment spaces. Every attendance waits for one (ambulance arrivals are handed over before walk-ins; walk-ins streamed to minors wait for a minors space), and the time to a decision, or to leaving for patients not admitted, runs from getting the space. An admitted patient without a bed keeps the space (exit block), so everyone else waits longer; when someone is waiting for a space and a corridor place is free, the admitted patient who has waited longest in a space moves to the corridor. Leaving ED for a bed stops the 4-hour clock; the corridor does not. Not modelled: triage beyond ambulance and walk-in, transfer time to the ward; clinicians only where the inputs give a rota." }
            @if model.ed.as_ref().and_then(|e| e.capacity.as_ref()).is_some_and(|c| c.patience_hours.is_some()) {
                p { "Walk-ins who will not be admitted leave without being seen if their patience (below) runs out before they get a space." }
            }
            "\n"
        }
        (inputs(model))
        (escalation_rules(model))
        p { strong { "Discharge." } " " (discharge) } "\n"
        p {
            strong { "Calendar." } " Bank holidays: " (model.calendar.region.name()) " built-in dates"
            @if extra { " plus extra holidays" }
            ". In the reported period: " @if holidays.is_empty() { "none" } @else { (holidays.join(", ")) } "."
        } "\n"
        h3 { "4. Outputs" } "\n"
        p { "Midnight occupancy is the census at the midnight ending each day. ED measures are counted by day of arrival; within 4 hours means at most 4 hours from arrival to leaving ED (admitted patients leave ED when they get a bed). Bed waits run from the decision to admit (or arrival, for direct admissions) to getting a bed. Confidence intervals are Student-t 95% intervals of the mean across replications; P10, P50 and P90 are percentiles across replications (Excel's PERCENTILE.INC). Full tables: " code { "summary.csv" } ", " code { "daily.csv" } ", " code { "replications.csv" } "." } "\n"
        h3 { "5. Experimentation" } "\n"
        p {
            (info.replications) " replications, seed " (info.seed) ". Each replication simulates " (model.warmup_days)
            " warm-up days before " (model.start.format("%-d %b %Y")) " (not reported), the reported period to "
            (model.end.format("%-d %b %Y")) ", then two cool-down days so that the last day's attendances finish their ED journey. Every replication and random source has its own random stream, so scenarios run with the same seed see the same arrivals and stays (common random numbers)."
        } "\n"
        h3 { "6. Implementation" } "\n"
        p {
            "bedflow " (info.bedflow_version) " (Rust), discrete-event simulation in integer seconds; events ordered by time, then same-instant rank, then scheduling order; ChaCha8 random streams. Scenario "
            code { (info.scenario_path) } ", SHA-256 " code { (info.scenario_sha256) } "."
        } "\n"
    }
}

/// Removes the XML namespace URL so the page holds no URL at all (inline SVG
/// in HTML does not need it).
pub fn inline_svg(svg: &str) -> String {
    svg.replacen(" xmlns=\"http://www.w3.org/2000/svg\"", "", 1)
}

fn caption(name: &str) -> &'static str {
    match name {
        "winter_occupancy" => {
            "Beds occupied at midnight across replications: the darker band holds the middle half of simulated winters, the lighter band 80% of them; the line is the median. Red: core beds; orange dashed: 92% of core beds."
        }
        "bank_holidays" => {
            "Around each bank holiday (day 0), the median trust-wide census and the patients waiting for a bed at 08:00, each compared with ordinary weeks: the same weekday within three weeks, outside holiday periods."
        }
        "ed_crowding" => {
            "Patients in the emergency department at midnight (waiting for a treatment space, in one, or in the corridor) against its spaces and corridor places, and the admitted patients among them waiting for a bed at 08:00, before the day's discharges: exit block. Bands and line as above."
        }
        "ed_performance" => {
            "Daily share of attendances leaving ED within 4 hours, and daily count of stays over 12 hours, by day of arrival, across replications."
        }
        _ => "",
    }
}

/// The whole report. Every piece of text from the scenario (names, titles,
/// paths) is escaped by `maud`; the charts are bedflow's own SVG, inserted as is.
pub fn html(model: &Model, sums: &Summaries, info: &RunInfo, svgs: &[(&str, String)]) -> String {
    let title = format!("bedflow: {}", model.name);
    let total_beds: u32 = model.pools.iter().map(|p| p.beds).sum();
    let facts: [(&str, Markup); 8] = [
        ("Scenario", html! { (model.name) }),
        (
            "Reported period",
            html! { (model.start.format("%-d %b %Y")) " to " (model.end.format("%-d %b %Y")) " (" (model.reported_days()) " days)" },
        ),
        ("Warm-up", html! { (model.warmup_days) " days before the reported period (not reported)" }),
        ("Replications", html! { (info.replications) }),
        ("Seed", html! { (info.seed) }),
        ("Core beds", html! { (total_beds) " in " (model.pools.len()) " pools" }),
        ("bedflow version", html! { (info.bedflow_version) }),
        ("Scenario file", html! { code { (info.scenario_path) } }),
    ];
    let page = html! {
        (DOCTYPE) "\n"
        html lang="en-GB" { "\n"
            head { "\n"
                meta charset="utf-8"; "\n"
                meta name="viewport" content="width=device-width, initial-scale=1"; "\n"
                title { (title) } "\n"
                style { (PreEscaped(CSS)) } "\n"
            } "\n"
            body { "\n"
                header { "\n"
                    h1 { (title) } "\n"
                    p class="sub" { "Simulated " (model.start.format("%-d %B %Y")) " to " (model.end.format("%-d %B %Y")) ", " (sums.replications) " replications" } "\n"
                } "\n"
                (headline(model, sums))
                h2 { "What was simulated" } "\n"
                table class="facts" { "\n"
                    @for (k, v) in &facts {
                        tr { th { (k) } td { (v) } } "\n"
                    }
                } "\n"
                h2 { "Key measures" } "\n"
                p class="note" { "Per replication over the reported period; the trust row first, then each pool." } "\n"
                (kpi_markup(model, sums))
                (monthly_cost(model, sums))
                h2 { "Charts" } "\n"
                @for (name, svg) in svgs {
                    figure id=(name) { "\n"
                        (PreEscaped(inline_svg(svg))) "\n"
                        figcaption { (caption(name)) " (" code { (name) ".png" } ", " code { (name) ".svg" } ")" } "\n"
                    } "\n"
                }
                (assumptions(model, info))
            } "\n"
        } "\n"
    };
    page.into_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_that_round_to_zero_have_no_minus_sign() {
        assert_eq!(fixed(-0.0, 1), "0.0");
        assert_eq!(fixed(-0.04, 1), "0.0");
        assert_eq!(fixed(-0.04, 0), "0");
        assert_eq!(fixed(-0.06, 1), "-0.1");
        assert_eq!(fixed(-10.0, 0), "-10");
        assert_eq!(fixed(2.25, 1), "2.2");
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1234567.5"), "1,234,567.5");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("-12345"), "-12,345");
    }
}
