//! The transport bar: play / pause, step, speed, and the cluster's time.

use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::context::use_app;
use crate::engine::Command;

/// The speeds offered, as (factor, label).
pub(crate) const SPEEDS: [(f64, &str); 7] = [
    (0.1, "0.1×"),
    (0.25, "0.25×"),
    (0.5, "0.5×"),
    (1.0, "1×"),
    (2.0, "2×"),
    (5.0, "5×"),
    (10.0, "10×"),
];

/// Cluster time as `mm:ss.mmm` since the session started at `origin`.
pub fn clock_text(now: i64, origin: i64) -> String {
    let ms = (now - origin).max(0);
    format!(
        "{:02}:{:02}.{:03}",
        ms / 60_000,
        (ms / 1_000) % 60,
        ms % 1_000
    )
}

fn icon(path: &'static str) -> Html {
    html! {
        <svg class="icon" viewBox="0 0 16 16" width="14" height="14" aria-hidden="true" focusable="false">
            <path d={path} fill="currentColor" />
        </svg>
    }
}

fn icon_play() -> Html {
    icon("M4 2.5v11l9-5.5z")
}

fn icon_pause() -> Html {
    icon("M3.5 2.5h3v11h-3zM9.5 2.5h3v11h-3z")
}

fn icon_step() -> Html {
    icon("M2.5 2.5v11l7.5-5.5zM11 2.5h2.5v11H11z")
}

/// Props of [`Transport`].
#[derive(Properties, PartialEq, Debug)]
pub struct TransportProps {
    /// Whether time is paused.
    pub paused: bool,
    /// The speed factor.
    pub speed: f64,
}

/// Play, pause, step and speed.
#[function_component(Transport)]
pub fn transport(props: &TransportProps) -> Html {
    let app = use_app();
    let t = app.t();
    let toggle = {
        let paused = props.paused;
        app.command(move |_: MouseEvent| {
            if paused {
                Command::Play
            } else {
                Command::Pause
            }
        })
    };
    let step = app.command(|_: MouseEvent| Command::Step);
    let speed = app.command(|e: Event| {
        let value = e
            .target_dyn_into::<HtmlSelectElement>()
            .map(|s| s.value())
            .unwrap_or_default();
        Command::Speed(value.parse().unwrap_or(1.0))
    });
    html! {
        <div class="transport" role="group" aria-label={app.lang.ui().time_controls}>
            <button type="button" class="play" onclick={toggle} aria-pressed={(!props.paused).to_string()}
                data-state={if props.paused { "paused" } else { "playing" }}>
                { if props.paused { icon_play() } else { icon_pause() } }
                { if props.paused { t.play } else { t.pause } }
            </button>
            <button type="button" class="secondary step" onclick={step} disabled={!props.paused}
                title={if props.paused { t.step_hint } else { app.lang.ui().step_pause_first }}>
                { icon_step() }{ t.step }
            </button>
            <label class="inline">{ t.speed }
                <select onchange={speed} aria-label={t.speed}>
                    { for SPEEDS.iter().map(|(factor, label)| html! {
                        <option value={factor.to_string()} selected={(*factor - props.speed).abs() < 1e-9}>{ *label }</option>
                    }) }
                </select>
            </label>
            <crate::components::TimeJump />
            <span class="clock" aria-label={t.cluster_time} title={t.cluster_time}>
                { clock_text(app.model.view.now, app.model.origin.unwrap_or(app.model.view.now)) }
            </span>
            if let Some(step) = &app.model.last_step {
                <span class="step-said" aria-live="polite">
                    { crate::i18n::ui::step_text(app.lang, step) }
                    { for app.model.last_step_events.iter().map(|event| {
                        let (source, text) = crate::i18n::events::event_text(app.lang, event);
                        html! { <span class="step-event">{ format!(" · {source} {text}") }</span> }
                    }) }
                </span>
            }
        </div>
    }
}
