//! The person's commands, as typed into the forms, and what each does to the session. Every
//! field is validated here first: a bad one fails with a message for its control and
//! changes nothing.

use rill_core::cluster::Acks;
use rill_wasm::HostError;
use rill_wasm::session::Session;

use super::validate::{acks, topic_shape, whole_number};
use super::{Engine, NewCluster};
use crate::model::step::StepSaid;
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
    /// Reassign several partitions at once (one `kafka-reassign-partitions --execute`):
    /// (topic, partition, new replica list).
    ReassignPlan(Vec<(String, u32, Vec<u32>)>),
    /// Cancel a partition's reassignment in progress (Kafka's revert: back to its replicas
    /// without the adding ones).
    CancelReassignment {
        /// Topic.
        topic: String,
        /// Partition.
        partition: u32,
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
    /// Move cluster time forward by this many ms at once.
    Jump(i64),
    /// Discard the cluster and start a new one.
    NewCluster(NewCluster),
    /// Take the stored cluster over from another tab.
    TakeOver,
    /// Dismiss the alert of a place.
    Dismiss(Place),
    /// A consumer-group command (`super::groups`).
    Group(super::groups::GroupCommand),
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
        if changes_world(&command) {
            self.fork_if_in_past();
        }
        let result = self.apply(&session, command);
        match result {
            Ok(()) => self.0.dispatcher.dispatch(Action::Succeeded(place)),
            Err(error) => self.fail(place, error),
        }
        self.request_frame();
    }

    fn apply(&self, session: &Session, command: Command) -> Result<(), HostError> {
        use rill_core::group::TopicPartition;
        use rill_core::scenario::{Command as World, NetNode};
        let tp = |topic: &str, partition: u32| TopicPartition {
            topic: topic.to_owned(),
            partition,
        };
        match command {
            Command::CreateTopic(form) => {
                let topic = form.name.trim().to_owned();
                let brokers = session.read(|c| c.config().brokers);
                let (partitions, replication_factor) =
                    topic_shape(&form.partitions, &form.replication_factor, brokers)?;
                session
                    .apply(World::CreateTopic {
                        topic,
                        partitions,
                        replication_factor,
                        configs: form.configs,
                    })
                    .map(drop)
            }
            Command::Produce(form) => self.produce(session, form),
            Command::DeleteTopic(topic) => session.apply(World::DeleteTopic { topic }).map(drop),
            Command::AddPartitions { topic, total } => {
                let total: u32 = whole_number(&total, "The new partition count", 1..=1_000_000)?;
                session.apply(World::CreatePartitions {
                    topic: topic.clone(),
                    total,
                })?;
                self.0.dispatcher.dispatch(Action::Previewed {
                    topic,
                    preview: None,
                });
                Ok(())
            }
            Command::PreviewPartitions { topic, total } => {
                let kafka =
                    |e: &dyn rill_core::error::KafkaError, message: String| HostError::Kafka {
                        code: e.error_code(),
                        message,
                    };
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
                    .apply(World::DeleteRecords {
                        partitions: vec![(tp(&topic, partition), offset)],
                    })
                    .map(drop)
            }
            Command::AlterConfig { topic, name, value } => {
                let (set, delete) = match value {
                    Some(value) => (vec![(name, value)], Vec::new()),
                    None => (Vec::new(), vec![name]),
                };
                session
                    .apply(World::AlterConfigs { topic, set, delete })
                    .map(drop)
            }
            Command::KillBroker(broker) => session.apply(World::KillBroker { broker }).map(drop),
            Command::RestartBroker(broker) => {
                session.apply(World::RestartBroker { broker }).map(drop)
            }
            Command::ShutdownBroker(broker) => {
                session.apply(World::ShutdownBroker { broker }).map(drop)
            }
            Command::IsolateBroker(broker) => {
                let others: Vec<NetNode> = (0..session.read(|c| c.config().brokers))
                    .filter(|b| *b != broker)
                    .map(NetNode::Broker)
                    .chain([NetNode::Controller])
                    .collect();
                session
                    .apply(World::PartitionNetwork {
                        side_a: vec![NetNode::Broker(broker)],
                        side_b: others,
                    })
                    .map(drop)
            }
            Command::Heal => session.apply(World::Heal).map(drop),
            Command::SlowBroker(broker, extra_ms) => session
                .apply(World::SlowBroker { broker, extra_ms })
                .map(drop),
            Command::Reassign {
                topic,
                partition,
                replicas,
            } => session
                .apply(World::Reassign {
                    partitions: vec![(tp(&topic, partition), replicas)],
                })
                .map(drop),
            Command::ReassignPlan(plan) => {
                if plan.is_empty() {
                    return Err(HostError::InvalidArgument(
                        "the plan is empty: add a partition to it first".to_owned(),
                    ));
                }
                session
                    .apply(World::Reassign {
                        partitions: plan
                            .into_iter()
                            .map(|(topic, partition, replicas)| (tp(&topic, partition), replicas))
                            .collect(),
                    })
                    .map(drop)
            }
            Command::CancelReassignment { topic, partition } => {
                let revert = session.read(|c| {
                    c.registration(&topic, partition).map(|r| {
                        r.replicas
                            .iter()
                            .copied()
                            .filter(|b| !r.adding.contains(b))
                            .collect::<Vec<u32>>()
                    })
                });
                let registration = session.read(|c| {
                    c.registration(&topic, partition)
                        .map(|r| !r.adding.is_empty() || !r.removing.is_empty())
                });
                match (revert, registration) {
                    (Some(replicas), Some(true)) => session
                        .apply(World::Reassign {
                            partitions: vec![(tp(&topic, partition), replicas)],
                        })
                        .map(drop),
                    (Some(_), _) => Err(HostError::Kafka {
                        code: rill_core::ErrorCode::NoReassignmentInProgress,
                        message: format!("no reassignment of {topic}-{partition} is in progress"),
                    }),
                    (None, _) => Err(HostError::Kafka {
                        code: rill_core::ErrorCode::UnknownTopicOrPartition,
                        message: format!("there is no partition {topic}-{partition}"),
                    }),
                }
            }
            Command::ElectPreferred { topic, partition } => {
                let partitions: Vec<TopicPartition> = match partition {
                    Some(p) => vec![tp(&topic, p)],
                    None => session.read(|c| {
                        c.partitions()
                            .into_iter()
                            .filter(|(t, _)| *t == topic)
                            .map(|(t, p)| tp(&t, p))
                            .collect()
                    }),
                };
                let single = partitions.len() == 1;
                let applied = session.apply(World::ElectPreferred {
                    partitions: Some(partitions),
                })?;
                let failure = match applied {
                    rill_core::scenario::Applied::Elected(results) => results
                        .into_iter()
                        .find_map(|(tp, r)| r.err().map(|code| (tp, code)))
                        .filter(|(_, code)| {
                            single || *code != rill_core::ErrorCode::ElectionNotNeeded
                        }),
                    _ => None,
                };
                failure.map_or(Ok(()), |(tp, code)| {
                    Err(HostError::Kafka {
                        code,
                        message: format!(
                            "preferred leader election for {}-{}: {}",
                            tp.topic,
                            tp.partition,
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
                if let Some(said) = self.step_plan(session, super::STEP_LIMIT_MS) {
                    self.0.dispatcher.dispatch(Action::Stepped(said?));
                    return Ok(());
                }
                let before = session.now();
                let seen = self.0.pending.borrow().len();
                let (moved, sent) = self.step_to_something(session, seen)?;
                let stepped: Vec<_> = self
                    .0
                    .pending
                    .borrow()
                    .iter()
                    .skip(seen)
                    .map(|(event, _)| event.clone())
                    .collect();
                self.0.dispatcher.dispatch(Action::SteppedThrough(stepped));
                let moved_ms = session.now() - before;
                let words = if moved {
                    StepSaid::Moved {
                        moved_ms,
                        message: sent,
                    }
                } else {
                    StepSaid::Idle {
                        limit_ms: super::STEP_LIMIT_MS,
                        moved_ms,
                    }
                };
                self.0.dispatcher.dispatch(Action::Stepped(words));
                Ok(())
            }
            Command::Speed(speed) => session.set_speed(speed),
            Command::Jump(ms) => session.advance(ms),
            Command::Group(command) => self.apply_group(session, command),
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
        let partition = if form.partition.trim().is_empty() {
            None
        } else {
            Some(whole_number(
                &form.partition,
                "Partition",
                0..=i64::from(count) - 1,
            )?)
        };
        let headers = form
            .headers
            .into_iter()
            .filter(|(k, _)| !k.is_empty())
            .map(|(k, v)| (k, Some(v)))
            .collect();
        let sent_at = session.now();
        let applied = session.apply(rill_core::scenario::Command::Produce(
            rill_core::scenario::ProduceRecord {
                topic: topic.clone(),
                partition,
                key: (!form.key.is_empty()).then_some(form.key),
                value: form.value,
                headers,
                acks,
            },
        ))?;
        if let rill_core::scenario::Applied::Produced { partition } = applied {
            let request = {
                let mut next = self.0.next_sent.borrow_mut();
                *next += 1;
                *next
            };
            self.0.dispatcher.dispatch(Action::Sent(SentRecord {
                topic,
                partition,
                request,
                acks: acks_name(acks),
                sent_at,
                answer: None,
                held_by: None,
            }));
        }
        Ok(())
    }
}

/// Whether `command` changes the cluster (given in the past, it forks history).
fn changes_world(command: &Command) -> bool {
    !matches!(
        command,
        Command::PreviewPartitions { .. }
            | Command::Play
            | Command::Pause
            | Command::Step
            | Command::Speed(_)
            | Command::NewCluster(_)
            | Command::TakeOver
            | Command::Dismiss(_)
    )
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
        | Command::ElectPreferred {
            topic,
            partition: None,
        } => Place::Topic(topic.clone()),
        // One partition at a time: the reassignment panel.
        Command::Reassign { .. }
        | Command::ReassignPlan(_)
        | Command::CancelReassignment { .. }
        | Command::ElectPreferred {
            partition: Some(_), ..
        } => Place::Reassign,
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
        | Command::Jump(_)
        | Command::NewCluster(_)
        | Command::TakeOver => Place::Page,
        Command::Dismiss(place) => place.clone(),
        Command::Group(super::groups::GroupCommand::Create(_)) => Place::CreateGroup,
        Command::Group(
            super::groups::GroupCommand::ProducerStart(_)
            | super::groups::GroupCommand::ProducerPause(_)
            | super::groups::GroupCommand::ProducerResume(_)
            | super::groups::GroupCommand::ProducerStop(_),
        ) => Place::Producers,
        Command::Group(command) => Place::Group(command.group().to_owned()),
    }
}
