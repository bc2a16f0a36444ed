//! The root component: owns the broker, turns user actions into host commands, and ticks the
//! broker's log maintenance on an interval.

use std::cell::{Cell, RefCell};
use std::collections::BTreeMap;
use std::rc::Rc;

use rill_wasm::{Host, HostError, ProduceInput, StorageKind};
use wasm_bindgen::JsCast;
use wasm_bindgen::closure::Closure;
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{
    AlertBanner, CreateTopicForm, CreateTopicRequest, Header, ProduceForm, ProduceRequest,
    TopicCard, TopicRequest,
};
use crate::state::{
    Action, AppState, DeletedSegment, KeyMovePreview, LANE_RECORDS_MAX, Lane, Persistence,
    RecordView, Snapshot, alert_of,
};

/// The IndexedDB store the playground keeps its broker in.
pub const BROKER_NAME: &str = "playground";

/// How often the broker's log maintenance (retention) runs, like Kafka's
/// `log.retention.check.interval.ms` (5 minutes there; 1 s here so you can watch it).
pub const TICK_INTERVAL_MS: i32 = 1_000;

/// Partition counts being typed into each topic's "add partitions" field.
type PreviewRequests = BTreeMap<String, i64>;

/// Reads everything the view draws from the broker.
pub fn snapshot(host: &Host, previews: &PreviewRequests) -> Snapshot {
    let topics = host.topics();
    let mut lanes = BTreeMap::new();
    for topic in &topics {
        for partition in &topic.partitions {
            let start = partition
                .log_start_offset
                .max(partition.log_end_offset - LANE_RECORDS_MAX as i64);
            let records = host
                .fetch_all(&topic.name, partition.partition, start)
                .map(|fetched| fetched.records)
                .unwrap_or_default();
            let lane = Lane {
                older: start - partition.log_start_offset,
                records: records
                    .into_iter()
                    .map(|r| RecordView {
                        offset: r.offset,
                        key: r
                            .key
                            .as_deref()
                            .map(|k| String::from_utf8_lossy(k).into_owned()),
                        key_bytes: r.key,
                        value: r
                            .value
                            .as_deref()
                            .map(|v| String::from_utf8_lossy(v).into_owned()),
                        timestamp: r.timestamp,
                    })
                    .collect(),
            };
            lanes.insert((topic.name.clone(), partition.partition), lane);
        }
    }
    let key_moves = previews
        .iter()
        .filter(|(name, _)| topics.iter().any(|t| &t.name == *name))
        .map(|(name, &total)| {
            let moves = host.keys_that_move(name, total).map_err(|e| alert_of(&e));
            (name.clone(), KeyMovePreview { total, moves })
        })
        .collect();
    Snapshot {
        topics,
        lanes,
        key_moves,
    }
}

/// Counts host commands whose storage flush has not resolved yet; a tick waits for zero.
#[derive(Clone, Debug, Default)]
struct InFlight(Rc<Cell<u32>>);

/// Held while a command is in flight.
struct InFlightGuard(Rc<Cell<u32>>);

impl InFlight {
    fn start(&self) -> InFlightGuard {
        self.0.set(self.0.get() + 1);
        InFlightGuard(self.0.clone())
    }

    fn idle(&self) -> bool {
        self.0.get() == 0
    }
}

impl Drop for InFlightGuard {
    fn drop(&mut self) {
        self.0.set(self.0.get() - 1);
    }
}

fn whole_number(text: &str, what: &str, example: &str) -> Result<i64, HostError> {
    text.trim().parse::<i64>().map_err(|_| {
        HostError::InvalidArgument(format!("{what} must be a whole number, like {example}"))
    })
}

/// Everything a command callback needs.
#[derive(Clone)]
struct Commands {
    host: Host,
    dispatcher: UseReducerDispatcher<AppState>,
    in_flight: InFlight,
    previews: Rc<RefCell<PreviewRequests>>,
}

impl Commands {
    fn snapshot(&self) -> Snapshot {
        snapshot(&self.host, &self.previews.borrow())
    }

    /// Re-reads the broker and its events after a successful command.
    fn refreshed(&self) {
        let events = self.host.poll_events();
        self.dispatcher.dispatch(Action::Refreshed {
            snapshot: self.snapshot(),
            events,
        });
    }

    fn failed(&self, error: HostError) {
        // A failed command leaves no events; drain anyway so none pile up.
        let _ = self.host.poll_events();
        self.dispatcher.dispatch(Action::Failed(error));
    }

    /// Runs `command` (already applied to the engine when it returns its future) and refreshes.
    fn run<F>(&self, command: impl FnOnce(Host) -> F + 'static)
    where
        F: std::future::Future<Output = Result<(), HostError>> + 'static,
    {
        let this = self.clone();
        let guard = self.in_flight.start();
        spawn_local(async move {
            let result = command(this.host.clone()).await;
            drop(guard);
            match result {
                Ok(()) => this.refreshed(),
                Err(error) => this.failed(error),
            }
        });
    }

    fn create(&self, request: CreateTopicRequest) {
        let partitions = match whole_number(&request.partitions, "partitions", "3") {
            Ok(n) => n,
            Err(error) => return self.failed(error),
        };
        let configs = request.configs();
        let name = request.name.trim().to_owned();
        self.run(move |host| async move {
            host.create_topic(&name, partitions, configs)
                .await
                .map(drop)
        });
    }

    fn produce(&self, request: ProduceRequest) {
        let this = self.clone();
        let guard = self.in_flight.start();
        spawn_local(async move {
            let message = ProduceInput {
                key: (!request.key.is_empty()).then(|| request.key.into_bytes()),
                value: Some(request.value.into_bytes()),
                ..ProduceInput::default()
            };
            let result = this.host.produce(&request.topic, vec![message]).await;
            drop(guard);
            match result {
                Ok(produced) => {
                    let events = this.host.poll_events();
                    let snapshot = this.snapshot();
                    match produced.first() {
                        Some(p) => this.dispatcher.dispatch(Action::Produced {
                            snapshot,
                            events,
                            at: (request.topic.clone(), p.partition, p.offset),
                        }),
                        None => this
                            .dispatcher
                            .dispatch(Action::Refreshed { snapshot, events }),
                    }
                }
                Err(error) => this.failed(error),
            }
        });
    }

    fn topic_request(&self, request: TopicRequest) {
        match request {
            TopicRequest::PreviewPartitions { topic, total } => {
                match total.trim().parse::<i64>() {
                    Ok(total) => self.previews.borrow_mut().insert(topic, total),
                    Err(_) => self.previews.borrow_mut().remove(&topic),
                };
                self.dispatcher.dispatch(Action::Previewed(self.snapshot()));
            }
            TopicRequest::AddPartitions { topic, total } => {
                let total = match whole_number(&total, "the new partition count", "6") {
                    Ok(n) => n,
                    Err(error) => return self.failed(error),
                };
                let previews = self.previews.clone();
                self.run(move |host| async move {
                    host.create_partitions(&topic, total).await?;
                    previews.borrow_mut().remove(&topic);
                    Ok(())
                });
            }
            TopicRequest::DeleteRecords {
                topic,
                partition,
                offset,
            } => {
                let parsed = whole_number(&partition, "the partition", "0").and_then(|p| {
                    Ok((
                        p,
                        whole_number(&offset, "the offset to delete before", "10")?,
                    ))
                });
                let (partition, offset) = match parsed {
                    Ok(parsed) => parsed,
                    Err(error) => return self.failed(error),
                };
                let partition = i32::try_from(partition).unwrap_or(-1);
                self.run(move |host| async move {
                    host.delete_records(&topic, partition, offset)
                        .await
                        .map(drop)
                });
            }
            TopicRequest::DeleteTopic { topic } => {
                self.previews.borrow_mut().remove(&topic);
                self.run(move |host| async move { host.delete_topic(&topic).await });
            }
        }
    }

    /// One tick of log maintenance, unless a command (or the previous tick) is still being
    /// persisted: ticks are commands too, and never overlap one.
    fn tick(&self) {
        if !self.in_flight.idle() {
            return;
        }
        let this = self.clone();
        let guard = self.in_flight.start();
        spawn_local(async move {
            let result = this.host.tick().await;
            drop(guard);
            match result {
                Ok(()) => {
                    let events = this.host.poll_events();
                    let snapshot = (!events.is_empty()).then(|| this.snapshot());
                    this.dispatcher
                        .dispatch(Action::Ticked { snapshot, events });
                }
                Err(error) => this.failed(error),
            }
        });
    }
}

/// Calls `tick` every `TICK_INTERVAL_MS` until the returned guard is dropped.
fn start_interval(tick: impl Fn() + 'static) -> impl FnOnce() {
    let closure = Closure::<dyn Fn()>::new(tick);
    let window = web_sys::window();
    let id = window.as_ref().and_then(|w| {
        w.set_interval_with_callback_and_timeout_and_arguments_0(
            closure.as_ref().unchecked_ref(),
            TICK_INTERVAL_MS,
        )
        .ok()
    });
    move || {
        if let (Some(window), Some(id)) = (window, id) {
            window.clear_interval_with_handle(id);
        }
        drop(closure);
    }
}

/// The playground.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let host = use_state(|| None::<Host>);
    let in_flight = use_memo((), |_| InFlight::default());
    let previews = use_mut_ref(PreviewRequests::new);
    let paused = use_state(|| false);

    {
        let dispatcher = state.dispatcher();
        let host = host.setter();
        use_effect_with((), move |_| {
            spawn_local(async move {
                let (opened, persistence, warning) =
                    match Host::open(BROKER_NAME, StorageKind::IndexedDb).await {
                        Ok(opened) => (Ok(opened), Persistence::IndexedDb, None),
                        Err(error) => {
                            let memory = Host::open(BROKER_NAME, StorageKind::Memory).await;
                            (memory, Persistence::MemoryOnly, Some(error))
                        }
                    };
                match opened {
                    Ok(opened) => {
                        // Events of the recovery are not drawn.
                        let _ = opened.poll_events();
                        let snapshot = snapshot(&opened, &PreviewRequests::new());
                        host.set(Some(opened));
                        dispatcher.dispatch(Action::Opened {
                            persistence,
                            snapshot,
                            warning,
                        });
                    }
                    Err(error) => dispatcher.dispatch(Action::Failed(error)),
                }
            });
        });
    }

    let commands = (*host).clone().map(|host| Commands {
        host,
        dispatcher: state.dispatcher(),
        in_flight: (*in_flight).clone(),
        previews: previews.clone(),
    });

    {
        let commands = commands.clone();
        let running = commands.is_some() && !*paused;
        use_effect_with(running, move |running| {
            let stop = match (running, commands) {
                (true, Some(commands)) => Some(start_interval(move || commands.tick())),
                _ => None,
            };
            move || {
                if let Some(stop) = stop {
                    stop();
                }
            }
        });
    }

    let on_create = {
        let commands = commands.clone();
        Callback::from(move |request: CreateTopicRequest| {
            if let Some(commands) = &commands {
                commands.create(request);
            }
        })
    };
    let on_produce = {
        let commands = commands.clone();
        Callback::from(move |request: ProduceRequest| {
            if let Some(commands) = &commands {
                commands.produce(request);
            }
        })
    };
    let on_topic_request = {
        let commands = commands.clone();
        Callback::from(move |request: TopicRequest| {
            if let Some(commands) = &commands {
                commands.topic_request(request);
            }
        })
    };
    let on_toggle_time = {
        let paused = paused.clone();
        Callback::from(move |_: MouseEvent| paused.set(!*paused))
    };
    let on_dismiss = {
        let dispatcher = state.dispatcher();
        Callback::from(move |_| dispatcher.dispatch(Action::DismissAlert))
    };

    let topic_names: Vec<String> = state
        .snapshot
        .topics
        .iter()
        .map(|t| t.name.clone())
        .collect();
    let total_records: i64 = state
        .snapshot
        .topics
        .iter()
        .flat_map(|t| &t.partitions)
        .map(|p| p.log_end_offset - p.log_start_offset)
        .sum();

    html! {
        <div id="app" data-ready={state.ready.to_string()} data-ticks={state.ticks.to_string()}>
            <Header persistence={state.persistence} topics={topic_names.len()} records={total_records}
                paused={*paused} on_toggle_time={on_toggle_time} />
            <div class="layout">
                <aside class="controls" aria-label="Controls">
                    <CreateTopicForm on_create={on_create} disabled={!state.ready} />
                    <ProduceForm topics={topic_names.clone()} on_produce={on_produce} disabled={!state.ready} />
                </aside>
                <main class="topics" aria-label="Topics">
                    <AlertBanner alert={state.alert.clone()} on_dismiss={on_dismiss} />
                    if state.snapshot.topics.is_empty() {
                        <div class="empty">
                            <h2>{ "No topics yet" }</h2>
                            <p>{ "Create a topic with a few partitions, then produce records with keys. \
                                 Records with the same key always land in the same partition." }</p>
                        </div>
                    }
                    { for state.snapshot.topics.iter().map(|topic| {
                        let lanes: Vec<Lane> = topic.partitions.iter()
                            .map(|p| state.snapshot.lanes.get(&(topic.name.clone(), p.partition)).cloned().unwrap_or_default())
                            .collect();
                        let highlight = state.last_produced.as_ref()
                            .filter(|(t, _, _)| *t == topic.name)
                            .map(|(_, p, o)| (*p, *o));
                        let deleted: Vec<DeletedSegment> = state.deleted.iter()
                            .filter(|d| d.topic == topic.name)
                            .cloned()
                            .collect();
                        let preview = state.snapshot.key_moves.get(&topic.name).cloned();
                        html! {
                            <TopicCard key={topic.name.clone()} topic={topic.clone()} {lanes} {highlight}
                                {deleted} {preview} on_request={on_topic_request.clone()} />
                        }
                    }) }
                </main>
            </div>
        </div>
    }
}
