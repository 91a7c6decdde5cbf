//! `[scenario]` and `[calendar]`: the run's dates, replications, seed and
//! bank holidays.

use super::*;

pub(super) struct Head {
    pub(super) name: String,
    pub(super) start: NaiveDate,
    pub(super) end: NaiveDate,
    pub(super) warmup_days: u32,
    pub(super) replications: u32,
    pub(super) seed: u64,
    /// `census`: the file as written and where, to resolve it beside the file that names it.
    pub(super) census: Option<(String, std::ops::Range<usize>)>,
}

pub(super) fn read_scenario(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> Option<Head> {
    let Some(t) = root.table(cx, "scenario", "scenario") else {
        if !root.has("scenario") {
            cx.err(0..0, "scenario", "missing [scenario] table (name, start, end, warmup_days, replications, seed)");
        }
        return None;
    };
    t.check_keys(cx, &["name", "start", "end", "warmup_days", "replications", "seed", "census"]);
    let census = match t.get("census") {
        None => Some(None),
        Some(_) => t.str(cx, "census").map(|(s, span)| Some((s.to_string(), span))),
    };
    let name = match inherited_name(cx.sources) {
        // A plan variant without a name of its own is named after its file.
        Some((stem, span)) => match scenario_name_problem(&stem).or_else(|| {
            // Named after its file, a variant must not take the name of the
            // scenario it extends (it would write over its results).
            let parent = t.get("name").and_then(|v| v.get_ref().as_str());
            (parent == Some(stem.as_str())).then(|| "that is the name of the scenario it extends".to_string())
        }) {
            Some(why) => {
                cx.err(
                    span,
                    "scenario.name",
                    format!(
                        "this file extends another without a [scenario] name of its own, so it would be named \
                         after the file, \"{}\", but {why}; give it a name",
                        stem.escape_debug()
                    ),
                );
                None
            }
            None => Some(stem),
        },
        None => t.str_req(cx, "name", "a name such as \"winter-2026-27\"").and_then(|(s, span)| {
            if let Some(why) = scenario_name_problem(s) {
                cx.err(span, "scenario.name", format!("{why}, found \"{s}\""));
                return None;
            }
            Some(s.to_string())
        }),
    };
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
    // The workbooks' dates (finance.xlsx) run from 1900 to 9999; checked
    // here so a run never fails at its end.
    for (key, d) in [("start", start), ("end", end)] {
        let Some(d) = d else { continue };
        if d.year() < 1900 || d.year() > 9999 {
            cx.err(
                t.key_span(key),
                format!("scenario.{key}"),
                format!("{d} is outside the years 1900 to 9999 that bedflow's workbooks can hold"),
            );
            return None;
        }
    }
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            let span = t.key_span("end");
            cx.err(span, "scenario.end", format!("end ({e}) is before start ({s}); end is the last reported day"));
            return None;
        }
        if let Some(w) = warmup {
            let days = (e - s).num_days() + 1 + w;
            if days > limits::MAX_HORIZON_DAYS {
                let span = t.key_span("end");
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
        census: census?,
    })
}

/// Why `s` cannot be a scenario's name. It names the output folder, so
/// also no '/', '\\' or leading '.' (no "." or "..").
fn scenario_name_problem(s: &str) -> Option<String> {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "._-".contains(c);
    name_problem(
        s,
        100,
        allowed,
        "ASCII letters, digits, '.', '_' and '-', not starting with '.' (it names the output folder)",
    )
    .or_else(|| {
        s.starts_with('.').then(|| "a scenario name must not start with '.' (it names the output folder)".into())
    })
}

/// The name a plan variant takes when it does not name itself: the stem of
/// its file (`plus-20-beds.toml` is "plus-20-beds"), so two variants of one
/// base never share the base's name, its output folder and, in `compare`,
/// its label. `None` when the scenario is a single file, when the file
/// named on the command line sets `[scenario] name` itself, or when a
/// `--set scenario.name=...` does. The span is where the file's `extends`
/// begins (the start of its text), for a stem that cannot be a name.
fn inherited_name(sources: &[Source]) -> Option<(String, std::ops::Range<usize>)> {
    if sources.iter().any(|s| s.sets.as_deref() == Some("scenario.name")) {
        return None;
    }
    let files: Vec<&Source> = sources.iter().filter(|s| s.sets.is_none()).collect();
    let [.., _, last] = files.as_slice() else { return None };
    let own = toml::de::DeTable::parse(&last.text).ok().is_some_and(|t| {
        t.get_ref().get("scenario").and_then(|v| v.get_ref().as_table()).is_some_and(|t| t.contains_key("name"))
    });
    if own {
        return None;
    }
    let stem = std::path::Path::new(&last.file).file_stem()?.to_string_lossy().into_owned();
    Some((stem, last.start..last.start))
}

pub(super) fn read_calendar(cx: &mut Ctx<'_>, root: Tbl<'_, '_>) -> (Option<Region>, Option<Vec<NaiveDate>>) {
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
