//! The notices of the review queue, in the applicant's language: approved (register again, from
//! when) and rejected (with the reviewer's reason).

use tessera_core::Lang;
use tessera_core::org::roc;
use tessera_notify::Email;

use crate::mails::mail;
use crate::settings::Settings;

/// The case was approved: the card may register from `effective_at`.
pub fn review_approved(
    s: &Settings,
    lang: Lang,
    to: &str,
    name: &str,
    code: &str,
    effective_at: i64,
    link: &str,
) -> Email {
    match lang {
        Lang::ZhTw => {
            let when = roc::roc_datetime(effective_at).unwrap_or_default();
            mail(
                s,
                lang,
                to,
                "機關憑證註冊申請審核通過",
                format!(
                    "{name} 您好：\n\n貴機關（機關代號 {code}）以機關憑證申請註冊之資料已審核通過，\
                     自 {when} 起即可重新辦理首次註冊：\n{link}\n"
                ),
            )
        }
        Lang::En => {
            let when = roc::taipei_datetime(effective_at).unwrap_or_default();
            mail(
                s,
                lang,
                to,
                "Your organization's registration was approved",
                format!(
                    "Hello {name},\n\nThe registration request of agency code {code} was approved. \
                     You can register again from {when}:\n{link}\n"
                ),
            )
        }
    }
}

/// The case was rejected, with the reviewer's reason.
pub fn review_rejected(
    s: &Settings,
    lang: Lang,
    to: &str,
    name: &str,
    code: &str,
    reason: &str,
) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "機關憑證註冊申請審核未通過",
            format!(
                "{name} 您好：\n\n貴機關（機關代號 {code}）以機關憑證申請註冊之資料審核未通過，原因如下：\n\n{reason}\n\n\
                 如有疑問，請與我們聯絡。\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Your organization's registration was not approved",
            format!(
                "Hello {name},\n\nThe registration request of agency code {code} was not approved, for this reason:\n\n{reason}\n\n\
                 Please contact us if you have questions.\n"
            ),
        ),
    }
}
