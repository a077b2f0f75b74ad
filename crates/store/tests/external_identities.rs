//! Upstream brokering state on both backends: an external identity links to one account only
//! and an account holds one identity per issuer (also under concurrent links from two nodes),
//! links are listed, touched and removed only by their account and go with the account;
//! authorization requests are taken once; waiting identities expire and are purged.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::Store;
use tessera_store::external_identities::{LinkOutcome, NewLink};
use tessera_store::testing::TestDatabase;
use tessera_store::upstream_flow::{PendingIdentity, UpstreamState};

tessera_store::both_backends!(
    an_identity_links_to_one_account,
    concurrent_links_have_one_winner,
    links_are_listed_touched_and_removed_by_their_owner,
    links_go_with_the_account,
    requests_are_taken_once_and_pending_identities_expire,
);

const GOOGLE: &str = "https://accounts.google.com";

fn link(account_id: &str, issuer: &str, subject: &str) -> NewLink {
    NewLink {
        account_id: account_id.to_owned(),
        provider: "google".to_owned(),
        issuer: issuer.to_owned(),
        subject: subject.to_owned(),
        email: Some("wang@gmail.example".to_owned()),
        linked_at: NOW,
    }
}

async fn an_identity_links_to_one_account(store: Store, _db: TestDatabase) -> TestResult {
    let a = register(&store, "Alice01").await?;
    let b = register(&store, "Bobby01").await?;
    let first = store
        .link_external_identity(&link(&a.id, GOOGLE, "1001"))
        .await?;
    let LinkOutcome::Linked(x) = first else {
        return Err(format!("first link: {first:?}").into());
    };
    assert_eq!(
        (x.account_id.as_str(), x.subject.as_str()),
        (a.id.as_str(), "1001")
    );
    assert_eq!(x.last_used_at, None);
    // The same identity again on the same account changes nothing.
    let again = store
        .link_external_identity(&link(&a.id, GOOGLE, "1001"))
        .await?;
    assert_eq!(again, LinkOutcome::AlreadyLinked(x.clone()));
    // Another account cannot take it.
    let other = store
        .link_external_identity(&link(&b.id, GOOGLE, "1001"))
        .await?;
    assert_eq!(other, LinkOutcome::LinkedElsewhere);
    // A second identity of the same issuer on the same account is refused.
    let second = store
        .link_external_identity(&link(&a.id, GOOGLE, "2002"))
        .await?;
    assert_eq!(second, LinkOutcome::IssuerTaken);
    // The same subject at another issuer is another person.
    let fb = store
        .link_external_identity(&link(&b.id, "https://www.facebook.com", "1001"))
        .await?;
    assert!(matches!(fb, LinkOutcome::Linked(_)), "{fb:?}");
    assert_eq!(
        store
            .external_identity(GOOGLE, "1001")
            .await?
            .map(|x| x.account_id),
        Some(a.id.clone())
    );
    assert_eq!(store.external_identity(GOOGLE, "2002").await?, None);
    Ok(())
}

async fn concurrent_links_have_one_winner(store: Store, db: TestDatabase) -> TestResult {
    let mut accounts = Vec::new();
    for i in 0..6 {
        accounts.push(register(&store, &format!("Racer{i:02}")).await?);
    }
    let node_b = db.connect().await?;
    let mut tasks = Vec::new();
    for (i, a) in accounts.iter().enumerate() {
        let s = if i % 2 == 0 {
            store.clone()
        } else {
            node_b.clone()
        };
        let l = link(&a.id, GOOGLE, "race");
        tasks.push(tokio::spawn(
            async move { s.link_external_identity(&l).await },
        ));
    }
    let mut won = 0;
    for t in tasks {
        match t.await?? {
            LinkOutcome::Linked(_) => won += 1,
            LinkOutcome::LinkedElsewhere => {}
            other => return Err(format!("unexpected {other:?}").into()),
        }
    }
    assert_eq!(won, 1);
    Ok(())
}

async fn links_are_listed_touched_and_removed_by_their_owner(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let a = register(&store, "Carol01").await?;
    let b = register(&store, "David01").await?;
    store
        .link_external_identity(&link(&a.id, GOOGLE, "c-1"))
        .await?;
    let mut fb = link(&a.id, "https://www.facebook.com", "c-2");
    fb.provider = "facebook".to_owned();
    fb.linked_at = NOW + 5;
    store.link_external_identity(&fb).await?;
    let links = store.external_identities_of(&a.id).await?;
    let providers: Vec<&str> = links.iter().map(|x| x.provider.as_str()).collect();
    assert_eq!(providers, ["google", "facebook"]);
    assert!(store.external_identities_of(&b.id).await?.is_empty());

    let g = &links[0];
    assert!(
        store
            .touch_external_identity(&g.id, Some("new@gmail.example"), NOW + 60)
            .await?
    );
    let g2 = store
        .external_identity(GOOGLE, "c-1")
        .await?
        .ok_or("gone")?;
    assert_eq!(g2.last_used_at, Some(NOW + 60));
    assert_eq!(g2.email.as_deref(), Some("new@gmail.example"));
    // No email this time: the one seen before stays.
    store.touch_external_identity(&g.id, None, NOW + 70).await?;
    let g3 = store
        .external_identity(GOOGLE, "c-1")
        .await?
        .ok_or("gone")?;
    assert_eq!(g3.email.as_deref(), Some("new@gmail.example"));

    // Another account cannot remove it; its owner can, once.
    assert_eq!(store.unlink_external_identity(&b.id, &g.id).await?, None);
    let removed = store.unlink_external_identity(&a.id, &g.id).await?;
    assert_eq!(removed.map(|x| x.subject), Some("c-1".to_owned()));
    assert_eq!(store.unlink_external_identity(&a.id, &g.id).await?, None);
    assert_eq!(store.external_identity(GOOGLE, "c-1").await?, None);
    // Once removed, the identity can be linked again, to anyone.
    let relinked = store
        .link_external_identity(&link(&b.id, GOOGLE, "c-1"))
        .await?;
    assert!(matches!(relinked, LinkOutcome::Linked(_)), "{relinked:?}");
    Ok(())
}

async fn links_go_with_the_account(store: Store, _db: TestDatabase) -> TestResult {
    let a = register(&store, "Erin001").await?;
    store
        .link_external_identity(&link(&a.id, GOOGLE, "e-1"))
        .await?;
    assert!(store.delete_account(&a.id, NOW + 10).await?);
    assert_eq!(store.external_identity(GOOGLE, "e-1").await?, None);
    Ok(())
}

fn request(hash: &str, expires_at: i64) -> UpstreamState {
    UpstreamState {
        state_hash: hash.to_owned(),
        provider: "google".to_owned(),
        browser_hash: "browser-a".to_owned(),
        nonce: "n-0S6_WzA2Mj".to_owned(),
        code_verifier: "v".repeat(43),
        purpose: "login".to_owned(),
        account_id: None,
        next_path: Some("/account".to_owned()),
        expires_at,
    }
}

async fn requests_are_taken_once_and_pending_identities_expire(
    store: Store,
    db: TestDatabase,
) -> TestResult {
    let r = request("s1", NOW + 600);
    store.insert_upstream_state(&r).await?;
    store
        .insert_upstream_state(&request("old", NOW - 1))
        .await?;
    let node_b = db.connect().await?;
    assert_eq!(node_b.take_upstream_state("s1").await?, Some(r));
    assert_eq!(store.take_upstream_state("s1").await?, None);
    assert!(!format!("{:?}", request("x", 0)).contains("n-0S6_WzA2Mj"));

    let p = PendingIdentity {
        id_hash: "p1".to_owned(),
        provider: "google".to_owned(),
        issuer: GOOGLE.to_owned(),
        subject: "p-1".to_owned(),
        email: Some("p@gmail.example".to_owned()),
        email_verified: true,
        name: Some("林小美".to_owned()),
        next_path: None,
        expires_at: NOW + 600,
    };
    store.insert_upstream_pending(&p).await?;
    assert_eq!(store.upstream_pending("p1", NOW).await?, Some(p.clone()));
    assert_eq!(store.upstream_pending("p1", NOW + 600).await?, None);
    assert_eq!(store.upstream_pending("nope", NOW).await?, None);

    // The purge removes the expired request and, later, the expired identity.
    assert_eq!(store.purge_upstream(NOW).await?, 1);
    assert_eq!(store.upstream_pending("p1", NOW).await?, Some(p));
    assert_eq!(store.purge_upstream(NOW + 600).await?, 1);
    assert!(!store.delete_upstream_pending("p1").await?);
    Ok(())
}
