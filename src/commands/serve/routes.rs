//! The playground's HTTP interface: the page, the stream of a run's
//! records, the controls and the downloads. Every bad request is answered
//! with a 4xx and a line saying what was wrong.
//!
//! - `GET /`, `/app.js`, `/style.css`: the page.
//! - `GET /api/run?page=P&sizes=...`: start a run for page P and stream
//!   its events (server-sent events `start`, then `epoch` and `claims` per
//!   epoch, then `done` or `failed`).
//! - `POST /api/runs/ID/pause|resume|stop?token=T`,
//!   `POST /api/runs/ID/retune?token=T&eta=&lambda=`.
//! - `GET /api/runs/ID/metrics.jsonl|metrics.csv|network.json?token=T`.
//!
//! T is the secret the `start` event gave the page that started the run:
//! a run is controlled and read by that page alone.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use axum::response::{IntoResponse, Response};
use axum::routing::{MethodFilter, get, on};
use tokio_stream::StreamExt;
use tokio_stream::wrappers::ReceiverStream;

use super::page;
use super::runs::{Control, Event, Phase, Refused, Runs};
use super::settings::{Settings, parse_eta, parse_lambda};

/// How often an idle stream sends a comment, by which a page that has
/// gone is noticed while its run is paused.
const KEEP_ALIVE: Duration = Duration::from_secs(2);

/// The longest page identifier.
const MAX_PAGE_ID: usize = 64;

/// The playground's routes over `runs`.
pub fn router(runs: Arc<Runs>) -> Router {
    Router::new()
        .route("/", get(|| async { html(page::INDEX) }))
        .route(
            "/app.js",
            get(|| async { asset("text/javascript; charset=utf-8", page::SCRIPT) }),
        )
        .route(
            "/style.css",
            get(|| async { asset("text/css; charset=utf-8", page::STYLE) }),
        )
        // GET only: a HEAD would start a run whose stream nobody reads.
        .route("/api/run", on(MethodFilter::GET, start))
        .route(
            "/api/runs/{id}/{action}",
            on(MethodFilter::POST, control).on(MethodFilter::GET, download),
        )
        .fallback(|| async { refuse(StatusCode::NOT_FOUND, "no such page or API; see GET /") })
        .method_not_allowed_fallback(|| async {
            refuse(
                StatusCode::METHOD_NOT_ALLOWED,
                "method not allowed: GET /api/run and the downloads, POST the controls",
            )
        })
        .layer(axum::middleware::map_response(safe_headers))
        .with_state(runs)
}

/// Every answer says where the page may load from (this server only) and
/// that its types are what they say.
async fn safe_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
        ),
    );
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

fn html(text: &'static str) -> Response {
    asset("text/html; charset=utf-8", text)
}

fn asset(content_type: &'static str, text: &'static str) -> Response {
    ([(header::CONTENT_TYPE, content_type)], text).into_response()
}

/// A refusal: `status` and one line of text.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let mut line = message.into();
    line.push('\n');
    (
        status,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        line,
    )
        .into_response()
}

/// `GET /api/run`: start a run and stream its events.
async fn start(
    method: axum::http::Method,
    State(runs): State<Arc<Runs>>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    // axum answers HEAD with the GET handler; here it would start a run
    // whose stream nobody reads.
    if method == axum::http::Method::HEAD {
        return refuse(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed: GET /api/run starts a run",
        );
    }
    let pages: Vec<&(String, String)> = pairs.iter().filter(|(k, _)| k == "page").collect();
    let page = match pages[..] {
        [(_, p)]
            if !p.is_empty()
                && p.len() <= MAX_PAGE_ID
                && p.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') =>
        {
            p.clone()
        }
        _ => {
            return refuse(
                StatusCode::BAD_REQUEST,
                format!(
                    "page: expected the page's identifier, 1 to {MAX_PAGE_ID} letters, digits or -"
                ),
            );
        }
    };
    let settings = match Settings::from_pairs(&pairs, &["page"]) {
        Ok(s) => s,
        Err(refusal) => return refuse(StatusCode::BAD_REQUEST, refusal.to_string()),
    };
    // Reading the data for the run takes a moment: off the server's threads.
    let started = tokio::task::spawn_blocking(move || runs.start(settings, &page)).await;
    let receiver = match started {
        Ok(Ok((_, receiver))) => receiver,
        Ok(Err(Refused::Settings(message))) => return refuse(StatusCode::BAD_REQUEST, message),
        Ok(Err(Refused::PageBusy(id))) => {
            let run = id.map_or("a run".to_string(), |id| format!("run {id}"));
            return refuse(
                StatusCode::CONFLICT,
                format!("this page already trains {run}; stop it first"),
            );
        }
        Ok(Err(Refused::Full(slots))) => {
            return refuse(
                StatusCode::SERVICE_UNAVAILABLE,
                format!(
                    "all {slots} training slots are taken (one per core); try again when a run ends"
                ),
            );
        }
        Err(_) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, "the run could not start"),
    };
    let events = ReceiverStream::new(receiver).map(|event| {
        Ok::<_, Infallible>(match event {
            Event::Start(json) => SseEvent::default().event("start").data(json),
            Event::Epoch(record) => SseEvent::default().event("epoch").data(record),
            Event::Claims(json) => SseEvent::default().event("claims").data(json),
            Event::Done(json) => SseEvent::default().event("done").data(json),
            Event::Failed(message) => SseEvent::default().event("failed").data(message),
        })
    });
    Sse::new(events)
        .keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
        .into_response()
}

/// The run `id` names, if the request shows its token; else the answer.
fn own_run(
    runs: &Runs,
    id: &str,
    pairs: &[(String, String)],
) -> Result<Arc<super::runs::Run>, Response> {
    let Ok(number) = id.parse::<u64>() else {
        return Err(refuse(
            StatusCode::BAD_REQUEST,
            format!("run: found {id:?}; expected a run's number"),
        ));
    };
    let Some(run) = runs.get(number) else {
        return Err(refuse(StatusCode::NOT_FOUND, format!("no run {number}")));
    };
    let tokens: Vec<&str> = pairs
        .iter()
        .filter(|(k, _)| k == "token")
        .map(|(_, v)| v.as_str())
        .collect();
    if tokens != [run.token.as_str()] {
        return Err(refuse(
            StatusCode::FORBIDDEN,
            format!(
                "token: expected the token of run {number}, which only the page that started it was given"
            ),
        ));
    }
    Ok(run)
}

/// `POST /api/runs/ID/ACTION?token=T`: pause, resume, stop or retune a run
/// (`retune?eta=&lambda=`, either or both).
async fn control(
    State(runs): State<Arc<Runs>>,
    Path((id, action)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let run = match own_run(&runs, &id, &pairs) {
        Ok(run) => run,
        Err(answer) => return answer,
    };
    let control = match action.as_str() {
        "pause" => Control::Pause,
        "resume" => Control::Resume,
        "stop" => Control::Stop,
        "retune" => match retuned(&run, &pairs) {
            Ok(control) => control,
            Err(answer) => return answer,
        },
        other => {
            return refuse(
                StatusCode::NOT_FOUND,
                format!("{other}: expected pause, resume, stop or retune"),
            );
        }
    };
    if run.control(control) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        refuse(
            StatusCode::CONFLICT,
            format!("run {} has ended ({})", run.id, phase_word(&run.phase())),
        )
    }
}

/// The retune `pairs` ask of `run` (eta and/or lambda; the other keeps
/// its value), checked as a run starting with those values would be.
fn retuned(run: &super::runs::Run, pairs: &[(String, String)]) -> Result<Control, Response> {
    let bad = |message: String| refuse(StatusCode::BAD_REQUEST, message);
    let (mut eta, mut lambda) = run.tuned();
    let mut seen: Vec<&str> = Vec::new();
    for (key, value) in pairs {
        if key == "token" {
            continue;
        }
        if seen.contains(&key.as_str()) {
            return Err(bad(format!("{key}: given twice; expected it once")));
        }
        seen.push(key);
        match key.as_str() {
            "eta" => eta = parse_eta(value).map_err(|r| bad(r.to_string()))?,
            "lambda" if run.settings.optimizer.is_decoupled() => {
                return Err(refuse(
                    StatusCode::CONFLICT,
                    format!(
                        "lambda: {} takes its decay as --weight-decay, fixed for the run; expected eta alone",
                        run.settings.optimizer.name()
                    ),
                ));
            }
            "lambda" => lambda = parse_lambda(value).map_err(|r| bad(r.to_string()))?,
            other => return Err(bad(format!("{other}: unknown; expected eta or lambda"))),
        }
    }
    // Checked as `train` checks a run that starts with them.
    let mut settings = run.settings.clone();
    settings.eta = eta;
    if !run.settings.optimizer.is_decoupled() {
        settings.lambda = lambda;
    }
    super::check(&settings).map_err(bad)?;
    Ok(Control::Retune { eta, lambda })
}

fn phase_word(phase: &Phase) -> &str {
    match phase {
        Phase::Training => "training",
        Phase::Paused => "paused",
        Phase::Finished => "finished",
        Phase::Stopped => "stopped",
        Phase::Abandoned => "its page went away",
        Phase::Failed(_) => "failed",
    }
}

/// `GET /api/runs/ID/FILE?token=T`: the run's metrics (JSON lines or CSV, as
/// `train --metrics`/`--metrics-csv` write them) or its network.
async fn download(
    State(runs): State<Arc<Runs>>,
    Path((id, file)): Path<(String, String)>,
    Query(pairs): Query<Vec<(String, String)>>,
) -> Response {
    let run = match own_run(&runs, &id, &pairs) {
        Ok(run) => run,
        Err(answer) => return answer,
    };
    let id = run.id;
    let (content_type, body) = match file.as_str() {
        "metrics.jsonl" => ("application/jsonl", run.json_lines()),
        "metrics.csv" => ("text/csv; charset=utf-8", run.csv()),
        "network.json" => match run.network() {
            Some(json) => ("application/json", json),
            None => {
                return refuse(
                    StatusCode::CONFLICT,
                    format!(
                        "run {id} is {}: its network is kept once it ends",
                        phase_word(&run.phase())
                    ),
                );
            }
        },
        other => {
            return refuse(
                StatusCode::NOT_FOUND,
                format!("{other}: expected metrics.jsonl, metrics.csv or network.json"),
            );
        }
    };
    let disposition = format!("attachment; filename=\"decaylab-run-{id}-{file}\"");
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (header::CONTENT_DISPOSITION, disposition),
        ],
        body,
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use std::sync::OnceLock;

    use axum::body::Body;
    use axum::http::Request;
    use proptest::prelude::*;
    use tower::ServiceExt;

    use super::*;
    use crate::run::Config;

    /// The routes over runs with no training slot: a request whose
    /// settings are good is refused with 503 instead of training, so
    /// that any request can be tried.
    fn router_without_slots() -> Router {
        static RUNS: OnceLock<Arc<Runs>> = OnceLock::new();
        let runs = RUNS.get_or_init(|| {
            let mnist = Config::default().load_mnist().expect("the bundled MNIST");
            Arc::new(Runs::new(mnist, 0))
        });
        router(runs.clone())
    }

    /// The status and body of `method uri`.
    fn answer(method: &str, uri: &str) -> (StatusCode, String) {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let request = Request::builder()
                .method(method)
                .uri(uri)
                .body(Body::empty())
                .unwrap();
            let response = router_without_slots().oneshot(request).await.unwrap();
            let status = response.status();
            let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
                .await
                .unwrap();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        })
    }

    #[test]
    fn good_settings_without_a_slot_are_refused_with_503() {
        let (status, body) = answer("GET", "/api/run?page=a&n=1000");
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            body,
            "all 0 training slots are taken (one per core); try again when a run ends\n"
        );
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]
        /// Whatever the path and query, the answer is a 4xx or the 503 of
        /// good settings, with a message: never a 500, never a panic.
        #[test]
        fn any_request_is_answered_without_a_server_error(
            method in prop_oneof![Just("GET"), Just("POST"), Just("PUT")],
            path in prop_oneof![
                Just("/api/run".to_string()),
                Just("/api/runs/1/stop".to_string()),
                Just("/api/runs/1/retune".to_string()),
                Just("/api/runs/1/network.json".to_string()),
                "/[a-z0-9/._%-]{0,20}",
            ],
            pairs in proptest::collection::vec(
                (
                    prop_oneof![
                        Just("page"), Just("sizes"), Just("eta"), Just("lambda"), Just("m"),
                        Just("n"), Just("epochs"), Just("seed"), Just("init"), Just("optimizer"),
                        Just("x"),
                    ],
                    "[a-zA-Z0-9,.+%-]{0,10}",
                ),
                0..6,
            ),
        ) {
            let query: Vec<String> = pairs.iter().map(|(k, v)| format!("{k}={v}")).collect();
            let uri = format!("{path}?{}", query.join("&"));
            if let Ok(uri) = uri.parse::<axum::http::Uri>() {
                let (status, body) = answer(method, &uri.to_string());
                prop_assert!(
                    status.is_client_error() || status == StatusCode::SERVICE_UNAVAILABLE
                        || status.is_success(),
                    "{method} {uri}: {status} {body}"
                );
                prop_assert!(status.is_success() || !body.is_empty() || status == StatusCode::METHOD_NOT_ALLOWED,
                    "{method} {uri}: {status} without a message");
            }
        }
    }
}
