//! Leaving hospital: the discharge rules, the discharge lounge and the
//! discharge pathways after the acute stay.

use chrono::{Datelike, NaiveDate};

use crate::dist::Distribution;

use super::Model;

/// The discharge pathways after the acute stay (discharge to assess): P0
/// is home with no new support (no wait beyond the discharge rules), P1
/// home with support, P2 a rehabilitation or step-down bed, P3 a care home.
pub const PATHWAY_NAMES: [&str; 3] = ["P1", "P2", "P3"];

/// One discharge pathway (P1, P2 or P3): patients whose acute stay has ended
/// and who need it keep their bed until it starts.
#[derive(Debug, Clone, PartialEq)]
pub struct Pathway {
    /// 0 for P1, 1 for P2, 2 for P3 (index into [`PATHWAY_NAMES`]).
    pub index: usize,
    /// Days from the end of the acute stay until the patient can take a start
    /// (assessment, arranging the package); `None`: none.
    pub delay_days: Option<Distribution>,
    /// Starts a day, Monday to Sunday (bank holidays take Sunday's), before
    /// dated changes; `None`: unlimited (the delay alone, if any).
    pub starts_per_day: Option<[u32; 7]>,
    /// Dated changes of the starts a day (`[[pathway.capacity]]`), in date order, not overlapping.
    pub capacity: Vec<PathwayCapacity>,
}

/// Starts a day of a pathway between two dates (inclusive).
#[derive(Debug, Clone, PartialEq)]
pub struct PathwayCapacity {
    /// First day of the change.
    pub from: NaiveDate,
    /// Last day of the change, inclusive.
    pub to: NaiveDate,
    /// Starts a day, Monday to Sunday, on those dates (bank holidays take Sunday's).
    pub starts_per_day: [u32; 7],
}

impl Pathway {
    /// Starts on `date` (`None`: unlimited), with `bank_holiday` true on a bank holiday.
    pub fn starts_on(&self, date: NaiveDate, bank_holiday: bool) -> Option<u32> {
        let week = self.starts_per_day?;
        let week = self.capacity.iter().find(|c| c.from <= date && date <= c.to).map_or(week, |c| c.starts_per_day);
        let day = if bank_holiday { 6 } else { date.weekday().num_days_from_monday() as usize };
        Some(week[day])
    }
}

/// When a patient whose stay has ended actually leaves.
#[derive(Debug, Clone, PartialEq)]
#[expect(clippy::large_enum_variant, reason = "one per model, built once: boxing the profile buys nothing")]
pub enum DischargePolicy {
    /// The moment the stay ends.
    OnReady,
    /// Only between `open_hour` and `close_hour`; on weekends and bank holidays
    /// a ready patient goes that day only with the given probability.
    DailyWindow {
        /// Hour of day (0-23) the window opens.
        open_hour: u32,
        /// Hour of day the window closes (up to 24, after `open_hour`); a patient ready later waits for the next
        /// window.
        close_hour: u32,
        /// Chance (0-1) that a ready patient goes on a Saturday or Sunday.
        weekend_factor: f64,
        /// Chance (0-1) that a ready patient goes on a bank holiday (weekend or not).
        bank_holiday_factor: f64,
    },
    /// The recommended model: each patient is reviewed once; on a weekend
    /// day only `weekend_review_share` of patients can go (the rest go on the
    /// next day they can, usually Monday), on a bank holiday
    /// `bank_holiday_review_share`; the clock time of leaving is drawn from
    /// an hour-of-day profile (weekday or weekend), so discharges follow it.
    Profile {
        /// Weights of the 24 clock hours on weekdays (sum 1).
        weekday_hours: [f64; 24],
        /// Weights of the 24 clock hours on weekends and bank holidays (sum 1).
        weekend_hours: [f64; 24],
        /// Share (0-1) of patients ready on a Saturday or Sunday who can go that day.
        weekend_review_share: f64,
        /// Share (0-1) of patients ready on a bank holiday who can go that day.
        bank_holiday_review_share: f64,
        /// A discharge lounge, if any.
        lounge: Option<Lounge>,
    },
}

/// A discharge lounge: on each day it is open, patients due to leave later
/// that day move there at `move_hour` if a chair is free, so their bed is
/// free from then.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Lounge {
    /// Chairs (patients at once).
    pub chairs: u32,
    /// Hour of day (0-23) patients move in.
    pub move_hour: u32,
    /// Hour of day (after `move_hour`, up to 24) the lounge closes: patients
    /// due to leave later stay in their bed.
    pub close_hour: u32,
    /// Open at weekends and on bank holidays too.
    pub weekends: bool,
}

impl Model {
    /// The discharge lounge, if the profile rules have one.
    pub fn lounge(&self) -> Option<&Lounge> {
        match &self.discharge {
            DischargePolicy::Profile { lounge, .. } => lounge.as_ref(),
            _ => None,
        }
    }

    /// True when the run keeps NCTR books and the hours of discharge:
    /// with pathways or the profile discharge rules.
    pub fn reports_leaving(&self) -> bool {
        !self.pathways.is_empty() || matches!(self.discharge, DischargePolicy::Profile { .. })
    }
}
