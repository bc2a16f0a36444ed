//! `ClusterHost`: one replicated [`Cluster`] in the page, its clock, and what waits on it.
//!
//! Every mutating command goes through [`ClusterHost::command`] and its promise resolves only
//! after [`ClusterHost::durable`]. Whenever the cluster moved (a command, `advance`, a realtime
//! wake-up), what it asks to persist (`Cluster::poll_storage`) goes to the
//! [`DurableWriter`] at once: one IndexedDB write in flight, later ops grouped into the next.
//! `durable()` waits for the write carrying everything so far. A failed write rebuilds the
//! cluster from what the store holds (`Cluster::recover`) before the waiting commands fail.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::{Rc, Weak};
use std::task::{Context, Poll, Waker};

use js_sys::Function;
use rill_core::cluster::{
    Cluster, ClusterConfig, ClusterEvent, ClusterRecoveryError, ProduceOutcome,
};
use rill_core::consumer::ConsumerEvent;
use rill_core::error::KafkaError;
use wasm_bindgen::prelude::*;

use crate::HostError;
use crate::durable::{DurableWriter, Persisted};
use crate::host::StorageKind;
use crate::store::{IdbStore, Store, StoreFault, StoredState};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &JsValue, ms: f64) -> JsValue;
}

/// How the cluster's time moves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Clock {
    /// Only `advance(ms)` moves time.
    Manual,
    /// The host follows the page's clock (`Date.now()`), waking when something is due.
    Realtime,
}

struct SlotState<T> {
    value: Option<T>,
    waker: Option<Waker>,
}

/// A one-shot value a future waits for; filled by the host when the cluster produces it.
pub(crate) struct Slot<T>(Rc<RefCell<SlotState<T>>>);

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        Self(self.0.clone())
    }
}

impl<T> Slot<T> {
    /// An empty slot.
    pub(crate) fn new() -> Self {
        Self(Rc::new(RefCell::new(SlotState {
            value: None,
            waker: None,
        })))
    }

    /// Fills the slot and wakes its waiter.
    pub(crate) fn fill(&self, value: T) {
        let waker = {
            let mut state = self.0.borrow_mut();
            state.value = Some(value);
            state.waker.take()
        };
        if let Some(waker) = waker {
            waker.wake();
        }
    }
}

impl<T> Future for Slot<T> {
    type Output = T;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<T> {
        let mut state = self.0.borrow_mut();
        match state.value.take() {
            Some(value) => Poll::Ready(value),
            None => {
                state.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// Receives one consumer's events.
pub(crate) type ConsumerSink = Rc<dyn Fn(ConsumerEvent)>;

struct Inner {
    cluster: RefCell<Cluster>,
    /// Where the cluster's storage ops go; `None` in memory (they are dropped as drained).
    writer: Option<DurableWriter>,
    /// The write carrying every op drained so far (`None`: nothing written yet).
    latest: RefCell<Option<Persisted>>,
    /// What recovery on open found (cut logs), replayed to each new listener.
    recovered: Vec<ClusterEvent>,
    clock: Clock,
    closed: Cell<bool>,
    next_client: Cell<u32>,
    /// Produce requests waiting for their outcome, or for the error that lost them.
    produces: RefCell<BTreeMap<u64, Slot<Result<ProduceOutcome, HostError>>>>,
    /// Outcomes that arrived before their request's sender asked for them (it asks right
    /// after the command that sent it returns).
    unclaimed: RefCell<BTreeMap<u64, ProduceOutcome>>,
    ticks: RefCell<Vec<Slot<()>>>,
    sleepers: RefCell<Vec<(i64, Slot<()>)>>,
    consumers: RefCell<BTreeMap<u32, ConsumerSink>>,
    listeners: RefCell<Vec<(u64, String, Function)>>,
    next_listener: Cell<u64>,
    /// The realtime wake-up scheduled: (generation, cluster time it is for).
    timer: Cell<(u64, Option<i64>)>,
}

/// The page's handle on one cluster (cheap to clone).
#[derive(Clone)]
pub(crate) struct ClusterHost(Rc<Inner>);

impl std::fmt::Debug for ClusterHost {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClusterHost")
            .field("clock", &self.0.clock)
            .finish_non_exhaustive()
    }
}

/// An event object's `type`.
fn event_type(event: &JsValue) -> String {
    js_sys::Reflect::get(event, &"type".into())
        .ok()
        .and_then(|t| t.as_string())
        .unwrap_or_default()
}

/// What `Rill.open` asked for.
#[derive(Clone, Debug)]
pub(crate) struct OpenOptions {
    /// The store's name.
    pub(crate) name: String,
    /// Memory or IndexedDB.
    pub(crate) storage: StorageKind,
    /// Brokers of a new cluster (3 when `None`); a stored cluster must match when given.
    pub(crate) brokers: Option<u32>,
    /// Seed of a new cluster.
    pub(crate) seed: u64,
    /// How time moves.
    pub(crate) clock: Clock,
    /// Message latency of a new cluster (`None`: the cluster's default).
    pub(crate) latency: Option<rill_core::cluster::Latency>,
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

impl ClusterHost {
    /// Opens the cluster `options.name`: recovered from IndexedDB when stored there (the
    /// first writes, e.g. a new cluster's metadata snapshot or a recovery's cut written back,
    /// are durable before this resolves), else a new one.
    pub(crate) async fn open(options: OpenOptions) -> Result<ClusterHost, HostError> {
        if options.name.is_empty() {
            return Err(HostError::InvalidArgument(
                "options.name must not be empty".into(),
            ));
        }
        let start = match options.clock {
            Clock::Manual => 0,
            Clock::Realtime => js_sys::Date::now() as i64,
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
                .map_err(|e| HostError::InvalidArgument(format!("options.brokers: {e}")))
        };
        let host = match options.storage {
            StorageKind::Memory => ClusterHost::new(fresh()?, options.clock, None, Vec::new()),
            StorageKind::IndexedDb => {
                let mut opened = IdbStore::open(&options.name).await?;
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
                            _ => Ok((cluster, events)),
                        })
                };
                let (cluster, events) = match built {
                    Ok(built) => built,
                    Err(error) => {
                        opened.store.close();
                        return Err(error);
                    }
                };
                ClusterHost::new(
                    cluster,
                    options.clock,
                    Some(Store::IndexedDb(opened.store)),
                    events,
                )
            }
        };
        if let Err(error) = host.durable().await {
            host.close();
            return Err(error);
        }
        Ok(host)
    }

    /// Hosts `cluster` with `clock`, persisting to `store` (`None`: in memory only).
    /// `recovered` are the events of the recovery that built `cluster`, replayed to every
    /// listener as it subscribes.
    pub(crate) fn new(
        cluster: Cluster,
        clock: Clock,
        store: Option<Store>,
        recovered: Vec<ClusterEvent>,
    ) -> Self {
        let host = Self(Rc::new_cyclic(|weak: &Weak<Inner>| {
            let writer = store.map(|store| {
                let weak = weak.clone();
                DurableWriter::new(store, move |state: StoredState, error: &HostError| {
                    let inner = weak
                        .upgrade()
                        .ok_or_else(|| HostError::Storage("the cluster is gone".into()))?;
                    ClusterHost(inner).rebuild(state, error)
                })
            });
            Inner {
                cluster: RefCell::new(cluster),
                writer,
                latest: RefCell::new(None),
                recovered,
                clock,
                closed: Cell::new(false),
                next_client: Cell::new(1_000),
                produces: RefCell::new(BTreeMap::new()),
                unclaimed: RefCell::new(BTreeMap::new()),
                ticks: RefCell::new(Vec::new()),
                sleepers: RefCell::new(Vec::new()),
                consumers: RefCell::new(BTreeMap::new()),
                listeners: RefCell::new(Vec::new()),
                next_listener: Cell::new(0),
                timer: Cell::new((0, None)),
            }
        }));
        host.schedule();
        host
    }

    /// After a failed write: the cluster as a reload would recover it from what the store
    /// holds (time keeps going), and every produce still waiting fails with the write's
    /// `error` (its request was lost with the old cluster; the producer does not retry it).
    fn rebuild(&self, state: StoredState, error: &HostError) -> Result<(), HostError> {
        let now = self.now();
        let (cluster, _) = Cluster::recover(state.image, now).map_err(|e| recovery_error(&e))?;
        *self
            .0
            .cluster
            .try_borrow_mut()
            .map_err(|_| HostError::Storage("the cluster is busy".into()))? = cluster;
        self.fail_waiting_produces(error);
        Ok(())
    }

    /// Every produce still waiting for its outcome fails with `error`: its request is gone.
    fn fail_waiting_produces(&self, error: &HostError) {
        self.0.unclaimed.borrow_mut().clear();
        let produces = std::mem::take(&mut *self.0.produces.borrow_mut());
        for (_, slot) in produces {
            slot.fill(Err(error.clone()));
        }
    }

    /// Hands what the cluster asks to persist to the writer (in memory: drops it).
    fn flush(&self) {
        let ops = self.0.cluster.borrow_mut().poll_storage();
        if ops.is_empty() {
            return;
        }
        if let Some(writer) = &self.0.writer {
            *self.0.latest.borrow_mut() = Some(writer.persist(ops));
        }
    }

    /// Makes the next IndexedDB write fail with `fault` (tests); `false` in memory.
    pub(crate) fn fail_next_write(&self, fault: StoreFault) -> bool {
        self.0
            .writer
            .as_ref()
            .is_some_and(|writer| writer.fail_next_write(fault))
    }

    /// The clock mode.
    pub(crate) fn clock(&self) -> Clock {
        self.0.clock
    }

    /// Fails with `NETWORK_EXCEPTION` once the instance is closed.
    pub(crate) fn check_open(&self) -> Result<(), HostError> {
        if self.0.closed.get() {
            return Err(HostError::Kafka {
                code: rill_core::ErrorCode::NetworkException,
                message: "this Rill instance is closed".into(),
            });
        }
        Ok(())
    }

    /// A fresh client id for a producer or consumer.
    pub(crate) fn client_id(&self) -> u32 {
        let id = self.0.next_client.get();
        self.0.next_client.set(id + 1);
        id
    }

    /// Reads the cluster.
    pub(crate) fn read<R>(&self, f: impl FnOnce(&Cluster) -> R) -> R {
        f(&self.0.cluster.borrow())
    }

    /// Runs a command on the cluster at the current time (in realtime, first caught up to the
    /// page's clock), then lets what became due at this instant happen (consumer requests go
    /// out) and delivers outcomes and events.
    pub(crate) fn command<R>(&self, f: impl FnOnce(&mut Cluster) -> R) -> Result<R, HostError> {
        self.check_open()?;
        if let Some(writer) = &self.0.writer {
            writer.check_writable()?;
        }
        self.catch_up();
        let result = f(&mut self.0.cluster.borrow_mut());
        self.0.cluster.borrow_mut().advance(0);
        self.dispatch();
        Ok(result)
    }

    /// Resolves once every change made so far is durable (in memory: at once), or fails with
    /// the write's error once the cluster was rebuilt from the store. Every mutating command
    /// awaits it before its promise resolves; a produce awaits it after its outcome arrived.
    pub(crate) fn durable(&self) -> impl Future<Output = Result<(), HostError>> + use<> {
        self.flush();
        let latest = self.0.latest.borrow().clone();
        async move {
            match latest {
                Some(persisted) => persisted.await,
                None => Ok(()),
            }
        }
    }

    /// Moves time forward by `ms` (manual clock), delivering what happened.
    pub(crate) fn advance(&self, ms: i64) -> Result<(), HostError> {
        self.check_open()?;
        self.0.cluster.borrow_mut().advance(ms);
        self.dispatch();
        Ok(())
    }

    /// The cluster's time.
    pub(crate) fn now(&self) -> i64 {
        self.0.cluster.borrow().now()
    }

    /// Waits for the outcome of produce request `request`.
    pub(crate) fn produce_outcome(&self, request: u64) -> Slot<Result<ProduceOutcome, HostError>> {
        let slot = Slot::new();
        // An outcome known before anyone waited for it (acks=0, no leader: answered within the
        // command that sent it) was kept for this call.
        let early = self.0.unclaimed.borrow_mut().remove(&request);
        match early {
            Some(outcome) => slot.fill(Ok(outcome)),
            None => {
                self.0.produces.borrow_mut().insert(request, slot.clone());
            }
        }
        slot
    }

    /// Resolves after the next time the cluster moved or a command ran.
    pub(crate) fn next_tick(&self) -> Slot<()> {
        let slot = Slot::new();
        self.0.ticks.borrow_mut().push(slot.clone());
        slot
    }

    /// Resolves once cluster time reaches `at`.
    pub(crate) fn sleep_until(&self, at: i64) -> Slot<()> {
        let slot = Slot::new();
        self.0.sleepers.borrow_mut().push((at, slot.clone()));
        self.schedule();
        slot
    }

    /// Sends consumer `client`'s events to `sink` from now on.
    pub(crate) fn register_consumer(&self, client: u32, sink: ConsumerSink) {
        self.0.consumers.borrow_mut().insert(client, sink);
    }

    /// Stops sending consumer `client`'s events.
    pub(crate) fn unregister_consumer(&self, client: u32) {
        self.0.consumers.borrow_mut().remove(&client);
    }

    /// Adds an event listener for `kind` (`"*"`: every event); returns its id. The listener
    /// first gets what recovery found when the cluster was opened.
    pub(crate) fn listen(&self, kind: String, callback: Function) -> u64 {
        let id = self.0.next_listener.get();
        self.0.next_listener.set(id + 1);
        let now = self.now();
        for event in &self.0.recovered {
            let event = super::events::cluster_event_to_js(event, now);
            if kind == "*" || event_type(&event) == kind {
                // A listener that throws does not stop the others or the cluster.
                let _ = callback.call1(&JsValue::NULL, &event);
            }
        }
        self.0.listeners.borrow_mut().push((id, kind, callback));
        id
    }

    /// Removes the listener `id`.
    pub(crate) fn unlisten(&self, id: u64) {
        self.0.listeners.borrow_mut().retain(|(i, _, _)| *i != id);
    }

    /// Stops the clock; later commands fail, and sends still waiting fail with
    /// `NETWORK_EXCEPTION` (the connection is gone).
    pub(crate) fn close(&self) {
        self.0.closed.set(true);
        if let Some(writer) = &self.0.writer {
            // Writes already issued still commit; the store's lock is released.
            writer.close();
        }
        self.0.consumers.borrow_mut().clear();
        self.0.listeners.borrow_mut().clear();
        self.fail_waiting_produces(&HostError::Kafka {
            code: rill_core::ErrorCode::NetworkException,
            message: "this Rill instance was closed before the broker answered".into(),
        });
        let sleepers = std::mem::take(&mut *self.0.sleepers.borrow_mut());
        for (_, slot) in sleepers {
            slot.fill(());
        }
        let ticks = std::mem::take(&mut *self.0.ticks.borrow_mut());
        for tick in ticks {
            tick.fill(());
        }
    }

    /// Whether `close` was called.
    pub(crate) fn is_closed(&self) -> bool {
        self.0.closed.get()
    }

    /// In realtime, advances the cluster to the page's clock.
    fn catch_up(&self) {
        if self.0.clock != Clock::Realtime {
            return;
        }
        let wall = js_sys::Date::now() as i64;
        let now = self.now();
        if wall > now {
            self.0.cluster.borrow_mut().advance(wall - now);
        }
    }

    /// Hands out produce outcomes, cluster and consumer events; wakes sleepers and tick
    /// waiters; schedules the next realtime wake-up. Calls JavaScript only with no borrow held.
    fn dispatch(&self) {
        self.flush();
        let (outcomes, events, now) = {
            let mut cluster = self.0.cluster.borrow_mut();
            (
                cluster.poll_outcomes(),
                cluster.poll_events(),
                cluster.now(),
            )
        };
        let listening = !self.0.listeners.borrow().is_empty();
        for outcome in outcomes {
            if listening {
                self.emit(&super::events::outcome_to_js(&outcome, now));
            }
            let slot = self.0.produces.borrow_mut().remove(&outcome.request);
            match slot {
                Some(slot) => slot.fill(Ok(outcome)),
                // The command that sent it has not asked yet: `produce_outcome` will.
                None => {
                    self.0
                        .unclaimed
                        .borrow_mut()
                        .insert(outcome.request, outcome);
                }
            }
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
                let event = self
                    .0
                    .cluster
                    .borrow_mut()
                    .consumer_mut(client)
                    .and_then(|c| c.poll_event());
                match event {
                    Some(event) => sink(event),
                    None => break,
                }
            }
        }
        if !events.is_empty() && !self.0.listeners.borrow().is_empty() {
            for event in &events {
                self.emit(&super::events::cluster_event_to_js(event, now));
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
        let ticks = std::mem::take(&mut *self.0.ticks.borrow_mut());
        for tick in ticks {
            tick.fill(());
        }
        self.schedule();
    }

    /// Calls the listeners of `event.type` and of `"*"`.
    pub(crate) fn emit(&self, event: &JsValue) {
        let kind = event_type(event);
        let listeners: Vec<Function> = self
            .0
            .listeners
            .borrow()
            .iter()
            .filter(|(_, k, _)| *k == kind || k == "*")
            .map(|(_, _, f)| f.clone())
            .collect();
        for listener in listeners {
            // A listener that throws does not stop the others or the cluster.
            let _ = listener.call1(&JsValue::NULL, event);
        }
    }

    /// In realtime, makes sure a `setTimeout` fires when the next thing is due.
    fn schedule(&self) {
        if self.0.clock != Clock::Realtime || self.0.closed.get() {
            return;
        }
        let next_sleeper = self.0.sleepers.borrow().iter().map(|(at, _)| *at).min();
        let next = {
            let cluster = self.0.cluster.borrow();
            [cluster.next_wakeup(), next_sleeper]
                .into_iter()
                .flatten()
                .min()
        };
        let Some(next) = next else {
            return;
        };
        let (generation, scheduled) = self.0.timer.get();
        if scheduled.is_some_and(|at| at <= next) {
            return;
        }
        let generation = generation + 1;
        self.0.timer.set((generation, Some(next)));
        let delay = (next as f64 - js_sys::Date::now()).clamp(0.0, 2_147_483_647.0);
        let weak: Weak<Inner> = Rc::downgrade(&self.0);
        let fire = Closure::once_into_js(move || {
            let Some(inner) = weak.upgrade() else {
                return;
            };
            let host = ClusterHost(inner);
            if host.0.timer.get().0 != generation || host.0.closed.get() {
                return;
            }
            host.0.timer.set((generation, None));
            host.catch_up();
            host.dispatch();
        });
        set_timeout(&fire, delay);
    }
}
