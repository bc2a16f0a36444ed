//! An error shown next to the control that caused it.

use yew::prelude::*;

use crate::context::use_app;
use crate::engine::Command;
use crate::model::Place;

/// Props of [`InlineAlert`].
#[derive(Properties, PartialEq, Debug)]
pub struct InlineAlertProps {
    /// Whose alert to show.
    pub place: Place,
}

/// The alert of one place, if any: Kafka's error name and what to do.
#[function_component(InlineAlert)]
pub fn inline_alert(props: &InlineAlertProps) -> Html {
    let app = use_app();
    let Some(alert) = app.model.alerts.get(&props.place).cloned() else {
        return html! {};
    };
    let place = props.place.clone();
    let dismiss = app.command(move |_: MouseEvent| Command::Dismiss(place.clone()));
    // A refusal a scenario demonstrates is its point, not a failure: said so, and calmer.
    let expected = alert.expected;
    html! {
        <div class={classes!("alert", expected.then_some("expected"))} role={if expected { "status" } else { "alert" }}
            data-error={alert.kind.clone()} data-expected={expected.to_string()}>
            if expected { <span class="alert-expected">{ app.lang.ui().refused_as_expected }</span> }
            <span class="alert-kind">{ alert.kind }</span>
            <span class="alert-message">{ alert.message }</span>
            <button type="button" class="alert-close" aria-label={app.t().dismiss} onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
