//! SMS delivery: JSON lines appended to a file, and POSTs to an HTTP gateway (a loopback
//! axum server here) with non-2xx answers and unreachable gateways reported as errors.

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use std::sync::{Arc, Mutex};
use tessera_notify::{NotifyError, Sms, SmsSender};

fn sms(to: &str, text: &str) -> Sms {
    Sms {
        to: to.to_owned(),
        text: text.to_owned(),
    }
}

#[tokio::test]
async fn file_gets_one_json_line_per_message() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("data").join("sms.jsonl");
    let sender = SmsSender::file(&path);
    sender
        .send(&sms(
            "0911123456",
            "【Tessera】您的驗證碼為 123456，10 分鐘內有效。",
        ))
        .await
        .unwrap();
    sender
        .send(&sms("0922333444", "second \"quoted\"\nline"))
        .await
        .unwrap();

    let content = std::fs::read_to_string(&path).unwrap();
    let lines: Vec<serde_json::Value> = content
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert!(content.ends_with('\n'));
    assert_eq!(lines[0]["to"], "0911123456");
    assert_eq!(
        lines[0]["text"],
        "【Tessera】您的驗證碼為 123456，10 分鐘內有效。"
    );
    assert_eq!(lines[1]["text"], "second \"quoted\"\nline");
    let at = lines[0]["at"].as_str().unwrap();
    assert!(
        at.len() >= 20 && at.contains('T') && at.ends_with('Z'),
        "{at}"
    );
}

#[tokio::test]
async fn concurrent_messages_never_interleave() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("sms.jsonl");
    let sender = SmsSender::file(&path);
    let tasks: Vec<_> = (0..64)
        .map(|i| {
            let sender = sender.clone();
            tokio::spawn(async move {
                sender
                    .send(&sms("0911123456", &format!("{i}:{}", "碼".repeat(200))))
                    .await
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap().unwrap();
    }
    let content = std::fs::read_to_string(&path).unwrap();
    let mut seen: Vec<u32> = content
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["text"]
                .as_str()
                .unwrap()
                .split(':')
                .next()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    seen.sort();
    assert_eq!(seen, (0..64).collect::<Vec<u32>>());
}

type Received = Arc<Mutex<Vec<(Option<String>, serde_json::Value)>>>;

/// A loopback gateway answering `status` and recording content types and bodies.
async fn gateway(status: StatusCode) -> (String, Received) {
    let received: Received = Arc::default();
    let app = Router::new()
        .route(
            "/sms/send",
            post(
                |State((rec, status)): State<(Received, StatusCode)>,
                 headers: axum::http::HeaderMap,
                 Json(body): Json<serde_json::Value>| async move {
                    let ctype = headers
                        .get("content-type")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    rec.lock().unwrap().push((ctype, body));
                    status
                },
            ),
        )
        .with_state((received.clone(), status));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    (format!("http://{addr}/sms/send"), received)
}

#[tokio::test]
async fn http_gateway_receives_json() {
    let (url, received) = gateway(StatusCode::OK).await;
    let sender = SmsSender::http(&url).unwrap();
    sender
        .send(&sms("0911123456", "您的驗證碼為 654321"))
        .await
        .unwrap();
    let got = received.lock().unwrap().clone();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].0.as_deref(), Some("application/json"));
    assert_eq!(
        got[0].1,
        serde_json::json!({"to": "0911123456", "text": "您的驗證碼為 654321"})
    );
}

#[tokio::test]
async fn http_gateway_errors_are_reported() {
    let (url, received) = gateway(StatusCode::SERVICE_UNAVAILABLE).await;
    let err = SmsSender::http(&url)
        .unwrap()
        .send(&sms("0911123456", "x"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::GatewayStatus(503)), "{err:?}");
    assert_eq!(received.lock().unwrap().len(), 1);

    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let secret_url = format!("http://gw:t0ken-s3cr3t@127.0.0.1:{port}/send?key=k3y-s3cr3t");
    let sender = SmsSender::http(&secret_url).unwrap();
    let err = sender.send(&sms("0911123456", "x")).await.unwrap_err();
    assert!(matches!(err, NotifyError::Http(_)), "{err:?}");
    for shown in [
        format!("{err}"),
        format!("{err:?}"),
        format!("{sender:?}"),
        sender.to_string(),
    ] {
        assert!(!shown.contains("s3cr3t"), "{shown}");
    }
}

#[test]
fn gateway_url_must_be_http() {
    for bad in ["ftp://gw.example/send", "gw.example/send", ""] {
        assert!(
            matches!(SmsSender::http(bad), Err(NotifyError::GatewayUrl)),
            "{bad}"
        );
    }
}
