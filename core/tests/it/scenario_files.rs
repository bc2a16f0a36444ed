//! Every scenario in the repository's `scenarios/` directory and its subdirectories (the
//! documentation course's demos are in `scenarios/docs/`) runs with all its `expect` lines
//! holding and every refused command expected. New files are picked up by themselves.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use rill_core::scenario::run_checked;

fn scenario_files() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ sits in the repository")
        .join("scenarios");
    let mut files = Vec::new();
    let mut directories = vec![root];
    while let Some(directory) = directories.pop() {
        for entry in std::fs::read_dir(&directory).expect("a readable scenarios directory") {
            let path = entry.expect("a readable directory entry").path();
            if path.is_dir() {
                directories.push(path);
            } else if path.extension().is_some_and(|e| e == "rill") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// Runs one scenario file: `None` when it holds.
fn failure(path: &PathBuf) -> Option<String> {
    let text = std::fs::read_to_string(path).expect("a readable scenario");
    match run_checked(&text) {
        Ok(report) if report.expects.is_empty() => {
            Some(format!("{}: a scenario asserts something", path.display()))
        }
        Ok(_) => None,
        Err(error) => Some(format!("{}: {error}", path.display())),
    }
}

#[test]
fn every_scenario_in_the_repository_holds() {
    let files = scenario_files();
    assert!(
        files.len() >= 3,
        "the example scenarios are there: {files:?}"
    );
    // Several scenarios run for simulated minutes: spread them over the machine's cores.
    let next = AtomicUsize::new(0);
    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let mut failures: Vec<String> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut failures = Vec::new();
                    while let Some(path) = files.get(next.fetch_add(1, Ordering::Relaxed)) {
                        failures.extend(failure(path));
                    }
                    failures
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|worker| worker.join().expect("a scenario runner does not panic"))
            .collect()
    });
    failures.sort();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
