//! The brokers as cards: state, load, and one-click faults (kill / restart, shut down, cut
//! off / heal, slow).

use yew::prelude::*;

use crate::components::InlineAlert;
use crate::context::use_app;
use crate::engine::Command;
use crate::i18n::fill;
use crate::model::{BrokerState, Place};

/// Extra latency a "slow" broker gets.
pub(crate) const SLOW_BROKER_MS: i64 = 500;

/// Every broker.
#[function_component(Brokers)]
pub fn brokers() -> Html {
    let app = use_app();
    let t = app.t();
    let cards = app.model.view.brokers.iter().map(|broker| {
        let id = broker.id;
        let (state_class, state_text) = match broker.state {
            BrokerState::Running => ("running", t.running),
            BrokerState::Fenced => ("fenced", t.fenced),
            BrokerState::Down => ("down", t.down),
        };
        let down = broker.state == BrokerState::Down;
        let kill_or_restart = if down {
            html! { <button type="button" onclick={app.command(move |_: MouseEvent| Command::RestartBroker(id))}>{ t.restart }</button> }
        } else {
            html! { <button type="button" class="danger" onclick={app.command(move |_: MouseEvent| Command::KillBroker(id))}>{ t.kill }</button> }
        };
        html! {
            <li class={classes!("broker", state_class)} data-broker={id.to_string()} data-state={state_class}
                aria-label={format!("{}: {}", fill(t.broker_n, &[&id]), state_text)}>
                <div class="broker-head">
                    <strong>{ fill(t.broker_n, &[&id]) }</strong>
                    <span class={classes!("state", state_class)}>{ state_text }</span>
                </div>
                <div class="meta">{ fill(t.broker_load, &[&broker.leaderships, &broker.replicas]) }</div>
                <div class="broker-actions">
                    { kill_or_restart }
                    <button type="button" class="secondary" disabled={down}
                        onclick={app.command(move |_: MouseEvent| Command::ShutdownBroker(id))}>{ t.shutdown }</button>
                    <button type="button" class="secondary" disabled={down}
                        onclick={app.command(move |_: MouseEvent| Command::IsolateBroker(id))}>{ t.isolate }</button>
                    <button type="button" class="secondary" disabled={down}
                        onclick={app.command(move |_: MouseEvent| Command::SlowBroker(id, SLOW_BROKER_MS))}>{ t.slow }</button>
                </div>
                <InlineAlert place={Place::Broker(id)} />
            </li>
        }
    });
    html! {
        <section class="brokers" aria-label={t.brokers}>
            <div class="section-head">
                <h2>{ t.brokers }</h2>
                <button type="button" class="secondary" onclick={app.command(|_: MouseEvent| Command::Heal)}>{ t.heal }</button>
            </div>
            <ol class="broker-list">{ for cards }</ol>
        </section>
    }
}
