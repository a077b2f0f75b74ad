//! The texts of the notices the site sends, in zh-TW and English, framed by the operator: the
//! service's tag in front of the subject, the test environment's notice on top (in a test
//! environment), the operator's signature and service desk underneath.

use tessera_core::lang::Lang;
use tessera_notify::Email;

use crate::operator::test_banner;
use crate::settings::Settings;

/// A notice titled `subject` with the text `body`, framed for this site (see the module doc).
pub(crate) fn mail(s: &Settings, lang: Lang, to: &str, subject: &str, body: String) -> Email {
    let op = &s.operator;
    let test = s.environment.is_test();
    let mut subject_line = op.tag(lang);
    if lang == Lang::En {
        subject_line.push(' ');
    }
    if test {
        subject_line.push_str(match lang {
            Lang::En => "(TEST) ",
            _ => "（測試）",
        });
    }
    subject_line.push_str(subject);
    let mut text = String::new();
    if test {
        text.push_str(test_banner(lang));
        text.push_str("\n\n");
    }
    text.push_str(&body);
    text.push_str("\n-- \n");
    text.push_str(&op.signature(lang));
    text.push('\n');
    Email {
        to: to.to_string(),
        subject: subject_line,
        body_text: text,
    }
}

pub fn verify_email(s: &Settings, lang: Lang, to: &str, name: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "電子郵件信箱驗證",
            format!(
                "{name} 您好：\n\n請於 24 小時內點選下列連結，完成電子郵件信箱驗證：\n{link}\n\n若您未申請，請忽略本信。\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Verify your email address",
            format!(
                "Hello {name},\n\nOpen this link within 24 hours to verify your email address:\n{link}\n\nIf you did not ask for this, ignore this message.\n"
            ),
        ),
    }
}

pub fn reset_link(s: &Settings, lang: Lang, to: &str, username: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "重設密碼",
            format!(
                "您好：\n\n帳號 {username} 申請重設密碼。請於 1 小時內點選下列連結設定新密碼（僅能使用一次）：\n{link}\n\n若您未申請，請忽略本信，您的密碼不會變更。\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Reset your password",
            format!(
                "Hello,\n\nA password reset was requested for account {username}. Open this link within 1 hour to set a new password (it works once):\n{link}\n\nIf you did not ask for this, ignore this message; your password stays as it is.\n"
            ),
        ),
    }
}

/// To the verified address an account is changing from: who asked, the new address, what to do
/// if it was not the owner.
pub fn email_change_requested(
    s: &Settings,
    lang: Lang,
    to: &str,
    username: &str,
    new_email: &str,
) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "電子信箱變更通知",
            format!(
                "您好：\n\n帳號 {username} 申請將電子信箱變更為 {new_email}。新信箱完成驗證後才會生效，在此之前通知信仍寄至本信箱。\n\n若非您本人操作，請立即變更密碼並與客服聯繫。\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Your email address is being changed",
            format!(
                "Hello,\n\nA change of the email address of account {username} to {new_email} was requested. It takes effect only once the new address is verified; until then notices keep coming here.\n\nIf this was not you, change your password at once and contact the service desk.\n"
            ),
        ),
    }
}

pub fn password_changed(s: &Settings, lang: Lang, to: &str, username: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "密碼已變更",
            format!(
                "您好：\n\n帳號 {username} 的密碼已變更，所有登入階段已登出。若非您本人操作，請立即重設密碼並與客服聯繫。\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Your password was changed",
            format!(
                "Hello,\n\nThe password of account {username} was changed and every session was signed out. If this was not you, reset your password now and contact support.\n"
            ),
        ),
    }
}

pub fn account_locked(s: &Settings, lang: Lang, to: &str, username: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "帳號已停用",
            format!(
                "您好：\n\n帳號 {username} 因密碼連續錯誤多次已停用。請以「忘記密碼」重設密碼後即可恢復使用：\n{link}\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Your account was disabled",
            format!(
                "Hello,\n\nAccount {username} was disabled after too many wrong passwords. Reset your password to use it again:\n{link}\n"
            ),
        ),
    }
}

pub fn account_deleted(s: &Settings, lang: Lang, to: &str, username: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "帳號已刪除",
            format!(
                "您好：\n\n帳號 {username} 已依您的申請刪除，個人資料已清除，此帳號名稱不能再註冊使用。\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Your account was deleted",
            format!(
                "Hello,\n\nAccount {username} was deleted as you asked. Your personal data was erased and the username cannot be registered again.\n"
            ),
        ),
    }
}

pub fn inactive_warning(s: &Settings, lang: Lang, to: &str, username: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            s,
            lang,
            to,
            "帳號即將因長期未使用而刪除",
            format!(
                "您好：\n\n帳號 {username} 已長期未登入，將於 30 日後刪除。如需保留，請於期限內登入：\n{link}\n"
            ),
        ),
        Lang::En => mail(
            s,
            lang,
            to,
            "Your unused account will be deleted",
            format!(
                "Hello,\n\nAccount {username} has not been used for a long time and will be deleted in 30 days. Sign in before then to keep it:\n{link}\n"
            ),
        ),
    }
}

/// An SMS code's text, tagged with the service's name (and as a test in a test environment).
pub fn sms_code(
    s: &Settings,
    lang: Lang,
    code: &str,
    purpose_zh: &str,
    purpose_en: &str,
) -> String {
    let tag = s.operator.tag(lang);
    let test = s.environment.is_test();
    match lang {
        Lang::ZhTw => {
            let test = if test { "（測試）" } else { "" };
            format!("{tag}{test}您的{purpose_zh}驗證碼為 {code}，10 分鐘內有效，請勿告知他人。")
        }
        Lang::En => {
            let test = if test { "(TEST) " } else { "" };
            format!(
                "{tag} {test}Your {purpose_en} code is {code}. Valid 10 minutes. Never share it."
            )
        }
    }
}

/// A case moved: its number, what happened, the reviewer's comment and where to see it.
pub fn case_update(
    s: &Settings,
    lang: Lang,
    to: &str,
    case: &str,
    what: &str,
    comment: Option<&str>,
    link: &str,
) -> Email {
    let comment = comment.filter(|c| !c.trim().is_empty());
    match lang {
        Lang::ZhTw => {
            let note = comment.map_or(String::new(), |c| format!("說明：{c}\n\n"));
            mail(
                s,
                lang,
                to,
                &format!("申辦案件 {case}：{what}"),
                format!(
                    "您好：\n\n您的申辦案件 {case} 目前為「{what}」。\n\n{note}請登入後至「我的申辦案件」查看：\n{link}\n"
                ),
            )
        }
        Lang::En => {
            let note = comment.map_or(String::new(), |c| format!("Note: {c}\n\n"));
            mail(
                s,
                lang,
                to,
                &format!("Application {case}: {what}"),
                format!(
                    "Hello,\n\nYour application {case} is now \"{what}\".\n\n{note}Sign in and open \"My applications\" to see it:\n{link}\n"
                ),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::operator::{Environment, Localized, Operator};

    fn settings(env: Environment, op: Operator) -> Settings {
        let mut s = Settings::new("https://id.example.gov.tw", "secret".into());
        s.environment = env;
        s.operator = Arc::new(op);
        s
    }

    #[test]
    fn a_test_environment_marks_the_subject_the_text_and_the_sms() {
        let s = settings(Environment::Test, Operator::default());
        let m = reset_link(&s, Lang::ZhTw, "a@example.tw", "Abc123", "https://x/r?t=1");
        assert_eq!(m.subject, "【Tessera 會員服務】（測試）重設密碼");
        assert!(
            m.body_text
                .starts_with("測試環境：所有資料均為測試資料\n\n")
        );
        let m = reset_link(&s, Lang::En, "a@example.tw", "Abc123", "https://x/r?t=1");
        assert_eq!(
            m.subject,
            "[Tessera member services] (TEST) Reset your password"
        );
        assert!(m.body_text.starts_with("Test environment:"));
        let sms = sms_code(&s, Lang::ZhTw, "123456", "重設密碼", "password reset");
        assert!(sms.starts_with("【Tessera 會員服務】（測試）"), "{sms}");
    }

    #[test]
    fn production_mail_is_signed_by_the_operator_and_has_no_banner() {
        let op = Operator {
            service_name: Localized::new("保障事件線上申辦", "Protection Cases Online"),
            agency: Localized::new("公務人員保障暨培訓委員會", ""),
            phone: "(02) 8236-7000".into(),
            ..Operator::default()
        };
        let s = settings(Environment::Production, op);
        let m = password_changed(&s, Lang::ZhTw, "a@example.tw", "Abc123");
        assert_eq!(m.subject, "【保障事件線上申辦】密碼已變更");
        assert!(!m.body_text.contains("測試"));
        assert!(
            m.body_text.ends_with(
                "-- \n保障事件線上申辦\n公務人員保障暨培訓委員會\n客服專線: (02) 8236-7000\n"
            ),
            "{}",
            m.body_text
        );
        assert!(!m.body_text.contains("Tessera") && !m.subject.contains("Tessera"));
        let sms = sms_code(&s, Lang::En, "123456", "重設密碼", "password reset");
        assert_eq!(
            sms,
            "[Protection Cases Online] Your password reset code is 123456. Valid 10 minutes. Never share it."
        );
    }
}
