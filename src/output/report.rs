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
use std::fmt::Write;

/// Escapes text for HTML.
pub fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

/// How each KPI is shown: label, unit note, and a formatter.
struct MetricView {
    metric: Metric,
    label: &'static str,
    percent: bool,
    decimals: usize,
}

const METRICS: &[MetricView] = &[
    MetricView {
        metric: Metric::MidnightOccupancy,
        label: "Beds occupied at midnight (mean of days)",
        percent: false,
        decimals: 1,
    },
    MetricView { metric: Metric::BedOccupancyRate, label: "Midnight bed occupancy", percent: true, decimals: 1 },
    MetricView {
        metric: Metric::TimeAverageOccupancy,
        label: "Beds occupied, time average",
        percent: false,
        decimals: 1,
    },
    MetricView { metric: Metric::PeakOccupancy, label: "Peak beds occupied", percent: false, decimals: 0 },
    MetricView { metric: Metric::ShareOfTimeFull, label: "Time with every bed full", percent: true, decimals: 1 },
    MetricView {
        metric: Metric::DaysOver92Pct,
        label: "Days over 92% occupied (midnight)",
        percent: false,
        decimals: 1,
    },
    MetricView {
        metric: Metric::BoardersTimeAverage,
        label: "Patients waiting for a bed, time average",
        percent: false,
        decimals: 1,
    },
    MetricView {
        metric: Metric::BedWaitHoursMean,
        label: "Mean wait for a bed after DTA (hours)",
        percent: false,
        decimals: 2,
    },
    MetricView {
        metric: Metric::WaitsOver12hFromDta,
        label: "Waits over 12 hours from DTA (trolley waits)",
        percent: false,
        decimals: 0,
    },
    MetricView { metric: Metric::Diverted, label: "Patients diverted", percent: false, decimals: 0 },
    MetricView { metric: Metric::Admissions, label: "Admissions", percent: false, decimals: 0 },
    MetricView { metric: Metric::Discharges, label: "Discharges", percent: false, decimals: 0 },
    MetricView {
        metric: Metric::LengthOfStayDaysMean,
        label: "Mean length of stay (days)",
        percent: false,
        decimals: 2,
    },
    MetricView { metric: Metric::EdAttendances, label: "ED attendances", percent: false, decimals: 0 },
    MetricView { metric: Metric::Ed4hPerformance, label: "ED 4-hour performance", percent: true, decimals: 1 },
    MetricView {
        metric: Metric::EdOver12hFromArrival,
        label: "ED stays over 12 hours from arrival",
        percent: false,
        decimals: 0,
    },
];

fn fmt(v: &MetricView, x: f64) -> String {
    if !x.is_finite() {
        return "&ndash;".into();
    }
    if v.percent {
        format!("{:.*}%", v.decimals, 100.0 * x)
    } else {
        let s = format!("{:.*}", v.decimals, x);
        group_thousands(&s)
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

/// The KPI table: one row per metric and pool, mean with 95% CI and P10/P50/P90.
pub fn kpi_table(model: &Model, sums: &Summaries) -> String {
    let mut h = String::new();
    h.push_str("<table class=\"kpi\">\n<thead><tr><th>Measure</th><th>Where</th><th>Mean</th><th>95% CI of the mean</th><th>P10</th><th>P50</th><th>P90</th></tr></thead>\n<tbody>\n");
    for v in METRICS {
        // Trust row, then pools, then specialties (whichever the metric has).
        let rows = std::iter::once((sums.get(v.metric, None), "Trust".to_string(), true))
            .chain(model.pools.iter().enumerate().map(|(i, p)| (sums.get(v.metric, Some(i)), esc(&p.name), false)))
            .chain(
                model
                    .specialties
                    .iter()
                    .enumerate()
                    .map(|(j, s)| (sums.get_specialty(v.metric, j), esc(&s.name), false)),
            );
        for (i, (summary, r#where, trust)) in rows.enumerate() {
            let Some(s) = summary else { continue };
            // Escalation rows only for pools that can escalate.
            let pool = i.checked_sub(1).filter(|&p| p < model.pools.len());
            if v.metric.is_escalation() && pool.is_some_and(|p| model.pools[p].escalation.is_none()) {
                continue;
            }
            let class = if trust { " class=\"trust\"" } else { "" };
            // A t interval can stray outside 0..100% for a share; show it clipped.
            let (lo, hi) =
                if v.percent { (s.ci95_low.max(0.0), s.ci95_high.min(1.0)) } else { (s.ci95_low, s.ci95_high) };
            let ci =
                if s.ci95_low.is_finite() { format!("{} to {}", fmt(v, lo), fmt(v, hi)) } else { "&ndash;".into() };
            let _ = writeln!(
                h,
                "<tr{class}><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                if trust { v.label } else { "" },
                r#where,
                fmt(v, s.mean),
                ci,
                fmt(v, s.p10),
                fmt(v, s.p50),
                fmt(v, s.p90)
            );
        }
    }
    h.push_str("</tbody>\n</table>\n");
    h
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

fn card(value: &str, label: &str) -> String {
    format!("<div class=\"card\"><div class=\"value\">{value}</div><div class=\"label\">{label}</div></div>")
}

fn headline(model: &Model, sums: &Summaries) -> String {
    let mut h = String::from("<div class=\"headline\">");
    let get = |m: Metric| sums.get(m, None).copied();
    let view = |m: Metric| METRICS.iter().find(|v| v.metric == m);
    let mut add = |metric: Metric, label: String| {
        if let (Some(s), Some(v)) = (get(metric), view(metric)) {
            h.push_str(&card(&fmt(v, s.mean), &label));
        }
    };
    let beds: u32 = model.pools.iter().map(|p| p.beds).sum();
    add(Metric::BedOccupancyRate, format!("mean midnight occupancy of {beds} core beds"));
    add(Metric::DaysOver92Pct, "days over 92% occupied (of the period)".into());
    if model.ed.is_some() {
        add(Metric::Ed4hPerformance, "of ED attendances within 4 hours".into());
        add(Metric::EdOver12hFromArrival, "ED stays over 12 hours".into());
    }
    add(Metric::WaitsOver12hFromDta, "waits over 12 hours from decision to admit".into());
    if let Some(s) = get(Metric::EscalationCost) {
        let k = |x: f64| format!("&pound;{}k", group_thousands(&format!("{:.0}", x / 1000.0)));
        h.push_str(&card(&format!("{} / {}", k(s.p50), k(s.p90)), "escalation cost, P50 / P90"));
    }
    h.push_str("</div>\n");
    h
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
    format!("{} (mean {:.2}, sd {:.2})", esc(&d.describe()), d.mean(), d.variance().sqrt())
}

/// Escalation cost by calendar month (trust-wide), if any pool escalates.
fn monthly_cost(model: &Model, sums: &Summaries) -> String {
    let Some((_, by_month)) =
        sums.monthly.iter().find(|(k, _)| k.metric == Metric::EscalationCost && k.scope == Scope::Trust)
    else {
        return String::new();
    };
    let money = |x: f64| {
        if x.is_finite() { format!("&pound;{}", group_thousands(&format!("{x:.0}"))) } else { "&ndash;".into() }
    };
    let mut h = String::from(
        "<h3>Escalation cost by month (trust)</h3>\n<table class=\"kpi\"><thead><tr><th>Month</th><th></th><th>Mean</th><th>95% CI of the mean</th><th>P10</th><th>P50</th><th>P90</th></tr></thead><tbody>\n",
    );
    for ((_, label), s) in crate::stats::months(model).iter().zip(by_month) {
        let _ = writeln!(
            h,
            "<tr><td>{label}</td><td></td><td>{}</td><td>{} to {}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            money(s.mean),
            money(s.ci95_low),
            money(s.ci95_high),
            money(s.p10),
            money(s.p50),
            money(s.p90)
        );
    }
    h.push_str("</tbody></table>\n<p class=\"note\">Detailed costs and assumptions: <code>finance.xlsx</code>.</p>\n");
    h
}

/// The model description, STRESS-DES style.
fn assumptions(model: &Model, info: &RunInfo) -> String {
    let mut h = String::new();
    h.push_str("<h2>Model description and assumptions</h2>\n<p class=\"note\">Structured after the STRESS-DES guidelines for reporting discrete-event simulations.</p>\n");
    h.push_str("<h3>1. Objectives</h3>\n<p>Estimate bed occupancy, waits for a bed, ED 4-hour and 12-hour performance and diversions for the bed model below over the reported period, with their uncertainty across simulated replications of the same period.</p>\n");
    h.push_str("<h3>2. Logic</h3>\n<p>Patients arrive at the emergency department or directly to a bed pool. A share of ED attendances is admitted: after the time to a decision to admit (DTA) they ask their route's pool for a bed. A free bed is taken at once; otherwise the patient waits in the pool's first-come-first-served queue (boarding in ED), or is diverted if the pool diverts when full. Each patient's length of stay is drawn on arrival; when it ends the patient is discharged according to the discharge policy, and a freed bed goes to the first patient waiting. At the same instant a discharge happens before a bed request, and bed requests before arrivals.</p>\n");

    h.push_str("<h3>3. Inputs</h3>\n");
    if let Some(ed) = &model.ed {
        let _ = writeln!(
            h,
            "<table class=\"inputs\"><tr><th>ED attendances</th><td>{} a day on average; {}</td></tr>\n<tr><th>Admitted</th><td>{:.1}% of attendances</td></tr>\n<tr><th>Arrival to decision to admit</th><td>{} hours</td></tr>\n<tr><th>Time in ED if not admitted</th><td>{} hours</td></tr></table>",
            ed.attendances_per_day,
            describe_profile(&ed.profile),
            100.0 * ed.admission_probability,
            describe(&ed.hours_to_decision),
            describe(&ed.hours_in_department)
        );
    } else {
        h.push_str("<p>No emergency department is modelled: all demand is direct admissions.</p>\n");
    }
    if !model.seasonality.is_empty() {
        h.push_str("<p>Seasonality (multiplies all emergency demand; overlapping ranges multiply):</p>\n<table class=\"inputs\"><tr><th>From</th><th>To</th><th>Factor</th></tr>\n");
        for s in &model.seasonality {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
                s.from.format("%-d %b %Y"),
                s.to.format("%-d %b %Y"),
                s.factor
            );
        }
        h.push_str("</table>\n");
    }
    h.push_str("<p>Admission routes:</p>\n<table class=\"inputs\"><tr><th>Route</th><th>Source</th><th>Pool</th><th>Length of stay (days)</th></tr>\n");
    for r in &model.routes {
        let source = match &r.source {
            RouteSource::Ed { share } => format!("{:.1}% of ED admissions", 100.0 * share),
            RouteSource::Direct { per_day, profile, process } => match process {
                ArrivalProcess::Poisson => format!("direct, {per_day} a day (Poisson); {}", describe_profile(profile)),
                ArrivalProcess::Regular => format!("direct, {per_day} a day, evenly spaced"),
            },
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            esc(&r.name),
            source,
            esc(&model.pools[r.pool].name),
            describe(&r.stay_days)
        );
    }
    h.push_str("</table>\n<p>Bed pools (offered load = admissions a day x mean stay, before seasonality and discharge delays):</p>\n<table class=\"inputs\"><tr><th>Pool</th><th>Core beds</th><th>When full</th><th>Offered load (beds)</th></tr>\n");
    for (i, p) in model.pools.iter().enumerate() {
        let when = match p.when_full {
            WhenFull::Queue => "queue (board in ED)",
            WhenFull::Divert => "divert",
        };
        let _ = writeln!(
            h,
            "<tr><td>{}</td><td>{}</td><td>{when}</td><td>{:.1}</td></tr>",
            esc(&p.name),
            p.beds,
            model.offered_load(i)
        );
    }
    h.push_str("</table>\n");
    for p in &model.pools {
        let Some(e) = &p.escalation else { continue };
        let hours: Vec<String> = e.review_hours.iter().map(|h| format!("{h:02}:00")).collect();
        let boarders =
            e.open_at_boarders.map_or(String::new(), |b| format!(" or at least {b} patients wait for a bed"));
        let windows: Vec<String> =
            e.windows.iter().map(|(a, b)| format!("{} to {}", a.format("%-d %b %Y"), b.format("%-d %b %Y"))).collect();
        let _ = writeln!(
            h,
            "<p><strong>Escalation: {}.</strong> Up to {} beds above the {} core beds, {} at a time, opened at bed meetings ({}) when occupancy of core beds is at least {:.0}%{}{}; a step closes at a meeting once occupancy is below {:.0}%, its beds are empty and it has been at least {} days since the last opening. Cost: {}; plus GBP {} per occupied escalation bed-day and GBP {} per opening.</p>",
            esc(&p.name),
            e.max_beds,
            p.beds,
            e.beds_per_step,
            hours.join(", "),
            100.0 * e.open_at_occupancy,
            boarders,
            if windows.is_empty() { String::new() } else { format!(", only {}", windows.join("; ")) },
            100.0 * e.close_below_occupancy,
            e.min_days_open,
            esc(&e.cost.basis),
            e.cost.per_occupied_bed_day,
            e.cost.per_opening
        );
    }
    if let Some(o) = &model.opel {
        let _ = writeln!(
            h,
            "<p><strong>OPEL.</strong> Each day's level is 1 plus the highest band reached at the 08:00 census by trust occupancy of core beds (levels 2/3/4 from {:.0}% / {:.0}% / {:.0}%), patients waiting for a bed ({} / {} / {}) and patients waiting over 12 hours since a decision to admit ({} / {} / {}).</p>",
            100.0 * o.occupancy[0],
            100.0 * o.occupancy[1],
            100.0 * o.occupancy[2],
            o.boarders[0],
            o.boarders[1],
            o.boarders[2],
            o.waits_over_12h[0],
            o.waits_over_12h[1],
            o.waits_over_12h[2]
        );
    }
    let discharge = match model.discharge {
        DischargePolicy::OnReady => "Patients leave the moment their stay ends.".to_string(),
        DischargePolicy::DailyWindow { open_hour, close_hour, weekend_factor, bank_holiday_factor } => format!(
            "Discharges happen between {open_hour:02}:00 and {close_hour:02}:00. A patient whose stay ends inside the window leaves at once; one whose stay ends outside it leaves during the next window. On Saturdays and Sundays a ready patient goes with probability {weekend_factor}, on bank holidays with probability {bank_holiday_factor}; otherwise they are considered again the next day."
        ),
    };
    let _ = writeln!(h, "<p><strong>Discharge.</strong> {discharge}</p>");
    let holidays: Vec<String> = model
        .calendar
        .holidays
        .iter()
        .filter(|d| d.date >= model.start && d.date <= model.end)
        .map(|d| format!("{} ({})", d.date.format("%a %-d %b %Y"), esc(&d.title)))
        .collect();
    let _ = writeln!(
        h,
        "<p><strong>Calendar.</strong> Bank holidays: {} built-in dates{}. In the reported period: {}.</p>",
        model.calendar.region.name(),
        if model.calendar.holidays.iter().any(|d| d.title == "Extra holiday") { " plus extra holidays" } else { "" },
        if holidays.is_empty() { "none".to_string() } else { holidays.join(", ") }
    );

    h.push_str("<h3>4. Outputs</h3>\n<p>Midnight occupancy is the census at the midnight ending each day. ED measures are counted by day of arrival; within 4 hours means at most 4 hours from arrival to leaving ED (admitted patients leave ED when they get a bed). Bed waits run from the decision to admit (or arrival, for direct admissions) to getting a bed. Confidence intervals are Student-t 95% intervals of the mean across replications; P10, P50 and P90 are percentiles across replications (Excel's PERCENTILE.INC). Full tables: <code>summary.csv</code>, <code>daily.csv</code>, <code>replications.csv</code>.</p>\n");
    let _ = writeln!(
        h,
        "<h3>5. Experimentation</h3>\n<p>{} replications, seed {}. Each replication simulates {} warm-up days before {} (not reported), the reported period to {}, then two cool-down days so that the last day's attendances finish their ED journey. Every replication and random source has its own random stream, so scenarios run with the same seed see the same arrivals and stays (common random numbers).</p>",
        info.replications,
        info.seed,
        model.warmup_days,
        model.start.format("%-d %b %Y"),
        model.end.format("%-d %b %Y"),
    );
    let _ = writeln!(
        h,
        "<h3>6. Implementation</h3>\n<p>bedflow {} (Rust), discrete-event simulation in integer seconds; events ordered by time, then same-instant rank, then scheduling order; ChaCha8 random streams. Scenario <code>{}</code>, SHA-256 <code>{}</code>.</p>",
        esc(&info.bedflow_version),
        esc(&info.scenario_path),
        esc(&info.scenario_sha256)
    );
    h
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
        "ed_performance" => {
            "Daily share of attendances leaving ED within 4 hours, and daily count of stays over 12 hours, by day of arrival, across replications."
        }
        _ => "",
    }
}

/// The whole report.
pub fn html(model: &Model, sums: &Summaries, info: &RunInfo, svgs: &[(&str, String)]) -> String {
    let mut h = String::new();
    let title = format!("bedflow: {}", esc(&model.name));
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"en-GB\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<header>\n<h1>{title}</h1>\n<p class=\"sub\">Simulated {} to {}, {} replications</p>\n</header>\n",
        model.start.format("%-d %B %Y"),
        model.end.format("%-d %B %Y"),
        sums.replications
    );
    h.push_str(&headline(model, sums));
    h.push_str("<h2>What was simulated</h2>\n<table class=\"facts\">\n");
    let total_beds: u32 = model.pools.iter().map(|p| p.beds).sum();
    let facts = [
        ("Scenario", esc(&model.name)),
        (
            "Reported period",
            format!(
                "{} to {} ({} days)",
                model.start.format("%-d %b %Y"),
                model.end.format("%-d %b %Y"),
                model.reported_days()
            ),
        ),
        ("Warm-up", format!("{} days before the reported period (not reported)", model.warmup_days)),
        ("Replications", info.replications.to_string()),
        ("Seed", info.seed.to_string()),
        ("Core beds", format!("{total_beds} in {} pools", model.pools.len())),
        ("bedflow version", esc(&info.bedflow_version)),
        ("Scenario file", format!("<code>{}</code>", esc(&info.scenario_path))),
    ];
    for (k, v) in facts {
        let _ = writeln!(h, "<tr><th>{k}</th><td>{v}</td></tr>");
    }
    h.push_str("</table>\n<h2>Key measures</h2>\n<p class=\"note\">Per replication over the reported period; the trust row first, then each pool.</p>\n");
    h.push_str(&kpi_table(model, sums));
    h.push_str(&monthly_cost(model, sums));
    h.push_str("<h2>Charts</h2>\n");
    for (name, svg) in svgs {
        let _ = writeln!(
            h,
            "<figure id=\"{name}\">\n{}\n<figcaption>{} (<code>{name}.png</code>, <code>{name}.svg</code>)</figcaption>\n</figure>",
            inline_svg(svg),
            caption(name)
        );
    }
    h.push_str(&assumptions(model, info));
    h.push_str("</body>\n</html>\n");
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(group_thousands("1234567.5"), "1,234,567.5");
        assert_eq!(group_thousands("999"), "999");
        assert_eq!(group_thousands("-12345"), "-12,345");
    }

    #[test]
    fn html_is_escaped() {
        assert_eq!(esc("A&E <x>"), "A&amp;E &lt;x&gt;");
    }
}
