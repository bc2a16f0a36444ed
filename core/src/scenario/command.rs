//! Everything a person can do to a session, as one enum ([`Command`]), with its typed parts.
//!
//! A command is plain data: it names topics, brokers, producers and group members, never a
//! client id. [`super::World::apply`] validates it against the world and refuses it whole
//! ([`CommandError`], with Kafka's error name where Kafka has one) or applies it.

use crate::cluster::Acks;
use crate::consumer::AutoOffsetReset;
use crate::error::ErrorCode;
use crate::group::TopicPartition;

/// The highest rate a producer application may have, in records per second.
pub const PRODUCER_RATE_MAX: u32 = 100_000;

/// The longest name a producer, group or member may have (Kafka's topic-name limit).
pub const NAME_LEN_MAX: usize = 249;

/// Whether `name` is a valid scenario name for a producer, a group id or a member: 1 to 249
/// characters of `[A-Za-z0-9._-]` (Kafka's legal topic characters; a script can then name
/// every object without quoting, and `producer:p1` / `consumer:g/m` stay unambiguous).
pub fn is_valid_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= NAME_LEN_MAX
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// One thing a user does to a session.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command {
    /// `kafka-topics --create`.
    CreateTopic {
        /// Topic name.
        topic: String,
        /// `--partitions`.
        partitions: u32,
        /// `--replication-factor`.
        replication_factor: u32,
        /// `--config name=value`, in order.
        configs: Vec<(String, String)>,
    },
    /// `kafka-topics --delete`.
    DeleteTopic {
        /// Topic name.
        topic: String,
    },
    /// `kafka-topics --alter --partitions`: grow a topic to `total` partitions.
    CreatePartitions {
        /// Topic name.
        topic: String,
        /// The new partition count.
        total: u32,
    },
    /// `kafka-configs --alter --entity-type topics` (Kafka's IncrementalAlterConfigs).
    AlterConfigs {
        /// Topic name.
        topic: String,
        /// `--add-config`: overrides to set, in order.
        set: Vec<(String, String)>,
        /// `--delete-config`: overrides to remove.
        delete: Vec<String>,
    },
    /// One record from `kafka-console-producer` (or rill's `produce`).
    Produce(ProduceRecord),
    /// `kafka-delete-records`: move log start offsets up.
    DeleteRecords {
        /// Each partition and the offset before which records go (-1: the high watermark).
        partitions: Vec<(TopicPartition, i64)>,
    },
    /// Stop a broker at once (a crash): rill's `kill broker N`.
    KillBroker {
        /// The broker.
        broker: u32,
    },
    /// Start a stopped broker: rill's `restart broker N`.
    RestartBroker {
        /// The broker.
        broker: u32,
    },
    /// A controlled shutdown: rill's `shutdown broker N`.
    ShutdownBroker {
        /// The broker.
        broker: u32,
    },
    /// Cut every link between the two sides: rill's `partition network [..] [..]`.
    PartitionNetwork {
        /// One side.
        side_a: Vec<NetNode>,
        /// The other side.
        side_b: Vec<NetNode>,
    },
    /// Restore every link and latency: rill's `heal`.
    Heal,
    /// Add latency to every message to or from a broker (0 removes it): `slow broker N 200ms`.
    SlowBroker {
        /// The broker.
        broker: u32,
        /// Extra latency in ms.
        extra_ms: i64,
    },
    /// `kafka-reassign-partitions --execute` with Kafka's reassignment JSON.
    Reassign {
        /// Each partition and its new replica list (preferred leader first).
        partitions: Vec<(TopicPartition, Vec<u32>)>,
    },
    /// `kafka-leader-election --election-type preferred`.
    ElectPreferred {
        /// The partitions, or `None` for `--all-topic-partitions`.
        partitions: Option<Vec<TopicPartition>>,
    },
    /// Let time pass: rill's `advance 10s`.
    Advance {
        /// Milliseconds, at least 0.
        ms: i64,
    },
    /// Start a producer application: rill's `producer start`.
    ProducerStart {
        /// Its name.
        name: String,
        /// What it sends.
        spec: ProducerSpec,
    },
    /// Pause a producer application.
    ProducerPause {
        /// Its name.
        name: String,
    },
    /// Resume a paused producer application.
    ProducerResume {
        /// Its name.
        name: String,
    },
    /// Stop a producer application (its counters stay; the name can start again).
    ProducerStop {
        /// Its name.
        name: String,
    },
    /// Start a consumer-group member: rill's `consumer join` or `kafka-console-consumer`.
    MemberJoin {
        /// `group.id`.
        group: String,
        /// The member's name (its `client.id`).
        member: String,
        /// Its configs and behaviour.
        spec: MemberSpec,
    },
    /// The member closes: finishes its batch, commits as its mode says, leaves the group.
    MemberLeave {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
    },
    /// The member's process dies: no commit, no LeaveGroup.
    MemberCrash {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
    },
    /// Cut the member off from every broker and the controller (`heal` restores it).
    MemberCut {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
    },
    /// Change the member's processing time per record.
    MemberSlow {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
        /// Milliseconds per record; `None`: one record takes `max.poll.interval.ms` + 1 s.
        processing_ms: Option<i64>,
    },
    /// Restart the member's process (a crash first if it runs) with the same configs: a
    /// static member back within `session.timeout.ms` keeps its partitions.
    MemberRestart {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
    },
    /// `kafka-consumer-groups --reset-offsets --execute` (only while the group is inactive).
    ResetOffsets {
        /// `group.id`.
        group: String,
        /// Which partitions.
        scope: ResetScope,
        /// Where to.
        target: ResetSpec,
    },
    /// `kafka-consumer-groups --delete`.
    DeleteGroup {
        /// `group.id`.
        group: String,
    },
    /// An assertion about the state: rill's `expect`.
    Expect(Expectation),
}

/// One record a user produces by hand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProduceRecord {
    /// Topic name.
    pub topic: String,
    /// The partition, or `None` for the default partitioner (key hash, or sticky).
    pub partition: Option<u32>,
    /// The key (`None`: null).
    pub key: Option<String>,
    /// The value (`None`: a tombstone).
    pub value: Option<String>,
    /// Headers, in order (`None` value: null).
    pub headers: Vec<(String, Option<String>)>,
    /// `acks`.
    pub acks: Acks,
}

/// A node on the simulated network, by what a script calls it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum NetNode {
    /// A broker, by id.
    Broker(u32),
    /// The controller.
    Controller,
    /// A producer application (`console` is the console producer's client).
    Producer(String),
    /// A group member's current consumer.
    Member {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
    },
}

/// Which keys a producer application sends.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum KeyPattern {
    /// No key (the sticky partitioner places records).
    None,
    /// The keys in order, again and again.
    Cycle(Vec<String>),
    /// A key drawn uniformly from the set for each record (seeded by the world's seed and the
    /// producer's name).
    Random(Vec<String>),
}

/// What a producer application does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerSpec {
    /// The topic.
    pub topic: String,
    /// Records per second, 1 to [`PRODUCER_RATE_MAX`]: the k-th record (from 1) goes `k × 1000 / rate` ms after
    /// the start (or resume).
    pub rate: u32,
    /// Its keys.
    pub keys: KeyPattern,
    /// `acks`.
    pub acks: Acks,
}

/// How a member commits its offsets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CommitMode {
    /// `enable.auto.commit=true`: commits the positions at `poll` every interval.
    Auto {
        /// `auto.commit.interval.ms`.
        interval_ms: i32,
    },
    /// `commitSync()` after processing each batch (the member waits for it).
    Sync,
    /// `commitAsync()` after processing each batch.
    Async,
    /// `enable.auto.commit=false` and no commit at all.
    Never,
}

impl CommitMode {
    /// The mode's word in scripts: `auto`, `sync`, `async`, `none`.
    pub const fn word(self) -> &'static str {
        match self {
            Self::Auto { .. } => "auto",
            Self::Sync => "sync",
            Self::Async => "async",
            Self::Never => "none",
        }
    }
}

/// A consumer-group member's configs (Kafka's names) and behaviour. `Default` is Kafka 3.7's
/// consumer defaults with no topic and no processing time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberSpec {
    /// Subscribed topics.
    pub topics: Vec<String>,
    /// `partition.assignment.strategy`, most preferred first.
    pub assignors: Vec<String>,
    /// `group.instance.id` (a static member).
    pub group_instance_id: Option<String>,
    /// `session.timeout.ms`.
    pub session_timeout_ms: i32,
    /// `heartbeat.interval.ms`.
    pub heartbeat_interval_ms: i32,
    /// `max.poll.interval.ms`.
    pub max_poll_interval_ms: i32,
    /// `auto.offset.reset`.
    pub auto_offset_reset: AutoOffsetReset,
    /// How it commits (`enable.auto.commit`, `auto.commit.interval.ms`).
    pub commit: CommitMode,
    /// `max.poll.records`.
    pub max_poll_records: u32,
    /// Processing time per record, in ms: the member does not poll meanwhile.
    pub processing_ms: i64,
}

impl Default for MemberSpec {
    fn default() -> Self {
        Self {
            topics: Vec::new(),
            assignors: vec!["range".to_owned(), "cooperative-sticky".to_owned()],
            group_instance_id: None,
            session_timeout_ms: 45_000,
            heartbeat_interval_ms: 3_000,
            max_poll_interval_ms: 300_000,
            auto_offset_reset: AutoOffsetReset::Latest,
            commit: CommitMode::Auto { interval_ms: 5_000 },
            max_poll_records: 500,
            processing_ms: 0,
        }
    }
}

/// Which partitions `--reset-offsets` moves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ResetScope {
    /// `--topic t` (every partition) or `--topic t:0,2`, once per topic.
    Topics(Vec<(String, Option<Vec<u32>>)>),
    /// `--all-topics`: every partition the group has committed offsets for.
    AllTopics,
}

/// Where `--reset-offsets` moves them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ResetSpec {
    /// `--to-earliest`.
    Earliest,
    /// `--to-latest`.
    Latest,
    /// `--to-offset N`.
    Offset(i64),
    /// `--to-datetime` (ms since the epoch, UTC).
    Datetime(i64),
    /// `--shift-by N` (from the committed offset).
    ShiftBy(i64),
}

/// How an expectation compares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    /// `==`.
    Eq,
    /// `!=`.
    Ne,
    /// `<` (numbers only).
    Lt,
    /// `<=` (numbers only).
    Le,
    /// `>` (numbers only).
    Gt,
    /// `>=` (numbers only).
    Ge,
}

impl CompareOp {
    /// The operator as written.
    pub const fn symbol(self) -> &'static str {
        match self {
            Self::Eq => "==",
            Self::Ne => "!=",
            Self::Lt => "<",
            Self::Le => "<=",
            Self::Gt => ">",
            Self::Ge => ">=",
        }
    }

    /// Whether the operator orders (only numbers can be ordered).
    pub const fn is_ordering(self) -> bool {
        !matches!(self, Self::Eq | Self::Ne)
    }
}

/// What an expectation looks at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Subject {
    /// `leader T-P`: the controller's leader (a broker id, or `none`).
    Leader(TopicPartition),
    /// `isr T-P`: the in-sync replicas (compared as a set).
    Isr(TopicPartition),
    /// `replicas T-P`: the replica list, in order.
    Replicas(TopicPartition),
    /// `leader-epoch T-P`.
    LeaderEpoch(TopicPartition),
    /// `hw T-P [on broker N]`: the high watermark at the leader, or at broker N's replica.
    HighWatermark(TopicPartition, Option<u32>),
    /// `log-start T-P [on broker N]`.
    LogStart(TopicPartition, Option<u32>),
    /// `log-end T-P [on broker N]`.
    LogEnd(TopicPartition, Option<u32>),
    /// `records T-P [on broker N]`: how many records (the leader's below the high watermark,
    /// or everything broker N's replica holds).
    Records(TopicPartition, Option<u32>),
    /// `keys T-P [on broker N]`: their keys in offset order (`null` for a null key).
    Keys(TopicPartition, Option<u32>),
    /// `values T-P [on broker N]`: their values in offset order (`null` for a tombstone).
    Values(TopicPartition, Option<u32>),
    /// `offsets T-P [on broker N]`: the offsets of those records, in order (compaction and
    /// deletion leave gaps).
    Offsets(TopicPartition, Option<u32>),
    /// `segments T-P [on broker N]`: how many segments the log has.
    Segments(TopicPartition, Option<u32>),
    /// `adding T-P`: the replicas a reassignment is adding (a set).
    Adding(TopicPartition),
    /// `removing T-P`: the replicas a reassignment is removing (a set).
    Removing(TopicPartition),
    /// `partitions T`: the partition count.
    Partitions(String),
    /// `partition-of T KEY`: the partition Kafka's default partitioner gives the key
    /// (murmur2 over the topic's partition count now).
    PartitionOf(String, String),
    /// `topics`: the topic names, internal ones left out (compared as a set).
    Topics,
    /// `broker N`: `running`, `fenced` (running but fenced by the controller) or `stopped`.
    Broker(u32),
    /// `group-state G`: Kafka's group state name (`Dead` for an unknown group).
    GroupState(String),
    /// `generation G`.
    Generation(String),
    /// `assignor G`: the group's chosen assignor (`none` unless `Stable`).
    Assignor(String),
    /// `members G`: how many members the coordinator has.
    Members(String),
    /// `coordinator G`: the broker coordinating the group (`none` while its
    /// `__consumer_offsets` partition has no leader or does not exist yet).
    Coordinator(String),
    /// `coordinator-partition G`: the group's `__consumer_offsets` partition
    /// (`abs(groupId.hashCode) % offsets.topic.num.partitions`).
    CoordinatorPartition(String),
    /// `gaps G`: the partitions that had a consumption gap in the group's history (revoked or
    /// lost by one member, assigned to one later), as a set.
    Gaps(String),
    /// `assignment G M`: the member's partitions as its consumer holds them (a set).
    Assignment(String, String),
    /// `member G M`: `running`, `cut-off`, `leaving`, `left` or `crashed`.
    Member(String, String),
    /// `poll-error G M`: the error of the member's last poll (Kafka's error name, else the
    /// exception's) or `none` since a poll succeeded.
    PollError(String, String),
    /// `committed G T-P`: the group's committed offset (`none` if it has none).
    Committed(String, TopicPartition),
    /// `lag G [T-P]`: lag of one partition, or the sum over the group's partitions.
    Lag(String, Option<TopicPartition>),
    /// `processed G`: distinct records the group's members processed.
    Processed(String),
    /// `duplicates G`: records processed again after a first time.
    Duplicates(String),
    /// `skipped G`: records in the log the group committed past without processing.
    Skipped(String),
    /// `sent P`: records the producer (or `console`) sent.
    Sent(String),
    /// `acked P`: records whose produce succeeded as the producer saw it.
    Acked(String),
    /// `failed P`: records whose produce failed.
    Failed(String),
    /// `produce-error P`: the error of the producer's last failed produce (`none` if none).
    ProduceError(String),
    /// `error`: the error name of the last command that was not `advance` or `expect`
    /// (`none` when it succeeded).
    Error,
}

/// The kind of value a [`Subject`] has.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValueKind {
    /// A number.
    Number,
    /// A number or `none`.
    OptionalNumber,
    /// A word (a state or error name).
    Word,
    /// An ordered list.
    List,
    /// An unordered list.
    Set,
}

impl Subject {
    /// What kind of value the subject has.
    pub fn kind(&self) -> ValueKind {
        match self {
            Self::Leader(_) | Self::Committed(..) | Self::Coordinator(_) => {
                ValueKind::OptionalNumber
            }
            Self::Isr(_)
            | Self::Topics
            | Self::Assignment(..)
            | Self::Adding(_)
            | Self::Removing(_)
            | Self::Gaps(_) => ValueKind::Set,
            Self::Replicas(_) | Self::Keys(..) | Self::Values(..) | Self::Offsets(..) => {
                ValueKind::List
            }
            Self::Broker(_)
            | Self::GroupState(_)
            | Self::Assignor(_)
            | Self::Member(..)
            | Self::PollError(..)
            | Self::ProduceError(_)
            | Self::Error => ValueKind::Word,
            Self::LeaderEpoch(_)
            | Self::HighWatermark(..)
            | Self::LogStart(..)
            | Self::LogEnd(..)
            | Self::Records(..)
            | Self::Segments(..)
            | Self::Partitions(_)
            | Self::PartitionOf(..)
            | Self::CoordinatorPartition(_)
            | Self::Generation(_)
            | Self::Members(_)
            | Self::Lag(..)
            | Self::Processed(_)
            | Self::Duplicates(_)
            | Self::Skipped(_)
            | Self::Sent(_)
            | Self::Acked(_)
            | Self::Failed(_) => ValueKind::Number,
        }
    }
}

/// A value an expectation compares with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ExpectValue {
    /// A number.
    Number(i64),
    /// `none`.
    None,
    /// A word.
    Word(String),
    /// A list of items, as written.
    List(Vec<String>),
}

/// `expect <subject> <op> <value>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expectation {
    /// What is looked at.
    pub subject: Subject,
    /// How it compares.
    pub op: CompareOp,
    /// With what.
    pub value: ExpectValue,
}

/// Why a command was refused. A refused command changed nothing.
#[non_exhaustive]
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CommandError {
    /// Kafka refused it, with this error.
    #[error("{}: {message}", code.name())]
    Kafka {
        /// Kafka's error.
        code: ErrorCode,
        /// What was wrong, as Kafka's tools say it where they say it.
        message: String,
    },
    /// No broker with that id.
    #[error("UNKNOWN_BROKER: there is no broker {0}")]
    UnknownBroker(u32),
    /// The broker is already running (`restart`) or stopped (`kill`, `shutdown`).
    #[error("BROKER_ALREADY_{}: broker {broker} is already {state}", state.to_ascii_uppercase())]
    BrokerState {
        /// The broker.
        broker: u32,
        /// `running` or `stopped`.
        state: &'static str,
    },
    /// No producer application with that name.
    #[error("UNKNOWN_PRODUCER: there is no producer {0}")]
    UnknownProducer(String),
    /// A producer application with that name is running or paused.
    #[error("PRODUCER_EXISTS: producer {0} is already started")]
    ProducerExists(String),
    /// No member with that name in that group.
    #[error("UNKNOWN_MEMBER: there is no member {member} in group {group}")]
    UnknownMember {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
    },
    /// The member is running (`join`) or not running (`leave`, `crash`, `cut`, `slow`).
    #[error("MEMBER_{}: member {member} of group {group} is {state}", state.to_ascii_uppercase().replace('-', "_"))]
    MemberState {
        /// `group.id`.
        group: String,
        /// The member.
        member: String,
        /// Its state now.
        state: &'static str,
    },
    /// The command itself is malformed (a bad name, an empty list, a negative time).
    #[error("INVALID_ARGUMENT: {0}")]
    InvalidArgument(String),
}

impl CommandError {
    /// The error's name: Kafka's (e.g. `UNKNOWN_TOPIC_OR_PARTITION`) or rill's own for what
    /// Kafka has no error for (`UNKNOWN_BROKER`, `BROKER_ALREADY_STOPPED`, `UNKNOWN_PRODUCER`,
    /// `PRODUCER_EXISTS`, `UNKNOWN_MEMBER`, `MEMBER_RUNNING`, `MEMBER_CRASHED`, …,
    /// `INVALID_ARGUMENT`). What `expect error == NAME` compares.
    pub fn name(&self) -> String {
        match self {
            Self::Kafka { code, .. } => code.name().to_owned(),
            Self::UnknownBroker(_) => "UNKNOWN_BROKER".to_owned(),
            Self::BrokerState { state, .. } => {
                format!("BROKER_ALREADY_{}", state.to_ascii_uppercase())
            }
            Self::UnknownProducer(_) => "UNKNOWN_PRODUCER".to_owned(),
            Self::ProducerExists(_) => "PRODUCER_EXISTS".to_owned(),
            Self::UnknownMember { .. } => "UNKNOWN_MEMBER".to_owned(),
            Self::MemberState { state, .. } => {
                format!("MEMBER_{}", state.to_ascii_uppercase().replace('-', "_"))
            }
            Self::InvalidArgument(_) => "INVALID_ARGUMENT".to_owned(),
        }
    }

    /// Kafka's error, when Kafka refused the command.
    pub fn code(&self) -> Option<ErrorCode> {
        match self {
            Self::Kafka { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// A Kafka refusal.
    pub(crate) fn kafka(code: ErrorCode, message: impl Into<String>) -> Self {
        Self::Kafka {
            code,
            message: message.into(),
        }
    }

    /// A Kafka refusal from any error that knows its Kafka code.
    pub(crate) fn from_kafka(error: &impl crate::error::KafkaError) -> Self {
        Self::kafka(error.error_code(), error.to_string())
    }
}

fn check_name(what: &str, name: &str) -> Result<(), CommandError> {
    if is_valid_name(name) {
        Ok(())
    } else {
        Err(CommandError::InvalidArgument(format!(
            "{what} {name:?} must be 1 to {NAME_LEN_MAX} characters of [A-Za-z0-9._-]"
        )))
    }
}

fn invalid(message: impl Into<String>) -> Result<(), CommandError> {
    Err(CommandError::InvalidArgument(message.into()))
}

impl Command {
    /// Checks what the command can be checked for without a world: names, non-empty lists,
    /// times and rates. [`super::World::apply`] checks it first; the text form round-trips
    /// every command this accepts.
    ///
    /// # Errors
    /// [`CommandError::InvalidArgument`] naming what is wrong.
    pub fn validate(&self) -> Result<(), CommandError> {
        match self {
            Self::Advance { ms } if *ms < 0 => invalid(format!("time only moves forward: {ms}")),
            Self::SlowBroker { extra_ms, .. } if *extra_ms < 0 => {
                invalid(format!("a slowdown adds latency: {extra_ms}"))
            }
            Self::ProducerStart { name, spec } => {
                check_name("producer name", name)?;
                if name == CONSOLE_PRODUCER {
                    return invalid("the name console belongs to the console producer");
                }
                if !(1..=PRODUCER_RATE_MAX).contains(&spec.rate) {
                    return invalid(format!(
                        "a producer's rate is 1 to {PRODUCER_RATE_MAX} records/s, got {}",
                        spec.rate
                    ));
                }
                match &spec.keys {
                    KeyPattern::Cycle(keys) | KeyPattern::Random(keys) if keys.is_empty() => {
                        invalid("a key list has at least one key")
                    }
                    _ => Ok(()),
                }
            }
            Self::ProducerPause { name }
            | Self::ProducerResume { name }
            | Self::ProducerStop { name } => check_name("producer name", name),
            Self::MemberJoin {
                group,
                member,
                spec,
            } => {
                check_name("group id", group)?;
                check_name("member name", member)?;
                if spec.topics.is_empty() {
                    return invalid("a member subscribes to at least one topic");
                }
                if spec.assignors.is_empty() {
                    return invalid("partition.assignment.strategy lists at least one assignor");
                }
                if spec.processing_ms < 0 {
                    return invalid("processing time is never negative");
                }
                Ok(())
            }
            Self::MemberLeave { group, member }
            | Self::MemberCrash { group, member }
            | Self::MemberCut { group, member }
            | Self::MemberRestart { group, member } => {
                check_name("group id", group)?;
                check_name("member name", member)
            }
            Self::MemberSlow {
                group,
                member,
                processing_ms,
            } => {
                check_name("group id", group)?;
                check_name("member name", member)?;
                if processing_ms.is_some_and(|ms| ms < 0) {
                    return invalid("processing time is never negative");
                }
                Ok(())
            }
            Self::ResetOffsets { group, scope, .. } => {
                check_name("group id", group)?;
                if matches!(scope, ResetScope::Topics(topics) if topics.is_empty()) {
                    return invalid("--reset-offsets needs --topic or --all-topics");
                }
                Ok(())
            }
            Self::DeleteGroup { group } => check_name("group id", group),
            Self::PartitionNetwork { side_a, side_b } => {
                if side_a.is_empty() || side_b.is_empty() {
                    return invalid("each side of a network partition has at least one node");
                }
                for node in side_a.iter().chain(side_b) {
                    match node {
                        NetNode::Producer(name) => check_name("producer name", name)?,
                        NetNode::Member { group, member } => {
                            check_name("group id", group)?;
                            check_name("member name", member)?;
                        }
                        NetNode::Broker(_) | NetNode::Controller => {}
                    }
                }
                Ok(())
            }
            Self::DeleteRecords { partitions } if partitions.is_empty() => {
                invalid("kafka-delete-records needs at least one partition")
            }
            Self::Reassign { partitions } if partitions.is_empty() => {
                invalid("a reassignment names at least one partition")
            }
            Self::ElectPreferred {
                partitions: Some(partitions),
            } if partitions.is_empty() => invalid("a leader election names at least one partition"),
            Self::AlterConfigs { set, delete, .. } if set.is_empty() && delete.is_empty() => {
                invalid("kafka-configs --alter needs --add-config or --delete-config")
            }
            Self::Expect(expectation) => expectation.validate(),
            _ => Ok(()),
        }
    }

    /// Whether the command changes the world (everything but `advance` and `expect`, which
    /// [`super::World::history`] records differently or not at all).
    pub fn is_action(&self) -> bool {
        !matches!(self, Self::Advance { .. } | Self::Expect(_))
    }
}

/// The producer name of records from `kafka-console-producer` and `produce`.
pub const CONSOLE_PRODUCER: &str = "console";

impl Expectation {
    /// Checks the value fits the subject and the operator.
    ///
    /// # Errors
    /// [`CommandError::InvalidArgument`].
    pub fn validate(&self) -> Result<(), CommandError> {
        let kind = self.subject.kind();
        if self.op.is_ordering() && kind != ValueKind::Number {
            return invalid(format!("{} compares numbers only", self.op.symbol()));
        }
        let fits = matches!(
            (&self.value, kind),
            (
                ExpectValue::Number(_),
                ValueKind::Number | ValueKind::OptionalNumber
            ) | (ExpectValue::None, ValueKind::OptionalNumber)
                | (ExpectValue::Word(_), ValueKind::Word)
                | (ExpectValue::List(_), ValueKind::List | ValueKind::Set)
        );
        if !fits {
            return invalid(format!("the value does not fit the subject ({kind:?})"));
        }
        if let ExpectValue::Word(word) = &self.value
            && (word.is_empty() || word.chars().any(char::is_whitespace))
        {
            return invalid("a word is not empty and has no spaces");
        }
        Ok(())
    }
}
