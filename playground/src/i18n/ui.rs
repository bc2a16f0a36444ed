//! Strings of the transport bar's step report and of labels that only assistive technology
//! reads or that show on hover (ARIA labels, tooltips of the lane markers), one table per
//! language. Kafka's own names (API names, HW, LEO) stay untranslated.

use super::{Lang, fill};
use crate::model::network::Endpoint;
use crate::model::step::StepSaid;

/// The step report's and the labels' strings. Templates take `{0}`, `{1}` (see
/// [`super::fill`]).
#[derive(Debug)]
pub struct UiStrings {
    /// A step found nothing due: "nothing happens within {0} ms: +{1} ms".
    pub step_idle: &'static str,
    /// A step moved time: "+{0} ms".
    pub step_moved: &'static str,
    /// A step ended by a message: "+{0} ms · {1}".
    pub step_message: &'static str,
    /// A message: "{0}: {1} → {2}" (API, from, to).
    pub message: &'static str,
    /// A step onto planned commands: "+{0} ms: {1}".
    pub step_planned: &'static str,
    /// A client (producer or consumer) as a message's end.
    pub client: &'static str,
    /// "broker {0}" as a message's end.
    pub broker_n: &'static str,
    /// The KRaft controller as a message's end.
    pub controller: &'static str,
    /// The transport bar's group label.
    pub time_controls: &'static str,
    /// The controls column's label.
    pub controls: &'static str,
    /// The header's metrics label.
    pub metrics: &'static str,
    /// A partition's replica list label.
    pub replicas: &'static str,
    /// The lanes pager's label.
    pub partition_pages: &'static str,
    /// A lane's offset markers label.
    pub offsets: &'static str,
    /// The log start offset marker's text: "start {0}".
    pub start_marker: &'static str,
    /// Tooltip of the log start offset marker.
    pub start_hint: &'static str,
    /// Tooltip of the high watermark marker.
    pub hw_hint: &'static str,
    /// Tooltip of the log end offset marker.
    pub leo_hint: &'static str,
    /// A replica chip's label: "broker {0}: {1}, log end offset {2}".
    pub replica_label: &'static str,
    /// Replica state: the leader.
    pub replica_leader: &'static str,
    /// Replica state: a follower in the ISR.
    pub replica_in_sync: &'static str,
    /// Replica state: a follower out of the ISR.
    pub replica_out_of_sync: &'static str,
    /// Replica state: its broker is down.
    pub replica_offline: &'static str,
    /// Appended to a replica being added by a reassignment.
    pub replica_adding: &'static str,
    /// Appended to a replica being removed by a reassignment.
    pub replica_removing: &'static str,
    /// Tooltip of a partition's "RF n".
    pub rf_hint: &'static str,
    /// Tooltip of a partition's "ISR [..]".
    pub isr_hint: &'static str,
    /// Tooltip of a partition's leader and epoch.
    pub epoch_hint: &'static str,
    /// Over a refusal a scenario demonstrates (its next line expects it).
    pub refused_as_expected: &'static str,
    /// Step's tooltip while time runs (it is disabled then).
    pub step_pause_first: &'static str,
    /// Under a partition whose leader's broker is down, not yet replaced.
    pub leader_down: &'static str,
}

const EN: UiStrings = UiStrings {
    step_idle: "nothing happens within {0} ms: +{1} ms",
    step_moved: "+{0} ms",
    step_message: "+{0} ms · {1}",
    message: "{0}: {1} → {2}",
    step_planned: "+{0} ms: {1}",
    client: "client",
    broker_n: "broker {0}",
    controller: "controller",
    time_controls: "Time controls",
    controls: "Controls",
    metrics: "Kafka metrics",
    replicas: "Replicas",
    partition_pages: "Partition pages",
    offsets: "Offsets",
    start_marker: "start {0}",
    start_hint: "log start offset: the oldest record still kept (retention and delete-records move it up)",
    hw_hint: "high watermark (HW): every in-sync replica has the records below it; consumers read only up to here",
    leo_hint: "log end offset (LEO): the offset the leader gives the next record",
    replica_label: "broker {0}: {1}, log end offset {2}",
    replica_leader: "leader",
    replica_in_sync: "follower in sync (in the ISR)",
    replica_out_of_sync: "follower out of sync (not in the ISR)",
    replica_offline: "offline (its broker is down)",
    replica_adding: ", being added",
    replica_removing: ", being removed",
    rf_hint: "replication factor (RF): how many brokers keep a copy of this partition",
    isr_hint: "in-sync replicas (ISR): the replicas caught up with the leader. A record is committed (below the HW) once every one of them has it; only they can be elected leader",
    epoch_hint: "leader epoch: goes up by one at every leader election, so brokers and clients can tell an old leader from the new one",
    refused_as_expected: "Refused, as the scenario expects:",
    step_pause_first: "Pause first: then Step moves to the next thing that happens",
    leader_down: "Broker {0} is down but still the leader: the controller elects a new leader from the ISR once it fences the broker (broker.session.timeout.ms).",
};

const KO: UiStrings = UiStrings {
    step_idle: "{0} ms 안에 일어나는 일이 없습니다: +{1} ms",
    step_moved: "+{0} ms",
    step_message: "+{0} ms · {1}",
    message: "{0}: {1} → {2}",
    step_planned: "+{0} ms: {1}",
    client: "클라이언트",
    broker_n: "브로커 {0}",
    controller: "컨트롤러",
    time_controls: "시간 조작",
    controls: "조작",
    metrics: "Kafka 지표",
    replicas: "레플리카",
    partition_pages: "파티션 페이지",
    offsets: "오프셋",
    start_marker: "시작 {0}",
    start_hint: "log start offset: 아직 남아 있는 가장 오래된 레코드(보존 기간과 레코드 삭제가 이 값을 올립니다)",
    hw_hint: "high watermark(HW): 이 아래의 레코드는 모든 동기화 레플리카(ISR)에 있습니다. 컨슈머는 여기까지만 읽습니다",
    leo_hint: "log end offset(LEO): 리더가 다음 레코드에 줄 오프셋",
    replica_label: "브로커 {0}: {1}, log end offset {2}",
    replica_leader: "리더",
    replica_in_sync: "동기화된 팔로워(ISR에 있음)",
    replica_out_of_sync: "뒤처진 팔로워(ISR에서 빠짐)",
    replica_offline: "오프라인(브로커가 내려감)",
    replica_adding: ", 추가되는 중",
    replica_removing: ", 제거되는 중",
    rf_hint: "replication factor(RF, 복제 계수): 이 파티션의 복사본을 가진 브로커 수",
    isr_hint: "in-sync replicas(ISR, 동기화 레플리카): 리더를 따라잡은 레플리카들. 레코드는 이들 모두가 가져야 커밋되고(HW 아래), 이들만 리더로 선출될 수 있습니다",
    epoch_hint: "leader epoch(리더 에포크): 리더가 선출될 때마다 1씩 올라, 브로커와 클라이언트가 옛 리더와 새 리더를 구별합니다",
    refused_as_expected: "시나리오가 예상한 대로 거부되었습니다:",
    step_pause_first: "먼저 일시정지하세요. 그러면 한 단계가 다음에 일어나는 일로 이동합니다",
    leader_down: "브로커 {0}이(가) 내려갔지만 아직 리더입니다. 컨트롤러가 이 브로커를 펜싱하면(broker.session.timeout.ms) ISR에서 새 리더를 선출합니다.",
};

impl Lang {
    /// The step report's and the labels' strings of this language.
    pub fn ui(self) -> &'static UiStrings {
        match self {
            Self::En => &EN,
            Self::Ko => &KO,
        }
    }
}

/// What [`count_of`] counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Noun {
    /// Records.
    Record,
    /// Partitions.
    Partition,
}

/// `n` of `noun` in `lang`: "1 record", "3 records"; Korean has one form ("레코드 3개").
pub fn count_of(lang: Lang, n: u64, noun: Noun) -> String {
    match (lang, noun) {
        (Lang::En, Noun::Record) if n == 1 => "1 record".to_owned(),
        (Lang::En, Noun::Record) => format!("{n} records"),
        (Lang::En, Noun::Partition) if n == 1 => "1 partition".to_owned(),
        (Lang::En, Noun::Partition) => format!("{n} partitions"),
        (Lang::Ko, Noun::Record) => format!("레코드 {n}개"),
        (Lang::Ko, Noun::Partition) => format!("파티션 {n}개"),
    }
}

/// A message's end in words.
fn endpoint(t: &UiStrings, end: Endpoint) -> String {
    match end {
        Endpoint::Clients => t.client.to_owned(),
        Endpoint::Broker(b) => fill(t.broker_n, &[&b]),
        Endpoint::Controller => t.controller.to_owned(),
    }
}

/// What a step did, in `lang`'s words (API names and script lines stay as Kafka writes them).
pub fn step_text(lang: Lang, said: &StepSaid) -> String {
    let t = lang.ui();
    match said {
        StepSaid::Idle { limit_ms, moved_ms } => fill(t.step_idle, &[limit_ms, moved_ms]),
        StepSaid::Moved {
            moved_ms,
            message: None,
        } => fill(t.step_moved, &[moved_ms]),
        StepSaid::Moved {
            moved_ms,
            message: Some(m),
        } => {
            let message = fill(
                t.message,
                &[&m.api, &endpoint(t, m.from), &endpoint(t, m.to)],
            );
            fill(t.step_message, &[moved_ms, &message])
        }
        StepSaid::Planned { moved_ms, commands } => {
            fill(t.step_planned, &[moved_ms, &commands.join("; ")])
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::step::WireMessage;

    fn hangul(s: &str) -> bool {
        s.chars().any(|c| ('가'..='힣').contains(&c))
    }

    #[test]
    fn a_step_is_told_in_the_pages_language() {
        let idle = StepSaid::Idle {
            limit_ms: 60_000,
            moved_ms: 60_000,
        };
        assert_eq!(
            step_text(Lang::En, &idle),
            "nothing happens within 60000 ms: +60000 ms"
        );
        let ko = step_text(Lang::Ko, &idle);
        assert!(hangul(&ko) && !ko.contains("nothing"), "{ko}");
        let heartbeat = StepSaid::Moved {
            moved_ms: 3,
            message: Some(WireMessage {
                api: "Heartbeat",
                from: Endpoint::Clients,
                to: Endpoint::Broker(2),
            }),
        };
        assert_eq!(
            step_text(Lang::En, &heartbeat),
            "+3 ms · Heartbeat: client → broker 2"
        );
        // Kafka's API name stays; the nodes are Korean.
        assert_eq!(
            step_text(Lang::Ko, &heartbeat),
            "+3 ms · Heartbeat: 클라이언트 → 브로커 2"
        );
        let planned = StepSaid::Planned {
            moved_ms: 1_000,
            commands: vec!["kill broker 1".into(), "heal".into()],
        };
        assert_eq!(
            step_text(Lang::Ko, &planned),
            "+1000 ms: kill broker 1; heal"
        );
    }

    #[test]
    fn counts_agree_with_their_number() {
        assert_eq!(count_of(Lang::En, 1, Noun::Record), "1 record");
        assert_eq!(count_of(Lang::En, 0, Noun::Record), "0 records");
        assert_eq!(count_of(Lang::En, 3, Noun::Record), "3 records");
        assert_eq!(count_of(Lang::En, 1, Noun::Partition), "1 partition");
        assert_eq!(count_of(Lang::En, 6, Noun::Partition), "6 partitions");
        assert_eq!(count_of(Lang::Ko, 1, Noun::Record), "레코드 1개");
        assert_eq!(count_of(Lang::Ko, 2, Noun::Partition), "파티션 2개");
    }

    #[test]
    fn both_tables_fill_every_string_and_keep_placeholders() {
        let all = |t: &UiStrings| {
            vec![
                t.step_idle,
                t.step_moved,
                t.step_message,
                t.message,
                t.step_planned,
                t.client,
                t.broker_n,
                t.controller,
                t.time_controls,
                t.controls,
                t.metrics,
                t.replicas,
                t.partition_pages,
                t.offsets,
                t.start_marker,
                t.start_hint,
                t.hw_hint,
                t.leo_hint,
                t.replica_label,
                t.replica_leader,
                t.replica_in_sync,
                t.replica_out_of_sync,
                t.replica_offline,
                t.replica_adding,
                t.replica_removing,
                t.rf_hint,
                t.isr_hint,
                t.epoch_hint,
                t.refused_as_expected,
                t.step_pause_first,
                t.leader_down,
            ]
        };
        for (e, k) in all(&EN).iter().zip(all(&KO)) {
            assert!(!e.is_empty() && !k.is_empty());
            for p in ["{0}", "{1}", "{2}"] {
                assert_eq!(e.contains(p), k.contains(p), "{e} / {k}");
            }
        }
    }
}
