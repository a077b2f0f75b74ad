//! Shared secrets: created once, the same for every store on the database, on both backends.

use tessera_store::Store;
use tessera_store::testing::TestDatabase;

async fn same_secret_for_every_node(store: Store, db: TestDatabase) -> Result<(), String> {
    let other = Store::connect(db.url()).await.map_err(|e| e.to_string())?;
    let a = store
        .shared_secret("captcha")
        .await
        .map_err(|e| e.to_string())?;
    let b = other
        .shared_secret("captcha")
        .await
        .map_err(|e| e.to_string())?;
    if a != b || a.len() != 64 {
        return Err(format!("secrets differ or too short: {a} / {b}"));
    }
    let c = store
        .shared_secret("other")
        .await
        .map_err(|e| e.to_string())?;
    if c == a {
        return Err("different names must get different secrets".into());
    }
    Ok(())
}

tessera_store::both_backends!(same_secret_for_every_node);

/// Many first callers racing on two nodes all get the one stored value.
async fn racing_first_callers_agree(store: Store, db: TestDatabase) -> Result<(), String> {
    let other = db.connect().await.map_err(|e| e.to_string())?;
    let mut tasks = Vec::new();
    for i in 0..20 {
        let node = if i % 2 == 0 {
            store.clone()
        } else {
            other.clone()
        };
        tasks.push(tokio::spawn(
            async move { node.shared_secret("race").await },
        ));
    }
    let mut values = Vec::new();
    for task in tasks {
        let value = task.await.map_err(|e| e.to_string())?;
        values.push(value.map_err(|e| e.to_string())?);
    }
    values.dedup();
    if values.len() != 1 {
        return Err(format!("{} different secrets handed out", values.len()));
    }
    Ok(())
}

tessera_store::both_backends!(racing_first_callers_agree);
