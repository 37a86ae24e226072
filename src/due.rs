//! Firms named for a background worker: a request names its firm after its commit and wakes the
//! worker, which takes the names and does the firm's work. The text extraction queue
//! (`App::extraction`) and the search indexer (`Search::after_write`) each keep one.

use std::collections::BTreeSet;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

use uuid::Uuid;

#[derive(Default)]
pub struct FirmsDue {
    notify: tokio::sync::Notify,
    due: Mutex<BTreeSet<Uuid>>,
    everywhere: AtomicBool,
}

impl FirmsDue {
    /// New work somewhere, firm unknown: the worker is to look at every firm.
    pub fn wake(&self) {
        self.everywhere.store(true, Ordering::SeqCst);
        self.notify.notify_one();
    }

    /// New work in `tenant`.
    pub fn wake_for(&self, tenant: Uuid) {
        if let Ok(mut due) = self.due.lock() {
            due.insert(tenant);
        } else {
            self.everywhere.store(true, Ordering::SeqCst);
        }
        self.notify.notify_one();
    }

    /// Waits until a firm is named (or `wake` is called).
    pub async fn woken(&self) {
        self.notify.notified().await;
    }

    /// The firms named since the last call, and whether every firm should be looked at.
    pub fn take(&self) -> (Vec<Uuid>, bool) {
        let due = self
            .due
            .lock()
            .map(|mut d| std::mem::take(&mut *d).into_iter().collect())
            .unwrap_or_default();
        (due, self.everywhere.swap(false, Ordering::SeqCst))
    }
}
