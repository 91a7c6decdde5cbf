//! What one replication measured: per pool and trust-wide, the ED, the
//! electives and OPEL. Plain data, turned into named KPIs by [`crate::stats`].

/// What one replication measured over the reported window, for one pool or
/// for the whole trust (the last entry of [`Outcome::pools`]).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PoolOutcome {
    /// Core beds (escalation beds not included): the denominator of occupancy rates.
    pub beds: u32,
    /// Bed-seconds occupied within the window.
    pub occupancy_area: u64,
    /// Patient-seconds spent waiting for a bed (boarding) within the window.
    pub boarder_area: u64,
    /// Seconds with every bed taken.
    pub full_seconds: u64,
    /// Most beds occupied at any moment of the window (the census at its start included).
    pub peak: u32,
    /// Decisions to admit (bed requests) in the window.
    pub bed_requests: u64,
    /// Bed waits of in-window decisions that got a bed, plus those still waiting
    /// at the end of the run (counted with their wait so far).
    pub waits: u64,
    /// Total of those waits, in seconds (for the mean bed wait).
    pub wait_seconds: u64,
    /// Those waits longer than 12 hours from the decision to admit ("trolley waits").
    pub waits_over_12h: u64,
    /// Patients turned away by a full `divert` pool, by decisions in the window.
    pub diverted: u64,
    /// Length of stay (admission to discharge) of in-window discharges.
    pub stay_seconds: u64,
    /// In-window discharges of patients already in a bed at a census (their
    /// stay before it unknown): left out of the mean length of stay.
    pub census_discharges: u64,
    /// Census at midnight ending each reported day.
    pub midnight: Vec<u32>,
    /// Patients waiting for a bed at 08:00 each reported day.
    pub boarders_0800: Vec<u32>,
    /// Admissions (patients given a bed) on each reported day.
    pub admissions_daily: Vec<u32>,
    /// Discharges on each reported day.
    pub discharges_daily: Vec<u32>,
    /// Escalation bed-seconds open (staffed) in the window, and in each reported day.
    pub escalation_open_seconds: u64,
    /// Escalation bed-seconds open on each reported day.
    pub escalation_open_daily: Vec<u64>,
    /// Bed-seconds occupied above the core beds, in the window and per day.
    pub escalation_used_seconds: u64,
    /// Bed-seconds above the core beds on each reported day.
    pub escalation_used_daily: Vec<u64>,
    /// Opening steps in the window and per day.
    pub escalation_openings: u64,
    /// Opening steps on each reported day.
    pub escalation_openings_daily: Vec<u32>,
    /// Escalation beds open at the midnight ending each reported day.
    pub escalation_open_midnight: Vec<u32>,
    /// Core beds open at the midnight ending each reported day (dated changes
    /// of `[[pool.capacity]]` included, escalation beds not).
    pub core_midnight: Vec<u32>,
    /// Other pools' patients in this pool's beds at the midnight ending each reported day.
    pub outliers_midnight: Vec<u32>,
    /// Patients of this pool given a bed in another pool (outlied), by admissions in the window.
    pub outliers_out: u64,
    /// Other pools' patients given a bed in this pool, by admissions in the window.
    pub outliers_in: u64,
    /// Bed-seconds of this pool's beds occupied by other pools' patients in the window.
    pub outlier_area: u64,
    /// Core bed-seconds closed by infection-control outbreaks in the window.
    pub infection_closed_seconds: u64,
    /// Bed-seconds in the window of patients past the end of their acute
    /// stay (no longer meeting the criteria to reside); with pathways or the
    /// profile discharge rules only.
    pub nctr_area: u64,
    /// Those patients at the midnight ending each reported day (empty
    /// without pathways or the profile rules).
    pub nctr_midnight: Vec<u32>,
    /// Beds free (core and open escalation beds not occupied) at noon each
    /// reported day; with a discharge lounge only, empty otherwise.
    pub free_noon: Vec<u32>,
}

/// One discharge pathway's measures (P1, P2, P3).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PathwayOutcome {
    /// Patients starting the pathway in the window.
    pub starts: u64,
    /// Their seconds from the end of the acute stay to the start (delay and queue).
    pub wait_seconds: u64,
    /// Most patients in the pathway's queue at once in the window.
    pub queue_peak: u32,
    /// Patients on this pathway past their acute stay at the midnight ending each reported day.
    pub nctr_midnight: Vec<u32>,
}

/// ED outcomes by day of arrival.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EdOutcome {
    /// Attendances arriving on each reported day.
    pub attendances: Vec<u32>,
    /// Of those, patients who left ED within 4 hours of arrival (at most 4 hours).
    pub within_4h: Vec<u32>,
    /// Of those, patients who spent over 12 hours in ED.
    pub over_12h: Vec<u32>,
    /// Of the attendances, those given a decision to admit.
    pub admitted: Vec<u32>,
    /// Of the admitted, those who left ED within 4 hours of arrival.
    pub admitted_within_4h: Vec<u32>,
    /// Patient-seconds in the department of the attendances of the reported days.
    pub seconds_in_department: u64,
    /// Attendances (of reported days) given a treatment space (capacity model only).
    pub space_waits: u64,
    /// Their seconds from arrival to a space.
    pub space_wait_seconds: u64,
    /// Handovers after more than 30 minutes.
    pub handovers_over_30m: u32,
    /// Handovers after more than 60 minutes.
    pub handovers_over_60m: u32,
    /// Ambulance seconds beyond the 15-minute handover standard.
    pub handover_seconds_lost: u64,
    /// Patient-seconds of admitted patients waiting in ED (space or corridor)
    /// for a bed, within the window.
    pub boarder_seconds: u64,
    /// Patient-seconds in corridor places within the window.
    pub corridor_seconds: u64,
    /// ED patients whose wait for a bed from the decision to admit (in the
    /// window) exceeded 12 hours: the NHS trolley-wait count.
    pub over_12h_from_dta: u32,
    /// Attendances of the reported days by minutes in the department (the
    /// last bin holds everything from [`TIME_BINS`] - 1 minutes on); capacity
    /// model only, empty otherwise.
    pub minutes_in_department: Vec<u32>,
    /// Walk-ins (of reported days) who left without being seen.
    pub left_without_being_seen: u32,
    /// Most patients in treatment spaces and corridor places at once (window).
    pub occupancy_peak: u32,
    /// Patients in the department at 08:00 of each reported day (waiting for
    /// a space, in a space or in the corridor; capacity model only).
    pub in_department_0800: Vec<u32>,
    /// The same at the midnight ending each reported day.
    pub in_department_midnight: Vec<u32>,
    /// Of those at 08:00, admitted patients waiting for a bed in a space or the corridor.
    pub boarders_0800: Vec<u32>,
    /// The same at midnight.
    pub boarders_midnight: Vec<u32>,
}

/// Minutes of time in ED kept to the minute: 72 hours, then one bin for longer.
pub const TIME_BINS: usize = 72 * 60 + 1;

/// Elective activity of one specialty (or all of them: the last entry of
/// [`Outcome::electives`]). Counts are over the reported window unless named
/// `_total` (whole simulation, for the waiting-list balance).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ElectiveOutcome {
    /// Theatre slots offered by sessions in the window.
    pub slots: u64,
    /// Patients taken from the waiting list for a session.
    pub scheduled: u64,
    /// Operated on (day cases, and inpatients given or promised a bed).
    pub treated: u64,
    /// Cancelled on the day for lack of a bed, and rebooked.
    pub cancelled: u64,
    /// Routine inpatients cancelled for lack of a bed on each reported day.
    pub cancelled_daily: Vec<u32>,
    /// Waiting list at the midnight ending each reported day.
    pub waiting_daily: Vec<u32>,
    /// Of those waiting, patients referred under 18 weeks earlier (the RTT standard).
    pub under_18_weeks_daily: Vec<u32>,
    /// Of those waiting, patients referred 52 weeks or more earlier.
    pub over_52_weeks_daily: Vec<u32>,
    /// Urgent patients among those waiting.
    pub urgent_daily: Vec<u32>,
    /// Of those waiting, patients referred 65 weeks or more earlier (with priority booking; empty otherwise).
    pub over_65_weeks_daily: Vec<u32>,
    /// Patients treated after their priority category's target (with priority booking).
    pub treated_after_target: u64,
    /// Patients on the initial waiting list (whole simulation).
    pub initial_total: u64,
    /// Referrals over the whole simulation, warm-up and cool-down included.
    pub referred_total: u64,
    /// Patients operated on over the whole simulation.
    pub treated_total: u64,
    /// Patients still waiting at the end of the simulation (after the cool-down), so initial + referred = treated +
    /// waiting.
    pub waiting_end: u64,
}

/// Everything one replication measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// One per pool, then the trust-wide total.
    pub pools: Vec<PoolOutcome>,
    /// ED attendances and outcomes; `None` without an `[ed]` section.
    pub ed: Option<EdOutcome>,
    /// One per specialty, then all specialties; empty without electives.
    pub electives: Vec<ElectiveOutcome>,
    /// OPEL level (1-4) of each reported day at 08:00; empty without `[opel]`.
    pub opel: Vec<u8>,
    /// P1, P2, P3; empty without pathways.
    pub pathways: Vec<PathwayOutcome>,
    /// Discharges in the window by clock hour (24; empty without pathways or the profile rules).
    pub discharge_hours: Vec<u64>,
    /// Patients moved to the discharge lounge (move time in the window), and their chair-seconds.
    pub lounge_moves: u64,
    /// Chair-seconds of those patients.
    pub lounge_seconds: u64,
    /// Events processed (for performance figures).
    pub events: u64,
    /// Length of the reported window, in seconds (reported days x 86,400), for time averages.
    pub window_seconds: u32,
}
