//! Group commit. redb has one writer at a time, and each durable commit waits for the
//! disk: fifty phones syncing at once, each committing its own transaction, would queue
//! behind one another. The writes of syncs that arrive together are made in one write
//! transaction by one thread and committed once.
//!
//! Each write keeps its atomicity: its work either runs whole inside the transaction or
//! fails, and then the transaction is dropped (aborted), none of its writes land, and the
//! others of the batch run again in a new transaction without it: a write that fails
//! (a corrupt record, say) never takes others down with it. An answer is sent only once
//! the commit is durable, so a phone never hears "stored" for a write that is not.

use super::StoreError;
use redb::{Database, WriteTransaction};
use std::panic::AssertUnwindSafe;
use std::sync::{Arc, Mutex, mpsc};
use std::thread::JoinHandle;

/// Most writes in one commit: a commit of more would keep the first waiting longer.
pub const MOST_IN_A_COMMIT: usize = 64;

/// One write: its work, which may run again in a new transaction if another write of its
/// batch failed, and its answer, sent once.
struct Job {
    run: Box<Work>,
    answer: Box<dyn FnOnce(Result<(), StoreError>) + Send>,
}

/// A write's work in a transaction, its value kept aside until the commit.
type Work = dyn FnMut(&WriteTransaction) -> Result<(), StoreError> + Send;

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
    /// answers once that transaction is committed. `work` may run more than once (each
    /// time in a new transaction, the last one's value answered).
    pub async fn write<T: Send + 'static>(
        &self,
        work: impl Fn(&WriteTransaction) -> Result<T, StoreError> + Send + 'static,
    ) -> Result<T, StoreError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let value = Arc::new(Mutex::new(None::<T>));
        let kept = Arc::clone(&value);
        let job = Job {
            run: Box::new(move |txn| {
                let made = work(txn)?;
                *kept.lock().unwrap_or_else(|e| e.into_inner()) = Some(made);
                Ok(())
            }),
            answer: Box::new(move |committed| {
                let made = value.lock().unwrap_or_else(|e| e.into_inner()).take();
                let outcome = committed.and_then(|()| made.ok_or_else(|| StoreError("the write made nothing".into())));
                let _ = answer.send(outcome);
            }),
        };
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

/// Takes what is queued (up to [`MOST_IN_A_COMMIT`]) and commits it, then the next.
fn run(db: &Database, queue: &mpsc::Receiver<Job>) {
    while let Ok(first) = queue.recv() {
        // What is queued now: a write arriving while this batch runs waits for the next.
        let more = std::iter::from_fn(|| queue.try_recv().ok()).take(MOST_IN_A_COMMIT - 1);
        commit(db, std::iter::once(first).chain(more).collect());
    }
}

/// Runs the batch in one transaction and commits it; a write that fails is answered its
/// error and the others run again without it.
fn commit(db: &Database, mut batch: Vec<Job>) {
    while !batch.is_empty() {
        let txn = match db.begin_write() {
            Ok(txn) => txn,
            Err(e) => {
                let error = format!("a write transaction could not begin: {e}; try again");
                batch.into_iter().for_each(|job| (job.answer)(Err(StoreError(error.clone()))));
                return;
            }
        };
        let failed = batch.iter_mut().enumerate().find_map(|(i, job)| {
            match std::panic::catch_unwind(AssertUnwindSafe(|| (job.run)(&txn))) {
                Ok(Ok(())) => None,
                Ok(Err(e)) => Some((i, e)),
                Err(_) => Some((i, StoreError("a write failed unexpectedly; try again".into()))),
            }
        });
        match failed {
            None => {
                let committed = txn.commit().map_err(|e| format!("the commit failed: {e}; try again"));
                for job in batch {
                    (job.answer)(committed.clone().map_err(StoreError));
                }
                return;
            }
            Some((i, error)) => {
                drop(txn); // aborted: none of this transaction's writes land
                (batch.remove(i).answer)(Err(error));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use redb::{ReadableDatabase, TableDefinition};

    const T: TableDefinition<&str, u64> = TableDefinition::new("t");

    fn put(key: &'static str, value: u64) -> impl Fn(&WriteTransaction) -> Result<u64, StoreError> + Send {
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
    async fn a_write_that_fails_lands_nothing_and_the_others_land_without_it() {
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
            assert_eq!(read(&db, key), Some(answer.unwrap()), "the others of its batch are written without it");
        }
        drop(writer);
        assert_eq!(Arc::strong_count(&db), 1, "the thread let the file go");
    }
}
