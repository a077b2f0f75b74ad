//! HiPKI LocalSignServer return codes (`ret_code`) and the PKCS#11 return values carried in
//! `last_error`, with the zh-TW text HiPKI's own pages show. Numbers never change: existing
//! government pages compare them literally.

/// Success.
pub const OK: u32 = 0;
/// 未輸入待簽訊息 (no data to be signed).
pub const NO_TBS: u32 = 0x7600_0003;
/// 未插入IC卡 (no card / token in any reader).
pub const NO_CARD: u32 = 0x7600_0006;
/// JSON格式錯誤 (the request is not JSON).
pub const BAD_JSON: u32 = 0x7600_000B;
/// 參數錯誤 (a parameter has a wrong value).
pub const BAD_PARAM: u32 = 0x7600_000C;
/// 不支援的方法 (unknown `func`).
pub const UNSUPPORTED_FUNC: u32 = 0x7600_000E;
/// 禁止存取的網域 (older HiPKI code for a forbidden site; accepted by the client).
pub const FORBIDDEN_DOMAIN: u32 = 0x7600_000F;
/// 在未授權的網站執行元件 (the requesting site is not approved).
pub const SITE_NOT_ALLOWED: u32 = 0x7600_0031;
/// 未輸入PIN碼 (no PIN).
pub const NO_PIN: u32 = 0x7600_0998;
/// 使用者已取消動作 (the user cancelled).
pub const CANCELLED: u32 = 0x7600_0999;
/// 無法載入IC卡函式庫檔案 (the PKCS#11 module cannot be loaded).
pub const MODULE_LOAD_FAILED: u32 = 0x7610_0001;
/// 無可用讀卡機 (no reader / slot).
pub const NO_READER: u32 = 0x7610_0003;
/// 取得讀卡機資訊失敗 (reading slot information failed).
pub const READER_INFO_FAILED: u32 = 0x7610_0004;
/// 取得session失敗 (opening a session failed).
pub const SESSION_FAILED: u32 = 0x7610_0005;
/// IC卡登入失敗 (login failed: wrong or locked PIN, see `last_error`).
pub const LOGIN_FAILED: u32 = 0x7610_0006;
/// IC卡取得金鑰失敗 (reading the key failed).
pub const KEY_FAILED: u32 = 0x7610_0008;
/// IC卡取得憑證失敗 (reading the certificate failed).
pub const CERT_FAILED: u32 = 0x7610_0009;
/// 找不到指定憑證 (no matching certificate).
pub const CERT_NOT_FOUND: u32 = 0x7610_000C;
/// 找不到指定金鑰 (no matching private key).
pub const KEY_NOT_FOUND: u32 = 0x7610_000D;
/// pfx初始失敗 (the PKCS#12 file cannot be read).
pub const PFX_INIT_FAILED: u32 = 0x7620_0001;
/// 簽章型別錯誤 (unsupported signatureType / hashAlgorithm).
pub const SIGN_TYPE: u32 = 0x7630_0002;
/// 簽章執行錯誤 (the signing operation failed).
pub const SIGN_FAILED: u32 = 0x7630_0004;
/// Base64解碼錯誤 (tbs is not valid base64).
pub const BASE64_DECODE: u32 = 0x7660_0002;

/// PKCS#11 `CKR_PIN_INCORRECT`.
pub const CKR_PIN_INCORRECT: u64 = 0xA0;
/// PKCS#11 `CKR_PIN_LEN_RANGE`.
pub const CKR_PIN_LEN_RANGE: u64 = 0xA2;
/// PKCS#11 `CKR_PIN_LOCKED`.
pub const CKR_PIN_LOCKED: u64 = 0xA4;

/// The zh-TW message HiPKI pages show for a `ret_code`.
pub fn message(code: u32) -> &'static str {
    match code {
        OK => "成功",
        NO_TBS => "未輸入待簽訊息",
        NO_CARD => "未插入IC卡",
        BAD_JSON => "JSON格式錯誤",
        BAD_PARAM => "參數錯誤",
        UNSUPPORTED_FUNC => "不支援的方法",
        FORBIDDEN_DOMAIN => "禁止存取的網域",
        SITE_NOT_ALLOWED => "在未授權的網站執行元件",
        NO_PIN => "未輸入PIN碼",
        CANCELLED => "使用者已取消動作",
        MODULE_LOAD_FAILED => "無法載入IC卡函式庫檔案",
        NO_READER => "無可用讀卡機",
        READER_INFO_FAILED => "取得讀卡機資訊失敗",
        SESSION_FAILED => "取得session失敗",
        LOGIN_FAILED => "IC卡登入失敗",
        KEY_FAILED => "IC卡取得金鑰失敗",
        CERT_FAILED => "IC卡取得憑證失敗",
        CERT_NOT_FOUND => "找不到指定憑證",
        KEY_NOT_FOUND => "找不到指定金鑰",
        PFX_INIT_FAILED => "pfx初始失敗",
        SIGN_TYPE => "簽章型別錯誤",
        SIGN_FAILED => "簽章執行錯誤",
        BASE64_DECODE => "Base64解碼錯誤",
        _ => "未知的錯誤",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hipki_numbers_are_fixed() {
        assert_eq!(NO_CARD, 1_979_711_494);
        assert_eq!(NO_PIN, 0x76000998);
        assert_eq!(CANCELLED, 0x76000999);
        assert_eq!(NO_READER, 0x76100003);
        assert_eq!(SITE_NOT_ALLOWED, 0x76000031);
        assert_eq!(message(NO_CARD), "未插入IC卡");
        assert_eq!(message(0x1234), "未知的錯誤");
    }
}
