//! Common random numbers: a bed-model change never changes anyone's draws.

mod common;
use bedflow::stats::Metric;
use common::*;

/// The shipped winter with `beds` medicine beds, 8 replications; `ed_capacity`
/// false removes the ED's spaces (the department never fills).
fn winter(beds: u32, ed_capacity: bool) -> bedflow::model::Model {
    let text = std::fs::read_to_string("scenarios/winter-2026-27.toml").unwrap();
    let text = if ed_capacity { text } else { without_ed_capacity(&text) };
    let text =
        text.replacen("beds = 395", &format!("beds = {beds}"), 1).replace("replications = 200", "replications = 8");
    model(&text)
}

fn winter_with_medicine_beds(beds: u32) -> bedflow::model::Model {
    winter(beds, false)
}

/// With ED capacity, decisions to admit come later when the department is
/// crowded, so bed requests in the window may differ; the attendances and
/// their case mix are still the same draws, and more beds still shorten waits.
#[test]
fn changing_beds_keeps_the_ed_draws_under_ed_capacity() {
    let (small, large) = (winter(380, true), winter(420, true));
    assert!(small.ed.as_ref().unwrap().capacity.is_some());
    let (a, b) = (run(&small), run(&large));
    assert_eq!(values(&small, &a, Metric::EdAttendances, None), values(&large, &b, Metric::EdAttendances, None));
    let wait_small = values(&small, &a, Metric::BedWaitHoursMean, Some("medicine"));
    let wait_large = values(&large, &b, Metric::BedWaitHoursMean, Some("medicine"));
    for (s, l) in wait_small.iter().zip(&wait_large) {
        assert!(l < s, "40 more beds should shorten waits in every replication: {l} vs {s}");
    }
}

/// Without ED capacity, arrivals and decisions to admit are the same patient
/// by patient whatever the beds; only what happens to them changes. With more
/// beds, mean waits fall.
#[test]
fn changing_beds_keeps_every_draw() {
    let small = winter_with_medicine_beds(380);
    let large = winter_with_medicine_beds(420);
    assert_eq!(small.pools[0].beds, 380);
    let (a, b) = (run(&small), run(&large));
    assert_eq!(values(&small, &a, Metric::EdAttendances, None), values(&large, &b, Metric::EdAttendances, None));
    // Emergency bed requests are the same draws. (Surgery's, and so the
    // trust's, also count elective inpatients, whose lists cancel more often
    // when medical outliers fill surgical beds: those may differ.)
    for pool in ["medicine", "care of older people"] {
        let (x, y) =
            (values(&small, &a, Metric::BedRequests, Some(pool)), values(&large, &b, Metric::BedRequests, Some(pool)));
        assert_eq!(x, y, "{pool}");
    }
    let wait_small = values(&small, &a, Metric::BedWaitHoursMean, Some("medicine"));
    let wait_large = values(&large, &b, Metric::BedWaitHoursMean, Some("medicine"));
    for (s, l) in wait_small.iter().zip(&wait_large) {
        assert!(l < s, "40 more beds should shorten waits in every replication: {l} vs {s}");
    }
}
