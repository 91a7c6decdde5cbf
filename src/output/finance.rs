//! `finance.xlsx`: escalation capacity (and a plan's own cost) costed for
//! finance colleagues, as a workbook they can reuse: numeric assumptions
//! with their units, costs that are arithmetic on the assumptions written
//! as live formulas (cost = bed-days x rate), the cost split into open beds
//! (staffing), occupied beds and openings, and the distribution across
//! replications. The document's creation date is fixed to the scenario's
//! start date so identical runs give byte-identical workbooks.
//!
//! Formulas carry their computed value too, so a reader that does not
//! recalculate (a preview, calamine) shows the same numbers. Only means are
//! formulas: the mean of a sum is the sum of the means, but a percentile of
//! a sum is not the sum of percentiles, so percentiles are the simulated
//! values, with a note saying so beside them.

use super::RunInfo;
use crate::model::Model;
use crate::reduce::Summaries;
use crate::stats::{Metric, months};
use crate::summary::Summary;
use chrono::Datelike;
use rust_xlsxwriter::utility::row_col_to_cell_absolute as abs;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, FormatAlign, Formula, Workbook, Worksheet, XlsxError};

const MONEY: &str = "£#,##0;-£#,##0";
const MONEY_PENCE: &str = "£#,##0.00";
const DAYS: &str = "#,##0.0";
const COUNT: &str = "#,##0";

struct Formats {
    bold: Format,
    header: Format,
    money: Format,
    pence: Format,
    days: Format,
    count: Format,
    number: Format,
    percent: Format,
    date: Format,
    wrap: Format,
    note: Format,
}

fn formats() -> Formats {
    Formats {
        bold: Format::new().set_bold(),
        header: Format::new().set_bold().set_background_color(0xE8EDEE).set_align(FormatAlign::Center).set_text_wrap(),
        money: Format::new().set_num_format(MONEY),
        pence: Format::new().set_num_format(MONEY_PENCE),
        days: Format::new().set_num_format(DAYS),
        count: Format::new().set_num_format(COUNT),
        number: Format::new().set_num_format("0.00"),
        percent: Format::new().set_num_format("0%"),
        date: Format::new().set_num_format("d mmm yyyy"),
        wrap: Format::new().set_text_wrap(),
        note: Format::new().set_text_wrap().set_italic().set_font_color(0x425563),
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

/// Writes a formula with the value it gives, so readers that do not
/// recalculate show it too.
fn formula(ws: &mut Worksheet, row: u32, col: u16, text: &str, value: f64, format: &Format) -> Result<(), XlsxError> {
    let value = if value.is_finite() { value } else { 0.0 };
    ws.write_formula_with_format(row, col, Formula::new(text).set_result(format!("{value}")), format)?;
    Ok(())
}

fn summary_row(ws: &mut Worksheet, row: u32, s: &Summary, format: &Format) -> Result<(), XlsxError> {
    for (c, x) in [s.mean, s.ci95_low, s.ci95_high, s.p10, s.p50, s.p90, s.p95].into_iter().enumerate() {
        num(ws, row, 2 + c as u16, x, format)?;
    }
    Ok(())
}

/// Where a pool's cost rates are on the Assumptions sheet (absolute
/// references, with the sheet's name), and their values.
struct Rates {
    open: (String, f64),
    occupied: (String, f64),
    opening: (String, f64),
}

/// One row of the Assumptions sheet: item, value, unit (and a note).
enum Value<'a> {
    Text(String),
    Number(f64, &'a Format),
    Date(chrono::NaiveDate),
    /// A formula of other items (their `Assumptions!` cells, which it
    /// refers to on its own sheet) and the value it gives.
    Formula(String, f64, &'a Format),
}

struct Assumptions<'w, 'f> {
    ws: &'w mut Worksheet,
    f: &'f Formats,
    row: u32,
}

impl Assumptions<'_, '_> {
    /// Writes one item and returns its value's cell (`Assumptions!$B$n`).
    fn item(&mut self, item: &str, value: Value<'_>, unit: &str, note: &str) -> Result<String, XlsxError> {
        let r = self.row;
        self.ws.write_string(r, 0, item)?;
        match value {
            Value::Text(s) => {
                self.ws.write_string_with_format(r, 1, s, &self.f.wrap)?;
            }
            Value::Number(x, format) => num(self.ws, r, 1, x, format)?,
            Value::Date(d) => {
                self.ws.write_datetime_with_format(r, 1, excel_date(d)?, &self.f.date)?;
            }
            Value::Formula(text, x, format) => formula(self.ws, r, 1, &text.replace("Assumptions!", ""), x, format)?,
        }
        if !unit.is_empty() {
            self.ws.write_string(r, 2, unit)?;
        }
        if !note.is_empty() {
            self.ws.write_string_with_format(r, 3, note, &self.f.note)?;
        }
        self.row += 1;
        Ok(format!("Assumptions!{}", abs(r, 1)))
    }

    fn heading(&mut self, text: &str) -> Result<(), XlsxError> {
        self.row += 1;
        self.ws.write_string_with_format(self.row, 0, text, &self.f.bold)?;
        self.row += 1;
        Ok(())
    }
}

/// The Assumptions sheet; returns each escalating pool's rates and the plan
/// cost's cell and value (with a `[plan]`).
#[allow(clippy::type_complexity)]
fn assumptions(
    wb: &mut Workbook,
    model: &Model,
    info: &RunInfo,
    escalating: &[usize],
    f: &Formats,
) -> Result<(Vec<Rates>, Option<(String, f64)>), XlsxError> {
    let ws = wb.add_worksheet().set_name("Assumptions")?;
    for (c, w) in [40, 18, 26, 80].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    ws.write_string_with_format(0, 0, "bedflow escalation costs: assumptions", &f.bold)?;
    headers(ws, 2, &["Item", "Value", "Unit", "Note"], f)?;
    let mut a = Assumptions { ws, f, row: 3 };
    a.item("Scenario", Value::Text(model.name.clone()), "", "")?;
    let first = a.item("First reported day", Value::Date(model.start), "date", "")?;
    let last = a.item("Last reported day", Value::Date(model.end), "date", "")?;
    a.item(
        "Reported days",
        Value::Number(f64::from(model.reported_days()), &f.count),
        "days",
        "costs count these days only",
    )?;
    a.item("Warm-up days", Value::Number(f64::from(model.warmup_days), &f.count), "days", "simulated, not reported")?;
    a.item("Replications", Value::Number(f64::from(info.replications), &f.count), "winters simulated", "")?;
    a.item("Seed", Value::Text(info.seed.to_string()), "", "the same seed gives the same results")?;
    a.item("bedflow version", Value::Text(info.bedflow_version.clone()), "", "")?;
    a.item("Scenario SHA-256", Value::Text(info.scenario_sha256.clone()), "", "identifies the scenario files run")?;
    a.item("Currency", Value::Text("GBP".into()), "", "no inflation or discounting")?;
    let mut rates = Vec::new();
    for &i in escalating {
        let (p, Some(e)) = (&model.pools[i], &model.pools[i].escalation) else { continue };
        a.heading(&format!("Escalation: {}", p.name))?;
        let hours: Vec<String> = e.review_hours.iter().map(|h| format!("{h:02}:00")).collect();
        let windows: Vec<String> = e.windows.iter().map(|(a, b)| format!("{a} to {b}")).collect();
        a.item("Core beds", Value::Number(f64::from(p.beds), &f.count), "beds", "")?;
        a.item("Escalation beds (maximum)", Value::Number(f64::from(e.max_beds), &f.count), "beds", "")?;
        a.item("Opened per step", Value::Number(f64::from(e.beds_per_step), &f.count), "beds", "")?;
        a.item("Bed meetings", Value::Text(hours.join(", ")), "times of day", "")?;
        a.item(
            "Open when occupancy of core beds at least",
            Value::Number(e.open_at_occupancy, &f.percent),
            "of core beds",
            "",
        )?;
        match e.open_at_boarders {
            Some(b) => {
                a.item("or patients waiting for a bed at least", Value::Number(f64::from(b), &f.count), "patients", "")?
            }
            None => a.item("or patients waiting for a bed at least", Value::Text("not used".into()), "", "")?,
        };
        a.item(
            "Close when occupancy below",
            Value::Number(e.close_below_occupancy, &f.percent),
            "of core beds",
            "and a step's beds are empty",
        )?;
        a.item("Minimum days open", Value::Number(f64::from(e.min_days_open), &f.count), "days", "")?;
        a.item(
            "May open",
            Value::Text(if windows.is_empty() { "any time".into() } else { windows.join("; ") }),
            "dates",
            "",
        )?;
        let open = match e.cost.staffing {
            Some(s) => {
                let n = a.item(
                    "Nurses per bed",
                    Value::Number(s.nurses_per_bed, &f.number),
                    "nurses per bed",
                    "on duty day and night",
                )?;
                let h = a.item(
                    "Nurse hourly cost",
                    Value::Number(s.nurse_hourly_cost, &f.pence),
                    "GBP per hour",
                    "substantive, with on-costs",
                )?;
                let sh = a.item("Agency share", Value::Number(s.agency_share, &f.percent), "of shifts", "")?;
                let pr = a.item(
                    "Agency premium",
                    Value::Number(s.agency_premium, &f.number),
                    "x substantive cost",
                    "1.0: agency costs double",
                )?;
                let cell = a.item(
                    "Cost per open bed-day (staffing)",
                    Value::Formula(format!("={n}*24*{h}*(1+{sh}*{pr})"), e.cost.per_open_bed_day, &f.pence),
                    "GBP per open bed-day",
                    "nurses per bed x 24 hours x hourly cost x (1 + agency share x premium): staff are booked whether or not the bed is filled",
                )?;
                (cell, e.cost.per_open_bed_day)
            }
            None => (
                a.item(
                    "Cost per open bed-day",
                    Value::Number(e.cost.per_open_bed_day, &f.pence),
                    "GBP per open bed-day",
                    "given in the scenario",
                )?,
                e.cost.per_open_bed_day,
            ),
        };
        let occupied = a.item(
            "Cost per occupied bed-day",
            Value::Number(e.cost.per_occupied_bed_day, &f.pence),
            "GBP per occupied bed-day",
            "on top of the open bed-day (consumables, drugs)",
        )?;
        let opening = a.item(
            "Cost per opening",
            Value::Number(e.cost.per_opening, &f.money),
            "GBP per step opened",
            "setting up the area",
        )?;
        rates.push(Rates {
            open,
            occupied: (occupied, e.cost.per_occupied_bed_day),
            opening: (opening, e.cost.per_opening),
        });
    }
    let plan = match &model.plan {
        None => None,
        Some(p) => {
            a.heading("The plan's own cost ([plan])")?;
            if !p.description.is_empty() {
                a.item("Plan", Value::Text(p.description.clone()), "", "")?;
            }
            let once = a.item("One-off cost", Value::Number(p.one_off_cost, &f.money), "GBP", "paid once")?;
            let daily = a.item(
                "Cost per day",
                Value::Number(p.cost_per_day, &f.money),
                "GBP per day",
                "a negative cost is a saving",
            )?;
            let from = a.item("Paid from", Value::Date(p.from), "date", "")?;
            let to = a.item("Paid to", Value::Date(p.to), "date", "")?;
            let days = p.days_paid(model.start, model.end);
            // Days paid inside the reported period, from the dates above.
            let d = a.item(
                "Reported days paid",
                Value::Formula(format!("=MAX(0,MIN({to},{last})-MAX({from},{first})+1)"), f64::from(days), &f.count),
                "days",
                "days of the reported period from Paid from to Paid to",
            )?;
            let total = p.total(model.start, model.end);
            let cell = a.item(
                "Plan cost",
                Value::Formula(format!("={once}+{daily}*{d}"), total, &f.money),
                "GBP over the reported days",
                "one-off cost + cost per day x days paid",
            )?;
            Some((cell, total))
        }
    };
    Ok((rates, plan))
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
    let (rates, plan) = assumptions(&mut wb, model, info, &escalating, &f)?;

    // Summary: the cost split (means, formulas), then the spread.
    let ws = wb.add_worksheet().set_name("Summary")?;
    ws.set_column_width(0, 34)?;
    ws.set_column_width(1, 22)?;
    for c in 2..12 {
        ws.set_column_width(c, 14)?;
    }
    ws.write_string_with_format(
        0,
        0,
        format!("Escalation cost split into its parts: means of {} replications", info.replications),
        &f.bold,
    )?;
    let split_head = [
        "Where",
        "Open bed-days",
        "GBP per open bed-day",
        "Open beds (staffing)",
        "Occupied bed-days",
        "GBP per occupied bed-day",
        "Occupied beds",
        "Openings",
        "GBP per opening",
        "Openings cost",
        "Escalation cost",
    ];
    headers(ws, 1, &split_head, &f)?;
    ws.set_row_height(1, 45)?;
    let mean = |metric, pool| sums.get(metric, pool).map_or(f64::NAN, |s| s.mean);
    let mut row = 2u32;
    let first = row;
    // Column sums for the trust row, in the order the pools are written.
    let mut totals = [0.0f64; 11];
    for (&i, r) in escalating.iter().zip(&rates) {
        let (open, used, openings) = (
            mean(Metric::EscalationBedsOpenDays, Some(i)),
            mean(Metric::EscalationBedsOccupiedDays, Some(i)),
            mean(Metric::EscalationOpenings, Some(i)),
        );
        let (a, b, c) = (open * r.open.1, used * r.occupied.1, openings * r.opening.1);
        ws.write_string(row, 0, &model.pools[i].name)?;
        num(ws, row, 1, open, &f.days)?;
        formula(ws, row, 2, &format!("={}", r.open.0), r.open.1, &f.pence)?;
        formula(ws, row, 3, &format!("={}*{}", abs(row, 1), abs(row, 2)), a, &f.money)?;
        num(ws, row, 4, used, &f.days)?;
        formula(ws, row, 5, &format!("={}", r.occupied.0), r.occupied.1, &f.pence)?;
        formula(ws, row, 6, &format!("={}*{}", abs(row, 4), abs(row, 5)), b, &f.money)?;
        num(ws, row, 7, openings, &f.days)?;
        formula(ws, row, 8, &format!("={}", r.opening.0), r.opening.1, &f.money)?;
        formula(ws, row, 9, &format!("={}*{}", abs(row, 7), abs(row, 8)), c, &f.money)?;
        formula(ws, row, 10, &format!("={}+{}+{}", abs(row, 3), abs(row, 6), abs(row, 9)), a + b + c, &f.money)?;
        for (col, x) in [(1, open), (3, a), (4, used), (6, b), (7, openings), (9, c), (10, a + b + c)] {
            totals[col] += x;
        }
        row += 1;
    }
    let trust_cost = totals[10];
    if !escalating.is_empty() {
        ws.write_string_with_format(row, 0, "Trust", &f.bold)?;
        for (c, fmt) in
            [(1, &f.days), (3, &f.money), (4, &f.days), (6, &f.money), (7, &f.days), (9, &f.money), (10, &f.money)]
        {
            formula(ws, row, c, &format!("=SUM({}:{})", abs(first, c), abs(row - 1, c)), totals[c as usize], fmt)?;
        }
        row += 1;
    }
    let trust_row = row - 1;
    if let Some((cell, total)) = &plan {
        ws.write_string(row, 0, "Plan cost ([plan])")?;
        formula(ws, row, 10, &format!("={cell}"), *total, &f.money)?;
        row += 1;
        ws.write_string_with_format(row, 0, "Net cost: plan plus escalation", &f.bold)?;
        let esc = if escalating.is_empty() { "0".to_string() } else { abs(trust_row, 10) };
        formula(ws, row, 10, &format!("={}+{esc}", abs(row - 1, 10)), total + trust_cost, &f.money)?;
        row += 1;
    }
    row += 1;
    ws.write_string_with_format(row, 0, "The spread across replications (simulated values)", &f.bold)?;
    row += 1;
    headers(ws, row, &["Measure", "Where", "Mean", "95% CI low", "95% CI high", "P10", "P50", "P90", "P95"], &f)?;
    row += 1;
    let rows: [(Metric, &str, &Format); 4] = [
        (Metric::EscalationCost, "Escalation cost (GBP)", &f.money),
        (Metric::EscalationBedsOpenDays, "Escalation bed-days open", &f.days),
        (Metric::EscalationBedsOccupiedDays, "Escalation bed-days occupied", &f.days),
        (Metric::EscalationOpenings, "Opening steps", &f.days),
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
    ws.merge_range(
        row + 1,
        0,
        row + 2,
        8,
        "Means add up (the split above; the months to the winter; the pools to the trust). Percentiles do not: the P90 of the winter is not the sum of the months' or the pools' P90s, because a bad month does not always fall in a bad winter.",
        &f.note,
    )?;
    ws.set_freeze_panes(2, 1)?;

    // Cost by month.
    let ws = wb.add_worksheet().set_name("Cost by month")?;
    ws.set_column_width(0, 26)?;
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
    let month_list = months(model);
    for (m, (_, label)) in month_list.iter().enumerate() {
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
    if !month_list.is_empty() {
        let total = 1 + month_list.len() as u32;
        ws.write_string_with_format(total, 0, "Winter (sum of the means)", &f.bold)?;
        let sum_of = |pool: Option<usize>| {
            monthly(pool).map_or(0.0, |v| v.iter().map(|s| s.mean).filter(|x| x.is_finite()).sum())
        };
        let cols =
            std::iter::once((1u16, None)).chain(escalating.iter().enumerate().map(|(c, &i)| (5 + c as u16, Some(i))));
        for (c, pool) in cols {
            formula(ws, total, c, &format!("=SUM({}:{})", abs(1, c), abs(total - 1, c)), sum_of(pool), &f.money)?;
        }
        let note_col = names.len() as u16 + 1;
        ws.set_column_width(note_col, 60)?;
        ws.write_string_with_format(
            1,
            note_col,
            "Each month's P10, P50 and P90 are percentiles of that month on its own: they do not add up to the winter's percentiles (see Summary). The means do add up.",
            &f.note,
        )?;
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
