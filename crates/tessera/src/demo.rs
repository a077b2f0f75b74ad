//! Demo mode (`tessera serve --demo`): a newcomer tries every certificate flow in a
//! browser without a card reader. On top of the demo test PKI (`certs.rs`) this module
//!
//! * creates the demo people's accounts once (`demo_people`),
//! * with `demo_orgs`, adds the organization registry entries, the organization cards and
//!   a back-office staff account, and
//! * runs the signing component **in-process**, from the `tessera-signer` library, on a
//!   PKCS#12 "reader" whose card the `/demo` page swaps (like pulling one card and inserting
//!   another). In-process rather than a child process: the demo must swap cards from a web
//!   page, which needs the signer's key store in reach; nothing extra has to be built, found
//!   or stopped, and it ends with `serve`.
//!
//! The demo signer takes the configured signer address (default 127.0.0.1:61161) when it is
//! free. When something already listens there — a real tessera-signer or HiPKI — that
//! program is left alone: the demo signer listens on a free loopback port instead, the demo's
//! pages use that one (CSP included), and the start-up message says so.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use tessera_app::demo::{DemoCards, DemoPerson};
use tessera_pki::Verifier;
use tessera_pki::testpki::Manifest;
use tessera_signer::backend::pkcs12::Pkcs12Backend;
use tessera_signer::backend::{Backend, Selection, SignOp, Signed, SlotReport};
use tessera_signer::pin::Pin;
use tessera_signer::{SignerError, origins::Origins};
use tessera_web::AppState;
use tokio::net::TcpListener;

use crate::config::Config;
use crate::runtime::RunError;

/// The demo signer's reader: one PKCS#12 card at a time, swapped by the `/demo` page.
pub struct DemoReader {
    dir: PathBuf,
    manifest: Manifest,
    people: Vec<DemoPerson>,
    card: RwLock<(String, Arc<dyn Backend>)>,
}

impl DemoReader {
    fn open(&self, id: &str) -> Result<Arc<dyn Backend>, String> {
        let e = self
            .manifest
            .entity(id)
            .filter(|_| self.people.iter().any(|p| p.id == id))
            .ok_or_else(|| format!("no demo card {id}"))?;
        let pin = Pin::from_request(&self.manifest.p12_password);
        Pkcs12Backend::open(&self.dir.join(&e.p12), pin.as_ref())
            .map(|b| Arc::new(b) as Arc<dyn Backend>)
            .map_err(|e| e.to_string())
    }

    fn current(&self) -> Arc<dyn Backend> {
        match self.card.read() {
            Ok(c) => c.1.clone(),
            Err(p) => p.into_inner().1.clone(),
        }
    }
}

impl Backend for DemoReader {
    fn slots(&self, with_certs: bool) -> Result<Vec<SlotReport>, SignerError> {
        self.current().slots(with_certs)
    }

    fn sign_with(
        &self,
        sel: &Selection,
        pin: &Pin,
        op: &mut SignOp<'_>,
    ) -> Result<Signed, SignerError> {
        self.current().sign_with(sel, pin, op)
    }
}

impl DemoCards for DemoReader {
    fn people(&self) -> Vec<DemoPerson> {
        self.people.clone()
    }

    fn inserted(&self) -> Option<String> {
        self.card.read().ok().map(|c| c.0.clone())
    }

    fn insert(&self, id: &str) -> Result<(), String> {
        let backend = self.open(id)?;
        let mut card = self
            .card
            .write()
            .map_err(|_| "reader poisoned".to_owned())?;
        *card = (id.to_owned(), backend);
        tracing::info!(card = id, "demo card inserted");
        Ok(())
    }

    fn pin(&self) -> String {
        self.manifest.p12_password.clone()
    }
}

/// The loopback address of a signer URL such as `http://127.0.0.1:61161`.
fn signer_addr(url: &str) -> Option<SocketAddr> {
    let rest = url.strip_prefix("http://")?.trim_end_matches('/');
    let rest = rest
        .strip_prefix("localhost:")
        .map_or_else(|| rest.to_owned(), |port| format!("127.0.0.1:{port}"));
    rest.parse()
        .ok()
        .filter(|a: &SocketAddr| a.ip().is_loopback())
}

/// Seeds the demo accounts, starts the in-process signer and hands its reader to the pages.
/// Call before the app is built: it may move the pages' signer address.
pub async fn start(
    config: &Config,
    state: &mut AppState,
    verifier: &Verifier,
) -> Result<(), RunError> {
    let dir = config.data_dir.join("demo-pki");
    if !dir.join("manifest.json").is_file() {
        println!(
            "Demo signer not started: [pki] trust_dir is configured, so there is no demo PKI."
        );
        return Ok(());
    }
    let manifest = Manifest::load(&dir)?;
    let mut people = crate::demo_people::seed(state, verifier, &dir, &manifest).await?;
    crate::demo_orgs::seed(state, &manifest).await?;
    people.extend(crate::demo_orgs::cards(&manifest)?);
    let wanted = signer_addr(&state.settings.signer_url)
        .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 61161)));
    let listener = match TcpListener::bind(wanted).await {
        Ok(l) => l,
        Err(e) => {
            println!(
                "Demo signer: {wanted} is taken ({e}) — probably your own tessera-signer or HiPKI. \
                 It is left alone; the demo signer uses another loopback port and the demo pages talk to that one."
            );
            TcpListener::bind("127.0.0.1:0").await?
        }
    };
    let addr = listener.local_addr()?;
    let url = format!("http://{addr}");
    let reader = Arc::new(DemoReader {
        dir: dir.clone(),
        manifest,
        people,
        card: RwLock::new((String::new(), Arc::new(NoCard) as Arc<dyn Backend>)),
    });
    reader.insert("citizen-wang")?;
    let approvals = config.data_dir.join("demo-signer-approvals.json");
    let origins = Arc::new(Origins::new(
        std::slice::from_ref(&state.settings.base_url),
        Some(approvals),
    )?);
    let signer = Arc::new(tessera_signer::server::AppState::new(
        reader.clone(),
        origins,
        addr,
    ));
    tokio::spawn(async move {
        if let Err(e) =
            tessera_signer::server::serve(listener, signer, std::future::pending()).await
        {
            tracing::error!(error = %e, "demo signer stopped");
        }
    });
    let mut settings = (*state.settings).clone();
    settings.signer_url = url.clone();
    state.settings = Arc::new(settings);
    state.demo_cards = Some(reader);
    println!("Demo signer (in-process, test cards, PIN = tessera-test) on {url}");
    println!(
        "Demo people, their passwords and the card switch: {}/demo",
        state.settings.base_url
    );
    Ok(())
}

/// The reader before the first card goes in.
struct NoCard;

impl Backend for NoCard {
    fn slots(&self, _with_certs: bool) -> Result<Vec<SlotReport>, SignerError> {
        Ok(Vec::new())
    }

    fn sign_with(&self, _: &Selection, _: &Pin, _: &mut SignOp<'_>) -> Result<Signed, SignerError> {
        Err(SignerError::NoCard)
    }
}
