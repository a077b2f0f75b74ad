//! The application's shared state: storage, settings, mail and SMS, hashing, metrics,
//! certificate verification, upstream providers and OpenID keys, handed to every use case.

use std::sync::Arc;

use tessera_notify::{Mailer, SmsSender};
use tessera_store::Store;

use crate::error::Failure;
use crate::hashing::Hasher;
use crate::metrics::Metrics;
use crate::settings::Settings;

/// Everything a request may need; cheap to clone: one shared [`AppStateInner`], whose
/// fields read through `Deref` (axum clones the state for every layer of every request:
/// one reference count instead of one per field). Changing a field of a clone that is
/// shared copies the inner value first, so clones never see each other's changes.
#[derive(Clone)]
pub struct AppState(Arc<AppStateInner>);

impl std::ops::Deref for AppState {
    type Target = AppStateInner;
    fn deref(&self) -> &AppStateInner {
        &self.0
    }
}

impl std::ops::DerefMut for AppState {
    fn deref_mut(&mut self) -> &mut AppStateInner {
        Arc::make_mut(&mut self.0)
    }
}

/// The fields of [`AppState`].
#[derive(Clone)]
pub struct AppStateInner {
    pub store: Store,
    pub settings: Arc<Settings>,
    pub mailer: Arc<Mailer>,
    pub sms: Arc<SmsSender>,
    pub hasher: Hasher,
    pub metrics: Arc<Metrics>,
    /// Certificate verification; `None` when no trust directory is configured (the
    /// certificate endpoints then answer `cert_unavailable`).
    pub pki: Option<Arc<crate::flows::cert::service::CertService>>,
    /// Upstream OpenID providers for 「使用 X 登入」 (none unless configured).
    pub upstream: crate::flows::upstream::registry::Upstreams,
    // OpenID Connect provider: the signing keys' cache and the pairwise
    // subject secret (both backed by the database).
    pub oidc_keys: Arc<crate::flows::oidc::keys::KeyCache>,
    pub oidc_pairwise: Arc<tokio::sync::OnceCell<String>>,
    /// Registered clients, cached briefly for the token endpoint (`flows::oidc::client_cache`).
    pub oidc_clients: Arc<crate::flows::oidc::client_cache::ClientCache>,
    /// The HTTP client for requests to other services (upstream providers); plugged in by
    /// the web layer. Without one, upstream sign-in answers `upstream_unavailable`.
    pub outbound: Option<Arc<dyn crate::outbound::Outbound>>,
    /// Demo mode's card reader (`tessera serve --demo`), for the `/demo` page.
    pub demo_cards: Option<Arc<dyn crate::demo::DemoCards>>,
    /// The application types offered (none unless configured, or the demo's example).
    pub applications: Arc<crate::apply::Applications>,
}

impl AppState {
    pub fn new(
        store: Store,
        settings: Settings,
        mailer: Mailer,
        sms: SmsSender,
    ) -> Result<Self, Failure> {
        Ok(Self(Arc::new(AppStateInner {
            store,
            hasher: Hasher::new(settings.hash)?,
            settings: Arc::new(settings),
            mailer: Arc::new(mailer),
            sms: Arc::new(sms),
            metrics: Arc::new(Metrics::new()),
            pki: None,
            upstream: Default::default(),
            oidc_keys: Arc::new(crate::flows::oidc::keys::KeyCache::new()),
            oidc_pairwise: Arc::new(tokio::sync::OnceCell::new()),
            oidc_clients: Arc::default(),
            outbound: None,
            demo_cards: None,
            applications: Arc::new(crate::apply::Applications::none()),
        })))
    }

    /// Offers these application types.
    pub fn with_applications(mut self, applications: crate::apply::Applications) -> Self {
        self.applications = Arc::new(applications);
        self
    }

    /// Turns certificate sign-in on with `verifier`; challenges live in the database.
    pub fn with_pki(mut self, verifier: tessera_pki::Verifier) -> Self {
        self.pki = Some(Arc::new(crate::flows::cert::service::CertService::new(
            verifier,
            self.store.clone(),
        )));
        self
    }

    /// Offers sign-in with these upstream OpenID providers.
    pub fn with_upstream(mut self, upstream: crate::flows::upstream::registry::Upstreams) -> Self {
        self.upstream = upstream;
        self
    }

    /// The secret behind pairwise subjects, shared by all nodes through the database.
    pub async fn oidc_pairwise_key(&self) -> Result<&str, Failure> {
        let store = self.store.clone();
        self.oidc_pairwise
            .get_or_try_init(|| async move { store.shared_secret("oidc-pairwise").await })
            .await
            .map(String::as_str)
            .map_err(Failure::from)
    }

    /// An absolute URL on the public base URL.
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.settings.base_url, path)
    }
}
