//! The pages' own interface texts in both languages (labels, headings, hints), and the fixed
//! flash messages a redirect may announce. Error texts do not live here: they come from
//! core's one catalog (`tessera_core::messages`).

use tessera_core::lang::Lang;

/// The language of the page being rendered, with the helpers templates call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L(pub Lang);

impl L {
    /// Picks the text for the page's language: `l.t("加入會員", "Register")`.
    pub fn t(&self, zh: &'static str, en: &'static str) -> &'static str {
        match self.0 {
            Lang::ZhTw => zh,
            Lang::En => en,
        }
    }

    pub fn is_en(&self) -> bool {
        self.0 == Lang::En
    }

    /// The `<html lang>` value.
    pub fn html_lang(&self) -> &'static str {
        self.0.html_lang()
    }

    /// The tag of the other language, for the switch.
    pub fn other_tag(&self) -> &'static str {
        self.t("en", "zh-TW")
    }

    /// The other language's name, written in that language.
    pub fn other_name(&self) -> &'static str {
        self.t("English", "中文")
    }

    /// The other language's `lang` attribute value.
    pub fn other_html_lang(&self) -> &'static str {
        self.t("en", "zh-Hant-TW")
    }

    /// The ALTCHA widget's language code.
    pub fn altcha(&self) -> &'static str {
        self.t("zh-tw", "en")
    }

    /// The catalog message of `code` (an error code of the flows) in this language.
    pub fn msg(&self, code: &str) -> &'static str {
        tessera_core::messages::message(code, self.0)
    }
}

/// A message announced once after a redirect, chosen by a fixed code (never raw text).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flash {
    pub code: &'static str,
    zh: &'static str,
    en: &'static str,
}

impl Flash {
    pub fn text(&self, l: L) -> &'static str {
        l.t(self.zh, self.en)
    }
}

const FLASHES: &[Flash] = &[
    Flash {
        code: "signed_out",
        zh: "您已登出。",
        en: "You have signed out.",
    },
    Flash {
        code: "signed_in",
        zh: "登入成功，歡迎回來。",
        en: "You are signed in. Welcome back.",
    },
    Flash {
        code: "login_required",
        zh: "請先登入會員。",
        en: "Please sign in first.",
    },
    Flash {
        code: "email_verified",
        zh: "電子信箱驗證完成。",
        en: "Your email address is verified.",
    },
    Flash {
        code: "verification_sent",
        zh: "驗證信已寄出，請至信箱點選信中的連結完成驗證（24 小時內有效）。",
        en: "We sent a verification email. Open the link in it within 24 hours.",
    },
    Flash {
        code: "code_sent",
        zh: "簡訊驗證碼已傳送至您的手機，10 分鐘內有效，請於下方輸入。",
        en: "We sent a code to your mobile. It is valid for 10 minutes; enter it below.",
    },
    Flash {
        code: "mobile_verified",
        zh: "手機號碼驗證完成。",
        en: "Your mobile number is verified.",
    },
    Flash {
        code: "profile_saved",
        zh: "個人資料已更新。",
        en: "Your profile is saved.",
    },
    Flash {
        code: "profile_saved_email",
        zh: "個人資料已更新。驗證信已寄至新的電子信箱，點選信中連結完成驗證後，新信箱才會生效。",
        en: "Your profile is saved. We sent a verification email to the new address; it takes effect once you follow the link in it.",
    },
    Flash {
        code: "password_changed",
        zh: "密碼已變更，其他裝置上的登入都已登出。",
        en: "Your password is changed; you were signed out on every other device.",
    },
    Flash {
        code: "password_reset",
        zh: "密碼已重設，帳號已解除停用，請以新密碼登入。",
        en: "Your password is reset and the account is unlocked. Sign in with the new password.",
    },
    // Upstream identity brokering.
    Flash {
        code: "upstream_linked",
        zh: "外部帳號已與您的帳號建立關聯，之後可直接用來登入。",
        en: "The external account is linked; you can now use it to sign in.",
    },
    Flash {
        code: "upstream_linked_signed_in",
        zh: "帳號綁定成功，您已登入。之後可直接使用此外部帳號登入。",
        en: "Your account is linked and you are signed in. From now on you can sign in with this external account.",
    },
    Flash {
        code: "upstream_unlinked",
        zh: "已移除外部帳號關聯。",
        en: "The external account link is removed.",
    },
    Flash {
        code: "upstream_registered",
        zh: "註冊成功，新帳號已與您的外部帳號建立關聯。",
        en: "You are registered, and the new account is linked to your external account.",
    },
    // Certificates.
    Flash {
        code: "signed_in_certificate",
        zh: "已使用自然人憑證登入，歡迎回來。",
        en: "You are signed in with your citizen certificate. Welcome back.",
    },
    Flash {
        code: "cert_bound_signed_in",
        zh: "憑證綁定成功。之後以自然人憑證登入將直接進入此帳號，不需再輸入身分證字號。",
        en: "The certificate is bound. From now on the card signs you straight into this account.",
    },
    Flash {
        code: "cert_bound",
        zh: "憑證帳號綁定成功。",
        en: "The certificate is bound to your account.",
    },
    Flash {
        code: "cert_renewed",
        zh: "新憑證已綁定並取代舊憑證；舊憑證序號保留於紀錄中。",
        en: "The new certificate is bound and replaces the old one, whose serial stays in the history.",
    },
    Flash {
        code: "cert_unbound",
        zh: "已解除憑證綁定，並已將您登出平臺；請重新登入。",
        en: "The certificate is unbound and you have been signed out; please sign in again.",
    },
    Flash {
        code: "cert_pending_expired",
        zh: "憑證驗證已逾時或已完成，請重新以憑證登入。",
        en: "The certificate check has expired or was already used; please sign in with the card again.",
    },
    // Organizations.
    Flash {
        code: "org_terms_declined",
        zh: "您未同意用戶約定條款，作業已結束。",
        en: "You did not agree to the terms of use; nothing was registered.",
    },
    Flash {
        code: "org_signed_out",
        zh: "已結束機關作業。",
        en: "You have left the organization's work.",
    },
    Flash {
        code: "demo_card_inserted",
        zh: "已插入示範卡片，可以開始以憑證操作。",
        en: "The demo card is in the reader; you can use it now.",
    },
    // Back office.
    Flash {
        code: "signed_in_staff",
        zh: "已登入後臺。",
        en: "You are signed in to the back office.",
    },
    Flash {
        code: "review_approved",
        zh: "已核准此案件，並以電子郵件通知申請人。",
        en: "The case is approved and the applicant was emailed.",
    },
    Flash {
        code: "review_rejected",
        zh: "已退件，並以電子郵件將原因通知申請人。",
        en: "The case is rejected and the applicant was emailed the reason.",
    },
    Flash {
        code: "org_saved",
        zh: "機關資料已儲存。",
        en: "The registry entry is saved.",
    },
];

/// Catalog messages a redirect may announce as they are (organizations, applications).
const CATALOG_FLASHES: &[&str] = &[
    "org_review_pending",
    "org_assignment_opened",
    "org_handler_added",
    "org_handler_updated",
    "org_handler_deleted",
    // Online applications.
    "apply_draft_started",
    "apply_sent",
    "apply_correction_sent",
    "apply_returned",
    "apply_approved",
    "apply_rejected",
    "apply_withdrawn",
    "apply_change_sent",
    "apply_cancelled",
    "apply_moved",
    "apply_change_started",
    "apply_attachment_added",
    "apply_attachment_removed",
];

/// The flash message with this code, if it is one of the fixed ones.
pub fn flash(code: &str) -> Option<Flash> {
    FLASHES
        .iter()
        .copied()
        .find(|f| f.code == code)
        .or_else(|| {
            CATALOG_FLASHES
                .iter()
                .copied()
                .find(|c| *c == code)
                .map(|c| Flash {
                    code: c,
                    zh: tessera_core::messages::message(c, Lang::ZhTw),
                    en: tessera_core::messages::message(c, Lang::En),
                })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flash_codes_are_fixed_texts_in_both_languages() {
        let f = flash("signed_out").map(|f| (f.text(L(Lang::ZhTw)), f.text(L(Lang::En))));
        assert_eq!(f, Some(("您已登出。", "You have signed out.")));
        assert!(flash("<script>alert(1)</script>").is_none());
        for f in FLASHES {
            assert!(!f.zh.is_empty() && f.en.is_ascii(), "{}", f.code);
        }
    }
}
