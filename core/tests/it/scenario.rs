//! Scenarios: scripts, the world's applications, replay.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use rill_core::scenario::run_checked;

#[test]
fn smoke() {
    let report = run_checked(
        "seed 1\nbrokers 3\n\
         kafka-topics --create --topic orders --partitions 3 --replication-factor 3 --config min.insync.replicas=2\n\
         advance 1s\n\
         kafka-console-producer --topic orders --property parse.key=true --property key.separator=:\n\
         alice:1\nbob:2\n\n\
         advance 1s\n\
         expect isr orders-0 == [0, 1, 2]\n\
         expect records orders-0 >= 0\n\
         expect acked console == 2\n",
    );
    match report {
        Ok(report) => println!("{:?}", report.expects),
        Err(e) => panic!("{e}"),
    }
}
