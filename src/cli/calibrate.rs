//! `calibrate` and `backtest`: from a trust's extracts to a scenario, and the
//! scenario tested against the same extracts.

use super::{Error, shown};
use crate::calendar::Region;
use crate::calibrate::{self, CalibrateError, Options};
use chrono::NaiveDate;
use std::path::{Path, PathBuf};

impl From<CalibrateError> for Error {
    fn from(e: CalibrateError) -> Error {
        Error::Usage(match e {
            CalibrateError::Extract(e) => e.to_string(),
            CalibrateError::Refused(why) => why,
        })
    }
}

/// Parses `--beds POOL=N`.
pub(super) fn parse_beds(items: &[String]) -> Result<Vec<(String, u32)>, Error> {
    let mut out: Vec<(String, u32)> = Vec::new();
    for item in items {
        let bad = || {
            Error::Usage(format!(
                "--beds expects POOL=N with N a whole number of beds from 1 to 100000, found \"{}\"",
                crate::terminal::for_terminal(item)
            ))
        };
        let (pool, n) = item.rsplit_once('=').ok_or_else(bad)?;
        let n: u32 = n.trim().parse().map_err(|_| bad())?;
        let pool = pool.trim().to_string();
        if pool.is_empty() || n == 0 || n > 100_000 {
            return Err(bad());
        }
        if out.iter().any(|(p, _)| *p == pool) {
            return Err(Error::Usage(format!("--beds names \"{}\" twice", crate::terminal::for_terminal(&pool))));
        }
        out.push((pool, n));
    }
    Ok(out)
}

/// Parses a `YYYY-MM-DD` flag value.
pub(super) fn date(flag: &str, s: &str) -> Result<NaiveDate, Error> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| {
        Error::Usage(format!("{flag} expects a date YYYY-MM-DD, found \"{}\"", crate::terminal::for_terminal(s)))
    })
}

/// What the `calibrate` command was given.
pub(super) struct CalibrateArgs {
    pub(super) spells: PathBuf,
    pub(super) attendances: Option<PathBuf>,
    pub(super) from: String,
    pub(super) to: String,
    pub(super) beds: Vec<String>,
    pub(super) name: String,
    pub(super) start: Option<String>,
    pub(super) end: Option<String>,
    pub(super) bank_holidays: String,
    pub(super) growth: Option<f64>,
    pub(super) out: Option<PathBuf>,
}

/// Calibrates, checks the scenario written, and publishes it with its report.
pub(super) fn calibrate(a: CalibrateArgs) -> Result<(), Error> {
    let region = Region::parse(&a.bank_holidays)
        .ok_or_else(|| Error::Usage(format!("--bank-holidays expects one of {}", Region::NAMES.join(", "))))?;
    if a.name.is_empty()
        || a.name.len() > 60
        || !a.name.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        || a.name.starts_with(['-', '.'])
    {
        return Err(Error::Usage(
            "--name expects up to 60 letters, digits, '-', '_' and '.' (not first), e.g. my-trust".into(),
        ));
    }
    let options = Options {
        spells: a.spells,
        attendances: a.attendances,
        from: date("--from", &a.from)?,
        to: date("--to", &a.to)?,
        beds: parse_beds(&a.beds)?,
        name: a.name.clone(),
        start: a.start.as_deref().map(|s| date("--start", s)).transpose()?,
        end: a.end.as_deref().map(|s| date("--end", s)).transpose()?,
        region,
        growth: match a.growth {
            Some(g) if !(-0.5..=1.0).contains(&g) || !g.is_finite() => {
                return Err(Error::Usage(format!(
                    "--growth expects a yearly growth from -0.5 to 1 (0.015 for 1.5%), found {g}"
                )));
            }
            g => g,
        },
    };
    if options.beds.is_empty() {
        return Err(Error::Usage(
            "beds cannot be inferred from spells: give --beds POOL=N for every ward group".into(),
        ));
    }
    let dir = a.out.unwrap_or_else(|| Path::new("output").join(format!("calibrate-{}", a.name)));
    let inputs: Vec<&Path> = std::iter::once(options.spells.as_path()).chain(options.attendances.as_deref()).collect();
    super::refuse_inputs_inside(&dir, &inputs)?;
    let staging = crate::output::atomic::Staging::prepare(&dir)?;
    let cal = calibrate::calibrate(options)?;
    let file = format!("{}.toml", a.name);
    // The scenario must be one `check` accepts: anything else is a bug here.
    if let Err(e) = crate::scenario::parse_str(&cal.toml, &file) {
        return Err(Error::Usage(format!(
            "the calibrated scenario does not pass the checks, so nothing was written (the extract has something \
             calibrate does not yet check for itself; please report it):\n{e}"
        )));
    }
    let missing = cal.months_without_data();
    if !missing.is_empty() {
        eprintln!(
            "bedflow: warning: the data has no day in the calendar months of {}: the scenario runs them at the \
             data's average rate (calibrate from a whole year to have every month's factor)",
            missing.join(", ")
        );
    }
    for (f, p) in &cal.problems {
        for line in p.lines() {
            eprintln!("bedflow: {f}: {line}");
        }
    }
    staging.publish(|tmp| {
        std::fs::write(tmp.join(&file), &cal.toml)?;
        calibrate::report::write(&cal, tmp, &file)
    })?;
    eprintln!(
        "bedflow: calibrated \"{}\" from {} spells{} -> {}",
        a.name,
        cal.spells_used,
        cal.ed.as_ref().map_or(String::new(), |e| format!(" and {} attendances", e.attendances)),
        shown(&dir.join(&file))
    );
    Ok(())
}

/// Simulates the period of the extracts from their census and writes actual against simulated.
pub(super) fn backtest(
    scenario: PathBuf,
    spells: PathBuf,
    attendances: Option<PathBuf>,
    from: Option<String>,
    to: Option<String>,
    flags: super::RunFlags,
) -> Result<(), Error> {
    use crate::calibrate::backtest as bt;
    let from = from.as_deref().map(|s| date("--from", s)).transpose()?;
    let to = to.as_deref().map(|s| date("--to", s)).transpose()?;
    let plain = crate::scenario::load_without_census(&scenario)?;
    let (from, to) = (from.unwrap_or(plain.start), to.unwrap_or(plain.end));
    if to < from {
        return Err(Error::Usage(format!("the backtest period ends ({to}) before it starts ({from})")));
    }
    let sets = [
        ("scenario.start".to_string(), format!("\"{from}\"")),
        ("scenario.end".to_string(), format!("\"{to}\"")),
        ("scenario.warmup_days".to_string(), "0".to_string()),
    ];
    let mut model = crate::scenario::load_with_without_census(&scenario, &sets)?;
    let (spell_rows, att, file) = bt::read(&spells, attendances.as_deref()).map_err(CalibrateError::from)?;
    let extract_end = calibrate::extract::extract_end(&spell_rows);
    if extract_end < calibrate::midnight(to) {
        return Err(Error::Usage(format!(
            "{file}: the extract ends on {}, before the backtest period does ({to}); give --from and --to within \
             the extract",
            calibrate::date_of(extract_end)
        )));
    }
    if !spell_rows.iter().any(|s| model.pools.iter().any(|p| p.name == s.pool)) {
        return Err(Error::Usage(format!(
            "{file}: no spell is in a ward group of the scenario (its pools: {}); backtest the scenario calibrated \
             from this extract",
            model.pools.iter().map(|p| format!("\"{}\"", p.name)).collect::<Vec<_>>().join(", ")
        )));
    }
    if calibrate::midnight(from) < spell_rows.iter().map(|s| s.admitted).min().unwrap_or(i64::MAX) {
        return Err(Error::Usage(format!(
            "{file}: no spell was admitted before {from}, so its census cannot be known; start the backtest later (--from)"
        )));
    }
    let spec = super::spec(&model, &flags);
    crate::scenario::size::check_replications(&model, spec.replications, spec.threads).map_err(Error::Usage)?;
    let dir = flags.out.clone().unwrap_or_else(|| Path::new("output").join(format!("backtest-{}", model.name)));
    let chain = crate::scenario::fingerprint::chain_files(&scenario)?;
    let inputs: Vec<&Path> =
        chain.iter().map(PathBuf::as_path).chain([spells.as_path()]).chain(attendances.as_deref()).collect();
    super::refuse_inputs_inside(&dir, &inputs)?;
    let staging = crate::output::atomic::Staging::prepare(&dir)?;
    let bar = super::progress_bar(spec.replications, flags.quiet);
    let (series, unknown) = bt::run(&mut model, &spell_rows, att.as_deref(), &file, spec, &|| bar.inc(1))?;
    bar.finish_and_clear();
    let title = format!(
        "Backtest of {}: {from} to {to}, {} replications from the census of {from}",
        model.name, spec.replications
    );
    staging.publish(|tmp| {
        std::fs::write(tmp.join("backtest.csv"), bt::csv(&series, from)?)?;
        let mut summary = crate::output::tables::Csv::new();
        summary.row(["series", "days", "share_of_days_inside_p10_p90", "median_mape"]);
        for s in &series {
            summary.row([
                s.name.clone(),
                s.days().to_string(),
                crate::output::tables::num(s.coverage()),
                crate::output::tables::num(s.mape()),
            ]);
        }
        std::fs::write(tmp.join("backtest_summary.csv"), summary.finish()?)?;
        bt::plot(&series, from, tmp, &title).map_err(std::io::Error::other)
    })?;
    if unknown > 0 {
        eprintln!(
            "bedflow: {file}: {unknown} patients in beds on {from} are in ward groups the scenario does not have (left out)"
        );
    }
    for s in &series {
        eprintln!(
            "bedflow: backtest {}: actual inside the simulated P10-P90 on {:.1}% of {} days; median off by {} on average",
            s.name,
            s.coverage() * 100.0,
            s.days(),
            if s.mape().is_finite() {
                format!("{:.1}%", s.mape() * 100.0)
            } else {
                "n/a (no day with an actual above 0)".into()
            }
        );
    }
    eprintln!("bedflow: backtest -> {}", shown(&dir));
    Ok(())
}
