//! The typed, validated, immutable model of a hospital that the engine runs.
//!
//! Nothing here knows about TOML: [`crate::scenario`] builds a [`Model`] and
//! guarantees its invariants (beds >= 1, shares summing to 1, weights of the
//! right length, pools that exist), so the engine can trust every field.

use crate::calendar::Calendar;
use crate::dist::Distribution;
use chrono::{Datelike, NaiveDate};

mod booking;
mod discharge;
mod ed;
mod electives;
pub use ed::{Clinicians, Ed, EdCapacity, Minors};
pub use electives::{ElectiveCut, Specialty, TheatreList};
mod plan;
pub use plan::PlanCost;
mod warnings;

pub use booking::Priority;
pub use discharge::{DischargePolicy, Lounge, PATHWAY_NAMES, Pathway, PathwayCapacity};

/// Seconds in a simulated day. Simulation time is an integer number of
/// seconds since midnight at the start of the warm-up.
pub const DAY: u32 = 86_400;
/// Seconds in an hour.
pub const HOUR: u32 = 3_600;

/// A validated scenario: everything the engine needs, in planners' units (dates, days, hours, beds, pounds). Pools,
/// routes, specialties and lists are referred to by index into these vectors.
#[derive(Debug, Clone, PartialEq)]
pub struct Model {
    /// Used for the output folder; letters, digits, `.`, `_` and `-` only.
    pub name: String,
    /// First reported day.
    pub start: NaiveDate,
    /// Last reported day, inclusive.
    pub end: NaiveDate,
    /// Days simulated before `start` so the hospital is not empty on day one.
    pub warmup_days: u32,
    /// Replications run unless `--replications` overrides it.
    pub replications: u32,
    /// Seed of every random stream unless `--seed` overrides it; scenarios run with one seed share arrivals and stays
    /// (common random numbers).
    pub seed: u64,
    /// Bank holidays, built-in and extra: theatre lists close, and demand and discharges use their bank-holiday
    /// factors.
    pub calendar: Calendar,
    /// The emergency department; `None` without an `[ed]` section (direct admissions only).
    pub ed: Option<Ed>,
    /// Date ranges multiplying arrival rates; overlapping ranges multiply (see [`Model::seasonality_factor`]).
    pub seasonality: Vec<Seasonality>,
    /// Admission routes, in scenario order (each route has its own random streams).
    pub routes: Vec<Route>,
    /// Bed pools (ward groups), in scenario order: a pool index anywhere is an index into this.
    pub pools: Vec<BedPool>,
    /// When patients whose stay has ended actually leave their bed.
    pub discharge: DischargePolicy,
    /// Discharge pathways P1, P2 and P3 (`[[pathway]]`), in that order; a
    /// pathway not given has no wait beyond the discharge rules. Empty:
    /// no pathways (every patient leaves by the discharge rules alone).
    pub pathways: Vec<Pathway>,
    /// Elective waiting lists, one per specialty.
    pub specialties: Vec<Specialty>,
    /// Recurring theatre sessions, in scenario order.
    pub theatre_lists: Vec<TheatreList>,
    /// Date ranges that cut routine elective activity (a winter-plan lever).
    pub elective_cuts: Vec<ElectiveCut>,
    /// OPEL thresholds; `None` without an `[opel]` section (no OPEL KPIs).
    pub opel: Option<Opel>,
    /// The patients in beds (and waiting for one) when the run starts, from a
    /// census file (`[scenario] census` or `run --census`); `None`: start empty.
    pub census: Option<Census>,
    /// Inputs not known exactly (`[[uncertainty]]`): each multiplied by a
    /// factor drawn once per replication (empty: every replication runs the
    /// inputs as given).
    pub uncertainty: Vec<Uncertain>,
    /// What the plan itself costs (`[plan]`); `None`: nothing stated (0).
    pub plan: Option<PlanCost>,
}

/// An input that is not known exactly: in each replication it is
/// multiplied by a factor drawn from `factor` (capped at
/// [`MAX_UNCERTAIN_FACTOR`]), from a random stream of its own.
#[derive(Debug, Clone, PartialEq)]
pub struct Uncertain {
    /// Which input.
    pub input: UncertainInput,
    /// The factor's distribution (mean usually 1).
    pub factor: crate::dist::Distribution,
}

/// Largest factor an uncertain input is multiplied by (a larger draw is
/// taken as this), so the run's size limits hold in every replication.
pub const MAX_UNCERTAIN_FACTOR: f64 = 3.0;

/// The inputs that may be uncertain.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UncertainInput {
    /// `ed.attendances_per_day`.
    EdAttendances,
    /// A direct route's `per_day` (index into `Model::routes`).
    RoutePerDay(usize),
    /// A route's `stay_days` (every stay scaled by the factor).
    RouteStay(usize),
    /// A pathway's `starts_per_day` (0 = P1, 1 = P2, 2 = P3), every day's
    /// starts (and its dated changes) scaled and rounded to whole starts.
    PathwayStarts(usize),
}

impl Model {
    /// This model with each uncertain input multiplied by its factor in
    /// `factors` (one per `uncertainty` entry, in order), and nothing left
    /// uncertain.
    pub fn with_factors(&self, factors: &[f64]) -> Model {
        let mut m = self.clone();
        m.uncertainty.clear();
        for (u, &f) in self.uncertainty.iter().zip(factors) {
            match u.input {
                UncertainInput::EdAttendances => {
                    if let Some(ed) = &mut m.ed {
                        ed.attendances_per_day *= f;
                    }
                }
                UncertainInput::RoutePerDay(r) => {
                    if let RouteSource::Direct { per_day, .. } = &mut m.routes[r].source {
                        *per_day *= f;
                    }
                }
                UncertainInput::RouteStay(r) => m.routes[r].stay_days = m.routes[r].stay_days.scaled(f),
                UncertainInput::PathwayStarts(k) => {
                    for p in m.pathways.iter_mut().filter(|p| p.index == k) {
                        let scale = |s: &mut [u32; 7]| {
                            for x in s.iter_mut() {
                                *x = (f64::from(*x) * f).round() as u32;
                            }
                        };
                        if let Some(s) = &mut p.starts_per_day {
                            scale(s);
                        }
                        for c in &mut p.capacity {
                            scale(&mut c.starts_per_day);
                        }
                    }
                }
            }
        }
        m
    }

    /// The model with every uncertain input at its largest factor, for the
    /// size limits (the model itself when nothing is uncertain).
    pub fn at_most(&self) -> std::borrow::Cow<'_, Model> {
        if self.uncertainty.is_empty() {
            std::borrow::Cow::Borrowed(self)
        } else {
            std::borrow::Cow::Owned(self.with_factors(&vec![MAX_UNCERTAIN_FACTOR; self.uncertainty.len()]))
        }
    }
}

/// When demand varies through the day and the week. Weights are relative:
/// hour-of-day weights give each hour's share of the day's arrivals; day-of-week
/// weights are scaled to average 1, so `per_day` stays the average over a week.
#[derive(Debug, Clone, PartialEq)]
pub struct TimeProfile {
    /// Share of a day's arrivals in each hour (sums to 1).
    pub hour_share: [f64; 24],
    /// Multiplier per weekday, Monday first (averages 1).
    pub day_multiplier: [f64; 7],
    /// Multiplier on bank holidays (and extra holidays).
    pub bank_holiday_factor: f64,
    /// Where a holiday's missing demand goes (`None`: it vanishes, as before
    /// displacement existed).
    pub displacement: Option<Displacement>,
    /// Yearly growth of the rate (0.03 = 3% a year), compounding from the
    /// scenario's `start` (so the rate given is the rate on `start`; warm-up
    /// days run a little below it). 0: no growth.
    pub growth_per_year: f64,
}

/// A bank holiday moves demand rather than deleting it: of the demand a
/// holiday misses (its expected demand without the holiday x (1 -
/// `bank_holiday_factor`)), `after` arrives on the working days after it
/// (not weekends, not holidays), shared by `after_days`, and `before` on
/// the working day before; the rest (1 - after - before) is lost. A holiday
/// busier than its weekday (factor 1 or more) moves nothing.
#[derive(Debug, Clone, PartialEq)]
pub struct Displacement {
    /// Share of the missing demand arriving on the working days after.
    pub after: f64,
    /// Shares of that among the first, second, ... working day after (sum 1).
    pub after_days: Vec<f64>,
    /// Share of the missing demand arriving on the working day before.
    pub before: f64,
}

impl TimeProfile {
    /// No variation: every hour and weekday alike, no bank-holiday effect.
    pub fn flat() -> TimeProfile {
        TimeProfile {
            hour_share: [1.0 / 24.0; 24],
            day_multiplier: [1.0; 7],
            bank_holiday_factor: 1.0,
            displacement: None,
            growth_per_year: 0.0,
        }
    }
}

/// A date range (inclusive) over which all emergency demand is multiplied.
#[derive(Debug, Clone, PartialEq)]
pub struct Seasonality {
    /// First day of the range.
    pub from: NaiveDate,
    /// Last day of the range, inclusive.
    pub to: NaiveDate,
    /// Multiplier on demand (1.2 is 20% more), at most 100.
    pub factor: f64,
}

/// How arrivals of a direct route are spaced.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ArrivalProcess {
    /// Non-homogeneous Poisson process (the default).
    Poisson,
    /// Exactly evenly spaced, `per_day` a day from midnight of the first
    /// simulated day; ignores profiles and seasonality. For scheduled transfers
    /// and hand-worked tests.
    Regular,
}

/// Where a route's patients come from.
#[derive(Debug, Clone, PartialEq)]
pub enum RouteSource {
    /// A share of the ED's admitted attendances.
    Ed {
        /// Share (0-1) of ED admissions routed here; the ED routes' shares sum to 1.
        share: f64,
    },
    /// Its own arrival stream (GP referrals, transfers...).
    Direct {
        /// Mean admissions a day, averaged over a week and before seasonality.
        per_day: f64,
        /// When they arrive through the day and the week.
        profile: Box<TimeProfile>,
        /// Poisson or evenly spaced arrivals.
        process: ArrivalProcess,
    },
}

/// An admission route: where patients come from, which pool they need, how long they stay.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// Name as written in the scenario (for messages and plan variants).
    pub name: String,
    /// Where its patients come from.
    pub source: RouteSource,
    /// Index into [`Model::pools`].
    pub pool: usize,
    /// Length of stay, in days.
    pub stay_days: Distribution,
}

/// What happens to a patient who needs a bed when every bed in the pool is taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WhenFull {
    /// Wait in first-come-first-served order (boarding in ED).
    Queue,
    /// Turned away (diverted to another hospital); counted.
    Divert,
}

/// A group of interchangeable beds (a ward or a set of wards).
#[derive(Debug, Clone, PartialEq)]
pub struct BedPool {
    /// Name as written in the scenario, used in outputs and to merge plan variants.
    pub name: String,
    /// Core beds (escalation beds not included): the denominator of occupancy rates.
    pub beds: u32,
    /// What happens to a patient who needs a bed when every bed is taken.
    pub when_full: WhenFull,
    /// Cancel routine elective inpatients while anyone waits for a bed in
    /// this pool (boarding in ED), even if a bed is free.
    pub cancel_electives_when_boarding: bool,
    /// Temporary beds above the core stock, opened by rule at bed meetings.
    pub escalation: Option<Escalation>,
    /// Dated changes of the core beds (ward closures and openings), in date
    /// order, never overlapping; `beds` holds outside them.
    pub capacity: Vec<CapacityChange>,
    /// Pools (indices) this pool's patients may be placed in, in order of
    /// preference, when none of its own beds is free (outlying).
    pub outlie_to: Vec<usize>,
    /// Beds of this pool kept for its own patients: another pool's patient
    /// outlies here only while more than this many beds are free.
    pub keep_for_own_patients: u32,
    /// Length of stay of this pool's patients placed in another pool's bed,
    /// as a multiple of their stay (1 = outlying does not lengthen stays).
    pub outlier_stay_factor: f64,
    /// For a shared escalation ward (`[[escalation_ward]]`): the pools it
    /// serves. Empty for every `[[pool]]`. A ward is a pool with no core beds
    /// and escalation beds opened by its rules, which read the occupancy and
    /// the patients waiting of the pools it serves combined; each served pool
    /// lists it last in its `outlie_to`, so the ward's open beds take the
    /// served pools' patients when their own beds (and any pool they outlie
    /// to first) are full, longest-waiting first.
    pub serves: Vec<usize>,
    /// Infection-control closures (norovirus, flu, COVID bays), if modelled.
    pub outbreaks: Option<Outbreaks>,
    /// Shares of the pool's own patients (emergency, elective, census) who
    /// need discharge pathway P1, P2 or P3 when their acute stay ends (the
    /// rest: P0); all 0 without pathways.
    pub pathway_shares: [f64; 3],
}

/// Random infection-control closures of a pool: outbreaks start at random
/// (a Poisson process whose chance of at least one start in a week is
/// `chance_per_week`, while none is running), close `beds` core beds, which
/// empty as their patients leave (none admitted to them), for a drawn number
/// of days, then reopen. One outbreak at a time per pool.
#[derive(Debug, Clone, PartialEq)]
pub struct Outbreaks {
    /// Chance that an outbreak starts in a given week without one.
    pub chance_per_week: f64,
    /// Core beds closed while it lasts (a bay or a ward).
    pub beds: u32,
    /// Days closed, per outbreak.
    pub days: Distribution,
}

/// A census: the patients in beds, and waiting for a bed, at 00:00 of the
/// first simulated day (the census time).
#[derive(Debug, Clone, PartialEq)]
pub struct Census {
    /// The file, as named (for messages and `run.json`).
    pub file: String,
    /// SHA-256 of the file's bytes (part of the run's fingerprint).
    pub sha256: String,
    /// One entry per row of a patient in (or waiting for) a bed, in file order.
    pub patients: Vec<CensusPatient>,
    /// One entry per row of a patient on an elective waiting list, in file
    /// order. A specialty with any such row starts from them instead of its
    /// `waiting_list` and `initial_wait_weeks`.
    pub waiting_list: Vec<CensusWaiter>,
}

/// A patient on a specialty's elective waiting list at the census.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CensusWaiter {
    /// The specialty (index into `Model::specialties`).
    pub specialty: usize,
    /// Days since referral at the census time.
    pub waited_days: f64,
    /// Urgent (cancer or clinically urgent): booked first, never cancelled.
    pub urgent: bool,
}

/// Where a census patient's stay comes from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum CensusStay {
    /// The rest of the stay is drawn from the stay distributions that could
    /// have admitted the patient, given the days already spent.
    Drawn,
    /// Ready to leave this many days after the census time (`expected_discharge`).
    Expected(f64),
}

/// Which stay distribution a census patient's stay is drawn from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CensusRoute {
    /// Admission route (index into `Model::routes`).
    Route(usize),
    /// Elective inpatient of a specialty (index into `Model::specialties`).
    Specialty(usize),
}

/// One row of a census.
#[derive(Debug, Clone, PartialEq)]
pub struct CensusPatient {
    /// The pool whose bed the patient is in (or waits for).
    pub pool: usize,
    /// The route or specialty named in the row, if any.
    pub route: Option<CensusRoute>,
    /// Days in the bed before the census time (0 for a patient waiting).
    pub elapsed_days: f64,
    /// How the rest of the stay is decided.
    pub stay: CensusStay,
    /// Waiting for a bed at the census time (a boarder), not in one.
    pub waiting: bool,
    /// Already on a discharge pathway at the census (a backtest knows it from
    /// the spells): the pathway (1-3 for P1-P3) and the days since the
    /// acute stay ended. The patient is ready now and waits the rest of the
    /// pathway's delay given the time already waited (`None`: as any patient,
    /// a pathway drawn from the pool's shares when the stay ends).
    pub pathway: Option<(u8, f64)>,
}

/// Core beds of a pool from the midnight starting `from` to the midnight
/// ending `to` (the last day the change holds; `None`: to the end of the run).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CapacityChange {
    /// First day of the change.
    pub from: NaiveDate,
    /// Last day of the change (inclusive), or `None` for the rest of the run.
    pub to: Option<NaiveDate>,
    /// Core beds while the change holds (0: the whole pool closed).
    pub beds: u32,
}

impl BedPool {
    /// True for a shared escalation ward (see [`BedPool::serves`]).
    pub fn is_escalation_ward(&self) -> bool {
        !self.serves.is_empty()
    }

    /// Core beds on `date`: the dated change that covers it, else `beds`.
    pub fn beds_on(&self, date: NaiveDate) -> u32 {
        self.capacity.iter().find(|c| c.from <= date && c.to.is_none_or(|t| date <= t)).map_or(self.beds, |c| c.beds)
    }
}

/// Escalation beds: opened `beds_per_step` at a time at a review (bed
/// meeting) when occupancy of core beds or the number waiting for a bed
/// reaches its trigger; closed a step at a review once occupancy has fallen
/// below `close_below_occupancy` (hysteresis), a step's worth of beds is
/// empty and the last opening was at least `min_days_open` ago.
#[derive(Debug, Clone, PartialEq)]
pub struct Escalation {
    /// Most escalation beds open at once.
    pub max_beds: u32,
    /// Beds opened (or closed) at one review.
    pub beds_per_step: u32,
    /// Review hours each day, ascending.
    pub review_hours: Vec<u32>,
    /// Open when occupied / core beds >= this at a review.
    pub open_at_occupancy: f64,
    /// Or when at least this many wait for a bed at a review.
    pub open_at_boarders: Option<u32>,
    /// Close only when occupied / core beds < this.
    pub close_below_occupancy: f64,
    /// Days since the last opening before a step may close.
    pub min_days_open: u32,
    /// Date ranges (inclusive) in which beds may open; empty = any time.
    pub windows: Vec<(NaiveDate, NaiveDate)>,
    /// Running costs of the escalation beds.
    pub cost: EscalationCost,
}

/// What escalation capacity costs, in GBP.
#[derive(Debug, Clone, PartialEq)]
pub struct EscalationCost {
    /// Per escalation bed open for a day, filled or not (staff are booked).
    pub per_open_bed_day: f64,
    /// Extra per escalation bed occupied for a day (consumables, drugs...).
    pub per_occupied_bed_day: f64,
    /// Fixed cost of each opening step (setting up the area).
    pub per_opening: f64,
    /// How `per_open_bed_day` was set, for the report.
    pub basis: String,
    /// The staffing it was worked out from (`None`: given directly as
    /// `cost_per_open_bed_day`), so the finance workbook can show the sum.
    pub staffing: Option<Staffing>,
}

/// The staffing an open escalation bed-day is costed from:
/// `nurses_per_bed` x 24 hours x `nurse_hourly_cost` x (1 + `agency_share` x `agency_premium`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffing {
    /// Registered nurses on duty per bed, day and night.
    pub nurses_per_bed: f64,
    /// Substantive hourly cost with on-costs, GBP.
    pub nurse_hourly_cost: f64,
    /// Share of shifts filled by agency staff.
    pub agency_share: f64,
    /// How much more agency costs (1.0 = double).
    pub agency_premium: f64,
}

/// OPEL (Operational Pressures Escalation Levels) thresholds, set locally.
/// The day's level is 1 plus the highest band any measure reaches at the
/// 08:00 census: occupancy of core beds trust-wide, patients waiting for a
/// bed, and patients who have waited over 12 hours since a decision to admit.
#[derive(Debug, Clone, PartialEq)]
pub struct Opel {
    /// Thresholds for levels 2, 3 and 4 (ascending).
    pub occupancy: [f64; 3],
    /// Patients waiting for a bed at 08:00, thresholds for levels 2, 3 and 4 (ascending).
    pub boarders: [u32; 3],
    /// Patients waiting over 12 hours since their decision to admit at 08:00, thresholds for levels 2, 3 and 4
    /// (ascending).
    pub waits_over_12h: [u32; 3],
}

impl Model {
    /// Number of reported days.
    pub fn reported_days(&self) -> u32 {
        (self.end - self.start).num_days() as u32 + 1
    }

    /// Date of simulation day `d` (day 0 is the first warm-up day).
    pub fn date_of_day(&self, d: u32) -> NaiveDate {
        self.start - chrono::Days::new(u64::from(self.warmup_days)) + chrono::Days::new(u64::from(d))
    }

    /// Seasonality multiplier on a date (product of every range covering it).
    pub fn seasonality_factor(&self, date: NaiveDate) -> f64 {
        self.seasonality.iter().filter(|s| s.from <= date && date <= s.to).map(|s| s.factor).product()
    }

    /// Multiplier of a profile's daily rate on a date: weekday x seasonality x bank holiday.
    pub fn day_multiplier(&self, profile: &TimeProfile, date: NaiveDate) -> f64 {
        let mut m =
            profile.day_multiplier[date.weekday().num_days_from_monday() as usize] * self.seasonality_factor(date);
        if self.calendar.is_bank_holiday(date) {
            m *= profile.bank_holiday_factor;
        }
        m
    }

    /// Multipliers of a profile's daily rate on the first `days` simulated
    /// days: [`Model::day_multiplier`], then growth, then the demand bank
    /// holidays move to nearby working days. Without growth or displacement
    /// exactly the per-day multipliers (the same floating-point values).
    pub fn day_multipliers(&self, profile: &TimeProfile, days: u32) -> Vec<f64> {
        let mut m: Vec<f64> = (0..days).map(|d| self.day_multiplier(profile, self.date_of_day(d))).collect();
        if profile.growth_per_year != 0.0 {
            for (d, x) in m.iter_mut().enumerate() {
                *x *= self.growth(profile, d as u32);
            }
        }
        if let Some(disp) = &profile.displacement {
            self.displace(profile, disp, &mut m);
        }
        m
    }

    /// Growth factor on simulated day `d`: (1 + g) ^ (years since `start`).
    fn growth(&self, profile: &TimeProfile, d: u32) -> f64 {
        let years = (self.date_of_day(d) - self.start).num_days() as f64 / 365.25;
        (1.0 + profile.growth_per_year).powf(years)
    }

    /// Adds each bank holiday's displaced demand to the working days around it.
    fn displace(&self, profile: &TimeProfile, disp: &Displacement, m: &mut [f64]) {
        let f = profile.bank_holiday_factor;
        if f >= 1.0 {
            return;
        }
        let n = m.len();
        let date = |d: usize| self.date_of_day(d as u32);
        let working = |d: usize| !crate::calendar::is_weekend(date(d)) && !self.calendar.is_bank_holiday(date(d));
        let mut extra = vec![0.0; n];
        for h in (0..n).filter(|&h| self.calendar.is_bank_holiday(date(h))) {
            let base = profile.day_multiplier[date(h).weekday().num_days_from_monday() as usize]
                * self.seasonality_factor(date(h))
                * if profile.growth_per_year != 0.0 { self.growth(profile, h as u32) } else { 1.0 };
            let missing = base * (1.0 - f);
            let mut after = (h + 1..n).filter(|&d| working(d));
            for share in &disp.after_days {
                let Some(d) = after.next() else { break };
                extra[d] += missing * disp.after * share;
            }
            if disp.before > 0.0
                && let Some(d) = (0..h).rev().find(|&d| working(d))
            {
                extra[d] += missing * disp.before;
            }
        }
        for (x, e) in m.iter_mut().zip(extra) {
            *x += e;
        }
    }

    /// Average emergency admissions a day into each pool (before seasonality),
    /// and the offered load lambda x E[stay] in beds: the M/G/inf mean occupancy.
    pub fn offered_load(&self, pool: usize) -> f64 {
        self.routes.iter().filter(|r| r.pool == pool).map(|r| self.route_per_day(r) * r.stay_days.mean()).sum()
    }

    /// Mean admissions a day on a route (ignoring profiles and seasonality).
    pub fn route_per_day(&self, r: &Route) -> f64 {
        match &r.source {
            RouteSource::Ed { share } => {
                self.ed.as_ref().map_or(0.0, |ed| ed.attendances_per_day * ed.admission_probability * share)
            }
            RouteSource::Direct { per_day, .. } => *per_day,
        }
    }
}
