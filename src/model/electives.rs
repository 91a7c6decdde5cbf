//! Elective specialties, theatre lists and cuts to routine work.

use super::*;

/// An elective specialty's waiting list and case mix.
///
/// Whether a patient needs an inpatient bed, and how long they stay, belong
/// to the patient (drawn at referral), not to the theatre list, so a
/// cancelled inpatient is still an inpatient when rebooked.
#[derive(Debug, Clone, PartialEq)]
pub struct Specialty {
    /// Name as written in the scenario, used in outputs and to merge plan variants.
    pub name: String,
    /// Patients waiting when the simulation starts (first warm-up day).
    pub initial_list: u32,
    /// How long the initial list has been waiting, in weeks (unused when `steady_state`).
    pub initial_wait_weeks: Distribution,
    /// `initial_wait_weeks = "steady-state"`: the initial list's make-up
    /// and ages are those of a list of `initial_list` patients treated as
    /// fast as referred, booked by this specialty's rules (see
    /// [`Specialty::steady_state_list`]).
    pub steady_state: bool,
    /// Mean referrals a week onto the list (a Poisson stream).
    pub referrals_per_week: f64,
    /// Share of patients (initial list and referrals) who are urgent (e.g.
    /// cancer): treated first, never cancelled for lack of a bed.
    pub urgent_share: f64,
    /// Share who need an inpatient bed after surgery; the rest are day cases.
    pub inpatient_share: f64,
    /// Inpatient length of stay, in days.
    pub stay_days: Distribution,
    /// Booking by clinical priority (`priority_shares`); `None`: urgent
    /// first, then routine, longest wait first.
    pub priority: Option<Priority>,
}

/// A recurring theatre list (session) of one specialty.
#[derive(Debug, Clone, PartialEq)]
pub struct TheatreList {
    /// Index into [`Model::specialties`].
    pub specialty: usize,
    /// Pool the list's inpatients need a bed in.
    pub pool: usize,
    /// Days it runs, Monday first.
    pub weekdays: [bool; 7],
    /// Sessions on each day it runs, all at `start_hour`.
    pub lists_per_day: u32,
    /// Patients each session can operate on (urgent and routine together).
    pub cases_per_list: u32,
    /// Hour of day (0-23) sessions start; an inpatient needs a free bed then.
    pub start_hour: u32,
    /// Lists are cancelled on bank holidays (and extra holidays) unless true.
    pub open_on_bank_holidays: bool,
    /// `bed_check_until_hour`: the bed check also counts the list pool's
    /// discharges already due before this hour of the day (after
    /// `start_hour`, up to 24); `None`: only beds free at the start.
    pub bed_check_until_hour: Option<u32>,
    /// `recovery_wait_hours`: a routine inpatient who fails the bed check is
    /// booked anyway and waits up to this many hours at the front of the bed
    /// queue; cancelled then if no bed came. `None`: cancelled at once.
    pub recovery_wait_hours: Option<f64>,
}

/// Between two dates (inclusive), lists of the specialty (or every specialty)
/// offer only `factor` of their slots to routine patients; urgent patients
/// still get every slot. `factor = 0` pauses routine work.
#[derive(Debug, Clone, PartialEq)]
pub struct ElectiveCut {
    /// First day of the cut.
    pub from: NaiveDate,
    /// Last day of the cut, inclusive.
    pub to: NaiveDate,
    /// Share of slots (0-1) routine patients may use; overlapping cuts multiply.
    pub factor: f64,
    /// Specialty cut (index into [`Model::specialties`]); `None` cuts every specialty.
    pub specialty: Option<usize>,
}
