//! The person's consumer-group commands, as typed into the groups view, and the recorded world
//! commands each becomes (`MemberJoin`, `MemberLeave`, …, `ResetOffsets`, `DeleteGroup`).
//! Every field is validated first: a bad one fails with a message and changes nothing.

use rill_core::consumer::{AutoOffsetReset, ConsumerConfig};
use rill_core::group::assignor_named;
use rill_core::scenario::{
    Command as World, CommitMode, KeyPattern, MemberSpec, PRODUCER_RATE_MAX, ProducerSpec,
    ResetScope, ResetSpec, is_valid_name,
};
use rill_wasm::HostError;
use rill_wasm::session::Session;

use super::Engine;
use super::validate::{acks, whole_number};
use crate::model::Action;
use crate::model::assignors::split_list;
use crate::model::groups::{GroupTemplate, GroupsAction};

/// The create-group form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupForm {
    /// `group.id`.
    pub group: String,
    /// Subscribed topics, comma separated.
    pub topics: String,
    /// `partition.assignment.strategy`, comma separated, most preferred first.
    pub assignors: String,
    /// Members get `group.instance.id` = their name.
    pub static_members: bool,
    /// `session.timeout.ms`.
    pub session_timeout_ms: String,
    /// `max.poll.interval.ms`.
    pub max_poll_interval_ms: String,
    /// `auto.offset.reset`.
    pub auto_offset_reset: String,
    /// `auto` (with the interval), `sync`, `async` or `none`.
    pub commit: String,
    /// `auto.commit.interval.ms`.
    pub auto_commit_interval_ms: String,
    /// `max.poll.records`.
    pub max_poll_records: String,
    /// Processing time per record (ms).
    pub processing_ms: String,
    /// How many members start at once.
    pub members: String,
}

impl GroupForm {
    /// The form as it first shows: `group` subscribed to `topics`, two members, every config at
    /// Kafka 3.7's consumer default (a learner reads the defaults off the form).
    pub fn kafka_defaults(group: String, topics: String) -> Self {
        let kafka = MemberSpec::default();
        let commit = match kafka.commit {
            CommitMode::Auto { .. } => "auto",
            CommitMode::Sync => "sync",
            CommitMode::Async => "async",
            CommitMode::Never => "none",
        };
        // Shown even when another commit mode is picked, for when auto is chosen again.
        let interval = ConsumerConfig::default().auto_commit_interval_ms;
        Self {
            group,
            topics,
            assignors: kafka.assignors.join(","),
            static_members: false,
            session_timeout_ms: kafka.session_timeout_ms.to_string(),
            max_poll_interval_ms: kafka.max_poll_interval_ms.to_string(),
            auto_offset_reset: match kafka.auto_offset_reset {
                AutoOffsetReset::Earliest => "earliest",
                AutoOffsetReset::Latest => "latest",
                AutoOffsetReset::None => "none",
            }
            .to_owned(),
            commit: commit.to_owned(),
            auto_commit_interval_ms: interval.to_string(),
            max_poll_records: kafka.max_poll_records.to_string(),
            processing_ms: kafka.processing_ms.to_string(),
            members: "2".to_owned(),
        }
    }
}

/// How `kafka-consumer-groups --reset-offsets` moves a group's offsets, as chosen.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ResetForm {
    /// `earliest`, `latest`, `offset`, `datetime` or `shift`.
    pub to: String,
    /// The number for `offset`, `shift` (as typed) or `datetime` (ms since the epoch).
    pub value: String,
}

/// The start-producer form, as typed.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProducerForm {
    /// Its name.
    pub name: String,
    /// Topic.
    pub topic: String,
    /// Records per second.
    pub rate: String,
    /// `none`, `cycle` or `random`.
    pub keys: String,
    /// The keys, comma separated.
    pub key_list: String,
    /// `0`, `1` or `all`.
    pub acks: String,
}

/// What the person does to consumer groups (and the producers that feed them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GroupCommand {
    /// Create a group: its spec, and its first members.
    Create(GroupForm),
    /// Add a member (the next free name) with the group's spec: the one created in the form,
    /// else (`None`) the spec of the group's last member.
    AddMember(String, Option<GroupTemplate>),
    /// Close a member: it commits as configured and leaves the group.
    Leave(String, String),
    /// Kill a member's process: no commit, no LeaveGroup.
    Crash(String, String),
    /// Cut a member off from every broker.
    Cut(String, String),
    /// Make a member slower than `max.poll.interval.ms` (`None`), or set its processing time.
    Slow(String, String, Option<i64>),
    /// Restart a member's process with the same configs.
    Restart(String, String),
    /// Reset the group's offsets (only while it is inactive).
    Reset(String, ResetForm),
    /// Delete the group (only while it is empty).
    Delete(String),
    /// Start a producer application.
    ProducerStart(ProducerForm),
    /// Pause a producer.
    ProducerPause(String),
    /// Resume a paused producer.
    ProducerResume(String),
    /// Stop a producer.
    ProducerStop(String),
}

impl GroupCommand {
    /// The group the command is about.
    pub fn group(&self) -> &str {
        match self {
            Self::Create(form) => &form.group,
            Self::AddMember(g, _)
            | Self::Leave(g, _)
            | Self::Crash(g, _)
            | Self::Cut(g, _)
            | Self::Slow(g, _, _)
            | Self::Restart(g, _)
            | Self::Reset(g, _)
            | Self::Delete(g) => g,
            Self::ProducerStart(_)
            | Self::ProducerPause(_)
            | Self::ProducerResume(_)
            | Self::ProducerStop(_) => "",
        }
    }
}

fn invalid(message: String) -> HostError {
    HostError::InvalidArgument(message)
}

/// The spec a form describes.
pub(crate) fn spec_of(form: &GroupForm) -> Result<GroupTemplate, HostError> {
    let topics = split_list(&form.topics);
    if topics.is_empty() {
        return Err(invalid(
            "a group's members subscribe to at least one topic".into(),
        ));
    }
    let assignors = split_list(&form.assignors);
    if assignors.is_empty() {
        return Err(invalid(
            "partition.assignment.strategy lists at least one assignor".into(),
        ));
    }
    if let Some(unknown) = assignors.iter().find(|a| assignor_named(a).is_none()) {
        return Err(invalid(format!(
            "partition.assignment.strategy: {unknown} is not one of range, roundrobin, sticky, cooperative-sticky"
        )));
    }
    let auto_offset_reset = match form.auto_offset_reset.trim() {
        "earliest" => AutoOffsetReset::Earliest,
        "latest" | "" => AutoOffsetReset::Latest,
        "none" => AutoOffsetReset::None,
        other => {
            return Err(invalid(format!(
                "auto.offset.reset must be earliest, latest or none, got '{other}'"
            )));
        }
    };
    let commit = match form.commit.trim() {
        "auto" | "" => CommitMode::Auto {
            interval_ms: whole_number(
                &form.auto_commit_interval_ms,
                "auto.commit.interval.ms",
                1..=i64::from(i32::MAX),
            )?,
        },
        "sync" => CommitMode::Sync,
        "async" => CommitMode::Async,
        "none" => CommitMode::Never,
        other => {
            return Err(invalid(format!(
                "commit must be auto, sync, async or none, got '{other}'"
            )));
        }
    };
    let spec = MemberSpec {
        topics,
        assignors,
        group_instance_id: None,
        session_timeout_ms: whole_number(
            &form.session_timeout_ms,
            "session.timeout.ms",
            1..=i64::from(i32::MAX),
        )?,
        max_poll_interval_ms: whole_number(
            &form.max_poll_interval_ms,
            "max.poll.interval.ms",
            1..=i64::from(i32::MAX),
        )?,
        auto_offset_reset,
        commit,
        max_poll_records: whole_number(&form.max_poll_records, "max.poll.records", 1..=100_000)?,
        processing_ms: whole_number(
            &form.processing_ms,
            "Processing time per record",
            0..=3_600_000,
        )?,
        ..MemberSpec::default()
    };
    Ok(GroupTemplate {
        spec,
        static_members: form.static_members,
    })
}

impl Engine {
    /// Runs a group command on the session.
    pub(crate) fn apply_group(
        &self,
        session: &Session,
        command: GroupCommand,
    ) -> Result<(), HostError> {
        match command {
            GroupCommand::Create(form) => {
                let group = form.group.trim().to_owned();
                if !is_valid_name(&group) {
                    return Err(invalid(format!(
                        "group.id '{group}' must be 1 to 249 characters of [A-Za-z0-9._-]"
                    )));
                }
                let template = spec_of(&form)?;
                let count: u32 = whole_number(&form.members, "Members", 0..=50)?;
                // A group whose members all stopped can be created again (new configs, the
                // same committed offsets): its members start again under their names.
                let running = session.read_world(|w| {
                    w.members()
                        .into_iter()
                        .filter(|(g, _)| *g == group)
                        .any(|(g, m)| {
                            w.member(&g, &m).is_some_and(|v| {
                                matches!(v.status, "running" | "cut-off" | "leaving")
                            })
                        })
                });
                if running {
                    return Err(invalid(format!(
                        "group {group} has running members: add members to it, or stop them first"
                    )));
                }
                for n in 1..=count {
                    let member = format!("c{n}");
                    session.apply(World::MemberJoin {
                        group: group.clone(),
                        spec: member_spec(&template, &member),
                        member,
                    })?;
                }
                self.0
                    .dispatcher
                    .dispatch(Action::Groups(GroupsAction::Created { group, template }));
                Ok(())
            }
            GroupCommand::AddMember(group, template) => {
                let template = template.or_else(|| {
                    // A group from elsewhere (a scenario): the spec of its last member.
                    session.read_world(|w| {
                        let (_, last) = w.members().into_iter().rev().find(|(g, _)| *g == group)?;
                        w.member(&group, &last).map(|m| GroupTemplate {
                            spec: m.spec.clone(),
                            static_members: m.spec.group_instance_id.is_some(),
                        })
                    })
                });
                let template = template.ok_or_else(|| {
                    invalid(format!(
                        "create group {group} first (its configs are not known)"
                    ))
                })?;
                let member = self.next_member_name(session, &group);
                session
                    .apply(World::MemberJoin {
                        group,
                        spec: member_spec(&template, &member),
                        member,
                    })
                    .map(drop)
            }
            GroupCommand::Leave(group, member) => session
                .apply(World::MemberLeave { group, member })
                .map(drop),
            GroupCommand::Crash(group, member) => session
                .apply(World::MemberCrash { group, member })
                .map(drop),
            GroupCommand::Cut(group, member) => {
                session.apply(World::MemberCut { group, member }).map(drop)
            }
            GroupCommand::Slow(group, member, processing_ms) => session
                .apply(World::MemberSlow {
                    group,
                    member,
                    processing_ms,
                })
                .map(drop),
            GroupCommand::Restart(group, member) => session
                .apply(World::MemberRestart { group, member })
                .map(drop),
            GroupCommand::Reset(group, form) => {
                let number =
                    |what: &str| whole_number::<i64>(&form.value, what, i64::MIN..=i64::MAX);
                let target = match form.to.as_str() {
                    "earliest" => ResetSpec::Earliest,
                    "latest" => ResetSpec::Latest,
                    "offset" => ResetSpec::Offset(number("--to-offset")?),
                    "datetime" => ResetSpec::Datetime(number("--to-datetime")?),
                    "shift" => ResetSpec::ShiftBy(number("--shift-by")?),
                    other => return Err(invalid(format!("unknown reset target '{other}'"))),
                };
                session
                    .apply(World::ResetOffsets {
                        group,
                        scope: ResetScope::AllTopics,
                        target,
                    })
                    .map(drop)
            }
            command @ (GroupCommand::ProducerStart(_)
            | GroupCommand::ProducerPause(_)
            | GroupCommand::ProducerResume(_)
            | GroupCommand::ProducerStop(_)) => Self::apply_producer(session, command),
            GroupCommand::Delete(group) => {
                session.apply(World::DeleteGroup {
                    group: group.clone(),
                })?;
                self.0
                    .dispatcher
                    .dispatch(Action::Groups(GroupsAction::Deleted(group)));
                Ok(())
            }
        }
    }

    fn apply_producer(session: &Session, command: GroupCommand) -> Result<(), HostError> {
        match command {
            GroupCommand::ProducerStart(form) => {
                let keys = split_list(&form.key_list);
                let keys = match form.keys.as_str() {
                    "cycle" => KeyPattern::Cycle(keys),
                    "random" => KeyPattern::Random(keys),
                    _ => KeyPattern::None,
                };
                let spec = ProducerSpec {
                    topic: form.topic.trim().to_owned(),
                    rate: whole_number(
                        &form.rate,
                        "Records per second",
                        1..=i64::from(PRODUCER_RATE_MAX),
                    )?,
                    keys,
                    acks: acks(&form.acks)?,
                };
                session
                    .apply(World::ProducerStart {
                        name: form.name.trim().to_owned(),
                        spec,
                    })
                    .map(drop)
            }
            GroupCommand::ProducerPause(name) => {
                session.apply(World::ProducerPause { name }).map(drop)
            }
            GroupCommand::ProducerResume(name) => {
                session.apply(World::ProducerResume { name }).map(drop)
            }
            GroupCommand::ProducerStop(name) => {
                session.apply(World::ProducerStop { name }).map(drop)
            }
            _ => Ok(()),
        }
    }

    /// The first free `cN` of the group, read from the world itself (the model may be a frame
    /// behind after several quick clicks).
    fn next_member_name(&self, session: &Session, group: &str) -> String {
        let taken: Vec<String> = session.read_world(|w| {
            w.members()
                .into_iter()
                .filter(|(g, _)| g == group)
                .map(|(_, m)| m)
                .collect()
        });
        (1..)
            .map(|n| format!("c{n}"))
            .find(|name| !taken.contains(name))
            .unwrap_or_else(|| "c".to_owned())
    }
}

/// The spec `member` joins with: the group's, with `group.instance.id` = its name when the
/// group's members are static.
pub(crate) fn member_spec(template: &GroupTemplate, member: &str) -> MemberSpec {
    let mut spec = template.spec.clone();
    spec.group_instance_id = template.static_members.then(|| member.to_owned());
    spec
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_form_starts_at_kafkas_consumer_defaults() {
        let form = GroupForm::kafka_defaults("g1".into(), "orders".into());
        let template = spec_of(&form).expect("the defaults are valid");
        assert_eq!(
            template.spec,
            MemberSpec {
                topics: vec!["orders".to_owned()],
                ..MemberSpec::default()
            }
        );
        assert!(!template.static_members);
        // Kafka 3.7's values, as ConsumerConfig defines them.
        assert_eq!(form.session_timeout_ms, "45000");
        assert_eq!(form.assignors, "range,cooperative-sticky");
        assert_eq!(form.max_poll_interval_ms, "300000");
        assert_eq!(form.auto_commit_interval_ms, "5000");
        assert_eq!(form.max_poll_records, "500");
        assert_eq!(form.auto_offset_reset, "latest");
    }
}
