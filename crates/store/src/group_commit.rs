//! Group commit: work queued by this node's tasks at the same moment is written together,
//! in one transaction.
//!
//! Every caller queues its item and then waits for its answer or the queue's writer lock,
//! whichever comes first. Whoever gets the lock starts a writer on a thread of its own,
//! which hands everything queued so far (up to a batch limit) to the write function, then
//! the next batch, until the queue is empty; the callers of a batch wake on their answers,
//! all at once. No timer: a lone item is written immediately, and under load the batches
//! form by themselves while the previous one commits. The writer is not a caller's future,
//! so a caller that is cancelled never leaves a half-written batch.
//! Used by the audit log (`audit_queue.rs`) and the token endpoint's code exchange
//! (`oidc/exchange.rs`).

use std::future::Future;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

/// A queue of items waiting for the node's writer.
pub(crate) struct GroupCommit<T> {
    pending: Mutex<Vec<T>>,
    writer: tokio::sync::Mutex<()>,
}

impl<T> Default for GroupCommit<T> {
    fn default() -> Self {
        Self {
            pending: Mutex::new(Vec::new()),
            writer: tokio::sync::Mutex::new(()),
        }
    }
}

impl<T> std::fmt::Debug for GroupCommit<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit").finish_non_exhaustive()
    }
}

impl<T: Send + 'static> GroupCommit<T> {
    fn push(&self, item: T) {
        // A poisoned lock only means a panic elsewhere while pushing or taking: the vector
        // itself is intact.
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        q.push(item);
    }

    fn take(&self, max: usize) -> Vec<T> {
        let mut q = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let n = q.len().min(max);
        q.drain(..n).collect()
    }

    /// Queues `item` (which carries the sender of `answer`) and waits for its answer,
    /// writing batches of at most `max` items with `write` while holding the writer lock.
    /// `None`: the writer dropped the item's sender without answering (it panicked).
    pub(crate) async fn submit<R, F, Fut>(
        self: &Arc<Self>,
        item: T,
        mut answer: oneshot::Receiver<R>,
        max: usize,
        write: F,
    ) -> Option<R>
    where
        F: Fn(Vec<T>) -> Fut + Send + 'static,
        Fut: Future<Output = ()>,
    {
        self.push(item);
        // Wait for the answer or the writer lock, whichever comes first: the callers of a
        // batch are woken together by their answers (any worker thread may run them),
        // rather than one after another as the lock passes down its queue.
        let writer = tokio::select! {
            biased;
            r = &mut answer => return r.ok(),
            writer = self.writer.lock() => writer,
        };
        match answer.try_recv() {
            Ok(r) => return Some(r),
            Err(oneshot::error::TryRecvError::Closed) => return None,
            Err(oneshot::error::TryRecvError::Empty) => {}
        }
        // The writer runs on a thread of its own (tokio's blocking pool; it drives the
        // runtime's IO and timers) and writes batch after batch until the queue is empty:
        // each statement's answer and each next batch start at once, where a task would
        // queue behind every request the workers are busy with — and the batches are
        // what all of those requests wait for. A panicking batch drops its senders (those
        // callers get `None`) and ends this writer; a later caller starts another.
        let queue = Arc::clone(self);
        let rt = tokio::runtime::Handle::current();
        let _ = tokio::task::spawn_blocking(move || {
            loop {
                let batch = queue.take(max);
                if batch.is_empty() {
                    break;
                }
                rt.block_on(write(batch));
            }
        })
        .await;
        drop(writer);
        // Written by now, unless ours is in a batch whose writer was cancelled.
        answer.await.ok()
    }
}

/// Splits `n` rows into chunks whose sizes are powers of two (largest first), so that a
/// multi-row statement is prepared for at most log2(max)+1 different sizes.
pub(crate) fn pow2_chunks(mut n: usize) -> Vec<usize> {
    let mut out = Vec::new();
    while n > 0 {
        let size = 1usize << (usize::BITS - 1 - n.leading_zeros());
        out.push(size);
        n -= size;
    }
    out
}

/// `$from, $from+1, …` for `count` parameters, comma-separated.
pub(crate) fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::{GroupCommit, placeholders, pow2_chunks};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use tokio::sync::oneshot;

    #[test]
    fn chunks_are_powers_of_two_summing_to_n() {
        assert_eq!(pow2_chunks(0), Vec::<usize>::new());
        assert_eq!(pow2_chunks(1), vec![1]);
        assert_eq!(pow2_chunks(37), vec![32, 4, 1]);
        assert_eq!(pow2_chunks(64), vec![64]);
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_items_share_batches_and_each_gets_its_own_answer() {
        let q: Arc<GroupCommit<(usize, oneshot::Sender<usize>)>> = Arc::default();
        let batches = Arc::new(AtomicUsize::new(0));
        let mut tasks = Vec::new();
        for i in 0..200 {
            let (q, batches) = (q.clone(), batches.clone());
            tasks.push(tokio::spawn(async move {
                let (tx, rx) = oneshot::channel();
                q.submit((i, tx), rx, 16, move |batch| {
                    let batches = batches.clone();
                    async move {
                        assert!(batch.len() <= 16);
                        batches.fetch_add(1, Ordering::Relaxed);
                        tokio::task::yield_now().await;
                        for (i, tx) in batch {
                            let _ = tx.send(i * 2);
                        }
                    }
                })
                .await
                .map(|r| (i, r))
            }));
        }
        for t in tasks {
            let (i, r) = t.await.expect("task").expect("answered");
            assert_eq!(r, i * 2, "every caller gets the answer to its own item");
        }
        let n = batches.load(Ordering::Relaxed);
        assert!(
            n < 200,
            "some items shared a batch ({n} batches for 200 items)"
        );
    }
}
