//! Tests of the department's private state.

use super::*;

/// The longest boarder moved to the corridor is one still boarding in a
/// space: entries of patients who have since gone (to a bed: place Left),
/// and of a later patient in the same slot (another arrival, or the same
/// arrival second but no longer waiting for a bed) are skipped and dropped.
/// A new boarder forgets only such entries at the front, and joins the back.
#[test]
fn only_a_patient_still_boarding_in_a_space_goes_to_the_corridor() {
    let text = r#"
[scenario]
name = "boarders"
start = "2026-01-05"
end = "2026-01-05"
warmup_days = 0
replications = 1
seed = 1

[ed]
attendances_per_day = 12.0
admission_probability = 1.0
hours_to_decision = { dist = "fixed", value = 1.0 }
hours_in_department = { dist = "fixed", value = 1.0 }
spaces = 2
corridor_spaces = 1

[[admissions]]
name = "medical"
source = "ed"
share = 1.0
pool = "ward"
stay_days = { dist = "fixed", value = 1.0 }

[[pool]]
name = "ward"
beds = 1
"#;
    let model = crate::scenario::parse_str(text, "boarders.toml").expect("valid");
    let plan = Plan::new(&model);
    let mut engine = Engine::new(&plan);
    engine.reset();
    let mut patient = |arrival, state, ed_place| {
        engine.new_patient(Patient {
            arrival,
            decision: arrival + HOUR,
            admitted: 0,
            stay: DAY,
            key: 0,
            pool: 0,
            state,
            from_ed: true,
            urgent: false,
            ed_place,
            pathway: 0,
        })
    };
    let in_bed = patient(100, State::InBed, EdPlace::Left);
    let assessed = patient(200, State::AwaitingDecision, EdPlace::Space);
    let boarder = patient(300, State::Waiting, EdPlace::Space);
    let in_corridor = patient(400, State::Waiting, EdPlace::Corridor);
    let new = patient(500, State::Waiting, EdPlace::Space);
    engine.floor.boarders.extend([(in_bed, 100), (assessed, 200), (boarder, 299), (in_corridor, 400)]);
    assert_eq!(engine.next_boarder_in_space(), None, "nobody on the list is boarding in a space");
    assert!(engine.floor.boarders.is_empty());
    engine.floor.boarders.extend([(in_bed, 100), (boarder, 300), (assessed, 200)]);
    assert_eq!(engine.next_boarder_in_space(), Some(boarder));
    assert_eq!(engine.floor.boarders.len(), 1, "the rest stays for later");
    // A new boarder forgets only the entries at the front that no longer
    // board, and joins the back.
    engine.floor.boarders.clear();
    engine.floor.boarders.extend([(in_bed, 100), (boarder, 300)]);
    engine.ed_boards(new, 1000);
    assert_eq!(engine.floor.boarders, [(boarder, 300), (new, 500)]);
    // Boarders are remembered only where there is a corridor, counting its
    // places in use: none with every place taken is still a corridor...
    engine.floor.boarders.clear();
    (engine.floor.free_corridor, engine.floor.in_corridor.count) = (1, 1);
    engine.ed_boards(new, 1000);
    assert_eq!(engine.floor.boarders.len(), 1);
    // ...but without one the list is not kept (it would only grow).
    engine.floor.boarders.clear();
    (engine.floor.free_corridor, engine.floor.in_corridor.count) = (0, 0);
    engine.ed_boards(new, 1000);
    assert!(engine.floor.boarders.is_empty());
}
