//! OpenID Connect provider state on both backends, across nodes and under concurrency: a
//! code is redeemed by exactly one of many concurrent callers (later ones learn it was
//! reused; the token endpoint's one-call exchange stores exactly one refresh token and none
//! when its checks refuse), a refresh token rotates exactly once, a client assertion id is accepted once on
//! any node, revoking a grant ends its family, key rotation keeps the old key published.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::NewAuditEvent;
use tessera_store::Store;
use tessera_store::oidc::{
    Code, CodeExchange, Exchanged, Grant, OidcClient, Redeemed, RefreshToken, Rotated, SigningKey,
};
use tessera_store::testing::TestDatabase;

tessera_store::both_backends!(
    code_redeemed_once_under_concurrency,
    code_exchanged_once_with_its_refresh_token,
    concurrent_exchanges_commit_together,
    refresh_rotates_once_and_reuse_is_reported,
    assertion_ids_are_single_use_across_nodes,
    keys_rotate_with_the_old_one_published,
);

async fn setup(store: &Store) -> Result<(OidcClient, Grant), tessera_store::StoreError> {
    let account = register(store, "oidcuser1").await?;
    let client = OidcClient {
        id: "client-1".into(),
        name: "服務".into(),
        secret_hash: Some("00".repeat(32)),
        auth_method: "client_secret_basic".into(),
        redirect_uris: vec!["https://rp.example.tw/cb".into()],
        post_logout_redirect_uris: vec![],
        consent_required: true,
        allow_national_id: false,
        id_token_alg: "ES256".into(),
        jwks: None,
        sector: None,
        created_at: NOW,
    };
    store.create_oidc_client(&client).await?;
    let grant = Grant {
        id: "grant-1".into(),
        client_id: client.id.clone(),
        account_id: account.id,
        scope: "openid".into(),
        acr: "password".into(),
        auth_time: NOW,
        organization: None,
        created_at: NOW,
        expires_at: NOW + 86_400,
        revoked_at: None,
        revoked_reason: None,
    };
    Ok((client, grant))
}

fn code(grant: &Grant, hash: &str) -> Code {
    Code {
        hash: hash.into(),
        grant_id: grant.id.clone(),
        redirect_uri: "https://rp.example.tw/cb".into(),
        code_challenge: None,
        nonce: None,
        expires_at: NOW + 60,
    }
}

async fn code_redeemed_once_under_concurrency(store: Store, db: TestDatabase) -> TestResult {
    let (_, grant) = setup(&store).await?;
    store.issue_oidc_code(&grant, &code(&grant, "c1")).await?;
    let other = db.connect().await?;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = if i % 2 == 0 {
            store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            s.redeem_oidc_code("c1", NOW + 1).await
        }));
    }
    let mut ok = 0;
    let mut reused = 0;
    for t in tasks {
        match t.await?? {
            Redeemed::Ok(_, g) => {
                assert_eq!(g.id, "grant-1");
                ok += 1;
            }
            Redeemed::Reused { grant_id } => {
                assert_eq!(grant_id, "grant-1");
                reused += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!((ok, reused), (1, 7));
    assert_eq!(
        store.redeem_oidc_code("nope", NOW).await?,
        Redeemed::Unknown
    );
    let g2 = Grant {
        id: "grant-2".into(),
        ..grant.clone()
    };
    store.issue_oidc_code(&g2, &code(&g2, "c2")).await?;
    assert_eq!(
        store.redeem_oidc_code("c2", NOW + 61).await?,
        Redeemed::Expired
    );
    Ok(())
}

/// An exchange of `code` storing refresh token `refresh`; refused with `refuse` if given.
fn exchange(code: &str, now: i64, refresh: &str, refuse: Option<&'static str>) -> CodeExchange {
    CodeExchange {
        code_hash: code.into(),
        now,
        refresh: RefreshToken {
            hash: refresh.into(),
            grant_id: String::new(),
            created_at: now,
            expires_at: now + 10 * 86_400,
        },
        check: Box::new(move |r| match refuse {
            Some(reason) => Err(reason),
            None if !r.account_usable => Err("account"),
            None => Ok(NewAuditEvent {
                at: now,
                kind: "oidc.token_issued".into(),
                account_id: Some(r.grant.account_id.clone()),
                username: None,
                ip: None,
                user_agent: None,
                outcome: "authorization_code".into(),
                detail: None,
            }),
        }),
    }
}

async fn code_exchanged_once_with_its_refresh_token(store: Store, db: TestDatabase) -> TestResult {
    let (_, grant) = setup(&store).await?;
    store.issue_oidc_code(&grant, &code(&grant, "c1")).await?;
    let other = db.connect().await?;
    let mut tasks = Vec::new();
    for i in 0..8 {
        let s = if i % 2 == 0 {
            store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(async move {
            let out = s
                .exchange_oidc_code(exchange("c1", NOW + 1, &format!("r{i}"), None))
                .await;
            (i, out)
        }));
    }
    let mut winners = Vec::new();
    for t in tasks {
        match t.await? {
            (i, Ok(Exchanged::Issued(r))) => {
                assert_eq!(r.grant.id, "grant-1");
                winners.push(i);
            }
            (_, Ok(Exchanged::Reused { grant_id })) => assert_eq!(grant_id, "grant-1"),
            (_, other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(winners.len(), 1, "exactly one exchange wins");
    for i in 0..8 {
        let stored = store.oidc_refresh_grant(&format!("r{i}"), NOW + 2).await?;
        assert_eq!(
            stored.is_some(),
            winners.contains(&i),
            "only the winner's token"
        );
    }
    let (_, exp) = store
        .oidc_refresh_grant(&format!("r{}", winners[0]), NOW + 2)
        .await?
        .ok_or("winner's token")?;
    assert_eq!(exp, grant.expires_at, "never outlives its family");
    // Refused by the caller's checks: nothing stored, and the code is spent all the same.
    let g2 = Grant {
        id: "grant-2".into(),
        ..grant.clone()
    };
    store.issue_oidc_code(&g2, &code(&g2, "c2")).await?;
    let refuse = |code, now| exchange(code, now, "never", Some("pkce"));
    assert_eq!(
        store.exchange_oidc_code(refuse("c2", NOW + 1)).await?,
        Exchanged::Refused("pkce")
    );
    assert_eq!(
        store.exchange_oidc_code(refuse("c2", NOW + 2)).await?,
        Exchanged::Reused {
            grant_id: "grant-2".into()
        }
    );
    assert_eq!(
        store.exchange_oidc_code(refuse("nope", NOW)).await?,
        Exchanged::Unknown
    );
    let g3 = Grant {
        id: "grant-3".into(),
        ..grant.clone()
    };
    store.issue_oidc_code(&g3, &code(&g3, "c3")).await?;
    assert_eq!(
        store.exchange_oidc_code(refuse("c3", NOW + 61)).await?,
        Exchanged::Expired
    );
    Ok(())
}

async fn refresh_rotates_once_and_reuse_is_reported(store: Store, db: TestDatabase) -> TestResult {
    let (_, grant) = setup(&store).await?;
    store.issue_oidc_code(&grant, &code(&grant, "c1")).await?;
    let rt = |hash: &str| RefreshToken {
        hash: hash.into(),
        grant_id: grant.id.clone(),
        created_at: NOW,
        expires_at: NOW + 3600,
    };
    store.add_oidc_refresh(&rt("r1")).await?;
    let other = db.connect().await?;
    let (ra, rb) = (rt("r2a"), rt("r2b"));
    let (a, b) = tokio::join!(
        store.rotate_oidc_refresh("r1", &ra, NOW + 1),
        other.rotate_oidc_refresh("r1", &rb, NOW + 1)
    );
    let outcomes = [a?, b?];
    let wins = outcomes
        .iter()
        .filter(|o| matches!(o, Rotated::Ok(_)))
        .count();
    let reuses = outcomes
        .iter()
        .filter(|o| matches!(o, Rotated::Reused { .. }))
        .count();
    assert_eq!((wins, reuses), (1, 1));
    let live = if matches!(outcomes[0], Rotated::Ok(_)) {
        "r2a"
    } else {
        "r2b"
    };
    assert!(store.oidc_refresh_grant(live, NOW + 2).await?.is_some());
    assert!(store.revoke_oidc_grant("grant-1", "test", NOW + 2).await?);
    assert!(
        !store.revoke_oidc_grant("grant-1", "test", NOW + 2).await?,
        "revoked once"
    );
    let r3 = rt("r3");
    assert_eq!(
        store.rotate_oidc_refresh(live, &r3, NOW + 3).await?,
        Rotated::Invalid,
        "a revoked family does not rotate"
    );
    Ok(())
}

async fn assertion_ids_are_single_use_across_nodes(store: Store, db: TestDatabase) -> TestResult {
    let other = db.connect().await?;
    assert!(
        store
            .record_oidc_assertion("client-1", "jti-1", NOW + 60)
            .await?
    );
    assert!(
        !other
            .record_oidc_assertion("client-1", "jti-1", NOW + 60)
            .await?
    );
    assert!(
        other
            .record_oidc_assertion("client-2", "jti-1", NOW + 60)
            .await?
    );
    assert!(store.purge_oidc(NOW + 61).await? >= 2);
    Ok(())
}

async fn keys_rotate_with_the_old_one_published(store: Store, _db: TestDatabase) -> TestResult {
    let key = |kid: &str, at: i64| SigningKey {
        kid: kid.into(),
        alg: "ES256".into(),
        private_pem: "-----BEGIN PRIVATE KEY-----".into(),
        public_jwk: "{}".into(),
        created_at: at,
        retired_at: None,
        publish_until: None,
    };
    assert!(store.add_oidc_key_if_none(&key("k1", NOW)).await?);
    assert!(
        !store.add_oidc_key_if_none(&key("k1b", NOW)).await?,
        "one active key per alg"
    );
    let retired = store
        .rotate_oidc_key(&key("k2", NOW + 10), NOW + 100)
        .await?;
    assert_eq!(retired, vec!["k1".to_string()]);
    let kids = |ks: Vec<SigningKey>| ks.into_iter().map(|k| k.kid).collect::<Vec<_>>();
    assert_eq!(kids(store.oidc_keys(NOW + 50).await?), vec!["k2", "k1"]);
    assert_eq!(kids(store.oidc_keys(NOW + 100).await?), vec!["k2"]);
    assert!(
        format!("{:?}", key("k3", NOW)).contains("<redacted>"),
        "Debug hides the key"
    );
    Ok(())
}

/// Many exchanges at once on two nodes, each code twice: one issuance per code, the other
/// sees it reused; one exchange whose refresh token cannot be stored fails alone (its code
/// stays unspent) while the exchanges batched with it commit; every issuance is in an
/// unbroken audit chain.
async fn concurrent_exchanges_commit_together(store: Store, db: TestDatabase) -> TestResult {
    let (_, grant) = setup(&store).await?;
    let n = 24;
    for i in 0..n {
        let g = Grant {
            id: format!("g{i}"),
            ..grant.clone()
        };
        store
            .issue_oidc_code(&g, &code(&g, &format!("k{i}")))
            .await?;
    }
    let taken = RefreshToken {
        hash: "taken".into(),
        grant_id: "g0".into(),
        created_at: NOW,
        expires_at: NOW + 60,
    };
    store.add_oidc_refresh(&taken).await?;
    let other = db.connect().await?;
    let audit_before = store.verify_audit_chain().await?.entries;
    let mut tasks = Vec::new();
    for i in 0..n {
        for copy in 0..2 {
            let s = if copy == 0 {
                store.clone()
            } else {
                other.clone()
            };
            // Code k5 is exchanged once, with a refresh token that collides.
            let refresh = match (i, copy) {
                (5, 0) => "taken".to_string(),
                (5, _) => continue,
                _ => format!("t{i}-{copy}"),
            };
            tasks.push(tokio::spawn(async move {
                let x = exchange(&format!("k{i}"), NOW + 1, &refresh, None);
                (i, s.exchange_oidc_code(x).await)
            }));
        }
    }
    let mut issued = vec![0; n];
    let mut failed = 0;
    for t in tasks {
        match t.await? {
            (i, Ok(Exchanged::Issued(r))) => {
                assert_eq!(
                    r.grant.id,
                    format!("g{i}"),
                    "each caller gets its own code's grant"
                );
                issued[i] += 1;
            }
            (i, Ok(Exchanged::Reused { grant_id })) => assert_eq!(grant_id, format!("g{i}")),
            (5, Err(_)) => failed += 1,
            (i, other) => panic!("code {i}: unexpected {other:?}"),
        }
    }
    assert_eq!(failed, 1, "only the colliding exchange fails");
    let mut expected = vec![1; n];
    expected[5] = 0;
    assert_eq!(issued, expected, "every other code issued exactly once");
    let chain = store.verify_audit_chain().await?;
    assert_eq!(chain.first_bad_seq, None);
    assert_eq!(
        chain.entries - audit_before,
        n as u64 - 1,
        "one audit entry per issuance"
    );
    // Nothing of the failed exchange was committed: its code can still be exchanged.
    let again = store
        .exchange_oidc_code(exchange("k5", NOW + 2, "t5-again", None))
        .await?;
    assert!(
        matches!(again, Exchanged::Issued(_)),
        "k5 unspent: {again:?}"
    );
    let mut stored = 0;
    for i in 0..n {
        for copy in 0..2 {
            if store
                .oidc_refresh_grant(&format!("t{i}-{copy}"), NOW + 2)
                .await?
                .is_some()
            {
                stored += 1;
            }
        }
    }
    assert_eq!(stored, n - 1, "one refresh token per issuance");
    Ok(())
}
