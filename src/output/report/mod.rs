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

mod inputs;
use super::format::{fixed, group_thousands};
use inputs::assumptions;

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
    MetricView {
        metric: Metric::NctrPatientsMidnight,
        label: "Patients past their acute stay at midnight (NCTR)",
        decimals: 1,
    },
    MetricView { metric: Metric::NctrShareOfOccupiedBeds, label: "NCTR share of occupied bed-days", decimals: 1 },
    MetricView { metric: Metric::PathwayP1WaitDaysMean, label: "Mean wait for P1 home care (days)", decimals: 2 },
    MetricView {
        metric: Metric::PathwayP2WaitDaysMean,
        label: "Mean wait for a P2 rehabilitation bed (days)",
        decimals: 2,
    },
    MetricView { metric: Metric::PathwayP3WaitDaysMean, label: "Mean wait for a P3 care home (days)", decimals: 2 },
    MetricView { metric: Metric::DischargesBeforeNoonShare, label: "Discharges before noon", decimals: 1 },
    MetricView {
        metric: Metric::WeekendDischargesVsWeekday,
        label: "Weekend-day discharges per weekday's",
        decimals: 2,
    },
    MetricView { metric: Metric::LoungePatients, label: "Patients through the discharge lounge", decimals: 0 },
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
    MetricView {
        metric: Metric::ElectiveScheduled,
        label: "Elective patients scheduled on a theatre list",
        decimals: 0,
    },
    MetricView { metric: Metric::ElectiveTreated, label: "Elective patients treated", decimals: 0 },
    MetricView {
        metric: Metric::ElectiveCancelledNoBed,
        label: "Elective operations cancelled on the day, no bed",
        decimals: 0,
    },
    MetricView { metric: Metric::ElectiveCancelledShare, label: "Cancelled, share of scheduled", decimals: 1 },
    MetricView { metric: Metric::TheatreUtilisation, label: "Theatre slots used", decimals: 1 },
    MetricView { metric: Metric::WaitingListSize, label: "Waiting list (patients)", decimals: 0 },
    MetricView { metric: Metric::WaitingUnder18WeeksShare, label: "Waiting under 18 weeks (RTT)", decimals: 1 },
    MetricView { metric: Metric::WaitingOver52Weeks, label: "Waiting over 52 weeks", decimals: 0 },
    MetricView { metric: Metric::WaitingOver65Weeks, label: "Waiting over 65 weeks", decimals: 0 },
    MetricView {
        metric: Metric::ElectiveTreatedAfterTarget,
        label: "Treated after their priority's target",
        decimals: 0,
    },
    MetricView { metric: Metric::EscalationBedsOpenDays, label: "Escalation bed-days open", decimals: 0 },
    MetricView { metric: Metric::EscalationBedsOccupiedDays, label: "Escalation bed-days occupied", decimals: 0 },
    MetricView { metric: Metric::EscalationOpenings, label: "Escalation steps opened", decimals: 1 },
    MetricView { metric: Metric::EscalationCost, label: "Escalation cost", decimals: 0 },
    MetricView { metric: Metric::Opel1Days, label: "Days at OPEL 1", decimals: 1 },
    MetricView { metric: Metric::Opel2Days, label: "Days at OPEL 2", decimals: 1 },
    MetricView { metric: Metric::Opel3Days, label: "Days at OPEL 3", decimals: 1 },
    MetricView { metric: Metric::Opel4Days, label: "Days at OPEL 4", decimals: 1 },
];

/// A KPI's label in planners' words and the decimals it is shown with, for
/// the metrics the report's table shows (`None` for the others).
pub fn metric_label(metric: Metric) -> Option<(&'static str, usize)> {
    METRICS.iter().find(|v| v.metric == metric).map(|v| (v.label, v.decimals))
}

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
    } else if v.metric == Metric::EscalationCost {
        super::format::pounds(x)
    } else {
        group_thousands(&fixed(x, v.decimals))
    };
    html! { (text) }
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
                            @let hi = if v.metric.at_most_one() { s.ci95_high.min(1.0) } else { s.ci95_high };
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
.warnings { background: #fff4e5; border-left: 6px solid #ed8b00; padding: 10px 14px; margin: 18px 0; }
.warnings ul { margin: 6px 0 0 0; padding-left: 20px; }
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
        (
            Metric::BedOccupancyRate,
            if model.has_dated_capacity() {
                format!("mean midnight occupancy of the core beds open each day ({beds} before changes by date)")
            } else {
                format!("mean midnight occupancy of {beds} core beds")
            },
        ),
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

/// What `check` and `run` warn about (demand above capacity, a short
/// warm-up, pools nothing uses...), in a box a reader cannot miss: the
/// figures below stand on these.
fn warnings(model: &Model) -> Markup {
    let all = model.warnings();
    if all.is_empty() {
        return html! {};
    }
    html! {
        div class="warnings" role="note" { "\n"
            strong { "Read these figures with care:" } "\n"
            ul { @for w in &all { li { (w) } "\n" } }
        } "\n"
    }
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
            "The trust around each bank holiday period (Christmas and New Year together; holidays a week apart together), from 3 days before to 7 days after: beds occupied at midnight against core beds, and below it the patients waiting for a bed at 08:00. Bands and line as above: where the lighter band crosses the core beds, at least one simulated winter in ten was full that night."
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
                (warnings(model))
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
