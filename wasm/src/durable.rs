//! [`DurableWriter`]: persist before acknowledging, for any engine that emits
//! [`ClusterStorageOp`]s.
//!
//! The engine (a `Cluster` inside a [`crate::session::Session`]) applies each
//! command synchronously, then hands the ops it emitted to [`DurableWriter::persist`] and
//! acknowledges the command only when the returned [`Persisted`] resolves:
//!
//! ```ignore
//! writer.check_writable()?;              // refused while a failed write is rolled back
//! let result = engine.command(...)?;     // synchronous: commands apply in call order
//! let ops = engine.poll_storage();       // Vec<ClusterStorageOp>
//! writer.persist(ops).await?;            // durable, or the engine was rolled back
//! Ok(result)
//! ```
//!
//! With IndexedDB one write is in flight at a time; ops persisted meanwhile are queued and go
//! together in the next transaction (group commit), in the order they were handed over. When a
//! write fails, commands are refused (`check_writable` fails) and the store is read back (it
//! holds exactly the writes committed before the failed one: the queued ones were never
//! issued); the engine's rebuild closure gets that [`StoredState`] and replaces the engine with
//! one recovered from it; only then does every [`Persisted`] of the failed and the queued
//! writes fail with the write's error, and commands are accepted again. Nothing is
//! half-applied. In memory nothing can fail: `persist` applies the ops at once.

use std::cell::RefCell;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

use rill_core::cluster::persist::ClusterStorageOp;
use wasm_bindgen_futures::spawn_local;

use crate::HostError;
use crate::store::{Store, StoreFault, StoredState};

/// Replaces the engine with one recovered from what the store holds, after a failed write
/// (given with the write's error). An error keeps the writer refusing commands with it (the
/// engine is unusable).
type Rebuild = Box<dyn FnMut(StoredState, &HostError) -> Result<(), HostError>>;

/// Persists an engine's storage ops before its commands are acknowledged: group commit, one
/// write in flight, rollback on failure (see the module docs). Cheap to clone: clones share
/// one writer.
#[derive(Clone)]
pub struct DurableWriter {
    inner: Rc<RefCell<Writer>>,
}

impl std::fmt::Debug for DurableWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.inner.try_borrow() {
            Ok(writer) => f
                .debug_struct("DurableWriter")
                .field("store", &writer.store)
                .field("writing", &writer.writing)
                .field("refusing", &writer.refusing)
                .finish_non_exhaustive(),
            Err(_) => f.write_str("DurableWriter { .. }"),
        }
    }
}

struct Writer {
    store: Store,
    /// Ops handed over while a write was in flight: the next write, and the outcome their
    /// commands wait for.
    queued: Option<(Vec<ClusterStorageOp>, Outcome)>,
    /// A write is in flight.
    writing: bool,
    /// Why commands are refused now: a failed write is being rolled back, the rollback failed,
    /// or the writer was closed.
    refusing: Option<HostError>,
    /// `close` was called: a rollback finishing later must not reopen the writer.
    closed: bool,
    /// The engine's rebuild; `None` only while it runs.
    rebuild: Option<Rebuild>,
}

/// The result of one write, shared by every command whose ops it carries.
type Outcome = Rc<RefCell<Completion>>;

#[derive(Debug, Default)]
struct Completion {
    result: Option<Result<(), HostError>>,
    wakers: Vec<Waker>,
}

fn settle(outcome: &Outcome, result: Result<(), HostError>) {
    let wakers = {
        let mut completion = outcome.borrow_mut();
        completion.result = Some(result);
        std::mem::take(&mut completion.wakers)
    };
    wakers.into_iter().for_each(Waker::wake);
}

/// Resolves once the ops handed to [`DurableWriter::persist`] are durable, or fails with the
/// write's error once the engine is back at its last persisted state.
#[derive(Clone, Debug)]
#[must_use = "a command is acknowledged only once its ops are durable"]
pub struct Persisted(Outcome);

impl Persisted {
    fn now(result: Result<(), HostError>) -> Self {
        Persisted(Rc::new(RefCell::new(Completion {
            result: Some(result),
            wakers: Vec::new(),
        })))
    }
}

impl Future for Persisted {
    type Output = Result<(), HostError>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let mut completion = self.0.borrow_mut();
        match &completion.result {
            Some(result) => Poll::Ready(result.clone()),
            None => {
                completion.wakers.push(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

impl DurableWriter {
    /// A writer to `store`. After a failed write it calls `rebuild` with what the store reads
    /// back and the write's error, before failing the commands of that write; `rebuild` must replace the engine with
    /// one recovered from `state.image` (`Cluster::recover`). It runs from a spawned task, never inside `persist`, so
    /// it may borrow the engine.
    pub fn new(
        store: Store,
        rebuild: impl FnMut(StoredState, &HostError) -> Result<(), HostError> + 'static,
    ) -> Self {
        DurableWriter {
            inner: Rc::new(RefCell::new(Writer {
                store,
                queued: None,
                writing: false,
                refusing: None,
                closed: false,
                rebuild: Some(Box::new(rebuild)),
            })),
        }
    }

    /// `Ok` when a command may change the engine now; otherwise why not (a failed write is
    /// being rolled back, the rollback failed, or the writer is closed). Check it before
    /// applying a command, so a refused command leaves the engine untouched.
    pub fn check_writable(&self) -> Result<(), HostError> {
        match &self.inner.borrow().refusing {
            Some(error) => Err(error.clone()),
            None => Ok(()),
        }
    }

    /// Hands over `ops`, which the engine has applied, in the order it emitted them. The
    /// future resolves once they are durable (with IndexedDB: committed with strict
    /// durability), or fails once the engine was rebuilt from the store. Empty `ops` resolve
    /// at once.
    ///
    /// While commands are refused (see [`DurableWriter::check_writable`]) the ops are not
    /// stored and the future fails with the reason: ops of an engine that is being replaced
    /// must not reach the store.
    pub fn persist(&self, ops: Vec<ClusterStorageOp>) -> Persisted {
        let mut writer = self.inner.borrow_mut();
        if let Some(error) = &writer.refusing {
            return Persisted::now(Err(error.clone()));
        }
        match &mut writer.store {
            Store::Memory(memory) => {
                for op in ops {
                    memory.apply(op);
                }
                Persisted::now(Ok(()))
            }
            Store::IndexedDb(_) if ops.is_empty() => Persisted::now(Ok(())),
            Store::IndexedDb(_) => {
                let outcome = match &mut writer.queued {
                    Some((queued, outcome)) => {
                        queued.extend(ops);
                        outcome.clone()
                    }
                    None => {
                        let outcome = Outcome::default();
                        writer.queued = Some((ops, outcome.clone()));
                        outcome
                    }
                };
                if !writer.writing {
                    self.start_write(&mut writer);
                }
                Persisted(outcome)
            }
        }
    }

    /// Closes the store (IndexedDB: its connection and writer's lock). Writes already issued
    /// still commit, and so do the ops handed over while one was in flight: they are issued
    /// now, before the connection closes (IndexedDB runs them after the write in flight, whose
    /// scope they overlap, and a closing connection still commits what was created before);
    /// later commands are refused with `KAFKA_STORAGE_ERROR`.
    pub fn close(&self) {
        let mut writer = self.inner.borrow_mut();
        writer.closed = true;
        writer.refusing = Some(HostError::Storage(
            "the broker is closed; open it again to write".into(),
        ));
        let queued = writer.queued.take();
        if let Store::IndexedDb(idb) = &mut writer.store {
            if let Some((ops, outcome)) = queued {
                match idb.write_deferring_merges(ops) {
                    Ok(done) => spawn_local(async move { settle(&outcome, done.await) }),
                    Err(error) => settle(&outcome, Err(error)),
                }
            }
            idb.close();
        }
    }

    /// Makes the next IndexedDB write fail with `fault`, for tests of failure handling (the
    /// transaction is really aborted). Returns `false` for in-memory storage, which cannot fail.
    pub fn fail_next_write(&self, fault: StoreFault) -> bool {
        match &mut self.inner.borrow_mut().store {
            Store::IndexedDb(idb) => {
                idb.fail_next_write(fault);
                true
            }
            Store::Memory(_) => false,
        }
    }

    /// Issues the queued ops as one transaction now, and settles their commands when it ends.
    fn start_write(&self, writer: &mut Writer) {
        let Store::IndexedDb(idb) = &mut writer.store else {
            return;
        };
        let Some((ops, outcome)) = writer.queued.take() else {
            return;
        };
        writer.writing = true;
        let issued = idb.write_deferring_merges(ops);
        let this = self.clone();
        spawn_local(async move {
            let result = match issued {
                Ok(done) => done.await,
                Err(error) => Err(error),
            };
            this.finish_write(outcome, result).await;
        });
    }

    /// Starts the store's due consolidations once no write is in flight or queued after the
    /// commands woken by this write had their turn (a timer task: later than every microtask,
    /// so a caller that produces again as soon as its produce resolves writes first), and
    /// again while more are due. A consolidation transaction overlaps every write's scope:
    /// started while writes keep coming, each would hold up the next write by as long as it
    /// takes.
    fn consolidate_when_idle(&self) {
        let this = self.clone();
        spawn_local(async move {
            loop {
                crate::store::sleep(0).await;
                let mut writer = this.inner.borrow_mut();
                let writer = &mut *writer;
                if writer.writing || writer.queued.is_some() || writer.refusing.is_some() {
                    return;
                }
                let Store::IndexedDb(idb) = &mut writer.store else {
                    return;
                };
                if !idb.consolidate() {
                    return;
                }
            }
        });
    }

    async fn finish_write(&self, outcome: Outcome, result: Result<(), HostError>) {
        let error = match result {
            Ok(()) => {
                settle(&outcome, Ok(()));
                let mut writer = self.inner.borrow_mut();
                writer.writing = false;
                if writer.queued.is_some() {
                    self.start_write(&mut writer);
                } else if matches!(&writer.store, Store::IndexedDb(idb) if idb.merges_due()) {
                    // Only when a merge is due: most writes leave none, and a timer task
                    // per write would compete with the next write for the CPU.
                    self.consolidate_when_idle();
                }
                return;
            }
            Err(error) => error,
        };
        // Roll back: no command may touch the engine until it is rebuilt from the store, which
        // holds exactly the writes committed before this one (the next was never issued).
        let (read_back, queued) = {
            let mut writer = self.inner.borrow_mut();
            if writer.refusing.is_none() {
                writer.refusing = Some(HostError::Storage(
                    "a write failed and the broker is restoring its last persisted state; \
                     retry in a moment"
                        .into(),
                ));
            }
            let read_back = match &writer.store {
                Store::IndexedDb(idb) => Some(idb.read_back()),
                Store::Memory(_) => None,
            };
            (read_back, writer.queued.take())
        };
        let restored = match read_back {
            Some(read_back) => read_back.await,
            None => Err(HostError::Storage("no store to restore from".into())),
        };
        let rebuild = {
            let mut writer = self.inner.borrow_mut();
            writer.writing = false;
            match restored {
                // Closed meanwhile: it stays closed.
                _ if writer.closed => None,
                Ok(state) => {
                    if let Store::IndexedDb(idb) = &mut writer.store {
                        idb.resume_from(&state);
                    }
                    writer.rebuild.take().map(|rebuild| (rebuild, state))
                }
                Err(read_error) => {
                    writer.refusing = Some(HostError::Storage(format!(
                        "a write failed ({error}) and the last persisted state could not be \
                         read back ({read_error}); close the broker and open it again"
                    )));
                    None
                }
            }
        };
        if let Some((mut rebuild, state)) = rebuild {
            // Called with the writer unborrowed: the closure may borrow the engine, and the
            // engine's owner may hold this writer.
            let rebuilt = rebuild(state, &error);
            let mut writer = self.inner.borrow_mut();
            writer.rebuild = Some(rebuild);
            if !writer.closed {
                writer.refusing = match rebuilt {
                    Ok(()) => None,
                    Err(rebuild_error) => Some(HostError::Storage(format!(
                        "a write failed ({error}) and the engine could not be rebuilt from the \
                         last persisted state ({rebuild_error}); close the broker and open it \
                         again"
                    ))),
                };
            }
        }
        settle(&outcome, Err(error.clone()));
        if let Some((_, queued)) = queued {
            settle(&queued, Err(error));
        }
    }
}
