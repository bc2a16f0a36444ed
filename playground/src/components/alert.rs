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
    html! {
        <div class="alert" role="alert" data-error={alert.kind.clone()}>
            <span class="alert-kind">{ alert.kind }</span>
            <span class="alert-message">{ alert.message }</span>
            <button type="button" class="alert-close" aria-label={app.t().dismiss} onclick={dismiss}>{ "×" }</button>
        </div>
    }
}
