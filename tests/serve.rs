//! The playground's server (`decaylab serve`) through its HTTP interface:
//! the same bits as `decaylab train`, the controls, and 4xx for bad
//! requests.

mod common;

use std::io::Read;
use std::time::{Duration, Instant};

use common::http::{self, Server};
use common::{decaylab, path_str};
use serde_json::Value;

/// A record with its timing left out (the one field two runs of the same
/// settings do not share).
fn untimed(line: &str) -> Value {
    let mut record: Value = serde_json::from_str(line).unwrap();
    record.as_object_mut().unwrap().remove("seconds");
    record
}

#[test]
fn a_runs_streamed_records_and_downloads_are_trains_bit_for_bit() {
    let server = Server::start();
    let settings = "sizes=784,20,10&init=large&eta=0.3&lambda=5&m=10&n=1000&epochs=3&seed=4";
    let run = server.request("GET", &format!("/api/run?page=same-bits&{settings}"), "");
    assert_eq!(run.status, 200, "{}", run.body);
    assert_eq!(run.header("content-type"), Some("text/event-stream"));
    let events = run.events();
    let names: Vec<&str> = events.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        [
            "start", "epoch", "claims", "epoch", "claims", "epoch", "claims", "epoch", "claims",
            "done"
        ]
    );
    let start: Value = serde_json::from_str(&events[0].1).unwrap();
    let command = start["command"].as_str().unwrap();
    assert_eq!(
        command,
        "decaylab train --sizes 784,20,10 --init large --eta 0.3 --lambda 5 --batch 10 --epochs 3 --seed 4 --train-size 1000"
    );

    // The command the page shows, run.
    let dir = tempfile::tempdir().unwrap();
    let (metrics, network) = (dir.path().join("m.jsonl"), dir.path().join("net.json"));
    let mut args: Vec<&str> = command.split(' ').skip(1).collect();
    args.extend([
        "--metrics",
        path_str(&metrics),
        "--save",
        path_str(&network),
    ]);
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", common::stderr(&out));
    let trained = std::fs::read_to_string(&metrics).unwrap();
    let streamed: Vec<Value> = events
        .iter()
        .filter(|(n, _)| n == "epoch")
        .map(|(_, d)| untimed(d))
        .collect();
    let expected: Vec<Value> = trained.lines().map(untimed).collect();
    assert_eq!(streamed.len(), 4);
    assert_eq!(
        streamed, expected,
        "the stream differs from train's metrics"
    );

    let id = start["id"].as_u64().unwrap();
    let token = start["token"].as_str().unwrap();
    let jsonl = server.request(
        "GET",
        &format!("/api/runs/{id}/metrics.jsonl?token={token}"),
        "",
    );
    assert_eq!(jsonl.status, 200);
    let downloaded: Vec<Value> = jsonl.body.lines().map(untimed).collect();
    assert_eq!(downloaded, expected);
    let csv = server.request(
        "GET",
        &format!("/api/runs/{id}/metrics.csv?token={token}"),
        "",
    );
    assert_eq!(csv.status, 200);
    assert_eq!(csv.body.lines().count(), 5, "a header and 4 epochs");
    let net = server.request(
        "GET",
        &format!("/api/runs/{id}/network.json?token={token}"),
        "",
    );
    assert_eq!(net.status, 200);
    // Without the token, or with another, nothing.
    for query in ["", "?token=0", &format!("?token={token}&token={token}")] {
        let other = server.request("GET", &format!("/api/runs/{id}/network.json{query}"), "");
        assert_eq!(other.status, 403, "{query}: {}", other.body);
        assert!(
            other.body.contains("only the page that started it"),
            "{}",
            other.body
        );
    }
    assert_eq!(net.body, std::fs::read_to_string(&network).unwrap());

    // Claims 1 and 2 are decided on the records so far, every epoch.
    let claims: Value = serde_json::from_str(&events[8].1).unwrap();
    assert_eq!(claims["epochs"], 3);
    assert!(claims["claim1"]["verdict"].is_string(), "{claims}");
    let done: Value = serde_json::from_str(&events[9].1).unwrap();
    assert_eq!(done["phase"], "finished");
    assert_eq!(done["epochs"], 3);
}

/// A run's stream opened, its `start` event read: the stream, the run's
/// id and token.
fn open_run(server: &Server, query: &str) -> (http::EventStream, u64, String) {
    let mut stream = http::EventStream::open(&server.address, &format!("/api/run?{query}"));
    assert_eq!(stream.status, 200);
    let (name, data) = stream.next_event().unwrap();
    assert_eq!(name, "start");
    let start: Value = serde_json::from_str(&data).unwrap();
    let token = start["token"].as_str().unwrap().to_string();
    (stream, start["id"].as_u64().unwrap(), token)
}

#[test]
fn a_page_pauses_retunes_and_stops_its_one_run() {
    let server = Server::start();
    let (mut stream, id, token) = open_run(&server, "page=p1&n=1000&epochs=200&lambda=5&eta=0.5");
    let control = |action: &str| server.request("POST", &format!("/api/runs/{id}/{action}"), "");
    let with = |query: &str| format!("token={token}{query}");
    assert_eq!(control(&format!("pause?{}", with(""))).status, 204);
    // Another page cannot steer it.
    let stranger = control("stop?token=00000000000000000000000000000000");
    assert_eq!(stranger.status, 403);
    // One run per page.
    let second = server.request("GET", "/api/run?page=p1&n=1000", "");
    assert_eq!(second.status, 409);
    assert!(
        second.body.contains("already trains run 1"),
        "{}",
        second.body
    );
    // A retune is checked as a start would be, and keeps what it does not
    // name.
    for (query, status, says) in [
        ("&eta=0", 400, "eta: found \"0\""),
        ("&lamda=3", 400, "lamda: unknown"),
        ("&eta=1&eta=2", 400, "given twice"),
        ("&eta=100&lambda=10000", 400, "lambda"),
    ] {
        let refused = control(&format!("retune?{}", with(query)));
        assert_eq!(refused.status, status, "{query}: {}", refused.body);
        assert!(refused.body.contains(says), "{query}: {}", refused.body);
    }
    assert_eq!(
        control(&format!("retune?{}", with("&eta=0.25"))).status,
        204
    );
    assert_eq!(
        control(&format!("retune?{}", with("&lambda=50"))).status,
        204
    );
    assert_eq!(control(&format!("resume?{}", with(""))).status, 204);
    // Let it train a few epochs with the new values, then stop it.
    let mut records: Vec<Value> = Vec::new();
    while let Some((name, data)) = stream.next_event() {
        if name == "epoch" {
            records.push(serde_json::from_str(&data).unwrap());
            if records.last().unwrap().get("lambda").is_some() && records.len() > 4 {
                break;
            }
        }
    }
    assert_eq!(control(&format!("stop?{}", with(""))).status, 204);
    let rest = stream.rest();
    let (name, done) = rest.last().unwrap();
    assert_eq!(name, "done");
    let done: Value = serde_json::from_str(done).unwrap();
    assert_eq!(done["phase"], "stopped");
    assert!(done["epochs"].as_u64().unwrap() < 200);
    records.extend(
        rest.iter()
            .filter(|(n, _)| n == "epoch")
            .map(|(_, d)| serde_json::from_str::<Value>(d).unwrap()),
    );
    // The records before the retune carry the settings' eta and lambda
    // implicitly; those after carry both new ones.
    let first_retuned = records
        .iter()
        .position(|r| r.get("lambda").is_some())
        .expect("a retuned epoch");
    for r in &records[first_retuned..] {
        assert_eq!(r["learning_rate"], 0.25);
        assert_eq!(r["lambda"], 50.0);
    }
    assert!(
        records[..first_retuned]
            .iter()
            .all(|r| r.get("learning_rate").is_none())
    );
    // The decay law of the retuned epochs is the new one.
    let rho = |eta: f64, lambda: f64| (1.0 - eta * lambda / 1000.0f64).powi(100);
    let last = records.last().unwrap();
    assert!((last["predicted_shrink"].as_f64().unwrap() - rho(0.25, 50.0)).abs() < 1e-12);
    // An ended run takes no more controls; its network can be taken home.
    let late = control(&format!("pause?{}", with("")));
    assert_eq!(late.status, 409);
    assert!(
        late.body.contains("run 1 has ended (stopped)"),
        "{}",
        late.body
    );
    let network = server.request(
        "GET",
        &format!("/api/runs/{id}/network.json?{}", with("")),
        "",
    );
    assert_eq!(network.status, 200);
    // The page may start another.
    let next = server.request("GET", "/api/run?page=p1&n=1000&epochs=1", "");
    assert_eq!(next.status, 200);
}

#[test]
fn pooled_inputs_train() {
    let server = Server::start();
    for sizes in ["196,30,10", "49,30,10"] {
        let run = server.request(
            "GET",
            &format!("/api/run?page=pool&n=200&epochs=1&sizes={sizes}"),
            "",
        );
        assert_eq!(run.status, 200, "{sizes}: {}", run.body);
        let start: Value = serde_json::from_str(&run.events()[0].1).unwrap();
        assert!(start["command"].as_str().unwrap().ends_with(&format!(
            "--pool {}",
            if sizes.starts_with("196") { 2 } else { 4 }
        )));
        assert_eq!(run.events().last().unwrap().0, "done");
    }
}

#[test]
fn a_stop_reaches_a_run_whose_page_reads_nothing() {
    let server = Server::start();
    let (stream, id, token) = open_run(&server, "page=slow&n=100&epochs=500");
    // The page reads nothing more: the run fills what the connection holds
    // and waits. A stop still ends it.
    std::thread::sleep(Duration::from_millis(500));
    let stop = server.request("POST", &format!("/api/runs/{id}/stop?token={token}"), "");
    assert_eq!(stop.status, 204, "{}", stop.body);
    let deadline = Instant::now() + Duration::from_secs(30);
    while server
        .request(
            "GET",
            &format!("/api/runs/{id}/network.json?token={token}"),
            "",
        )
        .status
        != 200
    {
        assert!(Instant::now() < deadline, "the stop never took");
        std::thread::sleep(Duration::from_millis(50));
    }
    drop(stream);
}

#[test]
fn a_run_stops_when_its_page_goes_away() {
    let server = Server::start();
    let (stream, id, token) = open_run(&server, "page=gone&n=1000&epochs=400");
    drop(stream);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        // The network is kept once the run has ended.
        if server
            .request(
                "GET",
                &format!("/api/runs/{id}/network.json?token={token}"),
                "",
            )
            .status
            == 200
        {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the run went on without its page"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let late = server.request("POST", &format!("/api/runs/{id}/stop?token={token}"), "");
    assert!(late.body.contains("its page went away"), "{}", late.body);
    let records = server.request(
        "GET",
        &format!("/api/runs/{id}/metrics.jsonl?token={token}"),
        "",
    );
    assert!(records.body.lines().count() < 50);
}

#[test]
fn bad_requests_are_answered_with_4xx_and_a_message() {
    let server = Server::start();
    for (method, path, status, says) in [
        ("GET", "/api/run?page=a&eta=-1", 400, "eta: found \"-1\""),
        ("GET", "/api/run?page=a&sizes=784,30", 400, "sizes:"),
        ("GET", "/api/run?page=a&epochs=100000", 400, "epochs:"),
        ("GET", "/api/run?page=a&n=500&m=600", 400, "m: found 600"),
        ("GET", "/api/run?page=a&eta=1&eta=2", 400, "given twice"),
        ("GET", "/api/run?page=a&bogus=1", 400, "bogus: unknown"),
        ("GET", "/api/run?eta=1", 400, "page:"),
        ("GET", "/api/run?page=a&page=b", 400, "page:"),
        ("HEAD", "/api/run?page=head", 405, ""),
        ("POST", "/api/run?page=a", 405, "method not allowed"),
        ("GET", "/api/run?page=%3Cscript%3E", 400, "page:"),
        ("GET", "/api/run?page=a&eta=%ZZ", 400, "eta"),
        ("GET", "/nothing/here", 404, "no such page"),
        ("POST", "/api/runs/7/stop", 404, "no run 7"),
        ("POST", "/api/runs/x/stop", 400, "run: found \"x\""),
        (
            "POST",
            "/api/runs/99999999999999999999999/stop",
            400,
            "run:",
        ),
        ("GET", "/api/runs/1/secrets.txt", 404, "no run 1"),
        ("DELETE", "/", 405, "method not allowed"),
        ("GET", "/../../etc/passwd", 404, ""),
    ] {
        let response = server.request(method, path, "");
        assert_eq!(
            response.status, status,
            "{method} {path}: {}",
            response.body
        );
        assert!(
            response.body.contains(says),
            "{method} {path}: {}",
            response.body
        );
    }
    // Not HTTP at all, or cut off: an error status or a closed connection,
    // never a crash.
    for garbage in [
        &b"GARBAGE\r\n\r\n"[..],
        b"GET / HTTP/9.9\r\n\r\n",
        b"GET /api/run?page=a HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
        b"\x00\x01\x02\xff\r\n\r\n",
        b"GET /",
    ] {
        let mut stream = http::raw(&server.address, garbage);
        stream
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut answer = Vec::new();
        let _ = stream.read_to_end(&mut answer);
        let answer = String::from_utf8_lossy(&answer);
        assert!(
            answer.is_empty() || answer.starts_with("HTTP/1.1 4"),
            "{garbage:?}: {answer}"
        );
    }
    assert!(server.is_alive());
}

#[test]
fn the_page_and_its_files_come_from_the_binary_and_load_nothing_else() {
    let server = Server::start();
    let page = server.request("GET", "/", "");
    assert_eq!(page.status, 200);
    assert!(page.body.contains("<table id=\"epochs\">"));
    let policy = page.header("content-security-policy").unwrap();
    assert!(policy.starts_with("default-src 'self'"), "{policy}");
    for (path, kind) in [("/app.js", "text/javascript"), ("/style.css", "text/css")] {
        let file = server.request("GET", path, "");
        assert_eq!(file.status, 200);
        assert!(file.header("content-type").unwrap().starts_with(kind));
        // SVG's namespace is a name, not an address the page loads.
        let body = file.body.replace("\"http://www.w3.org/2000/svg\"", "");
        assert!(
            !body.contains("http://") && !body.contains("https://"),
            "{path}"
        );
    }
    assert!(
        !page.body.contains("https://"),
        "the page names another server"
    );
}

#[test]
fn no_more_runs_train_at_once_than_the_machine_has_cores() {
    use std::io::{BufRead, BufReader};
    let server = Server::start();
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let mut open = Vec::new();
    for page in 0..cores {
        let stream = http::raw(
            &server.address,
            format!("GET /api/run?page=q{page}&n=1000&epochs=500 HTTP/1.1\r\nHost: x\r\n\r\n")
                .as_bytes(),
        );
        let mut reader = BufReader::new(stream);
        let mut status = String::new();
        reader.read_line(&mut status).unwrap();
        assert!(status.starts_with("HTTP/1.1 200"), "{status}");
        open.push(reader);
    }
    let full = server.request("GET", "/api/run?page=one-too-many&n=1000", "");
    assert_eq!(full.status, 503);
    assert!(
        full.body
            .contains(&format!("all {cores} training slots are taken")),
        "{}",
        full.body
    );
    // Their pages gone, the runs end and free their slots.
    drop(open);
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let next = server.request("GET", "/api/run?page=later&n=1000&epochs=1", "");
        if next.status == 200 {
            break;
        }
        assert_eq!(next.status, 503, "{}", next.body);
        assert!(Instant::now() < deadline, "the slots were never freed");
        std::thread::sleep(Duration::from_millis(100));
    }
}
