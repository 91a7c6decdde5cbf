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

mod beds;
pub mod census;
mod demand;
mod diagnostic;
mod discharge;
mod distributions;
mod electives;
pub mod fingerprint;
mod head;
mod names;
mod plan;
mod reader;
pub mod size;
mod sources;
mod uncertainty;

use beds::*;
use demand::*;
use distributions::*;
use electives::*;
use head::*;
use names::*;

pub use diagnostic::{Diagnostic, ScenarioError};

use crate::calendar::{Calendar, Region, built_in};
use crate::dist::Distribution;
use crate::model::{
    ArrivalProcess, BedPool, CapacityChange, Clinicians, DischargePolicy, Ed, EdCapacity, ElectiveCut, Escalation,
    EscalationCost, Minors, Model, Opel, Outbreaks, Route, RouteSource, Seasonality, Specialty, TheatreList,
    TimeProfile, WhenFull,
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
    /// Warm-up days (ten years).
    pub const MAX_WARMUP_DAYS: i64 = 3_650;
    /// Core beds of one pool.
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
    /// The scenario (or a file it extends) is missing or unreadable.
    #[error("error: cannot read scenario {path}: {source}")]
    Read {
        /// The file, as named on the command line or in `extends`.
        path: String,
        /// The operating system's error.
        source: std::io::Error,
    },
    /// The file is larger than [`limits::MAX_FILE_BYTES`]; refused before it is parsed.
    #[error("error: scenario {path} is {size} bytes; the limit is {limit} bytes")]
    TooLarge {
        /// The file.
        path: String,
        /// Its size in bytes.
        size: u64,
        /// The most bytes a scenario file may have.
        limit: u64,
    },
    /// A census file was read but has problems: every one, each with file,
    /// line, column and field.
    #[error("{}", .0.render("census"))]
    CensusInvalid(ScenarioError),
    /// A census file (`[scenario] census`, `run --census`) cannot be read.
    #[error("error: cannot read census {path}: {reason}")]
    Census {
        /// The file, as named.
        path: String,
        /// Why not.
        reason: String,
    },
    /// Not a regular `.toml` file (a device, FIFO, folder, `-`, `/etc/shadow`...):
    /// refused before anything is read from it.
    #[error("error: scenario {path} refused: {reason}")]
    Refused {
        /// The file.
        path: String,
        /// Why it is refused.
        reason: String,
    },
    /// Parsed, but with problems: every one, each with file, line, column and field.
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
    load_chain(path, sets, true)
}

/// Like [`load`], for a scenario given as text that extends `base`: `text`
/// (named `label` in messages) is laid on `base`'s extends chain exactly as
/// a file saved beside `base` whose `extends` names it would be, so the
/// model, and every message, is what `check` gives that file (`bedflow
/// serve` validates a plan edited in the browser this way, without writing
/// it anywhere). An `extends` key in `text` is ignored.
pub fn load_edited(base: &Path, label: &str, text: &str) -> Result<Model, LoadError> {
    let mut chain = sources::read_chain(base)?;
    chain.push(Source { file: label.to_string(), text: text.to_string(), start: 0, sets: None });
    sources::lay_end_to_end(&mut chain);
    Ok(parse_sources(&chain, true)?)
}

/// Like [`load`], but a census the scenario names is not read (`run
/// --census` gives another in its place).
pub fn load_without_census(path: &Path) -> Result<Model, LoadError> {
    load_chain(path, &[], false)
}

/// Like [`load_with`], but a census the scenario names is not read (a
/// backtest builds its own from the spells).
pub fn load_with_without_census(path: &Path, sets: &[(String, String)]) -> Result<Model, LoadError> {
    load_chain(path, sets, false)
}

fn load_chain(path: &Path, sets: &[(String, String)], read_census: bool) -> Result<Model, LoadError> {
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
    Ok(parse_sources(&chain, read_census)?)
}

/// Why `s` cannot name a pool, route or specialty in a scenario (`None`:
/// it can), for tools that write scenarios (calibrate).
pub fn item_name_problem(s: &str) -> Option<String> {
    names::item_name_problem(s)
}

/// Parses and validates scenario text; `file` names it in messages. A
/// scenario read this way cannot `extend` another (there is no folder to
/// resolve the path in).
pub fn parse_str(text: &str, file: &str) -> Result<Model, ScenarioError> {
    let chain = [Source { file: file.to_string(), text: text.to_string(), start: 0, sets: None }];
    parse_sources(&chain, true)
}

fn parse_sources(sources: &[Source], read_census: bool) -> Result<Model, ScenarioError> {
    let mut cx = Ctx { sources, diags: Vec::new() };
    let merged = sources::merge_all(&mut cx);
    let model = merged.and_then(|root| {
        let tbl = Tbl { map: &root, span: (0, 0), path: "" };
        build(&mut cx, tbl, read_census)
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
    "escalation_ward",
    "pathway",
    "uncertainty",
    "plan",
];

/// Reads every section, reporting all problems; `None` if any were found.
fn build(cx: &mut Ctx<'_>, root: Tbl<'_, '_>, read_census: bool) -> Option<Model> {
    root.check_keys(cx, ROOT_KEYS);

    let head = read_scenario(cx, root);
    let (region, extra) = read_calendar(cx, root);
    let ed = root.table(cx, "ed", "ed").map(|t| read_ed(cx, t));
    let seasonality: Vec<Option<Seasonality>> =
        root.tables(cx, "seasonality").into_iter().map(|(v, p)| read_seasonality(cx, v, &p)).collect();
    let pathways = discharge::read_pathways(cx, root);
    let uncertain = uncertainty::read(cx, root);
    let defined = pathways.as_ref().map_or([true; 3], |ps| {
        let mut d = [false; 3];
        ps.iter().for_each(|p| d[p.index] = true);
        d
    });
    let pool_names = valid_names(cx, root, "pool");
    let pools: Vec<Option<BedPool>> = root
        .tables(cx, "pool")
        .into_iter()
        .enumerate()
        .map(|(i, (v, p))| read_pool(cx, v, &p, i, &pool_names, defined))
        .collect();
    if !root.has("pool") {
        cx.err(0..0, "pool", "no [[pool]] defined: a scenario needs at least one bed pool");
    }
    let wards: Vec<Option<(String, Vec<usize>, Escalation)>> = root
        .tables(cx, "escalation_ward")
        .into_iter()
        .map(|(v, p)| read_escalation_ward(cx, v, &p, &pool_names))
        .collect();
    let ward_names = valid_names(cx, root, "escalation_ward");
    check_unique_names(cx, root, "escalation_ward", &ward_names);
    for (i, w) in ward_names.iter().enumerate() {
        if let Some(w) = w
            && pool_names.contains(&Some(*w))
        {
            let span = root.tables(&mut Ctx { sources: cx.sources, diags: Vec::new() }, "escalation_ward")[i].0.span();
            cx.err(
                span,
                format!("escalation_ward[{}].name", i + 1),
                format!("\"{w}\" is also a [[pool]] name; a ward needs a name of its own"),
            );
        }
    }
    check_unique_names(cx, root, "pool", &pool_names);
    let routes: Vec<Option<Route>> =
        root.tables(cx, "admissions").into_iter().map(|(v, p)| read_route(cx, v, &p, &pool_names)).collect();
    if !root.has("admissions") {
        cx.err(0..0, "admissions", "no [[admissions]] defined: a scenario needs at least one admission route");
    }
    let route_names = valid_names(cx, root, "admissions");
    check_unique_names(cx, root, "admissions", &route_names);
    let discharge = match root.table(cx, "discharge", "discharge") {
        Some(t) => discharge::read_discharge(cx, t),
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

    let plan = plan::read(cx, root, head.as_ref().map(|h| h.start), head.as_ref().map(|h| h.end));
    let head = head?;
    let calendar_window = head.start - chrono::Days::new(u64::from(head.warmup_days))
        ..=head.end + chrono::Days::new(u64::from(crate::engine::COOLDOWN_DAYS));
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
    let mut pools: Vec<BedPool> = pools.into_iter().collect::<Option<_>>()?;
    let wards: Vec<(String, Vec<usize>, Escalation)> = wards.into_iter().collect::<Option<_>>()?;
    // Shared escalation wards become pools after the scenario's own, each
    // last in the outlying order of the pools it serves.
    for (name, serves, escalation) in wards {
        let ward = pools.len();
        for &p in &serves {
            pools[p].outlie_to.push(ward);
        }
        pools.push(BedPool {
            name,
            beds: 0,
            when_full: WhenFull::Queue,
            cancel_electives_when_boarding: false,
            escalation: Some(escalation),
            capacity: Vec::new(),
            outlie_to: Vec::new(),
            keep_for_own_patients: 0,
            outlier_stay_factor: 1.0,
            serves,
            outbreaks: None,
            pathway_shares: [0.0; 3],
        });
    }
    let routes: Vec<Route> = routes.into_iter().collect::<Option<_>>()?;
    let discharge = discharge?;
    let pathways = pathways?;
    let specialties: Vec<Specialty> = specialties.into_iter().collect::<Option<_>>()?;
    let theatre_lists: Vec<TheatreList> = theatre_lists.into_iter().collect::<Option<_>>()?;
    let elective_cuts: Vec<ElectiveCut> = elective_cuts.into_iter().collect::<Option<_>>()?;
    let opel = opel?;
    let uncertainty = uncertainty::resolve(cx, uncertain?, ed.is_some(), &routes, &pathways)?;
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
        pathways,
        specialties,
        theatre_lists,
        elective_cuts,
        opel,
        census: None,
        uncertainty,
        plan: plan?,
    };
    check_size(cx, root, &model);
    let model = match head.census {
        Some((file, span)) if read_census => with_census(cx, model, &file, span)?,
        _ => model,
    };
    Some(model)
}

/// Reads `[scenario] census`, a path relative to the folder of the file that
/// names it; its problems are reported with the census file's lines.
fn with_census(cx: &mut Ctx<'_>, mut model: Model, file: &str, span: std::ops::Range<usize>) -> Option<Model> {
    let named_in = cx.sources.iter().rev().find(|s| s.start <= span.start && s.sets.is_none()).map(|s| s.file.clone());
    let folder = named_in.as_deref().and_then(|f| Path::new(f).parent()).unwrap_or(Path::new(""));
    let path = folder.join(file);
    match census::read(&path, &model) {
        Ok(c) => {
            model.census = Some(c);
            Some(model)
        }
        Err(LoadError::Invalid(e) | LoadError::CensusInvalid(e)) => {
            cx.diags.extend(e.diagnostics);
            None
        }
        Err(e) => {
            let why = e.to_string();
            cx.err(span, "scenario.census", why.trim_start_matches("error: ").to_string());
            None
        }
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
                 lower the rates or shorten the horizon{}",
                largest.total,
                limits::MAX_ARRIVALS_PER_REPLICATION,
                if m.uncertainty.is_empty() {
                    ""
                } else {
                    " (counted with every [[uncertainty]] factor at its cap of 3, so the limit holds in every replication)"
                }
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
            Stream::Referrals(_) => d.total * crate::engine::bytes_per_waiter(m) as f64,
            _ => d.total * crate::engine::bytes_per_patient(m) as f64,
        };
        let Some(largest) = demand.iter().max_by(|a, b| bytes(a).total_cmp(&bytes(b))) else { return };
        let field = match largest.stream {
            // Mostly the initial list: blame it rather than the referrals.
            Stream::Referrals(i) if f64::from(m.specialties[i].initial_list) >= largest.total / 2.0 => {
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
                crate::engine::bytes_per_patient(m),
                crate::engine::bytes_per_waiter(m),
                limits::MAX_RUN_BYTES / 1_000_000
            ),
        );
        return;
    }
    if let Err(msg) = size::check_replications(m, m.replications, 1) {
        cx.err(span_in(root, "scenario", None, "replications"), "scenario.replications", msg);
    }
}
