//! Bank holidays.
//!
//! UK bank holidays have substitute days (Boxing Day 2026 is a Saturday, so
//! Monday 28 December 2026 is the holiday) and occasional one-off days, so a
//! rule engine alone is not enough: the dates ship as data, in the same JSON
//! shape gov.uk publishes at <https://www.gov.uk/bank-holidays.json>, so the
//! file can be refreshed by pasting the divisions in.

use chrono::{Datelike, NaiveDate, Weekday};
use std::collections::BTreeSet;

/// The gov.uk divisions bedflow knows, plus `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Region {
    /// England and Wales (gov.uk division `england-and-wales`).
    EnglandAndWales,
    /// Scotland (gov.uk division `scotland`).
    Scotland,
    /// Northern Ireland (gov.uk division `northern-ireland`).
    NorthernIreland,
    /// No built-in holidays: only the scenario's `extra_holidays` count.
    None,
}

impl Region {
    /// Every value `[calendar] bank_holidays` accepts, as listed in error messages.
    pub const NAMES: [&'static str; 4] = ["england-and-wales", "scotland", "northern-ireland", "none"];

    /// The region a scenario's `bank_holidays` value names; `Option::None` for a name not in [`Region::NAMES`].
    pub fn parse(s: &str) -> Option<Region> {
        match s {
            "england-and-wales" => Some(Region::EnglandAndWales),
            "scotland" => Some(Region::Scotland),
            "northern-ireland" => Some(Region::NorthernIreland),
            "none" => Some(Region::None),
            _ => None,
        }
    }

    /// The name as written in a scenario and as the division's key in the gov.uk JSON (inverse of [`Region::parse`]).
    pub fn name(self) -> &'static str {
        match self {
            Region::EnglandAndWales => "england-and-wales",
            Region::Scotland => "scotland",
            Region::NorthernIreland => "northern-ireland",
            Region::None => "none",
        }
    }
}

const DATA: &str = include_str!("bank-holidays.json");

#[derive(serde::Deserialize)]
struct Division {
    events: Vec<Event>,
}

#[derive(serde::Deserialize)]
struct Event {
    title: String,
    date: String,
}

/// A named bank holiday.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BankHoliday {
    /// Day the holiday is taken (the substitute weekday when the holiday itself falls on a weekend).
    pub date: NaiveDate,
    /// Name as gov.uk gives it (e.g. "Boxing Day"), or "Extra holiday" for the scenario's `extra_holidays`; labels
    /// plots and the report.
    pub title: String,
}

/// Built-in bank holidays of a region, with the years the data covers.
/// The data is compiled in and checked by tests, so a parse failure is a bug.
pub fn built_in(region: Region) -> (Vec<BankHoliday>, std::ops::RangeInclusive<i32>) {
    let key = match region {
        Region::None => return (Vec::new(), i32::MIN..=i32::MAX),
        r => r.name(),
    };
    // Compiled-in data, not input: a parse failure (or a date that does not
    // parse) is a build defect, caught by the test
    // `data_loads_for_every_region_and_falls_on_weekdays`.
    let all: std::collections::HashMap<String, Division> =
        serde_json::from_str(DATA).expect("the bundled bank-holidays.json parses");
    let events = all.get(key).map(|d| d.events.as_slice()).unwrap_or(&[]);
    let days: Vec<BankHoliday> = events
        .iter()
        .map(|e| {
            let date = NaiveDate::parse_from_str(&e.date, "%Y-%m-%d").expect("bundled dates are ISO dates");
            BankHoliday { date, title: e.title.clone() }
        })
        .collect();
    let first = days.iter().map(|d| d.date.year()).min().unwrap_or(0);
    let last = days.iter().map(|d| d.date.year()).max().unwrap_or(0);
    (days, first..=last)
}

/// Which days are bank holidays: the region's built-in dates plus the
/// scenario's `extra_holidays` (treated exactly like bank holidays).
#[derive(Debug, Clone, PartialEq)]
pub struct Calendar {
    /// Region whose built-in dates were loaded (named in the report).
    pub region: Region,
    /// Every holiday, built-in and extra, sorted by date, one per date.
    pub holidays: Vec<BankHoliday>,
    set: BTreeSet<NaiveDate>,
}

impl Calendar {
    /// The region's built-in holidays plus the scenario's `extra` dates (a date already a holiday is not added twice).
    pub fn new(region: Region, extra: &[NaiveDate]) -> Calendar {
        let (mut holidays, _) = built_in(region);
        for d in extra {
            if !holidays.iter().any(|h| h.date == *d) {
                holidays.push(BankHoliday { date: *d, title: "Extra holiday".into() });
            }
        }
        holidays.sort_by_key(|h| h.date);
        let set = holidays.iter().map(|h| h.date).collect();
        Calendar { region, holidays, set }
    }

    /// Whether `date` is a built-in or extra holiday: lists close and the bank-holiday demand and discharge factors
    /// apply.
    pub fn is_bank_holiday(&self, date: NaiveDate) -> bool {
        self.set.contains(&date)
    }
}

/// Saturday or Sunday: the days `discharge.weekend_factor` applies to.
pub fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn england_and_wales_winter_2026_27() {
        let c = Calendar::new(Region::EnglandAndWales, &[]);
        for day in ["2026-12-25", "2026-12-28", "2027-01-01", "2027-03-26", "2027-03-29"] {
            assert!(c.is_bank_holiday(d(day)), "{day} should be a bank holiday");
        }
        for day in ["2026-12-26", "2026-12-24", "2026-12-29", "2027-01-04", "2026-11-30"] {
            assert!(!c.is_bank_holiday(d(day)), "{day} should not be a bank holiday");
        }
    }

    #[test]
    fn data_loads_for_every_region_and_falls_on_weekdays() {
        for r in [Region::EnglandAndWales, Region::Scotland, Region::NorthernIreland] {
            let (days, years) = built_in(r);
            assert!(days.len() >= 40, "{r:?}");
            assert_eq!(years, 2024..=2028);
            assert!(days.iter().all(|h| !is_weekend(h.date)), "{r:?}");
        }
        let scot = Calendar::new(Region::Scotland, &[]);
        assert!(scot.is_bank_holiday(d("2026-11-30")), "St Andrew's Day");
        assert!(!scot.is_bank_holiday(d("2027-03-29")), "no Easter Monday in Scotland");
        let ni = Calendar::new(Region::NorthernIreland, &[]);
        assert!(ni.is_bank_holiday(d("2027-03-17")), "St Patrick's Day");
    }

    #[test]
    fn extra_holidays_count() {
        let c = Calendar::new(Region::None, &[d("2026-12-24")]);
        assert!(c.is_bank_holiday(d("2026-12-24")));
        assert!(!c.is_bank_holiday(d("2026-12-25")));
    }
}
