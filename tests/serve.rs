//! HTTP tests of `bedflow serve`: every endpoint, driven through the router
//! (no socket), on a folder holding copies of the shipped scenarios.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use bedflow::serve::{App, Config, router, watchdog};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use std::path::Path;
use std::sync::Arc;
use std::time::Duration;
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8080";
const VISITOR: &str = "0123456789abcdef";

/// A scenarios folder: the reference model and the winter, a file that
/// extends one outside the folder, and an output folder beside it.
struct Site {
    dir: tempfile::TempDir,
    app: Arc<App>,
}

fn site(max_replications: u32, abandon_after: Duration) -> Site {
    site_with(max_replications, abandon_after, Duration::from_secs(600))
}

fn site_with(max_replications: u32, abandon_after: Duration, max_run: Duration) -> Site {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = dir.path().join("scenarios");
    std::fs::create_dir(&scenarios).unwrap();
    for f in ["reference-600-beds.toml", "winter-2026-27.toml"] {
        std::fs::copy(Path::new("scenarios").join(f), scenarios.join(f)).unwrap();
    }
    std::fs::copy("scenarios/reference-600-beds.toml", dir.path().join("outside.toml")).unwrap();
    std::fs::write(scenarios.join("escapes.toml"), "extends = \"../outside.toml\"\n[scenario]\nname = \"escapes\"\n")
        .unwrap();
    let config = Config {
        scenarios,
        out: dir.path().join("output"),
        max_replications,
        runs: 1,
        threads: 2,
        max_body: 4096,
        max_plans: 8,
        abandon_after,
        max_run,
    };
    let app = App::new(config, HOST.parse().unwrap());
    Site { dir, app }
}

/// Sends one request; the status and the body (JSON when it is JSON, else a string).
async fn send(app: &Arc<App>, method: &str, uri: &str, body: Option<&str>) -> (StatusCode, Value) {
    send_as(app, method, uri, body, HOST).await
}

async fn send_as(app: &Arc<App>, method: &str, uri: &str, body: Option<&str>, host: &str) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", host)
        .header("content-type", "application/json")
        .body(body.map_or_else(Body::empty, |b| Body::from(b.to_string())))
        .unwrap();
    let res = router(app.clone()).oneshot(req).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    let value =
        serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()));
    (status, value)
}

/// Starts a run of `edits` and waits for it to end; its final status.
async fn run_to_end(app: &Arc<App>, edits: Value) -> Value {
    let (status, started) = send(app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::ACCEPTED, "{started}");
    let id = started["id"].as_u64().unwrap();
    for _ in 0..600 {
        let (_, s) = send(app, "GET", &format!("/api/v/{VISITOR}/runs/{id}"), None).await;
        if !matches!(s["state"].as_str(), Some("queued" | "running")) {
            return s;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("run {id} did not end in a minute");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_page_is_one_file_with_nothing_fetched_from_elsewhere() {
    let s = site(2000, Duration::from_secs(10));
    let (status, page) = send(&s.app, "GET", "/", None).await;
    assert_eq!(status, StatusCode::OK);
    let page = page.as_str().unwrap();
    assert!(page.contains("<title>bedflow: what if?</title>"));
    for external in ["src=\"http", "href=\"http", "src=\"//", "href=\"//", "@import", "url("] {
        assert!(!page.contains(external), "the page fetches {external}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn only_scenarios_inside_the_folder_are_listed_or_opened() {
    let s = site(2000, Duration::from_secs(10));
    let (status, list) = send(&s.app, "GET", "/api/scenarios", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(list["scenarios"], json!(["reference-600-beds.toml", "winter-2026-27.toml"]), "escapes.toml leaves it");
    let (status, levers) = send(&s.app, "GET", "/api/scenarios/winter-2026-27.toml", None).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(levers["pools"][1]["name"], "care of older people");
    assert_eq!(levers["pools"][1]["beds"], 120);
    assert_eq!(levers["ed_spaces"], 40);
    for bad in [
        "escapes.toml",
        "..%2Foutside.toml",
        "%2Fetc%2Fpasswd",
        "%2E%2E%2Foutside.toml",
        "nothing.toml",
        "..",
        "winter-2026-27.toml%00",
    ] {
        let (status, body) = send(&s.app, "GET", &format!("/api/scenarios/{bad}"), None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}: {body}");
    }
    // A run may name only a listed file too.
    for bad in ["../outside.toml", "/etc/passwd", "escapes.toml"] {
        let edits = json!({ "scenario": bad }).to_string();
        let (status, _) = send(&s.app, "POST", "/api/check", Some(&edits)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
        let (status, _) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits)).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
}

/// A bad edit gets `check`'s message, naming the field, and nothing runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_edits_get_checks_messages_by_field() {
    let s = site(500, Duration::from_secs(10));
    let edits = json!({
        "scenario": "winter-2026-27.toml",
        "replications": "700",
        "pools": [
            { "name": "care of older people", "beds": "lots", "from": "2027-13-01", "beds_from": "140" },
            { "name": "medicine", "max_beds": "-3" }
        ]
    });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let errors = body["errors"].as_array().unwrap();
    let by_field = |f: &str| {
        errors.iter().find(|e| e["field"] == f).unwrap_or_else(|| panic!("no message for {f}: {body}"))["message"]
            .as_str()
            .unwrap()
            .to_string()
    };
    assert!(by_field("pool[2].beds").contains("expected a whole number of beds"), "{body}");
    assert!(by_field("pool[2].capacity[1].from").contains("expected a date"), "{body}");
    assert!(by_field("pool[1].escalation.max_beds").contains(">= 1"), "{body}");
    // The same text saved beside the base gives `check` the same messages.
    let saved = s.dir.path().join("scenarios/plan.toml");
    std::fs::write(&saved, body["toml"].as_str().unwrap()).unwrap();
    let out = assert_cmd::Command::cargo_bin("bedflow").unwrap().arg("check").arg(&saved).output().unwrap();
    let check = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(check.contains("pool[2].beds: expected a whole number of beds"), "{check}");
    // Within the scenario's own limits but over the server's.
    let edits = json!({ "scenario": "winter-2026-27.toml", "replications": 700 });
    let (status, body) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "scenario.replications");
    assert!(body["errors"][0]["message"].as_str().unwrap().contains("at most 500"), "{body}");
    assert!(!s.dir.path().join("output").exists(), "nothing written for a refused plan");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_oversize_and_foreign_requests_are_refused() {
    let s = site(2000, Duration::from_secs(10));
    let cases = [
        ("not json", StatusCode::BAD_REQUEST),
        ("{\"scenario\": \"winter-2026-27.toml\", \"surprise\": 1}", StatusCode::BAD_REQUEST),
        ("{\"scenario\": 7}", StatusCode::BAD_REQUEST),
    ];
    for (body, want) in cases {
        let (status, answer) = send(&s.app, "POST", "/api/check", Some(body)).await;
        assert_eq!(status, want, "{body}: {answer}");
        assert!(answer["error"].as_str().unwrap().starts_with("bad request"), "{answer}");
    }
    let big = json!({ "scenario": "winter-2026-27.toml", "pools": [{ "name": "x".repeat(5000) }] }).to_string();
    let (status, _) = send(&s.app, "POST", "/api/check", Some(&big)).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    let (status, _) = send_as(&s.app, "GET", "/api/scenarios", None, "attacker.example:8080").await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a foreign Host (DNS rebinding) is refused on loopback");
    let (status, _) = send(&s.app, "POST", "/api/v/short/runs", Some("{\"scenario\": \"winter-2026-27.toml\"}")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "a visitor id must be 8-64 letters, digits or dashes");
    for bad in [
        format!("/files/{VISITOR}/..%2F..%2Fscenarios/winter-2026-27.toml"),
        format!("/files/{VISITOR}/plan-1/..%2F..%2Fscenarios%2Fwinter-2026-27.toml"),
        format!("/files/{VISITOR}/plan-1/.bedflow"),
        format!("/files/{VISITOR}/elsewhere/summary.csv"),
        "/files/..%2F..%2F..%2Fetc/plan-1/passwd.csv".to_string(),
        format!("/files/{VISITOR}/plan-1/%2Fetc%2Fpasswd.csv"),
    ] {
        let (status, _) = send(&s.app, "GET", &bad, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{bad}");
    }
}

/// A plan runs against its base under common random numbers: more beds on
/// the pool that queues give fewer 12-hour waits, every output can be
/// fetched, and the plan downloads as TOML that `check` accepts beside the base.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_runs_against_its_base_and_downloads_as_toml() {
    let s = site(2000, Duration::from_secs(10));
    let edits = json!({
        "scenario": "winter-2026-27.toml",
        "replications": 16,
        "pools": [{ "name": "care of older people", "from": "2027-01-01", "beds_from": 140 }]
    });
    let done = run_to_end(&s.app, edits).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!((done["done"].as_u64(), done["total"].as_u64()), (Some(32), Some(32)), "plan and base");
    let result = &done["result"];
    let row = |m: &str| result["headline"].as_array().unwrap().iter().find(|r| r["measure"] == m).unwrap().clone();
    let waits = row("ED 12-hour waits from decision to admit (trolley waits)");
    assert!(waits["value"].as_f64().unwrap() < 0.0 && waits["verdict"] == "better", "{waits}");
    assert!(row("Escalation cost")["base"].as_str().unwrap().starts_with('£'));
    let files = result["files"].as_array().unwrap();
    for f in ["summary.csv", "replications.csv", "finance.xlsx", "report.html", "winter_occupancy.svg"] {
        assert!(files.iter().any(|x| x == f), "{f} missing: {files:?}");
        let (status, _) = send(&s.app, "GET", &format!("/files/{VISITOR}/plan-1/{f}"), None).await;
        assert_eq!(status, StatusCode::OK, "{f}");
    }
    let (status, _) = send(&s.app, "GET", &format!("/files/{VISITOR}/compare-1/comparison.svg"), None).await;
    assert_eq!(status, StatusCode::OK);
    assert!(s.dir.path().join("output").join(VISITOR).join("plan-1/summary.csv").is_file());
    // The download, saved beside the base, is a valid scenario.
    let (status, toml) = send(&s.app, "GET", &format!("/api/v/{VISITOR}/runs/1/plan.toml"), None).await;
    assert_eq!(status, StatusCode::OK);
    let toml = toml.as_str().unwrap();
    assert!(toml.contains("extends = \"winter-2026-27.toml\"") && toml.contains("from = \"2027-01-01\""), "{toml}");
    let saved = s.dir.path().join("scenarios/plan.toml");
    std::fs::write(&saved, toml).unwrap();
    assert_cmd::Command::cargo_bin("bedflow").unwrap().arg("check").arg(&saved).assert().success();
    // Another visitor cannot see, cancel or download it.
    for (method, uri) in [("GET", "/api/v/someone-else/runs/1"), ("POST", "/api/v/someone-else/runs/1/cancel")] {
        let (status, _) = send(&s.app, method, uri, None).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
    }
    // A second plan, then both compared together against the one base.
    let second = json!({ "scenario": "winter-2026-27.toml", "replications": 16,
        "pools": [{ "name": "medicine", "beds": 415 }] });
    let done = run_to_end(&s.app, second).await;
    assert_eq!(done["state"], "done", "{done}");
    assert_eq!(done["total"], 16, "the base ran once: it is reused for the same file, seed and replications");
    let (status, both) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/compare"), Some("{\"ids\": [1, 2]}")).await;
    assert_eq!(status, StatusCode::OK, "{both}");
    assert_eq!(both["plans"].as_array().unwrap().len(), 2);
    assert!(both["files"].as_array().unwrap().iter().any(|f| f == "comparison.svg"));
}

/// A run cancelled midway stops, publishes nothing, and the next runs.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_cancelled_midway_stops_and_publishes_nothing() {
    let s = site(2000, Duration::from_secs(10));
    let edits = json!({ "scenario": "reference-600-beds.toml", "replications": 2000 }).to_string();
    let (status, started) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits)).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    let id = started["id"].as_u64().unwrap();
    // A second run queues behind it, with its place.
    let (_, queued) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits)).await;
    let second = queued["id"].as_u64().unwrap();
    loop {
        let (_, st) = send(&s.app, "GET", &format!("/api/v/{VISITOR}/runs/{id}"), None).await;
        if st["done"].as_u64().unwrap() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let (_, st) = send(&s.app, "GET", &format!("/api/v/{VISITOR}/runs/{second}"), None).await;
    assert_eq!((st["state"].as_str(), st["position"].as_u64()), (Some("queued"), Some(1)), "{st}");
    let (status, _) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs/{id}/cancel"), None).await;
    assert_eq!(status, StatusCode::OK);
    send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs/{second}/cancel"), None).await;
    let mut last = Value::Null;
    for _ in 0..100 {
        (_, last) = send(&s.app, "GET", &format!("/api/v/{VISITOR}/runs/{id}"), None).await;
        if last["state"] != "running" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(last["state"], "cancelled", "{last}");
    assert!(last["done"].as_u64().unwrap() < last["total"].as_u64().unwrap(), "stopped midway: {last}");
    let plan = s.dir.path().join("output").join(VISITOR).join(format!("plan-{id}"));
    assert!(!plan.exists(), "a cancelled run publishes no outputs");
    let after = run_to_end(&s.app, json!({ "scenario": "reference-600-beds.toml", "replications": 4 })).await;
    assert_eq!(after["state"], "done", "{after}");
}

/// A page that stops asking about its run (closed) has it cancelled.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_abandoned_run_is_cancelled() {
    let s = site(2000, Duration::from_millis(300));
    watchdog(&s.app);
    let edits = json!({ "scenario": "reference-600-beds.toml", "replications": 2000 }).to_string();
    let (_, started) = send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits)).await;
    let id = started["id"].as_u64().unwrap();
    tokio::time::sleep(Duration::from_millis(2500)).await;
    let (_, st) = send(&s.app, "GET", &format!("/api/v/{VISITOR}/runs/{id}"), None).await;
    assert_eq!(st["state"], "cancelled", "{st}");
    assert!(st["done"].as_u64().unwrap() < st["total"].as_u64().unwrap(), "{st}");
}

/// A run longer than the server's cap is stopped, with the reason shown.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_run_longer_than_the_cap_is_stopped_with_the_reason() {
    let s = site_with(2000, Duration::from_secs(60), Duration::from_secs(1));
    watchdog(&s.app);
    let done = run_to_end(&s.app, json!({ "scenario": "reference-600-beds.toml", "replications": 2000 })).await;
    assert_eq!(done["state"], "failed", "{done}");
    assert!(done["error"].as_str().unwrap().contains("--max-seconds"), "{done}");
    assert!(done["done"].as_u64().unwrap() < done["total"].as_u64().unwrap(), "{done}");
}

/// Discharge pathways' daily starts are a lever: a list of seven numbers
/// becomes a TOML array; anything else is refused by field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pathway_starts_are_a_lever() {
    let s = site(2000, Duration::from_secs(10));
    let (_, levers) = send(&s.app, "GET", "/api/scenarios/winter-2026-27.toml", None).await;
    assert_eq!(levers["pathways"][0]["name"], "P1");
    assert_eq!(levers["pathways"][0]["starts_per_day"], json!([16, 16, 16, 16, 16, 11, 9]));
    let ok = json!({ "scenario": "winter-2026-27.toml",
        "pathways": [{ "name": "P1", "starts_per_day": "20, 20, 20, 20, 20, 15, 12" }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&ok.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["toml"].as_str().unwrap().contains("starts_per_day = [20, 20, 20, 20, 20, 15, 12]"), "{body}");
    let bad = json!({ "scenario": "winter-2026-27.toml",
        "pathways": [{ "name": "P2", "starts_per_day": "5, 5, x" }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&bad.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["errors"][0]["field"], "pathway[2].starts_per_day", "{body}");
}

/// What the checker allows but a planner would not mean is refused by field:
/// a dated change outside the period, half a dated change, an occupancy
/// typed as a percentage, a pool the scenario does not have.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn edits_a_planner_would_not_mean_are_refused_by_field() {
    let s = site(2000, Duration::from_secs(10));
    let cases = [
        (
            json!([{ "name": "care of older people", "from": "2027-06-01", "beds_from": 140 }]),
            "pool[2].capacity[1].from",
            "within the scenario's period",
        ),
        (
            json!([{ "name": "care of older people", "from": "2027-01-01" }]),
            "pool[2].capacity[1].beds",
            "total core beds",
        ),
        (
            json!([{ "name": "care of older people", "beds_from": 140 }]),
            "pool[2].capacity[1].from",
            "the date the change starts",
        ),
        (
            json!([{ "name": "medicine", "open_at_occupancy": 95 }]),
            "pool[1].escalation.open_at_occupancy",
            "0.95 means 95%",
        ),
        (json!([{ "name": "cardiology", "beds": 30 }]), "pools", "no pool named \"cardiology\""),
    ];
    for (pools, field, words) in cases {
        let edits = json!({ "scenario": "winter-2026-27.toml", "pools": pools });
        let (status, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{pools}: {body}");
        let hit = body["errors"].as_array().unwrap().iter().find(|e| e["field"] == field);
        assert!(hit.is_some_and(|e| e["message"].as_str().unwrap().contains(words)), "{field}: {body}");
    }
    // A plan's own cost goes into its [plan], with the change described.
    let edits = json!({ "scenario": "winter-2026-27.toml", "plan_cost_per_day": 9000, "plan_from": "2027-01-01",
        "pools": [{ "name": "care of older people", "from": "2027-01-01", "beds_from": 140 }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let toml = body["toml"].as_str().unwrap();
    assert!(toml.contains("[plan]\ndescription = \"care of older people: 140 beds from 2027-01-01; costs GBP 9000 a day from 2027-01-01\"\ncost_per_day = 9000\nfrom = \"2027-01-01\""), "{toml}");
}

/// A page elsewhere cannot start runs with a simple cross-site POST.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cross_site_posts_are_refused() {
    let s = site(2000, Duration::from_secs(10));
    let edits = json!({ "scenario": "reference-600-beds.toml", "replications": 2 }).to_string();
    let req = |origin: &str, kind: &str| {
        Request::builder()
            .method("POST")
            .uri(format!("/api/v/{VISITOR}/runs"))
            .header("host", HOST)
            .header("origin", origin)
            .header("content-type", kind)
            .body(Body::from(edits.clone()))
            .unwrap()
    };
    let cases = [
        ("http://evil.example".to_string(), "application/json", StatusCode::FORBIDDEN),
        (format!("http://{HOST}"), "text/plain", StatusCode::UNSUPPORTED_MEDIA_TYPE),
        (format!("http://{HOST}"), "application/json", StatusCode::ACCEPTED),
    ];
    for (origin, kind, want) in cases {
        let got = router(s.app.clone()).oneshot(req(&origin, kind)).await.unwrap().status();
        assert_eq!(got, want, "{origin} {kind}");
    }
}

/// Numbers are written as TOML writes them ("0400" as 400, "-.5" as -0.5);
/// a shared escalation ward is not offered as a pool; messages name files
/// without the server's folders.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn numbers_are_normalised_and_wards_are_not_pools() {
    let s = site(2000, Duration::from_secs(10));
    let (_, levers) = send(&s.app, "GET", "/api/scenarios/winter-2026-27.toml", None).await;
    let names: Vec<&str> = levers["pools"].as_array().unwrap().iter().map(|p| p["name"].as_str().unwrap()).collect();
    assert!(!names.contains(&"winter escalation ward"), "{names:?}");
    let edits = json!({ "scenario": "winter-2026-27.toml",
        "pools": [{ "name": "medicine", "beds": "0400", "open_at_occupancy": "0.990" }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let toml = body["toml"].as_str().unwrap();
    assert!(toml.contains("beds = 400\n") && toml.contains("open_at_occupancy = 0.99\n"), "{toml}");
    let edits = json!({ "scenario": "winter-2026-27.toml",
        "pools": [{ "name": "medicine", "open_at_occupancy": "0.5" }] });
    let (_, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    for e in body["errors"].as_array().unwrap() {
        assert!(!e["file"].as_str().unwrap().contains('/'), "{e}");
    }
}

/// A queue that only grows is refused: four waiting runs a page.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_page_may_queue_only_four_runs() {
    let s = site(2000, Duration::from_secs(10));
    let edits = json!({ "scenario": "reference-600-beds.toml", "replications": 2000 }).to_string();
    let mut statuses = vec![send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits)).await.0];
    while send(&s.app, "GET", &format!("/api/v/{VISITOR}/runs/1"), None).await.1["state"] == "queued" {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for _ in 1..6 {
        statuses.push(send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs"), Some(&edits)).await.0);
    }
    // One runs, four queue, the sixth is refused.
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::ACCEPTED).count(), 5, "{statuses:?}");
    assert_eq!(statuses[5], StatusCode::TOO_MANY_REQUESTS);
    for id in 1..=5 {
        send(&s.app, "POST", &format!("/api/v/{VISITOR}/runs/{id}/cancel"), None).await;
    }
}

/// A plan cost with no start day is paid from the dated bed change (when
/// every changed pool changes that day), not from the start of the winter.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plan_cost_follows_the_bed_change_by_default() {
    let s = site(2000, Duration::from_secs(10));
    let edits = json!({ "scenario": "winter-2026-27.toml", "plan_cost_per_day": 9000,
        "pools": [{ "name": "care of older people", "from": "2027-01-01", "beds_from": 140 }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body["toml"].as_str().unwrap().contains("cost_per_day = 9000\nfrom = \"2027-01-01\""), "{body}");
    let edits = json!({ "scenario": "winter-2026-27.toml", "plan_cost_per_day": 9000,
        "pools": [{ "name": "medicine", "beds": 415 }] });
    let (_, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    assert!(!body["toml"].as_str().unwrap().contains("from ="), "no dated change: paid all winter: {body}");
}

/// A shared escalation ward's beds, trigger and cost are levers of their own
/// (`[[escalation_ward]]`, merged by name), checked by field.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn escalation_wards_are_levers() {
    let s = site(2000, Duration::from_secs(10));
    let (_, levers) = send(&s.app, "GET", "/api/scenarios/winter-2026-27.toml", None).await;
    assert_eq!(levers["wards"][0]["name"], "winter escalation ward");
    assert_eq!(levers["wards"][0]["escalation"]["max_beds"], 12);
    let edits =
        json!({ "scenario": "winter-2026-27.toml", "wards": [{ "name": "winter escalation ward", "max_beds": 18 }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&edits.to_string())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body["toml"]
            .as_str()
            .unwrap()
            .contains("[[escalation_ward]]\nname = \"winter escalation ward\"\nmax_beds = 18\n"),
        "{body}"
    );
    let bad = json!({ "scenario": "winter-2026-27.toml", "wards": [{ "name": "winter escalation ward", "max_beds": 0, "open_at_occupancy": 98 }] });
    let (status, body) = send(&s.app, "POST", "/api/check", Some(&bad.to_string())).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fields: Vec<&str> = body["errors"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert!(
        fields.contains(&"escalation_ward[1].max_beds") && fields.contains(&"escalation_ward[1].open_at_occupancy"),
        "{body}"
    );
}
