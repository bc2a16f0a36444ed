//! The strings of scenarios, time travel, sharing and embeds, one table per language (kept
//! apart from [`super::Strings`] so the views' tables and these change independently).

use super::Lang;

/// Strings of the history panel, shared links and embeds. Templates take `{0}` (see
/// [`super::fill`]).
#[derive(Debug)]
pub struct TravelStrings {
    /// The history panel's heading.
    pub history: &'static str,
    /// What the history panel is.
    pub history_hint: &'static str,
    /// Nothing recorded yet.
    pub history_empty: &'static str,
    /// Back one command.
    pub back: &'static str,
    /// Forward one command.
    pub forward: &'static str,
    /// Back to the latest time.
    pub present: &'static str,
    /// The time slider's label.
    pub scrub: &'static str,
    /// Shown while the view is in the past: "Viewing {0}: …".
    pub in_past: &'static str,
    /// Shown after acting in the past: "History forked at {0}: …".
    pub forked: &'static str,
    /// A planned (not yet applied) entry.
    pub planned: &'static str,
    /// Share link button.
    pub share: &'static str,
    /// Copy as script button.
    pub copy_script: &'static str,
    /// Export as Kafka CLI button.
    pub export_cli: &'static str,
    /// Copied to the clipboard.
    pub copied: &'static str,
    /// The link or text to copy (when the clipboard is not available).
    pub copy_this: &'static str,
    /// A stored cluster's link starts from an empty cluster.
    pub share_not_exact: &'static str,
    /// "open in playground" link of an embed.
    pub open_in_playground: &'static str,
    /// "{0} of {1} expect lines hold".
    pub expects: &'static str,
    /// Loading a scenario.
    pub loading: &'static str,
    /// A scenario could not be loaded: "{0}".
    pub load_failed: &'static str,
    /// An embed's strip of the latest events (its label).
    pub recent: &'static str,
    /// An embed given no scenario: the heading.
    pub no_scenario: &'static str,
    /// An embed given no scenario: what to do.
    pub no_scenario_hint: &'static str,
    /// The link to the embedding chapter.
    pub embed_docs: &'static str,
    /// History of a cluster restored from this browser: what it, the share link and the
    /// exports carry.
    pub restored_scope: &'static str,
    /// History of a restored cluster with no command since the page loaded.
    pub restored_empty: &'static str,
    /// In the past: the saved cluster is untouched, and what Latest does.
    pub past_saved: &'static str,
    /// Back at the latest time after travelling: still in memory, what reload does.
    pub latest_unsaved: &'static str,
    /// Forked in the past of a stored cluster: the fork is not saved.
    pub forked_unsaved: &'static str,
}

const EN: TravelStrings = TravelStrings {
    history: "History",
    history_hint: "Every command with its cluster time. Pick one, or drag the slider, to see the cluster as it stood then.",
    history_empty: "Nothing done yet: commands you give appear here.",
    back: "Back",
    forward: "Forward",
    present: "Latest",
    scrub: "Time",
    in_past: "Viewing {0}. Play re-runs what was recorded after it; a command given now forks history here and drops the rest.",
    forked: "History forked at {0}: what was recorded after it was dropped.",
    planned: "ahead",
    share: "Share link",
    copy_script: "Copy as script",
    export_cli: "Export as Kafka CLI",
    copied: "Copied.",
    copy_this: "Copy this:",
    share_not_exact: "This starts from an empty cluster: what this browser had stored before this visit is not in it.",
    open_in_playground: "Open in playground",
    expects: "{0} of {1} expect lines hold",
    loading: "Loading the scenario…",
    load_failed: "The scenario could not be loaded: {0}",
    recent: "Latest events",
    no_scenario: "No scenario given",
    no_scenario_hint: "This demo plays a scenario script: add ?scenario=<file>.rill to the address (or a scenario attribute to <rill-demo>).",
    embed_docs: "How to embed a demo",
    restored_scope: "This cluster was restored from this browser. History, Share link, Copy as script and Export carry only what was done since this page loaded, replayed on an empty cluster: topics and records from before are not in them.",
    restored_empty: "Nothing done since this page loaded (the restored cluster's earlier commands are not recorded).",
    past_saved: "Viewing the past in memory only: your saved cluster is untouched. Latest returns to the present with its history.",
    latest_unsaved: "Back at the latest time, in memory only: since you went back in time nothing is saved in this browser. Reloading the page returns to the saved cluster as it was then; New cluster starts a saved one.",
    forked_unsaved: "This fork lives in memory only: your saved cluster keeps what it had before you went back. Reload the page to return to it.",
};

const KO: TravelStrings = TravelStrings {
    history: "기록",
    history_hint: "실행한 모든 명령과 그 클러스터 시각입니다. 하나를 고르거나 슬라이더를 움직이면 그때의 클러스터를 봅니다.",
    history_empty: "아직 실행한 명령이 없습니다. 명령을 내리면 여기에 나타납니다.",
    back: "뒤로",
    forward: "앞으로",
    present: "최신",
    scrub: "시각",
    in_past: "{0} 시점을 보고 있습니다. 재생하면 그 뒤에 기록된 명령을 다시 실행하고, 지금 명령을 내리면 기록이 여기서 갈라지며 나머지는 버려집니다.",
    forked: "{0}에서 기록이 갈라졌습니다. 그 뒤에 기록된 명령은 버려졌습니다.",
    planned: "예정",
    share: "링크 공유",
    copy_script: "스크립트로 복사",
    export_cli: "Kafka CLI로 내보내기",
    copied: "복사했습니다.",
    copy_this: "이 내용을 복사하세요:",
    share_not_exact: "이 내용은 빈 클러스터에서 시작합니다. 이번 방문 전에 이 브라우저에 저장된 내용은 들어 있지 않습니다.",
    open_in_playground: "플레이그라운드에서 열기",
    expects: "expect {1}개 중 {0}개 성립",
    loading: "시나리오를 불러오는 중…",
    load_failed: "시나리오를 불러오지 못했습니다: {0}",
    recent: "최근 이벤트",
    no_scenario: "시나리오가 없습니다",
    no_scenario_hint: "이 데모는 시나리오 스크립트를 재생합니다. 주소에 ?scenario=<파일>.rill을 붙이세요(또는 <rill-demo>에 scenario 속성을 주세요).",
    embed_docs: "데모를 임베드하는 법",
    restored_scope: "이 클러스터는 이 브라우저에 저장된 것을 복원했습니다. 기록, 링크 공유, 스크립트로 복사, 내보내기에는 이 페이지를 연 뒤에 한 일만 빈 클러스터 위에 다시 실행한 형태로 들어갑니다. 그 전의 토픽과 레코드는 들어 있지 않습니다.",
    restored_empty: "이 페이지를 연 뒤로 실행한 명령이 없습니다(복원된 클러스터의 이전 명령은 기록되어 있지 않습니다).",
    past_saved: "과거를 메모리에서만 보고 있습니다. 저장된 클러스터는 그대로입니다. 최신을 누르면 기록을 그대로 둔 채 현재로 돌아갑니다.",
    latest_unsaved: "최신 시점으로 돌아왔지만 메모리에서만 실행 중입니다. 과거로 간 뒤로는 이 브라우저에 아무것도 저장되지 않습니다. 페이지를 새로 고치면 그때 저장된 클러스터로 돌아가고, 새 클러스터를 시작하면 다시 저장됩니다.",
    forked_unsaved: "갈라진 이 기록은 메모리에만 있습니다. 저장된 클러스터는 과거로 가기 전 상태 그대로입니다. 페이지를 새로 고치면 그리로 돌아갑니다.",
};

impl Lang {
    /// The time-travel and embed strings of this language.
    pub fn travel(self) -> &'static TravelStrings {
        match self {
            Self::En => &EN,
            Self::Ko => &KO,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_tables_fill_every_string_and_keep_placeholders() {
        let pairs = |t: &TravelStrings| {
            vec![
                t.history,
                t.history_hint,
                t.history_empty,
                t.back,
                t.forward,
                t.present,
                t.scrub,
                t.in_past,
                t.forked,
                t.planned,
                t.share,
                t.copy_script,
                t.export_cli,
                t.copied,
                t.copy_this,
                t.share_not_exact,
                t.open_in_playground,
                t.expects,
                t.loading,
                t.load_failed,
                t.recent,
                t.no_scenario,
                t.no_scenario_hint,
                t.embed_docs,
                t.restored_scope,
                t.restored_empty,
                t.past_saved,
                t.latest_unsaved,
                t.forked_unsaved,
            ]
        };
        let (en, ko) = (pairs(&EN), pairs(&KO));
        for (e, k) in en.iter().zip(&ko) {
            assert!(!e.is_empty() && !k.is_empty());
            for p in ["{0}", "{1}"] {
                assert_eq!(e.contains(p), k.contains(p), "{e} / {k}");
            }
        }
        assert!(
            ko.iter()
                .any(|k| k.chars().any(|c| ('가'..='힣').contains(&c)))
        );
    }
}
