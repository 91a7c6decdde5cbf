//! The calibration report: `calibration.html` with PNGs beside it, showing
//! each estimate against the data it came from, so an analyst can judge the
//! scenario before trusting it: the ED's hour, weekday and monthly profiles
//! (observed against what the scenario generates), and every fitted duration
//! as a survival curve (the Kaplan-Meier estimate of the data against the
//! written distribution, on a log time axis so short and long stays both
//! show), with each family's AIC and largest gap.

use super::fit::Choice;
use super::{Calibration, write};
use crate::output::plots::{FONT, PlotError, colours, ensure_font, fail};
use maud::{DOCTYPE, PreEscaped, html};
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// A duration shown in the report: title, unit and its fit.
struct Duration<'a> {
    title: String,
    unit: &'static str,
    choice: &'a Choice,
}

fn durations(cal: &Calibration) -> Vec<Duration<'_>> {
    let mut out = Vec::new();
    if let Some(ed) = &cal.ed {
        out.push(Duration {
            title: "ED: admitted, arrival to leaving".into(),
            unit: "hours",
            choice: &ed.hours_to_decision,
        });
        out.push(Duration {
            title: "ED: not admitted, arrival to leaving".into(),
            unit: "hours",
            choice: &ed.hours_in_department,
        });
    }
    for r in &cal.routes {
        out.push(Duration { title: format!("Stay: {}", r.name), unit: "days", choice: &r.stay });
    }
    if let Some(d) = &cal.discharge {
        for (k, c) in d.delays.iter().enumerate() {
            if let Some(c) = c {
                out.push(Duration {
                    title: format!("Pathway P{} delay (less the P0 wait)", k + 1),
                    unit: "days",
                    choice: c,
                });
            }
        }
    }
    out
}

/// Draws `fits.png`: one survival panel per duration.
fn draw_fits<DB: DrawingBackend>(cal: &Calibration, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
    const NAME: &str = "fits";
    let items = durations(cal);
    let cols = 3;
    let rows = items.len().div_ceil(cols).max(1);
    let body = root
        .titled(
            "Fitted durations: data (Kaplan-Meier, blue steps) against the distribution written (red)",
            (FONT, 28).into_font().style(FontStyle::Bold),
        )
        .map_err(fail(NAME))?;
    let panels = body.split_evenly((rows, cols));
    for (item, area) in items.iter().zip(panels.iter()) {
        let km = &item.choice.km;
        let lo = km.first().map_or(0.01, |p| p.0).max(1e-3);
        let hi = km.last().map_or(10.0, |p| p.0).max(lo * 10.0);
        let mut chart = ChartBuilder::on(area)
            .caption(&item.title, (FONT, 20))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((lo..hi).log_scale(), 0.0..1.0)
            .map_err(fail(NAME))?;
        chart
            .configure_mesh()
            .x_labels(6)
            .light_line_style(WHITE)
            .x_label_formatter(&|v| {
                if *v >= 10.0 {
                    format!("{v:.0}")
                } else if *v >= 1.0 {
                    format!("{v:.1}")
                } else {
                    format!("{v:.2}")
                }
            })
            .x_desc(format!("{} (log scale)", item.unit))
            .y_desc("Share lasting longer")
            .label_style((FONT, 14))
            .y_label_formatter(&|v| format!("{:.0}%", v * 100.0))
            .draw()
            .map_err(fail(NAME))?;
        let mut steps = vec![(lo, 1.0)];
        let mut prev = 1.0;
        for &(x, s) in km {
            steps.push((x.max(lo), prev));
            steps.push((x.max(lo), s));
            prev = s;
        }
        chart.draw_series(LineSeries::new(steps, colours::DARK_BLUE.stroke_width(3))).map_err(fail(NAME))?;
        let d = &item.choice.chosen;
        let curve: Vec<(f64, f64)> =
            (0..=200).map(|i| lo * (hi / lo).powf(f64::from(i) / 200.0)).map(|x| (x, d.survival(x))).collect();
        chart.draw_series(LineSeries::new(curve, colours::RED.stroke_width(2))).map_err(fail(NAME))?;
    }
    Ok(())
}

/// Draws `ed_profiles.png`: hour-of-day shares, weekday means and monthly means, observed and generated.
fn draw_profiles<DB: DrawingBackend>(cal: &Calibration, root: &DrawingArea<DB, Shift>) -> Result<(), PlotError> {
    const NAME: &str = "ed_profiles";
    let Some(ed) = &cal.ed else { return Ok(()) };
    let body = root
        .titled(
            "ED attendances: the data (bars) and what the scenario generates (line)",
            (FONT, 28).into_font().style(FontStyle::Bold),
        )
        .map_err(fail(NAME))?;
    let panels = body.split_evenly((3, 1));
    let total: f64 = ed.hour_counts.iter().sum();
    let hours: Vec<f64> = ed.hour_counts.iter().map(|c| c / total * 100.0).collect();
    let weekday: Vec<f64> = ed.weekday_means.to_vec();
    let model_weekday: Vec<f64> = ed.day_of_week.iter().map(|w| w * ed.per_day).collect();
    let months: Vec<(String, f64, f64)> = cal
        .month_means
        .iter()
        .map(|&((y, m), mean)| {
            let factor = cal.months.get(&m).copied().unwrap_or(1.0);
            (format!("{} {y}", month_name(m)), mean, ed.per_day * factor)
        })
        .collect();
    let labels_h: Vec<String> = (0..24).map(|h| format!("{h:02}")).collect();
    let labels_w: Vec<String> =
        ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"].iter().map(|s| s.to_string()).collect();
    let labels_m: Vec<String> = months.iter().map(|m| m.0.clone()).collect();
    bars(
        &panels[0],
        "Share of attendances by clock hour (the scenario uses these shares)",
        "% of attendances",
        &labels_h,
        &hours,
        &hours,
        NAME,
    )?;
    bars(
        &panels[1],
        "Mean attendances by weekday (bank holidays left out; line: rate x weekday weight)",
        "Attendances a day",
        &labels_w,
        &weekday,
        &model_weekday,
        NAME,
    )?;
    let (obs, generated): (Vec<f64>, Vec<f64>) = months.iter().map(|m| (m.1, m.2)).unzip();
    bars(
        &panels[2],
        "Mean attendances a day by month (line: rate x month factor)",
        "Attendances a day",
        &labels_m,
        &obs,
        &generated,
        NAME,
    )?;
    Ok(())
}

fn bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    y: &str,
    labels: &[String],
    observed: &[f64],
    model: &[f64],
    name: &'static str,
) -> Result<(), PlotError> {
    let top = observed.iter().chain(model).copied().fold(0.0, f64::max) * 1.15;
    let n = labels.len();
    let mut chart = ChartBuilder::on(area)
        .caption(title, (FONT, 20))
        .margin(12)
        .x_label_area_size(36)
        .y_label_area_size(70)
        .build_cartesian_2d(-0.5..(n as f64 - 0.5), 0.0..top.max(1e-9))
        .map_err(fail(name))?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .light_line_style(WHITE)
        .x_labels(n)
        .x_label_formatter(&|x| {
            let i = x.round();
            if (x - i).abs() < 1e-6 && i >= 0.0 {
                labels.get(i as usize).cloned().unwrap_or_default()
            } else {
                String::new()
            }
        })
        .y_desc(y)
        .label_style((FONT, 14))
        .draw()
        .map_err(fail(name))?;
    chart
        .draw_series(observed.iter().enumerate().map(|(i, &v)| {
            Rectangle::new([(i as f64 - 0.38, 0.0), (i as f64 + 0.38, v)], colours::BAND_INNER.filled())
        }))
        .map_err(fail(name))?;
    chart
        .draw_series(LineSeries::new(
            model.iter().enumerate().map(|(i, &v)| (i as f64, v)),
            colours::DARK_BLUE.stroke_width(3),
        ))
        .map_err(fail(name))?;
    Ok(())
}

/// Writes a figure as PNG.
fn png(
    dir: &Path,
    name: &str,
    size: (u32, u32),
    draw: impl Fn(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<(), PlotError>,
) -> Result<(), PlotError> {
    ensure_font()?;
    let path = dir.join(format!("{name}.png"));
    let root = BitMapBackend::new(&path, size).into_drawing_area();
    root.fill(&WHITE).map_err(|e| PlotError::new(name, format!("{e:?}")))?;
    draw(&root)?;
    root.present().map_err(|e| PlotError::new(name, format!("{e:?}")))?;
    Ok(())
}

/// Writes `calibration.html`, `fits.png` and (with attendances) `ed_profiles.png` into `dir`.
pub fn write(cal: &Calibration, dir: &Path, scenario_file: &str) -> std::io::Result<()> {
    let rows = durations(cal).len().div_ceil(3).max(1) as u32;
    png(dir, "fits", (1800, 120 + 420 * rows), |r| draw_fits(cal, r)).map_err(std::io::Error::other)?;
    if cal.ed.is_some() {
        png(dir, "ed_profiles", (1800, 1500), |r| draw_profiles(cal, r)).map_err(std::io::Error::other)?;
    }
    std::fs::write(dir.join("calibration.html"), html(cal, scenario_file))
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// The report page.
pub fn html(cal: &Calibration, scenario_file: &str) -> String {
    let o = &cal.options;
    let fits = durations(cal);
    let page = html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                title { "Calibration: " (o.name) }
                style { (PreEscaped(CSS)) }
            }
            body {
                h1 { "Calibration of " (o.name) }
                p { "From the extracts below, data from " (o.from) " to " (o.to) ". The scenario written is "
                    code { (scenario_file) } "; check it with " code { "bedflow check" } " and test it against the same data with "
                    code { "bedflow backtest" } "." }
                h2 { "Data used" }
                table {
                    tr { th { "File" } th { "Rows skipped or fields ignored" } }
                    @for (file, p) in &cal.problems {
                        tr { td { (file) } td {
                            @if p.total() == 0 { "none" }
                            @for line in p.lines() { (line) br; }
                        } }
                    }
                }
                p { (cal.spells_used) " spells admitted in the range"
                    @if let Some(ed) = &cal.ed { ", " (ed.attendances) " attendances" } "." }
                @if let Some(ed) = &cal.ed {
                    h2 { "Emergency department" }
                    table {
                        tr { th { "Attendances a day (weekly average, before month factors)" } td { (format!("{:.1}", ed.per_day)) } }
                        tr { th { "Admission probability" } td { (pct(ed.admission_probability)) } }
                        tr { th { "Bank-holiday factor" } td { (format!("{:.3} ({} bank holidays)", ed.bank_holiday_factor, ed.bank_holidays)) } }
                        @if let Some(a) = ed.ambulance_share { tr { th { "Arriving by ambulance" } td { (pct(a)) } } }
                    }
                    img src="ed_profiles.png" alt="ED attendances by hour, weekday and month: data and scenario";
                }
                h2 { "Month factors" }
                table {
                    tr { th { "Month" } @for m in cal.months.keys() { th { (month_name(*m)) } } }
                    tr { td { "Factor" } @for f in cal.months.values() { td { (format!("{f:.3}")) } } }
                }
                h2 { "Admission routes" }
                table {
                    tr { th { "Route" } th { "Pool" } th { "Spells" } th { "ED share or a day" } th { "Stay written" } th { "Mean (days)" } }
                    @for r in &cal.routes {
                        tr {
                            td { (r.name) }
                            td { (r.pool) }
                            td { (r.spells) }
                            td { @if r.share > 0.0 { (pct(r.share)) } @else { (format!("{:.2} a day", r.per_day)) } }
                            td { code { (write::dist(&r.stay.chosen)) } }
                            td { (format!("{:.2}", r.stay.chosen.mean())) }
                        }
                    }
                }
                @if let Some(d) = &cal.discharge {
                    h2 { "Discharge and pathways" }
                    table {
                        tr { th { "Weekend review share" } td { (format!("{:.3}", d.weekend_review_share)) } }
                        tr { th { "Bank-holiday review share" } td { (format!("{:.3}", d.bank_holiday_review_share)) } }
                        tr { th { "P0: mean wait from ready to discharge" } td { (format!("{:.2} days", d.p0_wait_days)) } }
                    }
                    table {
                        tr { th { "Pool" } th { "P1" } th { "P2" } th { "P3" } }
                        @for (pool, s) in &d.shares { tr { td { (pool) } td { (pct(s[0])) } td { (pct(s[1])) } td { (pct(s[2])) } } }
                    }
                }
                h2 { "Fits" }
                p { "Each duration is fitted by maximum likelihood (censored at the end of the extract) as lognormal, gamma and Weibull. "
                    "AIC (Akaike information criterion, 4 - 2 x log-likelihood: lower is better) ranks them; the gap is the largest "
                    "difference, anywhere, between the fitted distribution's CDF and the data's Kaplan-Meier curve. The lowest AIC is "
                    "written if its gap is within the threshold max(0.03, 1.63 / sqrt(n)), n the observations; otherwise 100 quantiles "
                    "of the data (empirical). Pathway delays are discharge minus ready, less the P0 patients' mean wait." }
                table {
                    tr { th { "Duration" } th { "Observations (n)" } th { "Lognormal AIC (gap)" } th { "Gamma AIC (gap)" } th { "Weibull AIC (gap)" } th { "Threshold" } th { "Written" } }
                    @for f in &fits {
                        tr {
                            td { (f.title) }
                            td { (f.choice.n) }
                            @for fam in super::fit::Family::ALL {
                                td { @match f.choice.fits.iter().find(|x| x.family == fam) {
                                    Some(x) => (format!("{:.0} ({:.3})", x.aic, x.distance)),
                                    None => "-",
                                } }
                            }
                            td { (format!("{:.3}", f.choice.threshold)) }
                            td { @if f.choice.is_empirical() { "empirical" } @else { (f.choice.best().map_or("", |b| b.family.name())) } }
                        }
                    }
                }
                img src="fits.png" alt="Survival curves of each fitted duration: data against the distribution written";
            }
        }
    };
    page.into_string()
}

fn month_name(m: u32) -> &'static str {
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        .get(m as usize - 1)
        .copied()
        .unwrap_or("?")
}

const CSS: &str = "body { font-family: 'DejaVu Sans', Arial, sans-serif; color: #212b32; max-width: 1200px; margin: 0 auto; padding: 24px; }
h1 { color: #003087; border-bottom: 4px solid #005eb8; }
h2 { color: #003087; border-bottom: 1px solid #d8dde0; margin-top: 32px; }
table { border-collapse: collapse; margin: 8px 0 16px; font-size: 0.92em; }
td, th { border-bottom: 1px solid #d8dde0; padding: 4px 10px; text-align: left; vertical-align: top; }
img { max-width: 100%; border: 1px solid #d8dde0; margin: 8px 0; }
code { font-size: 0.85em; }";
