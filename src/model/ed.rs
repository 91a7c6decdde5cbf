//! The emergency department: attendances, its spaces, corridor, clinicians and minors.

use super::*;

/// The emergency department: attendances, who is admitted, and how long it takes.
#[derive(Debug, Clone, PartialEq)]
pub struct Ed {
    /// Mean attendances a day, averaged over a week and before seasonality.
    pub attendances_per_day: f64,
    /// When attendances arrive through the day and the week.
    pub profile: TimeProfile,
    /// Poisson (default) or evenly spaced (`arrivals = "regular"`, for
    /// hand-worked cases: no profile, no seasonality).
    pub arrivals: ArrivalProcess,
    /// Share of attendances (0-1) given a decision to admit; the rest leave after their time in department.
    pub admission_probability: f64,
    /// Arrival to decision to admit, in hours.
    pub hours_to_decision: Distribution,
    /// Arrival to leaving the department for patients not admitted, in hours.
    /// With [`Ed::capacity`], the time from getting a treatment space to leaving.
    pub hours_in_department: Distribution,
    /// Treatment spaces, corridor places and ambulance arrivals; `None` (no
    /// `spaces` in the scenario): the department never fills, as before.
    pub capacity: Option<EdCapacity>,
}

/// The department's capacity (`[ed] spaces`, `corridor_spaces`,
/// `ambulance_share`). Every attendance needs a treatment space: it waits for
/// one (ambulance arrivals before walk-ins, first come first served within
/// each), is assessed in it (`hours_to_decision` for the admitted,
/// `hours_in_department` for the rest, both counted from getting the space),
/// then either leaves (not admitted) or keeps the space until a bed is free
/// (exit block), unless a corridor place is free while someone waits for a
/// space, when the longest-waiting admitted patient in a space moves to the
/// corridor. Leaving ED for a bed stops the 4-hour clock; the corridor does not.
#[derive(Debug, Clone, PartialEq)]
pub struct EdCapacity {
    /// Main treatment spaces (majors and resus; minors too unless `minors` is given).
    pub spaces: u32,
    /// Corridor places for admitted patients waiting for a bed (0: none).
    pub corridor_spaces: u32,
    /// Share of attendances (0-1) arriving by ambulance: they wait in the
    /// ambulance for a space and are handed over before walk-ins.
    pub ambulance_share: f64,
    /// The chance that an attendance arriving in each clock hour (00:00-01:00
    /// first) comes by ambulance: `ambulance_share` every hour, or shaped by
    /// `ambulance_hour_of_day` so that the day's share stays `ambulance_share`.
    pub ambulance_by_hour: [f64; 24],
    /// A minors (or urgent treatment centre) stream with its own spaces:
    /// `None` when every attendance uses the main spaces.
    pub minors: Option<Minors>,
    /// How long a walk-in who will not be admitted waits for a space before
    /// leaving without being seen, in hours (`None`: nobody leaves).
    pub patience_hours: Option<Distribution>,
    /// Decision-makers on duty by clock hour (`None`: assessment starts as
    /// soon as a patient has a main space).
    pub clinicians: Option<Clinicians>,
}

/// Decision-makers (`clinicians`, `clinician_minutes`): a patient in a main
/// space waits for a free clinician, first come first served; their time to
/// a decision (or to leaving) starts when one sees them, and the clinician is
/// then busy for `clinician_minutes` (drawn per patient, in the order they
/// are seen, from a stream of its own). Fewer clinicians in an hour let busy
/// ones finish; nobody is interrupted. Minors patients are seen by their own
/// staff, outside this rota.
#[derive(Debug, Clone, PartialEq)]
pub struct Clinicians {
    /// Clinicians on duty in each clock hour, 00:00-01:00 first.
    pub on_duty: [u32; 24],
    /// A clinician's time with each patient, in minutes.
    pub minutes: Distribution,
}

/// The minors stream (`minors_spaces`, `minors_share`): a share of the
/// walk-ins who will not be admitted are streamed at arrival to their own
/// spaces and first-come-first-served queue, spending their
/// `hours_in_department` there. Ambulance arrivals and patients who will be
/// admitted always use the main spaces. Streaming is decided from the arrival
/// mode's random stream, so adding minors changes no other draw.
#[derive(Debug, Clone, PartialEq)]
pub struct Minors {
    /// Minors treatment spaces.
    pub spaces: u32,
    /// Share (0-1) of the walk-ins not to be admitted who are streamed to minors.
    pub share: f64,
}
