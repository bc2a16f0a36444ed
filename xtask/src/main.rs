//! `cargo xtask`: the project's only entry points.
//!
//! - `cargo xtask serve [--port N]`: set up what is missing, build the playground, serve it.
//! - `cargo xtask test`: set up what is missing, run every check and test, print a summary.
//! - `cargo xtask bench [--native | --wasm]`: run the benchmarks natively and in headless
//!   Chromium, report each against its same-run baseline (and wasm against native).
//! - `cargo xtask sim --seeds N [--steps M] [--start S] [--unsafe]` | `--seed S`: sweep the
//!   deterministic cluster simulator over seeds, or replay one seed with its readable trace.
//! - `cargo xtask build`: set up and build the playground and the docs into `target/site`.
//! - `cargo xtask setup [--browser]`: only install what is missing.

mod bench;
mod docs;
mod run;
mod serve;
mod setup;
mod sim;
mod site;
mod test;

use std::path::PathBuf;
use std::process::ExitCode;

const USAGE: &str = "usage: cargo xtask <command>

commands:
  serve [--port N]   build the playground and serve it on http://127.0.0.1:N (default 8080)
  test               run fmt, clippy, native, wasm32, headless-Chrome and end-to-end tests
  bench [--native | --wasm]
                     run the benchmarks (criterion natively, then the same workloads natively
                     and as wasm in headless Chromium) and report them against their baselines
  sim --seeds N [--steps M] [--start S] [--unsafe]
                     sweep the cluster simulator over seeds S..S+N (release build, 2 threads);
                     fails on any invariant violation and prints the seed
  sim --seed S [--steps M] [--unsafe]
                     replay one seed with its readable trace
  build              build the playground into target/site
  setup [--browser]  install what is missing (add --browser for Chromium, chromedriver, Node)";

/// The workspace root (the parent of this crate's directory).
pub(crate) fn root() -> PathBuf {
    let manifest = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().map(PathBuf::from).unwrap_or(manifest)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("serve") => parse_port(&args[1..]).and_then(serve::serve_command),
        Some("test") => test::test_command(),
        Some("bench") => bench::bench_command(&args[1..]),
        Some("sim") => sim::sim_command(&args[1..]),
        Some("build") => setup::ensure_build_tools().and_then(|()| site::build_site().map(drop)),
        Some("setup") => {
            let browser = args.iter().any(|a| a == "--browser");
            setup::ensure_build_tools().and_then(|()| {
                if browser {
                    setup::ensure_test_tools()
                } else {
                    Ok(())
                }
            })
        }
        Some("help" | "--help" | "-h") => {
            println!("{USAGE}");
            Ok(())
        }
        _ => Err(format!("unknown command\n\n{USAGE}")),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

fn parse_port(args: &[String]) -> Result<u16, String> {
    match args {
        [] => Ok(8080),
        [flag, value] if flag == "--port" => value
            .parse()
            .map_err(|_| format!("--port needs a number 1-65535, got '{value}'")),
        [flag] if flag.starts_with("--port=") => {
            let value = &flag["--port=".len()..];
            value
                .parse()
                .map_err(|_| format!("--port needs a number 1-65535, got '{value}'"))
        }
        _ => Err(format!("serve takes only --port N\n\n{USAGE}")),
    }
}
