//! [`Session`]: one replicated [`Cluster`] in the page, its clock, its durable store and what
//! waits on it, as a plain Rust API. The JavaScript `Rill` and `RillBroker` classes and the
//! playground are thin clients of it.
//!
//! - **Commands in**: [`Session::command`] runs a closure on the cluster at the current time
//!   (in realtime, first caught up to the page's clock), then lets what became due at this
//!   instant happen. [`Session::read`] reads it.
//! - **Events out**: [`Session::subscribe`] gets every [`SessionEvent`] (cluster events and
//!   produce outcomes) with the cluster time, after each move, synchronously and in order.
//! - **Durability**: whenever the cluster moved, what it asks to persist
//!   (`Cluster::poll_storage`) goes to the [`DurableWriter`] at once: one IndexedDB write in
//!   flight, later ops grouped into the next. [`Session::durable`] waits for the write carrying
//!   everything so far. A failed write rebuilds the cluster from what the store holds
//!   (`Cluster::recover`) before the waiting commands fail.
//! - **Clock** ([`clock`]): manual (only [`Session::advance`] and [`Session::step`] move time)
//!   or realtime × a speed, pausable. In realtime the session sets one `setTimeout` for the
//!   cluster's next wake-up and never busy-loops; a catch-up does at most
//!   [`CATCH_UP_BUDGET_MS`] of work before it yields to the page's event loop.
//! - **Waiting on cluster time**: run loops (consumers, producer retries) wait with
//!   [`Session::sleep_until`] or [`Session::moved`], which resolve only when cluster time moves
//!   (or, for `moved`, when the waiting consumer has records), never merely because another
//!   command ran: two idle consumers cannot wake each other forever.

pub mod clock;
pub mod one_broker;
mod slot;

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::rc::{Rc, Weak};

use rill_core::cluster::{
    Cluster, ClusterConfig, ClusterEvent, ClusterRecoveryError, Latency, ProduceOutcome,
};
use rill_core::consumer::ConsumerEvent;
use rill_core::error::KafkaError;
use rill_core::scenario::{Applied, Command, CommandError, World, WorldEvent};
use wasm_bindgen::prelude::*;

use crate::HostError;
use crate::durable::{DurableWriter, Persisted};
use crate::store::{IdbStore, Store, StoreFault, StoredState};
pub use clock::{Clock, ClockError, ClockMode};
pub use slot::{Answers, Slot};

/// Produce outcomes kept for a sender that asks after the command that sent it returned.
const UNCLAIMED_OUTCOMES_KEPT: usize = 4_096;

#[wasm_bindgen]
extern "C" {
    /// The global `setTimeout` (window or worker).
    #[wasm_bindgen(js_name = setTimeout)]
    pub(crate) fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
}

/// The most wall-clock time one realtime catch-up spends moving the cluster before it yields
/// to the page's event loop (and continues in the next task): a frame stays smooth even after
/// the tab slept at 10× speed.
pub const CATCH_UP_BUDGET_MS: f64 = 8.0;

/// The most cluster wake-ups one catch-up runs before it yields, whatever the wall clock says.
pub const CATCH_UP_STEPS_MAX: u32 = 10_000;

/// How far (cluster milliseconds) a realtime catch-up runs ahead of the page's clock. What
/// is due that soon is handled in the same task instead of a timer of its own: an idle
/// consumer's fetch round trip costs one wake-up, not three, and a command's consequences (a
/// send's request reaching its leader, the leader's answer) run right after it, so a send to
/// a lone broker is answered, and its records go to the store, in the task that sent it. Time
/// moves only to what is due (a command first catches up to the page's clock), never merely
/// because the page's clock moved: run loops waiting for cluster time cannot wake each other.
/// The cluster's order of events is unchanged; it only runs that much early.
pub const LOOKAHEAD_MS: i64 = 10;

/// Where a session keeps its data.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    /// Only in memory: gone on reload.
    Memory,
    /// In IndexedDB: survives reloads.
    IndexedDb,
}

/// What [`Session::open`] opens.
#[derive(Clone, Debug)]
pub struct SessionOptions {
    /// The store's name (one writer per name per origin).
    pub name: String,
    /// Memory or IndexedDB.
    pub storage: StorageKind,
    /// Brokers of a new cluster (3 when `None`); a stored cluster must match when given.
    pub brokers: Option<u32>,
    /// Seed of a new cluster.
    pub seed: u64,
    /// How time moves.
    pub clock: ClockMode,
    /// Message latency of a new cluster (`None`: the cluster's default).
    pub latency: Option<Latency>,
    /// What an IndexedDB store the browser discarded does: fail with `STORE_DISCARDED`
    /// (the default) or start fresh.
    pub on_discarded: crate::store::OnDiscarded,
}

impl SessionOptions {
    /// A new in-memory, manual-clock session of `brokers` brokers seeded with `seed`.
    pub fn memory(brokers: u32, seed: u64) -> Self {
        Self {
            name: "memory".into(),
            storage: StorageKind::Memory,
            brokers: Some(brokers),
            seed,
            clock: ClockMode::Manual,
            latency: None,
            on_discarded: crate::store::OnDiscarded::Fail,
        }
    }
}

/// Something a subscriber hears about, with the cluster time it was handed out at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SessionEvent {
    /// The cluster did something (or recovery found something, replayed to each subscriber).
    Cluster(ClusterEvent),
    /// A producer client the host drives got the answer to a produce request.
    ProduceCompleted(ProduceOutcome),
    /// One of the world's applications (a producer, a group member) did something.
    World(WorldEvent),
}

impl SessionEvent {
    /// How the session hands out a world's event.
    pub fn of_world(event: WorldEvent) -> Self {
        match event {
            WorldEvent::ClientOutcome(outcome) => Self::ProduceCompleted(outcome),
            WorldEvent::Cluster(event) => Self::Cluster(event),
            other => Self::World(other),
        }
    }
}

/// A subscriber's callback: `(event, cluster time)`.
pub type Subscriber = Rc<dyn Fn(&SessionEvent, i64)>;

/// Receives one consumer client's events.
pub type ConsumerSink = Rc<dyn Fn(ConsumerEvent)>;

/// Identifies a subscription, for [`Session::unsubscribe`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct SubscriptionId(u64);

struct Inner {
    world: RefCell<World>,
    /// Where the cluster's storage ops go; `None` in memory (they are dropped as drained).
    writer: Option<DurableWriter>,
    /// The write carrying every op drained so far (`None`: nothing written yet).
    latest: RefCell<Option<Persisted>>,
    /// What recovery on open found (cut logs), replayed to each new subscriber.
    recovered: Vec<ClusterEvent>,
    clock: RefCell<Clock>,
    closed: Cell<bool>,
    next_client: Cell<u32>,
    /// Produce requests waiting for their outcome, or for the error that lost them; an
    /// outcome that arrives before its sender asks (it asks right after the command that sent
    /// it returns) is kept for it (the latest `UNCLAIMED_OUTCOMES_KEPT`).
    produces: RefCell<Answers<u64, Result<ProduceOutcome, HostError>>>,
    /// Waiters for cluster time to move (or, with a consumer client id and the records it
    /// had buffered when it started waiting, for that consumer to buffer more).
    movers: RefCell<Vec<Mover>>,
    sleepers: RefCell<Vec<(i64, Slot<()>)>>,
    consumers: RefCell<BTreeMap<u32, ConsumerSink>>,
    subscribers: RefCell<Vec<(SubscriptionId, Subscriber)>>,
    next_subscriber: Cell<u64>,
    /// The realtime wake-up scheduled: (generation, cluster time it is for).
    timer: Cell<(u64, Option<i64>)>,
    /// Cluster time at the last dispatch (to tell whether time moved).
    last_dispatch: Cell<i64>,
    /// The realtime clock stops at this cluster time (a scenario's next command is due):
    /// see [`Session::set_horizon`].
    horizon: Cell<Option<i64>>,
    /// The store was let go ([`Session::replace_world`]): storage ops are dropped.
    detached: Cell<bool>,
    /// Stored values that could not be read at open (or at the last rollback).
    skipped: RefCell<Vec<String>>,
}

/// A waiter for cluster time to move: the consumer client it waits for and how many records
/// that consumer held when it began waiting, and its slot.
type Mover = (Option<(u32, usize)>, Slot<()>);

/// The page's handle on one cluster: cheap to clone, clones share it. See the module docs.
#[derive(Clone)]
pub struct Session(Rc<Inner>);

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session")
            .field("clock", &self.0.clock.borrow())
            .field("closed", &self.0.closed.get())
            .finish_non_exhaustive()
    }
}

/// The storage error for a cluster the store cannot rebuild.
pub(crate) fn recovery_error(error: &ClusterRecoveryError) -> HostError {
    HostError::Kafka {
        code: error.error_code(),
        message: format!(
            "the stored cluster cannot be recovered: {error}; delete the store (another name, \
             or IndexedDB in the browser's site data) to start afresh"
        ),
    }
}

/// A world command's refusal as a host error, with Kafka's error name where there is one.
pub(crate) fn command_error(error: &CommandError) -> HostError {
    match error {
        CommandError::Kafka { code, message } => HostError::Kafka {
            code: *code,
            message: message.clone(),
        },
        other => HostError::InvalidArgument(other.to_string()),
    }
}

/// The page's clock in milliseconds since the epoch.
fn wall_now() -> f64 {
    js_sys::Date::now()
}

impl Session {
    /// Opens the cluster `options.name`: recovered from IndexedDB when stored there (the
    /// first writes, e.g. a new cluster's metadata snapshot or a recovery's cut written back,
    /// are durable before this resolves), else a new one.
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for an empty name or a broker count outside 1..=64;
    /// `INVALID_REQUEST` when a stored cluster has another broker count than asked;
    /// `STORE_LOCKED`, `STORE_DISCARDED`, `KAFKA_STORAGE_ERROR` and recovery errors from the
    /// store.
    pub async fn open(options: SessionOptions) -> Result<Session, HostError> {
        if options.name.is_empty() {
            return Err(HostError::InvalidArgument(
                "options.name must not be empty".into(),
            ));
        }
        let start = match options.clock {
            ClockMode::Manual => 0,
            ClockMode::Realtime => wall_now() as i64,
        };
        let brokers = options.brokers.unwrap_or(3);
        if !(1..=rill_core::cluster::BROKERS_MAX).contains(&brokers) {
            return Err(HostError::InvalidArgument(format!(
                "options.brokers must be between 1 and {}, got {brokers}",
                rill_core::cluster::BROKERS_MAX
            )));
        }
        let fresh = || {
            let mut config = ClusterConfig::new(brokers, options.seed);
            if let Some(latency) = options.latency {
                config.latency = latency;
            }
            Cluster::new(config, start)
                .map(World::from_cluster)
                .map_err(|e| HostError::InvalidArgument(format!("options.brokers: {e}")))
        };
        let session = match options.storage {
            StorageKind::Memory => Session::new(fresh()?, options.clock, None, Vec::new()),
            StorageKind::IndexedDb => {
                let mut opened = IdbStore::open_with(&options.name, options.on_discarded).await?;
                let image = std::mem::take(&mut opened.image);
                let built = if image.logs.is_empty() && image.files.is_empty() {
                    fresh().map(|cluster| (cluster, Vec::new()))
                } else {
                    Cluster::recover(image, start)
                        .map_err(|e| recovery_error(&e))
                        .and_then(|(cluster, events)| match options.brokers {
                            Some(wanted) if wanted != cluster.config().brokers => {
                                Err(HostError::Kafka {
                                    code: rill_core::ErrorCode::InvalidRequest,
                                    message: format!(
                                        "the stored cluster '{}' has {} brokers, not \
                                             {wanted}: open it without `brokers` (or with \
                                             brokers: {}), or use another name",
                                        options.name,
                                        cluster.config().brokers,
                                        cluster.config().brokers
                                    ),
                                })
                            }
                            _ => Ok((World::from_cluster(cluster), events)),
                        })
                };
                let (world, events) = match built {
                    Ok(built) => built,
                    Err(error) => {
                        opened.store.close();
                        return Err(error);
                    }
                };
                let session = Session::new(
                    world,
                    options.clock,
                    Some(Store::IndexedDb(opened.store)),
                    events,
                );
                *session.0.skipped.borrow_mut() = opened.skipped;
                session
            }
        };
        if let Err(error) = session.durable().await {
            session.close();
            return Err(error);
        }
        Ok(session)
    }

    /// Hosts `world` with a `mode` clock, persisting its cluster to `store` (`None`: in memory
    /// only). `recovered` are the events of the recovery that built its cluster, replayed to
    /// every subscriber as it subscribes.
    pub fn new(
        mut world: World,
        mode: ClockMode,
        store: Option<Store>,
        recovered: Vec<ClusterEvent>,
    ) -> Self {
        let now = world.now();
        world.set_keep_storage(store.is_some());
        let session = Self(Rc::new_cyclic(|weak: &Weak<Inner>| {
            let writer = store.map(|store| {
                let weak = weak.clone();
                DurableWriter::new(store, move |state: StoredState, error: &HostError| {
                    let inner = weak
                        .upgrade()
                        .ok_or_else(|| HostError::Storage("the cluster is gone".into()))?;
                    Session(inner).rebuild(state, error)
                })
            });
            Inner {
                world: RefCell::new(world),
                writer,
                latest: RefCell::new(None),
                recovered,
                clock: RefCell::new(Clock::new(mode, wall_now(), now)),
                closed: Cell::new(false),
                next_client: Cell::new(1_000),
                produces: RefCell::new(Answers::new(UNCLAIMED_OUTCOMES_KEPT)),
                movers: RefCell::new(Vec::new()),
                sleepers: RefCell::new(Vec::new()),
                consumers: RefCell::new(BTreeMap::new()),
                subscribers: RefCell::new(Vec::new()),
                next_subscriber: Cell::new(0),
                timer: Cell::new((0, None)),
                last_dispatch: Cell::new(now),
                horizon: Cell::new(None),
                detached: Cell::new(false),
                skipped: RefCell::new(Vec::new()),
            }
        }));
        session.schedule();
        session
    }

    /// After a failed write: the cluster as a reload would recover it from what the store
    /// holds (time keeps going), and every produce still waiting fails with the write's
    /// `error` (its request was lost with the old cluster; the producer does not retry it).
    fn rebuild(&self, state: StoredState, error: &HostError) -> Result<(), HostError> {
        let now = self.now();
        let (cluster, _) = Cluster::recover(state.image, now).map_err(|e| recovery_error(&e))?;
        *self.0.skipped.borrow_mut() = state.skipped;
        let mut world = World::from_cluster(cluster);
        world.set_keep_storage(true);
        *self
            .0
            .world
            .try_borrow_mut()
            .map_err(|_| HostError::Storage("the cluster is busy".into()))? = world;
        self.fail_waiting_produces(error);
        Ok(())
    }

    /// Every produce still waiting for its outcome fails with `error`: its request is gone.
    fn fail_waiting_produces(&self, error: &HostError) {
        let waiting = {
            let mut produces = self.0.produces.borrow_mut();
            produces.forget_early();
            produces.take_waiting()
        };
        for (_, slot) in waiting {
            slot.fill(Err(error.clone()));
        }
    }

    /// Hands what the cluster asks to persist to the writer (in memory: drops it).
    fn flush(&self) {
        let ops = self.0.world.borrow_mut().poll_storage();
        if ops.is_empty() || self.0.detached.get() {
            return;
        }
        if let Some(writer) = &self.0.writer {
            *self.0.latest.borrow_mut() = Some(writer.persist(ops));
        }
    }

    /// Makes the next IndexedDB write fail with `fault` (tests); `false` in memory.
    pub fn fail_next_write(&self, fault: StoreFault) -> bool {
        self.0
            .writer
            .as_ref()
            .is_some_and(|writer| writer.fail_next_write(fault))
    }

    /// Stored values that could not be read when the store was opened (or read back after a
    /// failed write): what recovery dropped.
    pub fn skipped_on_open(&self) -> Vec<String> {
        self.0.skipped.borrow().clone()
    }

    /// The clock mode.
    pub fn clock_mode(&self) -> ClockMode {
        self.0.clock.borrow().mode()
    }

    /// The realtime speed factor.
    pub fn speed(&self) -> f64 {
        self.0.clock.borrow().speed()
    }

    /// Whether the realtime clock is paused.
    pub fn is_paused(&self) -> bool {
        self.0.clock.borrow().is_paused()
    }

    /// Sets the realtime speed (`0.01..=100`; the cluster time does not jump).
    ///
    /// # Errors
    /// `INVALID_ARGUMENT` for a speed out of range; nothing changes.
    pub fn set_speed(&self, speed: f64) -> Result<(), HostError> {
        self.check_open()?;
        self.catch_up(0, true);
        let now = self.now();
        self.0
            .clock
            .borrow_mut()
            .set_speed(speed, wall_now(), now)
            .map_err(|e| HostError::InvalidArgument(e.to_string()))?;
        self.reschedule();
        Ok(())
    }

    /// Stops a realtime clock where it is (commands, `advance` and `step` still work).
    pub fn pause(&self) {
        self.catch_up(0, true);
        let now = self.now();
        self.0.clock.borrow_mut().pause(wall_now(), now);
        self.reschedule();
    }

    /// Resumes a paused realtime clock from where it stands.
    pub fn play(&self) {
        let now = self.now();
        self.0.clock.borrow_mut().play(wall_now(), now);
        self.reschedule();
    }

    /// Fails with `NETWORK_EXCEPTION` once the session is closed.
    pub fn check_open(&self) -> Result<(), HostError> {
        if self.0.closed.get() {
            return Err(HostError::Kafka {
                code: rill_core::ErrorCode::NetworkException,
                message: "this session is closed".into(),
            });
        }
        Ok(())
    }

    /// A fresh client id for a producer or consumer.
    pub fn client_id(&self) -> u32 {
        let id = self.0.next_client.get();
        self.0.next_client.set(id + 1);
        id
    }

    /// Reads the cluster.
    pub fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        f(self.0.world.borrow().cluster())
    }

    /// Reads the world: the cluster, its applications and the history.
    pub fn read_world<R>(&self, f: impl FnOnce(&World) -> R) -> R {
        f(&self.0.world.borrow())
    }

    /// Applies a recorded command to the world (the playground's and scenarios' way in), at the
    /// current time (in realtime, first caught up to the page's clock), and hands out what
    /// happened.
    ///
    /// # Errors
    /// The command's refusal (Kafka's error name where there is one; nothing changed), or as
    /// [`Session::command`].
    pub fn apply(&self, command: Command) -> Result<Applied, HostError> {
        self.check_open()?;
        if let Some(writer) = &self.0.writer
            && !self.0.detached.get()
        {
            writer.check_writable()?;
        }
        self.catch_up(0, true);
        let result = self.0.world.borrow_mut().apply(command);
        self.0.world.borrow_mut().run_due();
        self.catch_up(LOOKAHEAD_MS, false);
        self.dispatch();
        result.map_err(|e| command_error(&e))
    }

    /// Runs a command on the cluster at the current time (in realtime, first caught up to the
    /// page's clock), then lets what became due at this instant happen (requests go out) and
    /// hands out outcomes and events.
    ///
    /// # Errors
    /// `NETWORK_EXCEPTION` once closed; the writer's error while a failed write is rolled back.
    pub fn command<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> Result<R, HostError> {
        self.check_open()?;
        if let Some(writer) = &self.0.writer
            && !self.0.detached.get()
        {
            writer.check_writable()?;
        }
        self.catch_up(0, true);
        let result = f(self.0.world.borrow_mut().cluster_mut());
        self.0.world.borrow_mut().run_due();
        // What the command set off and is due within the lookahead (a request's delivery, the
        // leader's answer) happens now, not after a timer: a send to a lone broker is answered
        // in this task, and its records go to the store at once.
        self.catch_up(LOOKAHEAD_MS, false);
        self.dispatch();
        Ok(result)
    }

    /// Resolves once every change made so far is durable (in memory: at once), or fails with
    /// the write's error once the cluster was rebuilt from the store.
    pub fn durable(&self) -> impl Future<Output = Result<(), HostError>> + use<> {
        self.flush();
        let latest = if self.0.detached.get() {
            None
        } else {
            self.0.latest.borrow().clone()
        };
        async move {
            match latest {
                Some(persisted) => persisted.await,
                None => Ok(()),
            }
        }
    }

    /// Moves time forward by `ms` (any clock; in realtime the clock re-anchors, so the page's
    /// clock carries on from the new time), handing out what happened.
    ///
    /// # Errors
    /// `NETWORK_EXCEPTION` once closed; `INVALID_ARGUMENT` for a negative `ms`.
    pub fn advance(&self, ms: i64) -> Result<(), HostError> {
        self.check_open()?;
        if ms < 0 {
            return Err(HostError::InvalidArgument(format!(
                "time only moves forward: advance({ms})"
            )));
        }
        self.0
            .world
            .borrow_mut()
            .advance(ms)
            .map_err(|e| command_error(&e))?;
        let now = self.now();
        self.0.clock.borrow_mut().reanchor(wall_now(), now);
        self.dispatch();
        Ok(())
    }

    /// Moves time to the cluster's next wake-up (at most `limit_ms` ahead) and returns the new
    /// time, or `None` when nothing is due within the limit (time then moves by `limit_ms`).
    ///
    /// # Errors
    /// As [`Session::advance`].
    pub fn step(&self, limit_ms: i64) -> Result<Option<i64>, HostError> {
        self.check_open()?;
        let now = self.now();
        let next = self.read_world(World::next_wakeup);
        match next {
            Some(at) if at - now <= limit_ms => {
                self.advance((at - now).max(0))?;
                Ok(Some(at))
            }
            _ => {
                self.advance(limit_ms.max(0))?;
                Ok(None)
            }
        }
    }

    /// Stops the realtime clock at cluster time `at` (`None`: no stop): a host that plays a
    /// script applies the command due at `at` exactly then, waiting with
    /// [`Session::sleep_until`]. `advance` and `step` are not held back. Moving the horizon on
    /// re-anchors the clock when the cluster stood at the old one, so time does not jump by
    /// the wall time spent waiting there.
    pub fn set_horizon(&self, at: Option<i64>) {
        let now = self.now();
        if self.0.horizon.get().is_some_and(|old| now >= old) {
            self.0.clock.borrow_mut().reanchor(wall_now(), now);
        }
        self.0.horizon.set(at);
        self.reschedule();
    }

    /// The horizon set by [`Session::set_horizon`].
    pub fn horizon(&self) -> Option<i64> {
        self.0.horizon.get()
    }

    /// Puts `world` in place of the session's world (time travel: a replay of the history at
    /// another time), at `world`'s time; the clock re-anchors there. A stored session lets go
    /// of its store (writes already issued still commit, later changes stay in memory): the
    /// store keeps the cluster as it was. Subscribers hear nothing about the swap; the host
    /// re-reads the cluster.
    ///
    /// # Errors
    /// `NETWORK_EXCEPTION` once closed.
    pub fn replace_world(&self, mut world: World) -> Result<(), HostError> {
        self.check_open()?;
        if let Some(writer) = &self.0.writer
            && !self.0.detached.get()
        {
            self.0.detached.set(true);
            writer.close();
        }
        world.set_keep_storage(false);
        let now = world.now();
        *self
            .0
            .world
            .try_borrow_mut()
            .map_err(|_| HostError::Storage("the cluster is busy".into()))? = world;
        self.0.produces.borrow_mut().forget_early();
        self.0.last_dispatch.set(now);
        self.0.clock.borrow_mut().reanchor(wall_now(), now);
        self.reschedule();
        Ok(())
    }

    /// Whether the session let go of its store ([`Session::replace_world`]).
    pub fn is_detached(&self) -> bool {
        self.0.detached.get()
    }

    /// The cluster's time.
    pub fn now(&self) -> i64 {
        self.0.world.borrow().now()
    }

    /// Waits for the outcome of produce request `request`.
    pub fn produce_outcome(&self, request: u64) -> Slot<Result<ProduceOutcome, HostError>> {
        // An outcome known before anyone waited for it (acks=0, no leader: answered within the
        // command that sent it) was kept for this call.
        self.0.produces.borrow_mut().wait(request)
    }

    /// Resolves once cluster time has moved (a realtime wake-up, `advance`, `step`), or, for
    /// `consumer: Some(id)`, also once that consumer client buffers more records than it holds
    /// now (a fetch answered within a command) or is gone. Never merely because a command ran,
    /// and never for records it already holds (a paused partition's): a run loop whose poll
    /// returned nothing waits here for the cluster.
    pub fn moved(&self, consumer: Option<u32>) -> Slot<()> {
        let slot = Slot::new();
        if self.0.closed.get() {
            slot.fill(());
            return slot;
        }
        let waiting = consumer.map(|id| (id, self.consumer_buffered(id).unwrap_or(0)));
        self.0.movers.borrow_mut().push((waiting, slot.clone()));
        slot
    }

    /// How many records consumer client `id` holds (`None` when it is gone or closed).
    fn consumer_buffered(&self, id: u32) -> Option<usize> {
        self.read(|cluster| {
            cluster
                .consumer(id)
                .filter(|c| !c.is_closed())
                .map(rill_core::consumer::Consumer::buffered_records)
        })
    }

    /// Resolves once cluster time reaches `at`.
    pub fn sleep_until(&self, at: i64) -> Slot<()> {
        let slot = Slot::new();
        if self.0.closed.get() || at <= self.now() {
            slot.fill(());
            return slot;
        }
        self.0.sleepers.borrow_mut().push((at, slot.clone()));
        self.schedule();
        slot
    }

    /// Sends consumer `client`'s events to `sink` from now on.
    pub fn register_consumer(&self, client: u32, sink: ConsumerSink) {
        self.0.consumers.borrow_mut().insert(client, sink);
    }

    /// Stops sending consumer `client`'s events.
    pub fn unregister_consumer(&self, client: u32) {
        self.0.consumers.borrow_mut().remove(&client);
    }

    /// Calls `subscriber` with every event from now on, after each move of the cluster; it
    /// first gets what recovery found when the cluster was opened. A subscriber must not call
    /// back into the session synchronously for commands (schedule them instead).
    pub fn subscribe(&self, subscriber: Subscriber) -> SubscriptionId {
        let id = SubscriptionId(self.0.next_subscriber.get());
        self.0.next_subscriber.set(id.0 + 1);
        let now = self.now();
        for event in &self.0.recovered {
            subscriber(&SessionEvent::Cluster(event.clone()), now);
        }
        self.0.subscribers.borrow_mut().push((id, subscriber));
        id
    }

    /// Removes a subscription.
    pub fn unsubscribe(&self, id: SubscriptionId) {
        self.0.subscribers.borrow_mut().retain(|(i, _)| *i != id);
    }

    /// Stops the clock; later commands fail, and sends still waiting fail with
    /// `NETWORK_EXCEPTION` (the connection is gone). Waiters resolve.
    pub fn close(&self) {
        if self.0.closed.replace(true) {
            return;
        }
        if let Some(writer) = &self.0.writer {
            if !self.0.detached.get() {
                // A clean shutdown: the high watermarks as they are now go to the store with
                // the last changes, so a reopen serves every acknowledged record at once.
                self.0
                    .world
                    .borrow_mut()
                    .cluster_mut()
                    .checkpoint_on_next_poll();
                self.flush();
            }
            // Writes already issued (and that last one) still commit; the store's lock is
            // released.
            writer.close();
        }
        self.0.consumers.borrow_mut().clear();
        self.0.subscribers.borrow_mut().clear();
        self.fail_waiting_produces(&HostError::Kafka {
            code: rill_core::ErrorCode::NetworkException,
            message: "the session was closed before the broker answered".into(),
        });
        let sleepers = std::mem::take(&mut *self.0.sleepers.borrow_mut());
        for (_, slot) in sleepers {
            slot.fill(());
        }
        let movers = std::mem::take(&mut *self.0.movers.borrow_mut());
        for (_, slot) in movers {
            slot.fill(());
        }
    }

    /// Whether `close` was called.
    pub fn is_closed(&self) -> bool {
        self.0.closed.get()
    }

    /// In realtime, moves the cluster towards the page's clock plus `lookahead` (0 or
    /// [`LOOKAHEAD_MS`]): wake-up by wake-up, for at most [`CATCH_UP_BUDGET_MS`] of wall time.
    /// With `to_target`, time then moves on to the target; without, it stops at the last
    /// wake-up due (what a command set off within the lookahead runs now, but time does not
    /// move merely because the page's clock did: a command that sets off nothing moves no
    /// time, so run loops waiting for time to move do not wake each other). Returns whether it
    /// reached the target.
    fn catch_up(&self, lookahead: i64, to_target: bool) -> bool {
        let now = self.now();
        let started = wall_now();
        if !self.0.clock.borrow().is_running() {
            return true;
        }
        let horizon = self.0.horizon.get().unwrap_or(i64::MAX);
        let target = self
            .0
            .clock
            .borrow()
            // The page's clock as cluster time, unclamped: a cluster already ahead of it by the
            // lookahead does not run further.
            .target(started, i64::MIN)
            .saturating_add(lookahead)
            .min(horizon);
        if target <= now {
            return true;
        }
        let mut steps = 0;
        loop {
            let (now, next) = self.read_world(|w| (w.now(), w.next_wakeup()));
            // A sleeper's time is a stop, and so is the horizon (a host waits there for the
            // command due at it); those already passed are handed out by `dispatch`.
            let next_sleeper = self
                .0
                .sleepers
                .borrow()
                .iter()
                .map(|(at, _)| *at)
                .filter(|at| *at > now)
                .min();
            let horizon_stop = self.0.horizon.get().filter(|at| *at > now);
            let next = [next, next_sleeper, horizon_stop]
                .into_iter()
                .flatten()
                .min();
            let stop = match next {
                Some(at) if at < target => at,
                Some(at) if at == target || to_target => target,
                None if to_target => target,
                _ => return true,
            };
            // Realtime moves are recorded as the world's `advance` (consecutive ones merge).
            let _ = self.0.world.borrow_mut().advance((stop - now).max(0));
            steps += 1;
            if stop >= target {
                return true;
            }
            if steps >= CATCH_UP_STEPS_MAX || wall_now() - started >= CATCH_UP_BUDGET_MS {
                // Continue from here in the next task; the clock carries on from this pair.
                let now = self.now();
                self.0.clock.borrow_mut().reanchor(wall_now(), now);
                return false;
            }
        }
    }

    /// Hands out produce outcomes, cluster and consumer events; wakes sleepers and movers;
    /// schedules the next realtime wake-up. Calls callbacks only with no borrow held.
    fn dispatch(&self) {
        self.flush();
        let (world_events, now) = {
            let mut world = self.0.world.borrow_mut();
            (world.poll_events(), world.now())
        };
        let mut outcomes = Vec::new();
        let mut events = Vec::new();
        for (_, event) in world_events {
            match SessionEvent::of_world(event) {
                SessionEvent::ProduceCompleted(outcome) => outcomes.push(outcome),
                other => events.push(other),
            }
        }
        let subscribers: Vec<Subscriber> = self
            .0
            .subscribers
            .borrow()
            .iter()
            .map(|(_, s)| s.clone())
            .collect();
        for outcome in outcomes {
            if !subscribers.is_empty() {
                let event = SessionEvent::ProduceCompleted(outcome.clone());
                for subscriber in &subscribers {
                    subscriber(&event, now);
                }
            }
            // To its waiter, or kept: the command that sent it has not asked yet.
            let request = outcome.request;
            self.0.produces.borrow_mut().answer(request, Ok(outcome));
        }
        let clients: Vec<(u32, ConsumerSink)> = self
            .0
            .consumers
            .borrow()
            .iter()
            .map(|(id, sink)| (*id, sink.clone()))
            .collect();
        for (client, sink) in clients {
            loop {
                let event = self.0.world.borrow_mut().poll_client_consumer_event(client);
                match event {
                    Some(event) => sink(event),
                    None => break,
                }
            }
        }
        if !subscribers.is_empty() {
            for event in events {
                for subscriber in &subscribers {
                    subscriber(&event, now);
                }
            }
        }
        let due: Vec<Slot<()>> = {
            let mut sleepers = self.0.sleepers.borrow_mut();
            let (due, later): (Vec<_>, Vec<_>) = sleepers.drain(..).partition(|(at, _)| *at <= now);
            *sleepers = later;
            due.into_iter().map(|(_, slot)| slot).collect()
        };
        for slot in due {
            slot.fill(());
        }
        let time_moved = now > self.0.last_dispatch.get();
        self.0.last_dispatch.set(now);
        let woken: Vec<Slot<()>> = {
            let movers = std::mem::take(&mut *self.0.movers.borrow_mut());
            let (woken, waiting): (Vec<_>, Vec<_>) =
                movers.into_iter().partition(|(consumer, _)| {
                    time_moved
                        || consumer.is_some_and(|(id, held)| {
                            self.consumer_buffered(id).is_none_or(|now| now > held)
                        })
                });
            self.0.movers.borrow_mut().extend(waiting);
            woken.into_iter().map(|(_, slot)| slot).collect()
        };
        for slot in woken {
            slot.fill(());
        }
        self.schedule();
    }

    /// Forgets the scheduled wake-up and schedules anew (after a clock change).
    fn reschedule(&self) {
        let (generation, _) = self.0.timer.get();
        self.0.timer.set((generation + 1, None));
        self.schedule();
    }

    /// In realtime, makes sure a `setTimeout` fires when the next thing is due.
    fn schedule(&self) {
        if self.0.closed.get() || !self.0.clock.borrow().is_running() {
            return;
        }
        let next_sleeper = self.0.sleepers.borrow().iter().map(|(at, _)| *at).min();
        let (next, now) = {
            let world = self.0.world.borrow();
            let next = [world.next_wakeup(), next_sleeper]
                .into_iter()
                .flatten()
                .min();
            (next, world.now())
        };
        let Some(next) = next else {
            return;
        };
        // Nothing moves past the horizon by itself: wake up there at the latest.
        let next = match self.0.horizon.get() {
            Some(horizon) if now >= horizon => return,
            Some(horizon) => next.min(horizon),
            None => next,
        };
        let (generation, scheduled) = self.0.timer.get();
        if scheduled.is_some_and(|at| at <= next) {
            return;
        }
        // A catch-up runs LOOKAHEAD_MS ahead of the page's clock: wake up once `next` is that
        // close, not when the page's clock reaches it.
        let Some(delay) =
            self.0
                .clock
                .borrow()
                .wall_delay(next.saturating_sub(LOOKAHEAD_MS), wall_now(), now)
        else {
            return;
        };
        let generation = generation + 1;
        self.0.timer.set((generation, Some(next)));
        let weak: Weak<Inner> = Rc::downgrade(&self.0);
        let fire = Closure::once_into_js(move || {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let session = Session(inner);
            if session.0.timer.get().0 != generation || session.0.closed.get() {
                return;
            }
            session.0.timer.set((generation, None));
            // A catch-up that ran out of budget re-anchored the clock where it stopped: the
            // cluster falls behind the page's clock rather than starving the page.
            session.catch_up(LOOKAHEAD_MS, false);
            session.dispatch();
        });
        set_timeout(&fire, delay.min(2_147_483_647.0));
    }
}
