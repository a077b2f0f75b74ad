//! SMTP delivery against a real local SMTP server (Debian's python3-aiosmtpd writing to a
//! Maildir), plus the refusal of bad URLs and the hiding of SMTP passwords.

mod common;

use common::{LINK, read_maildir, sample_email};
use std::process::Stdio;
use std::time::{Duration, Instant};
use tessera_notify::{Mailer, NotifyError};

const PYTHON: &str = "/usr/bin/python3";

/// A running aiosmtpd that stores what it receives in `dir` (a Maildir); killed on drop.
struct SmtpServer {
    port: u16,
    dir: tempfile::TempDir,
    _child: tokio::process::Child,
}

async fn start_server() -> SmtpServer {
    let check = std::process::Command::new(PYTHON)
        .args(["-c", "import aiosmtpd"])
        .output();
    match check {
        Ok(out) if out.status.success() => {}
        _ => panic!(
            "the SMTP test needs {PYTHON} with aiosmtpd: run `apt-get install -y python3-aiosmtpd`"
        ),
    }
    let dir = tempfile::tempdir().unwrap();
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = tokio::process::Command::new(PYTHON)
        .args(["-m", "aiosmtpd", "-n", "-l", &format!("127.0.0.1:{port}")])
        .args(["-c", "aiosmtpd.handlers.Mailbox"])
        .arg(dir.path().join("maildir"))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        if let Some(status) = child.try_wait().unwrap() {
            panic!("aiosmtpd exited early with {status}");
        }
        assert!(
            Instant::now() < deadline,
            "aiosmtpd did not start listening on port {port}"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    SmtpServer {
        port,
        dir,
        _child: child,
    }
}

#[tokio::test]
async fn delivers_to_a_real_smtp_server() {
    let server = start_server().await;
    let mailer = Mailer::smtp(&format!("smtp://127.0.0.1:{}", server.port))
        .unwrap()
        .with_from("Tessera 測試 <no-reply@tessera.example>")
        .unwrap();
    let email = sample_email("lin.mei@example.com.tw");
    mailer.send(&email).await.unwrap();

    let maildir = server.dir.path().join("maildir");
    let deadline = Instant::now() + Duration::from_secs(10);
    let mails = loop {
        let mails = if maildir.join("new").is_dir() {
            read_maildir(&maildir)
        } else {
            vec![]
        };
        if !mails.is_empty() || Instant::now() > deadline {
            break mails;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    };
    assert_eq!(mails.len(), 1, "the SMTP server stored no message");
    let m = &mails[0];
    assert_eq!(m.subject, email.subject);
    assert_eq!(m.to, "lin.mei@example.com.tw");
    assert_eq!(m.from, "Tessera 測試 <no-reply@tessera.example>");
    assert_eq!(m.content_type, "text/plain");
    assert_eq!(m.charset.to_lowercase(), "utf-8");
    assert!(m.body.contains("王𡘙明 您好"), "{}", m.body);
    assert!(m.body.contains(LINK), "{}", m.body);
}

#[tokio::test]
async fn unreachable_server_is_an_smtp_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mailer = Mailer::smtp(&format!("smtp://127.0.0.1:{port}")).unwrap();
    let err = mailer
        .send(&sample_email("a@example.tw"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::Smtp(_)), "{err:?}");
}

#[tokio::test]
async fn smtp_password_never_shows() {
    let mailer = Mailer::smtp("smtps://mailer:s3cr3t-pw@127.0.0.1:1").unwrap();
    assert!(!format!("{mailer:?}").contains("s3cr3t"), "{mailer:?}");
    assert!(!mailer.to_string().contains("s3cr3t"), "{mailer}");
    assert!(
        mailer.to_string().contains("mailer:***@127.0.0.1:1"),
        "{mailer}"
    );
    let err = mailer
        .send(&sample_email("a@example.tw"))
        .await
        .unwrap_err();
    assert!(!format!("{err} {err:?}").contains("s3cr3t"), "{err:?}");
}

#[test]
fn bad_smtp_urls_are_refused_without_echoing_secrets() {
    for url in [
        "ftp://u:s3cr3t@host",
        "smtp://u:s3cr3t@",
        "not a url s3cr3t",
        "smtp://h?tls=bogus&p=s3cr3t",
    ] {
        let err = Mailer::smtp(url).unwrap_err();
        assert!(matches!(err, NotifyError::SmtpUrl(_)), "{url}: {err:?}");
        assert!(
            !format!("{err} {err:?}").contains("s3cr3t"),
            "{url}: {err:?}"
        );
    }
}
