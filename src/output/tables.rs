//! CSV tables an analyst opens in Excel: plain ASCII, one header row, dates as
//! ISO `YYYY-MM-DD`, numbers with at most six decimals, blank where undefined.

use crate::model::Model;
use crate::reduce::Results;
use crate::reduce::Summaries;
use crate::stats::{Key, Scope};

/// Formats a number for CSV: up to six decimals, trailing zeros trimmed, blank if undefined.
pub fn num(x: f64) -> String {
    if !x.is_finite() {
        return String::new();
    }
    let s = format!("{x:.6}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    if s == "-0" { "0".into() } else { s.to_string() }
}

/// The UTF-8 byte-order mark [`for_excel`] adds.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// CSV stays plain ASCII; if a name brings in other characters, a UTF-8
/// byte-order mark tells Excel the encoding (without it Excel guesses wrong).
pub fn for_excel(csv: Vec<u8>) -> Vec<u8> {
    if csv.is_ascii() {
        return csv;
    }
    let mut out = Vec::with_capacity(csv.len() + 3);
    out.extend_from_slice(BOM);
    out.extend(csv);
    out
}

fn pool_name(model: &Model, key: &Key) -> String {
    key.pool().map(|p| model.pools[p].name.clone()).unwrap_or_default()
}

fn specialty_name(model: &Model, key: &Key) -> String {
    key.specialty().map(|s| model.specialties[s].name.clone()).unwrap_or_default()
}

/// CSV settings: Excel's CRLF line ends.
pub fn csv_builder() -> csv::WriterBuilder {
    let mut b = csv::WriterBuilder::new();
    b.terminator(csv::Terminator::CRLF);
    b
}

/// A CSV table built in memory with Excel's CRLF line ends. The first
/// error (none is expected writing to memory) is kept and returned by
/// [`Csv::finish`], never dropped.
pub struct Csv {
    w: csv::Writer<Vec<u8>>,
    error: Option<std::io::Error>,
}

impl Csv {
    /// An empty table; rows are added with [`Csv::row`] or [`Csv::record`].
    pub fn new() -> Csv {
        Csv { w: csv_builder().from_writer(Vec::new()), error: None }
    }

    /// Appends one record.
    pub fn row<I, T>(&mut self, record: I)
    where
        I: IntoIterator<Item = T>,
        T: AsRef<[u8]>,
    {
        if self.error.is_none()
            && let Err(e) = self.w.write_record(record)
        {
            self.error = Some(std::io::Error::other(e));
        }
    }

    /// Appends one record from a struct; the first one also writes the
    /// header, the struct's field names in order.
    pub fn record(&mut self, record: impl serde::Serialize) {
        if self.error.is_none()
            && let Err(e) = self.w.serialize(record)
        {
            self.error = Some(std::io::Error::other(e));
        }
    }

    /// The table's bytes, or the first error.
    pub fn finish(self) -> std::io::Result<Vec<u8>> {
        if let Some(e) = self.error {
            return Err(e);
        }
        self.w.into_inner().map_err(|e| std::io::Error::other(e.to_string()))
    }
}

impl Default for Csv {
    fn default() -> Csv {
        Csv::new()
    }
}

/// A row of `summary.csv`; the field names are the header.
#[derive(serde::Serialize)]
struct SummaryRow<'a> {
    metric: &'a str,
    pool: String,
    mean: String,
    ci95_low: String,
    ci95_high: String,
    p10: String,
    p50: String,
    p90: String,
    p95: String,
    replications: usize,
    specialty: String,
}

/// `summary.csv`: one row per KPI (and pool) across replications.
pub fn summary_csv(model: &Model, sums: &Summaries) -> std::io::Result<Vec<u8>> {
    let mut w = Csv::new();
    for (key, s) in &sums.scalar {
        w.record(SummaryRow {
            metric: key.metric.name(),
            pool: pool_name(model, key),
            mean: num(s.mean),
            ci95_low: num(s.ci95_low),
            ci95_high: num(s.ci95_high),
            p10: num(s.p10),
            p50: num(s.p50),
            p90: num(s.p90),
            p95: num(s.p95),
            replications: s.n,
            specialty: specialty_name(model, key),
        });
    }
    w.finish()
}

/// A row of `daily.csv`; the field names are the header.
#[derive(serde::Serialize)]
struct DailyRow<'a> {
    date: &'a str,
    metric: &'a str,
    pool: String,
    mean: String,
    p10: String,
    p50: String,
    p90: String,
    p25: String,
    p75: String,
    specialty: String,
}

/// `daily.csv`: per reported date and daily metric, the mean and percentiles across replications.
pub fn daily_csv(model: &Model, sums: &Summaries) -> std::io::Result<Vec<u8>> {
    let mut w = Csv::new();
    let days = model.reported_days() as usize;
    for day in 0..days {
        let date = (model.start + chrono::Days::new(day as u64)).format("%Y-%m-%d").to_string();
        for (key, per_day) in &sums.daily {
            let s = &per_day[day];
            w.record(DailyRow {
                date: &date,
                metric: key.metric.name(),
                pool: pool_name(model, key),
                mean: num(s.mean),
                p10: num(s.p10),
                p50: num(s.p50),
                p90: num(s.p90),
                p25: num(s.p25),
                p75: num(s.p75),
                specialty: specialty_name(model, key),
            });
        }
    }
    w.finish()
}

/// `replications.csv`: one row per replication, one column per KPI
/// (`metric` for trust-wide, `metric:pool` per pool). From a reducer with a
/// folder the file is already written (see [`crate::reduce`]); the header and
/// rows are built by the same functions either way.
pub fn replications_csv(model: &Model, results: &Results) -> std::io::Result<Vec<u8>> {
    let mut w = Csv::new();
    let pools: Vec<String> = model.pools.iter().map(|p| p.name.clone()).collect();
    let specialties: Vec<String> = model.specialties.iter().map(|s| s.name.clone()).collect();
    w.row(replications_header(&pools, &specialties, &results.scalar_keys));
    for (r, rep) in results.scalars.iter().enumerate() {
        w.row(replication_row(r + 1, rep.iter().copied()));
    }
    w.finish()
}

/// The header row of `replications.csv`.
pub fn replications_header(pools: &[String], specialties: &[String], keys: &[Key]) -> Vec<String> {
    let mut header = vec!["replication".to_string()];
    header.extend(keys.iter().map(|k| match k.scope {
        Scope::Pool(p) => format!("{}:{}", k.metric, pools.get(p).map_or("", String::as_str)),
        Scope::Specialty(s) => format!("{}:specialty:{}", k.metric, specialties.get(s).map_or("", String::as_str)),
        Scope::Trust => k.metric.to_string(),
    }));
    header
}

/// Row `number` (1-based) of `replications.csv`.
pub fn replication_row(number: usize, values: impl Iterator<Item = f64>) -> Vec<String> {
    let mut row = vec![number.to_string()];
    row.extend(values.map(num));
    row
}

#[cfg(test)]
mod tests {
    use super::num;

    #[test]
    fn non_ascii_csv_gets_a_byte_order_mark() {
        assert_eq!(super::for_excel(b"a,b\r\n".to_vec()), b"a,b\r\n");
        assert_eq!(super::for_excel("ward,Sjö\r\n".as_bytes().to_vec())[..3], [0xEF, 0xBB, 0xBF]);
    }

    #[test]
    fn numbers_are_short_and_blank_when_undefined() {
        assert_eq!(num(1.0), "1");
        assert_eq!(num(0.1 + 0.2), "0.3");
        assert_eq!(num(412.3456789), "412.345679");
        assert_eq!(num(-0.0000001), "0");
        assert_eq!(num(f64::NAN), "");
    }
}
