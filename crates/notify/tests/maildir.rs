//! Maildir delivery as the lead's end-to-end tests and any mail client see it: a standard
//! RFC 5322 file in `new/`, UTF-8 zh-TW subject and body decodable, the link intact.

mod common;

use common::{LINK, read_maildir, sample_email};
use tessera_notify::{Email, Mailer, NotifyError};

#[tokio::test]
async fn message_round_trips_through_the_maildir() {
    let dir = tempfile::tempdir().unwrap();
    let maildir = dir.path().join("mail");
    let mailer = Mailer::maildir(&maildir);
    let email = sample_email("lin.mei@example.com.tw");
    mailer.send(&email).await.unwrap();

    for sub in ["tmp", "new", "cur"] {
        assert!(maildir.join(sub).is_dir(), "{sub}/ missing");
    }
    assert_eq!(std::fs::read_dir(maildir.join("tmp")).unwrap().count(), 0);
    let mails = read_maildir(&maildir);
    assert_eq!(mails.len(), 1);
    let m = &mails[0];
    assert_eq!(m.subject, email.subject);
    assert_eq!(m.to, "lin.mei@example.com.tw");
    assert_eq!(m.from, "Tessera <no-reply@localhost>");
    assert_eq!(m.content_type, "text/plain");
    assert_eq!(m.charset.to_lowercase(), "utf-8");
    assert!(m.body.contains("王𡘙明 您好"), "{}", m.body);
    assert!(m.body.contains(LINK));

    // Headers are 7-bit (the subject is RFC 2047-encoded); the body is plain UTF-8, so a
    // script reading the file finds the link and the Chinese text verbatim.
    let raw = String::from_utf8(m.raw.clone()).unwrap();
    let (headers, body) = raw.split_once("\n\n").unwrap();
    assert!(headers.is_ascii(), "{headers}");
    assert!(headers.contains("Subject: =?utf-8?"), "{headers}");
    for name in ["Date: ", "Message-ID: ", "MIME-Version: 1.0"] {
        assert!(headers.contains(name), "{name} missing in {headers}");
    }
    assert!(body.contains(LINK) && body.contains("王𡘙明"));
    assert!(!raw.contains('\r'));
}

#[tokio::test]
async fn each_message_gets_its_own_file() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::maildir(dir.path())
        .with_from("電子化政府 <gsp@example.gov.tw>")
        .unwrap();
    let sends = (0..20).map(|i| {
        let mailer = mailer.clone();
        async move {
            let email = Email {
                to: format!("user{i}@example.tw"),
                subject: format!("通知 {i}"),
                body_text: format!("第 {i} 封"),
            };
            mailer.send(&email).await
        }
    });
    for result in futures_join(sends).await {
        result.unwrap();
    }
    let mails = read_maildir(dir.path());
    assert_eq!(mails.len(), 20);
    let mut subjects: Vec<String> = mails.iter().map(|m| m.subject.clone()).collect();
    subjects.sort();
    subjects.dedup();
    assert_eq!(subjects.len(), 20);
    assert!(
        mails
            .iter()
            .all(|m| m.from == "電子化政府 <gsp@example.gov.tw>")
    );
}

#[tokio::test]
async fn invalid_recipient_is_refused_and_nothing_written() {
    let dir = tempfile::tempdir().unwrap();
    let mailer = Mailer::maildir(dir.path());
    let err = mailer
        .send(&sample_email("not-an-address"))
        .await
        .unwrap_err();
    assert!(
        matches!(err, NotifyError::InvalidAddress { which: "to" }),
        "{err:?}"
    );
    assert!(!dir.path().join("new").exists() || read_maildir(dir.path()).is_empty());
}

#[tokio::test]
async fn unwritable_maildir_reports_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let blocker = dir.path().join("file");
    std::fs::write(&blocker, b"x").unwrap();
    let err = Mailer::maildir(blocker.join("mail"))
        .send(&sample_email("a@example.tw"))
        .await
        .unwrap_err();
    assert!(matches!(err, NotifyError::Io { .. }), "{err:?}");
    assert!(err.to_string().contains("mail"), "{err}");
}

async fn futures_join<F: std::future::Future + Send + 'static>(
    futs: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}
