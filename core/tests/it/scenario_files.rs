//! Every scenario in the repository's `scenarios/` directory runs with all its `expect` lines
//! holding (and every refused command expected). New files are picked up by themselves.

use std::path::PathBuf;

use rill_core::scenario::run_checked;

fn scenarios_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("core/ sits in the repository")
        .join("scenarios")
}

#[test]
fn every_scenario_in_the_repository_holds() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(scenarios_dir())
        .expect("the scenarios directory exists")
        .map(|entry| entry.expect("a readable directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "rill"))
        .collect();
    files.sort();
    assert!(
        files.len() >= 3,
        "the example scenarios are there: {files:?}"
    );
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("a readable scenario");
        match run_checked(&text) {
            Ok(report) => assert!(
                !report.expects.is_empty(),
                "{}: a scenario asserts something",
                path.display()
            ),
            Err(error) => failures.push(format!("{}: {error}", path.display())),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
