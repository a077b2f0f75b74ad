//! Test helpers: reading a Maildir back and parsing its messages with an independent MIME
//! parser (mailparse), as a mail client would.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// A parsed message: decoded headers of interest, decoded body and the raw file.
pub struct ParsedMail {
    pub path: PathBuf,
    pub raw: Vec<u8>,
    pub from: String,
    pub to: String,
    pub subject: String,
    pub content_type: String,
    pub charset: String,
    pub body: String,
}

pub fn parse(path: PathBuf, raw: Vec<u8>) -> ParsedMail {
    let mail = mailparse::parse_mail(&raw).unwrap();
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
            .unwrap_or_default()
    };
    ParsedMail {
        from: header("From"),
        to: header("To"),
        subject: header("Subject"),
        content_type: mail.ctype.mimetype.clone(),
        charset: mail.ctype.charset.clone(),
        body: mail.get_body().unwrap(),
        path,
        raw,
    }
}

/// Every message in `dir/new`, oldest name first.
pub fn read_maildir(dir: &Path) -> Vec<ParsedMail> {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("new"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|p| {
            let raw = std::fs::read(&p).unwrap();
            parse(p, raw)
        })
        .collect()
}

pub fn sample_email(to: &str) -> tessera_notify::Email {
    tessera_notify::Email {
        to: to.to_owned(),
        subject: "【Tessera】請驗證您的電子信箱 𡘙".to_owned(),
        body_text: "王𡘙明 您好：\n\n請點選下列連結完成電子信箱驗證（24 小時內有效）：\nhttp://127.0.0.1:8080/verify-email?token=AbC-123_xyz\n\n此信由系統自動發送，請勿回覆。\n".to_owned(),
    }
}

pub const LINK: &str = "http://127.0.0.1:8080/verify-email?token=AbC-123_xyz";
