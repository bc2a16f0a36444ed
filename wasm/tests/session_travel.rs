//! The session's support for scripts and time travel, in the browser: a horizon stops the
//! realtime clock exactly at a scenario's next command; `replace_world` swaps in a replay of
//! the history at an earlier time, whose state equals running straight there.

use js_sys::{Promise, Reflect};
use rill_core::scenario::{Command, World, WorldConfig, replay};
use rill_wasm::session::{ClockMode, Session};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Resolves after `ms` milliseconds (`setTimeout`).
async fn sleep(ms: i32) {
    let wait = Promise::new(&mut |resolve, _| {
        let set_timeout: js_sys::Function = Reflect::get(&js_sys::global(), &"setTimeout".into())
            .expect("setTimeout")
            .unchecked_into();
        set_timeout
            .call2(&JsValue::UNDEFINED, &resolve, &ms.into())
            .expect("setTimeout");
    });
    JsFuture::from(wait).await.expect("slept");
}

fn topic() -> Command {
    Command::CreateTopic {
        topic: "t".into(),
        partitions: 2,
        replication_factor: 3,
        configs: Vec::new(),
    }
}

#[wasm_bindgen_test]
async fn a_horizon_stops_realtime_exactly_there_and_lifting_it_lets_time_run() {
    let world = World::new(WorldConfig::new(3, 7)).expect("world");
    let start = world.now();
    let session = Session::new(world, ClockMode::Realtime, None, Vec::new());
    session.set_horizon(Some(start));
    session.set_speed(50.0).expect("speed");
    assert_eq!(
        session.now(),
        start,
        "setting the speed did not move time past the horizon"
    );
    session.set_horizon(Some(start + 400));
    session.sleep_until(start + 400).await;
    sleep(60).await;
    assert_eq!(session.now(), start + 400, "time stands at the horizon");
    session.apply(topic()).expect("created at the horizon");
    assert_eq!(
        session.read_world(|w| w.history().last().map(|(at, _)| *at)),
        Some(start + 400)
    );
    session.set_horizon(None);
    sleep(100).await;
    session.pause();
    assert!(session.now() > start + 400, "time runs again");
    session.close();
}

#[wasm_bindgen_test]
async fn replace_world_shows_an_earlier_time_equal_to_running_straight_there() {
    let mut world = World::new(WorldConfig::new(3, 11)).expect("world");
    let start = world.now();
    world.apply(topic()).expect("topic");
    world.advance(2_000).expect("advance");
    world
        .apply(Command::KillBroker { broker: 1 })
        .expect("kill");
    world.advance(12_000).expect("advance");
    let config = world.config().clone();
    let history = world.history().to_vec();
    let session = Session::new(world, ClockMode::Realtime, None, Vec::new());
    session.pause();
    let straight = {
        let mut w = World::new(config.clone()).expect("world");
        w.apply(topic()).expect("topic");
        w.advance(1_000).expect("advance");
        w.state_hash()
    };
    let earlier = replay(&config, &history, start + 1_000).expect("replays");
    session.replace_world(earlier).expect("replaced");
    assert_eq!(session.now(), start + 1_000);
    assert_eq!(session.read_world(World::state_hash), straight);
    assert!(
        !session.is_detached(),
        "an in-memory session has no store to let go of"
    );
    // Acting there forks: the kill is gone from the history, the new command follows.
    session.apply(Command::Heal).expect("heal");
    let kills = session.read_world(|w| {
        w.history()
            .iter()
            .filter(|(_, c)| matches!(c, Command::KillBroker { .. }))
            .count()
    });
    assert_eq!(kills, 0);
    session.close();
}
