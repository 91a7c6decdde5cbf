//! The scenario file: the only code that knows TOML.
//!
//! [`load`] reads a file, checks every field and returns a validated
//! [`Model`], or a [`ScenarioError`] listing every problem with its file, line,
//! column and field. Field meanings are documented in `scenarios/winter-2026-27.toml`.
//!
//! # What is read, and what is shown
//!
//! A scenario, and every file it `extends`, must be a regular file whose name
//! (and, through a symbolic link, the target's name) ends in `.toml`, of at
//! most [`limits::MAX_FILE_BYTES`]; `-`, `/dev/stdin`, devices, FIFOs and
//! folders are refused before anything is read (details in `sources.rs`). A
//! TOML file none of whose top-level keys is a scenario's is refused without
//! quoting it. A diagnostic quotes at most the one line where the problem is
//! (cut at 160 characters), and control characters and bidirectional
//! overrides anywhere in a diagnostic are shown as `\u{1b}`-style escapes.
//!
//! # Names
//!
//! Pool, admission route and specialty names, and the scenario's name, become
//! CSV cells, plot labels and (the scenario's) the output folder's name, so
//! every name must:
//! - not be empty, nor start or end with whitespace;
//! - contain no control character (tab included) or bidirectional override;
//! - not start with `=`, `+`, `-` or `@`: a spreadsheet opening the CSV would
//!   run it as a formula (names are refused rather than CSV cells prefixed, so
//!   the CSVs hold the names exactly as written);
//! - pool, route and specialty names: at most 60 bytes of letters, digits,
//!   spaces and `_-&/()`; two names of one kind that differ only in runs of
//!   whitespace (`"general  medicine"`, `"general medicine"`) are duplicates;
//! - the scenario name: at most 100 of ASCII letters, digits, `.`, `_` and
//!   `-`, not starting with `.` (so never `.`, `..`, or a path with `/` or `\`).

mod diagnostic;
pub mod fingerprint;
mod reader;
pub mod size;
mod sources;

pub use diagnostic::{Diagnostic, ScenarioError};

use crate::calendar::{Calendar, Region, built_in};
use crate::dist::Distribution;
use crate::model::{
    ArrivalProcess, BedPool, DischargePolicy, Ed, ElectiveCut, Escalation, EscalationCost, Model, Opel, Route,
    RouteSource, Seasonality, Specialty, TheatreList, TimeProfile, WhenFull,
};
use chrono::{Datelike, NaiveDate};
pub use reader::Source;
use reader::{Ctx, Rule, Tbl, Val, as_table, number};
use std::path::Path;

/// Limits that keep a run inside memory and the engine's integer time.
pub mod limits {
    /// Replications in one run.
    pub const MAX_REPLICATIONS: i64 = 1_000_000;
    /// Warm-up plus reported days (integer seconds stay far inside u32).
    pub const MAX_HORIZON_DAYS: i64 = 20_000;
    pub const MAX_WARMUP_DAYS: i64 = 3_650;
    pub const MAX_BEDS: i64 = 1_000_000;
    /// Arrivals a day on any stream.
    pub const MAX_PER_DAY: f64 = 1_000_000.0;
    /// Expected patients in one replication over every stream (ED attendances,
    /// direct admissions, elective referrals and initial waiting lists,
    /// theatre-list cases), from the effective rates after hour and weekday
    /// weights, seasonality and bank-holiday factors, over warm-up, reported
    /// days and cool-down. Bounds a replication's time and the patients (and
    /// so pending events, one each) in memory: pending events stay far below
    /// the 2^30 the event queue renumbers within.
    pub const MAX_ARRIVALS_PER_REPLICATION: f64 = 200_000_000.0;
    /// Expected arrivals in any one clock hour of any stream.
    pub const MAX_PER_HOUR: f64 = 10_000_000.0;
    /// A seasonality factor, a product of overlapping seasonality ranges on
    /// any day, and a `bank_holiday_factor`.
    pub const MAX_FACTOR: f64 = 100.0;
    /// `[[pool]]`, `[[admissions]]`, `[[specialty]]`, `[[theatre_list]]`,
    /// `[[seasonality]]` and `[[elective_cut]]` tables, each.
    pub const MAX_TABLES: usize = 1_000;
    /// Entries of the engine's precomputed tables (hourly rates per stream,
    /// theatre sessions, bed meetings): 8-16 bytes each.
    pub const MAX_PLAN_ENTRIES: u64 = 50_000_000;
    /// Memory a run may plan for: the reducer's daily cells, the replications
    /// in flight and (for `compare` and `sweep`) the KPIs kept per run.
    pub const MAX_RUN_BYTES: u64 = 4_000_000_000;
    /// Expected arrivals over all replications of a run (about a day of
    /// computing at 10 million events a second).
    pub const MAX_TOTAL_ARRIVALS: f64 = 200_000_000_000.0;
    /// Scenario file size.
    pub const MAX_FILE_BYTES: u64 = 4 * 1024 * 1024;
    /// Entries of `calendar.extra_holidays`.
    pub const MAX_EXTRA_HOLIDAYS: usize = 1_000;
}

/// Why a scenario could not be loaded.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("error: cannot read scenario {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("error: scenario {path} is {size} bytes; the limit is {limit} bytes")]
    TooLarge { path: String, size: u64, limit: u64 },
    /// Not a regular `.toml` file (a device, FIFO, folder, `-`, `/etc/shadow`...):
    /// refused before anything is read from it.
    #[error("error: scenario {path} refused: {reason}")]
    Refused { path: String, reason: String },
    #[error("{0}")]
    Invalid(#[from] ScenarioError),
}

/// Reads and validates a scenario file (and any scenarios it `extends`).
pub fn load(path: &Path) -> Result<Model, LoadError> {
    load_with(path, &[])
}

/// Like [`load`], with `--set path=value` overrides applied (e.g.
/// `("pool.medicine.beds", "415")`): a sweep's or a quick experiment's change.
pub fn load_with(path: &Path, sets: &[(String, String)]) -> Result<Model, LoadError> {
    let mut chain = sources::read_chain(path)?;
    for (p, v) in sets {
        chain.push(Source {
            file: format!("--set {p}={v}"),
            text: format!("value = {v}\n"),
            start: 0,
            sets: Some(p.clone()),
        });
    }
    sources::lay_end_to_end(&mut chain);
    Ok(parse_sources(&chain)?)
}

/// Parses and validates scenario text; `file` names it in messages. A
/// scenario read this way cannot `extend` another (there is no folder to
/// resolve the path in).
pub fn parse_str(text: &str, file: &str) -> Result<Model, ScenarioError> {
    let chain = [Source { file: file.to_string(), text: text.to_string(), start: 0, sets: None }];
    parse_sources(&chain)
}

fn parse_sources(sources: &[Source]) -> Result<Model, ScenarioError> {
    let mut cx = Ctx { sources, diags: Vec::new() };
    let merged = sources::merge_all(&mut cx);
    let model = merged.and_then(|root| {
        let tbl = Tbl { map: &root, span: (0, 0), path: "" };
        build(&mut cx, tbl)
    });
    let file = sources.iter().rev().find(|s| s.sets.is_none()).map_or(String::new(), |s| s.file.clone());
    match model {
        Some(m) if cx.diags.is_empty() => Ok(m),
        _ => {
            let mut diagnostics = cx.diags;
            if diagnostics.is_empty() {
                // build() returns None only after reporting; keep the promise anyway.
                diagnostics.push(reader::locate(sources, 0..0, String::new(), "invalid scenario".into()));
            }
            let order = |f: &str| sources.iter().position(|s| s.file == f).unwrap_or(0);
            diagnostics.sort_by_key(|d| (usize::MAX - order(&d.file), d.line, d.column));
            Err(ScenarioError { file, diagnostics })
        }
    }
}

const ROOT_KEYS: &[&str] = &[
    "extends",
    "scenario",
    "calendar",
    "ed",
    "seasonality",
    "admissions",
    "pool",
    "discharge",
    "specialty",
    "theatre_list",
    "elective_cut",
    "opel",
];

/// Reads every section, reporting all problems; `None` if any were found.
fn build(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> Option<Model> {
    root.check_keys(cx, ROOT_KEYS);

    let head = read_scenario(cx, root);
    let (region, extra) = read_calendar(cx, root);
    let ed = root.table(cx, "ed", "ed").map(|t| read_ed(cx, t));
    let seasonality: Vec<Option<Seasonality>> =
        root.tables(cx, "seasonality").into_iter().map(|(v, p)| read_seasonality(cx, v, &p)).collect();
    let pools: Vec<Option<BedPool>> = root.tables(cx, "pool").into_iter().map(|(v, p)| read_pool(cx, v, &p)).collect();
    if !root.has("pool") {
        cx.err(0..0, "pool", "no [[pool]] defined: a scenario needs at least one bed pool");
    }
    let pool_names = valid_names(cx, root, "pool");
    check_unique_names(cx, root, "pool", &pool_names);
    let routes: Vec<Option<Route>> =
        root.tables(cx, "admissions").into_iter().map(|(v, p)| read_route(cx, v, &p, &pool_names)).collect();
    if !root.has("admissions") {
        cx.err(0..0, "admissions", "no [[admissions]] defined: a scenario needs at least one admission route");
    }
    let route_names = valid_names(cx, root, "admissions");
    check_unique_names(cx, root, "admissions", &route_names);
    let discharge = match root.table(cx, "discharge", "discharge") {
        Some(t) => read_discharge(cx, t),
        None => Some(DischargePolicy::OnReady),
    };
    let specialties: Vec<Option<Specialty>> =
        root.tables(cx, "specialty").into_iter().map(|(v, p)| read_specialty(cx, v, &p)).collect();
    let specialty_names = valid_names(cx, root, "specialty");
    check_unique_names(cx, root, "specialty", &specialty_names);
    let theatre_lists: Vec<Option<TheatreList>> = root
        .tables(cx, "theatre_list")
        .into_iter()
        .map(|(v, p)| read_theatre_list(cx, v, &p, &specialty_names, &pool_names))
        .collect();
    let elective_cuts: Vec<Option<ElectiveCut>> = root
        .tables(cx, "elective_cut")
        .into_iter()
        .map(|(v, p)| read_elective_cut(cx, v, &p, &specialty_names))
        .collect();

    // Cross-field checks need the pieces they compare.
    let ed = ed.flatten();
    check_ed_routes(cx, root);
    // Read before any `?` below, so its problems come in the same pass.
    let opel = match root.table(cx, "opel", "opel") {
        Some(t) => read_opel(cx, t).map(Some),
        None if root.has("opel") => None,
        None => Some(None),
    };

    let head = head?;
    let calendar_window = head.start - chrono::Days::new(head.warmup_days as u64)
        ..=head.end + chrono::Days::new(crate::engine::COOLDOWN_DAYS as u64);
    let region = region?;
    let (_, years) = built_in(region);
    if region != Region::None
        && (calendar_window.start().year() < *years.start() || calendar_window.end().year() > *years.end())
    {
        let span = root
            .get("calendar")
            .and_then(|c| match c.get_ref() {
                toml::de::DeValue::Table(t) => t.get("bank_holidays").map(|v| v.span()),
                _ => None,
            })
            .unwrap_or(0..0);
        cx.err(
            span,
            "calendar.bank_holidays",
            format!(
                "built-in {} dates cover {}-{}, but the simulation runs {} to {} (warm-up included); \
                 use bank_holidays = \"none\" and list the dates in extra_holidays",
                region.name(),
                years.start(),
                years.end(),
                calendar_window.start(),
                calendar_window.end()
            ),
        );
    }
    let extra = extra?;
    let seasonality: Vec<Seasonality> = seasonality.into_iter().collect::<Option<_>>()?;
    let pools: Vec<BedPool> = pools.into_iter().collect::<Option<_>>()?;
    let routes: Vec<Route> = routes.into_iter().collect::<Option<_>>()?;
    let discharge = discharge?;
    let specialties: Vec<Specialty> = specialties.into_iter().collect::<Option<_>>()?;
    let theatre_lists: Vec<TheatreList> = theatre_lists.into_iter().collect::<Option<_>>()?;
    let elective_cuts: Vec<ElectiveCut> = elective_cuts.into_iter().collect::<Option<_>>()?;
    let opel = opel?;
    if pools.is_empty() || routes.is_empty() || !cx.diags.is_empty() {
        return None;
    }
    let model = Model {
        name: head.name,
        start: head.start,
        end: head.end,
        warmup_days: head.warmup_days,
        replications: head.replications,
        seed: head.seed,
        calendar: Calendar::new(region, &extra),
        ed,
        seasonality,
        routes,
        pools,
        discharge,
        specialties,
        theatre_lists,
        elective_cuts,
        opel,
    };
    check_size(cx, root, &model);
    Some(model)
}

struct Head {
    name: String,
    start: NaiveDate,
    end: NaiveDate,
    warmup_days: u32,
    replications: u32,
    seed: u64,
}

fn read_scenario(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> Option<Head> {
    let Some(t) = root.table(cx, "scenario", "scenario") else {
        if !root.has("scenario") {
            cx.err(0..0, "scenario", "missing [scenario] table (name, start, end, warmup_days, replications, seed)");
        }
        return None;
    };
    t.check_keys(cx, &["name", "start", "end", "warmup_days", "replications", "seed"]);
    let name = t.str_req(cx, "name", "a name such as \"winter-2026-27\"").and_then(|(s, span)| {
        // It names the output folder, so also no '/', '\\' or leading '.' (no "." or "..").
        let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
        let why = name_problem(
            s,
            100,
            allowed,
            "ASCII letters, digits, '.', '_' and '-', not starting with '.' (it names the output folder)",
        )
        .or_else(|| {
            s.starts_with('.').then(|| "a scenario name must not start with '.' (it names the output folder)".into())
        });
        if let Some(why) = why {
            cx.err(span, "scenario.name", format!("{why}, found \"{s}\""));
            return None;
        }
        Some(s.to_string())
    });
    let start = t.date_req(cx, "start");
    let end = t.date_req(cx, "end");
    let warmup = t.int_req(cx, "warmup_days", 0, limits::MAX_WARMUP_DAYS, "a whole number of days between 0 and 3650");
    let reps = t.int_req(
        cx,
        "replications",
        1,
        limits::MAX_REPLICATIONS,
        "a whole number of replications between 1 and 1000000",
    );
    let seed = t.int_req(cx, "seed", 0, i64::MAX, "a whole number >= 0");
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            let span = t.get("end").map(reader::span_of).unwrap_or(t.span());
            cx.err(span, "scenario.end", format!("end ({e}) is before start ({s}); end is the last reported day"));
            return None;
        }
        if let Some(w) = warmup {
            let days = (e - s).num_days() + 1 + w;
            if days > limits::MAX_HORIZON_DAYS {
                let span = t.get("end").map(reader::span_of).unwrap_or(t.span());
                cx.err(
                    span,
                    "scenario.end",
                    format!("the run covers {days} days with warm-up; the limit is {}", limits::MAX_HORIZON_DAYS),
                );
                return None;
            }
        }
    }
    Some(Head {
        name: name?,
        start: start?,
        end: end?,
        warmup_days: warmup? as u32,
        replications: reps? as u32,
        seed: seed? as u64,
    })
}

fn read_calendar(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> (Option<Region>, Option<Vec<NaiveDate>>) {
    let Some(t) = root.table(cx, "calendar", "calendar") else {
        return if root.has("calendar") { (None, None) } else { (Some(Region::None), Some(Vec::new())) };
    };
    t.check_keys(cx, &["bank_holidays", "extra_holidays"]);
    let region = match t.get("bank_holidays") {
        None => Some(Region::None),
        Some(_) => t.choice(cx, "bank_holidays", &Region::NAMES).and_then(|(s, _)| Region::parse(s)),
    };
    let extra = match t.array(cx, "extra_holidays") {
        None if t.has("extra_holidays") => None,
        None => Some(Vec::new()),
        Some((items, _)) if items.len() > limits::MAX_EXTRA_HOLIDAYS => {
            cx.err(
                items[limits::MAX_EXTRA_HOLIDAYS].span(),
                format!("calendar.extra_holidays[{}]", limits::MAX_EXTRA_HOLIDAYS + 1),
                format!("{} extra holidays; the limit is {}", items.len(), limits::MAX_EXTRA_HOLIDAYS),
            );
            None
        }
        Some((items, _)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| reader::date(cx, v, &format!("calendar.extra_holidays[{}]", i + 1)))
            .collect::<Vec<_>>()
            .into_iter()
            .collect(),
    };
    (region, extra)
}

/// Reads `hour_of_day`, `day_of_week` and `bank_holiday_factor` from a table.
fn read_profile(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<TimeProfile> {
    let mut profile = TimeProfile::flat();
    let mut ok = true;
    if let Some(w) = weights(cx, t, "hour_of_day", 24) {
        profile.hour_share = std::array::from_fn(|h| w[h] / w.iter().sum::<f64>());
        ok &= normalised(cx, t, "hour_of_day", &profile.hour_share, 1.0);
    } else {
        ok &= !t.has("hour_of_day");
    }
    if let Some(w) = weights(cx, t, "day_of_week", 7) {
        let mean = w.iter().sum::<f64>() / 7.0;
        profile.day_multiplier = std::array::from_fn(|d| w[d] / mean);
        ok &= normalised(cx, t, "day_of_week", &profile.day_multiplier, 7.0);
    } else {
        ok &= !t.has("day_of_week");
    }
    match t.f64(cx, "bank_holiday_factor", Rule::NonNegative) {
        Some(f) if f > limits::MAX_FACTOR => {
            let span = t.get("bank_holiday_factor").map(reader::span_of).unwrap_or(t.span());
            cx.err(
                span,
                t.field("bank_holiday_factor"),
                format!("expected a factor of at most {}, found {}", limits::MAX_FACTOR, show(f)),
            );
            ok = false;
        }
        Some(f) => profile.bank_holiday_factor = f,
        None => ok &= !t.has("bank_holiday_factor"),
    }
    ok.then_some(profile)
}

/// A number for a message: scientific notation when very large or small.
fn show(x: f64) -> String {
    if x != 0.0 && (x.abs() >= 1e9 || x.abs() < 1e-6) { format!("{x:e}") } else { format!("{x}") }
}

/// Normalised weights must be finite and keep their sum (1 for hour shares,
/// 7 for weekday multipliers): weights so small that dividing by their total
/// overflows or loses precision (subnormal numbers) are refused.
fn normalised(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, values: &[f64], sum: f64) -> bool {
    let total: f64 = values.iter().sum();
    if values.iter().all(|v| v.is_finite()) && (total - sum).abs() <= 1e-9 * sum {
        return true;
    }
    let span = t.get(key).map(reader::span_of).unwrap_or(t.span());
    cx.err(
        span,
        t.field(key),
        "weights are too small to normalise (their total underflows); they are relative, so scale them up, \
         e.g. 1 for an average hour or day",
    );
    false
}

/// `n` non-negative relative weights with a positive total.
fn weights(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, n: usize) -> Option<Vec<f64>> {
    let (items, span) = t.array(cx, key)?;
    let field = t.field(key);
    if items.len() != n {
        cx.err(span, field, format!("expected {n} relative weights, found {}", items.len()));
        return None;
    }
    let w: Option<Vec<f64>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| number(cx, v, &format!("{field}[{}]", i + 1), Rule::NonNegative))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let w = w?;
    if w.iter().sum::<f64>() <= 0.0 {
        cx.err(span, field, "expected at least one weight > 0");
        return None;
    }
    if let Some(i) = w.iter().position(|x| *x != 0.0 && !x.is_normal()) {
        cx.err(
            items[i].span(),
            format!("{field}[{}]", i + 1),
            format!("expected 0 or a weight of at least {:e} (not subnormal), found {}", f64::MIN_POSITIVE, show(w[i])),
        );
        return None;
    }
    Some(w)
}

fn read_ed(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Ed> {
    t.check_keys(
        cx,
        &[
            "attendances_per_day",
            "hour_of_day",
            "day_of_week",
            "bank_holiday_factor",
            "admission_probability",
            "hours_to_decision",
            "hours_in_department",
        ],
    );
    let per_day = rate(cx, t, "attendances_per_day");
    let profile = read_profile(cx, t);
    let p = t.f64_req(cx, "admission_probability", Rule::Probability);
    let dta = dist_req(cx, t, "hours_to_decision");
    let dept = dist_req(cx, t, "hours_in_department");
    Some(Ed {
        attendances_per_day: per_day?,
        profile: profile?,
        admission_probability: p?,
        hours_to_decision: dta?,
        hours_in_department: dept?,
    })
}

/// A required arrival rate a day, within limits.
fn rate(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str) -> Option<f64> {
    let v = t.f64_req(cx, key, Rule::NonNegative)?;
    if v > limits::MAX_PER_DAY {
        let span = t.get(key).map(reader::span_of).unwrap_or(t.span());
        cx.err(span, t.field(key), format!("expected at most {} a day, found {v}", limits::MAX_PER_DAY));
        return None;
    }
    Some(v)
}

fn read_seasonality(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str) -> Option<Seasonality> {
    let t = as_table(cx, v, path)?;
    t.check_keys(cx, &["from", "to", "factor"]);
    let from = t.date_req(cx, "from");
    let to = t.date_req(cx, "to");
    let factor = t.f64_req(cx, "factor", Rule::NonNegative);
    if let (Some(f), Some(v)) = (factor, t.get("factor"))
        && f > limits::MAX_FACTOR
    {
        cx.err(
            v.span(),
            t.field("factor"),
            format!("expected a factor of at most {}, found {}", limits::MAX_FACTOR, show(f)),
        );
        return None;
    }
    if let (Some(f), Some(e)) = (from, to)
        && e < f
    {
        let span = t.get("to").map(reader::span_of).unwrap_or(t.span());
        cx.err(span, t.field("to"), format!("`to` ({e}) is before `from` ({f})"));
        return None;
    }
    Some(Seasonality { from: from?, to: to?, factor: factor? })
}

fn read_pool(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str) -> Option<BedPool> {
    let t = as_table(cx, v, path)?;
    t.check_keys(cx, &["name", "beds", "when_full", "cancel_electives_when_boarding", "escalation"]);
    let name = read_name(cx, t);
    let beds = t.int_req(cx, "beds", 1, limits::MAX_BEDS, "a whole number of beds between 1 and 1000000");
    let when_full = match t.get("when_full") {
        None => Some(WhenFull::Queue),
        Some(_) => t.choice(cx, "when_full", &["queue", "divert"]).map(|(s, _)| match s {
            "divert" => WhenFull::Divert,
            _ => WhenFull::Queue,
        }),
    };
    let cancel = t.bool_or(cx, "cancel_electives_when_boarding", false);
    let escalation_path = t.field("escalation");
    let escalation = match t.table(cx, "escalation", &escalation_path) {
        Some(e) => Some(read_escalation(cx, e)?),
        None if t.has("escalation") => return None,
        None => None,
    };
    Some(BedPool {
        name: name?,
        beds: beds? as u32,
        when_full: when_full?,
        cancel_electives_when_boarding: cancel?,
        escalation,
    })
}

/// Three ascending thresholds (levels 2, 3, 4).
fn thresholds(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, rule: Rule) -> Option<[f64; 3]> {
    let (items, span) = t.array_req(cx, key, "three ascending thresholds for OPEL levels 2, 3 and 4")?;
    let field = t.field(key);
    let v: Option<Vec<f64>> = items
        .iter()
        .enumerate()
        .map(|(i, v)| number(cx, v, &format!("{field}[{}]", i + 1), rule))
        .collect::<Vec<_>>()
        .into_iter()
        .collect();
    let v = v?;
    if v.len() != 3 || v[0] > v[1] || v[1] > v[2] {
        cx.err(span, field, "expected three ascending thresholds for OPEL levels 2, 3 and 4");
        return None;
    }
    Some([v[0], v[1], v[2]])
}

fn read_opel(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Opel> {
    t.check_keys(cx, &["occupancy", "boarders", "waits_over_12h"]);
    let occupancy = thresholds(cx, t, "occupancy", Rule::NonNegative);
    let boarders = thresholds(cx, t, "boarders", Rule::NonNegative);
    let waits = thresholds(cx, t, "waits_over_12h", Rule::NonNegative);
    let whole = |a: [f64; 3]| a.map(|x| x.round() as u32);
    Some(Opel { occupancy: occupancy?, boarders: whole(boarders?), waits_over_12h: whole(waits?) })
}

fn read_escalation(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<Escalation> {
    t.check_keys(
        cx,
        &[
            "max_beds",
            "beds_per_step",
            "review_hours",
            "open_at_occupancy",
            "open_at_boarders",
            "close_below_occupancy",
            "min_days_open",
            "windows",
            "cost_per_open_bed_day",
            "nurses_per_bed",
            "nurse_hourly_cost",
            "agency_share",
            "agency_premium",
            "cost_per_occupied_bed_day",
            "cost_per_opening",
        ],
    );
    let max = t.int_req(cx, "max_beds", 1, limits::MAX_BEDS, "a whole number of beds >= 1");
    let step = t.int_req(cx, "beds_per_step", 1, limits::MAX_BEDS, "a whole number of beds >= 1");
    if let (Some(m), Some(s), Some(v)) = (max, step, t.get("beds_per_step"))
        && s > m
    {
        cx.err(v.span(), t.field("beds_per_step"), format!("a step of {s} beds is more than max_beds ({m})"));
        return None;
    }
    let reviews = match t.array_req(cx, "review_hours", "bed-meeting hours such as [8, 14, 20]") {
        None => None,
        Some((items, span)) => {
            let hours: Option<Vec<u32>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    reader::integer(cx, v, &format!("{}[{}]", t.field("review_hours"), i + 1), 0, 23, "an hour 0..23")
                        .map(|h| h as u32)
                })
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            match hours {
                Some(h) if !h.is_empty() && h.windows(2).all(|w| w[0] < w[1]) => Some(h),
                Some(_) => {
                    cx.err(span, t.field("review_hours"), "expected at least one hour, in ascending order");
                    None
                }
                None => None,
            }
        }
    };
    let open_occ = t.f64_req(cx, "open_at_occupancy", Rule::Positive);
    let open_boarders = match t.get("open_at_boarders") {
        None => Some(None),
        Some(_) => {
            t.int(cx, "open_at_boarders", 1, 1_000_000, "a whole number of patients >= 1").map(|b| Some(b as u32))
        }
    };
    let close_occ = t.f64_req(cx, "close_below_occupancy", Rule::Positive);
    if let (Some(o), Some(c), Some(v)) = (open_occ, close_occ, t.get("close_below_occupancy"))
        && c > o
    {
        cx.err(
            v.span(),
            t.field("close_below_occupancy"),
            format!("must not exceed open_at_occupancy ({o}) or beds would open and close at once, found {c}"),
        );
        return None;
    }
    let min_days = match t.get("min_days_open") {
        None => Some(0),
        Some(_) => t.int(cx, "min_days_open", 0, 3650, "a whole number of days between 0 and 3650"),
    };
    let windows = match t.array(cx, "windows") {
        None if t.has("windows") => None,
        None => Some(Vec::new()),
        Some((items, _)) => {
            let mut out = Some(Vec::new());
            for (i, v) in items.iter().enumerate() {
                let path = format!("{}[{}]", t.field("windows"), i + 1);
                let Some(w) = as_table(cx, v, &path) else {
                    out = None;
                    continue;
                };
                w.check_keys(cx, &["from", "to"]);
                match (w.date_req(cx, "from"), w.date_req(cx, "to")) {
                    (Some(f), Some(e)) if f <= e => {
                        if let Some(o) = out.as_mut() {
                            o.push((f, e));
                        }
                    }
                    (Some(f), Some(e)) => {
                        cx.err(w.span(), path, format!("`to` ({e}) is before `from` ({f})"));
                        out = None;
                    }
                    _ => out = None,
                }
            }
            out
        }
    };
    // Cost of an open bed-day: given directly, or from staffing.
    const STAFFING: [&str; 4] = ["nurses_per_bed", "nurse_hourly_cost", "agency_share", "agency_premium"];
    let direct = t.has("cost_per_open_bed_day");
    let staffed = STAFFING.iter().any(|k| t.has(k));
    let per_open = if direct && staffed {
        cx.err(
            t.span(),
            t.field("cost_per_open_bed_day"),
            "give cost_per_open_bed_day or the staffing fields, not both",
        );
        None
    } else if direct {
        t.f64(cx, "cost_per_open_bed_day", Rule::NonNegative).map(|c| (c, format!("GBP {c} per open bed-day (given)")))
    } else {
        let nurses = t.f64_req(cx, "nurses_per_bed", Rule::NonNegative);
        let hourly = t.f64_req(cx, "nurse_hourly_cost", Rule::NonNegative);
        let share = t.f64_req(cx, "agency_share", Rule::Probability);
        let premium = t.f64_req(cx, "agency_premium", Rule::NonNegative);
        match (nurses, hourly, share, premium) {
            (Some(n), Some(h), Some(s), Some(p)) => {
                let c = n * 24.0 * h * (1.0 + s * p);
                Some((
                    c,
                    format!(
                        "GBP {c:.2} per open bed-day = {n} nurses per bed x 24 h x GBP {h}/h x (1 + {s} agency share x {p} premium)"
                    ),
                ))
            }
            _ => None,
        }
    };
    let per_occupied = t
        .f64(cx, "cost_per_occupied_bed_day", Rule::NonNegative)
        .or(if t.has("cost_per_occupied_bed_day") { None } else { Some(0.0) });
    let per_opening =
        t.f64(cx, "cost_per_opening", Rule::NonNegative).or(if t.has("cost_per_opening") { None } else { Some(0.0) });
    let (per_open, basis) = per_open?;
    Some(Escalation {
        max_beds: max? as u32,
        beds_per_step: step? as u32,
        review_hours: reviews?,
        open_at_occupancy: open_occ?,
        open_at_boarders: open_boarders?,
        close_below_occupancy: close_occ?,
        min_days_open: min_days? as u32,
        windows: windows?,
        cost: EscalationCost {
            per_open_bed_day: per_open,
            per_occupied_bed_day: per_occupied?,
            per_opening: per_opening?,
            basis,
        },
    })
}

fn read_specialty(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str) -> Option<Specialty> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[
            "name",
            "waiting_list",
            "initial_wait_weeks",
            "referrals_per_week",
            "urgent_share",
            "inpatient_share",
            "stay_days",
        ],
    );
    let name = read_name(cx, t);
    let initial = t.int_req(cx, "waiting_list", 0, 1_000_000, "a whole number of patients between 0 and 1000000");
    let initial_wait = if t.has("initial_wait_weeks") {
        dist_req(cx, t, "initial_wait_weeks")
    } else {
        Some(Distribution::Uniform { min: 0.0, max: 18.0 })
    };
    let referrals = t.f64_req(cx, "referrals_per_week", Rule::NonNegative);
    if let (Some(r), Some(v)) = (referrals, t.get("referrals_per_week"))
        && r > limits::MAX_PER_DAY * 7.0
    {
        cx.err(
            v.span(),
            t.field("referrals_per_week"),
            format!("expected at most {} a week", limits::MAX_PER_DAY * 7.0),
        );
        return None;
    }
    let urgent = t.f64_req(cx, "urgent_share", Rule::Probability);
    let inpatient = t.f64_req(cx, "inpatient_share", Rule::Probability);
    let stay = dist_req(cx, t, "stay_days");
    Some(Specialty {
        name: name?,
        initial_list: initial? as u32,
        initial_wait_weeks: initial_wait?,
        referrals_per_week: referrals?,
        urgent_share: urgent?,
        inpatient_share: inpatient?,
        stay_days: stay?,
    })
}

/// Looks a name up among `names`, reporting an unknown one with the known list.
fn lookup(cx: &mut Ctx<'_>, t: Tbl<'_, '_>, key: &str, kind: &str, names: &[Option<&str>]) -> Option<usize> {
    let (s, span) = t.str_req(cx, key, &format!("the name of a [[{kind}]]"))?;
    let found = names.iter().position(|p| *p == Some(s));
    if found.is_none() && names.iter().all(|p| p.is_some()) {
        let known = names.iter().flatten().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
        let known =
            if known.is_empty() { "none are defined".to_string() } else { format!("the [[{kind}]] names are {known}") };
        cx.err(span, t.field(key), format!("unknown {kind} \"{s}\"; {known}"));
    }
    found
}

fn read_theatre_list(
    cx: &mut Ctx<'_>,
    v: &Val<'_>,
    path: &str,
    specialties: &[Option<&str>],
    pools: &[Option<&str>],
) -> Option<TheatreList> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &["specialty", "pool", "weekdays", "lists_per_day", "cases_per_list", "start_hour", "open_on_bank_holidays"],
    );
    let specialty = lookup(cx, t, "specialty", "specialty", specialties);
    let pool = lookup(cx, t, "pool", "pool", pools);
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let weekdays = match t.array_req(cx, "weekdays", "a list of days such as [\"Mon\", \"Wed\", \"Fri\"]") {
        None => None,
        Some((items, span)) => {
            let mut days = [false; 7];
            let mut ok = true;
            for (i, item) in items.iter().enumerate() {
                let field = format!("{}[{}]", t.field("weekdays"), i + 1);
                match item.get_ref() {
                    toml::de::DeValue::String(s) if DAYS.contains(&s.as_ref()) => {
                        days[DAYS.iter().position(|d| *d == s.as_ref()).unwrap_or(0)] = true;
                    }
                    _ => {
                        cx.err(
                            item.span(),
                            field,
                            "expected a day: one of \"Mon\", \"Tue\", \"Wed\", \"Thu\", \"Fri\", \"Sat\", \"Sun\"",
                        );
                        ok = false;
                    }
                }
            }
            if ok && !days.contains(&true) {
                cx.err(span, t.field("weekdays"), "expected at least one day");
                ok = false;
            }
            ok.then_some(days)
        }
    };
    let lists = t.int_req(cx, "lists_per_day", 1, 100, "a whole number of lists a day between 1 and 100");
    let cases = t.int_req(cx, "cases_per_list", 1, 100, "a whole number of cases between 1 and 100");
    let start = t.int_req(cx, "start_hour", 0, 23, "an hour between 0 and 23");
    let open = t.bool_or(cx, "open_on_bank_holidays", false);
    Some(TheatreList {
        specialty: specialty?,
        pool: pool?,
        weekdays: weekdays?,
        lists_per_day: lists? as u32,
        cases_per_list: cases? as u32,
        start_hour: start? as u32,
        open_on_bank_holidays: open?,
    })
}

fn read_elective_cut(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str, specialties: &[Option<&str>]) -> Option<ElectiveCut> {
    let t = as_table(cx, v, path)?;
    t.check_keys(cx, &["from", "to", "factor", "specialty"]);
    let from = t.date_req(cx, "from");
    let to = t.date_req(cx, "to");
    let factor = t.f64_req(cx, "factor", Rule::Probability);
    let specialty =
        if t.has("specialty") { lookup(cx, t, "specialty", "specialty", specialties).map(Some) } else { Some(None) };
    if let (Some(f), Some(e)) = (from, to)
        && e < f
    {
        let span = t.get("to").map(reader::span_of).unwrap_or(t.span());
        cx.err(span, t.field("to"), format!("`to` ({e}) is before `from` ({f})"));
        return None;
    }
    Some(ElectiveCut { from: from?, to: to?, factor: factor?, specialty: specialty? })
}

/// Why `s` cannot be a name, or `None` if it can. Names become CSV cells,
/// plot labels, terminal text and (the scenario's) a folder name, so every
/// name must be non-empty, hold no control character or bidirectional
/// override, not start or end with whitespace, and not start with `=`, `+`,
/// `-` or `@` (a spreadsheet opening the CSV would run it as a formula); then
/// at most `max` bytes of the characters `allowed` accepts.
fn name_problem(s: &str, max: usize, allowed: impl Fn(char) -> bool, chars: &str) -> Option<String> {
    if s.trim().is_empty() {
        return Some("a name must not be empty".into());
    }
    if s.chars().any(diagnostic::is_unsafe_char) {
        return Some("a name must not contain control characters or bidirectional overrides".into());
    }
    if s.starts_with(['=', '+', '-', '@']) {
        return Some(
            "a name must not start with '=', '+', '-' or '@' (a spreadsheet would read it as a formula)".into(),
        );
    }
    if s.trim() != s {
        return Some("a name must not start or end with a space".into());
    }
    if s.len() > max || !s.chars().all(allowed) {
        return Some(format!("expected a name of {chars}, at most {max} characters"));
    }
    None
}

/// The characters of a pool, route or specialty name.
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || " _-&/()".contains(c)
}

/// Why `s` cannot be a pool, route or specialty name.
fn item_name_problem(s: &str) -> Option<String> {
    name_problem(s, 60, is_name_char, "letters, digits, spaces and _-&/()")
}

/// A pool, route or specialty name: printable, no commas or quotes, so CSV and plots stay clean.
fn read_name(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<String> {
    let (s, span) = t.str_req(cx, "name", "a name such as \"medicine\"")?;
    if let Some(why) = item_name_problem(s) {
        cx.err(span, t.field("name"), format!("{why}, found \"{s}\""));
        return None;
    }
    Some(s.to_string())
}

/// Each `[[key]]` table's name, if valid (a bad one is reported by
/// read_name), even when other fields of the table are bad: so duplicates and
/// references to it are checked in the same pass as those fields.
fn valid_names<'a>(cx: &Ctx<'_>, root: Tbl<'a, '_>, key: &str) -> Vec<Option<&'a str>> {
    root.tables(&mut Ctx { sources: cx.sources, diags: Vec::new() }, key)
        .into_iter()
        .map(|(v, _)| match table_of(v)?.get("name")?.get_ref() {
            toml::de::DeValue::String(s) if item_name_problem(s).is_none() => Some(s.as_ref()),
            _ => None,
        })
        .collect()
}

/// Reports names that differ only in whitespace (`"general  medicine"` and
/// `"general medicine"`) as duplicates: their CSV rows could not be told apart.
fn check_unique_names(cx: &mut Ctx<'_>, root: Tbl<'_, '_>, key: &str, names: &[Option<&str>]) {
    let tables = root.tables(&mut Ctx { sources: cx.sources, diags: Vec::new() }, key);
    let folded: Vec<Option<String>> =
        names.iter().map(|n| n.map(|n| n.split_whitespace().collect::<Vec<_>>().join(" "))).collect();
    for (i, n) in names.iter().enumerate() {
        let Some(n) = n else { continue };
        let Some(first) = folded[..i].iter().position(|f| f.is_some() && *f == folded[i]) else { continue };
        let span = tables
            .get(i)
            .and_then(|(v, _)| match v.get_ref() {
                toml::de::DeValue::Table(t) => t.get("name").map(|v| v.span()),
                _ => None,
            })
            .unwrap_or(0..0);
        let same = if names[first] == Some(n) {
            format!("the same as {key}[{}]", first + 1)
        } else {
            format!("the same as {key}[{}] \"{}\" apart from spaces", first + 1, names[first].unwrap_or_default())
        };
        cx.err(
            span,
            format!("{key}[{}].name", i + 1),
            format!("duplicate name \"{n}\" ({same}); names must be unique"),
        );
    }
}

fn read_route(cx: &mut Ctx<'_>, v: &Val<'_>, path: &str, pools: &[Option<&str>]) -> Option<Route> {
    let t = as_table(cx, v, path)?;
    t.check_keys(
        cx,
        &[
            "name",
            "source",
            "share",
            "per_day",
            "arrivals",
            "hour_of_day",
            "day_of_week",
            "bank_holiday_factor",
            "pool",
            "stay_days",
        ],
    );
    let name = read_name(cx, t);
    let pool = t.str_req(cx, "pool", "the name of a [[pool]]").and_then(|(s, span)| {
        let found = pools.iter().position(|p| *p == Some(s));
        if found.is_none() && pools.iter().all(|p| p.is_some()) {
            let known = pools.iter().flatten().map(|p| format!("\"{p}\"")).collect::<Vec<_>>().join(", ");
            cx.err(span, t.field("pool"), format!("unknown pool \"{s}\"; the [[pool]] names are {known}"));
        }
        found
    });
    let stay = dist_req(cx, t, "stay_days");
    let source = match t.get("source") {
        None => {
            t.missing(cx, "source", "\"ed\" or \"direct\"");
            None
        }
        Some(_) => t.choice(cx, "source", &["ed", "direct"]).map(|(s, _)| s),
    };
    let only_for = |cx: &mut Ctx<'_>, keys: &[&str], src: &str| {
        for k in keys {
            if let Some(v) = t.get(k) {
                cx.err(v.span(), t.field(k), format!("`{k}` is only used when source = \"{src}\""));
            }
        }
    };
    let source = match source? {
        "ed" => {
            only_for(cx, &["per_day", "arrivals", "hour_of_day", "day_of_week", "bank_holiday_factor"], "direct");
            let share = t.f64_req(cx, "share", Rule::Probability);
            RouteSource::Ed { share: share? }
        }
        _ => {
            only_for(cx, &["share"], "ed");
            let per_day = rate(cx, t, "per_day");
            let process = match t.get("arrivals") {
                None => Some(ArrivalProcess::Poisson),
                Some(_) => t.choice(cx, "arrivals", &["poisson", "regular"]).map(|(s, _)| match s {
                    "regular" => ArrivalProcess::Regular,
                    _ => ArrivalProcess::Poisson,
                }),
            };
            if process == Some(ArrivalProcess::Regular) {
                for k in ["hour_of_day", "day_of_week", "bank_holiday_factor"] {
                    if let Some(v) = t.get(k) {
                        cx.err(
                            v.span(),
                            t.field(k),
                            "regular arrivals are evenly spaced; a time profile does not apply",
                        );
                    }
                }
                if per_day == Some(0.0) {
                    let span = t.get("per_day").map(reader::span_of).unwrap_or(t.span());
                    cx.err(span, t.field("per_day"), "regular arrivals need per_day > 0");
                }
            }
            let profile = read_profile(cx, t);
            RouteSource::Direct { per_day: per_day?, profile: Box::new(profile?), process: process? }
        }
    };
    Some(Route { name: name?, source, pool: pool?, stay_days: stay? })
}

/// ED routes and the `[ed]` table must agree, and ED shares must sum to 1.
///
/// Reads each route's `source` and `share` straight from its table, so these
/// checks run in the same pass as every other, even when a route or the
/// `[ed]` table has problems of its own (those are reported where they are).
fn check_ed_routes(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) {
    const SHARE_TOLERANCE: f64 = 1e-6;
    let sources = cx.sources;
    let quiet = move || Ctx { sources, diags: Vec::new() };
    let route_tables = root.tables(&mut quiet(), "admissions");
    let route_span = |i: usize, key: &str| {
        route_tables.get(i).and_then(|(v, _)| table_of(v)?.get(key).map(|v| v.span())).unwrap_or(0..0)
    };
    // For each route: `Some(true)` for source = "ed", `Some(false)` for
    // "direct", `None` when unreadable (reported by read_route).
    let kinds: Vec<Option<bool>> = route_tables
        .iter()
        .map(|(v, _)| match table_of(v)?.get("source")?.get_ref() {
            toml::de::DeValue::String(s) if s == "ed" => Some(true),
            toml::de::DeValue::String(s) if s == "direct" => Some(false),
            _ => None,
        })
        .collect();
    let ed_routes: Vec<usize> = (0..kinds.len()).filter(|&i| kinds[i] == Some(true)).collect();
    let all_known = kinds.iter().all(Option::is_some);
    let Some(ed) = root.get("ed") else {
        for i in &ed_routes {
            cx.err(
                route_span(*i, "source"),
                format!("admissions[{}].source", i + 1),
                "source = \"ed\" needs an [ed] table describing attendances",
            );
        }
        return;
    };
    if ed_routes.is_empty() {
        let admits = table_of(ed).and_then(|t| t.get("admission_probability")).and_then(|v| {
            let p = number(&mut quiet(), v, "", Rule::Probability)?;
            Some((p, v.span()))
        });
        if all_known && let Some((_, span)) = admits.filter(|(p, _)| *p > 0.0) {
            cx.err(
                span,
                "ed.admission_probability",
                "the ED admits patients but no [[admissions]] route has source = \"ed\" to take them",
            );
        }
        return;
    }
    // Every ED route's share, if every one is readable (a bad one is reported by read_route).
    let shares: Option<Vec<(usize, f64)>> = ed_routes
        .iter()
        .map(|&i| {
            let v = route_tables.get(i).and_then(|(v, _)| table_of(v)?.get("share"))?;
            number(&mut quiet(), v, "", Rule::Probability).map(|s| (i, s))
        })
        .collect();
    let Some(shares) = shares else { return };
    let total: f64 = shares.iter().map(|(_, s)| s).sum();
    if all_known && (total - 1.0).abs() > SHARE_TOLERANCE {
        let (i, _) = shares[0];
        let listed = shares.iter().map(|(i, s)| format!("admissions[{}] {s}", i + 1)).collect::<Vec<_>>().join(" + ");
        cx.err(
            route_span(i, "share"),
            format!("admissions[{}].share", i + 1),
            format!("shares of ED routes must sum to 1, found {listed} = {total}"),
        );
    }
}

fn table_of<'a, 'i>(v: &'a Val<'i>) -> Option<&'a toml::de::DeTable<'i>> {
    match v.get_ref() {
        toml::de::DeValue::Table(t) => Some(t),
        _ => None,
    }
}

fn read_discharge(cx: &mut Ctx<'_>, t: Tbl<'_, '_>) -> Option<DischargePolicy> {
    t.check_keys(cx, &["mode", "window", "weekend_factor", "bank_holiday_factor"]);
    let mode = match t.get("mode") {
        None => Some("on-ready"),
        Some(_) => t.choice(cx, "mode", &["on-ready", "daily-window"]).map(|(s, _)| s),
    }?;
    if mode == "on-ready" {
        for k in ["window", "weekend_factor", "bank_holiday_factor"] {
            if let Some(v) = t.get(k) {
                cx.err(v.span(), t.field(k), format!("`{k}` is only used when mode = \"daily-window\""));
            }
        }
        return Some(DischargePolicy::OnReady);
    }
    let window = match t.array_req(cx, "window", "[open_hour, close_hour], e.g. [9, 19]") {
        None => None,
        Some((items, span)) => {
            let hours: Vec<Option<i64>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| reader::integer(cx, v, &format!("discharge.window[{}]", i + 1), 0, 24, "an hour 0..24"))
                .collect();
            match hours.as_slice() {
                [Some(a), Some(b)] if a < b => Some((*a as u32, *b as u32)),
                [Some(a), Some(b)] => {
                    cx.err(
                        span,
                        "discharge.window",
                        format!("the window must open before it closes, found [{a}, {b}]"),
                    );
                    None
                }
                [_, _] => None,
                _ => {
                    cx.err(
                        span,
                        "discharge.window",
                        format!("expected [open_hour, close_hour], found {} values", hours.len()),
                    );
                    None
                }
            }
        }
    };
    let weekend = match t.get("weekend_factor") {
        None => Some(1.0),
        Some(_) => t.f64(cx, "weekend_factor", Rule::Probability),
    };
    let bank = match t.get("bank_holiday_factor") {
        None => Some(1.0),
        Some(_) => t.f64(cx, "bank_holiday_factor", Rule::Probability),
    };
    let (open_hour, close_hour) = window?;
    Some(DischargePolicy::DailyWindow { open_hour, close_hour, weekend_factor: weekend?, bank_holiday_factor: bank? })
}

/// A required distribution, e.g. `{ dist = "lognormal", mean = 6.5, sd = 8.0 }`.
fn dist_req(cx: &mut Ctx<'_>, parent: Tbl<'_, '_>, key: &str) -> Option<Distribution> {
    let path = parent.field(key);
    let Some(t) = parent.table(cx, key, &path) else {
        if !parent.has(key) {
            parent.missing(cx, key, "a distribution such as { dist = \"lognormal\", mean = 6.5, sd = 8.0 }");
        }
        return None;
    };
    const KINDS: [&str; 7] = ["exponential", "lognormal", "gamma", "weibull", "fixed", "uniform", "empirical"];
    let kind = match t.get("dist") {
        None => {
            t.missing(cx, "dist", "one of exponential, lognormal, gamma, weibull, fixed, uniform, empirical");
            return None;
        }
        Some(_) => t.choice(cx, "dist", &KINDS)?.0,
    };
    let d = match kind {
        "exponential" => {
            t.check_keys(cx, &["dist", "mean"]);
            Distribution::Exponential { mean: t.f64_req(cx, "mean", Rule::Positive)? }
        }
        "lognormal" | "gamma" => {
            t.check_keys(cx, &["dist", "mean", "sd"]);
            let mean = t.f64_req(cx, "mean", Rule::Positive);
            let sd = t.f64_req(cx, "sd", Rule::Positive);
            if kind == "gamma" {
                Distribution::Gamma { mean: mean?, sd: sd? }
            } else {
                Distribution::LogNormal { mean: mean?, sd: sd? }
            }
        }
        "weibull" => {
            t.check_keys(cx, &["dist", "shape", "scale"]);
            let shape = t.f64_req(cx, "shape", Rule::Positive);
            let scale = t.f64_req(cx, "scale", Rule::Positive);
            Distribution::Weibull { shape: shape?, scale: scale? }
        }
        "fixed" => {
            t.check_keys(cx, &["dist", "value"]);
            Distribution::Fixed { value: t.f64_req(cx, "value", Rule::NonNegative)? }
        }
        "uniform" => {
            t.check_keys(cx, &["dist", "min", "max"]);
            let min = t.f64_req(cx, "min", Rule::NonNegative);
            let max = t.f64_req(cx, "max", Rule::NonNegative);
            Distribution::Uniform { min: min?, max: max? }
        }
        _ => {
            t.check_keys(cx, &["dist", "values"]);
            let (items, _) = t.array_req(cx, "values", "a list of observed values, e.g. [1.0, 2.5, 4.0]")?;
            let vals: Option<Vec<f64>> = items
                .iter()
                .enumerate()
                .map(|(i, v)| number(cx, v, &format!("{path}.values[{}]", i + 1), Rule::NonNegative))
                .collect::<Vec<_>>()
                .into_iter()
                .collect();
            Distribution::Empirical { values: vals? }
        }
    };
    if let Err(msg) = d.validate() {
        cx.err(t.span(), path, msg);
        return None;
    }
    Some(d)
}

/// The span of `root.table[index].key` (or of the table itself when `key`
/// is empty), `0..0` if absent.
fn span_in(root: Tbl<'_, '_>, table: &str, index: Option<usize>, key: &str) -> std::ops::Range<usize> {
    let Some(v) = root.get(table) else { return 0..0 };
    let v = match (index, v.get_ref()) {
        (Some(i), toml::de::DeValue::Array(a)) => match a.get(i) {
            Some(v) => v,
            None => return v.span(),
        },
        _ => v,
    };
    match v.get_ref() {
        toml::de::DeValue::Table(t) if !key.is_empty() => t.get(key).map_or_else(|| v.span(), |k| k.span()),
        _ => v.span(),
    }
}

/// Keeps one replication (and a run of the scenario's replications) inside
/// the limits in [`limits`], from the effective rates of every stream (see
/// [`size`]). Each problem names the field whose value is responsible.
fn check_size(cx: &mut Ctx<'_>, root: Tbl<'_, '_>, m: &Model) {
    use size::Stream;
    for (table, n) in [
        ("pool", m.pools.len()),
        ("admissions", m.routes.len()),
        ("specialty", m.specialties.len()),
        ("theatre_list", m.theatre_lists.len()),
        ("seasonality", m.seasonality.len()),
        ("elective_cut", m.elective_cuts.len()),
    ] {
        if n > limits::MAX_TABLES {
            cx.err(
                span_in(root, table, Some(limits::MAX_TABLES), ""),
                format!("{table}[{}]", limits::MAX_TABLES + 1),
                format!("{n} [[{table}]] tables; the limit is {}", limits::MAX_TABLES),
            );
            return;
        }
    }
    // Overlapping seasonality ranges multiply: bound the product on every day.
    for d in 0..size::simulated_days(m) {
        let date = m.date_of_day(d);
        let f = m.seasonality_factor(date);
        if f.is_nan() || f > limits::MAX_FACTOR {
            let (i, s) = m
                .seasonality
                .iter()
                .enumerate()
                .filter(|(_, s)| s.from <= date && date <= s.to)
                .max_by(|a, b| a.1.factor.total_cmp(&b.1.factor))
                .unwrap_or((0, &m.seasonality[0]));
            cx.err(
                span_in(root, "seasonality", Some(i), "factor"),
                format!("seasonality[{}].factor", i + 1),
                format!(
                    "overlapping seasonality ranges multiply to {} on {date} (this one is {}); the limit is {}",
                    show(f),
                    s.factor,
                    limits::MAX_FACTOR
                ),
            );
            return;
        }
    }
    let blame = |s: Stream| -> std::ops::Range<usize> {
        match s {
            Stream::Ed => span_in(root, "ed", None, "attendances_per_day"),
            Stream::Route(i) => span_in(root, "admissions", Some(i), "per_day"),
            Stream::Referrals(i) => span_in(root, "specialty", Some(i), "referrals_per_week"),
            Stream::TheatreList(i) => span_in(root, "theatre_list", Some(i), "cases_per_list"),
        }
    };
    let demand = size::demand(m);
    for d in &demand {
        if d.peak_hour.is_nan() || d.peak_hour > limits::MAX_PER_HOUR {
            cx.err(
                blame(d.stream),
                d.stream.field(),
                format!(
                    "after hour and weekday weights, seasonality and bank-holiday factors, the busiest hour \
                     expects {:.4e} arrivals; the limit is {:.0}",
                    d.peak_hour,
                    limits::MAX_PER_HOUR
                ),
            );
        }
    }
    let total = size::total_demand(&demand);
    if total.is_nan() || total > limits::MAX_ARRIVALS_PER_REPLICATION {
        let Some(largest) = demand.iter().max_by(|a, b| a.total.total_cmp(&b.total)) else { return };
        cx.err(
            blame(largest.stream),
            largest.stream.field(),
            format!(
                "one replication would simulate about {total:.4e} patients (this stream {:.4e}, after hour and \
                 weekday weights, seasonality and bank-holiday factors, warm-up included); the limit is {:.0}: \
                 lower the rates or shorten the horizon",
                largest.total,
                limits::MAX_ARRIVALS_PER_REPLICATION
            ),
        );
        return;
    }
    let entries = size::plan_entries(m);
    if entries > limits::MAX_PLAN_ENTRIES {
        cx.err(
            span_in(root, "scenario", None, "end"),
            "scenario.end",
            format!(
                "the engine would precompute {entries} hourly rates, theatre sessions and bed meetings \
                 ({} days x streams); the limit is {}: shorten the horizon or use fewer streams",
                size::simulated_days(m),
                limits::MAX_PLAN_ENTRIES
            ),
        );
        return;
    }
    // Patients the engine holds: bounded as if nobody left (a stay or decision
    // time beyond the horizon), for one worker thread; `run` checks again with
    // its real thread count.
    let engine = size::engine_bytes(m);
    if engine.saturating_add(size::plan_bytes(m)) > limits::MAX_RUN_BYTES {
        let (slots, waiters) = size::engine_people(m);
        // Blame the stream that brings the most bytes.
        let bytes = |d: &size::StreamDemand| match d.stream {
            Stream::Referrals(_) => d.total * crate::engine::BYTES_PER_WAITER as f64,
            _ => d.total * crate::engine::BYTES_PER_PATIENT as f64,
        };
        let Some(largest) = demand.iter().max_by(|a, b| bytes(a).total_cmp(&bytes(b))) else { return };
        let field = match largest.stream {
            // Mostly the initial list: blame it rather than the referrals.
            Stream::Referrals(i) if m.specialties[i].initial_list as f64 >= largest.total / 2.0 => {
                (span_in(root, "specialty", Some(i), "waiting_list"), format!("specialty[{}].waiting_list", i + 1))
            }
            s => (blame(s), s.field()),
        };
        cx.err(
            field.0,
            field.1,
            format!(
                "one replication may hold up to {slots:.4e} patients in the hospital and {waiters:.4e} on waiting \
                 lists at once (if nobody left before the end), about {} MB per worker thread at {} and {} bytes \
                 each; the limit is {} MB (checked for one thread; `run` checks its threads): lower the rates or \
                 waiting lists, or shorten the horizon",
                engine / 1_000_000,
                crate::engine::BYTES_PER_PATIENT,
                crate::engine::BYTES_PER_WAITER,
                limits::MAX_RUN_BYTES / 1_000_000
            ),
        );
        return;
    }
    if let Err(msg) = size::check_replications(m, m.replications, 1) {
        cx.err(span_in(root, "scenario", None, "replications"), "scenario.replications", msg);
    }
}
