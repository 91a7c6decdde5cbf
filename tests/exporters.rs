//! Exporters on hand-built results (after hyperfine's exporter tests): the
//! CSV writers are checked against values worked out by hand, with no
//! simulation involved, so a formatting change cannot hide behind an engine
//! change (and the other way round).

mod common;
use bedflow::output::tables;
use bedflow::reduce::Summaries;
use bedflow::stats::{Kpis, Metric, layout};
use common::model;

const TWO_POOLS: &str = r#"
[scenario]
name = "exporters"
start = "2026-01-05"
end = "2026-01-07"
warmup_days = 0
replications = 3
seed = 1

[[admissions]]
name = "medical"
source = "direct"
per_day = 4.0
pool = "medicine"
stay_days = { dist = "fixed", value = 1.0 }

[[admissions]]
name = "surgical"
source = "direct"
per_day = 2.0
pool = "Surgery & theatres"
stay_days = { dist = "fixed", value = 1.0 }

[[pool]]
name = "medicine"
beds = 10

[[pool]]
name = "Surgery & theatres"
beds = 5
"#;

/// Three replications whose every scalar KPI is 1, 2 and 4 (and every daily
/// value the same), except `admissions` of the first pool: 10, 20, 60.
fn hand_built(m: &bedflow::model::Model) -> Vec<Kpis> {
    let shape = layout(m);
    [1.0, 2.0, 4.0]
        .iter()
        .zip([10.0, 20.0, 60.0])
        .map(|(&v, adm)| {
            let mut k = shape.clone();
            for (key, x) in &mut k.scalar {
                *x = if key.metric == bedflow::stats::Metric::Admissions && key.pool() == Some(0) { adm } else { v };
            }
            for (_, series) in &mut k.daily {
                series.iter_mut().for_each(|x| *x = v);
            }
            k
        })
        .collect()
}

fn rows(bytes: &[u8]) -> Vec<String> {
    String::from_utf8(bytes.to_vec()).unwrap().split("\r\n").filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// Values 1, 2, 4: mean 7/3 = 2.333333; sd = sqrt(((1-7/3)^2 + (2-7/3)^2 +
/// (4-7/3)^2) / 2) = sqrt(7/3) = 1.527525; t(0.975, 2) = 4.302653, so the
/// half-width is 4.302653 x 1.527525 / sqrt(3) = 3.794583 and the interval
/// -1.46125 to 6.127916; percentiles by linear interpolation (Excel's
/// PERCENTILE.INC): P10 = 1.2, P50 = 2, P90 = 3.6, P95 = 3.8. Values 10, 20,
/// 60: mean 30, sd sqrt(700) = 26.457513, half-width 4.302653 x 26.457513 /
/// sqrt(3) = 65.724106.
#[test]
fn summary_csv_rows_are_worked_by_hand() {
    let m = model(TWO_POOLS);
    let sums = Summaries::new(&hand_built(&m));
    let out = rows(&tables::summary_csv(&m, &sums).unwrap());
    assert_eq!(out[0], "metric,pool,mean,ci95_low,ci95_high,p10,p50,p90,p95,replications,specialty");
    let row = |metric: &str, pool: &str| {
        out.iter()
            .find(|r| r.starts_with(&format!("{metric},{pool},")))
            .unwrap_or_else(|| panic!("no row {metric},{pool}"))
            .clone()
    };
    assert_eq!(row("midnight_occupancy", ""), "midnight_occupancy,,2.333333,-1.46125,6.127916,1.2,2,3.6,3.8,3,");
    assert_eq!(row("admissions", "medicine"), "admissions,medicine,30,-35.724106,95.724106,12,20,52,56,3,");
    // A name with a comma-free ampersand and capitals goes through unchanged.
    assert_eq!(
        row("admissions", "Surgery & theatres"),
        "admissions,Surgery & theatres,2.333333,-1.46125,6.127916,1.2,2,3.6,3.8,3,"
    );
}

/// `replications.csv`: one row per replication, numbered from 1, one column
/// per KPI (`metric` trust-wide, `metric:pool` per pool).
#[test]
fn replications_csv_has_one_row_per_replication() {
    let m = model(TWO_POOLS);
    let reps = hand_built(&m);
    let mut reducer = bedflow::reduce::Reducer::new();
    for k in &reps {
        reducer.push(k);
    }
    let out = rows(&tables::replications_csv(&m, &reducer.finish()).unwrap());
    assert_eq!(out.len(), 1 + 3);
    let header: Vec<&str> = out[0].split(',').collect();
    assert_eq!(header[0], "replication");
    let col = header.iter().position(|h| *h == "admissions:medicine").expect("admissions:medicine column");
    let trust = header.iter().position(|h| *h == "midnight_occupancy").expect("trust-wide column");
    for (r, (adm, v)) in [("10", "1"), ("20", "2"), ("60", "4")].iter().enumerate() {
        let cells: Vec<&str> = out[r + 1].split(',').collect();
        assert_eq!(cells[0], (r + 1).to_string());
        assert_eq!((cells[col], cells[trust]), (*adm, *v));
    }
}

/// Numbers: at most six decimals, no trailing zeros, no `-0`, blank when
/// undefined.
#[test]
fn numbers_are_short_and_blank_when_undefined() {
    assert_eq!(tables::num(2.0 / 3.0), "0.666667");
    assert_eq!(tables::num(-0.0000001), "0");
    assert_eq!(tables::num(1e6), "1000000");
    assert_eq!(tables::num(f64::NAN), "");
    assert_eq!(tables::num(f64::INFINITY), "");
}

/// The report's KPI table on the same hand-built results: the interval of a
/// count or an occupancy is shown clipped at zero (the raw t interval,
/// -1.46125 to 6.127916, stays in `summary.csv`), a share's at 0% and 100%
/// (bed occupancy's only at 0%: it passes 100% with escalation beds full),
/// and names are escaped.
#[test]
fn report_table_clips_intervals_to_possible_values() {
    let m = model(TWO_POOLS);
    let sums = Summaries::new(&hand_built(&m));
    let table = bedflow::output::report::kpi_table(&m, &sums);
    let row = |label: &str, place: &str| {
        let cells = format!("<td>{label}</td><td>{place}</td>");
        table.lines().find(|l| l.contains(&cells)).unwrap_or_else(|| panic!("no row {cells} in\n{table}")).to_string()
    };
    assert_eq!(
        row("Beds occupied at midnight (mean of days)", "Trust"),
        "<tr class=\"trust\"><td>Beds occupied at midnight (mean of days)</td><td>Trust</td><td>2.3</td><td>0.0 to 6.1</td><td>1.2</td><td>2.0</td><td>3.6</td></tr>"
    );
    assert_eq!(
        row("", "medicine").split("</td>").nth(3),
        Some("<td>0.0 to 6.1"),
        "first pool row (occupancy): clipped at zero"
    );
    assert!(table.contains("<td>Surgery &amp; theatres</td>"));
    assert!(!table.contains("<td>-"), "no negative limit anywhere:\n{table}");
    // Shares (1, 2 and 4 as fractions): the upper limit is clipped at 100%,
    // except bed occupancy, which passes 100% when escalation beds are full.
    assert!(row("Time with every bed full", "Trust").contains("<td>0.0% to 100.0%</td>"));
    assert!(row("Midnight bed occupancy", "Trust").contains("<td>0.0% to 612.8%</td>"));
}

/// `daily.csv` on the same hand-built results, with a specialty: one row per
/// reported date and daily series, dates from `start`, each row's values
/// those of 1, 2 and 4 (mean 2.333333, P10 1.2, P50 2, P90 3.6, P25 1.5,
/// P75 3), and a specialty's rows (here and in `summary.csv`) naming it.
#[test]
fn daily_csv_rows_are_worked_by_hand() {
    let m = model(&format!(
        "{TWO_POOLS}\n[[specialty]]\nname = \"ortho\"\nwaiting_list = 10\nreferrals_per_week = 7.0\nurgent_share = 0.1\n\
         inpatient_share = 0.5\nstay_days = {{ dist = \"fixed\", value = 1.0 }}\n\n[[theatre_list]]\n\
         specialty = \"ortho\"\npool = \"medicine\"\nweekdays = [\"Mon\"]\nlists_per_day = 1\ncases_per_list = 2\n\
         start_hour = 8\n"
    ));
    let sums = Summaries::new(&hand_built(&m));
    let out = rows(&tables::daily_csv(&m, &sums).unwrap());
    assert_eq!(out[0], "date,metric,pool,mean,p10,p50,p90,p25,p75,specialty");
    let series = layout(&m).daily.len();
    assert_eq!(out.len(), 1 + 3 * series, "three days of every daily series");
    assert!(out[1].starts_with("2026-01-05,") && out[series].starts_with("2026-01-05,"));
    assert!(out[series + 1].starts_with("2026-01-06,") && out.last().unwrap().starts_with("2026-01-07,"));
    assert!(out.contains(&"2026-01-06,midnight_occupancy,medicine,2.333333,1.2,2,3.6,1.5,3,".to_string()), "{out:?}");
    let summary = rows(&tables::summary_csv(&m, &sums).unwrap());
    assert!(summary.iter().any(|r| r.ends_with(",ortho")), "a specialty's rows name it: {summary:?}");
    // A daily series by its key: the trust's and a pool's, one summary a day
    // (1, 2 and 4 each day), and none for a series the scenario lacks.
    let (n, days) = (m.pools.len(), 3);
    for pool in [None, Some(0), Some(n - 1)] {
        let s = sums.series(Metric::MidnightOccupancy, pool).expect("a daily series");
        assert_eq!(s.len(), days);
        assert!(s.iter().all(|d| (d.mean - 7.0 / 3.0).abs() < 1e-12 && d.p50 == 2.0), "{pool:?}");
    }
    assert!(sums.series(Metric::EdAttendances, None).is_none(), "no ED in this scenario");
    // The report's KPI table has the specialty's own rows (1, 2 and 4 of
    // a count: mean 2, CI clipped at 0, P10 1.2 shown as 1).
    let table = bedflow::output::report::kpi_table(&m, &sums);
    assert!(
        table.contains("<tr><td></td><td>ortho</td><td>2</td><td>0 to 6</td><td>1</td><td>2</td><td>4</td></tr>"),
        "a specialty's rows in the report:\n{table}"
    );
}

/// The decision table as `compare` prints it, on hand-built differences:
/// formatted levels and differences, the CI, the verdict from the CI's side
/// of 0 in the measure's direction, and the net cost per wait avoided.
#[test]
fn the_decision_table_is_formatted_by_hand() {
    use bedflow::decision::{MEASURES, PlanResult, Row, Source, Verdict};
    use bedflow::summary::summarise;
    let row = |source: Source, base: f64, alt: f64, diffs: &[f64]| {
        let measure = *MEASURES.iter().find(|m| m.source == source).unwrap();
        let diff = summarise(diffs);
        Row { measure, base, alt, diff, verdict: Verdict::of(&diff, measure.lower_is_better) }
    };
    let plan = PlanResult {
        name: "plus-beds".into(),
        description: "20 beds".into(),
        rows: vec![
            row(Source::Kpi(Metric::WaitsOver12hFromDta), 1093.0, 372.0, &[-700.0, -720.0, -743.0]),
            row(Source::Kpi(Metric::Ed4hPerformance), 0.617, 0.699, &[0.08, 0.081, 0.082]),
            row(Source::Kpi(Metric::ElectiveCancelledNoBed), 28.0, 27.6, &[-1.0, 0.5, -0.7]),
            row(Source::PlanCost, 0.0, 1_359_000.0, &[1_359_000.0; 3]),
            row(Source::NetCost, 1_269_965.0, 2_398_262.0, &[1_100_000.0, 1_128_298.0, 1_156_596.0]),
        ],
    };
    insta::assert_snapshot!("decision_table", bedflow::output::decision::text("base", 3, &[plan]));
}
