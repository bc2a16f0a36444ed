//! The person's commands, as typed into the forms, and what each does to the session. Every
//! field is validated here first: a bad one fails with a message for its control and
//! changes nothing.

use rill_core::broker::AlterConfigOp;
use rill_core::cluster::{Acks, NodeId};
use rill_core::record::{Header, NewRecord};
use rill_wasm::HostError;
use rill_wasm::session::Session;

use super::{Engine, NewCluster};
use crate::model::{Action, KeyMovePreview, Place, SentRecord};

/// The create-topic form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TopicForm {
    /// Topic name.
    pub name: String,
    /// Partition count, as typed.
    pub partitions: String,
    /// Replication factor, as typed.
    pub replication_factor: String,
    /// Config overrides (name, value), e.g. `min.insync.replicas` = `2`.
    pub configs: Vec<(String, String)>,
}

/// The produce form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProduceForm {
    /// Topic name.
    pub topic: String,
    /// Key; empty means no key.
    pub key: String,
    /// Value; `None` sends a tombstone.
    pub value: Option<String>,
    /// Headers (key, value).
    pub headers: Vec<(String, String)>,
    /// `0`, `1` or `all`.
    pub acks: String,
    /// An explicit partition, as typed (empty: the partitioner chooses).
    pub partition: String,
}

/// Everything the person can ask the playground to do.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Create a topic.
    CreateTopic(TopicForm),
    /// Produce one record.
    Produce(ProduceForm),
    /// Delete a topic.
    DeleteTopic(String),
    /// Grow a topic to `total` partitions (as typed).
    AddPartitions {
        /// Topic.
        topic: String,
        /// New total, as typed.
        total: String,
    },
    /// Preview which keys would move for `total` partitions (as typed; empty clears).
    PreviewPartitions {
        /// Topic.
        topic: String,
        /// New total, as typed.
        total: String,
    },
    /// Delete a partition's records before an offset (as typed; `-1`: the high watermark).
    DeleteRecords {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The new log start offset, as typed.
        before: String,
    },
    /// Set (or, with `None`, remove) a topic config override.
    AlterConfig {
        /// Topic.
        topic: String,
        /// Kafka's config name.
        name: String,
        /// The value; `None` removes the override.
        value: Option<String>,
    },
    /// Kill a broker (no controlled shutdown).
    KillBroker(u32),
    /// Restart a stopped broker.
    RestartBroker(u32),
    /// Controlled shutdown of a broker.
    ShutdownBroker(u32),
    /// Cut a broker off from every other node.
    IsolateBroker(u32),
    /// Restore every link and latency.
    Heal,
    /// Add latency to a broker's messages.
    SlowBroker(u32, i64),
    /// Reassign a partition's replicas.
    Reassign {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
        /// The new replica list, preferred leader first.
        replicas: Vec<u32>,
    },
    /// Preferred leader election for one partition, or (`None`) every partition of a topic.
    ElectPreferred {
        /// Topic.
        topic: String,
        /// Partition, or all.
        partition: Option<u32>,
    },
    /// Let time run.
    Play,
    /// Stop time.
    Pause,
    /// Move to the next thing that happens (paused).
    Step,
    /// Set the speed.
    Speed(f64),
    /// Discard the cluster and start a new one.
    NewCluster(NewCluster),
    /// Take the stored cluster over from another tab.
    TakeOver,
    /// Dismiss the alert of a place.
    Dismiss(Place),
}

/// A whole number typed into `what`, in `range`, or a message saying what is expected.
pub(crate) fn whole_number<T: TryFrom<i64> + Copy + std::fmt::Display>(
    text: &str,
    what: &str,
    range: std::ops::RangeInclusive<i64>,
) -> Result<T, HostError> {
    let invalid = || {
        HostError::InvalidArgument(format!(
            "{what} must be a whole number from {} to {}, got '{}'",
            range.start(),
            range.end(),
            text.trim()
        ))
    };
    let n: i64 = text.trim().parse().map_err(|_| invalid())?;
    if !range.contains(&n) {
        return Err(invalid());
    }
    T::try_from(n).map_err(|_| invalid())
}

/// `acks` as typed: `0`, `1`, `all` or `-1`.
pub(crate) fn acks(text: &str) -> Result<Acks, HostError> {
    match text.trim() {
        "0" => Ok(Acks::None),
        "1" => Ok(Acks::Leader),
        "all" | "-1" | "" => Ok(Acks::All),
        other => Err(HostError::InvalidArgument(format!(
            "acks must be 0, 1 or all, got '{other}'"
        ))),
    }
}

fn acks_name(acks: Acks) -> &'static str {
    match acks {
        Acks::None => "0",
        Acks::Leader => "1",
        Acks::All => "all",
    }
}

impl Engine {
    /// Runs one command. Results and errors reach the model as actions.
    pub fn run(&self, command: Command) {
        match command {
            Command::NewCluster(shape) => return self.new_cluster(shape),
            Command::TakeOver => return self.take_over(),
            Command::Dismiss(place) => {
                return self.0.dispatcher.dispatch(Action::Dismiss(place));
            }
            _ => {}
        }
        let Some(session) = self.session() else {
            return;
        };
        let place = place_of(&command);
        let result = self.apply(&session, command);
        match result {
            Ok(()) => self.0.dispatcher.dispatch(Action::Succeeded(place)),
            Err(error) => self.fail(place, error),
        }
        self.request_frame();
    }

    fn apply(&self, session: &Session, command: Command) -> Result<(), HostError> {
        let kafka = |e: &dyn rill_core::error::KafkaError, message: String| HostError::Kafka {
            code: e.error_code(),
            message,
        };
        match command {
            Command::CreateTopic(form) => {
                let name = form.name.trim().to_owned();
                let partitions: u32 = whole_number(&form.partitions, "Partitions", 1..=10_000)?;
                let brokers = i64::from(session.read(|c| c.config().brokers));
                let replication: u32 =
                    whole_number(&form.replication_factor, "Replication factor", 1..=brokers)?;
                session
                    .command(|c| c.create_topic(&name, partitions, replication, &form.configs))?
                    .map_err(|e| kafka(&e, e.to_string()))
            }
            Command::Produce(form) => self.produce(session, form),
            Command::DeleteTopic(topic) => session
                .command(|c| c.delete_topic(&topic))?
                .map_err(|e| kafka(&e, e.to_string())),
            Command::AddPartitions { topic, total } => {
                let total: u32 = whole_number(&total, "The new partition count", 1..=1_000_000)?;
                session
                    .command(|c| c.create_partitions(&topic, total))?
                    .map_err(|e| kafka(&e, e.to_string()))?;
                self.0.dispatcher.dispatch(Action::Previewed {
                    topic,
                    preview: None,
                });
                Ok(())
            }
            Command::PreviewPartitions { topic, total } => {
                let preview = if total.trim().is_empty() {
                    None
                } else {
                    let total =
                        whole_number::<u32>(&total, "The new partition count", 1..=1_000_000);
                    let moves = total.and_then(|total| {
                        session
                            .read(|c| c.keys_that_move(&topic, total))
                            .map(|moves| (total, moves))
                            .map_err(|e| kafka(&e, e.to_string()))
                    });
                    Some(match moves {
                        Ok((total, moves)) => KeyMovePreview {
                            total,
                            moves: Ok(moves),
                        },
                        Err(error) => KeyMovePreview {
                            total: 0,
                            moves: Err(crate::model::Alert::of(&error)),
                        },
                    })
                };
                self.0
                    .dispatcher
                    .dispatch(Action::Previewed { topic, preview });
                Ok(())
            }
            Command::DeleteRecords {
                topic,
                partition,
                before,
            } => {
                let offset: i64 =
                    whole_number(&before, "The offset to delete before", -1..=i64::MAX)?;
                session
                    .command(|c| c.delete_records(&topic, partition, offset))?
                    .map(drop)
                    .map_err(|code| HostError::Kafka {
                        code,
                        message: format!(
                            "deleteRecords {topic}-{partition} before {offset}: {}",
                            code.name()
                        ),
                    })
            }
            Command::AlterConfig { topic, name, value } => {
                let op = match value {
                    Some(value) => AlterConfigOp::Set { name, value },
                    None => AlterConfigOp::Delete { name },
                };
                session
                    .command(|c| c.alter_configs(&topic, &[op]))?
                    .map_err(|e| kafka(&e, e.to_string()))
            }
            Command::KillBroker(broker) => session
                .command(|c| c.kill_broker(broker))?
                .map_err(|e| HostError::InvalidArgument(e.to_string())),
            Command::RestartBroker(broker) => session
                .command(|c| c.restart_broker(broker))?
                .map_err(|e| HostError::InvalidArgument(e.to_string())),
            Command::ShutdownBroker(broker) => session
                .command(|c| c.shutdown_broker(broker))?
                .map_err(|e| HostError::InvalidArgument(e.to_string())),
            Command::IsolateBroker(broker) => session.command(|c| {
                let others: Vec<NodeId> = (0..c.config().brokers)
                    .filter(|b| *b != broker)
                    .map(NodeId::Broker)
                    .chain([NodeId::Controller])
                    .collect();
                c.partition_network(&[NodeId::Broker(broker)], &others);
            }),
            Command::Heal => session.command(|c| c.heal()),
            Command::SlowBroker(broker, ms) => {
                session.command(|c| c.slow(NodeId::Broker(broker), ms))
            }
            Command::Reassign {
                topic,
                partition,
                replicas,
            } => session
                .command(|c| c.reassign_partition(&topic, partition, &replicas))?
                .map_err(|code| HostError::Kafka {
                    code,
                    message: format!(
                        "reassign {topic}-{partition} to {replicas:?}: {}",
                        code.name()
                    ),
                }),
            Command::ElectPreferred { topic, partition } => {
                let partitions: Vec<u32> = match partition {
                    Some(p) => vec![p],
                    None => session.read(|c| {
                        c.partitions()
                            .into_iter()
                            .filter(|(t, _)| *t == topic)
                            .map(|(_, p)| p)
                            .collect()
                    }),
                };
                let single = partitions.len() == 1;
                session
                    .command(|c| {
                        let mut first_error = None;
                        for p in partitions {
                            if let Err(code) = c.elect_preferred_leader(&topic, p) {
                                first_error.get_or_insert((p, code));
                            }
                        }
                        first_error
                    })?
                    .filter(|(_, code)| single || *code != rill_core::ErrorCode::ElectionNotNeeded)
                    .map_or(Ok(()), |(p, code)| {
                        Err(HostError::Kafka {
                            code,
                            message: format!(
                                "preferred leader election for {topic}-{p}: {}",
                                code.name()
                            ),
                        })
                    })
            }
            Command::Play => {
                session.play();
                Ok(())
            }
            Command::Pause => {
                session.pause();
                Ok(())
            }
            Command::Step => {
                let before = session.now();
                let moved = session.step(60_000)?;
                let after = session.now();
                let words = match moved {
                    Some(_) => format!("+{} ms", after - before),
                    None => "nothing due within 60 s: +60000 ms".to_owned(),
                };
                self.0.dispatcher.dispatch(Action::Stepped(words));
                Ok(())
            }
            Command::Speed(speed) => session.set_speed(speed),
            Command::NewCluster(_) | Command::TakeOver | Command::Dismiss(_) => Ok(()),
        }
    }

    fn produce(&self, session: &Session, form: ProduceForm) -> Result<(), HostError> {
        let acks = acks(&form.acks)?;
        let topic = form.topic.trim().to_owned();
        let count = session.read(|c| {
            c.topic_configs()
                .into_iter()
                .find(|(name, _, _)| *name == topic)
                .map(|(_, partitions, _)| partitions)
        });
        let count = count.ok_or_else(|| HostError::Kafka {
            code: rill_core::ErrorCode::UnknownTopicOrPartition,
            message: format!("there is no topic '{topic}': create it first"),
        })?;
        let key = (!form.key.is_empty()).then(|| form.key.clone().into_bytes());
        let partition = if form.partition.trim().is_empty() {
            self.0
                .partitioner
                .borrow_mut()
                .partition(&topic, count, key.as_deref())
        } else {
            whole_number(&form.partition, "Partition", 0..=i64::from(count) - 1)?
        };
        let client = self
            .0
            .producer_client
            .borrow()
            .ok_or_else(|| HostError::InvalidArgument("the session is not open".into()))?;
        let headers = form
            .headers
            .iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| Header {
                key: k.clone(),
                value: Some(v.clone().into_bytes()),
            })
            .collect();
        let record = NewRecord {
            key,
            value: form.value.map(String::into_bytes),
            headers,
            timestamp: Some(session.now()),
        };
        let sent_at = session.now();
        let request =
            session.command(|c| c.produce(client, &topic, partition, acks, vec![record]))?;
        self.0.dispatcher.dispatch(Action::Sent(SentRecord {
            topic,
            partition,
            request,
            acks: acks_name(acks),
            sent_at,
            answer: None,
        }));
        Ok(())
    }
}

/// Where a command's error is shown.
fn place_of(command: &Command) -> Place {
    match command {
        Command::CreateTopic(_) => Place::CreateTopic,
        Command::Produce(_) => Place::Produce,
        Command::DeleteTopic(topic)
        | Command::AddPartitions { topic, .. }
        | Command::PreviewPartitions { topic, .. }
        | Command::DeleteRecords { topic, .. }
        | Command::AlterConfig { topic, .. }
        | Command::Reassign { topic, .. }
        | Command::ElectPreferred { topic, .. } => Place::Topic(topic.clone()),
        Command::KillBroker(b)
        | Command::RestartBroker(b)
        | Command::ShutdownBroker(b)
        | Command::IsolateBroker(b)
        | Command::SlowBroker(b, _) => Place::Broker(*b),
        Command::Heal
        | Command::Play
        | Command::Pause
        | Command::Step
        | Command::Speed(_)
        | Command::NewCluster(_)
        | Command::TakeOver => Place::Page,
        Command::Dismiss(place) => place.clone(),
    }
}
