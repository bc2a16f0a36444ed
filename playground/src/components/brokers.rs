//! The brokers as cards: state (running, fenced, down; cut off, slowed), load, and one-click
//! faults, each undone by one click: kill / restart, controlled shutdown / restart, cut off /
//! heal, slow / unslow.

use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::Command;
use crate::i18n::fill;
use crate::model::{BrokerState, BrokerView, Place};

/// Extra latency a "slow" broker gets.
pub(crate) const SLOW_BROKER_MS: i64 = 500;

/// One broker's card.
fn broker_card(app: &crate::context::AppContext, broker: &BrokerView) -> Html {
    let t = app.t();
    let c = app.lang.cluster();
    let id = broker.id;
    let (state_class, state_text, hint) = match broker.state {
        BrokerState::Running => ("running", t.running, None),
        BrokerState::Fenced => ("fenced", t.fenced, Some(c.fenced_hint)),
        BrokerState::ShuttingDown => ("shutting-down", t.shutting_down, Some(c.shutting_down_hint)),
        BrokerState::Down if !broker.fenced => ("down", t.down, Some(c.down_not_fenced_hint)),
        BrokerState::Down => ("down", t.down, Some(c.down_hint)),
    };
    let down = broker.state == BrokerState::Down;
    let action = |name: &'static str,
                  class: &'static str,
                  label: &'static str,
                  disabled: bool,
                  command: Command| {
        html! {
            <button type="button" class={class} data-action={name} {disabled}
                onclick={app.command(move |_: MouseEvent| command.clone())}>{ label }</button>
        }
    };
    let mut label = format!("{}: {}", fill(t.broker_n, &[&id]), state_text);
    if broker.cut_off {
        label.push_str(", ");
        label.push_str(c.cut_off);
    }
    if broker.slow_ms > 0 {
        label.push_str(&format!(", +{} ms", broker.slow_ms));
    }
    html! {
        <li class={classes!("broker", state_class, broker.cut_off.then_some("cut-off"), (broker.slow_ms > 0).then_some("slowed"))}
            data-broker={id.to_string()} data-state={state_class} data-fenced={broker.fenced.to_string()}
            data-cut-off={broker.cut_off.to_string()} data-slow-ms={broker.slow_ms.to_string()}
            aria-label={label}>
            <div class="broker-head">
                <strong>{ fill(t.broker_n, &[&id]) }</strong>
                <span class={classes!("state", state_class)}>{ state_text }</span>
                if broker.cut_off { <span class="state cut-off">{ c.cut_off }</span> }
                if broker.slow_ms > 0 { <span class="state slowed">{ format!("+{} ms", broker.slow_ms) }</span> }
            </div>
            <div class="meta broker-load" data-leads={broker.leaderships.to_string()} data-holds={broker.replicas.to_string()}>
                { fill(t.broker_load, &[&broker.leaderships, &broker.replicas]) }
                if broker.internal_replicas > 0 {
                    <small class="internal-load" data-internal={broker.internal_replicas.to_string()}
                        title={c.internal_replicas_hint}>{ format!("+ {} __consumer_offsets", broker.internal_replicas) }</small>
                }
            </div>
            if let Some(hint) = hint { <div class="meta broker-hint">{ hint }</div> }
            <div class="broker-actions">
                if down {
                    { action("restart", "", t.restart, false, Command::RestartBroker(id)) }
                } else {
                    { action("kill", "danger", t.kill, false, Command::KillBroker(id)) }
                }
                { action("shutdown", "secondary", t.shutdown, down, Command::ShutdownBroker(id)) }
                if broker.cut_off {
                    { action("heal", "secondary", t.heal, false, Command::Heal) }
                } else {
                    { action("isolate", "secondary", t.isolate, down, Command::IsolateBroker(id)) }
                }
                if broker.slow_ms > 0 {
                    { action("unslow", "secondary", c.unslow, false, Command::SlowBroker(id, 0)) }
                } else {
                    { action("slow", "secondary", t.slow, down, Command::SlowBroker(id, SLOW_BROKER_MS)) }
                }
            </div>
            <InlineAlert place={Place::Broker(id)} />
        </li>
    }
}

/// Every broker.
#[function_component(Brokers)]
pub fn brokers() -> Html {
    let app = use_app();
    let t = app.t();
    let c = app.lang.cluster();
    let any_fault = app
        .model
        .view
        .brokers
        .iter()
        .any(|b| b.cut_off || b.slow_ms > 0);
    html! {
        <section class="brokers" aria-label={t.brokers}>
            <div class="section-head">
                <h2>{ t.brokers }</h2>
                <span class="meta">{ c.controller_note }</span>
                <button type="button" class="secondary" data-action="heal-all" disabled={!any_fault}
                    onclick={app.command(|_: MouseEvent| Command::Heal)}>{ t.heal }</button>
            </div>
            <ol class="broker-list">{ for app.model.view.brokers.iter().map(|b| broker_card(&app, b)) }</ol>
            <crate::components::NetworkStrip />
        </section>
    }
}
