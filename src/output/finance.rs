//! `finance.xlsx`: escalation capacity costed for finance colleagues, with
//! Assumptions, Summary, Cost by month and Daily sheets and proper number
//! formats. The document's creation date is fixed to the scenario's start
//! date so identical runs give byte-identical workbooks.

use super::RunInfo;
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::{Metric, months};
use crate::summary::Summary;
use chrono::Datelike;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Workbook, Worksheet, XlsxError};

const MONEY: &str = "£#,##0";
const DAYS: &str = "#,##0.0";
const COUNT: &str = "#,##0";

struct Formats {
    bold: Format,
    header: Format,
    money: Format,
    days: Format,
    count: Format,
    date: Format,
    wrap: Format,
}

fn formats() -> Formats {
    Formats {
        bold: Format::new().set_bold(),
        header: Format::new().set_bold().set_background_color(0xE8EDEE).set_align(FormatAlign::Center),
        money: Format::new().set_num_format(MONEY),
        days: Format::new().set_num_format(DAYS),
        count: Format::new().set_num_format(COUNT),
        date: Format::new().set_num_format("d mmm yyyy"),
        wrap: Format::new().set_text_wrap(),
    }
}

fn excel_date(d: chrono::NaiveDate) -> Result<ExcelDateTime, XlsxError> {
    ExcelDateTime::from_ymd(d.year() as u16, d.month() as u8, d.day() as u8)
}

fn headers(ws: &mut Worksheet, row: u32, names: &[&str], f: &Formats) -> Result<(), XlsxError> {
    for (c, n) in names.iter().enumerate() {
        ws.write_string_with_format(row, c as u16, *n, &f.header)?;
    }
    Ok(())
}

/// Writes a number, leaving the cell empty when undefined.
fn num(ws: &mut Worksheet, row: u32, col: u16, x: f64, format: &Format) -> Result<(), XlsxError> {
    if x.is_finite() {
        ws.write_number_with_format(row, col, x, format)?;
    }
    Ok(())
}

fn summary_row(ws: &mut Worksheet, row: u32, s: &Summary, format: &Format) -> Result<(), XlsxError> {
    for (c, x) in [s.mean, s.ci95_low, s.ci95_high, s.p10, s.p50, s.p90, s.p95].into_iter().enumerate() {
        num(ws, row, 2 + c as u16, x, format)?;
    }
    Ok(())
}

/// The workbook's bytes.
pub fn workbook(model: &Model, sums: &Summaries, info: &RunInfo) -> Result<Vec<u8>, XlsxError> {
    let f = formats();
    let mut wb = Workbook::new();
    let created = excel_date(model.start)?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("bedflow escalation costs: {}", model.name))
            .set_author("bedflow")
            .set_creation_datetime(&created),
    );
    let escalating: Vec<usize> = (0..model.pools.len()).filter(|&i| model.pools[i].escalation.is_some()).collect();

    // Assumptions.
    let ws = wb.add_worksheet().set_name("Assumptions")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 90)?;
    ws.write_string_with_format(0, 0, "bedflow escalation costs", &f.bold)?;
    let facts: Vec<(String, String)> = vec![
        ("Scenario".into(), model.name.clone()),
        ("Reported period".into(), format!("{} to {}", model.start, model.end)),
        ("Warm-up days".into(), model.warmup_days.to_string()),
        ("Replications".into(), info.replications.to_string()),
        ("Seed".into(), info.seed.to_string()),
        ("bedflow version".into(), info.bedflow_version.clone()),
        ("Scenario SHA-256".into(), info.scenario_sha256.clone()),
        ("Currency".into(), "GBP, no inflation or discounting".into()),
    ];
    let mut row = 2;
    for (k, v) in facts {
        ws.write_string_with_format(row, 0, k, &f.bold)?;
        ws.write_string(row, 1, v)?;
        row += 1;
    }
    for &i in &escalating {
        let (p, Some(e)) = (&model.pools[i], &model.pools[i].escalation) else { continue };
        row += 1;
        ws.write_string_with_format(row, 0, format!("Escalation: {}", p.name), &f.bold)?;
        row += 1;
        let hours: Vec<String> = e.review_hours.iter().map(|h| format!("{h:02}:00")).collect();
        let windows: Vec<String> = e.windows.iter().map(|(a, b)| format!("{a} to {b}")).collect();
        let lines: Vec<(&str, String)> = vec![
            ("Core beds", p.beds.to_string()),
            ("Escalation beds (maximum)", e.max_beds.to_string()),
            ("Opened per step", e.beds_per_step.to_string()),
            ("Bed meetings", hours.join(", ")),
            ("Open when occupancy of core beds >=", format!("{:.0}%", 100.0 * e.open_at_occupancy)),
            ("or patients waiting for a bed >=", e.open_at_boarders.map_or("not used".into(), |b| b.to_string())),
            (
                "Close when occupancy below",
                format!("{:.0}% and a step's beds are empty", 100.0 * e.close_below_occupancy),
            ),
            ("Minimum days open", e.min_days_open.to_string()),
            ("May open", if windows.is_empty() { "any time".into() } else { windows.join("; ") }),
            ("Cost per open bed-day", e.cost.basis.clone()),
            ("Cost per occupied bed-day", format!("GBP {}", e.cost.per_occupied_bed_day)),
            ("Cost per opening", format!("GBP {}", e.cost.per_opening)),
        ];
        for (k, v) in lines {
            ws.write_string(row, 0, k)?;
            ws.write_string_with_format(row, 1, v, &f.wrap)?;
            row += 1;
        }
    }

    // Summary.
    let ws = wb.add_worksheet().set_name("Summary")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 22)?;
    for c in 2..9 {
        ws.set_column_width(c, 13)?;
    }
    headers(ws, 0, &["Measure", "Where", "Mean", "95% CI low", "95% CI high", "P10", "P50", "P90", "P95"], &f)?;
    let mut row = 1;
    let rows: [(Metric, &str, &Format); 4] = [
        (Metric::EscalationCost, "Escalation cost (GBP)", &f.money),
        (Metric::EscalationBedsOpenDays, "Escalation bed-days open", &f.days),
        (Metric::EscalationBedsOccupiedDays, "Escalation bed-days occupied", &f.days),
        (Metric::EscalationOpenings, "Opening steps", &f.count),
    ];
    for (metric, label, format) in rows {
        let places = std::iter::once((None, "Trust".to_string()))
            .chain(escalating.iter().map(|&i| (Some(i), model.pools[i].name.clone())));
        for (pool, name) in places {
            let Some(s) = sums.get(metric, pool) else { continue };
            ws.write_string(row, 0, label)?;
            ws.write_string(row, 1, name)?;
            summary_row(ws, row, s, format)?;
            row += 1;
        }
    }
    for level in 1..=4 {
        let metric = [Metric::Opel1Days, Metric::Opel2Days, Metric::Opel3Days, Metric::Opel4Days][level - 1];
        if let Some(s) = sums.get(metric, None) {
            ws.write_string(row, 0, format!("Days at OPEL {level}"))?;
            ws.write_string(row, 1, "Trust")?;
            summary_row(ws, row, s, &f.days)?;
            row += 1;
        }
    }
    ws.set_freeze_panes(1, 0)?;

    // Cost by month.
    let ws = wb.add_worksheet().set_name("Cost by month")?;
    ws.set_column_width(0, 12)?;
    let mut names = vec!["Month", "Trust mean", "Trust P10", "Trust P50", "Trust P90"];
    let pool_headers: Vec<String> = escalating.iter().map(|&i| format!("{} mean", model.pools[i].name)).collect();
    names.extend(pool_headers.iter().map(String::as_str));
    headers(ws, 0, &names, &f)?;
    for c in 1..names.len() as u16 {
        ws.set_column_width(c, 16)?;
    }
    let monthly = |pool: Option<usize>| {
        sums.monthly.iter().find(|(k, _)| k.metric == Metric::EscalationCost && k.pool() == pool).map(|(_, v)| v)
    };
    for (m, (_, label)) in months(model).iter().enumerate() {
        let row = 1 + m as u32;
        ws.write_string(row, 0, label)?;
        if let Some(t) = monthly(None).and_then(|v| v.get(m)) {
            for (c, x) in [t.mean, t.p10, t.p50, t.p90].into_iter().enumerate() {
                num(ws, row, 1 + c as u16, x, &f.money)?;
            }
        }
        for (c, &i) in escalating.iter().enumerate() {
            if let Some(p) = monthly(Some(i)).and_then(|v| v.get(m)) {
                num(ws, row, 5 + c as u16, p.mean, &f.money)?;
            }
        }
    }
    ws.set_freeze_panes(1, 1)?;

    // Daily.
    let ws = wb.add_worksheet().set_name("Daily")?;
    let names = [
        "Date",
        "Escalation beds open at midnight (mean)",
        "P50",
        "P90",
        "Escalation cost (mean, GBP)",
        "Beds occupied at midnight (mean)",
        "OPEL level (mean)",
    ];
    headers(ws, 0, &names, &f)?;
    ws.set_column_width(0, 13)?;
    for c in 1..names.len() as u16 {
        ws.set_column_width(c, 20)?;
    }
    let series = |metric| sums.series(metric, None);
    for d in 0..model.reported_days() as usize {
        let row = 1 + d as u32;
        ws.write_datetime_with_format(row, 0, excel_date(model.start + chrono::Days::new(d as u64))?, &f.date)?;
        if let Some(s) = series(Metric::EscalationBedsOpen).and_then(|v| v.get(d)) {
            num(ws, row, 1, s.mean, &f.days)?;
            num(ws, row, 2, s.p50, &f.count)?;
            num(ws, row, 3, s.p90, &f.count)?;
        }
        if let Some(s) = series(Metric::EscalationCost).and_then(|v| v.get(d)) {
            num(ws, row, 4, s.mean, &f.money)?;
        }
        if let Some(s) = series(Metric::MidnightOccupancy).and_then(|v| v.get(d)) {
            num(ws, row, 5, s.mean, &f.days)?;
        }
        if let Some(s) = series(Metric::OpelLevel).and_then(|v| v.get(d)) {
            num(ws, row, 6, s.mean, &f.days)?;
        }
    }
    ws.set_freeze_panes(1, 1)?;
    wb.save_to_buffer()
}
