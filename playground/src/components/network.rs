//! The network strip under the brokers: the clients, every broker and the controller as
//! columns, and the messages on the wire as dots crossing between them (one row per kind:
//! controller, replication, produce, consumers). Moving dots are CSS transforms, a bounded
//! number ([`crate::model::network::FLIGHTS_MAX`]); under `prefers-reduced-motion` or in
//! pause each dot stands still where it is on its link.

use yew::prelude::*;

use crate::context::use_app;
use crate::i18n::fill;
use crate::model::network::{Endpoint, FLIGHT_WALL_MS, Flight, FlightKind};

const KINDS: [FlightKind; 4] = [
    FlightKind::Controller,
    FlightKind::Replication,
    FlightKind::Produce,
    FlightKind::Consumer,
];

/// Horizontal position (% of the strip) of an endpoint among `brokers` brokers.
fn x_of(endpoint: Endpoint, brokers: u32) -> f64 {
    let slots = f64::from(brokers + 1);
    let slot = match endpoint {
        Endpoint::Clients => 0.0,
        Endpoint::Broker(b) => f64::from(b.min(brokers) + 1),
        Endpoint::Controller => slots,
    };
    4.0 + 92.0 * slot / slots
}

fn flight_dot(
    flight: &Flight,
    brokers: u32,
    now: i64,
    running: bool,
    name: &dyn Fn(Endpoint) -> String,
) -> Html {
    let m = &flight.message;
    let (x0, x1) = (x_of(m.from, brokers), x_of(m.to, brokers));
    let p = if running { 0.5 } else { flight.progress(now) };
    let xp = x0 + (x1 - x0) * p;
    let style = format!("--x0: {x0:.2}; --x1: {x1:.2}; --xp: {xp:.2}; --fly: {FLIGHT_WALL_MS}ms");
    let title = format!("{}: {} → {}", m.api, name(m.from), name(m.to));
    html! {
        <span key={m.seq} class={classes!("flight", m.kind.class(), (x1 < x0).then_some("leftward"))}
            style={style} title={title} data-api={m.api}>
            <i class="dot"></i>
        </span>
    }
}

/// The network strip.
#[function_component(NetworkStrip)]
pub fn network_strip() -> Html {
    let app = use_app();
    let t = app.t();
    let brokers = app.model.view.brokers.len() as u32;
    let flights = &app.model.flights;
    let now = app.model.view.now;
    let name = |e: Endpoint| match e {
        Endpoint::Clients => t.clients.to_owned(),
        Endpoint::Broker(b) => fill(t.broker_n, &[&b]),
        Endpoint::Controller => t.controller.to_owned(),
    };
    let kind_label = |k: FlightKind| match k {
        FlightKind::Controller => t.flight_controller,
        FlightKind::Replication => t.flight_replication,
        FlightKind::Produce => t.flight_produce,
        FlightKind::Consumer => t.flight_consumer,
    };
    let nodes = std::iter::once(Endpoint::Clients)
        .chain((0..brokers).map(Endpoint::Broker))
        .chain(std::iter::once(Endpoint::Controller));
    let label = if flights.drawn.is_empty() {
        t.wire_quiet.to_owned()
    } else {
        let listed: Vec<String> = flights
            .drawn
            .iter()
            .map(|f| {
                format!(
                    "{} {} → {}",
                    f.message.api,
                    name(f.message.from),
                    name(f.message.to)
                )
            })
            .collect();
        format!(
            "{}: {}",
            fill(t.flights_n, &[&flights.drawn.len()]),
            listed.join("; ")
        )
    };
    html! {
        <div class={classes!("wire", (!flights.running).then_some("still"))} data-flights={flights.drawn.len().to_string()}>
            <div class="wire-head">
                <h3 title={t.network_hint}>{ t.network }</h3>
                <ul class="wire-legend" aria-hidden="true">
                    { for KINDS.iter().map(|k| html! {
                        <li class={classes!("legend", k.class())}><i class="dot"></i>{ kind_label(*k) }</li>
                    }) }
                </ul>
            </div>
            <div class="wire-track" role="img" aria-label={label}>
                { for nodes.map(|e| {
                    let down = matches!(e, Endpoint::Broker(b) if app.model.view.brokers.iter()
                        .any(|v| v.id == b && v.state == crate::model::BrokerState::Down));
                    let short = match e {
                        Endpoint::Broker(b) => format!("B{b}"),
                        other => name(other),
                    };
                    html! {
                        <span class={classes!("wire-node", match e {
                                Endpoint::Clients => "wire-first",
                                Endpoint::Broker(_) => "wire-broker",
                                Endpoint::Controller => "wire-last",
                            }, down.then_some("down"))}
                            style={format!("left: {:.2}%", x_of(e, brokers))} title={name(e)}>{ short }</span>
                    }
                }) }
                if flights.drawn.is_empty() {
                    // Said on screen too: an empty strip otherwise looks broken.
                    <span class="wire-quiet" aria-hidden="true">{ t.wire_quiet }</span>
                }
                <div class="flights">
                    { for flights.drawn.iter().map(|f| flight_dot(f, brokers, now, flights.running, &name)) }
                </div>
            </div>
        </div>
    }
}
