//! The error banner: Kafka's error name and what to do.

use yew::prelude::*;

use crate::state::Alert;

/// Props of [`AlertBanner`].
#[derive(Properties, PartialEq, Debug)]
pub struct AlertProps {
    /// The alert to show, if any.
    pub alert: Option<Alert>,
    /// Called when the person dismisses it.
    pub on_dismiss: Callback<()>,
}

/// Shows the current error, if any.
#[function_component(AlertBanner)]
pub fn alert_banner(props: &AlertProps) -> Html {
    let Some(alert) = &props.alert else {
        return html! {};
    };
    let on_click = props.on_dismiss.reform(|_: MouseEvent| ());
    html! {
        <div class="alert" role="alert">
            <code class="alert-kind">{ &alert.kind }</code>
            <span class="alert-message">{ &alert.message }</span>
            <button class="alert-close" aria-label="Dismiss" onclick={on_click}>{ "×" }</button>
        </div>
    }
}
