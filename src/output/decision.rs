//! The decision table of `compare` ([`crate::decision`]) as a planner reads
//! it: ranked plans, formatted figures and verdicts, for the terminal,
//! first in `comparison.html`, and in `comparison.xlsx`.

use super::format::Unit;
use crate::compare::Paired;
use crate::decision::PlanResult;
use maud::{Markup, html};
use rust_xlsxwriter::{Format, FormatAlign, Workbook, XlsxError};

/// The first lines: what was compared and how plans are ranked.
fn preamble(base: &str, reps: usize) -> [String; 2] {
    [
        format!(
            "Plans against {base}: {reps} replications each under common random numbers; difference = plan minus base, with its 95% CI."
        ),
        "Ranked by 12-hour waits from decision to admit avoided, every route (most first), then by net cost (plan cost plus escalation cost, lowest first).".into(),
    ]
}

/// The CI of a difference, formatted: `-700 to -620`.
fn ci(unit: Unit, r: &crate::decision::Row) -> String {
    if r.diff.ci95_low.is_finite() {
        format!("{} to {}", unit.difference(r.diff.ci95_low), unit.difference(r.diff.ci95_high))
    } else {
        "-".into()
    }
}

/// One line on a plan's cost against what it avoids, when it has one.
fn cost_line(p: &PlanResult) -> Option<String> {
    p.net_cost_per_wait_avoided().map(|c| format!("Net cost per 12-hour wait avoided: {}", super::format::pounds(c)))
}

/// The table as text for the terminal (names escaped for it).
pub fn text(base: &str, reps: usize, plans: &[PlanResult]) -> String {
    let mut out = String::new();
    for line in preamble(base, reps) {
        out.push_str(&line);
        out.push('\n');
    }
    let head = ["Measure", "Base", "Plan", "Difference", "95% CI", "Verdict"];
    for (i, p) in plans.iter().enumerate() {
        out.push('\n');
        let name = crate::terminal::for_terminal(&p.name);
        match p.description.is_empty() {
            true => out.push_str(&format!("{}. {name}\n", i + 1)),
            false => out.push_str(&format!("{}. {name}: {}\n", i + 1, crate::terminal::for_terminal(&p.description))),
        }
        let cells: Vec<[String; 6]> = p
            .rows
            .iter()
            .map(|r| {
                let u = r.measure.unit;
                [
                    r.measure.label.to_string(),
                    u.level(r.base),
                    u.level(r.alt),
                    u.difference(r.diff.mean),
                    ci(u, r),
                    r.verdict.word().to_string(),
                ]
            })
            .collect();
        let width = |c: usize| cells.iter().map(|r| r[c].chars().count()).chain([head[c].len()]).max().unwrap_or(0);
        let w: Vec<usize> = (0..6).map(width).collect();
        let line = |r: &[String]| {
            format!(
                "   {:<w0$}  {:>w1$}  {:>w2$}  {:>w3$}  {:<w4$}  {}\n",
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                r[5],
                w0 = w[0],
                w1 = w[1],
                w2 = w[2],
                w3 = w[3],
                w4 = w[4]
            )
        };
        out.push_str(&line(&head.map(String::from)));
        for r in &cells {
            out.push_str(&line(r));
        }
        if let Some(l) = cost_line(p) {
            out.push_str(&format!("   {l}\n"));
        }
    }
    out
}

/// The table as the first section of `comparison.html`.
pub fn html(base: &str, reps: usize, plans: &[PlanResult]) -> Markup {
    let [first, second] = preamble(base, reps);
    html! {
        h2 { "Plans ranked" } "\n"
        p class="note" { (first) " " (second) } "\n"
        @for (i, p) in plans.iter().enumerate() {
            h3 { (i + 1) ". " (p.name) @if !p.description.is_empty() { ": " (p.description) } } "\n"
            table class="decision" {
                tr { th { "Measure (trust-wide)" } th { "Base" } th { "Plan" } th { "Difference" } th { "95% CI of the difference" } th { "Verdict" } } "\n"
                @for r in &p.rows {
                    @let u = r.measure.unit;
                    tr class=(r.verdict.word().replace(' ', "-")) {
                        td { (r.measure.label) } td { (u.level(r.base)) } td { (u.level(r.alt)) }
                        td { (u.difference(r.diff.mean)) } td { (ci(u, r)) } td { (r.verdict.word()) }
                    } "\n"
                }
            } "\n"
            @if let Some(l) = cost_line(p) { p { (l) } "\n" }
        }
    }
}

/// An Excel sheet name from a scenario name: at most 31 characters, unique
/// among `taken` (a number added when two names share their first 28).
fn sheet_name(name: &str, taken: &mut Vec<String>) -> String {
    let base: String = name.chars().take(28).collect();
    let mut candidate = base.clone();
    let mut k = 2;
    while taken.iter().any(|t| t.eq_ignore_ascii_case(&candidate)) || candidate.eq_ignore_ascii_case("Comparison") {
        candidate = format!("{base}~{k}");
        k += 1;
    }
    taken.push(candidate.clone());
    candidate
}

/// `comparison.xlsx`: the ranked table on the first sheet (numbers as
/// numbers, in pounds, percentages or counts), then one sheet per plan with
/// every KPI both scenarios report. `created` fixes the document date so
/// identical runs give identical bytes.
pub fn workbook(
    base: &str,
    reps: usize,
    plans: &[PlanResult],
    pairs: &[(String, Vec<Paired>)],
    created: chrono::NaiveDate,
) -> Result<Vec<u8>, XlsxError> {
    use chrono::Datelike;
    let mut wb = Workbook::new();
    let date =
        rust_xlsxwriter::ExcelDateTime::from_ymd(created.year() as u16, created.month() as u8, created.day() as u8)?;
    wb.set_properties(
        &rust_xlsxwriter::DocProperties::new()
            .set_title(format!("bedflow comparison: {base}"))
            .set_author("bedflow")
            .set_creation_datetime(&date),
    );
    let bold = Format::new().set_bold();
    let header = Format::new().set_bold().set_background_color(0xE8EDEE).set_align(FormatAlign::Center);
    let fmt = |u: Unit| match u {
        Unit::Share => Format::new().set_num_format("0.0%"),
        Unit::Count => Format::new().set_num_format("#,##0"),
        Unit::Tenths => Format::new().set_num_format("#,##0.0"),
        Unit::Money => Format::new().set_num_format("£#,##0;-£#,##0"),
    };
    let ws = wb.add_worksheet().set_name("Comparison")?;
    let [first, second] = preamble(base, reps);
    ws.write_string_with_format(0, 0, first, &bold)?;
    ws.write_string(1, 0, second)?;
    let head = ["Rank", "Plan", "Measure", "Base", "Plan value", "Difference", "95% CI low", "95% CI high", "Verdict"];
    for (c, h) in head.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &header)?;
    }
    for (c, w) in [6, 34, 44, 14, 14, 14, 14, 14, 20].into_iter().enumerate() {
        ws.set_column_width(c as u16, w)?;
    }
    let mut row = 4;
    for (i, p) in plans.iter().enumerate() {
        for r in &p.rows {
            let f = fmt(r.measure.unit);
            ws.write_number(row, 0, (i + 1) as f64)?;
            ws.write_string(row, 1, &p.name)?;
            ws.write_string(row, 2, r.measure.label)?;
            // Levels in the measure's format; differences of shares in
            // percentage points (as the table prints them), of counts with a decimal.
            let (scale, d) = match r.measure.unit {
                Unit::Share => (100.0, Format::new().set_num_format("+0.0\" pts\";-0.0\" pts\";0.0\" pts\"")),
                Unit::Count | Unit::Tenths => (1.0, Format::new().set_num_format("+#,##0.0;-#,##0.0;0")),
                Unit::Money => (1.0, Format::new().set_num_format("+£#,##0;-£#,##0;£0")),
            };
            for (c, x) in [r.base, r.alt].into_iter().enumerate() {
                if x.is_finite() {
                    ws.write_number_with_format(row, 3 + c as u16, x, &f)?;
                }
            }
            for (c, x) in [r.diff.mean, r.diff.ci95_low, r.diff.ci95_high].into_iter().enumerate() {
                if x.is_finite() {
                    ws.write_number_with_format(row, 5 + c as u16, x * scale, &d)?;
                }
            }
            ws.write_string(row, 8, r.verdict.word())?;
            row += 1;
        }
        if let Some(c) = p.net_cost_per_wait_avoided() {
            ws.write_number(row, 0, (i + 1) as f64)?;
            ws.write_string(row, 1, &p.name)?;
            ws.write_string(row, 2, "Net cost per 12-hour wait avoided")?;
            ws.write_number_with_format(row, 5, c, &fmt(Unit::Money))?;
            row += 1;
        }
    }
    ws.set_freeze_panes(4, 0)?;
    let mut taken = Vec::new();
    for (name, rows) in pairs {
        let ws = wb.add_worksheet().set_name(sheet_name(name, &mut taken))?;
        ws.write_string_with_format(0, 0, format!("{name} minus {base}: every KPI both report"), &bold)?;
        let head = [
            "Metric",
            "Pool",
            "Specialty",
            "Base mean",
            "Plan mean",
            "Difference",
            "95% CI low",
            "95% CI high",
            "Replications",
        ];
        for (c, h) in head.iter().enumerate() {
            ws.write_string_with_format(2, c as u16, *h, &header)?;
        }
        ws.set_column_width(0, 34)?;
        ws.set_column_width(1, 24)?;
        ws.set_column_width(2, 18)?;
        for (i, p) in rows.iter().enumerate() {
            let row = 3 + i as u32;
            ws.write_string(row, 0, p.key.metric.name())?;
            ws.write_string(row, 1, &p.key.pool)?;
            ws.write_string(row, 2, &p.key.specialty)?;
            for (c, x) in
                [p.base.mean, p.alt.mean, p.diff.mean, p.diff.ci95_low, p.diff.ci95_high].into_iter().enumerate()
            {
                if x.is_finite() {
                    ws.write_number(row, 3 + c as u16, x)?;
                }
            }
            ws.write_number(row, 8, p.diff.n as f64)?;
        }
        ws.set_freeze_panes(3, 1)?;
    }
    wb.save_to_buffer()
}
