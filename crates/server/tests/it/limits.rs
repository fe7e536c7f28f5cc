//! What the server does before it knows who is calling, on raw TCP connections to the real
//! server on loopback: slow headers and slow bodies are cut off, connections beyond the limit are
//! closed unanswered, a token is checked before the body is read, an address that keeps failing
//! to sign in is refused for a while (and logged, with the request's id), and a stopping server
//! waits for requests in flight only so long. The storage is SQLite: none of this reaches the
//! database.
//!
//! The timeouts here are short so the tests are quick; each wait on the server is guarded by a
//! far longer one (`GUARD`) that only turns a hang into a failure.

use std::io::Write;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use userdesk_server::http::Limits;
use userdesk_server::rate_limit::RateLimit;

use crate::common::{Backend, TestServer};

/// Longest a test waits for the server to do what it must: a hang guard, not a measurement.
const GUARD: Duration = Duration::from_secs(20);

fn short(limits: Limits) -> Limits {
    Limits {
        header_timeout: Duration::from_millis(300),
        ..limits
    }
}

async fn connect(server: &TestServer) -> TcpStream {
    let addr = server.base.trim_start_matches("http://");
    TcpStream::connect(addr).await.unwrap()
}

/// Everything the server sends until it closes the connection.
async fn until_closed(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    tokio::time::timeout(GUARD, stream.read_to_end(&mut answer))
        .await
        .expect("the server kept the connection open")
        .ok();
    String::from_utf8_lossy(&answer).into_owned()
}

/// The status line and headers of the first answer on the connection.
async fn head(stream: &mut TcpStream) -> String {
    let mut answer = Vec::new();
    let mut byte = [0u8; 1];
    while !answer.ends_with(b"\r\n\r\n") {
        let n = tokio::time::timeout(GUARD, stream.read(&mut byte))
            .await
            .expect("no answer came")
            .unwrap();
        if n == 0 {
            break;
        }
        answer.push(byte[0]);
    }
    String::from_utf8_lossy(&answer).into_owned()
}

/// The server answers a pull with a valid token, as ever.
async fn assert_still_serves(server: &TestServer) {
    let body = serde_json::json!({ "client_id": userdesk_model::sync::ClientId::new() });
    let (status, json) = server.post("/v1/pull", &server.a.admin, &body).await;
    assert_eq!(status, reqwest::StatusCode::OK, "{json}");
}

fn push_head(token: &str, length: usize) -> String {
    format!(
        "POST /v1/push HTTP/1.1\r\nhost: userdesk\r\nauthorization: Bearer {token}\r\n\
         content-type: application/json\r\ncontent-length: {length}\r\n\r\n"
    )
}

#[tokio::test]
async fn headers_sent_too_slowly_lose_the_connection() {
    let server = TestServer::with_limits(Backend::Sqlite, short(TestServer::roomy()), 1).await;
    let mut stream = connect(&server).await;
    stream
        .write_all(b"POST /v1/pull HTTP/1.1\r\nhost: userdesk\r\n")
        .await
        .unwrap();
    // ... and the rest never comes.
    let answer = until_closed(&mut stream).await;
    assert!(!answer.contains("200 OK"), "{answer}");
    // The server still answers others.
    assert_still_serves(&server).await;
}

#[tokio::test]
async fn a_connection_beyond_the_limit_is_closed_unanswered() {
    let limits = Limits {
        max_connections: 3,
        header_timeout: Duration::from_secs(60),
        ..TestServer::roomy()
    };
    let server = TestServer::with_limits(Backend::Sqlite, limits, 1).await;
    let mut held = Vec::new();
    for _ in 0..3 {
        let mut stream = connect(&server).await;
        // A byte of a request: the server has taken the connection.
        stream.write_all(b"G").await.unwrap();
        held.push(stream);
    }
    // Accepted in order: by now the three hold the three places.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let mut extra = connect(&server).await;
    let _ = extra
        .write_all(b"GET /healthz HTTP/1.1\r\nhost: userdesk\r\n\r\n")
        .await;
    assert_eq!(
        until_closed(&mut extra).await,
        "",
        "answered beyond the limit"
    );

    // One place freed: a new connection is served again.
    drop(held.pop());
    let served = tokio::time::timeout(GUARD, async {
        loop {
            let mut stream = connect(&server).await;
            let _ = stream
                .write_all(b"GET /healthz HTTP/1.1\r\nhost: userdesk\r\nconnection: close\r\n\r\n")
                .await;
            let answer = until_closed(&mut stream).await;
            if answer.starts_with("HTTP/1.1 200") {
                return answer;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    })
    .await
    .expect("no place came free");
    assert!(served.contains("\"ok\""), "{served}");
}

#[tokio::test]
async fn a_token_is_checked_before_the_body_is_read_and_a_slow_body_is_cut_off() {
    let limits = Limits {
        body_timeout: Duration::from_millis(300),
        ..TestServer::roomy()
    };
    let server = TestServer::with_limits(Backend::Sqlite, limits, 1).await;
    // A wrong token with a body of 4 MB announced and never sent: refused at once.
    let mut stream = connect(&server).await;
    stream
        .write_all(push_head("udt_wrong", 4_000_000).as_bytes())
        .await
        .unwrap();
    let answer = head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 401"), "{answer}");

    // A valid token whose body never comes: the wait ends with 408.
    let mut stream = connect(&server).await;
    stream
        .write_all(push_head(&server.a.admin, 1_000).as_bytes())
        .await
        .unwrap();
    stream.write_all(b"{\"client_id\":").await.unwrap();
    let answer = head(&mut stream).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    assert!(
        answer.to_ascii_lowercase().contains("x-request-id:"),
        "{answer}"
    );
}

#[tokio::test]
async fn a_request_waiting_for_its_turn_or_its_body_ends_at_its_deadline() {
    let limits = Limits {
        max_in_flight: 1,
        request_timeout: Duration::from_millis(400),
        body_timeout: Duration::from_secs(60),
        ..TestServer::roomy()
    };
    let server = TestServer::with_limits(Backend::Sqlite, limits, 1).await;
    let mut slow = connect(&server).await;
    slow.write_all(push_head(&server.a.admin, 1_000).as_bytes())
        .await
        .unwrap();
    let answer = head(&mut slow).await;
    assert!(answer.starts_with("HTTP/1.1 408"), "{answer}");
    // The place it held is free again.
    assert_still_serves(&server).await;
}

/// Log lines written while a test runs, for what the server logs.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

// One thread: the server's tasks run on the test's thread, whose log subscriber catches them.
#[tokio::test(flavor = "current_thread")]
async fn an_address_failing_to_sign_in_is_refused_for_a_while_and_each_failure_is_logged() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _logging = tracing::subscriber::set_default(subscriber);

    let limits = Limits {
        failed_auth: RateLimit {
            burst: 3,
            per_second: 0.001,
        },
        ..TestServer::roomy()
    };
    let server = TestServer::with_limits(Backend::Sqlite, limits, 1).await;
    let body = serde_json::to_vec(
        &serde_json::json!({ "client_id": userdesk_model::sync::ClientId::new() }),
    )
    .unwrap();
    let guess = "udt_guess0123456789abcdef";
    for _ in 0..3 {
        let (status, json) = server.post_raw("/v1/pull", Some(guess), body.clone()).await;
        assert_eq!(status, reqwest::StatusCode::UNAUTHORIZED, "{json}");
    }
    // The fourth attempt from the address is refused unread, a valid token too, for a while.
    for token in [guess, server.a.admin.as_str()] {
        let (status, json) = server.post_raw("/v1/pull", Some(token), body.clone()).await;
        assert_eq!(status, reqwest::StatusCode::TOO_MANY_REQUESTS, "{json}");
        assert_eq!(json["code"], "rate_limited");
    }
    // Requests that need no sign-in still go through.
    let health = reqwest::get(format!("{}/healthz", server.base))
        .await
        .unwrap();
    assert_eq!(health.status(), reqwest::StatusCode::OK);

    let logs = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let failures: Vec<&str> = logs
        .lines()
        .filter(|l| l.contains("authentication failed"))
        .collect();
    assert_eq!(failures.len(), 3, "{logs}");
    for line in &failures {
        assert!(line.contains("127.0.0.1"), "the address: {line}");
        assert!(line.contains("udt_gues…"), "the token's start: {line}");
        assert!(
            !line.contains("0123456789abcdef"),
            "never the token: {line}"
        );
        assert!(line.contains("request{id="), "the request's id: {line}");
    }
    assert!(
        logs.contains("too many failed sign-ins from this address"),
        "{logs}"
    );
}

#[tokio::test]
async fn a_stopping_server_gives_requests_in_flight_a_grace_period_then_closes_them() {
    let limits = Limits {
        shutdown_grace: Duration::from_millis(300),
        body_timeout: Duration::from_secs(60),
        ..TestServer::roomy()
    };
    let mut server = TestServer::with_limits(Backend::Sqlite, limits, 1).await;
    // A request whose body never comes, in flight when the server stops.
    let mut stuck = connect(&server).await;
    stuck
        .write_all(push_head(&server.a.admin, 1_000).as_bytes())
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let running = server.server.take().unwrap();
    tokio::time::timeout(GUARD, running.stop())
        .await
        .expect("the server waited past its grace period")
        .unwrap();
    until_closed(&mut stuck).await;
    assert!(
        TcpStream::connect(server.base.trim_start_matches("http://"))
            .await
            .is_err(),
        "still accepting"
    );
}
