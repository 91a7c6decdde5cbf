//! Census files: the patients in beds (and waiting for one) when a run
//! starts, so a forecast can start from this morning's hospital instead of
//! an empty one and a warm-up.
//!
//! A CSV with a header row. Columns (any order; names as here):
//!
//! - `pool` (required): the `[[pool]]` whose bed the patient is in, or waits for.
//! - `admitted`: when the patient took the bed (ISO date-time
//!   `2026-11-28T14:30`, `2026-11-28 14:30[:00]`, or a date for 00:00).
//! - `waiting_since`: instead of `admitted`, for a patient waiting for a bed
//!   (the decision to admit); exactly one of the two per row.
//! - `expected_discharge` (optional, with `admitted`): when the patient is
//!   expected to be ready to leave; the scenario's `[discharge]` rules then
//!   apply. A time before the census means ready now.
//! - `route` (optional): the `[[admissions]]` route, or the `[[specialty]]`
//!   for an elective inpatient, whose stay distribution the patient's stay
//!   follows; a route of another pool makes an in-bed patient an outlier.
//! - `specialty`, `referral_date`, optional `urgent`: instead of the bed
//!   columns, a patient on an elective waiting list. A specialty with any
//!   such row starts from them instead of its `waiting_list`.
//!
//! The census describes the hospital at 00:00 on the first simulated day
//! (`start`, less `warmup_days`; with a census, warm-up is usually 0). Every
//! `admitted` and `waiting_since` must be at or before that time.
//!
//! Every problem is reported with the file, line and column, before any work.

use super::LoadError;
use super::diagnostic::{Diagnostic, ScenarioError};
use crate::model::{Census, CensusPatient, CensusRoute, CensusStay, CensusWaiter, Model};
use chrono::{NaiveDate, NaiveDateTime};
use std::path::Path;

/// The columns a census may have.
const COLUMNS: [&str; 8] =
    ["pool", "admitted", "waiting_since", "expected_discharge", "route", "specialty", "referral_date", "urgent"];

/// Largest census file read (a million patients at about 60 bytes a row).
pub const MAX_CENSUS_BYTES: u64 = 64 * 1024 * 1024;

/// Most patients a census may list.
pub const MAX_CENSUS_ROWS: usize = 1_000_000;

/// Most problems reported from one file (the rest are counted).
const MAX_REPORTED: usize = 50;

/// Reads and checks the census at `path` against `model`.
pub fn read(path: &Path, model: &Model) -> Result<Census, LoadError> {
    let shown = super::diagnostic::escape(&path.display().to_string()).into_owned();
    let refused = |reason: String| LoadError::Census { path: shown.clone(), reason };
    let text = crate::files::read_csv_text(path, MAX_CENSUS_BYTES, "a census").map_err(refused)?;
    let sha256 = {
        use sha2::{Digest, Sha256};
        Sha256::digest(text.as_bytes()).iter().map(|b| format!("{b:02x}")).collect()
    };
    let (patients, waiting_list) = parse(&shown, &text, model)?;
    Ok(Census { file: shown, sha256, patients, waiting_list })
}

/// A census date-time: `2026-11-28T14:30[:00]`, `2026-11-28 14:30[:00]` or `2026-11-28`.
fn date_time(s: &str) -> Option<NaiveDateTime> {
    ["%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
        .or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))
}

/// The rows of `text` as census patients (in or waiting for beds, and on
/// waiting lists), or every problem found.
pub(super) fn parse(
    file: &str,
    text: &str,
    model: &Model,
) -> Result<(Vec<CensusPatient>, Vec<CensusWaiter>), LoadError> {
    let mut problems = Problems { file, text, diags: Vec::new(), more: 0 };
    let census_time = model.date_of_day(0).and_hms_opt(0, 0, 0).unwrap_or_default();
    let mut reader = csv::ReaderBuilder::new().trim(csv::Trim::All).flexible(false).from_reader(text.as_bytes());
    let header: Vec<String> = match reader.headers() {
        Ok(h) => h.iter().map(|c| c.trim_start_matches('\u{feff}').to_string()).collect(),
        Err(e) => {
            problems.report(0, String::new(), format!("cannot read the header row: {e}"));
            Vec::new()
        }
    };
    for (i, c) in header.iter().enumerate() {
        if !COLUMNS.contains(&c.as_str()) {
            // A header cell is quoted at most 40 characters long.
            let shown: String = c.chars().take(40).collect();
            let more = if c.chars().count() > 40 { "..." } else { "" };
            problems.report(
                0,
                format!("{shown}{more}"),
                format!("unknown column \"{shown}{more}\" (column {}); the columns are {}", i + 1, COLUMNS.join(", ")),
            );
            continue;
        }
        if header[..i].contains(c) {
            problems.report(0, c.clone(), format!("column \"{c}\" appears twice"));
        }
    }
    let col = |name: &str| header.iter().position(|c| c == name);
    if col("pool").is_none() && col("specialty").is_none() {
        problems.report(0, "pool".into(), "the census needs a `pool` column (or `specialty` for waiting lists)".into());
    }
    if col("pool").is_some() && col("admitted").is_none() && col("waiting_since").is_none() {
        problems.report(
            0,
            "admitted".into(),
            "the census needs an `admitted` column (or `waiting_since` for patients waiting)".into(),
        );
    }
    if !problems.diags.is_empty() {
        return Err(problems.into_error());
    }
    let mut patients = Vec::new();
    let mut waiting_list = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        let at = reader.position().byte() as usize;
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                problems.report(at, String::new(), format!("not a valid CSV row: {e}"));
                break;
            }
        }
        if patients.len() + waiting_list.len() >= MAX_CENSUS_ROWS {
            problems.report(
                at,
                String::new(),
                format!("more than {MAX_CENSUS_ROWS} patients; the limit is {MAX_CENSUS_ROWS}"),
            );
            break;
        }
        let get = |name: &str| col(name).and_then(|i| record.get(i)).filter(|s| !s.is_empty());
        if get("specialty").is_some() {
            match waiter(&get, model, census_time) {
                Ok(w) => waiting_list.push(w),
                Err((field, msg)) => problems.report(at, field.to_string(), msg),
            }
            continue;
        }
        let mut ok = true;
        let mut bad = |field: &str, msg: String| {
            problems.report(at, field.to_string(), msg);
            ok = false;
        };
        let pool = match get("pool") {
            None => {
                bad("pool", "missing: the name of a [[pool]]".into());
                None
            }
            Some(name) => {
                let found = model.pools.iter().position(|p| p.name == name);
                if found.is_none() {
                    let known = model.pools.iter().map(|p| format!("\"{}\"", p.name)).collect::<Vec<_>>().join(", ");
                    bad("pool", format!("unknown pool \"{name}\"; the [[pool]] names are {known}"));
                }
                found
            }
        };
        let route =
            match get("route") {
                None => None,
                Some(name) => {
                    let r =
                        model.routes.iter().position(|r| r.name == name).map(CensusRoute::Route).or_else(|| {
                            model.specialties.iter().position(|s| s.name == name).map(CensusRoute::Specialty)
                        });
                    if r.is_none() {
                        bad(
                            "route",
                            format!("unknown route \"{name}\": neither an [[admissions]] route nor a [[specialty]]"),
                        );
                    }
                    r
                }
            };
        let mut when = |field: &str| -> Option<NaiveDateTime> {
            let s = get(field)?;
            let t = date_time(s);
            if t.is_none() {
                bad(field, format!("expected a date-time such as 2026-11-28T14:30, found \"{s}\""));
            }
            t
        };
        let admitted = when("admitted");
        let waiting_since = when("waiting_since");
        let expected = when("expected_discharge");
        let (since, waiting) = match (admitted, waiting_since, get("admitted"), get("waiting_since")) {
            (Some(a), None, _, None) => (Some(a), false),
            (None, Some(w), None, _) => (Some(w), true),
            (_, _, Some(_), Some(_)) => {
                bad(
                    "waiting_since",
                    "give `admitted` (in a bed) or `waiting_since` (waiting for one), not both".into(),
                );
                (None, false)
            }
            (_, _, None, None) => {
                bad(
                    "admitted",
                    "missing: when the patient took the bed (or `waiting_since` for a patient waiting)".into(),
                );
                (None, false)
            }
            _ => (None, false),
        };
        // Ten years either side of the census is the most a stay can
        // plausibly span; beyond is a placeholder date (1900-01-01) or a typo.
        let decade = chrono::Duration::days(3650);
        for (field, t) in [("admitted", admitted), ("waiting_since", waiting_since)] {
            if let Some(t) = t
                && t < census_time - decade
            {
                bad(field, format!("{t} is more than ten years before the census time {census_time}"));
            }
        }
        if let Some(e) = expected
            && e > census_time + decade
        {
            bad("expected_discharge", format!("{e} is more than ten years after the census time {census_time}"));
        }
        if let Some(t) = since
            && t > census_time
        {
            let field = if waiting { "waiting_since" } else { "admitted" };
            bad(field, format!("{t} is after the census time {census_time} (00:00 on the first simulated day)"));
        }
        if waiting && get("expected_discharge").is_some() {
            bad("expected_discharge", "only for a patient in a bed (`admitted`)".into());
        }
        if let (Some(a), Some(e)) = (admitted, expected)
            && e < a
        {
            bad("expected_discharge", format!("{e} is before the admission {a}"));
        }
        if let (Some(p), Some(CensusRoute::Route(r)), true) = (pool, route, waiting)
            && model.routes[r].pool != p
        {
            bad(
                "route",
                format!(
                    "route \"{}\" admits to pool \"{}\", not \"{}\"",
                    model.routes[r].name, model.pools[model.routes[r].pool].name, model.pools[p].name
                ),
            );
        }
        if let Some(p) = pool
            && route.is_none()
            && expected.is_none()
            && !model.routes.iter().any(|r| r.pool == p)
            && !model.theatre_lists.iter().any(|l| l.pool == p)
        {
            bad(
                "route",
                format!(
                    "pool \"{}\" admits nobody by any route or theatre list: give `route` or `expected_discharge`",
                    model.pools[p].name
                ),
            );
        }
        if !ok {
            continue;
        }
        let (Some(pool), Some(since)) = (pool, since) else { continue };
        let days = |t: NaiveDateTime| (t - census_time).num_seconds() as f64 / 86_400.0;
        patients.push(CensusPatient {
            pool,
            route,
            elapsed_days: if waiting { 0.0 } else { -days(since) },
            stay: expected.map_or(CensusStay::Drawn, |e| CensusStay::Expected(days(e).max(0.0))),
            waiting,
            pathway: None,
        });
    }
    if problems.diags.is_empty() { Ok((patients, waiting_list)) } else { Err(problems.into_error()) }
}

/// A waiting-list row (`specialty`, `referral_date`, optional `urgent`),
/// or the first problem with it as (field, message).
fn waiter<'a>(
    get: &dyn Fn(&str) -> Option<&'a str>,
    model: &Model,
    census_time: NaiveDateTime,
) -> Result<CensusWaiter, (&'static str, String)> {
    for field in ["pool", "admitted", "waiting_since", "expected_discharge", "route"] {
        if get(field).is_some() {
            return Err((field, "a waiting-list row (with `specialty`) has no bed: leave this blank".into()));
        }
    }
    let name = get("specialty").unwrap_or_default();
    let Some(specialty) = model.specialties.iter().position(|s| s.name == name) else {
        let known = model.specialties.iter().map(|s| format!("\"{}\"", s.name)).collect::<Vec<_>>().join(", ");
        let known =
            if known.is_empty() { "none are defined".into() } else { format!("the [[specialty]] names are {known}") };
        return Err(("specialty", format!("unknown specialty \"{name}\"; {known}")));
    };
    let Some(s) = get("referral_date") else {
        return Err(("referral_date", "missing: when the patient was referred (the 18-week clock's start)".into()));
    };
    let Some(referral) = date_time(s) else {
        return Err(("referral_date", format!("expected a date such as 2026-08-14, found \"{s}\"")));
    };
    if referral > census_time {
        return Err(("referral_date", format!("{referral} is after the census time {census_time}")));
    }
    if referral < census_time - chrono::Duration::days(3650) {
        return Err((
            "referral_date",
            format!("{referral} is more than ten years before the census time {census_time}"),
        ));
    }
    let urgent = match get("urgent").map(str::to_ascii_lowercase).as_deref() {
        None | Some("false" | "0" | "no") => false,
        Some("true" | "1" | "yes") => true,
        Some(other) => return Err(("urgent", format!("expected true or false (1 or 0), found \"{other}\""))),
    };
    Ok(CensusWaiter { specialty, waited_days: (census_time - referral).num_seconds() as f64 / 86_400.0, urgent })
}

/// The problems found in one census file, the first [`MAX_REPORTED`] kept.
struct Problems<'a> {
    file: &'a str,
    text: &'a str,
    diags: Vec<Diagnostic>,
    more: usize,
}

impl Problems<'_> {
    fn report(&mut self, at: usize, field: String, msg: String) {
        if self.diags.len() < MAX_REPORTED {
            self.diags.push(Diagnostic::new(self.file, self.text, at..at, field, msg));
        } else {
            self.more += 1;
        }
    }

    fn into_error(mut self) -> LoadError {
        if self.more > 0 {
            let at = self.text.len();
            let more = format!("and {} more problems", self.more);
            self.diags.push(Diagnostic::new(self.file, self.text, at..at, String::new(), more));
        }
        LoadError::CensusInvalid(ScenarioError { file: self.file.to_string(), diagnostics: self.diags })
    }
}
