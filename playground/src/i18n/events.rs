//! Event log lines in Kafka's words, in each language: "[Controller] broker 2 fenced",
//! "[Partition orders-0] ISR shrunk to [1,3]", "[Partition orders-0] leader 1 → 3, epoch 4,
//! clean election (leader fenced)".

use super::ui::{Noun, count_of};
use rill_core::cluster::{Acks, ClusterEvent};
use rill_core::group::coordinator::GroupEvent;
use rill_core::scenario::{CommitOrigin, MemberEvent, WorldEvent};
use rill_wasm::session::SessionEvent;

use super::Lang;
use crate::model::event_log::election_reason;

fn list(ids: &[u32]) -> String {
    format!(
        "[{}]",
        ids.iter().map(u32::to_string).collect::<Vec<_>>().join(",")
    )
}

/// The line's text: a bracketed source (`[Controller]`, `[Partition t-0]`, …) and the words.
pub fn event_text(lang: Lang, event: &SessionEvent) -> (String, String) {
    let ko = lang == Lang::Ko;
    let pick = |en: String, kr: String| if ko { kr } else { en };
    match event {
        SessionEvent::ProduceCompleted(outcome) => {
            let acks = match outcome.acks {
                Acks::None => "0",
                Acks::Leader => "1",
                Acks::All => "all",
            };
            let source = format!("[Producer → {}-{}]", outcome.topic, outcome.partition);
            let text = match &outcome.result {
                Ok((base, last)) => pick(
                    format!(
                        "acks={acks}: acknowledged, {}",
                        offsets_text(*base, *last, Lang::En)
                    ),
                    format!(
                        "acks={acks}: 확인됨, {}",
                        offsets_text(*base, *last, Lang::Ko)
                    ),
                ),
                Err(code) => pick(
                    format!("acks={acks}: failed with {}", code.name()),
                    format!("acks={acks}: {} 오류로 실패", code.name()),
                ),
            };
            (source, text)
        }
        SessionEvent::Cluster(event) => cluster_text(lang, event),
        SessionEvent::World(event) => world_text(lang, event),
    }
}

fn partitions_text(partitions: &[rill_core::group::TopicPartition]) -> String {
    let names: Vec<String> = partitions
        .iter()
        .map(|tp| format!("{}-{}", tp.topic, tp.partition))
        .collect();
    format!("[{}]", names.join(", "))
}

fn world_text(lang: Lang, event: &WorldEvent) -> (String, String) {
    let ko = lang == Lang::Ko;
    let pick = |en: String, kr: String| if ko { kr } else { en };
    match event {
        WorldEvent::Produced {
            producer,
            topic,
            partition,
            offsets,
            count,
        } => (
            format!("[Producer {producer} → {topic}-{partition}]"),
            match offsets {
                Some((first, last)) => pick(
                    format!(
                        "{} acknowledged, {}",
                        count_of(Lang::En, u64::from(*count), Noun::Record),
                        offsets_text(*first, *last, Lang::En)
                    ),
                    format!(
                        "레코드 {count}개 확인됨, {}",
                        offsets_text(*first, *last, Lang::Ko)
                    ),
                ),
                None => pick(
                    format!(
                        "{} sent with acks=0",
                        count_of(Lang::En, u64::from(*count), Noun::Record)
                    ),
                    format!("레코드 {count}개를 acks=0으로 보냄"),
                ),
            },
        ),
        WorldEvent::ProduceFailed {
            producer,
            topic,
            partition,
            count,
            error,
        } => (
            format!("[Producer {producer} → {topic}-{partition}]"),
            pick(
                format!(
                    "{} failed: {}",
                    count_of(Lang::En, u64::from(*count), Noun::Record),
                    error.name()
                ),
                format!("레코드 {count}개 실패: {}", error.name()),
            ),
        ),
        WorldEvent::Member {
            group,
            member,
            event,
        } => (
            format!("[Consumer {group}/{member}]"),
            member_text(lang, event),
        ),
        WorldEvent::Duplicate {
            group,
            member,
            partition,
            offset,
        } => (
            format!("[Group {group}]"),
            pick(
                format!(
                    "{member} processed {}-{} offset {offset} again (a duplicate)",
                    partition.topic, partition.partition
                ),
                format!(
                    "{member}가 {}-{} 오프셋 {offset}을 다시 처리함 (중복)",
                    partition.topic, partition.partition
                ),
            ),
        ),
        WorldEvent::Skipped {
            group,
            partition,
            offset,
        } => (
            format!("[Group {group}]"),
            pick(
                format!(
                    "committed past {}-{} offset {offset}, which no member processed (lost)",
                    partition.topic, partition.partition
                ),
                format!(
                    "아무도 처리하지 않은 {}-{} 오프셋 {offset}을 지나 커밋함 (유실)",
                    partition.topic, partition.partition
                ),
            ),
        ),
        other => ("[World]".to_owned(), format!("{other:?}")),
    }
}

fn member_text(lang: Lang, event: &MemberEvent) -> String {
    let ko = lang == Lang::Ko;
    let pick = |en: String, kr: String| if ko { kr } else { en };
    match event {
        MemberEvent::Started { .. } => pick("started".into(), "시작".into()),
        MemberEvent::Joined {
            generation,
            leader,
            protocol,
            ..
        } => pick(
            format!(
                "joined generation {generation} ({protocol}){}",
                if *leader { ", as the group leader" } else { "" }
            ),
            format!(
                "제너레이션 {generation} 참여 ({protocol}){}",
                if *leader { ", 그룹 리더" } else { "" }
            ),
        ),
        MemberEvent::Assigned { partitions } => pick(
            format!("assigned {}", partitions_text(partitions)),
            format!("할당 {}", partitions_text(partitions)),
        ),
        MemberEvent::Revoked { partitions } => pick(
            format!("revoked {}", partitions_text(partitions)),
            format!("회수 {}", partitions_text(partitions)),
        ),
        MemberEvent::Lost { partitions } => pick(
            format!("lost {}", partitions_text(partitions)),
            format!("잃음 {}", partitions_text(partitions)),
        ),
        MemberEvent::Committed {
            origin,
            offsets,
            result,
        } => {
            let how = match origin {
                CommitOrigin::Auto => "auto-commit",
                CommitOrigin::Sync => "commitSync",
                CommitOrigin::Async => "commitAsync",
            };
            let what = offsets
                .iter()
                .map(|(tp, o)| format!("{}-{}={o}", tp.topic, tp.partition))
                .collect::<Vec<_>>()
                .join(", ");
            match result {
                Ok(()) => format!("{how} {what}"),
                Err(error) => pick(
                    format!("{how} {what} failed: {error}"),
                    format!("{how} {what} 실패: {error}"),
                ),
            }
        }
        MemberEvent::OffsetReset { partition, offset } => pick(
            format!(
                "position of {}-{} reset to {offset}",
                partition.topic, partition.partition
            ),
            format!(
                "{}-{} 위치를 {offset}(으)로 재설정",
                partition.topic, partition.partition
            ),
        ),
        MemberEvent::PollFailed { error } => pick(
            format!("poll failed: {error}"),
            format!("poll 실패: {error}"),
        ),
        MemberEvent::LeftGroup { reason } => pick(
            format!("left the group: {reason}"),
            format!("그룹을 떠남: {reason}"),
        ),
        MemberEvent::CoordinatorUnknown { reason } => pick(
            format!("lost its coordinator: {reason}"),
            format!("코디네이터를 잃음: {reason}"),
        ),
        MemberEvent::Leaving => pick("leaving".into(), "떠나는 중".into()),
        MemberEvent::Closed => pick("closed".into(), "종료됨".into()),
        MemberEvent::Crashed => pick(
            "crashed (no LeaveGroup)".into(),
            "크래시 (LeaveGroup 없음)".into(),
        ),
        MemberEvent::CutOff => pick(
            "cut off from the cluster".into(),
            "클러스터와 연결이 끊김".into(),
        ),
        other => format!("{other:?}"),
    }
}

fn cluster_text(lang: Lang, event: &ClusterEvent) -> (String, String) {
    let ko = lang == Lang::Ko;
    let pick = |en: String, kr: String| if ko { kr } else { en };
    let controller = "[Controller]".to_owned();
    let partition = |t: &str, p: u32| format!("[Partition {t}-{p}]");
    match event {
        ClusterEvent::BrokerDown {
            broker,
            controlled: false,
        } => (
            format!("[Broker {broker}]"),
            pick("stopped (killed)".into(), "중지됨 (강제 종료)".into()),
        ),
        ClusterEvent::BrokerDown {
            broker,
            controlled: true,
        } => (
            format!("[Broker {broker}]"),
            pick(
                "stopped: controlled shutdown complete".into(),
                "중지됨: controlled shutdown 완료".into(),
            ),
        ),
        ClusterEvent::BrokerUp { broker } => (
            format!("[Broker {broker}]"),
            pick(
                "started; recovered its logs".into(),
                "시작됨; 로그를 복구함".into(),
            ),
        ),
        ClusterEvent::BrokerFenced { broker } => (
            controller,
            pick(
                format!(
                    "broker {broker} fenced: no heartbeat within broker.session.timeout.ms, or a controlled shutdown"
                ),
                format!(
                    "브로커 {broker} 펜싱: broker.session.timeout.ms 안에 하트비트가 없거나 정상 종료 중"
                ),
            ),
        ),
        ClusterEvent::BrokerUnfenced { broker } => (
            controller,
            pick(
                format!("broker {broker} unfenced: heartbeats again"),
                format!("브로커 {broker} 펜싱 해제: 하트비트 재개"),
            ),
        ),
        ClusterEvent::LeaderElected {
            topic,
            partition: p,
            leader,
            leader_epoch,
            reason,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "leader → {}, epoch {leader_epoch}, {}",
                    leader.map_or("none".to_owned(), |l| l.to_string()),
                    election_reason(*reason)
                ),
                format!(
                    "리더 → {}, 에포크 {leader_epoch}, {}",
                    leader.map_or("없음".to_owned(), |l| l.to_string()),
                    election_reason(*reason)
                ),
            ),
        ),
        ClusterEvent::IsrShrunk {
            topic,
            partition: p,
            isr,
        } => (
            partition(topic, *p),
            pick(
                format!("ISR shrunk to {}", list(isr)),
                format!("ISR 축소: {}", list(isr)),
            ),
        ),
        ClusterEvent::IsrExpanded {
            topic,
            partition: p,
            isr,
        } => (
            partition(topic, *p),
            pick(
                format!("ISR expanded to {}", list(isr)),
                format!("ISR 확장: {}", list(isr)),
            ),
        ),
        ClusterEvent::ReassignmentStarted {
            topic,
            partition: p,
            target,
        } => (
            partition(topic, *p),
            pick(
                format!("reassignment started → {}", list(target)),
                format!("재할당 시작 → {}", list(target)),
            ),
        ),
        ClusterEvent::ReassignmentProgressed {
            topic,
            partition: p,
            in_sync,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "new replicas {} caught up and joined the ISR",
                    list(in_sync)
                ),
                format!("새 레플리카 {}가 따라잡아 ISR에 합류", list(in_sync)),
            ),
        ),
        ClusterEvent::ReassignmentCompleted {
            topic,
            partition: p,
            replicas,
        } => (
            partition(topic, *p),
            pick(
                format!("reassignment completed: replicas {}", list(replicas)),
                format!("재할당 완료: 레플리카 {}", list(replicas)),
            ),
        ),
        ClusterEvent::Truncated {
            broker,
            topic,
            partition: p,
            log_end_offset,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "broker {broker} truncated its log to {log_end_offset} (diverged from the leader)"
                ),
                format!("브로커 {broker}가 로그를 {log_end_offset}까지 잘라냄 (리더와 갈라짐)"),
            ),
        ),
        ClusterEvent::TopicDeleted { topic } => (
            format!("[Topic {topic}]"),
            pick("deleted".into(), "삭제됨".into()),
        ),
        ClusterEvent::TopicConfigAltered { topic, overrides } => (
            format!("[Topic {topic}]"),
            format!(
                "{} {}",
                pick("configs:".into(), "설정:".into()),
                overrides
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        ClusterEvent::SegmentDeleted {
            broker,
            topic,
            partition: p,
            base_offset,
            reason,
            log_start_offset,
            ..
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "broker {broker} deleted segment {base_offset} ({}); log start offset {log_start_offset}",
                    reason.as_str()
                ),
                format!(
                    "브로커 {broker}가 세그먼트 {base_offset} 삭제 ({}); 로그 시작 오프셋 {log_start_offset}",
                    reason.as_str()
                ),
            ),
        ),
        ClusterEvent::SegmentsCompacted {
            broker,
            topic,
            partition: p,
            bytes_before,
            bytes_after,
            ..
        } => (
            partition(topic, *p),
            pick(
                format!("broker {broker} compacted: {bytes_before} → {bytes_after} bytes"),
                format!("브로커 {broker} 컴팩션: {bytes_before} → {bytes_after}바이트"),
            ),
        ),
        ClusterEvent::RecoveryTruncated {
            broker,
            topic,
            partition: p,
            ..
        } => (
            partition(topic, *p),
            pick(
                format!("broker {broker} recovery cut a torn or corrupt tail"),
                format!("브로커 {broker} 복구 중 손상된 끝부분을 잘라냄"),
            ),
        ),
        ClusterEvent::RecoverySkippedTopic {
            broker,
            topic,
            reason,
        } => (
            format!("[Topic {topic}]"),
            pick(
                format!("broker {broker} recovery left this stored topic out: {reason}"),
                format!("브로커 {broker} 복구 중 저장된 이 토픽을 제외함: {reason}"),
            ),
        ),
        ClusterEvent::RecoverySkippedSegment {
            broker,
            topic,
            partition: p,
            base_offset,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "broker {broker} recovery left out stored segment {base_offset}: the topic has no such partition"
                ),
                format!(
                    "브로커 {broker} 복구 중 저장된 세그먼트 {base_offset}을(를) 제외함: 토픽에 그 파티션이 없음"
                ),
            ),
        ),
        ClusterEvent::TopicCreated {
            topic,
            partitions,
            replication_factor,
        } => (
            format!("[Topic {topic}]"),
            pick(
                format!(
                    "created: {}, replication factor {replication_factor}",
                    count_of(Lang::En, u64::from(*partitions), Noun::Partition)
                ),
                format!("생성됨: 파티션 {partitions}개, 복제 계수 {replication_factor}"),
            ),
        ),
        ClusterEvent::PartitionsCreated { topic, from, to } => (
            format!("[Topic {topic}]"),
            pick(
                format!("partitions {from} → {to}"),
                format!("파티션 {from} → {to}"),
            ),
        ),
        ClusterEvent::SegmentRolled {
            broker,
            topic,
            partition: p,
            base_offset,
            reason,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "broker {broker} rolled a new segment at {base_offset} ({})",
                    roll_reason(*reason, Lang::En)
                ),
                format!(
                    "브로커 {broker}가 {base_offset}에서 새 세그먼트 시작 ({})",
                    roll_reason(*reason, Lang::Ko)
                ),
            ),
        ),
        ClusterEvent::LogStartOffsetAdvanced {
            broker,
            topic,
            partition: p,
            log_start_offset,
        } => (
            partition(topic, *p),
            pick(
                format!("broker {broker}: log start offset → {log_start_offset}"),
                format!("브로커 {broker}: 로그 시작 오프셋 → {log_start_offset}"),
            ),
        ),
        ClusterEvent::RecordsAppended {
            broker,
            topic,
            partition: p,
            base_offset,
            last_offset,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "broker {broker} appended {}",
                    offsets_text(*base_offset, *last_offset, Lang::En)
                ),
                format!(
                    "브로커 {broker} 추가: {}",
                    offsets_text(*base_offset, *last_offset, Lang::Ko)
                ),
            ),
        ),
        ClusterEvent::Group { broker, event } => group_text(lang, *broker, event),
        ClusterEvent::HighWatermarkAdvanced {
            broker,
            topic,
            partition: p,
            high_watermark,
        } => (
            partition(topic, *p),
            pick(
                format!("leader on broker {broker}: high watermark advanced to {high_watermark}"),
                format!("브로커 {broker}의 리더: high watermark가 {high_watermark}(으)로 전진"),
            ),
        ),
        ClusterEvent::FollowerFetched {
            broker,
            topic,
            partition: p,
            log_end_offset,
        } => (
            partition(topic, *p),
            pick(
                format!(
                    "follower on broker {broker} fetched; its log end offset is {log_end_offset}"
                ),
                format!("브로커 {broker}의 팔로워가 가져옴; 로그 끝 오프셋 {log_end_offset}"),
            ),
        ),
        other => ("[Cluster]".to_owned(), format!("{other:?}")),
    }
}

/// Why a segment was rolled, in Kafka's config names where there is one.
fn roll_reason(reason: rill_core::log::RollReason, lang: Lang) -> &'static str {
    use rill_core::log::RollReason;
    match (reason, lang) {
        (RollReason::Size, _) => "segment.bytes",
        (RollReason::Time, _) => "segment.ms",
        (RollReason::IndexFull, _) => "segment.index.bytes",
        (RollReason::OffsetOverflow, Lang::Ko) => "오프셋 범위 초과",
        (RollReason::OffsetOverflow, _) => "offset overflow",
        (RollReason::Retention, Lang::Ko) => "보존 정책",
        (RollReason::Retention, _) => "retention",
    }
}

fn group_text(lang: Lang, broker: u32, event: &GroupEvent) -> (String, String) {
    let ko = lang == Lang::Ko;
    let pick = |en: String, kr: String| if ko { kr } else { en };
    let source = |group: &str| format!("[GroupCoordinator {broker}: {group}]");
    match event {
        GroupEvent::MemberJoined {
            group_id,
            member_id,
            ..
        } => (
            source(group_id),
            pick(format!("{member_id} joined"), format!("{member_id} 참여")),
        ),
        GroupEvent::MemberLeft {
            group_id,
            member_id,
            ..
        } => (
            source(group_id),
            pick(
                format!("{member_id} left (LeaveGroup)"),
                format!("{member_id} 떠남 (LeaveGroup)"),
            ),
        ),
        GroupEvent::MemberExpired {
            group_id,
            member_id,
            cause,
        } => (
            source(group_id),
            pick(
                format!("{member_id} removed: {cause:?}"),
                format!("{member_id} 제거됨: {cause:?}"),
            ),
        ),
        GroupEvent::MemberFenced {
            group_id,
            group_instance_id,
            ..
        } => (
            source(group_id),
            pick(
                format!("static member {group_instance_id} rejoined; its old member id is fenced"),
                format!("정적 멤버 {group_instance_id} 재참여; 이전 멤버 id는 펜싱됨"),
            ),
        ),
        GroupEvent::StateChanged { group_id, from, to } => {
            (source(group_id), format!("{from:?} → {to:?}"))
        }
        GroupEvent::RebalanceStarted {
            group_id,
            generation,
            reason,
        } => (
            source(group_id),
            pick(
                format!("rebalance of generation {generation}: {reason}"),
                format!("제너레이션 {generation} 리밸런스: {reason}"),
            ),
        ),
        GroupEvent::GenerationCompleted {
            group_id,
            generation,
            protocol,
            ..
        } => (
            source(group_id),
            pick(
                format!(
                    "generation {generation} ({})",
                    protocol.clone().unwrap_or_default()
                ),
                format!(
                    "제너레이션 {generation} ({})",
                    protocol.clone().unwrap_or_default()
                ),
            ),
        ),
        GroupEvent::OffsetsCommitted {
            group_id, offsets, ..
        } => (
            source(group_id),
            pick(
                format!(
                    "committed {}",
                    offsets
                        .iter()
                        .map(|(tp, o)| format!("{}-{}={o}", tp.topic, tp.partition))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                format!(
                    "커밋 {}",
                    offsets
                        .iter()
                        .map(|(tp, o)| format!("{}-{}={o}", tp.topic, tp.partition))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
        ),
        other => (format!("[GroupCoordinator {broker}]"), format!("{other:?}")),
    }
}

/// An inclusive offset range as a person reads it: "offset 0", "offsets 0–4".
pub(crate) fn offsets_text(first: i64, last: i64, lang: Lang) -> String {
    match (lang, first == last) {
        (Lang::En, true) => format!("offset {first}"),
        (Lang::En, false) => format!("offsets {first}–{last}"),
        (Lang::Ko, true) => format!("오프셋 {first}"),
        (Lang::Ko, false) => format!("오프셋 {first}–{last}"),
    }
}

#[cfg(test)]
mod offsets_tests {
    use super::*;

    #[test]
    fn offsets_read_as_words_not_rust_ranges() {
        assert_eq!(offsets_text(0, 0, Lang::En), "offset 0");
        assert_eq!(offsets_text(0, 4, Lang::En), "offsets 0–4");
        assert_eq!(offsets_text(3, 3, Lang::Ko), "오프셋 3");
        assert_eq!(offsets_text(0, 4, Lang::Ko), "오프셋 0–4");
    }
}
