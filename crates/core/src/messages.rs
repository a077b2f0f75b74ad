//! The one catalog of user-facing texts, in Traditional Chinese (Taiwan) and English, for
//! every stable machine code: field validation codes and API error codes. Texts say what to
//! fix, in the manner of the seed's own help pages.

use crate::Lang;

macro_rules! catalog {
    ($($code:literal => $zh:literal, $en:literal;)*) => {
        /// Every code the catalog knows, in catalog order.
        pub const CODES: &[&str] = &[$($code,)*];

        fn lookup(code: &str) -> Option<(&'static str, &'static str)> {
            match code {
                $($code => Some(($zh, $en)),)*
                _ => None,
            }
        }
    };
}

catalog! {
    // Username.
    "username_required" => "請輸入帳號。", "Please enter a username.";
    "username_invalid" =>
        "帳號需設 5-15 字元的英文字母、數字，且第一個字須為英文字母。",
        "The username must be 5-15 letters (A-Z) or digits, starting with a letter.";
    // Password.
    "password_required" => "請輸入密碼。", "Please enter a password.";
    "password_too_short" => "密碼長度不足，請依規定的最少字元數設定（預設至少 8 個字元）。",
        "The password is too short: use at least the minimum length (8 characters by default).";
    "password_too_long" => "密碼太長，請勿超過上限字元數（預設 64 個字元）。",
        "The password is too long: use no more than the maximum (64 characters by default).";
    "password_invalid_chars" => "密碼不可包含換行、定位字元等控制字元。",
        "The password must not contain line breaks, tabs or other control characters.";
    "password_needs_letter" => "密碼至少須含一個字母（例如英文字母）。",
        "The password must contain at least one letter.";
    "password_needs_digit" => "密碼至少須含一個數字。",
        "The password must contain at least one digit.";
    "password_contains_username" => "密碼不得與帳號相同，也不得包含帳號。",
        "The password must not be or contain your username.";
    "password_contains_personal_data" => "密碼不得包含您的身分證字號或生日，請避免使用個人資訊。",
        "The password must not contain your ID number or birthday; avoid personal information.";
    "password_too_common" => "這個密碼太常見，容易被猜中，請換一個。",
        "This password is too common and easy to guess; please choose another.";
    "password_mismatch" => "兩次輸入的密碼不一致，請重新確認。",
        "The two passwords do not match; please type them again.";
    "password_incorrect" => "目前的密碼不正確。", "The current password is incorrect.";
    "channel_invalid" => "請選擇以電子郵件或手機簡訊重設密碼。",
        "Choose whether to reset the password by email or by text message.";
    "current_password_required" => "變更電子信箱須輸入目前的密碼，以確認是您本人。",
        "Changing the email address needs your current password, to confirm it is you.";
    "password_expired" => "您的密碼已超過有效期限，請先設定新密碼。",
        "Your password has expired; please set a new one first.";
    // Name.
    "name_required" => "請輸入姓名。", "Please enter your name.";
    "name_too_long" => "姓名最多 50 個字。", "The name may be at most 50 characters.";
    "name_invalid" => "姓名不可包含換行或控制字元。",
        "The name must not contain line breaks or control characters.";
    // Email.
    "email_required" => "請輸入電子信箱，系統將寄發帳號通知信至此信箱。",
        "Please enter an email address; account notices are sent to it.";
    "email_invalid" => "請輸入有效的電子信箱，例如 name@example.com.tw。",
        "Please enter a valid email address, such as name@example.com.";
    "email_too_long" => "電子信箱太長，最多 254 個字元。",
        "The email address is too long (at most 254 characters).";
    "email_unverified" => "您的電子郵件信箱尚未驗證，請先點選驗證信中的連結完成驗證。",
        "Your email address is not verified yet; please follow the link in the verification email first.";
    // Mobile.
    "mobile_required" => "請輸入行動電話號碼。", "Please enter a mobile number.";
    "mobile_invalid" => "行動電話請依格式輸入 09 開頭的 10 位數字，例如 0911123456。",
        "Enter the mobile number as 10 digits starting with 09, e.g. 0911123456.";
    "mobile_unverified" => "您的救援手機尚未驗證，無法以簡訊收取驗證碼。",
        "Your recovery mobile is not verified, so codes cannot be sent to it by SMS.";
    // Landline.
    "landline_required" => "請輸入聯絡電話。", "Please enter a telephone number.";
    "landline_invalid" =>
        "市話請依格式輸入區碼及號碼，分機請以 # 區隔，例如 0212345678#12345。",
        "Enter the landline as area code and number, with any extension after #, e.g. 0212345678#12345.";
    // National ID.
    "national_id_required" => "請輸入身分證字號或居留證號。",
        "Please enter your national ID or resident certificate number.";
    "national_id_invalid" =>
        "身分證字號格式錯誤：請輸入 1 個英文字母加 9 個數字（如 A123456789），居留證號亦可輸入 A800000014 或 AB12345678 格式。",
        "Invalid ID number format: enter one letter and 9 digits (e.g. A123456789), or a resident certificate number such as A800000014 or AB12345678.";
    "national_id_checksum" => "身分證字號或居留證號檢查碼不符，請確認是否輸入錯誤。",
        "The ID number's check digit does not match; please check for a typo.";
    // Birthday.
    "birthday_required" => "請輸入生日。", "Please enter your date of birth.";
    "birthday_invalid" => "生日請以西元年月日輸入，例如 1990-01-31。",
        "Enter the date of birth as year-month-day, e.g. 1990-01-31.";
    "birthday_in_future" => "生日不可晚於今天。", "The date of birth cannot be in the future.";
    // Terms, CAPTCHA, codes and tokens.
    "terms_required" => "請詳細閱讀並勾選同意服務條款和隱私權政策。",
        "Please read and accept the terms of use and the privacy policy.";
    "captcha_required" => "請先完成人機驗證。", "Please complete the CAPTCHA first.";
    "captcha_invalid" => "人機驗證未通過或已逾時，請重新驗證。",
        "The CAPTCHA failed or expired; please try it again.";
    "code_required" => "請輸入簡訊驗證碼。", "Please enter the code from the text message.";
    "code_invalid" => "驗證碼錯誤或已逾時，請重新輸入或重新取得驗證碼。",
        "The code is wrong or has expired; enter it again or ask for a new one.";
    "code_exhausted" => "驗證碼輸入錯誤次數過多，請重新取得驗證碼。",
        "Too many wrong codes; please ask for a new code.";
    "token_invalid" => "此連結無效、已使用過或已逾期，請重新申請。",
        "This link is invalid, already used or expired; please request a new one.";
    // API errors.
    "validation_failed" => "資料未依規則填寫，請依各欄位的說明修正後再送出。",
        "Some fields are not filled in correctly; please fix them as described and try again.";
    "username_unavailable" => "此帳號已被使用，請改用其他帳號。",
        "This username is taken; please choose another.";
    "invalid_credentials" => "帳號或密碼錯誤。", "Incorrect username or password.";
    "account_locked" =>
        "密碼連續輸入錯誤 5 次，帳號已停用。請使用「忘記密碼」重設密碼以解鎖。",
        "The account is disabled after 5 wrong passwords. Use \"Forgot password\" to reset the password and unlock it.";
    "unauthenticated" => "請先登入會員。", "Please sign in first.";
    "forbidden" => "您沒有權限執行此操作。", "You are not allowed to do this.";
    "csrf_failed" => "表單已失效，請重新整理頁面後再送出。",
        "The form has expired; please reload the page and submit it again.";
    "malformed_request" => "送出的資料格式不正確，請檢查後再試。",
        "The request could not be read; check its format and try again.";
    "password_unchanged" => "新密碼不可與目前的密碼相同。",
        "The new password must differ from the current one.";
    "not_found" => "找不到您要的資料或頁面。", "The page or item you asked for was not found.";
    "rate_limited" => "操作過於頻繁，請稍後再試。", "Too many requests; please try again later.";
    "request_timeout" => "資料傳送逾時，請檢查網路連線後重新送出。",
        "The request took too long to arrive; check your connection and send it again.";
    // Certificates.
    "cert_unavailable" => "本系統目前未提供憑證登入服務。",
        "Certificate sign-in is not available on this system.";
    "cert_purpose_invalid" => "憑證作業類型不正確，請重新操作。",
        "Unknown certificate operation; please start again.";
    "cert_national_id_mismatch" => "您輸入的身分證字號與憑證內的資料不符。",
        "The ID number you typed does not match the certificate.";
    "cert_not_bound" => "此憑證尚未綁定會員帳號。",
        "This certificate is not bound to an account.";
    "cert_already_registered" => "此身分證字號已以自然人憑證註冊帳號，請直接登入。",
        "An account was already registered with this ID number; please sign in.";
    "cert_already_bound" => "此憑證已綁定其他帳號，請先於該帳號解除憑證綁定。",
        "This certificate is bound to another account; unbind it there first.";
    "cert_kind_not_accepted" => "此類憑證不適用於本項服務，請使用自然人憑證。",
        "This kind of certificate is not accepted here; please use a citizen certificate.";
    "cert_institution_account_taken" => "此醫事機構代碼對應的帳號名稱已被會員使用，請洽客服。",
        "The account name of this institution code is used by a member account; please contact support.";
    "cert_bound_national_id_locked" => "帳號已綁定憑證，請先解除憑證綁定後再變更身分證字號。",
        "A certificate is bound to this account: unbind it before changing the ID number.";
    "cert_malformed" => "簽章資料格式錯誤，無法解析。", "The signature data is malformed.";
    "cert_signature_invalid" => "簽章驗證失敗。", "The signature does not verify.";
    "cert_content_mismatch" => "簽章內容與本次驗證碼不符。",
        "The signed content does not match the challenge.";
    "cert_untrusted" => "憑證非由受信任的憑證管理中心簽發。",
        "The certificate was not issued by a trusted CA.";
    "cert_expired" => "憑證已逾有效期限。", "The certificate has expired.";
    "cert_not_yet_valid" => "憑證尚未生效。", "The certificate is not valid yet.";
    "cert_key_usage" => "此憑證的金鑰用途不允許簽章。",
        "The certificate's key usage does not allow signing.";
    "cert_policy_not_allowed" => "此類憑證不適用於本項服務。",
        "This kind of certificate is not accepted for this service.";
    "cert_revoked" => "憑證已被廢止。", "The certificate has been revoked.";
    "cert_revocation_unknown" => "目前無法確認憑證狀態，請稍後再試。",
        "The certificate status could not be checked; please try again later.";
    "cert_challenge_expired" => "驗證碼已逾時，請重新操作。",
        "The challenge has expired; please start again.";
    "cert_challenge_replayed" => "驗證碼已使用或無效，請重新操作。",
        "The challenge was already used or is unknown; please start again.";
    // Upstream identity brokering: 使用 Google / Facebook 登入.
    "upstream_unknown_provider" => "找不到此外部帳號登入服務，請回登入頁重新選擇。",
        "This external sign-in service is not offered here; go back to the sign-in page and choose again.";
    "upstream_rate_limited" => "外部帳號登入的次數過多，請稍候一分鐘再試。",
        "Too many sign-ins with an external account were started; please wait a minute and try again.";
    "upstream_unavailable" => "目前無法連線至外部帳號登入服務，請稍後再試，或改用帳號密碼登入。",
        "The external sign-in service cannot be reached right now; try again later or sign in with your password.";
    "upstream_state_invalid" => "這次外部帳號登入已逾時、已完成過或不是由此瀏覽器開始，請回登入頁重新點選。",
        "This external sign-in has expired, was already completed or was started in another browser; start again from the sign-in page.";
    "upstream_access_denied" => "您已取消外部帳號登入或未同意授權，請重新操作，或改用帳號密碼登入。",
        "You cancelled the external sign-in or did not grant access; try again or sign in with your password.";
    "upstream_error" => "外部帳號登入服務回報錯誤，登入未完成，請稍後再試。",
        "The external sign-in service reported an error and you are not signed in; please try again later.";
    "upstream_response_invalid" => "外部帳號登入服務的回應不正確，為保護您的帳號已停止登入，請重新操作。",
        "The external sign-in service's answer was not valid; to protect your account the sign-in was stopped. Please start again.";
    "upstream_token_invalid" => "外部帳號登入服務提供的身分資料未通過驗證，登入未完成，請重新操作。",
        "The identity data from the external sign-in service did not pass verification; you are not signed in. Please start again.";
    "upstream_pending_missing" => "外部帳號驗證已逾時，請回登入頁重新以外部帳號登入。",
        "The external account check has expired; sign in with the external account again from the sign-in page.";
    "upstream_password_expired" => "此帳號的密碼已過期，無法建立關聯。請先以帳號密碼登入並變更密碼，再重新以外部帳號登入。",
        "This account's password has expired, so it cannot be linked. Sign in with the password and change it first, then sign in with the external account again.";
    "upstream_identity_linked_elsewhere" => "此外部帳號已與其他帳號建立關聯，請先登入該帳號並於「管理外部帳號」移除關聯。",
        "This external account is linked to another account; sign in to that account and remove the link under \"External accounts\" first.";
    "upstream_provider_already_linked" => "您的帳號已關聯此服務的另一個外部帳號，請先於「管理外部帳號」移除後再試。",
        "Your account is already linked to another account of this service; remove that link under \"External accounts\" first.";
    "upstream_link_not_found" => "找不到此外部帳號關聯，可能已經移除。",
        "This external account link was not found; it may have been removed already.";
    // ── Organizations ─────────────────────────────────────────────────────────
    // Registry fields.
    "agency_code_required" => "請輸入機關代號（五碼）。", "Please enter the agency code (5 characters).";
    "agency_code_invalid" => "機關代號為五碼英文字母或數字，請確認後再輸入。",
        "The agency code is 5 letters or digits; please check it.";
    "organization_oid_invalid" => "機關 OID 格式錯誤，請輸入以點分隔的數字，例如 2.16.886.101.20003.20065。",
        "Invalid organization OID: enter dot-separated numbers, e.g. 2.16.886.101.20003.20065.";
    "business_id_invalid" => "統一編號為 8 位數字且檢查碼須正確，請確認是否輸入錯誤。",
        "A business ID is 8 digits with a valid check digit; please check for a typo.";
    "institution_code_invalid" => "醫事機構代碼為 10 碼英文字母或數字。",
        "A medical institution code is 10 letters or digits.";
    "org_kind_invalid" => "機關類別須為 agency、school、organization、business、medical 或 other。",
        "The kind must be agency, school, organization, business, medical or other.";
    "org_name_required" => "請輸入機關名稱。", "Please enter the organization's name.";
    "org_name_invalid" => "機關名稱最多 100 個字，且不可包含控制字元。",
        "The organization's name may have at most 100 characters and no control characters.";
    "org_identifier_required" => "機關 OID、統一編號、醫事機構代碼至少須填寫一項。",
        "Give at least one of organization OID, business ID and institution code.";
    "extension_invalid" => "分機請輸入 1 至 6 位數字。", "Enter the extension as 1 to 6 digits.";
    "notes_invalid" => "備註最多 200 個字，且不可包含控制字元。",
        "Notes may have at most 200 characters and no control characters.";
    "cert_serial_required" => "請輸入憑證序號，或插入自然人憑證後按「讀取憑證」。",
        "Enter the certificate serial, or insert the citizen card and press Read certificate.";
    "cert_serial_invalid" => "憑證序號格式錯誤，請輸入十六進位數字（0-9、A-F）。",
        "Invalid certificate serial: enter hexadecimal digits (0-9, A-F).";
    "permissions_required" => "請至少勾選一項功能權限。", "Please tick at least one function.";
    "permission_unknown" => "功能權限不存在，請重新整理頁面後再勾選。",
        "Unknown function; reload the page and tick the functions again.";
    "per_page_invalid" => "顯示筆數只能是 10、25 或 50。", "Entries per page must be 10, 25 or 50.";
    "page_invalid" => "頁碼不正確。", "Invalid page number.";
    "review_reason_required" => "請輸入審核不通過的原因（最多 500 字）。",
        "Please give the reason for rejecting (at most 500 characters).";
    "csv_column_unknown" => "CSV 標題列有不認得的欄位名稱。",
        "The CSV header names a column that does not exist.";
    "csv_column_missing" => "CSV 標題列缺少必要欄位（agency_code、name、kind）。",
        "The CSV header lacks a required column (agency_code, name, kind).";
    "csv_row_malformed" => "此列的欄位數與標題列不符或格式錯誤。",
        "This row's number of fields differs from the header, or it cannot be read.";
    "csv_duplicate_agency_code" => "同一機關代號在檔案中出現多次。",
        "This agency code appears more than once in the file.";
    // Flows (seed 003 四、五、六).
    "org_unknown_agency_code" => "查無此機關代號，請確認輸入是否正確。",
        "No organization has this agency code; please check it.";
    "org_already_registered" => "貴機關已完成首次註冊；如憑證已更換，請使用「更換憑證」。",
        "Your organization is already registered; if a certificate changed, use Replace certificate.";
    "org_not_registered" => "貴機關尚未完成首次註冊，請先辦理首次註冊。",
        "Your organization has not registered yet; please do the first registration.";
    "org_review_required" => "貴機關申請憑證註冊，因申請資料比對不符，需進行審核，請填聯絡資料。",
        "The certificate does not match our records for your organization, so it must be reviewed: please give your contact details.";
    "org_review_pending" => "申請資料審核中，若審核通過，貴機關即可重新辦理註冊。若審核不通過，我們將與貴機關聯絡。",
        "Your application is being reviewed. Once approved you can register again; if it is not approved we will contact you.";
    "org_cert_kind_not_accepted" => "請使用機關憑證、組織及團體憑證、工商憑證或醫事機構憑證。",
        "Please use an agency, organization, business or medical institution certificate.";
    "org_cert_not_current" => "此機關憑證不是貴機關目前註冊的憑證；如機關憑證已更換，請使用「更換機關憑證」。",
        "This is not your organization's registered certificate; if it was replaced, use Replace organization certificate.";
    "org_cert_bound_elsewhere" => "此機關憑證已註冊於其他機關代號。",
        "This organization certificate is registered for another agency code.";
    "org_manager_mismatch" => "此自然人憑證不是貴機關註冊的授權管理者憑證；如已更換，請使用「更換授權管理者自然人憑證」。",
        "This is not your organization's registered manager certificate; if it was replaced, use Replace manager certificate.";
    "org_flow_rate_limited" => "開始作業的次數過多，請稍候一分鐘再試。",
        "Too many procedures were started; please wait a minute and try again.";
    "org_flow_invalid" => "作業已逾時或不存在，請重新開始。",
        "This procedure has expired or does not exist; please start again.";
    "org_flow_step" => "請依畫面順序操作；此步驟目前無法執行，請重新開始。",
        "Please follow the steps in order; this step cannot be done now. Start again.";
    "org_account_taken" => "機關代號對應的帳號名稱已被使用，請洽客服。",
        "The account name of this agency code is already in use; please contact support.";
    "org_registered" => "首次註冊成功！請按下方「授權指派作業」接續指派經辦人。",
        "First registration done. Press 'Authorization assignment' below to assign handlers next.";
    "org_replaced_org" => "更換機關憑證成功！", "The organization certificate was replaced.";
    "org_replaced_manager" => "完成更換授權管理者自然人憑證！如欲繼續辦理授權指派作業，請按下方「授權指派作業」。",
        "The manager's citizen certificate was replaced. To assign handlers, press 'Authorization assignment' below.";
    "org_replaced_both" => "貴機關已完成機關憑證及授權管理者自然人憑證更換，如需進行授權指派作業，請按下方「授權指派作業」。",
        "Both the organization certificate and the manager's citizen certificate were replaced. To assign handlers, press 'Authorization assignment' below.";
    "org_assignment_opened" => "機關憑證及授權管理者憑證確認完成，請進行授權指派。",
        "Both certificates confirmed: you can now assign handlers.";
    // Authorization assignment and handlers.
    "org_handler_added" => "新增成功！", "Added.";
    "org_handler_updated" => "修改成功！", "Saved.";
    "org_handler_deleted" => "刪除成功！", "Deleted.";
    "org_handler_delete_confirm" => "您確定刪除這筆資料?", "Do you really want to delete this entry?";
    "org_handler_exists" => "此身分證字號已是貴機關的授權經辦人。",
        "This ID number is already one of your organization's handlers.";
    "org_handler_not_assigned" => "您尚未被任何機關授權為經辦人，請洽機關的授權管理者。",
        "No organization has authorized you as a handler; please ask its authorization manager.";
    "org_handler_cert_changed" => "您的自然人憑證序號已變更（展期或換卡），請洽機關的授權管理者於授權指派作業更新憑證序號後再登入。",
        "Your citizen certificate's serial changed (renewal or new card): ask your authorization manager to update it, then sign in again.";
    "org_select_required" => "請先選擇要代理的機關。", "Please choose the organization you act for first.";
    "org_permission_denied" => "您沒有此項功能的權限，請洽機關的授權管理者。",
        "You do not have this function; please ask your authorization manager.";
    "org_unauthenticated" => "請先以憑證登入機關作業。",
        "Please sign in to the organization services with your certificate first.";
    // Back office.
    "staff_unauthenticated" => "請先登入後臺。", "Please sign in to the back office first.";
    "staff_role_required" => "您的後臺角色無權執行此操作。",
        "Your back-office role does not allow this.";
    "review_already_decided" => "此案件已審核完畢。", "This case was already decided.";
    // ── end of organizations ──
    // OpenID Connect provider: pages shown when Tessera cannot send the
    // browser back to the service, and the back-office client form.
    "oidc_client_unknown" => "無法識別要求登入的服務（client_id 不正確或未註冊），請回到原服務重新操作。",
        "The service asking you to sign in is not registered (unknown client_id); go back to the service and try again.";
    "oidc_redirect_uri_invalid" => "要求登入的服務提供的返回網址與註冊資料不符，為保護您的安全，系統不會將您導向該網址。",
        "The return address given by the service does not match its registration; for your safety you are not sent there.";
    "oidc_request_invalid" => "登入要求的格式不正確，請回到原服務重新操作。",
        "The sign-in request is malformed; go back to the service and try again.";
    "oidc_request_expired" => "登入要求已逾時，請回到原服務重新操作。",
        "The sign-in request has expired; go back to the service and try again.";
    "oidc_consent_denied" => "您已拒絕授權，系統未提供任何資料給該服務。",
        "You declined; nothing was shared with the service.";
    "oidc_logout_done" => "您已登出。", "You are signed out.";
    "oidc_client_name_required" => "請輸入服務名稱。", "Please enter the service's name.";
    "oidc_redirect_uri_required" => "請至少輸入一個返回網址（redirect URI）。",
        "Please enter at least one redirect URI.";
    "oidc_redirect_uri_rejected" => "返回網址須為 https:// 開頭的完整網址（本機測試可用 http://127.0.0.1），且不可含 # 片段。",
        "Redirect URIs must be absolute https:// URIs (http://127.0.0.1 for local testing) without a # fragment.";
    "oidc_operator_required" => "此頁僅限系統管理者使用，請以管理者憑據登入。",
        "This page is for operators only; sign in with the operator credentials.";
    // Certificate pages and challenge limits.
    "cert_challenge_rate_limited" => "取得憑證驗證碼的次數過多，請稍候一分鐘再試。",
        "Too many certificate challenges were requested; please wait a minute and try again.";
    "cert_signature_required" => "請先以憑證卡簽章：按下按鈕後，在簽章元件視窗輸入 PIN 碼。",
        "Please sign with your certificate card first: press the button, then type the PIN in the signing component's window.";
    "cert_pending_expired" => "憑證驗證已逾時或已完成，請重新以憑證登入。",
        "The certificate check has expired or was already used; please sign in with the card again.";
    "cert_account_not_listed" => "請從列出的帳號中選擇要綁定的帳號。",
        "Please choose one of the listed accounts to bind.";
    "cert_national_id_missing" => "帳號尚未填寫身分證字號，請先至「個人資料維護」填寫後再綁定憑證。",
        "Your account has no national ID yet; add it under \"Edit profile\" before binding a certificate.";
    // Online applications: form fields.
    "apply_required" => "此欄為必填，請填寫。", "This field is required.";
    "apply_text_invalid" => "請勿輸入換行、定位等控制字元。",
        "Please remove line breaks, tabs and other control characters.";
    "apply_text_too_long" => "字數超過上限，最多 {max} 個字。",
        "Too long: use at most {max} characters.";
    "apply_choice_invalid" => "請從列出的選項中選擇。", "Please choose one of the listed options.";
    "apply_phone_invalid" =>
        "電話號碼格式不正確，請輸入手機（例：0912345678）或市話（例：02-2345-6789 分機 123）。",
        "Please enter a mobile (0912345678) or a landline (02-2345-6789 ext. 123).";
    "apply_org_code_invalid" => "機構代碼格式不正確，請輸入 4 至 20 位英數字的代碼（醫事機構代碼為 10 碼）。",
        "The institution code must be 4-20 letters or digits (an HCA institution code has 10).";
    "apply_org_unknown" => "查無此機構代碼，請確認後重新輸入。",
        "No organization has this code; please check it.";
    "apply_org_wrong_kind" => "此機構不屬於本申辦項目可選擇的機構類別（例如須為醫事機構）。",
        "This organization is not of the kind this application takes (e.g. a medical institution).";
    "apply_date_required" => "請輸入日期。", "Please enter a date.";
    "apply_date_invalid" =>
        "日期格式無法辨識，請輸入民國年（例：1150301、115/3/1、115年3月1日）或西元日期（2026-03-01）。",
        "Unreadable date: use an ROC date (1150301, 115/3/1) or ISO (2026-03-01).";
    "apply_date_impossible" => "日期不存在（例如 2 月 30 日），請確認月份與日期。",
        "That date does not exist (e.g. 30 February); please check the month and day.";
    "apply_date_out_of_range" => "日期須介於民國元年（1912年）至民國289年（2200年）之間。",
        "The date must be between 1912 and 2200 (ROC years 1 to 289).";
    "apply_date_range_reversed" => "結束日期不可早於開始日期。", "The end date cannot be before the start date.";
    "apply_date_range_too_long" => "期間過長，最長 {max} 天。", "The period is too long: at most {max} days.";
    "apply_county_required" => "請選擇縣市。", "Please choose a city or county.";
    "apply_county_invalid" => "請從 22 縣市中選擇。", "Please choose one of the 22 cities and counties.";
    "apply_schedule_invalid" => "時段選擇有誤，請重新勾選星期與上午、下午或夜間。",
        "Unknown time slot; please tick the weekdays and morning, afternoon or night again.";
    "apply_attachment_empty" => "附件檔案是空的，請重新選擇檔案。", "The file is empty; please choose it again.";
    "apply_attachment_too_large" => "附件檔案太大，每個檔案最大 {max} MB。",
        "The file is too large: at most {max} MB per file.";
    "apply_attachment_too_many" => "附件數量已達上限，最多 {max} 個檔案。",
        "Too many files: at most {max}.";
    "apply_attachment_type" => "附件僅接受 PDF、JPEG 或 PNG 檔案（依檔案內容判斷，非副檔名）。",
        "Attachments must be PDF, JPEG or PNG files (judged by their content, not their name).";
    "apply_attachment_missing" => "找不到上傳的附件，請重新上傳。",
        "An uploaded file could not be found; please upload it again.";
    // Online applications: rules and moves.
    "apply_fields_same" => "此欄不可與前面的欄位相同（例如支援機構不可與執業登記機構相同）。",
        "This must differ from the earlier field (e.g. the host institution from the registered one).";
    "apply_overlap" => "支援時段與已送出或已核准的案件重疊：{clash}。請調整期間或時段。",
        "The schedule overlaps a pending or approved case: {clash}. Please change the period or slots.";
    "apply_ms_prior_started" =>
        "事前報備的支援期間須自今日或之後開始；已開始的支援請選「事後報備」並說明理由。",
        "A prior report must start today or later; for support already under way choose \"after the fact\" and say why.";
    "apply_ms_after_not_started" => "支援尚未開始，請選「事前報備」。",
        "The support has not started yet; choose \"before the support\".";
    "apply_ms_after_too_late" => "事後報備須於支援開始後 {max} 日內提出，已逾期限。",
        "After-the-fact reports must be filed within {max} days of the start; this one is too late.";
    "apply_action_unknown" => "此申辦項目沒有這項操作。", "This application has no such action.";
    "apply_wrong_status" => "案件目前的狀態不能執行這項操作，請重新整理頁面查看最新狀態。",
        "The case's current status does not allow this; reload the page to see where it stands.";
    "apply_wrong_actor" => "您沒有執行這項操作的權限。", "You may not take this action on the case.";
    "apply_case_number_invalid" => "案號格式不正確（例：報備-115-000123）。",
        "That is not a case number (e.g. a prefix, the ROC year and six digits: PREFIX-115-000123).";
    "apply_case_not_found" => "查無此申辦案件，或您沒有查看的權限。",
        "No such application, or it is not yours to see.";
    "apply_type_not_found" => "查無此申辦項目。", "No such kind of application.";
    "apply_loa_too_low" => "此申辦項目須以較高等級的方式登入（例如憑證卡），請重新登入後再試。",
        "This application needs a stronger sign-in (e.g. a certificate card); sign in again that way.";
    "apply_filer_not_allowed" => "您的身分不能申辦此項目。", "You cannot file this kind of application.";
    "apply_permission_required" => "您未被授權此項功能（例如「報備支援登錄」），請洽機構的權限管理人。",
        "You have not been granted this function; ask your organization's authorization manager.";
    "apply_not_editable" => "案件目前的狀態不能修改內容。",
        "The application cannot be edited in its current status.";
    "apply_page_not_found" => "查無此填寫頁面。", "No such page of the form.";
    "apply_conflict" => "案件已在其他視窗或由他人更新，請重新整理頁面後再試。",
        "The application was changed elsewhere meanwhile; reload the page and try again.";
    "apply_comment_required" => "請填寫說明（例如不核准的理由或須補正的事項）。",
        "Please write a note (e.g. the reason for rejecting, or what to correct).";
    "apply_effective_past" => "生效日期不可早於今天。", "The effective date cannot be in the past.";
    "apply_not_yourself" => "自行申辦時，身分證字號須為您本人的號碼；替他人申辦請由所屬機構的經辦人辦理。",
        "Filing for yourself, the national ID must be your own; staff of an institution file for others.";
    "apply_org_no_county" => "此機構尚未登錄所在縣市，無法分派審查機關，請聯絡客服。",
        "The registry has no city or county for this organization, so no office can review it; contact support.";
    "apply_field_not_found" => "查無此欄位。", "No such field on the form.";
    "apply_attachment_not_found" => "查無此附件。", "No such attachment.";
    "apply_status_unknown" => "查無此案件狀態。", "No such status.";
    "apply_deadline_days_invalid" => "補正期限請輸入 1 至 90 之間的天數。",
        "The deadline must be a number of days from 1 to 90.";
    // Online applications: what the pages announce after a move (flash messages).
    "apply_draft_started" => "已建立草稿，填寫的資料會保存在伺服器上，可隨時從「我的申辦案件」繼續填寫。",
        "A draft is started and kept on the server: continue it any time under \"My applications\".";
    "apply_sent" => "申請已送出，審查結果將以電子郵件通知您。",
        "Your application is sent; you will be emailed the decision.";
    "apply_correction_sent" => "補正已送出，審查人員將繼續審查。",
        "Your correction is sent; the reviewers will carry on.";
    "apply_returned" => "已退回補正，並以電子郵件通知申請人。",
        "The application is returned for correction and the applicant was emailed.";
    "apply_approved" => "已核准，並以電子郵件通知申請人。",
        "The application is approved and the applicant was emailed.";
    "apply_rejected" => "已作成不核准的決定，並以電子郵件通知申請人。",
        "The application is rejected and the applicant was emailed.";
    "apply_withdrawn" => "申請已撤回。", "The application is withdrawn.";
    "apply_change_sent" => "變更申請已送出；核准前，原核准內容仍然有效。",
        "The change is sent; until it is approved, the approved version stays in force.";
    "apply_cancelled" => "案件已註銷。", "The case is cancelled.";
    "apply_moved" => "案件狀態已更新。", "The case status is updated.";
    "apply_change_started" => "已開始變更，請修改內容後送出變更申請；核准前，原核准內容仍然有效。",
        "A change is started: edit the application, then send the change. The approved version stays in force until then.";
    "apply_attachment_added" => "附件已上傳。", "The file is uploaded.";
    "apply_attachment_removed" => "附件已移除。", "The file is removed.";
    "apply_print_not_found" => "此案件目前沒有這份可列印的文件（例如核定通知須於審查完成後才能列印）。",
        "This printout is not available for the case now (e.g. a decision notice once decided).";
    "apply_print_unavailable" => "列印功能暫時無法使用，請稍後再試或聯絡客服。",
        "Printing is unavailable right now; try again later or contact support.";
    "internal" => "系統發生錯誤，請稍後再試；如持續發生請聯絡客服。",
        "Something went wrong on our side; please try again later or contact support.";
}

/// Text for codes missing from the catalog.
const GENERIC: (&str, &str) = (
    "發生錯誤，請稍後再試。",
    "An error occurred; please try again later.",
);

/// The user-facing text for `code` in `lang`; unknown codes get a generic message.
pub fn message(code: &str, lang: Lang) -> &'static str {
    let (zh, en) = lookup(code).unwrap_or(GENERIC);
    match lang {
        Lang::ZhTw => zh,
        Lang::En => en,
    }
}

/// Is `code` in the catalog?
pub fn is_known(code: &str) -> bool {
    lookup(code).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::*;
    use crate::{PasswordContext, PasswordPolicy};

    #[test]
    fn every_code_has_two_distinct_non_empty_texts() {
        for code in CODES {
            let (zh, en) = (message(code, Lang::ZhTw), message(code, Lang::En));
            assert!(!zh.is_empty() && !en.is_empty(), "{code}");
            assert_ne!(zh, en, "{code}");
            assert_ne!(zh, GENERIC.0, "{code}");
            assert!(
                zh.chars().any(|c| ('\u{4E00}'..='\u{9FFF}').contains(&c)),
                "{code}"
            );
            assert!(en.is_ascii(), "{code}");
        }
    }

    #[test]
    fn api_codes_are_in_the_catalog() {
        for code in [
            "validation_failed",
            "username_unavailable",
            "invalid_credentials",
            "captcha_required",
            "captcha_invalid",
            "account_locked",
            "unauthenticated",
            "forbidden",
            "csrf_failed",
            "not_found",
            "token_invalid",
            "code_invalid",
            "code_exhausted",
            "password_expired",
            "terms_required",
            "internal",
            "rate_limited",
            "email_unverified",
            "mobile_unverified",
            "password_incorrect",
        ] {
            assert!(is_known(code), "{code}");
        }
    }

    #[test]
    fn every_field_error_produced_has_a_text() {
        let policy = PasswordPolicy::default();
        let ctx = PasswordContext {
            username: Some("alice1"),
            national_id: Some("A123456789"),
            birthday: Some("1990-01-01"),
        };
        let mut errors = vec![];
        for input in [
            "",
            "x",
            "1abcdef",
            "abc\u{0}",
            "A123456788",
            "𡘙".repeat(51).as_str(),
            "1990-02-30",
        ] {
            errors.extend(Username::parse(input).err());
            errors.extend(NationalId::parse(input).err());
            errors.extend(Mobile::parse(input).err());
            errors.extend(Landline::parse(input).err());
            errors.extend(PersonName::parse(input).err());
            errors.extend(Email::parse(input).err());
            errors.extend(Birthday::parse(input).err());
        }
        errors.extend(Email::parse(&"a".repeat(300)).err());
        for pw in [
            "",
            "a1",
            &"a1".repeat(40),
            "abcdefgh",
            "12345678",
            "a\u{1}cdefgh1",
            "alice1xyz",
            "xy19900101",
            "password1",
        ] {
            errors.extend(policy.check(pw, &ctx).err());
        }
        assert!(errors.len() > 30);
        for e in errors {
            assert!(is_known(e.code), "{} has no text", e.code);
        }
    }

    #[test]
    fn seed_wording_and_fallback() {
        assert_eq!(
            message("username_invalid", Lang::ZhTw),
            "帳號需設 5-15 字元的英文字母、數字，且第一個字須為英文字母。"
        );
        assert_eq!(message("no_such_code", Lang::ZhTw), GENERIC.0);
        assert_eq!(message("no_such_code", Lang::En), GENERIC.1);
        assert!(!is_known("no_such_code"));
    }
}
