//! Group commit. redb has one writer at a time, and each durable commit waits for the
//! disk: fifty phones syncing at once, each committing its own transaction, would queue
//! behind one another. The writes of syncs that arrive together are made in one write
//! transaction by one thread and committed once.
//!
//! Each write keeps its atomicity: its work either runs whole inside the transaction or
//! fails, and then the transaction is dropped (aborted) and none of the writes it held
//! land; the others are told to try again. An answer is sent only once the commit is
//! durable, so a phone never hears "stored" for a write that is not.

use super::StoreError;
use redb::{Database, WriteTransaction};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

/// Most writes in one commit: a commit of more would keep the first waiting longer.
pub const MOST_IN_A_COMMIT: usize = 64;

/// Tells a write how its commit went.
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// A write's work in the shared transaction: whether it ran whole, and its delivery.
type Job = Box<dyn FnOnce(&WriteTransaction) -> (bool, Deliver) + Send>;

/// The thread that writes and commits, and the queue to it.
pub(super) struct Writer {
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
}

impl Writer {
    pub fn start(db: Arc<Database>) -> Self {
        let (jobs, queue) = mpsc::channel::<Job>();
        let thread = std::thread::Builder::new()
            .name("redb-writer".into())
            .spawn(move || run(&db, &queue))
            .expect("the writer thread starts");
        Writer { jobs: Mutex::new(Some(jobs)), thread: Mutex::new(Some(thread)) }
    }

    /// Runs `work` in a write transaction shared with the writes queued beside it, and
    /// answers once that transaction is committed.
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl FnOnce(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |txn| match work(txn) {
            Ok(value) => {
                let deliver: Deliver = Box::new(move |committed| {
                    let _ = answer.send(committed.map(|()| value).map_err(StoreError));
                });
                (true, deliver)
            }
            Err(error) => (false, Box::new(move |_| drop(answer.send(Err(error))))),
        });
        let queued = self.jobs.lock().unwrap_or_else(|e| e.into_inner()).as_ref().map(|jobs| jobs.send(job));
        if !matches!(queued, Some(Ok(()))) {
            return Err(StoreError("the store is closing; try again".into()));
        }
        answered.await.map_err(|_| StoreError("the write was not committed; try again".into()))?
    }
}

impl Drop for Writer {
    /// Lets the thread finish what is queued, and waits for it: the file is closed when
    /// the store is dropped (a graceful shutdown, a test reopening the file).
    fn drop(&mut self) {
        drop(self.jobs.lock().unwrap_or_else(|e| e.into_inner()).take());
        if let Some(thread) = self.thread.lock().unwrap_or_else(|e| e.into_inner()).take() {
            let _ = thread.join();
        }
    }
}

/// Takes what is queued (up to [`MOST_IN_A_COMMIT`]), runs it in one transaction, commits
/// once, and tells each write.
fn run(db: &Database, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        // What is queued now: a write arriving while this batch runs waits for the next.
        let more = std::iter::from_fn(|| queue.try_recv().ok()).take(MOST_IN_A_COMMIT - 1);
        let batch: Vec<Job> = std::iter::once(first).chain(more).collect();
        let txn = match db.begin_write() {
            Ok(txn) => txn,
            Err(e) => {
                // Every job of the batch is dropped unrun: each hears "try again".
                drop(batch);
                eprintln!("redb: a write transaction could not begin: {e}");
                continue;
            }
        };
        let mut delivers = Vec::new();
        let mut whole = true;
        for job in batch {
            if !whole {
                break; // dropped unrun: told to try again
            }
            match std::panic::catch_unwind(AssertUnwindSafe(|| job(&txn))) {
                Ok((ran, deliver)) => {
                    whole &= ran;
                    delivers.push((ran, deliver));
                }
                Err(_) => whole = false,
            }
        }
        let committed = if whole {
            txn.commit().map_err(|e| format!("the commit failed: {e}; try again"))
        } else {
            drop(txn); // aborted: none of the batch's writes land
            Err("another write of the same commit failed; try again".into())
        };
        for (ran, deliver) in delivers {
            // A write whose own work failed hears its own error.
            deliver(if ran { committed.clone() } else { Ok(()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, TableDefinition};

    const T: TableDefinition<&str, u64> = TableDefinition::new("t");

    fn put(key: &'static str, value: u64) -> impl FnOnce(&WriteTransaction) -> Result<u64, StoreError> + Send {
        move |txn| {
            txn.open_table(T).map_err(redb::Error::from)?.insert(key, value).map_err(redb::Error::from)?;
            Ok(value)
        }
    }

    fn read(db: &Database, key: &str) -> Option<u64> {
        let txn = db.begin_read().unwrap();
        let table = txn.open_table(T).ok()?;
        table.get(key).unwrap().map(|v| v.value())
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn writes_sent_together_are_committed_and_each_answered() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Database::create(dir.path().join("t.redb")).unwrap());
        let writer = Arc::new(Writer::start(Arc::clone(&db)));
        let keys: Vec<&'static str> = (0..200).map(|n| &*Box::leak(format!("k{n}").into_boxed_str())).collect();
        let writes = keys.iter().enumerate().map(|(n, key)| {
            let writer = Arc::clone(&writer);
            let key = *key;
            tokio::spawn(async move { writer.write(put(key, n as u64)).await })
        });
        for (n, write) in writes.collect::<Vec<_>>().into_iter().enumerate() {
            assert_eq!(write.await.unwrap().unwrap(), n as u64);
        }
        assert!(keys.iter().enumerate().all(|(n, key)| read(&db, key) == Some(n as u64)));
    }

    #[tokio::test]
    async fn a_write_that_fails_lands_nothing_and_its_commit_neither() {
        let dir = tempfile::tempdir().unwrap();
        let db = Arc::new(Database::create(dir.path().join("t.redb")).unwrap());
        let writer = Writer::start(Arc::clone(&db));
        // The failing write puts a row, then fails: as a sync whose total would overflow.
        let failing = |txn: &WriteTransaction| -> Result<u64, StoreError> {
            put("half", 1)(txn)?;
            Err(StoreError("total overflows".into()))
        };
        // A slow write holds the thread while the next three queue: they share a commit.
        let slow = |_: &WriteTransaction| -> Result<u64, StoreError> {
            std::thread::sleep(std::time::Duration::from_millis(200));
            Ok(0)
        };
        let queued_behind = async {
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
            tokio::join!(writer.write(put("a", 1)), writer.write(failing), writer.write(put("b", 2)))
        };
        let (first, (one, two, three)) = tokio::join!(writer.write(slow), queued_behind);
        assert_eq!(first.unwrap(), 0);
        assert_eq!(two.unwrap_err().0, "total overflows", "it hears its own error");
        assert_eq!(read(&db, "half"), None, "none of its writes landed");
        for (key, answer) in [("a", one), ("b", three)] {
            assert!(answer.unwrap_err().0.contains("try again"), "the others of its commit are told to try again");
            assert_eq!(read(&db, key), None);
        }
        assert_eq!(writer.write(put("a", 1)).await.unwrap(), 1, "and can");
        assert_eq!(read(&db, "a"), Some(1));
        drop(writer);
        assert_eq!(Arc::strong_count(&db), 1, "the thread let the file go");
    }
}
