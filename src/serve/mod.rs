//! `bedflow serve`: the what-if screen for a winter-planning meeting.
//!
//! A local web server (axum on tokio) in the same binary. The page lists the
//! scenarios of one folder and builds a form of levers from the chosen one:
//! - beds per pool, with a dated change;
//! - ED spaces;
//! - escalation beds, trigger and cost;
//! - replications.
//!
//! It validates the edits exactly as `check` does the same text saved as a
//! file, showing each message next to its field. It runs the plan and its
//! base under common random numbers on the library path `run` and `compare`
//! use (no second engine path). Then it shows the headline differences, the
//! KPI table, the plots and the comparison, and offers the plan as TOML and
//! every output file. Every asset is embedded: no internet is needed.
//!
//! **Safety, as decided here:**
//! - It listens on 127.0.0.1 unless `--bind` names another address. Anyone
//!   who can reach that address can run simulations and read every
//!   visitor's outputs. While on loopback, a request whose `Host` is not
//!   this server's is refused, so a web page elsewhere cannot reach it
//!   through DNS rebinding.
//! - The browser names a scenario only by a file name from the folder's
//!   listing; no path from the browser reaches the filesystem. A scenario
//!   whose `extends` chain leaves the folder is not listed.
//! - Request bodies are capped (`--max-body`), replications too
//!   (`--max-replications`), and a run's length (`--max-seconds`). At most `--runs` runs go at once (1 or 2); the
//!   rest queue, with their place shown.
//! - A run whose page stops asking about it for
//!   10 seconds (`Config::abandon_after`) is cancelled (a closed page), as
//!   is one cancelled by its page.
//! - Everything is written under `OUT/VISITOR/` (default `output/serve/`),
//!   through the same atomic staging as `run`. The visitor is a random id
//!   the page makes.

pub mod edits;
pub mod jobs;

use crate::compare::Kept;
use crate::model::Model;
use crate::replicate::RunSpec;
use axum::Router;
use axum::extract::{DefaultBodyLimit, Path as UrlPath, Request, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use edits::{Edits, Levers};
use jobs::{Jobs, Stage};
use serde_json::{Value, json};
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

/// How the server runs; every limit has a command-line flag.
#[derive(Debug, Clone)]
pub struct Config {
    /// The scenarios folder: the only files the page can name.
    pub scenarios: PathBuf,
    /// Where each visitor's outputs go (a folder per visitor).
    pub out: PathBuf,
    /// The most replications a run may ask for.
    pub max_replications: u32,
    /// Runs at once (the rest queue).
    pub runs: usize,
    /// Worker threads per run.
    pub threads: usize,
    /// The largest request body, bytes.
    pub max_body: usize,
    /// Plans kept per visitor for comparing together.
    pub max_plans: usize,
    /// A queued or running job whose page has not asked about it for this long is cancelled (a closed page).
    pub abandon_after: std::time::Duration,
    /// The longest a run may take; it is then stopped, with the reason shown.
    pub max_run: std::time::Duration,
}

/// The server's state, shared by every request.
pub struct App {
    config: Config,
    jobs: Mutex<Jobs>,
    slots: tokio::sync::Semaphore,
    /// `Host` values accepted (loopback only; `None`: any).
    hosts: Option<Vec<String>>,
}

impl App {
    /// The state for `config`, serving at `addr`.
    pub fn new(config: Config, addr: SocketAddr) -> Arc<App> {
        let hosts = addr.ip().is_loopback().then(|| {
            let port = addr.port();
            vec![format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")]
        });
        let runs = config.runs.max(1);
        Arc::new(App { config, jobs: Mutex::new(Jobs::default()), slots: tokio::sync::Semaphore::new(runs), hosts })
    }

    /// Runs `f` with the jobs locked (a poisoned lock is taken as it is:
    /// the jobs map stays consistent, every change to it is one statement).
    pub fn with_jobs<T>(&self, f: impl FnOnce(&mut Jobs) -> T) -> T {
        let mut guard = self.jobs.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        f(&mut guard)
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The scenarios folder is missing or not a folder.
    #[error("error: --scenarios {0}: not a folder")]
    NoFolder(String),
    /// The address is taken or not ours.
    #[error("error: cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why not.
        source: std::io::Error,
    },
    /// The runtime could not start.
    #[error("error: cannot start the server: {0}")]
    Runtime(std::io::Error),
}

impl ServeError {
    /// 2 for bad input (a missing folder, an address in use), 1 otherwise.
    pub fn exit_code(&self) -> u8 {
        match self {
            ServeError::NoFolder(_) | ServeError::Bind { .. } => 2,
            ServeError::Runtime(_) => 1,
        }
    }
}

/// Listens on `ip:port` until interrupted; prints the address to open.
pub fn serve(config: Config, ip: IpAddr, port: u16) -> Result<(), ServeError> {
    if !config.scenarios.is_dir() {
        return Err(ServeError::NoFolder(config.scenarios.display().to_string()));
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(ServeError::Runtime)?;
    runtime.block_on(async move {
        let addr = SocketAddr::new(ip, port);
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| ServeError::Bind { addr, source })?;
        let addr = listener.local_addr().map_err(ServeError::Runtime)?;
        let app = App::new(config.clone(), addr);
        watchdog(&app);
        let host = if ip.is_loopback() {
            format!("127.0.0.1:{}", addr.port())
        } else if ip.is_unspecified() {
            format!("THIS-MACHINE'S-ADDRESS:{}", addr.port())
        } else {
            addr.to_string()
        };
        eprintln!(
            "bedflow: serving the what-if page at http://{host}/ (scenarios from {}, outputs under {}); Ctrl-C stops",
            crate::terminal::path(&config.scenarios),
            crate::terminal::path(&config.out)
        );
        if !ip.is_loopback() {
            eprintln!(
                "bedflow: warning: listening on {ip}: anyone who can reach it can run simulations and read the outputs"
            );
        }
        axum::serve(listener, router(app))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(ServeError::Runtime)
    })
}

/// Cancels abandoned runs (see [`Config::abandon_after`]) and stops runs
/// over [`Config::max_run`], checking five times in the shorter of the two,
/// on the current tokio runtime.
pub fn watchdog(app: &Arc<App>) {
    let app = app.clone();
    tokio::spawn(async move {
        let after = app.config.abandon_after;
        let period = after.min(app.config.max_run) / 5;
        let mut tick = tokio::time::interval(period.max(std::time::Duration::from_millis(50)));
        loop {
            tick.tick().await;
            app.with_jobs(|jobs| jobs.cancel_abandoned(after, app.config.max_run));
        }
    });
}

/// Every endpoint (the tests drive it directly).
pub fn router(app: Arc<App>) -> Router {
    let max_body = app.config.max_body;
    Router::new()
        .route("/", get(page))
        .route("/api/scenarios", get(scenarios))
        .route("/api/scenarios/{file}", get(levers))
        .route("/api/check", post(check))
        .route("/api/v/{visitor}/runs", post(start_run))
        .route("/api/v/{visitor}/runs/{id}", get(run_status))
        .route("/api/v/{visitor}/runs/{id}/cancel", post(cancel_run))
        .route("/api/v/{visitor}/runs/{id}/plan.toml", get(plan_toml))
        .route("/api/v/{visitor}/compare", post(compare_plans))
        .route("/files/{visitor}/{folder}/{file}", get(file))
        .layer(DefaultBodyLimit::max(max_body))
        .layer(middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Refuses a foreign `Host` on loopback, and marks every response not to be cached or framed.
async fn guard(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    if let Some(hosts) = &app.hosts {
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        if !hosts.iter().any(|h| h == host) {
            return problem(StatusCode::FORBIDDEN, "this server answers only to its own address");
        }
    }
    // A page elsewhere may still send a simple cross-site POST (no
    // preflight): refuse one whose Origin is not this server, and, but for a
    // cancel (the closing page's beacon), one that is not JSON.
    if req.method() == axum::http::Method::POST {
        let origin = req.headers().get(header::ORIGIN).and_then(|o| o.to_str().ok());
        let host = req.headers().get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("");
        if let Some(origin) = origin
            && origin != format!("http://{host}")
        {
            return problem(StatusCode::FORBIDDEN, "this server answers only pages it served");
        }
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|c| c.to_str().ok())
            .is_some_and(|c| c.starts_with("application/json"));
        if !json && !req.uri().path().ends_with("/cancel") {
            return problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "send JSON (content-type: application/json)");
        }
    }
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    res
}

/// A JSON error `{ "error": message }`.
fn problem(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "error": message }))).into_response()
}

/// A refusal, answered as [`problem`] (small, so results carrying it stay small).
struct Reject(StatusCode, String);

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        problem(self.0, &self.1)
    }
}

/// The page: one embedded file, no external assets.
async fn page() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/html; charset=utf-8"),
            (
                header::CONTENT_SECURITY_POLICY,
                "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src 'self' data:",
            ),
        ],
        include_str!("page.html"),
    )
        .into_response()
}

/// The scenario files the page may name: regular `.toml` files directly in
/// the folder whose whole `extends` chain stays inside it, sorted.
pub fn listed(dir: &Path) -> Vec<String> {
    let Ok(root) = dir.canonicalize() else { return Vec::new() };
    listing(dir)
        .into_iter()
        .filter(|n| n.ends_with(".toml"))
        .filter(|n| {
            crate::scenario::fingerprint::chain_files(&dir.join(n))
                .is_ok_and(|chain| chain.iter().all(|f| f.canonicalize().is_ok_and(|c| c.starts_with(&root))))
        })
        .collect()
}

/// The listed file named `name`, or `None` (never a path the browser made up).
fn scenario_path(app: &App, name: &str) -> Option<PathBuf> {
    listed(&app.config.scenarios).into_iter().find(|n| n == name).map(|n| app.config.scenarios.join(n))
}

async fn scenarios(State(app): State<Arc<App>>) -> Response {
    let dir = app.config.scenarios.clone();
    let list = tokio::task::spawn_blocking(move || listed(&dir)).await.unwrap_or_default();
    axum::Json(json!({ "scenarios": list, "max_replications": app.config.max_replications })).into_response()
}

async fn levers(State(app): State<Arc<App>>, UrlPath(file): UrlPath<String>) -> Response {
    let Some(path) = scenario_path(&app, &file) else {
        return problem(StatusCode::NOT_FOUND, "no such scenario in the folder");
    };
    let max = app.config.max_replications;
    let loaded = tokio::task::spawn_blocking(move || crate::scenario::load(&path)).await;
    match loaded {
        Ok(Ok(model)) => axum::Json(Levers::of(&file, &model, max)).into_response(),
        // Not the checker's text: it quotes the failing lines, which may be
        // another file's (a census), and the server's paths.
        Ok(Err(_)) => problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            &format!("{file} does not load: run `bedflow check` on it to see why"),
        ),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

/// A plan checked: the base, the plan and its text, or every problem by field.
struct Checked {
    path: PathBuf,
    base: Model,
    plan: Model,
    text: String,
}

/// Validates `edits` as `check` would the child scenario saved beside its
/// base; the problems as `{ field, message, line }`, in file order.
fn check_edits(app: &App, edits: &Edits, number: Option<u64>) -> Result<Checked, (StatusCode, Value)> {
    let Some(path) = scenario_path(app, &edits.scenario) else {
        return Err((StatusCode::NOT_FOUND, json!({ "error": "no such scenario in the folder" })));
    };
    let base = crate::scenario::load(&path).map_err(|_| {
        let message = format!("{} does not load: run `bedflow check` on it to see why", edits.scenario);
        (StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message }))
    })?;
    // Named after the base's own (valid) name, never the file's: "-plan-N",
    // the base's name shortened if need be to stay within the name's limit.
    let suffix = format!("-plan-{}", number.unwrap_or(0));
    let stem: String = base.name.chars().take(100usize.saturating_sub(suffix.len())).collect();
    let text = edits.child_text(&base, &format!("{stem}{suffix}"));
    let mut errors: Vec<Value> = edits
        .problems(&base)
        .into_iter()
        .map(|(field, message)| json!({ "field": field, "message": message, "line": 0, "file": "plan.toml" }))
        .collect();
    let plan = match crate::scenario::load_edited(&path, "plan.toml", &text) {
        Ok(m) => Some(m),
        Err(crate::scenario::LoadError::Invalid(e)) => {
            errors.extend(e.diagnostics.iter().map(
                |d| json!({ "field": d.field, "message": d.message, "line": d.line, "file": file_name(&d.file) }),
            ));
            None
        }
        Err(_) => {
            let message = format!("{} does not load: run `bedflow check` on it to see why", edits.scenario);
            return Err((StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": message })));
        }
    };
    let plan = match plan {
        Some(plan) if errors.is_empty() => plan,
        _ => return Err((StatusCode::UNPROCESSABLE_ENTITY, json!({ "errors": errors, "toml": text }))),
    };
    let max = app.config.max_replications;
    if plan.replications > max {
        let message = format!("at most {max} replications here (this server's --max-replications)");
        let errors = json!([{ "field": "scenario.replications", "message": message, "line": 0, "file": "plan.toml" }]);
        return Err((StatusCode::UNPROCESSABLE_ENTITY, json!({ "errors": errors, "toml": text })));
    }
    crate::scenario::size::check_replications(&plan, plan.replications, app.config.threads)
        .map_err(|e| (StatusCode::UNPROCESSABLE_ENTITY, json!({ "error": e })))?;
    Ok(Checked { path, base, plan, text })
}

/// The last part of a path: messages name files without the server's folders.
fn file_name(path: &str) -> String {
    Path::new(path).file_name().map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// Reads a JSON body, answering 400 with the reason when it is not one.
fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Reject> {
    serde_json::from_slice(body).map_err(|e| Reject(StatusCode::BAD_REQUEST, format!("bad request: {e}")))
}

async fn check(State(app): State<Arc<App>>, body: axum::body::Bytes) -> Response {
    let edits: Edits = match parse(&body) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let checked = tokio::task::spawn_blocking(move || {
        let n = app.with_jobs(|j| j.all.keys().max().copied().unwrap_or(0)) + 1;
        check_edits(&app, &edits, Some(n)).map(|c| c.text)
    })
    .await;
    match checked {
        Ok(Ok(text)) => axum::Json(json!({ "errors": [], "toml": text })).into_response(),
        Ok(Err((status, value))) => (status, axum::Json(value)).into_response(),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

/// A visitor id: 8 to 64 letters, digits or dashes (the page makes a random one).
fn visitor_ok(v: &str) -> bool {
    (8..=64).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A visitor's request body: refused (400) for a bad visitor id or a body that is not the JSON expected.
fn visitor_body<T: serde::de::DeserializeOwned>(visitor: &str, body: &[u8]) -> Result<T, Reject> {
    if !visitor_ok(visitor) {
        return Err(Reject(StatusCode::BAD_REQUEST, "bad visitor id".into()));
    }
    parse(body)
}

async fn start_run(
    State(app): State<Arc<App>>,
    UrlPath(visitor): UrlPath<String>,
    body: axum::body::Bytes,
) -> Response {
    let edits: Edits = match visitor_body(&visitor, &body) {
        Ok(e) => e,
        Err(r) => return r.into_response(),
    };
    let a = app.clone();
    let v = visitor.clone();
    let checked = tokio::task::spawn_blocking(move || {
        // The plan's name carries the next job number, so every plan tried has its own.
        let n = a.with_jobs(|j| j.all.keys().max().copied().unwrap_or(0)) + 1;
        let checked = check_edits(&a, &edits, Some(n))?;
        let description = edits.describe();
        a.with_jobs(|jobs| {
            // A queue that only grows is refused: four waiting runs a page,
            // sixteen in all (a page elsewhere cannot start runs, see `guard`).
            let mine = jobs.waiting.iter().filter(|id| jobs.all.get(id).is_some_and(|j| j.visitor == v)).count();
            if mine >= 4 || jobs.waiting.len() >= 16 {
                let message = "the queue is full: wait for a run to finish, or cancel one";
                return Err((StatusCode::TOO_MANY_REQUESTS, json!({ "error": message })));
            }
            jobs.trim(&v, a.config.max_plans);
            let c = checked;
            Ok(jobs.add(v.clone(), edits.scenario.clone(), c.path, c.plan, c.base, c.text, description))
        })
    })
    .await;
    let id = match checked {
        Ok(Ok(id)) => id,
        Ok(Err((status, value))) => return (status, axum::Json(value)).into_response(),
        Err(_) => return problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    };
    let a = app.clone();
    tokio::spawn(async move {
        let Ok(_permit) = a.slots.acquire().await else { return };
        let go = a.with_jobs(|jobs| {
            jobs.waiting.retain(|w| *w != id);
            match jobs.all.get_mut(&id) {
                Some(j) if !j.stop.load(std::sync::atomic::Ordering::Relaxed) => {
                    j.stage = Stage::Running;
                    j.started = Some(std::time::Instant::now());
                    true
                }
                Some(j) => {
                    j.stage = Stage::Cancelled;
                    false
                }
                None => false,
            }
        });
        if !go {
            return;
        }
        let b = a.clone();
        let stage = tokio::task::spawn_blocking(move || jobs::execute(&b, id))
            .await
            .unwrap_or_else(|_| Stage::Failed("internal error".into()));
        a.with_jobs(|jobs| {
            if let Some(j) = jobs.all.get_mut(&id) {
                j.stage = match (stage, j.stopped_because.take()) {
                    (Stage::Cancelled, Some(why)) => Stage::Failed(why),
                    (stage, _) => stage,
                };
            }
        });
    });
    (StatusCode::ACCEPTED, axum::Json(json!({ "id": id }))).into_response()
}

/// The job `id` of `visitor`, or a 404 response.
fn own_job<T>(app: &App, visitor: &str, id: u64, f: impl FnOnce(&mut jobs::Job, usize) -> T) -> Result<T, Reject> {
    app.with_jobs(|jobs| {
        let place = jobs.waiting.iter().position(|w| *w == id).map_or(0, |p| p + 1);
        match jobs.all.get_mut(&id) {
            Some(j) if j.visitor == visitor => Ok(f(j, place)),
            _ => Err(Reject(StatusCode::NOT_FOUND, "no such run".into())),
        }
    })
}

async fn run_status(State(app): State<Arc<App>>, UrlPath((visitor, id)): UrlPath<(String, u64)>) -> Response {
    use std::sync::atomic::Ordering::Relaxed;
    let status = own_job(&app, &visitor, id, |j, place| {
        j.seen = std::time::Instant::now();
        let (state, extra) = match &j.stage {
            Stage::Queued => ("queued", json!({ "position": place })),
            Stage::Running => ("running", json!({})),
            Stage::Done(v) => ("done", json!({ "result": v })),
            Stage::Failed(e) => ("failed", json!({ "error": e })),
            Stage::Cancelled => ("cancelled", json!({})),
        };
        let mut v = json!({
            "id": id,
            "state": state,
            "done": j.done.load(Relaxed),
            "total": j.total.load(Relaxed),
            "replications": j.plan.replications,
            "description": j.description,
            "scenario": j.file,
        });
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            o.extend(e.clone());
        }
        v
    });
    match status {
        Ok(v) => axum::Json(v).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn cancel_run(State(app): State<Arc<App>>, UrlPath((visitor, id)): UrlPath<(String, u64)>) -> Response {
    match own_job(&app, &visitor, id, |j, _| j.stop.store(true, std::sync::atomic::Ordering::Relaxed)) {
        Ok(()) => axum::Json(json!({ "cancelled": id })).into_response(),
        Err(r) => r.into_response(),
    }
}

async fn plan_toml(State(app): State<Arc<App>>, UrlPath((visitor, id)): UrlPath<(String, u64)>) -> Response {
    match own_job(&app, &visitor, id, |j, _| (j.toml.clone(), j.plan.name.clone())) {
        Ok((text, name)) => (
            [
                (header::CONTENT_TYPE, "application/toml; charset=utf-8".to_string()),
                (header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}.toml\"")),
            ],
            text,
        )
            .into_response(),
        Err(r) => r.into_response(),
    }
}

/// Plans tried to compare together: finished runs of one base scenario.
#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ComparePlans {
    ids: Vec<u64>,
}

async fn compare_plans(
    State(app): State<Arc<App>>,
    UrlPath(visitor): UrlPath<String>,
    body: axum::body::Bytes,
) -> Response {
    let mut ask: ComparePlans = match visitor_body(&visitor, &body) {
        Ok(a) => a,
        Err(r) => return r.into_response(),
    };
    let mut seen = std::collections::HashSet::new();
    ask.ids.retain(|id| seen.insert(*id));
    if ask.ids.is_empty() || ask.ids.len() > app.config.max_plans {
        return problem(StatusCode::BAD_REQUEST, &format!("compare 1 to {} plans", app.config.max_plans));
    }
    type Plan = (Arc<Model>, Arc<Kept>, Arc<Kept>, Arc<Model>, String);
    let plans: Result<Vec<Plan>, Reject> = ask
        .ids
        .iter()
        .map(|&id| {
            own_job(&app, &visitor, id, |j, _| {
                j.kept.clone().map(|(k, b)| (j.plan.clone(), k, b, j.base.clone(), j.file.clone()))
            })
            .and_then(|p| p.ok_or_else(|| Reject(StatusCode::CONFLICT, format!("run {id} has not finished"))))
        })
        .collect();
    let plans = match plans {
        Ok(p) => p,
        Err(r) => return r.into_response(),
    };
    let (base, base_kept, file) = (plans[0].3.clone(), plans[0].2.clone(), plans[0].4.clone());
    if plans.iter().any(|p| !Arc::ptr_eq(&p.2, &base_kept)) {
        return problem(
            StatusCode::CONFLICT,
            "these plans were run from different scenarios or replications: compare plans of one base",
        );
    }
    let spec = RunSpec { replications: plans[0].0.replications, seed: plans[0].0.seed, threads: 1 };
    let n = ask.ids.iter().map(u64::to_string).collect::<Vec<_>>().join("-");
    let folder = format!("compare-plans-{n}");
    let dir = app.config.out.join(&visitor).join(&folder);
    let written = tokio::task::spawn_blocking(move || {
        let all: Vec<(&Model, Arc<Kept>)> = plans.iter().map(|p| (p.0.as_ref(), p.1.clone())).collect();
        let rows = write_comparison(&dir, &base, &file, &base_kept, &all, spec)?;
        Ok::<_, String>((rows, listing(&dir)))
    })
    .await;
    match written {
        Ok(Ok((rows, files))) => axum::Json(json!({ "folder": folder, "files": files, "plans": rows })).into_response(),
        Ok(Err(e)) => problem(StatusCode::INTERNAL_SERVER_ERROR, &e),
        Err(_) => problem(StatusCode::INTERNAL_SERVER_ERROR, "internal error"),
    }
}

/// Writes `compare`'s outputs for `base` and `plans` into `dir` (replacing
/// an earlier comparison of the same plans); returns each plan's headline, ranked.
fn write_comparison(
    dir: &Path,
    base: &Model,
    file: &str,
    base_kept: &Kept,
    plans: &[(&Model, Arc<Kept>)],
    spec: RunSpec,
) -> Result<Vec<Value>, String> {
    let dated = base.has_dated_capacity() || plans.iter().any(|(m, _)| m.has_dated_capacity());
    let mut pairs = Vec::new();
    let mut by_month = Vec::new();
    let mut results = Vec::new();
    for (m, kept) in plans {
        let paired = crate::compare::paired(base, base_kept, m, kept);
        results.push(crate::decision::plan_result((base, base_kept), (m, kept), &paired));
        if dated {
            by_month.push((m.name.clone(), crate::compare::paired_by_month(base, base_kept, m, kept)));
        }
        pairs.push((m.name.clone(), paired));
    }
    let results = crate::decision::rank(results);
    let staging = crate::output::atomic::Staging::prepare(dir).map_err(|e| e.to_string())?;
    let ran = crate::output::compare::Ran { model: base, path: file.to_string(), sums: base_kept.sums.clone() };
    crate::output::compare::write_compare(
        staging,
        &ran,
        &pairs,
        &results,
        &[],
        dated.then_some(by_month.as_slice()),
        spec.replications as usize,
        spec.seed,
    )
    .map_err(|e| e.to_string())?;
    Ok(results
        .iter()
        .map(|r| json!({ "plan": r.name, "description": r.description, "headline": headline(r) }))
        .collect())
}

/// A plan's rows of the decision table, formatted as `compare` prints them.
fn headline(r: &crate::decision::PlanResult) -> Vec<Value> {
    r.rows
        .iter()
        .map(|row| {
            let u = row.measure.unit;
            json!({
                "measure": row.measure.label,
                "base": u.level(row.base),
                "plan": u.level(row.alt),
                "difference": u.difference(row.diff.mean),
                "ci_low": u.difference(row.diff.ci95_low),
                "ci_high": u.difference(row.diff.ci95_high),
                "verdict": row.verdict.word(),
                "lower_is_better": row.measure.lower_is_better,
                "value": row.diff.mean,
            })
        })
        .collect()
}

/// The trust-wide rows of a run's `summary.csv` (the page's KPI table).
fn kpi_rows(summary: &Path) -> Value {
    let Ok(mut reader) = csv::Reader::from_path(summary) else { return json!([]) };
    let Ok(headers) = reader.headers().cloned() else { return json!([]) };
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (Some(metric), Some(pool), Some(mean), Some(lo), Some(hi)) =
        (col("metric"), col("pool"), col("mean"), col("ci95_low"), col("ci95_high"))
    else {
        return json!([]);
    };
    let specialty = col("specialty");
    let rows: Vec<Value> = reader
        .records()
        .filter_map(Result::ok)
        .filter(|r| r.get(pool) == Some("") && specialty.is_none_or(|s| r.get(s) == Some("")))
        .map(|r| {
            let g = |i: usize| r.get(i).unwrap_or("").to_string();
            json!({ "metric": g(metric), "mean": g(mean), "ci95_low": g(lo), "ci95_high": g(hi) })
        })
        .collect();
    Value::Array(rows)
}

/// The visible files of an output folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    let mut out: Vec<String> = entries
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .filter_map(|e| e.file_name().into_string().ok())
        .filter(|n| !n.starts_with('.'))
        .collect();
    out.sort();
    out
}

/// A visitor's output file: the folder must be one the server made
/// (`plan-N`, `compare-N`, `compare-plans-...`), the file a plain name in it.
async fn file(
    State(app): State<Arc<App>>,
    UrlPath((visitor, folder, name)): UrlPath<(String, String, String)>,
) -> Response {
    let folder_ok = ["plan-", "compare-plans-", "compare-"].iter().any(|p| {
        folder
            .strip_prefix(p)
            .is_some_and(|rest| !rest.is_empty() && rest.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
    });
    let name_ok = !name.starts_with('.')
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    let kind = match name.rsplit('.').next() {
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("csv") => "text/csv; charset=utf-8",
        Some("json") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("xlsx") => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        _ => "",
    };
    if !visitor_ok(&visitor) || !folder_ok || !name_ok || kind.is_empty() {
        return problem(StatusCode::NOT_FOUND, "no such file");
    }
    let path = app.config.out.join(&visitor).join(&folder).join(&name);
    match tokio::fs::read(&path).await {
        Ok(bytes) => {
            let mut res = ([(header::CONTENT_TYPE, kind)], bytes).into_response();
            if !matches!(kind, "image/svg+xml" | "image/png" | "text/html; charset=utf-8") {
                let v = format!("attachment; filename=\"{name}\"");
                if let Ok(v) = HeaderValue::from_str(&v) {
                    res.headers_mut().insert(header::CONTENT_DISPOSITION, v);
                }
            }
            if kind.starts_with("text/html") || kind.starts_with("image/svg") {
                // The report and plots are shown as written, with nothing of theirs run.
                res.headers_mut().insert(
                    header::CONTENT_SECURITY_POLICY,
                    HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:"),
                );
            }
            res
        }
        Err(_) => problem(StatusCode::NOT_FOUND, "no such file"),
    }
}
