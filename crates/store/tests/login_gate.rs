//! The sign-in gate: parallel attempts cannot slip past the CAPTCHA demand or the lock, and
//! a username without an account is gated exactly like one with an account.

mod common;

use common::{NOW, TestResult, register};
use tessera_store::testing::TestDatabase;
use tessera_store::{GateLimits, GateSubject, LoginGate, Store};

type Out<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

tessera_store::both_backends!(
    parallel_attempts_without_captcha_stop_at_the_threshold,
    unknown_names_get_the_same_answers_as_accounts,
    captcha_lets_attempts_on_until_the_lock,
    old_phantoms_are_purged,
);

const LIMITS: GateLimits = GateLimits {
    captcha_after: 3,
    disable_after: 5,
};

async fn parallel(store: &Store, who: GateSubject<'static>, n: usize) -> Out<Vec<LoginGate>> {
    let mut tasks = Vec::new();
    for _ in 0..n {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store.gate_login(who, LIMITS, false, NOW).await
        }));
    }
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await??);
    }
    Ok(out)
}

async fn parallel_attempts_without_captcha_stop_at_the_threshold(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Gate001").await?;
    let id: &'static str = Box::leak(account.id.clone().into_boxed_str());
    for who in [
        GateSubject::Account(id),
        GateSubject::Phantom("nobody-here"),
    ] {
        let answers = parallel(&store, who, 200).await?;
        let counted = answers
            .iter()
            .filter(|a| matches!(a, LoginGate::Counted(_)))
            .count();
        let captcha = answers
            .iter()
            .filter(|a| **a == LoginGate::CaptchaRequired)
            .count();
        assert_eq!((counted, captcha), (3, 197), "{who:?}");
    }
    Ok(())
}

/// Drives `who` through wrong passwords the way the sign-in flow does and records the answers.
async fn sequence(store: &Store, who: GateSubject<'_>) -> Out<Vec<&'static str>> {
    let mut seen = Vec::new();
    for attempt in 0..8 {
        // From the fourth attempt on, the caller brings a solved CAPTCHA.
        let gate = store.gate_login(who, LIMITS, attempt >= 3, NOW).await?;
        seen.push(match gate {
            LoginGate::Counted(n) => {
                let just = store
                    .settle_login_failure(who, LIMITS.disable_after)
                    .await?;
                if n >= LIMITS.disable_after {
                    assert!(just, "the fifth failure locks");
                    "locked"
                } else {
                    "invalid"
                }
            }
            LoginGate::CaptchaRequired => "captcha",
            LoginGate::Locked => "locked",
        });
        if attempt == 3 {
            // Without the CAPTCHA the fourth is refused whatever the name.
            assert_eq!(
                store.gate_login(who, LIMITS, false, NOW).await?,
                LoginGate::CaptchaRequired
            );
        }
    }
    Ok(seen)
}

async fn unknown_names_get_the_same_answers_as_accounts(
    store: Store,
    _db: TestDatabase,
) -> TestResult {
    let account = register(&store, "Gate002").await?;
    let known = sequence(&store, GateSubject::Account(&account.id)).await?;
    let unknown = sequence(&store, GateSubject::Phantom("gate002-not-registered")).await?;
    assert_eq!(
        known,
        [
            "invalid", "invalid", "invalid", "invalid", "locked", "locked", "locked", "locked"
        ]
    );
    assert_eq!(known, unknown);
    let locked = store.account_by_id(&account.id).await?.map(|a| a.disabled);
    assert_eq!(locked, Some(true));
    Ok(())
}

async fn captcha_lets_attempts_on_until_the_lock(store: Store, _db: TestDatabase) -> TestResult {
    let account = register(&store, "Gate003").await?;
    let id: &'static str = Box::leak(account.id.clone().into_boxed_str());
    // 50 parallel attempts, every one with a solved CAPTCHA: only five are counted before the
    // lock, however they interleave.
    let mut tasks = Vec::new();
    for _ in 0..50 {
        let store = store.clone();
        tasks.push(tokio::spawn(async move {
            store
                .gate_login(GateSubject::Account(id), LIMITS, true, NOW)
                .await
        }));
    }
    let mut counted = 0;
    for t in tasks {
        if let LoginGate::Counted(_) = t.await?? {
            counted += 1;
        }
    }
    assert_eq!(counted, 5);
    assert!(
        store
            .settle_login_failure(GateSubject::Account(id), 5)
            .await?
    );
    assert_eq!(
        store
            .gate_login(GateSubject::Account(id), LIMITS, true, NOW)
            .await?,
        LoginGate::Locked
    );
    // A right password now changes nothing: the account stays locked.
    assert!(!store.record_login_success(id, NOW).await?);
    Ok(())
}

async fn old_phantoms_are_purged(store: Store, _db: TestDatabase) -> TestResult {
    let old = NOW - tessera_store::PHANTOM_RETENTION_SECS - 1;
    store
        .gate_login(GateSubject::Phantom("old-name"), LIMITS, false, old)
        .await?;
    store
        .gate_login(GateSubject::Phantom("recent-name"), LIMITS, false, NOW)
        .await?;
    assert_eq!(store.purge_expired(NOW).await?, 1);
    // The old name starts again from nothing; the recent one kept its failure.
    assert_eq!(
        store
            .gate_login(GateSubject::Phantom("old-name"), LIMITS, false, NOW)
            .await?,
        LoginGate::Counted(1)
    );
    assert_eq!(
        store
            .gate_login(GateSubject::Phantom("recent-name"), LIMITS, false, NOW)
            .await?,
        LoginGate::Counted(2)
    );
    Ok(())
}
