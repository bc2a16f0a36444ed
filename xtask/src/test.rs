//! `cargo xtask test`: every check and test, one summary line at the end.

use std::process::Command;
use std::time::Instant;

use crate::run::run_captured;
use crate::setup::{CHROMEDRIVER, CHROMIUM, cargo_tool, path_with_cargo_bin};

/// Passed and failed counts of one step.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Counts {
    passed: u64,
    failed: u64,
}

/// Counts test results in a runner's output: cargo/libtest and wasm-bindgen-test
/// (`test result: ok. N passed; M failed`) and node's TAP reporter (`# pass N`, `# fail N`).
fn count_results(output: &str) -> Counts {
    let mut counts = Counts::default();
    let number_before = |text: &str, word: &str| -> Option<u64> {
        let at = text.find(word)?;
        text[..at].split_whitespace().last()?.parse().ok()
    };
    for line in output.lines() {
        let line = line.trim();
        if let Some(rest) = line.strip_prefix("test result: ") {
            counts.passed += number_before(rest, " passed").unwrap_or(0);
            counts.failed += number_before(rest, " failed").unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# pass ") {
            counts.passed += n.trim().parse().unwrap_or(0);
        } else if let Some(n) = line.strip_prefix("# fail ") {
            counts.failed += n.trim().parse().unwrap_or(0);
        }
    }
    counts
}

struct Step {
    name: &'static str,
    counts: Counts,
    seconds: f64,
}

/// Runs a step. `is_check` steps (fmt, clippy, builds) count as one test; test steps count
/// their tests, plus one failure when the runner failed without reporting one.
fn step(name: &'static str, is_check: bool, cmd: &mut Command) -> Step {
    println!("\n==> {name}");
    let started = Instant::now();
    let (ok, output) = match run_captured(cmd) {
        Ok(result) => result,
        Err(message) => (false, message),
    };
    let mut counts = if is_check {
        Counts::default()
    } else {
        count_results(&output)
    };
    if is_check || (!ok && counts.failed == 0) || (ok && counts.passed + counts.failed == 0) {
        if ok {
            counts.passed += 1
        } else {
            counts.failed += 1
        }
    }
    Step {
        name,
        counts,
        seconds: started.elapsed().as_secs_f64(),
    }
}

pub(crate) fn test_command() -> Result<(), String> {
    let started = Instant::now();
    crate::setup::ensure_build_tools()?;
    crate::setup::ensure_test_tools()?;
    let root = crate::root();
    let mut steps = vec![step(
        "rustfmt",
        true,
        Command::new("cargo").args(["fmt", "--all", "--check"]),
    )];
    steps.push(step(
        "clippy (native)",
        true,
        Command::new("cargo").args([
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ]),
    ));
    steps.push(step(
        "rustdoc (rill-core, rill-wasm; broken links fail)",
        true,
        Command::new("cargo")
            .env("RUSTDOCFLAGS", "-D warnings")
            .args([
                "doc",
                "--no-deps",
                "--package",
                "rill-core",
                "--package",
                "rill-wasm",
            ]),
    ));
    steps.push(step(
        "clippy (wasm32)",
        true,
        Command::new("cargo").args([
            "clippy",
            "--package",
            "rill-core",
            "--package",
            "rill-wasm",
            "--package",
            "rill-playground",
            "--package",
            "rill-bench",
            // Criterion benchmarks are native; rill-bench is the wasm timing harness.
            "--lib",
            "--bins",
            "--tests",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    ));
    // The playground as the site builds it: rill-wasm without `js-api` (the step above unifies
    // features and so checks rill-wasm with it).
    steps.push(step(
        "clippy (wasm32, the playground without js-api)",
        true,
        Command::new("cargo").args([
            "clippy",
            "--package",
            "rill-playground",
            "--lib",
            "--bins",
            "--target",
            "wasm32-unknown-unknown",
            "--",
            "-D",
            "warnings",
        ]),
    ));
    steps.push(step(
        "native tests",
        false,
        Command::new("cargo").args(["test", "--workspace"]),
    ));

    steps.push(step(
        "simulator: 1000 seeds × 1000 steps",
        true,
        &mut crate::sim::sim_cargo(&[
            "--seeds".to_owned(),
            crate::sim::CI_SEEDS.to_string(),
            "--steps".to_owned(),
            crate::sim::CI_STEPS.to_string(),
        ]),
    ));

    steps.push(step(
        "simulator: consumer groups, 200 seeds × 300 steps",
        true,
        &mut crate::sim::sim_cargo(&[
            "--groups".to_owned(),
            "--seeds".to_owned(),
            crate::sim::CI_GROUP_SEEDS.to_string(),
            "--steps".to_owned(),
            crate::sim::CI_GROUP_STEPS.to_string(),
        ]),
    ));

    let runner = crate::setup::cargo_bin_dir().join("wasm-bindgen-test-runner");
    steps.push(step(
        "rill-core tests compiled to wasm32 (Node)",
        false,
        Command::new("cargo")
            .args([
                "test",
                "--package",
                "rill-core",
                "--target",
                "wasm32-unknown-unknown",
            ])
            .env("CARGO_TARGET_WASM32_UNKNOWN_UNKNOWN_RUNNER", &runner)
            .env("PATH", path_with_cargo_bin()),
    ));

    let mut wasm_pack = cargo_tool("wasm-pack");
    wasm_pack
        .args(["test", "--headless", "--chrome"])
        .current_dir(root.join("wasm"))
        .env("CHROMEDRIVER", CHROMEDRIVER)
        .env("WASM_BINDGEN_TEST_TIMEOUT", "120");
    steps.push(step(
        "rill-wasm tests in headless Chrome (wasm-pack)",
        false,
        &mut wasm_pack,
    ));

    println!("\n==> building the site for the end-to-end tests");
    let site_started = Instant::now();
    match crate::site::build_site() {
        Ok(site) => {
            steps.push(Step {
                name: "site build (profile web, wasm-opt -Oz)",
                counts: Counts {
                    passed: 1,
                    failed: 0,
                },
                seconds: site_started.elapsed().as_secs_f64(),
            });
            match crate::site::type_check_command(&site) {
                Ok(mut tsc) => steps.push(step(
                    "TypeScript: an example against rill_wasm.d.ts (tsc --noEmit --strict)",
                    true,
                    &mut tsc,
                )),
                Err(message) => {
                    eprintln!("{message}");
                    steps.push(Step {
                        name: "TypeScript: an example against rill_wasm.d.ts",
                        counts: Counts {
                            passed: 0,
                            failed: 1,
                        },
                        seconds: 0.0,
                    });
                }
            }
            let base_url = crate::serve::serve_in_background(site, false)?;
            let screenshots = crate::site::site_dir().with_file_name("e2e-screenshots");
            steps.push(step(
                "end-to-end tests in headless Chromium",
                false,
                Command::new("node")
                    .args(["--test", "--test-reporter=tap"])
                    .current_dir(root.join("tests").join("e2e"))
                    .env("BASE_URL", &base_url)
                    .env("CHROMIUM", CHROMIUM)
                    .env("SCREENSHOT_DIR", &screenshots),
            ));
            println!("    screenshots in {}", screenshots.display());
        }
        Err(message) => {
            eprintln!("{message}");
            steps.push(Step {
                name: "site build (profile web, wasm-opt -Oz)",
                counts: Counts {
                    passed: 0,
                    failed: 1,
                },
                seconds: site_started.elapsed().as_secs_f64(),
            });
        }
    }

    println!("\n==> summary");
    let mut total = Counts::default();
    for s in &steps {
        let mark = if s.counts.failed == 0 { "ok  " } else { "FAIL" };
        println!(
            "  {mark} {:<48} {:>4} passed {:>3} failed {:>7.1}s",
            s.name, s.counts.passed, s.counts.failed, s.seconds
        );
        total.passed += s.counts.passed;
        total.failed += s.counts.failed;
    }
    println!("  total time {:.0}s", started.elapsed().as_secs_f64());
    println!("{} passed, {} failed", total.passed, total.failed);
    if total.failed == 0 {
        Ok(())
    } else {
        Err(format!("{} failed", total.failed))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_cargo_wasm_bindgen_and_node_results() {
        let output = "\
test result: ok. 13 passed; 0 failed; 0 ignored; 0 measured; 0 filtered out; finished in 0.00s
test result: FAILED. 16 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out
test result: ok. 3 passed; 0 failed; 0 ignored; 0 filtered out; finished in 0.18s
# tests 4
# pass 3
# fail 1
";
        assert_eq!(
            count_results(output),
            Counts {
                passed: 35,
                failed: 3
            }
        );
        assert_eq!(count_results("nothing here"), Counts::default());
    }
}
