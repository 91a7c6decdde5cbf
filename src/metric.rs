//! What a KPI measures ([`Metric`]) and what it belongs to ([`Scope`]).
//!
//! Metrics are a type, not strings, so a misspelt metric in the report's
//! rows, a plot or a test is a compile error, and lookups compare small
//! integers. Each metric's name (what CSV headers, part files and `--target`
//! use) is given by `strum` from the variant, written out where the variant
//! name alone would not spell it; [`Metric::from_str`](std::str::FromStr)
//! reads it back and rejects anything else.

use strum::{EnumIter, EnumString, IntoStaticStr, VariantNames};

/// A measure of one replication. The doc comment of each variant says what
/// it counts; units are in the README's list of outputs.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, EnumString, IntoStaticStr, EnumIter, VariantNames,
)]
#[strum(serialize_all = "snake_case")]
pub enum Metric {
    /// Beds occupied at midnight: mean of the reported days, or the daily series.
    MidnightOccupancy,
    /// Midnight occupancy divided by core beds.
    BedOccupancyRate,
    /// Beds occupied, averaged over time.
    TimeAverageOccupancy,
    /// Most beds occupied at any instant.
    PeakOccupancy,
    /// Share of the time with every bed full.
    ShareOfTimeFull,
    /// Days whose midnight occupancy exceeds 92% of core beds.
    #[strum(serialize = "days_over_92pct")]
    DaysOver92Pct,
    /// Patients waiting for a bed (boarders), averaged over time.
    BoardersTimeAverage,
    /// Change per day of the boarders waiting at 08:00 (first to last day).
    BoardersGrowthPerDay,
    /// Boarders waiting at 08:00 (daily series).
    #[strum(serialize = "boarders_0800")]
    Boarders0800,
    /// Mean wait for a bed after the decision to admit, in hours.
    BedWaitHoursMean,
    /// Waits over 12 hours from the decision to admit (trolley waits).
    #[strum(serialize = "waits_over_12h_from_dta")]
    WaitsOver12hFromDta,
    /// Requests for a bed.
    BedRequests,
    /// Patients sent elsewhere because no bed was free.
    Diverted,
    /// Diverted patients as a share of bed requests.
    DivertedShare,
    /// Admissions to a bed.
    Admissions,
    /// Discharges from a bed.
    Discharges,
    /// Mean length of stay of the patients discharged, in days.
    LengthOfStayDaysMean,
    /// Core beds open at midnight (daily series; scenarios with dated capacity changes or outbreaks).
    BedsOpen,
    /// Core bed-days closed, against the pool's `beds`: dated capacity changes
    /// and infection-control outbreaks (from the midnight census of beds open).
    BedsClosedDays,
    /// Core bed-days closed by infection-control outbreaks (exact, by the second).
    InfectionClosureDays,
    /// Patients of this pool given a bed in another pool (outlying).
    OutliersOut,
    /// Other pools' patients given a bed in this pool.
    OutliersIn,
    /// Bed-days of this pool's beds occupied by other pools' patients.
    OutlierBedDays,
    /// Other pools' patients in this pool's beds at midnight (daily series).
    OutliersMidnight,
    /// Patients in a bed past the end of their acute stay (no longer meeting
    /// the criteria to reside: waiting for a pathway, the discharge hour or a
    /// weekday) at midnight: mean of the reported days (pathways or the
    /// profile discharge rules).
    NctrPatientsMidnight,
    /// The same at the midnight ending each day (daily series).
    NctrPatients,
    /// Bed-days used by patients past the end of their acute stay.
    NctrBedDays,
    /// NCTR bed-days as a share of occupied bed-days.
    NctrShareOfOccupiedBeds,
    /// NCTR patients at midnight on pathway P0 (no new support: waiting for
    /// the discharge hour or a weekday), daily series.
    #[strum(serialize = "nctr_patients_p0")]
    NctrPatientsP0,
    /// NCTR patients at midnight on pathway P1 (home with support), daily series.
    #[strum(serialize = "nctr_patients_p1")]
    NctrPatientsP1,
    /// NCTR patients at midnight on pathway P2 (rehabilitation or step-down bed), daily series.
    #[strum(serialize = "nctr_patients_p2")]
    NctrPatientsP2,
    /// NCTR patients at midnight on pathway P3 (care home), daily series.
    #[strum(serialize = "nctr_patients_p3")]
    NctrPatientsP3,
    /// Mean days from the end of the acute stay to the start of pathway P1 (delay and queue).
    #[strum(serialize = "pathway_p1_wait_days_mean")]
    PathwayP1WaitDaysMean,
    /// Mean days from the end of the acute stay to the start of pathway P2.
    #[strum(serialize = "pathway_p2_wait_days_mean")]
    PathwayP2WaitDaysMean,
    /// Mean days from the end of the acute stay to the start of pathway P3.
    #[strum(serialize = "pathway_p3_wait_days_mean")]
    PathwayP3WaitDaysMean,
    /// Most patients waiting for a start of pathway P1 at once.
    #[strum(serialize = "pathway_p1_queue_peak")]
    PathwayP1QueuePeak,
    /// Most patients waiting for a start of pathway P2 at once.
    #[strum(serialize = "pathway_p2_queue_peak")]
    PathwayP2QueuePeak,
    /// Most patients waiting for a start of pathway P3 at once.
    #[strum(serialize = "pathway_p3_queue_peak")]
    PathwayP3QueuePeak,
    /// Share of discharges before noon (leaving the bed).
    DischargesBeforeNoonShare,
    /// Share of discharges overnight, 23:00 to 05:59.
    DischargesOvernightShare,
    /// Mean discharges a weekend day over mean discharges a weekday (bank holidays left out of both).
    WeekendDischargesVsWeekday,
    /// Patients moved to the discharge lounge.
    LoungePatients,
    /// Chair-hours used in the discharge lounge.
    LoungeChairHours,
    /// Beds free at noon (core and open escalation beds not occupied): mean
    /// of the reported days, and the daily series (with a discharge lounge).
    BedsFreeNoon,
    /// ED attendances.
    EdAttendances,
    /// Share of ED attendances leaving within 4 hours of arrival.
    #[strum(serialize = "ed_4h_performance")]
    Ed4hPerformance,
    /// ED stays over 12 hours from arrival.
    #[strum(serialize = "ed_over_12h_from_arrival")]
    EdOver12hFromArrival,
    /// Share of the admitted ED attendances leaving ED (for a bed) within 4 hours (ED capacity model).
    #[strum(serialize = "ed_4h_performance_admitted")]
    Ed4hPerformanceAdmitted,
    /// Share of the ED attendances not admitted leaving within 4 hours (ED capacity model).
    #[strum(serialize = "ed_4h_performance_non_admitted")]
    Ed4hPerformanceNonAdmitted,
    /// ED patients waiting over 12 hours for a bed from the decision to admit:
    /// the NHS 12-hour trolley-wait count (ED capacity model; direct and
    /// elective bed waits are in `waits_over_12h_from_dta` only).
    #[strum(serialize = "ed_12h_from_dta")]
    Ed12hFromDta,
    /// Walk-ins who left without being seen (ED capacity model with `patience_hours`).
    LeftWithoutBeingSeen,
    /// Share of ED attendances spending over 12 hours in the department (ED capacity model).
    #[strum(serialize = "ed_over_12h_from_arrival_share")]
    EdOver12hFromArrivalShare,
    /// 95th percentile of hours from arrival to leaving ED, to the minute (ED capacity model).
    #[strum(serialize = "ed_time_in_department_hours_p95")]
    EdTimeInDepartmentHoursP95,
    /// Mean hours from arrival to leaving ED (ED capacity model).
    EdTimeInDepartmentHoursMean,
    /// Mean hours from arrival to a treatment space (ED capacity model).
    EdSpaceWaitHoursMean,
    /// Most patients in ED treatment spaces and corridor places at once.
    EdOccupancyPeak,
    /// Admitted patients waiting in ED (a space or the corridor) for a bed, averaged over time.
    EdBoardersTimeAverage,
    /// Patient-hours of corridor care (admitted patients waiting for a bed in a corridor place).
    CorridorCarePatientHours,
    /// Ambulance handovers taking more than 30 minutes from arrival.
    #[strum(serialize = "ambulance_handovers_over_30m")]
    AmbulanceHandoversOver30m,
    /// Ambulance handovers taking more than 60 minutes from arrival.
    #[strum(serialize = "ambulance_handovers_over_60m")]
    AmbulanceHandoversOver60m,
    /// Ambulance hours lost: handover time beyond the 15-minute standard.
    AmbulanceHoursLost,
    /// Patients in the department at 08:00 (daily series; ED capacity model).
    #[strum(serialize = "ed_patients_0800")]
    EdPatients0800,
    /// Patients in the department at midnight (daily series; ED capacity model).
    EdPatientsMidnight,
    /// Admitted patients waiting for a bed in ED at 08:00 (daily series; ED capacity model).
    #[strum(serialize = "ed_boarders_0800")]
    EdBoarders0800,
    /// Admitted patients waiting for a bed in ED at midnight (daily series; ED capacity model).
    EdBoardersMidnight,
    /// Elective patients scheduled on a theatre list.
    ElectiveScheduled,
    /// Elective patients treated.
    ElectiveTreated,
    /// Elective operations cancelled on the day for want of a bed.
    ElectiveCancelledNoBed,
    /// Cancelled elective operations over the last 7 days (daily series).
    #[strum(serialize = "elective_cancelled_7_days")]
    ElectiveCancelled7Days,
    /// Cancelled as a share of scheduled.
    ElectiveCancelledShare,
    /// Treated patients as a share of theatre slots.
    TheatreUtilisation,
    /// Patients on the waiting list.
    WaitingListSize,
    /// Share of the waiting list waiting under 18 weeks.
    #[strum(serialize = "waiting_under_18_weeks_share")]
    WaitingUnder18WeeksShare,
    /// Patients waiting over 52 weeks.
    #[strum(serialize = "waiting_over_52_weeks")]
    WaitingOver52Weeks,
    /// Urgent patients on the waiting list.
    WaitingUrgent,
    /// Patients waiting over 65 weeks (with priority booking).
    #[strum(serialize = "waiting_over_65_weeks")]
    WaitingOver65Weeks,
    /// Patients treated after their priority category's target from referral (with priority booking).
    ElectiveTreatedAfterTarget,
    /// Escalation bed-days open.
    EscalationBedsOpenDays,
    /// Escalation bed-days occupied.
    EscalationBedsOccupiedDays,
    /// Times escalation beds were opened.
    EscalationOpenings,
    /// Cost of escalation (open and occupied bed-days, openings), in pounds.
    EscalationCost,
    /// Escalation beds open at midnight (daily series).
    EscalationBedsOpen,
    /// Escalation bed-days open each day (daily series).
    EscalationBedDaysOpen,
    /// Escalation bed-days occupied each day (daily series).
    EscalationBedDaysOccupied,
    /// Days at OPEL level 1.
    #[strum(serialize = "opel_1_days")]
    Opel1Days,
    /// Days at OPEL level 2.
    #[strum(serialize = "opel_2_days")]
    Opel2Days,
    /// Days at OPEL level 3.
    #[strum(serialize = "opel_3_days")]
    Opel3Days,
    /// Days at OPEL level 4.
    #[strum(serialize = "opel_4_days")]
    Opel4Days,
    /// OPEL level of each day (daily series).
    OpelLevel,
}

impl Metric {
    /// The metric's name in CSV headers, part files and `--target`.
    pub fn name(self) -> &'static str {
        self.into()
    }

    /// True for measures that are shares (shown as percentages).
    pub fn is_share(self) -> bool {
        matches!(
            self,
            Metric::BedOccupancyRate
                | Metric::ShareOfTimeFull
                | Metric::DivertedShare
                | Metric::Ed4hPerformance
                | Metric::Ed4hPerformanceAdmitted
                | Metric::Ed4hPerformanceNonAdmitted
                | Metric::EdOver12hFromArrivalShare
                | Metric::ElectiveCancelledShare
                | Metric::TheatreUtilisation
                | Metric::WaitingUnder18WeeksShare
                | Metric::NctrShareOfOccupiedBeds
                | Metric::DischargesBeforeNoonShare
                | Metric::DischargesOvernightShare
        )
    }

    /// True for shares that cannot pass 100%: every share but bed occupancy,
    /// which counts patients in escalation beds against core beds.
    pub fn at_most_one(self) -> bool {
        self.is_share() && self != Metric::BedOccupancyRate
    }

    /// True for the one measure that can be below zero (a change per day);
    /// every other measure is a count, a share, a time or a cost, so a
    /// confidence limit below zero only says the interval is wide.
    pub fn can_be_negative(self) -> bool {
        matches!(self, Metric::BoardersGrowthPerDay)
    }

    /// True for the escalation measures (reported only for pools that can escalate).
    pub fn is_escalation(self) -> bool {
        matches!(
            self,
            Metric::EscalationBedsOpenDays
                | Metric::EscalationBedsOccupiedDays
                | Metric::EscalationOpenings
                | Metric::EscalationCost
                | Metric::EscalationBedsOpen
                | Metric::EscalationBedDaysOpen
                | Metric::EscalationBedDaysOccupied
        )
    }
}

impl std::fmt::Display for Metric {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// What a KPI belongs to: the whole trust, one bed pool or one elective
/// specialty (indices into the model's pools and specialties).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Scope {
    /// The whole trust (for elective KPIs: all specialties together).
    Trust,
    /// One bed pool, by index into the model's pools.
    Pool(usize),
    /// One elective specialty, by index into the model's specialties.
    Specialty(usize),
}

impl Scope {
    /// The pool index, for a pool's KPI.
    pub fn pool(self) -> Option<usize> {
        match self {
            Scope::Pool(i) => Some(i),
            _ => None,
        }
    }

    /// The specialty index, for a specialty's KPI.
    pub fn specialty(self) -> Option<usize> {
        match self {
            Scope::Specialty(j) => Some(j),
            _ => None,
        }
    }

    /// From the (pool, specialty) pair part files store; `None` when both are set.
    pub fn from_parts(pool: Option<usize>, specialty: Option<usize>) -> Option<Scope> {
        match (pool, specialty) {
            (None, None) => Some(Scope::Trust),
            (Some(i), None) => Some(Scope::Pool(i)),
            (None, Some(j)) => Some(Scope::Specialty(j)),
            (Some(_), Some(_)) => None,
        }
    }

    /// Trust-wide for `None`, else the pool.
    pub fn of_pool(pool: Option<usize>) -> Scope {
        pool.map_or(Scope::Trust, Scope::Pool)
    }
}

/// A KPI's metric and scope.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Key {
    /// What is measured.
    pub metric: Metric,
    /// Over what: the trust, a pool or a specialty.
    pub scope: Scope,
}

impl Key {
    /// A KPI of `metric` over `scope`.
    pub fn new(metric: Metric, scope: Scope) -> Key {
        Key { metric, scope }
    }

    /// The pool index, for a pool's KPI.
    pub fn pool(&self) -> Option<usize> {
        self.scope.pool()
    }

    /// The specialty index, for a specialty's KPI.
    pub fn specialty(&self) -> Option<usize> {
        self.scope.specialty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;
    use strum::IntoEnumIterator;

    /// The names are the files' vocabulary: they must not change by accident.
    #[test]
    fn names_round_trip_and_are_the_published_ones() {
        let names: Vec<&str> = Metric::iter().map(Metric::name).collect();
        assert_eq!(names, Metric::VARIANTS);
        for m in Metric::iter() {
            assert_eq!(Metric::from_str(m.name()), Ok(m));
        }
        for n in [
            "days_over_92pct",
            "boarders_0800",
            "waits_over_12h_from_dta",
            "ed_4h_performance",
            "ed_over_12h_from_arrival",
            "elective_cancelled_7_days",
            "waiting_under_18_weeks_share",
            "waiting_over_52_weeks",
            "opel_1_days",
            "opel_4_days",
            "length_of_stay_days_mean",
            "theatre_utilisation",
        ] {
            assert!(Metric::from_str(n).is_ok(), "{n}");
        }
        assert!(Metric::from_str("midnight_occupancy ").is_err());
        assert!(Metric::from_str("Midnight_Occupancy").is_err());
    }

    #[test]
    fn scopes_from_part_file_pairs() {
        assert_eq!(Scope::from_parts(None, None), Some(Scope::Trust));
        assert_eq!(Scope::from_parts(Some(2), None), Some(Scope::Pool(2)));
        assert_eq!(Scope::from_parts(None, Some(1)), Some(Scope::Specialty(1)));
        assert_eq!(Scope::from_parts(Some(0), Some(0)), None);
        assert_eq!(Scope::Pool(3).pool(), Some(3));
        assert_eq!(Scope::Pool(3).specialty(), None);
        assert_eq!(Scope::Specialty(4).specialty(), Some(4));
        assert_eq!(Scope::Trust.pool(), None);
    }
}
