//! The texts of the notices Tessera sends, in zh-TW and English.

use tessera_core::lang::Lang;
use tessera_notify::Email;

fn mail(to: &str, subject: String, body: String) -> Email {
    Email {
        to: to.to_string(),
        subject,
        body_text: body,
    }
}

pub fn verify_email(lang: Lang, to: &str, name: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】電子郵件信箱驗證".into(),
            format!(
                "{name} 您好：\n\n請於 24 小時內點選下列連結，完成電子郵件信箱驗證：\n{link}\n\n若您未申請，請忽略本信。\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Verify your email address".into(),
            format!(
                "Hello {name},\n\nOpen this link within 24 hours to verify your email address:\n{link}\n\nIf you did not ask for this, ignore this message.\n"
            ),
        ),
    }
}

pub fn reset_link(lang: Lang, to: &str, username: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】重設密碼".into(),
            format!(
                "您好：\n\n帳號 {username} 申請重設密碼。請於 1 小時內點選下列連結設定新密碼（僅能使用一次）：\n{link}\n\n若您未申請，請忽略本信，您的密碼不會變更。\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Reset your password".into(),
            format!(
                "Hello,\n\nA password reset was requested for account {username}. Open this link within 1 hour to set a new password (it works once):\n{link}\n\nIf you did not ask for this, ignore this message; your password stays as it is.\n"
            ),
        ),
    }
}

/// To the verified address an account is changing from: who asked, the new address, what to do
/// if it was not the owner.
pub fn email_change_requested(lang: Lang, to: &str, username: &str, new_email: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】電子信箱變更通知".into(),
            format!(
                "您好：\n\n帳號 {username} 申請將電子信箱變更為 {new_email}。新信箱完成驗證後才會生效，在此之前通知信仍寄至本信箱。\n\n若非您本人操作，請立即變更密碼並與客服聯繫。\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Your email address is being changed".into(),
            format!(
                "Hello,\n\nA change of the email address of account {username} to {new_email} was requested. It takes effect only once the new address is verified; until then notices keep coming here.\n\nIf this was not you, change your password at once and contact the service desk.\n"
            ),
        ),
    }
}

pub fn password_changed(lang: Lang, to: &str, username: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】密碼已變更".into(),
            format!(
                "您好：\n\n帳號 {username} 的密碼已變更，所有登入階段已登出。若非您本人操作，請立即重設密碼並與客服聯繫。\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Your password was changed".into(),
            format!(
                "Hello,\n\nThe password of account {username} was changed and every session was signed out. If this was not you, reset your password now and contact support.\n"
            ),
        ),
    }
}

pub fn account_locked(lang: Lang, to: &str, username: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】帳號已停用".into(),
            format!(
                "您好：\n\n帳號 {username} 因密碼連續錯誤多次已停用。請以「忘記密碼」重設密碼後即可恢復使用：\n{link}\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Your account was disabled".into(),
            format!(
                "Hello,\n\nAccount {username} was disabled after too many wrong passwords. Reset your password to use it again:\n{link}\n"
            ),
        ),
    }
}

pub fn account_deleted(lang: Lang, to: &str, username: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】帳號已刪除".into(),
            format!(
                "您好：\n\n帳號 {username} 已依您的申請刪除，個人資料已清除，此帳號名稱不能再註冊使用。\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Your account was deleted".into(),
            format!(
                "Hello,\n\nAccount {username} was deleted as you asked. Your personal data was erased and the username cannot be registered again.\n"
            ),
        ),
    }
}

pub fn inactive_warning(lang: Lang, to: &str, username: &str, link: &str) -> Email {
    match lang {
        Lang::ZhTw => mail(
            to,
            "【Tessera】帳號即將因長期未使用而刪除".into(),
            format!(
                "您好：\n\n帳號 {username} 已長期未登入，將於 30 日後刪除。如需保留，請於期限內登入：\n{link}\n"
            ),
        ),
        Lang::En => mail(
            to,
            "[Tessera] Your unused account will be deleted".into(),
            format!(
                "Hello,\n\nAccount {username} has not been used for a long time and will be deleted in 30 days. Sign in before then to keep it:\n{link}\n"
            ),
        ),
    }
}

pub fn sms_code(lang: Lang, code: &str, purpose_zh: &str, purpose_en: &str) -> String {
    match lang {
        Lang::ZhTw => {
            format!("【Tessera】您的{purpose_zh}驗證碼為 {code}，10 分鐘內有效，請勿告知他人。")
        }
        Lang::En => {
            format!("[Tessera] Your {purpose_en} code is {code}. Valid 10 minutes. Never share it.")
        }
    }
}
