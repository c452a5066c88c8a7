//! A playground server for the tests, and just enough HTTP/1.1 to talk to
//! it (and to ChromeDriver): one request per connection, bodies read by
//! length, by chunks or to the end.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Child, Stdio};
use std::time::Duration;

/// `decaylab serve --port 0`, stopped when dropped.
pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`.
    pub address: String,
}

impl Server {
    /// Start the server and wait for the line that says where it is.
    pub fn start() -> Server {
        let mut child = super::command(&["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("the server starts");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap())
            .read_line(&mut line)
            .unwrap();
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .unwrap_or_else(|| panic!("no address in {line:?}"));
        let address = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        Server { child, address }
    }

    /// `METHOD path` with `body`, answered in full.
    pub fn request(&self, method: &str, path: &str, body: &str) -> Response {
        request(&self.address, method, path, body)
    }

    /// The server still answers (`GET /` is 200).
    pub fn is_alive(&self) -> bool {
        self.request("GET", "/", "").status == 200
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An answer: status, headers (names in lower case) and body.
#[derive(Debug)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Response {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The server-sent events of the body: (event, data).
    pub fn events(&self) -> Vec<(String, String)> {
        events(&self.body)
    }
}

/// A request to `address`, answered in full.
pub fn request(address: &str, method: &str, path: &str, body: &str) -> Response {
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let stream = raw(address, format!("{head}{body}").as_bytes());
    read_answer(stream, method != "HEAD")
}

/// Send `bytes` as they are and return the connection, to read the answer.
pub fn raw(address: &str, bytes: &[u8]) -> TcpStream {
    let mut stream = TcpStream::connect(address).expect("the server accepts");
    stream
        .set_read_timeout(Some(Duration::from_secs(120)))
        .unwrap();
    stream.write_all(bytes).unwrap();
    stream
}

/// Read a whole answer from `stream`.
pub fn read_response(stream: TcpStream) -> Response {
    read_answer(stream, true)
}

/// The status and headers (names in lower case) of an answer.
fn read_head(reader: &mut BufReader<TcpStream>) -> (u16, Vec<(String, String)>) {
    let mut status_line = String::new();
    reader.read_line(&mut status_line).unwrap();
    let status = status_line
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {status_line:?}"));
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        let (name, value) = line.split_once(':').unwrap();
        headers.push((name.trim().to_lowercase(), value.trim().to_string()));
    }
    (status, headers)
}

/// The next chunk of a chunked body; None at its end.
fn read_chunk(reader: &mut BufReader<TcpStream>) -> Option<Vec<u8>> {
    let mut size = String::new();
    if reader.read_line(&mut size).unwrap_or(0) == 0 {
        return None;
    }
    let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
    if size == 0 {
        return None;
    }
    let mut chunk = vec![0; size + 2];
    reader.read_exact(&mut chunk).unwrap();
    chunk.truncate(size);
    Some(chunk)
}

/// Read an answer from `stream`, its body too if `with_body` (not for HEAD).
fn read_answer(stream: TcpStream, with_body: bool) -> Response {
    let mut reader = BufReader::new(stream);
    let (status, headers) = read_head(&mut reader);
    let header = |name: &str| {
        headers
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v): &(String, String)| v.clone())
    };
    let mut body = Vec::new();
    if !with_body {
        // A HEAD's answer has a head alone.
    } else if header("transfer-encoding").is_some_and(|v| v.contains("chunked")) {
        while let Some(chunk) = read_chunk(&mut reader) {
            body.extend_from_slice(&chunk);
        }
    } else if let Some(length) = header("content-length") {
        body.resize(length.parse().unwrap(), 0);
        reader.read_exact(&mut body).unwrap();
    } else {
        reader.read_to_end(&mut body).unwrap();
    }
    Response {
        status,
        headers,
        body: String::from_utf8(body).unwrap(),
    }
}

/// The events of a server-sent event stream: (event, data), comments left
/// out.
pub fn events(text: &str) -> Vec<(String, String)> {
    text.split("\n\n")
        .filter_map(|block| {
            let mut name = "message".to_string();
            let mut data = Vec::new();
            for line in block.lines() {
                if let Some(n) = line.strip_prefix("event:") {
                    name = n.trim().to_string();
                } else if let Some(d) = line.strip_prefix("data:") {
                    data.push(d.strip_prefix(' ').unwrap_or(d));
                }
            }
            (!data.is_empty()).then(|| (name, data.join("\n")))
        })
        .collect()
}

/// A stream of server-sent events, read event by event as they come.
pub struct EventStream {
    reader: BufReader<TcpStream>,
    /// Status of the answer.
    pub status: u16,
    text: String,
    ended: bool,
}

impl EventStream {
    /// `GET path`, its head read.
    pub fn open(address: &str, path: &str) -> EventStream {
        let stream = raw(
            address,
            format!("GET {path} HTTP/1.1\r\nHost: x\r\n\r\n").as_bytes(),
        );
        let mut reader = BufReader::new(stream);
        let (status, _) = read_head(&mut reader);
        EventStream {
            reader,
            status,
            text: String::new(),
            ended: false,
        }
    }

    /// The next event (event, data), None once the stream has ended.
    pub fn next_event(&mut self) -> Option<(String, String)> {
        loop {
            while let Some(end) = self.text.find("\n\n") {
                let block: String = self.text.drain(..end + 2).collect();
                if let Some(event) = events(&block).pop() {
                    return Some(event);
                }
            }
            if self.ended {
                return None;
            }
            match read_chunk(&mut self.reader) {
                Some(chunk) => self.text.push_str(&String::from_utf8_lossy(&chunk)),
                None => self.ended = true,
            }
        }
    }

    /// Every event left, to the stream's end.
    pub fn rest(mut self) -> Vec<(String, String)> {
        std::iter::from_fn(|| self.next_event()).collect()
    }
}
