//! The workloads for the browser: `cases()`, `run(id, iterations)`, and one function per case
//! (`append_batch_100(n)`, `append_batch_100_copy_baseline(n)`, …, `fetch_read(n)`,
//! `retention_apply(n)`, `retention_drop_baseline(n)`). Each runs `n` iterations
//! and returns the milliseconds `performance.now()` saw pass in the timed parts.

use std::cell::RefCell;

use wasm_bindgen::prelude::*;

use crate::{CASES, Case, Workloads, find};

thread_local! {
    static WORKLOADS: RefCell<Workloads> = RefCell::new(Workloads::new());
}

fn run_case(case: Case, iterations: u32) -> f64 {
    let performance = web_sys::window()
        .and_then(|w| w.performance())
        .expect("a page with window.performance");
    let mut now_ms = || performance.now();
    WORKLOADS.with(|w| w.borrow_mut().run(case, u64::from(iterations), &mut now_ms))
}

/// Every case as `group/function`, each group's workload before its baseline.
#[wasm_bindgen]
pub fn cases() -> Vec<String> {
    CASES.iter().map(|c| c.id()).collect()
}

/// Runs `iterations` of the case `id` (`group/function`); returns timed milliseconds.
#[wasm_bindgen]
pub fn run(id: &str, iterations: u32) -> Result<f64, JsError> {
    let case = find(id).ok_or_else(|| JsError::new(&format!("unknown case {id}")))?;
    Ok(run_case(case, iterations))
}

macro_rules! exports {
    ($($name:ident => $group:literal / $function:literal;)*) => {$(
        #[doc = concat!("`", $group, "/", $function, "`: runs `iterations`, returns timed ms.")]
        #[wasm_bindgen]
        pub fn $name(iterations: u32) -> f64 {
            run_case(Case { group: $group, function: $function }, iterations)
        }
    )*};
}

exports! {
    append_batch_100 => "append_batch_100" / "append";
    append_batch_100_copy_baseline => "append_batch_100" / "copy_baseline";
    append_batch_1 => "append_batch_1" / "append";
    append_batch_1_copy_baseline => "append_batch_1" / "copy_baseline";
    // Not `fetch`: the wasm-bindgen glue module calls the global `fetch` to load the wasm.
    fetch_read => "fetch" / "read";
    fetch_read_refs => "fetch" / "read_refs";
    fetch_copy_baseline => "fetch" / "copy_baseline";
    retention_apply => "retention" / "apply_retention";
    retention_drop_baseline => "retention" / "drop_baseline";
    sim_seed => "sim_seed" / "run";
    sim_seed_network_baseline => "sim_seed" / "network_baseline";
    assign_all_topics_fresh_range => "assign_all_topics_fresh" / "range";
    assign_all_topics_fresh_roundrobin => "assign_all_topics_fresh" / "roundrobin";
    assign_all_topics_fresh_sticky => "assign_all_topics_fresh" / "sticky";
    assign_all_topics_fresh_cooperative_sticky => "assign_all_topics_fresh" / "cooperative_sticky";
    assign_all_topics_fresh_clone_baseline => "assign_all_topics_fresh" / "clone_baseline";
    assign_all_topics_rebalance_range => "assign_all_topics_rebalance" / "range";
    assign_all_topics_rebalance_roundrobin => "assign_all_topics_rebalance" / "roundrobin";
    assign_all_topics_rebalance_sticky => "assign_all_topics_rebalance" / "sticky";
    assign_all_topics_rebalance_cooperative_sticky => "assign_all_topics_rebalance" / "cooperative_sticky";
    assign_all_topics_rebalance_clone_baseline => "assign_all_topics_rebalance" / "clone_baseline";
    assign_one_member_one_topic_fresh_range => "assign_one_member_one_topic_fresh" / "range";
    assign_one_member_one_topic_fresh_roundrobin => "assign_one_member_one_topic_fresh" / "roundrobin";
    assign_one_member_one_topic_fresh_sticky => "assign_one_member_one_topic_fresh" / "sticky";
    assign_one_member_one_topic_fresh_cooperative_sticky => "assign_one_member_one_topic_fresh" / "cooperative_sticky";
    assign_one_member_one_topic_fresh_clone_baseline => "assign_one_member_one_topic_fresh" / "clone_baseline";
    assign_one_member_one_topic_rebalance_range => "assign_one_member_one_topic_rebalance" / "range";
    assign_one_member_one_topic_rebalance_roundrobin => "assign_one_member_one_topic_rebalance" / "roundrobin";
    assign_one_member_one_topic_rebalance_sticky => "assign_one_member_one_topic_rebalance" / "sticky";
    assign_one_member_one_topic_rebalance_cooperative_sticky => "assign_one_member_one_topic_rebalance" / "cooperative_sticky";
    assign_one_member_one_topic_rebalance_clone_baseline => "assign_one_member_one_topic_rebalance" / "clone_baseline";
}
