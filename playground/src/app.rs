//! The root component: owns the broker, turns user actions into host commands.

use rill_wasm::{Host, HostError, ProduceInput, StorageKind};
use wasm_bindgen_futures::spawn_local;
use yew::prelude::*;

use crate::components::{
    AlertBanner, CreateTopicForm, Header, ProduceForm, ProduceRequest, TopicCard,
};
use crate::state::{Action, AppState, LANE_RECORDS_MAX, Lane, Persistence, RecordView, Snapshot};

/// The IndexedDB store the playground keeps its broker in.
pub const BROKER_NAME: &str = "playground";

/// Reads everything the view draws from the broker.
pub fn snapshot(host: &Host) -> Snapshot {
    let topics = host.topics();
    let mut lanes = std::collections::BTreeMap::new();
    for topic in &topics {
        for partition in &topic.partitions {
            let start = partition
                .log_start_offset
                .max(partition.log_end_offset - LANE_RECORDS_MAX as i64);
            let records = host
                .fetch(&topic.name, partition.partition, start, usize::MAX)
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
    Snapshot { topics, lanes }
}

/// The playground.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(AppState::default);
    let host = use_state(|| None::<Host>);

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
                        let snapshot = snapshot(&opened);
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

    let on_create = {
        let dispatcher = state.dispatcher();
        let host = (*host).clone();
        Callback::from(move |(name, partitions): (String, String)| {
            let Some(host) = host.clone() else { return };
            let dispatcher = dispatcher.clone();
            let Ok(partitions) = partitions.trim().parse::<i64>() else {
                dispatcher.dispatch(Action::Failed(HostError::InvalidArgument(
                    "partitions must be a whole number, like 3".into(),
                )));
                return;
            };
            spawn_local(async move {
                match host.create_topic(name.trim(), partitions, Vec::new()).await {
                    Ok(_) => dispatcher.dispatch(Action::Refreshed(snapshot(&host))),
                    Err(error) => dispatcher.dispatch(Action::Failed(error)),
                }
            });
        })
    };

    let on_produce = {
        let dispatcher = state.dispatcher();
        let host = (*host).clone();
        Callback::from(move |request: ProduceRequest| {
            let Some(host) = host.clone() else { return };
            let dispatcher = dispatcher.clone();
            spawn_local(async move {
                let message = ProduceInput {
                    key: (!request.key.is_empty()).then(|| request.key.into_bytes()),
                    value: Some(request.value.into_bytes()),
                    ..ProduceInput::default()
                };
                match host.produce(&request.topic, vec![message]).await {
                    Ok(produced) => {
                        let at = produced
                            .first()
                            .map(|p| (request.topic.clone(), p.partition, p.offset));
                        let snapshot = snapshot(&host);
                        match at {
                            Some(at) => dispatcher.dispatch(Action::Produced { snapshot, at }),
                            None => dispatcher.dispatch(Action::Refreshed(snapshot)),
                        }
                    }
                    Err(error) => dispatcher.dispatch(Action::Failed(error)),
                }
            });
        })
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
        <div id="app" data-ready={state.ready.to_string()}>
            <Header persistence={state.persistence} topics={topic_names.len()} records={total_records} />
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
                        html! { <TopicCard key={topic.name.clone()} topic={topic.clone()} {lanes} {highlight} /> }
                    }) }
                </main>
            </div>
        </div>
    }
}
