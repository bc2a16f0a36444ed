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
