//! Static assets embedded in the binary, served under `/assets/<content hash>/<name>` with a
//! long immutable cache (a new build changes the hash, so browsers never keep a stale copy).
//! All assets share one version segment, so a module imports another as `./name.js`.

use std::sync::LazyLock;

use axum::extract::Path;
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "tessera.css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../assets/tessera.css"),
    },
    Asset {
        name: "altcha.min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/vendor/altcha.min.js"),
    },
    // The signer's browser client, from its own crate (one file, not a copy).
    Asset {
        name: "tessera-signer.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../../signer/client/tessera-signer.js"),
    },
    Asset {
        name: "signer-check.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/signer-check.js"),
    },
    Asset {
        name: "cert-sign.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/cert-sign.js"),
    },
    // The handler form (讀取憑證 through the signer, the permission checkbox tree).
    Asset {
        name: "org-handler.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../assets/org-handler.js"),
    },
];

/// One hash over every asset: the version segment of their URLs.
static VERSION: LazyLock<String> = LazyLock::new(|| {
    let mut h = Sha256::new();
    for a in ASSETS {
        h.update(a.name.as_bytes());
        h.update(a.bytes);
    }
    hex::encode(&h.finalize()[..6])
});

/// The versioned URL of the asset `name`.
pub fn url(name: &str) -> String {
    format!("/assets/{}/{name}", *VERSION)
}

pub async fn serve(Path((version, name)): Path<(String, String)>) -> Response {
    let Some(a) = ASSETS.iter().find(|a| a.name == name) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    // An old version's URL still gets the current file, but not for keeps.
    let cache = if version == *VERSION {
        "public, max-age=31536000, immutable"
    } else {
        "no-cache"
    };
    let mut resp = a.bytes.into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(a.content_type));
    h.insert(CACHE_CONTROL, HeaderValue::from_static(cache));
    resp
}
