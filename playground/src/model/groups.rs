//! Consumer groups as the playground draws them: each group's state, members and partitions
//! read from the world by one pure function ([`GroupsView::read`]), and what the reducer keeps
//! over time ([`GroupsState`]): every member's ownership (assigned / revoked / lost) for the
//! rebalance timeline, the group's generations, and lag sampled over cluster time.
//!
//! Tested natively in `groups_tests.rs`: a real world runs, its events go through
//! [`GroupsState::apply`].

use std::collections::{BTreeMap, BTreeSet};

use rill_core::cluster::Acks;
use rill_core::group::coordinator::GroupState;
use rill_core::group::protocol::offsets_partition_for;
use rill_core::group::{RebalanceProtocol, TopicPartition, assignor_named};
use rill_core::scenario::{CommitOrigin, KeyPattern, MemberEvent, MemberSpec, World, WorldEvent};
use rill_wasm::session::SessionEvent;

/// Lag is sampled at most this often (cluster ms).
pub const LAG_SAMPLE_MS: i64 = 250;

/// Lag samples kept per group (older ones are dropped).
pub const LAG_POINTS_MAX: usize = 240;

/// Ownership events kept per group (older ones are dropped).
pub const TIMELINE_EVENTS_MAX: usize = 2_000;

/// Which protocol a list of assignors gives, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProtocolChoice {
    /// Eager or cooperative.
    pub protocol: RebalanceProtocol,
    /// The listed assignors that support only the eager protocol (why it is eager).
    pub eager_only: Vec<String>,
}

/// The protocol a consumer with `partition.assignment.strategy` = `assignors` uses: Kafka's
/// `ConsumerCoordinator` picks cooperative only when every listed assignor supports it.
/// Unknown names count as eager-only (the consumer refuses them anyway).
pub fn protocol_of(assignors: &[String]) -> ProtocolChoice {
    let eager_only: Vec<String> = assignors
        .iter()
        .filter(|name| {
            assignor_named(name).is_none_or(|a| {
                !a.supported_protocols()
                    .contains(&RebalanceProtocol::Cooperative)
            })
        })
        .cloned()
        .collect();
    ProtocolChoice {
        protocol: if eager_only.is_empty() && !assignors.is_empty() {
            RebalanceProtocol::Cooperative
        } else {
            RebalanceProtocol::Eager
        },
        eager_only,
    }
}

/// One member as its card shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MemberCard {
    /// Its name (`client.id`).
    pub name: String,
    /// `running`, `cut-off`, `leaving`, `left` or `crashed`.
    pub status: &'static str,
    /// `group.instance.id` of a static member.
    pub instance_id: Option<String>,
    /// The member id the coordinator gave it (while it is in the group).
    pub member_id: Option<String>,
    /// The generation its consumer joined.
    pub generation: Option<i32>,
    /// Whether it leads the group.
    pub leader: bool,
    /// The partitions its consumer holds, with its position in each.
    pub partitions: Vec<(TopicPartition, Option<i64>)>,
    /// Processing time per record now.
    pub processing_ms: i64,
    /// Whether it is processing a batch now.
    pub busy: bool,
    /// Its `partition.assignment.strategy`.
    pub assignors: Vec<String>,
}

/// One partition of a group: `kafka-consumer-groups --describe`'s line, plus log start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupPartition {
    /// The partition.
    pub tp: TopicPartition,
    /// `CURRENT-OFFSET`.
    pub committed: Option<i64>,
    /// `LOG-END-OFFSET` (the high watermark).
    pub log_end_offset: Option<i64>,
    /// The log start offset at the leader.
    pub log_start_offset: Option<i64>,
    /// `LAG`.
    pub lag: Option<i64>,
    /// The member consuming it (`CLIENT-ID`), if any.
    pub owner: Option<String>,
    /// `CONSUMER-ID`.
    pub member_id: Option<String>,
}

/// A group as drawn.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupView {
    /// `group.id`.
    pub id: String,
    /// Kafka's state name, or `None` while the coordinator does not answer (with the error).
    pub state: Result<GroupState, String>,
    /// The generation.
    pub generation: i32,
    /// The leader's name.
    pub leader: Option<String>,
    /// The chosen assignor (`""` unless `Stable`).
    pub assignor: String,
    /// The protocol the members' assignor lists give.
    pub protocol: ProtocolChoice,
    /// The coordinator broker.
    pub coordinator: Option<u32>,
    /// Its `__consumer_offsets` partition.
    pub offsets_partition: u32,
    /// The member applications, by name.
    pub members: Vec<MemberCard>,
    /// Partitions committed or assigned.
    pub partitions: Vec<GroupPartition>,
    /// Sum of the partitions' lag.
    pub lag: i64,
    /// Distinct records processed, processed twice, skipped.
    pub processed: u64,
    /// Records processed again.
    pub duplicates: u64,
    /// Records committed past without processing.
    pub skipped: u64,
    /// Members the coordinator still lists that are no client of this page (they were
    /// before a reload): they stay until their session times out.
    pub foreign_members: usize,
}

impl GroupView {
    /// Whether the group has a running member (offsets cannot be reset meanwhile).
    pub fn is_active(&self) -> bool {
        !matches!(self.state, Ok(GroupState::Empty | GroupState::Dead))
    }

    /// The spec "Add member" uses for a group with no template and no member application here
    /// (one known from the coordinator after a reload): Kafka's consumer defaults, subscribed to
    /// the topics of its partitions. `None` when no partition is known.
    pub fn default_template(&self) -> Option<GroupTemplate> {
        let topics = self.topics();
        (!topics.is_empty()).then(|| GroupTemplate {
            spec: MemberSpec {
                topics,
                ..MemberSpec::default()
            },
            static_members: false,
        })
    }

    /// The subscribed topics of its members (sorted, deduplicated).
    pub fn topics(&self) -> Vec<String> {
        let set: BTreeSet<String> = self.partitions.iter().map(|p| p.tp.topic.clone()).collect();
        set.into_iter().collect()
    }
}

/// A group's marks on one partition: `(group, committed offset, [(member, position)])`.
pub type GroupFlag = (String, Option<i64>, Vec<(String, i64)>);

/// A producer application as its card shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProducerCard {
    /// Its name.
    pub name: String,
    /// The topic it sends to.
    pub topic: String,
    /// Records per second.
    pub rate: u32,
    /// How it picks keys: `none`, `cycle` or `random`.
    pub key_pattern: &'static str,
    /// Its keys, comma separated.
    pub keys: String,
    /// `acks`.
    pub acks: &'static str,
    /// `running`, `paused` or `stopped`.
    pub state: &'static str,
    /// Records sent.
    pub sent: u64,
    /// Records acknowledged.
    pub acked: u64,
    /// Records failed.
    pub failed: u64,
    /// The last failure's error name.
    pub last_error: Option<&'static str>,
}

/// Every group of the world, and its producers.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupsView {
    /// Cluster time.
    pub now: i64,
    /// Groups by id.
    pub groups: Vec<GroupView>,
    /// Producer applications by name.
    pub producers: Vec<ProducerCard>,
}

impl GroupsView {
    /// Reads every group: those with member applications and those the coordinators know
    /// (committed offsets survive a reload; members do not).
    pub fn read(world: &World) -> Self {
        let cluster = world.cluster();
        let mut ids: BTreeSet<String> = world.members().into_iter().map(|(g, _)| g).collect();
        ids.extend(
            cluster
                .list_groups()
                .into_iter()
                .filter(|g| g.protocol_type == "consumer" || g.protocol_type.is_empty())
                .map(|g| g.group_id),
        );
        let groups = ids.iter().map(|id| read_group(world, id)).collect();
        let producers = world
            .producers()
            .into_iter()
            .filter_map(|name| {
                let view = world.producer(&name)?;
                let stats = world.producer_stats(&name).cloned().unwrap_or_default();
                let (key_pattern, keys) = match &view.spec.keys {
                    KeyPattern::None => ("none", String::new()),
                    KeyPattern::Cycle(keys) => ("cycle", keys.join(", ")),
                    KeyPattern::Random(keys) => ("random", keys.join(", ")),
                };
                Some(ProducerCard {
                    key_pattern,
                    topic: view.spec.topic.clone(),
                    rate: view.spec.rate,
                    keys,
                    acks: match view.spec.acks {
                        Acks::None => "0",
                        Acks::Leader => "1",
                        Acks::All => "all",
                    },
                    state: view.state,
                    sent: stats.sent,
                    acked: stats.acked,
                    failed: stats.failed,
                    last_error: stats.last_error.map(|e| e.name()),
                    name,
                })
            })
            .collect();
        Self {
            now: world.now(),
            groups,
            producers,
        }
    }

    /// The group `id`.
    pub fn group(&self, id: &str) -> Option<&GroupView> {
        self.groups.iter().find(|g| g.id == id)
    }

    /// Each group's committed offset and its members' positions on one partition:
    /// `(group, committed, [(member, position)])`.
    pub fn flags(&self, topic: &str, partition: u32) -> Vec<GroupFlag> {
        self.groups
            .iter()
            .filter_map(|g| {
                let committed = g
                    .partitions
                    .iter()
                    .find(|p| p.tp.topic == topic && p.tp.partition == partition)
                    .and_then(|p| p.committed);
                let positions: Vec<(String, i64)> = g
                    .members
                    .iter()
                    .flat_map(|m| {
                        m.partitions
                            .iter()
                            .filter(|(tp, _)| tp.topic == topic && tp.partition == partition)
                            .filter_map(|(_, pos)| pos.map(|p| (m.name.clone(), p)))
                    })
                    .collect();
                (committed.is_some() || !positions.is_empty())
                    .then(|| (g.id.clone(), committed, positions))
            })
            .collect()
    }
}

fn read_group(world: &World, id: &str) -> GroupView {
    let cluster = world.cluster();
    let description = cluster.describe_group(id);
    let (state, generation, leader_id, assignor, described) = match &description {
        Ok(d) => (
            Ok(d.state),
            d.generation,
            d.leader.clone(),
            d.protocol.clone(),
            d.members.clone(),
        ),
        Err(code) => (
            Err(code.name().to_owned()),
            0,
            None,
            String::new(),
            Vec::new(),
        ),
    };
    let name_of = |member_id: &str| {
        described
            .iter()
            .find(|m| m.member_id == member_id)
            .map(|m| m.client_id.clone())
    };
    let leader = leader_id.as_deref().and_then(name_of);
    let mut members = Vec::new();
    let mut assignor_lists: Vec<Vec<String>> = Vec::new();
    for (group, name) in world.members() {
        if group != id {
            continue;
        }
        let Some(view) = world.member(&group, &name) else {
            continue;
        };
        let consumer = view.client.and_then(|c| cluster.consumer(c));
        let (generation, member_id) = consumer.map_or((None, None), |c| {
            let (generation, member_id) = c.generation();
            if generation >= 0 && !member_id.is_empty() {
                (Some(generation), Some(member_id.to_owned()))
            } else {
                (None, None)
            }
        });
        let partitions = consumer.map_or_else(Vec::new, |c| {
            c.assignment()
                .into_iter()
                .map(|tp| {
                    let position = c.position(&tp).ok().flatten();
                    (tp, position)
                })
                .collect()
        });
        if matches!(view.status, "running" | "cut-off" | "leaving") {
            assignor_lists.push(view.spec.assignors.clone());
        }
        members.push(MemberCard {
            leader: leader.as_deref() == Some(name.as_str())
                && member_id.is_some()
                && leader_id.as_deref() == member_id.as_deref(),
            name,
            status: view.status,
            instance_id: view.spec.group_instance_id.clone(),
            member_id,
            generation,
            partitions,
            processing_ms: view.processing_ms,
            busy: view.busy_until.is_some(),
            assignors: view.spec.assignors.clone(),
        });
    }
    // The group's protocol: the one every live member's list gives (one eager list makes the
    // group eager); without live members, the last member's.
    let lists = if assignor_lists.is_empty() {
        members.iter().map(|m| m.assignors.clone()).collect()
    } else {
        assignor_lists
    };
    let protocol =
        lists
            .iter()
            .map(|l| protocol_of(l))
            .fold(None, |acc: Option<ProtocolChoice>, next| match acc {
                None => Some(next),
                Some(mut acc) => {
                    if next.protocol == RebalanceProtocol::Eager {
                        acc.protocol = RebalanceProtocol::Eager;
                    }
                    for name in next.eager_only {
                        if !acc.eager_only.contains(&name) {
                            acc.eager_only.push(name);
                        }
                    }
                    Some(acc)
                }
            });
    let protocol = protocol.unwrap_or(ProtocolChoice {
        protocol: RebalanceProtocol::Eager,
        eager_only: Vec::new(),
    });
    let mut partitions: Vec<GroupPartition> = cluster
        .describe_group_offsets(id)
        .unwrap_or_default()
        .into_iter()
        .map(|row| {
            let offsets = cluster
                .partition_offsets(&row.partition.topic, row.partition.partition)
                .ok();
            GroupPartition {
                log_start_offset: offsets.as_ref().map(|o| o.log_start_offset),
                log_end_offset: row
                    .log_end_offset
                    .or_else(|| offsets.as_ref().map(|o| o.high_watermark)),
                committed: row.committed,
                lag: row.lag,
                owner: row.client_id,
                member_id: row.member_id,
                tp: row.partition,
            }
        })
        .collect();
    // Partitions a member holds that the coordinator does not list yet (mid-rebalance).
    for member in &members {
        for (tp, _) in &member.partitions {
            if !partitions.iter().any(|p| p.tp == *tp) {
                let offsets = cluster.partition_offsets(&tp.topic, tp.partition).ok();
                partitions.push(GroupPartition {
                    tp: tp.clone(),
                    committed: None,
                    log_end_offset: offsets.as_ref().map(|o| o.high_watermark),
                    log_start_offset: offsets.as_ref().map(|o| o.log_start_offset),
                    lag: None,
                    owner: Some(member.name.clone()),
                    member_id: member.member_id.clone(),
                });
            }
        }
    }
    partitions.sort_by(|a, b| a.tp.cmp(&b.tp));
    let lag = partitions.iter().filter_map(|p| p.lag).sum();
    let (processed, duplicates, skipped) = world.group_stats(id).unwrap_or((0, 0, 0));
    let foreign_members = described
        .iter()
        .filter(|d| {
            !members
                .iter()
                .any(|m| m.member_id.as_deref() == Some(&d.member_id) || m.name == d.client_id)
        })
        .count();
    GroupView {
        id: id.to_owned(),
        state,
        generation,
        leader,
        assignor,
        protocol,
        coordinator: cluster.coordinator_of(id),
        offsets_partition: offsets_partition_for(id, cluster.config().offsets_topic_partitions),
        members,
        partitions,
        lag,
        processed,
        duplicates,
        skipped,
        foreign_members,
    }
}

/// What happened to a member's partitions.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ownership {
    /// `onPartitionsAssigned`.
    Assigned,
    /// `onPartitionsRevoked`.
    Revoked,
    /// `onPartitionsLost`.
    Lost,
    /// The member's process died: whatever it held is no longer consumed (no callback runs).
    Crashed,
}

/// One ownership change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OwnershipEvent {
    /// Cluster time.
    pub at: i64,
    /// The member.
    pub member: String,
    /// Assigned, revoked or lost.
    pub kind: Ownership,
    /// The partitions.
    pub partitions: Vec<TopicPartition>,
}

/// A stretch of a partition's timeline: owned by a member, or not consumed (a gap).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Span {
    /// From (cluster ms).
    pub from: i64,
    /// To (cluster ms; now for an open span).
    pub to: i64,
    /// The owner, `None` for a gap.
    pub owner: Option<String>,
    /// How the span ended (`Revoked`/`Lost` for an owned span), `None` while open or for a gap.
    pub ended_by: Option<Ownership>,
}

/// One partition's row of the timeline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TimelineRow {
    /// The partition.
    pub tp: TopicPartition,
    /// Its spans, oldest first.
    pub spans: Vec<Span>,
}

impl TimelineRow {
    /// The gaps (spans nobody consumed, between a release and the next assignment).
    pub fn gaps(&self) -> impl Iterator<Item = &Span> {
        self.spans.iter().filter(|s| s.owner.is_none())
    }
}

/// Commits kept per group (newest last).
pub const COMMITS_KEPT: usize = 12;

/// Duplicate or skipped offsets kept per partition (the newest).
pub const MARKS_KEPT: usize = 200;

/// One finished commit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommitLine {
    /// When it finished (cluster time).
    pub at: i64,
    /// The member.
    pub member: String,
    /// `auto`, `sync` or `async`.
    pub origin: &'static str,
    /// The offsets it carried.
    pub offsets: Vec<(TopicPartition, i64)>,
    /// Its error (the exception's name and message), if it failed.
    pub error: Option<String>,
}

/// What a member's poll loop said last.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemberNote {
    /// The error of its last poll, until a poll succeeds: (exception, message).
    pub poll_error: Option<(String, String)>,
    /// Its positions reset by `auto.offset.reset` (or a seek): partition → (offset, when).
    pub resets: BTreeMap<TopicPartition, (i64, i64)>,
}

/// A group's history: ownership events, generations, lag samples, commits, what its members
/// said, and the records processed twice or skipped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupHistory {
    /// Ownership changes, oldest first.
    pub events: Vec<OwnershipEvent>,
    /// `(when, generation)` of each generation a member joined, oldest first.
    pub generations: Vec<(i64, i32)>,
    /// Lag samples: `(when, total, per partition)`.
    pub lag: Vec<LagPoint>,
    /// The last commits, oldest first.
    pub commits: Vec<CommitLine>,
    /// Each member's last poll error and offset resets.
    pub notes: BTreeMap<String, MemberNote>,
    /// Offsets processed again after a first time, by partition.
    pub duplicates: BTreeMap<TopicPartition, BTreeSet<i64>>,
    /// Offsets committed past without being processed, by partition.
    pub skipped: BTreeMap<TopicPartition, BTreeSet<i64>>,
}

fn mark(marks: &mut BTreeMap<TopicPartition, BTreeSet<i64>>, tp: &TopicPartition, offset: i64) {
    let set = marks.entry(tp.clone()).or_default();
    set.insert(offset);
    while set.len() > MARKS_KEPT {
        set.pop_first();
    }
}

/// One lag sample.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LagPoint {
    /// Cluster time.
    pub at: i64,
    /// The group's lag.
    pub total: i64,
    /// Each partition's lag.
    pub partitions: BTreeMap<TopicPartition, i64>,
}

impl GroupHistory {
    /// Each partition's spans up to `now`: owned stretches, and gaps between a revocation (or
    /// loss) and the next assignment. A partition released and not assigned again has an open
    /// gap up to `now`.
    pub fn rows(&self, now: i64) -> Vec<TimelineRow> {
        let mut rows: BTreeMap<TopicPartition, Vec<Span>> = BTreeMap::new();
        // Open span per partition: (from, owner).
        let mut open: BTreeMap<TopicPartition, (i64, Option<String>)> = BTreeMap::new();
        for event in &self.events {
            let crashed: Vec<TopicPartition>;
            let partitions = if event.kind == Ownership::Crashed {
                crashed = open
                    .iter()
                    .filter(|(_, (_, o))| o.as_deref() == Some(event.member.as_str()))
                    .map(|(tp, _)| tp.clone())
                    .collect();
                &crashed
            } else {
                &event.partitions
            };
            for tp in partitions {
                match event.kind {
                    Ownership::Assigned => {
                        if let Some((from, owner)) = open.remove(tp) {
                            let spans = rows.entry(tp.clone()).or_default();
                            if owner.is_none() || event.at > from {
                                spans.push(Span {
                                    from,
                                    to: event.at,
                                    owner,
                                    ended_by: None,
                                });
                            }
                        } else {
                            rows.entry(tp.clone()).or_default();
                        }
                        open.insert(tp.clone(), (event.at, Some(event.member.clone())));
                    }
                    Ownership::Revoked | Ownership::Lost | Ownership::Crashed => {
                        let owned_by_member = open
                            .get(tp)
                            .is_some_and(|(_, o)| o.as_deref() == Some(event.member.as_str()));
                        if owned_by_member && let Some((from, owner)) = open.remove(tp) {
                            rows.entry(tp.clone()).or_default().push(Span {
                                from,
                                to: event.at,
                                owner,
                                ended_by: Some(event.kind),
                            });
                            open.insert(tp.clone(), (event.at, None));
                        }
                    }
                }
            }
        }
        for (tp, (from, owner)) in open {
            rows.entry(tp).or_default().push(Span {
                from,
                to: now.max(from),
                owner,
                ended_by: None,
            });
        }
        rows.into_iter()
            .map(|(tp, spans)| TimelineRow { tp, spans })
            .collect()
    }

    /// When the history starts (its first event, generation or lag sample).
    pub fn start(&self) -> Option<i64> {
        let first_event = self.events.first().map(|e| e.at);
        let first_generation = self.generations.first().map(|(at, _)| *at);
        let first_lag = self.lag.first().map(|p| p.at);
        first_event
            .into_iter()
            .chain(first_generation)
            .chain(first_lag)
            .min()
    }
}

/// A group the person created in the form: the spec its members join with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GroupTemplate {
    /// The spec (topics, assignors, timeouts, …).
    pub spec: MemberSpec,
    /// Members are static: each gets `group.instance.id` = its name.
    pub static_members: bool,
}

/// Everything the reducer keeps about groups.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupsState {
    /// The groups as last read.
    pub view: GroupsView,
    /// History by group.
    pub history: BTreeMap<String, GroupHistory>,
    /// Groups created in the form, by id.
    pub templates: BTreeMap<String, GroupTemplate>,
}

/// The events the groups model looks at: group members', duplicates and skipped records (the
/// rest stay out of its frames).
pub fn group_events(events: &[(SessionEvent, i64)]) -> Vec<(SessionEvent, i64)> {
    events
        .iter()
        .filter(|(e, _)| {
            matches!(
                e,
                SessionEvent::World(
                    WorldEvent::Member { .. }
                        | WorldEvent::Duplicate { .. }
                        | WorldEvent::Skipped { .. }
                )
            )
        })
        .cloned()
        .collect()
}

/// What changes [`GroupsState`].
#[derive(Clone, Debug)]
pub enum GroupsAction {
    /// A frame: the groups now, and the session events since the last frame.
    Frame {
        /// The groups as read now.
        view: GroupsView,
        /// Events (only group members' are looked at), with their cluster time.
        events: Vec<(SessionEvent, i64)>,
    },
    /// A group was created from the form.
    Created {
        /// `group.id`.
        group: String,
        /// Its spec.
        template: GroupTemplate,
    },
    /// A group was deleted: its history goes.
    Deleted(String),
}

impl GroupsState {
    /// Applies one action.
    pub fn apply(&mut self, action: GroupsAction) {
        match action {
            GroupsAction::Frame { view, events } => self.frame(view, &events),
            GroupsAction::Created { group, template } => {
                self.templates.insert(group, template);
            }
            GroupsAction::Deleted(group) => {
                self.templates.remove(&group);
                self.history.remove(&group);
            }
        }
    }

    fn frame(&mut self, view: GroupsView, events: &[(SessionEvent, i64)]) {
        for (event, at) in events {
            let (group, member, event) = match event {
                SessionEvent::World(WorldEvent::Member {
                    group,
                    member,
                    event,
                }) => (group, member, event),
                SessionEvent::World(WorldEvent::Duplicate {
                    group,
                    partition,
                    offset,
                    ..
                }) => {
                    let history = self.history.entry(group.clone()).or_default();
                    mark(&mut history.duplicates, partition, *offset);
                    continue;
                }
                SessionEvent::World(WorldEvent::Skipped {
                    group,
                    partition,
                    offset,
                }) => {
                    let history = self.history.entry(group.clone()).or_default();
                    mark(&mut history.skipped, partition, *offset);
                    continue;
                }
                _ => continue,
            };
            let history = self.history.entry(group.clone()).or_default();
            let (kind, partitions) = match event {
                MemberEvent::Assigned { partitions } => (Ownership::Assigned, partitions),
                MemberEvent::Revoked { partitions } => (Ownership::Revoked, partitions),
                MemberEvent::Lost { partitions } => (Ownership::Lost, partitions),
                MemberEvent::Crashed => {
                    // A dead process says nothing any more.
                    history.notes.remove(member);
                    (Ownership::Crashed, &Vec::new())
                }
                MemberEvent::LeftGroup { .. } => {
                    if let Some(note) = history.notes.get_mut(member) {
                        note.resets.clear();
                    }
                    continue;
                }
                MemberEvent::Joined { generation, .. } => {
                    // A new generation: its resets belong to the assignment it replaced.
                    if let Some(note) = history.notes.get_mut(member) {
                        note.resets.clear();
                    }
                    if history
                        .generations
                        .last()
                        .is_none_or(|(_, g)| g != generation)
                    {
                        history.generations.push((*at, *generation));
                    }
                    continue;
                }
                MemberEvent::Committed {
                    origin,
                    offsets,
                    result,
                } => {
                    history.commits.push(CommitLine {
                        at: *at,
                        member: member.clone(),
                        origin: match origin {
                            CommitOrigin::Auto => "auto",
                            CommitOrigin::Sync => "sync",
                            CommitOrigin::Async => "async",
                        },
                        offsets: offsets.clone(),
                        error: result
                            .as_ref()
                            .err()
                            .map(|e| format!("{}: {e}", e.exception_name())),
                    });
                    if history.commits.len() > COMMITS_KEPT {
                        history.commits.remove(0);
                    }
                    continue;
                }
                MemberEvent::Started { .. } => {
                    // A new process: what the old one said is no longer its state.
                    history.notes.remove(member);
                    continue;
                }
                MemberEvent::PollFailed { error } => {
                    history.notes.entry(member.clone()).or_default().poll_error =
                        Some((error.exception_name().to_owned(), error.to_string()));
                    continue;
                }
                MemberEvent::Polled { .. } => {
                    if let Some(note) = history.notes.get_mut(member) {
                        note.poll_error = None;
                    }
                    continue;
                }
                MemberEvent::OffsetReset { partition, offset } => {
                    history
                        .notes
                        .entry(member.clone())
                        .or_default()
                        .resets
                        .insert(partition.clone(), (*offset, *at));
                    continue;
                }
                _ => continue,
            };
            history.events.push(OwnershipEvent {
                at: *at,
                member: member.clone(),
                kind,
                partitions: partitions.clone(),
            });
            if history.events.len() > TIMELINE_EVENTS_MAX {
                history.events.remove(0);
            }
        }
        for group in &view.groups {
            let history = self.history.entry(group.id.clone()).or_default();
            let due = history
                .lag
                .last()
                .is_none_or(|p| view.now >= p.at + LAG_SAMPLE_MS);
            if due && !group.partitions.is_empty() {
                history.lag.push(LagPoint {
                    at: view.now,
                    total: group.lag,
                    partitions: group
                        .partitions
                        .iter()
                        .filter_map(|p| p.lag.map(|l| (p.tp.clone(), l)))
                        .collect(),
                });
                if history.lag.len() > LAG_POINTS_MAX {
                    history.lag.remove(0);
                }
            }
        }
        self.view = view;
    }

    /// The name the next member of `group` gets: `c1`, `c2`, … (the first free one).
    pub fn next_member_name(&self, group: &str) -> String {
        let taken: BTreeSet<&str> = self
            .view
            .group(group)
            .map(|g| g.members.iter().map(|m| m.name.as_str()).collect())
            .unwrap_or_default();
        (1..)
            .map(|n| format!("c{n}"))
            .find(|name| !taken.contains(name.as_str()))
            .unwrap_or_else(|| "c".to_owned())
    }
}
