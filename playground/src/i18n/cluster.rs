//! The strings of the cluster views (topic configs, time jumps, broker faults, produce
//! errors, reassignment, event-log filters), one table per language. A table of their own so
//! the views of the replicated cluster grow without touching the shared [`super::Strings`].
//! Kafka's own names (configs, error names, metrics, phases) stay untranslated.

use super::Lang;

/// The cluster views' strings. Templates take `{0}`, `{1}` (see [`super::fill`]).
#[derive(Debug)]
pub struct ClusterStrings {
    /// Heading of a topic's config editor.
    pub configs: &'static str,
    /// What "configs" lists: the overrides in force.
    pub overrides: &'static str,
    /// No override: every config at Kafka's default.
    pub no_overrides: &'static str,
    /// Config name field.
    pub config_name: &'static str,
    /// Config value field.
    pub config_value: &'static str,
    /// Set an override.
    pub set: &'static str,
    /// Remove an override (back to the default).
    pub remove: &'static str,
    /// A config's default, as a hint.
    pub default_is: &'static str,
    /// Time jump group label.
    pub jump: &'static str,
    /// Hint on the time jump buttons.
    pub jump_hint: &'static str,
    /// New partition count field.
    pub new_partition_count: &'static str,
    /// Partition picker of delete records.
    pub partition: &'static str,
    /// Offset field of delete records.
    pub before_offset: &'static str,
    /// Confirmation of "delete before −1".
    pub confirm_delete_all_records: &'static str,
    /// Why a broker is fenced.
    pub fenced_hint: &'static str,
    /// A broker in controlled shutdown.
    pub shutting_down_hint: &'static str,
    /// What a down broker means.
    pub down_hint: &'static str,
    /// A broker cut off from the network.
    pub cut_off: &'static str,
    /// Remove a broker's slowdown.
    pub unslow: &'static str,
    /// The controller, under the brokers heading.
    pub controller_note: &'static str,
    /// Which replicas hold a sent record.
    pub held_by: &'static str,
    /// Header broker chip's title: running of total.
    pub brokers_running: &'static str,
    /// Header broker chip's unit after "2/3".
    pub running_unit: &'static str,
    /// Tooltip of the header's `ActiveControllerCount`: what it counts.
    pub metric_active_controller: &'static str,
    /// Tooltip of the header's `UnderReplicatedPartitions`.
    pub metric_under_replicated: &'static str,
    /// Tooltip of the header's `UnderMinIsrPartitionCount`.
    pub metric_under_min_isr: &'static str,
    /// Tooltip of the header's `OfflinePartitionsCount`.
    pub metric_offline: &'static str,
    /// The header's link to the course (the docs).
    pub docs_link: &'static str,
    /// Tooltip of that link.
    pub docs_link_hint: &'static str,
    /// Title of a broker card's internal-topic replica count.
    pub internal_replicas_hint: &'static str,
    /// What NOT_ENOUGH_REPLICAS means.
    pub not_enough_replicas_hint: &'static str,
    /// What a missing leader means to a producer.
    pub no_leader_hint: &'static str,
    /// What REQUEST_TIMED_OUT means.
    pub timed_out_hint: &'static str,
    /// Heading of the reassignment panel.
    pub reassign_title: &'static str,
    /// The first replica of a list.
    pub preferred_leader: &'static str,
    /// Move a broker earlier in the list.
    pub move_earlier: &'static str,
    /// Move a broker later in the list.
    pub move_later: &'static str,
    /// Remove a broker from the list.
    pub remove_broker: &'static str,
    /// Broker to add.
    pub add_broker: &'static str,
    /// Add.
    pub add: &'static str,
    /// Start.
    pub start_reassignment: &'static str,
    /// Cancel.
    pub cancel_reassignment: &'static str,
    /// Preferred election of this partition.
    pub elect_this: &'static str,
    /// The JSON plan.
    pub plan_json: &'static str,
    /// Copy.
    pub copy: &'static str,
    /// Heading of the phases.
    pub phases: &'static str,
    /// The edited list.
    pub new_replicas: &'static str,
    /// The partition now.
    pub replicas_now: &'static str,
    /// Adding replica fetching.
    pub phase_catching_up: &'static str,
    /// Adding replica on a down broker.
    pub phase_offline: &'static str,
    /// Adding replica in the ISR.
    pub phase_joined_isr: &'static str,
    /// Removing replica.
    pub phase_leaving: &'static str,
    /// Replica in both lists.
    pub phase_staying: &'static str,
    /// In progress.
    pub reassign_in_progress: &'static str,
    /// Completed.
    pub reassign_completed: &'static str,
    /// Nothing moving.
    pub reassign_idle: &'static str,
    /// A broker (filter label).
    pub broker: &'static str,
    /// A replica cut records after its log diverged.
    pub truncated_records: &'static str,
    /// The time jump buttons' labels (+1 s, +10 s, +1 min, +5 min).
    pub jump_labels: [&'static str; 4],
    /// Add the edited partition to the plan.
    pub add_to_plan: &'static str,
    /// The plan's size.
    pub plan_n: &'static str,
    /// Execute the plan.
    pub start_plan: &'static str,
    /// Remove a partition from the plan.
    pub remove_from_plan: &'static str,
    /// A down broker the controller has not fenced yet.
    pub down_not_fenced_hint: &'static str,
}

/// English.
pub const EN: ClusterStrings = ClusterStrings {
    configs: "Configs",
    overrides: "overrides",
    no_overrides: "every config at Kafka's default",
    config_name: "Config",
    config_value: "Value",
    set: "Set",
    remove: "Remove override",
    default_is: "default {0}",
    jump: "Jump ahead",
    jump_hint: "Move cluster time forward at once (retention runs every log.retention.check.interval.ms = 5 min)",
    new_partition_count: "New partition count",
    partition: "Partition",
    before_offset: "Before offset (-1: the high watermark)",
    confirm_delete_all_records: "Delete every committed record of {0}-{1} (up to the high watermark)? They are gone for good.",
    fenced_hint: "The controller fenced it: no heartbeat within broker.session.timeout.ms (9000 ms). It leads nothing and is out of every ISR.",
    shutting_down_hint: "Controlled shutdown: it asked in its heartbeats (wantShutDown). The controller moves its leaderships to other in-sync replicas and takes it out of every ISR, then lets it stop once it leads nothing.",
    down_hint: "Its process is stopped: its replicas are offline until it restarts (then it catches up and rejoins the ISR).",
    cut_off: "cut off",
    unslow: "Unslow",
    controller_note: "KRaft controller: always active",
    held_by: "held by brokers {0} when acknowledged",
    brokers_running: "{0} of {1} brokers running (not down, not fenced)",
    running_unit: "running",
    metric_active_controller: "ActiveControllerCount: how many controllers are active; a healthy cluster has exactly 1.",
    metric_under_replicated: "UnderReplicatedPartitions: partitions whose ISR is smaller than their replica list (a follower fell behind or its broker is down).",
    metric_under_min_isr: "UnderMinIsrPartitionCount: partitions whose ISR is below min.insync.replicas; acks=all writes to them are refused.",
    metric_offline: "OfflinePartitionsCount: partitions with no leader; nobody can write to them or read from them.",
    docs_link: "Course",
    docs_link_hint: "The rill course: chapters on Kafka with live demos",
    internal_replicas_hint: "Replicas of Kafka's internal topic __consumer_offsets (group offsets), not counted above",
    not_enough_replicas_hint: "acks=all and the ISR is smaller than min.insync.replicas: the leader refused the record (nothing was appended).",
    no_leader_hint: "The partition has no leader right now: the producer retries once a new leader is elected.",
    timed_out_hint: "No answer within request.timeout.ms: the record may or may not have been written.",
    reassign_title: "Reassign partitions",
    preferred_leader: "preferred leader",
    move_earlier: "Move broker {0} earlier",
    move_later: "Move broker {0} later",
    remove_broker: "Remove broker {0}",
    add_broker: "Add broker",
    add: "Add",
    start_reassignment: "Start reassignment",
    cancel_reassignment: "Cancel reassignment",
    elect_this: "Elect preferred leader",
    plan_json: "kafka-reassign-partitions JSON",
    copy: "Copy",
    phases: "Phases",
    new_replicas: "New replica list (first = preferred leader)",
    replicas_now: "now: replicas {0} · leader {1} · ISR {2} · epoch {3}",
    phase_catching_up: "adding: fetching from the leader, {0} records behind",
    phase_offline: "adding: no copy yet (its broker has not created it, or is down)",
    phase_joined_isr: "adding: caught up, joined the ISR",
    phase_leaving: "removing: leaves once every adding replica is in the ISR",
    phase_staying: "staying",
    reassign_in_progress: "Reassignment to {0} in progress",
    reassign_completed: "Reassignment to {0} completed in {1} ms",
    reassign_idle: "No reassignment in progress",
    broker: "Broker",
    truncated_records: "broker {0} dropped offsets {1}–{2}: its log diverged from the new leader's",
    jump_labels: ["+1 s", "+10 s", "+1 min", "+5 min"],
    add_to_plan: "Add to plan",
    plan_n: "Plan: {0} partitions",
    start_plan: "Execute the plan",
    remove_from_plan: "Remove {0} from the plan",
    down_not_fenced_hint: "Its process is stopped, but the controller has not noticed yet: it fences the broker once no heartbeat arrived for broker.session.timeout.ms (9000 ms), then elects new leaders from the ISR.",
};

/// Korean.
pub const KO: ClusterStrings = ClusterStrings {
    configs: "설정",
    overrides: "재정의",
    no_overrides: "모든 설정이 Kafka 기본값",
    config_name: "설정",
    config_value: "값",
    set: "적용",
    remove: "재정의 제거",
    default_is: "기본값 {0}",
    jump: "시간 건너뛰기",
    jump_hint: "클러스터 시각을 한 번에 앞으로 옮깁니다 (보존 정책은 log.retention.check.interval.ms = 5분마다 실행)",
    new_partition_count: "새 파티션 수",
    partition: "파티션",
    before_offset: "이 오프셋 이전 (-1: 하이 워터마크)",
    confirm_delete_all_records: "{0}-{1}의 커밋된 레코드를 모두(하이 워터마크까지) 삭제할까요? 되돌릴 수 없습니다.",
    fenced_hint: "컨트롤러가 펜싱했습니다: broker.session.timeout.ms(9000 ms) 안에 하트비트가 없었습니다. 리더를 맡지 않고 모든 ISR에서 빠집니다.",
    shutting_down_hint: "정상 종료(controlled shutdown) 중: 하트비트로 종료를 요청했습니다(wantShutDown). 컨트롤러가 리더 역할을 다른 ISR 복제본으로 옮기고 모든 ISR에서 뺀 뒤, 리더를 맡은 파티션이 없으면 종료를 허락합니다.",
    down_hint: "프로세스가 멈췄습니다: 재시작할 때까지 레플리카가 오프라인이며, 재시작하면 따라잡은 뒤 ISR에 다시 들어갑니다.",
    cut_off: "네트워크 차단됨",
    unslow: "지연 해제",
    controller_note: "KRaft 컨트롤러: 항상 활성",
    held_by: "확인 시점 보유 브로커 {0}",
    brokers_running: "브로커 {1}개 중 {0}개 실행 중 (다운·펜싱 아님)",
    running_unit: "실행 중",
    metric_active_controller: "ActiveControllerCount: 활성 컨트롤러 수. 정상 클러스터는 정확히 1입니다.",
    metric_under_replicated: "UnderReplicatedPartitions: ISR이 레플리카 목록보다 작은 파티션 수 (팔로워가 뒤처졌거나 그 브로커가 다운됨).",
    metric_under_min_isr: "UnderMinIsrPartitionCount: ISR이 min.insync.replicas보다 작은 파티션 수. 이 파티션에 대한 acks=all 쓰기는 거부됩니다.",
    metric_offline: "OfflinePartitionsCount: 리더가 없는 파티션 수. 쓰기도 읽기도 할 수 없습니다.",
    docs_link: "강좌",
    docs_link_hint: "rill 강좌: 라이브 데모와 함께 보는 Kafka 챕터",
    internal_replicas_hint: "Kafka 내부 토픽 __consumer_offsets(그룹 오프셋)의 레플리카, 위 숫자에 포함되지 않음",
    not_enough_replicas_hint: "acks=all인데 ISR이 min.insync.replicas보다 작습니다: 리더가 레코드를 거부했습니다 (아무것도 추가되지 않음).",
    no_leader_hint: "지금은 파티션에 리더가 없습니다: 새 리더가 선출되면 프로듀서가 재시도합니다.",
    timed_out_hint: "request.timeout.ms 안에 응답이 없었습니다: 레코드가 기록됐을 수도, 아닐 수도 있습니다.",
    reassign_title: "파티션 재할당",
    preferred_leader: "선호 리더",
    move_earlier: "브로커 {0}을(를) 앞으로",
    move_later: "브로커 {0}을(를) 뒤로",
    remove_broker: "브로커 {0} 제거",
    add_broker: "브로커 추가",
    add: "추가",
    start_reassignment: "재할당 시작",
    cancel_reassignment: "재할당 취소",
    elect_this: "선호 리더 선출",
    plan_json: "kafka-reassign-partitions JSON",
    copy: "복사",
    phases: "단계",
    new_replicas: "새 레플리카 목록 (첫 번째 = 선호 리더)",
    replicas_now: "현재: 레플리카 {0} · 리더 {1} · ISR {2} · 에포크 {3}",
    phase_catching_up: "추가 중: 리더에게서 가져오는 중, {0}개 레코드 뒤처짐",
    phase_offline: "추가 중: 아직 복제본 없음 (브로커가 아직 만들지 않았거나 중지됨)",
    phase_joined_isr: "추가 중: 따라잡고 ISR에 들어감",
    phase_leaving: "제거 중: 추가되는 레플리카가 모두 ISR에 들어가면 빠짐",
    phase_staying: "유지",
    reassign_in_progress: "{0}(으)로 재할당 진행 중",
    reassign_completed: "{0}(으)로 재할당 완료 ({1} ms)",
    reassign_idle: "진행 중인 재할당 없음",
    broker: "브로커",
    truncated_records: "브로커 {0}이(가) 오프셋 {1}–{2}를 버림: 새 리더의 로그와 갈라졌음",
    jump_labels: ["+1초", "+10초", "+1분", "+5분"],
    add_to_plan: "계획에 추가",
    plan_n: "계획: 파티션 {0}개",
    start_plan: "계획 실행",
    remove_from_plan: "계획에서 {0} 제거",
    down_not_fenced_hint: "프로세스가 멈췄지만 컨트롤러는 아직 모릅니다: broker.session.timeout.ms(9000 ms) 동안 하트비트가 없으면 브로커를 펜싱하고 ISR에서 새 리더를 선출합니다.",
};

impl Lang {
    /// The cluster views' strings of this language.
    pub fn cluster(self) -> &'static ClusterStrings {
        match self {
            Self::En => &EN,
            Self::Ko => &KO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lang;

    /// The header's metric tooltips name the metric (Kafka's name, untranslated) and then say
    /// what it counts: not the name alone.
    #[test]
    fn metric_tooltips_say_what_they_count() {
        for lang in [Lang::En, Lang::Ko] {
            let c = lang.cluster();
            for (name, hint) in [
                ("ActiveControllerCount", c.metric_active_controller),
                ("UnderReplicatedPartitions", c.metric_under_replicated),
                ("UnderMinIsrPartitionCount", c.metric_under_min_isr),
                ("OfflinePartitionsCount", c.metric_offline),
            ] {
                let rest = hint.strip_prefix(name).and_then(|r| r.strip_prefix(": "));
                assert!(
                    rest.is_some_and(|r| r.len() > 20),
                    "{lang:?} {name}: {hint}"
                );
            }
        }
    }
}
