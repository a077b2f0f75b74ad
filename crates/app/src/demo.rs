//! Demo mode's card reader (`tessera serve --demo`): the binary runs a PKCS#12-backed signer
//! in-process with the demo people's test cards, and the `/demo` page lets a newcomer "insert"
//! one of them — the web layer sees only this trait, not the signer.

/// A demo person and what to try with their card.
#[derive(Debug, Clone)]
pub struct DemoPerson {
    /// Test PKI entity id, e.g. `citizen-wang`.
    pub id: String,
    pub name: String,
    pub national_id: Option<String>,
    /// The demo account to sign in to, if one was made (username, password).
    pub account: Option<(String, String)>,
    /// What this card shows, zh-TW and English.
    pub try_zh: String,
    pub try_en: String,
}

/// The demo signer's reader.
pub trait DemoCards: Send + Sync {
    /// The demo people, in display order.
    fn people(&self) -> Vec<DemoPerson>;
    /// The id of the card in the reader now.
    fn inserted(&self) -> Option<String>;
    /// Puts another demo card in the reader.
    fn insert(&self, id: &str) -> Result<(), String>;
    /// The card PIN (the PKCS#12 password).
    fn pin(&self) -> String;
}
