//! Reading a trust's patient-level extracts (PAS/SUS/ECDS exports as CSV).
//!
//! Bad data is normal in these files, so a row that cannot be used is
//! skipped and counted by problem, with the first few line numbers, and the
//! counts are printed and put in the calibration report; only a missing
//! column, an unreadable file or too little left to fit stops the run
//! (exit 2). Duplicates: with an `id` column (a spell or attendance
//! identifier, as every PAS and ECDS export has), a row whose id was seen
//! before; without one, a row identical to an earlier one in every field
//! (which also drops genuine coincidences: two patients admitted in the
//! same minute to the same route, both still in hospital; give `id` to
//! avoid that). Accepted: a UTF-8 byte-order mark, CRLF line ends, quoted
//! fields (with commas), blank lines, header names in any case and order.
//!
//! Date-times: `2025-04-01T08:30`, with seconds and fractions optional, a
//! space instead of `T`, or a date alone (00:00). A time-zone suffix (`Z`,
//! `+01:00`, `+0100`) is honoured: the time is converted to UK civil time
//! (GMT, or BST from 01:00 GMT on the last Sunday of March to 01:00 GMT on
//! the last Sunday of October), since bedflow's clock hours are the
//! hospital's. Without a suffix the time is taken as UK civil time already.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use std::collections::{BTreeMap, HashSet};
use std::path::Path;

/// Largest extract read (about 10 million rows).
pub const MAX_EXTRACT_BYTES: u64 = 1 << 30;

/// How many line numbers are kept per problem.
const LINES_KEPT: usize = 5;

/// A file that cannot be used at all (exit 2).
#[derive(Debug, thiserror::Error)]
#[error("{file}{}: {reason}", if *line > 0 { format!(":{line}") } else { String::new() })]
pub struct ExtractError {
    /// The file, as named.
    pub file: String,
    /// Line of the problem (1 for the header).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

/// Rows skipped (or fields ignored), by problem: how many and the first lines.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Problems {
    /// Problem -> (rows, first line numbers).
    pub by_kind: BTreeMap<String, (u64, Vec<u64>)>,
}

impl Problems {
    fn add(&mut self, kind: &str, line: u64) {
        let e = self.by_kind.entry(kind.to_string()).or_default();
        e.0 += 1;
        if e.1.len() < LINES_KEPT {
            e.1.push(line);
        }
    }

    /// Total rows with a problem.
    pub fn total(&self) -> u64 {
        self.by_kind.values().map(|(n, _)| n).sum()
    }

    /// One line per problem: `N rows: PROBLEM (lines a, b, c, ...)`.
    pub fn lines(&self) -> Vec<String> {
        self.by_kind
            .iter()
            .map(|(kind, (n, lines))| {
                let shown: Vec<String> = lines.iter().map(u64::to_string).collect();
                let more = if *n as usize > lines.len() { ", ..." } else { "" };
                let rows = if *n == 1 { "row" } else { "rows" };
                let what = if kind.contains("the row is kept") { rows.to_string() } else { format!("{rows} skipped") };
                format!("{n} {what}: {kind} (line{} {}{more})", if *n == 1 { "" } else { "s" }, shown.join(", "))
            })
            .collect()
    }
}

/// One ED attendance. Times are seconds from 1970-01-01 00:00 UK civil time.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Attendance {
    /// Arrival.
    pub arrival: i64,
    /// Leaving the department.
    pub departure: i64,
    /// Admitted to a bed.
    pub admitted: bool,
    /// Arrived by ambulance (`None` when the column is absent or blank).
    pub ambulance: Option<bool>,
}

/// Where a spell came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Source {
    /// Admitted through the emergency department.
    Ed,
    /// Admitted directly (GP referral, transfer, assessment unit).
    Direct,
    /// Planned (elective) admission.
    Elective,
}

/// One inpatient spell. Times are seconds from 1970-01-01 00:00 UK civil time.
#[derive(Debug, Clone, PartialEq)]
pub struct Spell {
    /// Admission (taking the bed).
    pub admitted: i64,
    /// Discharge, or `None` while still in hospital at the end of the extract.
    pub discharged: Option<i64>,
    /// Source of admission.
    pub source: Source,
    /// Route name (free text, becomes the `[[admissions]]` name).
    pub route: String,
    /// Ward group (the `[[pool]]`).
    pub pool: String,
    /// When the criteria to reside ended, if recorded.
    pub ready: Option<i64>,
    /// Discharge pathway 0-3, if recorded.
    pub pathway: Option<u8>,
    /// Line of the row in its file (for messages).
    pub line: u64,
}

/// Reads the whole file as UTF-8 text (bounded), refusing what is not a
/// regular `.csv` file (nothing else is read, or quoted in a message).
fn read_text(path: &Path) -> Result<(String, String), ExtractError> {
    let file = crate::terminal::path(path);
    let text = crate::files::read_csv_text(path, MAX_EXTRACT_BYTES, "an extract").map_err(|reason| ExtractError {
        file: file.clone(),
        line: 0,
        reason,
    })?;
    Ok((file, text))
}

/// The columns of a header, by name (trimmed, lower case, BOM removed).
struct Columns {
    names: Vec<String>,
}

impl Columns {
    fn find(&self, name: &str) -> Option<usize> {
        self.names.iter().position(|c| c == name)
    }
}

/// Parses the header and checks the required columns.
fn header(file: &str, reader: &mut csv::Reader<&[u8]>, required: &[&str]) -> Result<Columns, ExtractError> {
    let h = reader.headers().map_err(|e| ExtractError { file: file.into(), line: 1, reason: e.to_string() })?;
    let names: Vec<String> = h.iter().map(|c| c.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()).collect();
    if let Some((i, dup)) = names.iter().enumerate().find(|(i, n)| !n.is_empty() && names[..*i].contains(n)) {
        return Err(ExtractError {
            file: file.into(),
            line: 1,
            reason: format!(
                "column {} repeats \"{}\": each column once",
                i + 1,
                crate::terminal::for_terminal(&shorten(dup, 40))
            ),
        });
    }
    let cols = Columns { names };
    let missing: Vec<&str> = required.iter().copied().filter(|c| cols.find(c).is_none()).collect();
    if !missing.is_empty() {
        return Err(ExtractError {
            file: file.into(),
            line: 1,
            reason: format!(
                "missing column{} {} (the header has: {})",
                if missing.len() == 1 { "" } else { "s" },
                missing.join(", "),
                crate::terminal::for_terminal(&shorten(&cols.names.join(", "), 300))
            ),
        });
    }
    Ok(cols)
}

/// At most `max` characters of `s`, with "..." when cut.
fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { format!("{}...", s.chars().take(max).collect::<String>()) }
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(text.as_bytes())
}

/// Every data row with its line number in the file, skipping blank rows;
/// rows the CSV reader cannot split are counted as problems. Line numbers
/// come from the byte offset (the reader's own count skips blank lines).
fn rows<'a>(
    text: &'a str,
    r: &'a mut csv::Reader<&'a [u8]>,
    problems: &'a mut Problems,
) -> impl Iterator<Item = (u64, csv::StringRecord)> + 'a {
    let newlines: Vec<usize> = text.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i).collect();
    // With CRLF the reader's position can sit on the line feed (and blank
    // lines) before the record: skip those to the record's first byte.
    let bytes = text.as_bytes();
    let line_of = move |p: Option<&csv::Position>| {
        p.map_or(0, |p| {
            let mut at = p.byte() as usize;
            while bytes.get(at).is_some_and(|b| *b == b'\r' || *b == b'\n') {
                at += 1;
            }
            newlines.partition_point(|&n| n < at) as u64 + 1
        })
    };
    r.records().filter_map(move |rec| match rec {
        Ok(rec) => {
            let line = line_of(rec.position());
            if rec.iter().all(str::is_empty) { None } else { Some((line, rec)) }
        }
        Err(e) => {
            problems.add("not a CSV row", line_of(e.position()));
            None
        }
    })
}

/// The attendances in `path`.
pub fn read_attendances(path: &Path) -> Result<(Vec<Attendance>, Problems, String), ExtractError> {
    let (file, text) = read_text(path)?;
    let mut r = reader(&text);
    let cols = header(&file, &mut r, &["arrival", "departure", "admitted"])?;
    let id = cols.find("id");
    let (a, d, adm, mode) = (
        cols.find("arrival").unwrap_or(0),
        cols.find("departure").unwrap_or(0),
        cols.find("admitted").unwrap_or(0),
        cols.find("arrival_mode"),
    );
    let mut problems = Problems::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    let mut bad = Problems::default();
    for (line, rec) in rows(&text, &mut r, &mut problems) {
        let get = |i: usize| rec.get(i).unwrap_or("");
        if !seen.insert(identity(&rec, id)) {
            bad.add("duplicate of an earlier row", line);
            continue;
        }
        let Some(arrival) = date_time(get(a)) else {
            bad.add("arrival is not a date-time", line);
            continue;
        };
        let Some(departure) = date_time(get(d)) else {
            bad.add("departure is not a date-time", line);
            continue;
        };
        if departure < arrival {
            bad.add("departure before arrival", line);
            continue;
        }
        if departure - arrival > 7 * DAY {
            bad.add("departure over a week after arrival (a typo?)", line);
            continue;
        }
        let Some(admitted) = flag(get(adm)) else {
            bad.add("admitted is not true/false, 1/0 or yes/no", line);
            continue;
        };
        let ambulance = match mode.map(get).map(str::to_ascii_lowercase).as_deref() {
            None | Some("") => None,
            Some("ambulance") => Some(true),
            Some("walk-in" | "walk in" | "walkin") => Some(false),
            Some(_) => {
                bad.add("arrival_mode is not ambulance or walk-in (ignored; the row is kept)", line);
                None
            }
        };
        out.push(Attendance { arrival, departure, admitted, ambulance });
    }
    merge(&mut problems, bad);
    Ok((out, problems, file))
}

/// The spells in `path`.
pub fn read_spells(path: &Path) -> Result<(Vec<Spell>, Problems, String), ExtractError> {
    let (file, text) = read_text(path)?;
    let mut r = reader(&text);
    let cols = header(&file, &mut r, &["admitted", "discharged", "source", "route", "pool"])?;
    let idx = |n: &str| cols.find(n).unwrap_or(0);
    let (adm, dis, src, route, pool) = (idx("admitted"), idx("discharged"), idx("source"), idx("route"), idx("pool"));
    let (ready, pathway, id) = (cols.find("ready"), cols.find("pathway"), cols.find("id"));
    let mut problems = Problems::default();
    let mut bad = Problems::default();
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (line, rec) in rows(&text, &mut r, &mut problems) {
        let get = |i: usize| rec.get(i).unwrap_or("");
        if !seen.insert(identity(&rec, id)) {
            bad.add("duplicate of an earlier row", line);
            continue;
        }
        let Some(admitted) = date_time(get(adm)) else {
            bad.add("admitted is not a date-time", line);
            continue;
        };
        let discharged = match get(dis) {
            "" => None,
            s => match date_time(s) {
                Some(t) if t >= admitted => Some(t),
                Some(_) => {
                    bad.add("discharged before admitted", line);
                    continue;
                }
                None => {
                    bad.add("discharged is not a date-time (blank while in hospital)", line);
                    continue;
                }
            },
        };
        let source = match get(src).to_ascii_lowercase().as_str() {
            "ed" | "a&e" | "emergency department" => Source::Ed,
            "direct" => Source::Direct,
            "elective" => Source::Elective,
            _ => {
                bad.add("source is not ed, direct or elective", line);
                continue;
            }
        };
        let (route_name, pool_name) = (get(route), get(pool));
        if route_name.is_empty() || pool_name.is_empty() {
            bad.add("route or pool is blank", line);
            continue;
        }
        // Optional fields: a bad one is ignored (counted), the spell kept.
        let ready = match ready.map(get) {
            None | Some("") => None,
            Some(s) => match date_time(s) {
                Some(t) if t >= admitted && discharged.is_none_or(|d| t <= d) => Some(t),
                _ => {
                    bad.add(
                        "ready is not a date-time between admitted and discharged (ignored; the row is kept)",
                        line,
                    );
                    None
                }
            },
        };
        let pathway = match pathway.map(get).map(str::to_ascii_uppercase).as_deref() {
            None | Some("") => None,
            Some("P0") => Some(0),
            Some("P1") => Some(1),
            Some("P2") => Some(2),
            Some("P3") => Some(3),
            Some(_) => {
                bad.add("pathway is not P0, P1, P2 or P3 (ignored; the row is kept)", line);
                None
            }
        };
        out.push(Spell {
            admitted,
            discharged,
            source,
            route: route_name.to_string(),
            pool: pool_name.to_string(),
            ready,
            pathway,
            line,
        });
    }
    // Dates far from the rest are typos (a discharge in 9999, an admission
    // in 1900): they would stretch a fit or hide the extract's end.
    let last = out.iter().map(|s| s.admitted).max().unwrap_or(0);
    out.retain(|s| {
        let late = [s.discharged, s.ready].into_iter().flatten().any(|t| t > last + 2 * 365 * DAY);
        let early = s.admitted < last - 5 * 365 * DAY;
        if late {
            bad.add("discharged or ready over 2 years after the extract's last admission (a typo?)", s.line);
        } else if early {
            bad.add("admitted over 5 years before the extract's last admission (a typo?)", s.line);
        }
        !late && !early
    });
    merge(&mut problems, bad);
    Ok((out, problems, file))
}

/// Seconds in a day.
const DAY: i64 = 86_400;

/// The end of an extract: its latest time of any kind (an open spell is
/// open until then, at least).
pub fn extract_end(spells: &[Spell]) -> i64 {
    spells.iter().flat_map(|s| [Some(s.admitted), s.discharged, s.ready]).flatten().max().unwrap_or(0)
}

/// What makes a row a duplicate: its id, or with no id column the whole row.
fn identity(rec: &csv::StringRecord, id: Option<usize>) -> String {
    match id.and_then(|i| rec.get(i)).filter(|s| !s.is_empty()) {
        Some(id) => id.to_string(),
        None => rec.iter().collect::<Vec<_>>().join("\u{1f}"),
    }
}

fn merge(into: &mut Problems, from: Problems) {
    for (k, (n, lines)) in from.by_kind {
        let e = into.by_kind.entry(k).or_default();
        e.0 += n;
        e.1.extend(lines);
        e.1.truncate(LINES_KEPT);
    }
}

/// `true`/`false`, `1`/`0`, `yes`/`no`, `y`/`n` (any case).
fn flag(s: &str) -> Option<bool> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "y" => Some(true),
        "false" | "0" | "no" | "n" => Some(false),
        _ => None,
    }
}

/// A date-time as seconds from 1970-01-01 00:00 UK civil time (see the module comment).
pub fn date_time(s: &str) -> Option<i64> {
    let s = s.trim();
    let (body, offset) = split_offset(s)?;
    let naive = ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S%.f", "%Y-%m-%d %H:%M"]
        .iter()
        .find_map(|f| NaiveDateTime::parse_from_str(body, f).ok())
        .or_else(|| NaiveDate::parse_from_str(body, "%Y-%m-%d").ok().and_then(|d| d.and_hms_opt(0, 0, 0)))?;
    if !(1900..=2200).contains(&naive.year()) {
        return None;
    }
    let local = match offset {
        None => naive,
        Some(minutes) => {
            let utc = naive.checked_sub_signed(Duration::minutes(minutes))?;
            utc.checked_add_signed(Duration::hours(i64::from(is_bst(utc))))?
        }
    };
    Some(local.and_utc().timestamp())
}

/// Splits a trailing `Z`, `+HH:MM`, `-HH:MM`, `+HHMM` or `+HH` (only after a
/// time) from the text; the offset in minutes.
fn split_offset(s: &str) -> Option<(&str, Option<i64>)> {
    if let Some(body) = s.strip_suffix('Z').or_else(|| s.strip_suffix('z')) {
        return Some((body, Some(0)));
    }
    // An offset follows the time part: look for + or - after the 'T' or space.
    let Some(time_at) = s.find(['T', ' ']) else {
        return Some((s, None));
    };
    let Some(sign_at) = s[time_at..].rfind(['+', '-']).map(|i| i + time_at) else {
        return Some((s, None));
    };
    let (body, off) = s.split_at(sign_at);
    let sign = if off.starts_with('-') { -1 } else { 1 };
    let digits: String = off[1..].chars().filter(|c| *c != ':').collect();
    if !digits.chars().all(|c| c.is_ascii_digit()) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    let h: i64 = digits[..2].parse().ok()?;
    let m: i64 = if digits.len() == 4 { digits[2..].parse().ok()? } else { 0 };
    if h > 14 || m > 59 {
        return None;
    }
    Some((body, Some(sign * (h * 60 + m))))
}

/// British Summer Time at this UTC instant: from 01:00 UTC on the last
/// Sunday of March to 01:00 UTC on the last Sunday of October.
fn is_bst(utc: NaiveDateTime) -> bool {
    let last_sunday = |month: u32| {
        let mut d = NaiveDate::from_ymd_opt(utc.year(), month, 31).unwrap_or_default();
        while d.weekday() != Weekday::Sun {
            d = d.pred_opt().unwrap_or(d);
        }
        d.and_hms_opt(1, 0, 0).unwrap_or_default()
    };
    utc >= last_sunday(3) && utc < last_sunday(10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> i64 {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap().and_utc().timestamp()
    }

    #[test]
    fn date_times_in_every_accepted_form() {
        assert_eq!(date_time("2025-04-01T08:30"), Some(at("2025-04-01 08:30")));
        assert_eq!(date_time("2025-04-01 08:30:00"), Some(at("2025-04-01 08:30")));
        assert_eq!(date_time("2025-04-01T08:30:00.000"), Some(at("2025-04-01 08:30")));
        assert_eq!(date_time("2025-04-01"), Some(at("2025-04-01 00:00")));
        assert_eq!(date_time("2024-02-29T23:59"), Some(at("2024-02-29 23:59")));
        assert_eq!(date_time("2025-02-29T10:00"), None, "no 29 February in 2025");
        // Time zones: 07:30 UTC on 1 April is 08:30 BST; in January UTC is GMT.
        assert_eq!(date_time("2025-04-01T07:30Z"), Some(at("2025-04-01 08:30")));
        assert_eq!(date_time("2025-04-01T08:30+01:00"), Some(at("2025-04-01 08:30")));
        assert_eq!(date_time("2025-04-01T09:30+0200"), Some(at("2025-04-01 08:30")));
        assert_eq!(date_time("2025-01-15T08:30Z"), Some(at("2025-01-15 08:30")));
        assert_eq!(date_time("2025-01-15T03:30-05:00"), Some(at("2025-01-15 08:30")));
        // BST starts at 01:00 UTC on 30 March 2025.
        assert_eq!(date_time("2025-03-30T00:59Z"), Some(at("2025-03-30 00:59")));
        assert_eq!(date_time("2025-03-30T01:00Z"), Some(at("2025-03-30 02:00")));
        for bad in ["", "yesterday", "2025-13-01", "2025-04-01T25:00", "2025-04-01T08:30+99:00", "2025-04-01T08:30+1"] {
            assert_eq!(date_time(bad), None, "{bad}");
        }
    }

    fn write(text: &str) -> tempfile::NamedTempFile {
        use std::io::Write;
        let mut f = tempfile::Builder::new().suffix(".csv").tempfile().unwrap();
        f.write_all(text.as_bytes()).unwrap();
        f
    }

    /// A messy file: BOM, CRLF, quoted commas, blank lines, upper-case
    /// headers in another order, a time zone, a duplicate and bad rows,
    /// each counted with its line.
    #[test]
    fn messy_spells_are_read_and_problems_counted() {
        let text = "\u{feff}Pool,Route,Admitted,Discharged,Source,Ready,Pathway\r\n\
                    \"medicine, north\",\"medical (ED)\",2025-04-01T08:00,2025-04-03T10:00,ed,2025-04-02T12:00,P1\r\n\
                    \r\n\
                    medicine,GP,2025-04-01T07:00Z,,direct,,\r\n\
                    medicine,GP,2025-04-01T07:00Z,,direct,,\r\n\
                    medicine,GP,2025-04-05T07:00,2025-04-04T07:00,direct,,\r\n\
                    medicine,GP,2025-04-05T07:00,,outpatient,,\r\n\
                    medicine,GP,2025-04-05T07:00,,direct,2025-04-01T00:00,P9\r\n";
        let f = write(text);
        let (spells, problems, _) = read_spells(f.path()).unwrap();
        assert_eq!(spells.len(), 3, "{spells:?}");
        assert_eq!(spells[0].pool, "medicine, north");
        assert_eq!(spells[0].pathway, Some(1));
        assert_eq!(spells[1].admitted, at("2025-04-01 08:00"), "07:00 UTC is 08:00 BST");
        assert_eq!(spells[1].discharged, None);
        assert_eq!((spells[2].ready, spells[2].pathway), (None, None));
        let p = &problems.by_kind;
        assert_eq!(p["duplicate of an earlier row"], (1, vec![5]));
        assert_eq!(p["discharged before admitted"], (1, vec![6]));
        assert_eq!(p["source is not ed, direct or elective"], (1, vec![7]));
        assert_eq!(p["pathway is not P0, P1, P2 or P3 (ignored; the row is kept)"].0, 1);
        assert_eq!(problems.total(), 5);
    }

    #[test]
    fn a_missing_column_is_refused_at_line_1() {
        let f = write("arrival,admitted\n2025-04-01T08:00,1\n");
        let e = read_attendances(f.path()).unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.reason.contains("missing column departure"), "{e}");
    }

    #[test]
    fn attendances_with_bad_rows() {
        let f = write(
            "arrival,departure,admitted,arrival_mode\n\
             2025-04-01T08:00,2025-04-01T10:00,TRUE,Ambulance\n\
             2025-04-01T08:00,2025-04-01T07:00,0,walk-in\n\
             2025-04-01T09:00,2025-04-01T10:00,maybe,walk-in\n\
             2025-04-01T09:00,2025-04-01T10:00,no,helicopter\n",
        );
        let (a, problems, _) = read_attendances(f.path()).unwrap();
        assert_eq!(a.len(), 2);
        assert_eq!((a[0].admitted, a[0].ambulance), (true, Some(true)));
        assert_eq!((a[1].admitted, a[1].ambulance), (false, None));
        assert_eq!(problems.by_kind["departure before arrival"], (1, vec![3]));
        assert_eq!(problems.by_kind["admitted is not true/false, 1/0 or yes/no"], (1, vec![4]));
    }
}
