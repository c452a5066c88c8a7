//! The playground in a real browser: headless Chromium, driven through
//! ChromeDriver (WebDriver), opens a link with settings in the URL and
//! `run=1`, waits for the run's 3 epochs, and checks that every plot drew
//! and that the data table's accuracy for each epoch is `decaylab train`'s.
//!
//! Needs Debian's `chromium` and `chromium-driver` (`.ci/run` installs
//! them). Without them the test is skipped with a loud message, unless
//! `DECAYLAB_REQUIRE_BROWSER` is set (as CI sets it): then it fails.
//! With `DECAYLAB_SCREENSHOTS=DIR` it also saves the page mid-run at 390
//! and 1280 px wide.

mod common;

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine;
use common::http::{Server, request};
use common::{decaylab, path_str};
use serde_json::{Value, json};

const BROWSERS: [&str; 3] = [
    "/usr/bin/chromium",
    "/usr/bin/chromium-browser",
    "/usr/bin/google-chrome",
];
const DRIVERS: [&str; 2] = ["/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver"];

/// ChromeDriver on a free port, stopped when dropped.
struct Driver {
    child: Child,
    address: String,
}

impl Driver {
    fn start(path: &Path) -> Driver {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(path)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver = Driver {
            child,
            address: format!("127.0.0.1:{port}"),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if std::net::TcpStream::connect(&driver.address).is_ok()
                && driver.call("GET", "/status", Value::Null)["value"]["ready"] == true
            {
                return driver;
            }
            assert!(Instant::now() < deadline, "chromedriver never became ready");
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// A WebDriver command; its JSON answer.
    fn call(&self, method: &str, path: &str, body: Value) -> Value {
        let body = if body.is_null() {
            String::new()
        } else {
            body.to_string()
        };
        let response = request(&self.address, method, path, &body);
        serde_json::from_str(&response.body)
            .unwrap_or_else(|_| panic!("{method} {path}: {}", response.body))
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A browser session (one headless Chromium), closed when dropped.
struct Session<'a> {
    driver: &'a Driver,
    id: String,
}

impl<'a> Session<'a> {
    fn open(driver: &'a Driver, browser: &Path) -> Session<'a> {
        let profile = tempfile::tempdir().unwrap().keep();
        let args = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--window-size=1280,2000",
        ]
        .map(String::from)
        .into_iter()
        .chain([format!("--user-data-dir={}", profile.display())])
        .collect::<Vec<_>>();
        let answer = driver.call(
            "POST",
            "/session",
            json!({ "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": path_str(browser), "args": args }
            }}}),
        );
        let id = answer["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {answer}"))
            .to_string();
        Session { driver, id }
    }

    fn call(&self, method: &str, command: &str, body: Value) -> Value {
        self.driver
            .call(method, &format!("/session/{}/{command}", self.id), body)["value"]
            .clone()
    }

    fn go(&self, url: &str) {
        self.call("POST", "url", json!({ "url": url }));
    }

    /// The value of `script` (a function body) in the page.
    fn run(&self, script: &str) -> Value {
        self.call(
            "POST",
            "execute/sync",
            json!({ "script": script, "args": [] }),
        )
    }

    /// Wait until `script` returns true.
    fn wait_for(&self, script: &str, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(120);
        while self.run(script) != true {
            assert!(
                Instant::now() < deadline,
                "{what} never happened; the page says: {}",
                self.run("return document.getElementById('status').textContent")
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn screenshot(&self, width: u32, path: &Path) {
        self.call(
            "POST",
            "window/rect",
            json!({ "width": width, "height": 2400 }),
        );
        let png = self.call("GET", "screenshot", Value::Null);
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(png.as_str().unwrap())
            .unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

impl Drop for Session<'_> {
    fn drop(&mut self) {
        self.driver
            .call("DELETE", &format!("/session/{}", self.id), Value::Null);
    }
}

fn found(paths: &[&str]) -> Option<PathBuf> {
    paths.iter().map(PathBuf::from).find(|p| p.exists())
}

#[test]
fn a_link_with_settings_runs_and_the_table_shows_trains_accuracy() {
    let (Some(browser), Some(driver)) = (found(&BROWSERS), found(&DRIVERS)) else {
        let message =
            "no Chromium and ChromeDriver here (Debian: apt-get install chromium chromium-driver)";
        if std::env::var_os("DECAYLAB_REQUIRE_BROWSER").is_some() {
            panic!("{message}, and DECAYLAB_REQUIRE_BROWSER is set");
        }
        eprintln!(
            "\n{0}\nSKIPPED the playground's browser test: {message}\n{0}\n",
            "!".repeat(72)
        );
        return;
    };
    let server = Server::start();
    let driver = Driver::start(&driver);
    let session = Session::open(&driver, &browser);
    let flags = "--sizes 784,30,10 --init large --eta 0.5 --lambda 5 --batch 10 --epochs 3 --seed 2 --train-size 1000";
    session.go(&format!(
        "http://{}/?sizes=784,30,10&init=large&eta=0.5&lambda=5&m=10&n=1000&epochs=3&seed=2&run=1",
        server.address
    ));
    session.wait_for(
        "return document.getElementById('status').textContent.includes('finished after 3 epochs')",
        "the run's end",
    );
    let rows = session.run(
        "return [...document.querySelectorAll('#epochs tbody tr')].map(r => [r.dataset.epoch, r.dataset.accuracy])",
    );
    let plots = session.run(
        "return Object.fromEntries([...document.querySelectorAll('svg[id^=plot-]')].map(s => [s.id, Number(s.dataset.points), ]))",
    );
    let paths = session.run("return document.querySelectorAll('svg path').length");
    let command = session.run("return document.getElementById('command').textContent");

    let dir = tempfile::tempdir().unwrap();
    let metrics = dir.path().join("m.jsonl");
    let mut args: Vec<&str> = flags.split(' ').collect();
    args.splice(0..0, ["train"]);
    args.extend(["--metrics", path_str(&metrics)]);
    let out = decaylab(&args);
    assert!(out.status.success(), "{}", common::stderr(&out));
    assert_eq!(command, format!("decaylab train {flags}"));
    let trained: Vec<(String, f64)> = std::fs::read_to_string(&metrics)
        .unwrap()
        .lines()
        .map(|l| {
            let r: Value = serde_json::from_str(l).unwrap();
            (r["epoch"].to_string(), r["eval_accuracy"].as_f64().unwrap())
        })
        .collect();
    let shown: Vec<(String, f64)> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r[0].as_str().unwrap().to_string(),
                r[1].as_str().unwrap().parse().unwrap(),
            )
        })
        .collect();
    assert_eq!(shown, trained, "the table's accuracy is not train's");
    for (plot, least) in [
        ("plot-accuracy", 4),
        ("plot-cost", 4),
        ("plot-rms", 4),
        ("plot-offset", 3),
        ("plot-budget", 3),
        ("plot-histogram", 100),
    ] {
        let points = plots[plot].as_u64().unwrap_or(0);
        assert!(points >= least, "{plot} drew {points} points: {plots}");
    }
    // Accuracy 1, cost 2, rms 2 + 2 envelopes + 3 references, f 2, budget 3,
    // histogram 3 epochs + the density.
    assert!(paths.as_u64().unwrap() >= 19, "{paths} paths in the plots");

    // A second run with another eta: the first stays, faded and listed.
    session.run(
        "document.getElementById('s-eta').value = '0.2'; document.getElementById('start').click(); return null",
    );
    session.wait_for(
        "return document.getElementById('status').textContent.startsWith('Run 2 finished')",
        "the second run's end",
    );
    let earlier = session.run("return document.getElementById('earlier').textContent");
    assert!(
        earlier
            .as_str()
            .unwrap()
            .starts_with("Run 1: [784,30,10] large η 0.5 λ 5"),
        "{earlier}"
    );
    let faded = session
        .run("return document.querySelectorAll('#plot-accuracy path[opacity=\"0.25\"]').length");
    assert_eq!(faded, 1);
    // And side by side with this one.
    let side = session.run(
        "return [document.getElementById('side').hidden, Number(document.getElementById('side-rms-b').dataset.points)]",
    );
    assert_eq!(side[0], false);
    assert!(side[1].as_u64().unwrap() >= 4, "{side}");
    assert!(
        session
            .run("return location.search")
            .as_str()
            .unwrap()
            .contains("eta=0.2")
    );

    // A teacher's link: controls hidden, large text.
    session.go(&format!(
        "http://{}/?eta=2&hide=lambda,seed&projector=1",
        server.address
    ));
    let shown = session.run(
        "return ['eta', 'lambda', 'seed'].map(c => document.querySelector(`[data-control=${c}]`).hidden)",
    );
    assert_eq!(shown, json!([false, true, true]));
    assert_eq!(
        session.run("return document.body.classList.contains('projector') && document.getElementById('s-eta').value"),
        "2"
    );

    if let Some(dir) = std::env::var_os("DECAYLAB_SCREENSHOTS") {
        // Mid-run: a longer run, caught after its 8th epoch.
        session.go(&format!(
            "http://{}/?sizes=784,30,10&init=large&eta=0.5&lambda=5&m=10&n=5000&epochs=60&seed=2&run=1",
            server.address
        ));
        session.wait_for(
            "return document.querySelectorAll('#epochs tbody tr').length > 8",
            "epoch 8",
        );
        session.run("document.getElementById('pause').click(); return null");
        for width in [1280, 390] {
            session.screenshot(
                width,
                &Path::new(&dir).join(format!("playground-{width}.png")),
            );
        }
    }
}
