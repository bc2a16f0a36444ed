//! Jumps in cluster time: move the clock forward at once by a second, ten seconds, a minute
//! or five minutes (one `log.retention.check.interval.ms`), playing or paused.

use yew::prelude::*;

use crate::context::use_app;
use crate::engine::Command;

/// The jumps offered, in ms (their labels are `ClusterStrings::jump_labels`).
pub(crate) const JUMPS: [i64; 4] = [1_000, 10_000, 60_000, 300_000];

/// The jump buttons.
#[function_component(TimeJump)]
pub fn time_jump() -> Html {
    let app = use_app();
    let c = app.lang.cluster();
    html! {
        <span class="jumps" role="group" aria-label={c.jump} title={c.jump_hint}>
            { for JUMPS.iter().zip(c.jump_labels).map(|(ms, label)| {
                let ms = *ms;
                html! {
                    <button type="button" class="secondary jump" data-action="jump" data-ms={ms.to_string()}
                        aria-label={format!("{} {label}", c.jump)}
                        onclick={app.command(move |_: MouseEvent| Command::Jump(ms))}>{ label }</button>
                }
            }) }
        </span>
    }
}
