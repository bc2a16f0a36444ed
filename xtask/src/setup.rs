//! Installs what the build and the tests need, only when it is missing.
//!
//! Everything comes from the package registries: the Rust target from rustup, the CLIs from
//! crates.io (pinned), Chromium/chromedriver/Node from Debian, `playwright-core` and binaryen's
//! `wasm-opt` from npm (pinned by the lock files in `tests/e2e` and `xtask/binaryen`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::run::{run, version_of};

/// Must equal the exact `wasm-bindgen` pin in the workspace `Cargo.toml` (a test checks).
pub(crate) const WASM_BINDGEN_VERSION: &str = "0.2.130";
/// The `wasm-pack` used for `wasm-pack test --headless --chrome`.
pub(crate) const WASM_PACK_VERSION: &str = "0.15.1";
/// The binaryen release whose `wasm-opt` optimises the site's wasm. Must equal the version in
/// `xtask/binaryen/package.json` (a test checks). Debian's binaryen 108 cannot parse what rustc
/// 1.95 emits, and on the `rill-wasm` bundle it produced a module Chromium refused at start-up;
/// 132 handles both bundles, and the end-to-end tests load what it produced.
pub(crate) const BINARYEN_VERSION: &str = "132";
/// Where Debian's packages put the browser and its driver.
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
/// A Korean font Chromium finds (Debian's `fonts-nanum`).
pub(crate) const KOREAN_FONT: &str = "/usr/share/fonts/truetype/nanum/NanumGothic.ttf";
/// Debian's chromedriver, matching [`CHROMIUM`].
pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

fn step(message: &str) {
    println!("==> {message}");
}

/// `$CARGO_HOME/bin`, where `cargo install` puts binaries.
pub(crate) fn cargo_bin_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("CARGO_HOME") {
        return PathBuf::from(home).join("bin");
    }
    let home = std::env::var_os("HOME").map_or_else(|| PathBuf::from("/root"), PathBuf::from);
    home.join(".cargo").join("bin")
}

/// A command for a cargo-installed tool, found in `$CARGO_HOME/bin` even when that is not on PATH.
pub(crate) fn cargo_tool(name: &str) -> Command {
    let installed = cargo_bin_dir().join(name);
    let mut cmd = Command::new(if installed.exists() {
        installed
    } else {
        PathBuf::from(name)
    });
    cmd.env("PATH", path_with_cargo_bin());
    cmd
}

/// PATH with `$CARGO_HOME/bin` first, so tools find each other (wasm-pack → wasm-bindgen).
pub(crate) fn path_with_cargo_bin() -> std::ffi::OsString {
    let mut paths = vec![cargo_bin_dir()];
    if let Some(path) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(paths).unwrap_or_default()
}

fn tool_version(name: &str) -> Option<String> {
    let installed = cargo_bin_dir().join(name);
    version_of(&installed.to_string_lossy()).or_else(|| version_of(name))
}

fn ensure_wasm_target() -> Result<(), String> {
    let output = Command::new("rustup")
        .args(["target", "list", "--installed"])
        .output()
        .map_err(|e| format!("rustup is needed to add the wasm32 target: {e}"))?;
    if String::from_utf8_lossy(&output.stdout)
        .lines()
        .any(|l| l.trim() == "wasm32-unknown-unknown")
    {
        return Ok(());
    }
    step("adding the wasm32-unknown-unknown target (a few seconds)");
    run(Command::new("rustup").args(["target", "add", "wasm32-unknown-unknown"]))
}

fn ensure_cargo_tool(binary: &str, krate: &str, version: &str) -> Result<(), String> {
    let wanted = format!("{binary} {version}");
    if tool_version(binary).is_some_and(|v| v == wanted || v.starts_with(&format!("{wanted} "))) {
        return Ok(());
    }
    step(&format!(
        "installing {krate} {version} from crates.io (about 2 minutes, once)"
    ));
    // Not --locked: a locked dependency was once missing from the registry (TOOLCHAIN.md).
    run(Command::new("cargo").args(["install", krate, "--version", version, "--force"]))?;
    match tool_version(binary) {
        Some(v) if v.starts_with(&wanted) => Ok(()),
        other => Err(format!(
            "{krate} installed but `{binary} --version` says {other:?}, expected {wanted}"
        )),
    }
}

/// What building the site needs: the wasm32 target, the pinned wasm-bindgen CLI, Node and the
/// pinned binaryen (`wasm-opt`).
pub(crate) fn ensure_build_tools() -> Result<(), String> {
    ensure_wasm_target()?;
    ensure_cargo_tool("wasm-bindgen", "wasm-bindgen-cli", WASM_BINDGEN_VERSION)?;
    ensure_node()?;
    ensure_binaryen()
}

/// The project's own binaryen: `npm ci` of `xtask/binaryen` into `target/tools/binaryen`.
fn binaryen_dir() -> PathBuf {
    target_dir().join("tools").join("binaryen")
}

/// The pinned `wasm-opt` (binaryen compiled to wasm, run by Node), never one from PATH.
pub(crate) fn wasm_opt() -> Command {
    let script = binaryen_dir()
        .join("node_modules")
        .join("binaryen")
        .join("bin")
        .join("wasm-opt");
    let mut cmd = Command::new("node");
    cmd.arg(script);
    cmd
}

/// `wasm-opt --version` of the project's binaryen, e.g. `wasm-opt version 132 (version_132)`.
pub(crate) fn wasm_opt_version() -> Option<String> {
    let output = wasm_opt().arg("--version").output().ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn ensure_binaryen() -> Result<(), String> {
    let wanted = format!("wasm-opt version {BINARYEN_VERSION} ");
    let source = crate::root().join("xtask").join("binaryen");
    let dir = binaryen_dir();
    let lock = |d: &Path| std::fs::read(d.join("package-lock.json")).ok();
    if lock(&dir).is_some()
        && lock(&dir) == lock(&source)
        && wasm_opt_version().is_some_and(|v| v.starts_with(&wanted))
    {
        return Ok(());
    }
    step(&format!(
        "installing binaryen {BINARYEN_VERSION} (wasm-opt) from npm into {} (seconds, once)",
        dir.display()
    ));
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    for file in ["package.json", "package-lock.json"] {
        std::fs::copy(source.join(file), dir.join(file))
            .map_err(|e| format!("cannot copy xtask/binaryen/{file}: {e}"))?;
    }
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir))?;
    match wasm_opt_version() {
        Some(v) if v.starts_with(&wanted) => Ok(()),
        other => Err(format!(
            "binaryen installed but `wasm-opt --version` says {other:?}, expected {wanted}…"
        )),
    }
}

/// Node and npm (Debian's), for binaryen's `wasm-opt` and the browser tests.
fn ensure_node() -> Result<(), String> {
    if node_is_usable() {
        return Ok(());
    }
    apt_install(&["nodejs", "npm"])
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn apt_install(packages: &[&str]) -> Result<(), String> {
    step(&format!(
        "installing {} from Debian (a few minutes, once)",
        packages.join(", ")
    ));
    let apt = |args: &[&str]| {
        let mut cmd = if is_root() {
            Command::new("apt-get")
        } else {
            let mut sudo = Command::new("sudo");
            sudo.args(["-n", "apt-get"]);
            sudo
        };
        cmd.args(args).env("DEBIAN_FRONTEND", "noninteractive");
        cmd
    };
    run(&mut apt(&["update"]))?;
    let mut install = apt(&["install", "-y", "--no-install-recommends"]);
    install.args(packages);
    run(&mut install)
        .map_err(|e| format!("{e}\n(installing system packages needs root or passwordless sudo)"))
}

fn node_is_usable() -> bool {
    version_of("node")
        .and_then(|v| {
            v.trim_start_matches('v')
                .split('.')
                .next()
                .and_then(|m| m.parse::<u32>().ok())
        })
        .is_some_and(|major| major >= 18)
        && version_of("npm").is_some()
}

/// What the tests need on top of the build: wasm-pack, Chromium and its driver, Node and the
/// end-to-end test's npm packages.
pub(crate) fn ensure_test_tools() -> Result<(), String> {
    ensure_cargo_tool("wasm-pack", "wasm-pack", WASM_PACK_VERSION)?;
    ensure_browser(true)
}

/// What `cargo xtask bench` needs on top of the build to drive the browser: Chromium, Node and
/// the npm packages of `tests/e2e`.
pub(crate) fn ensure_browser_tools() -> Result<(), String> {
    ensure_browser(false)
}

fn ensure_browser(with_driver: bool) -> Result<(), String> {
    let mut missing = Vec::new();
    if !Path::new(CHROMIUM).exists() {
        missing.push("chromium");
    }
    if with_driver && !Path::new(CHROMEDRIVER).exists() {
        missing.push("chromium-driver");
    }
    // Korean glyphs, so screenshots of the Korean pages show text, not boxes.
    if !Path::new(KOREAN_FONT).exists() {
        missing.push("fonts-nanum");
    }
    if !node_is_usable() {
        missing.extend(["nodejs", "npm"]);
    }
    if !missing.is_empty() {
        apt_install(&missing)?;
    }
    ensure_e2e_packages()
}

fn ensure_e2e_packages() -> Result<(), String> {
    let dir = crate::root().join("tests").join("e2e");
    let installed = dir
        .join("node_modules")
        .join("playwright-core")
        .join("package.json");
    let lock = dir.join("package-lock.json");
    let fresh = |a: &Path, b: &Path| {
        let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        matches!((modified(a), modified(b)), (Some(x), Some(y)) if x >= y)
    };
    let typescript = dir
        .join("node_modules")
        .join("typescript")
        .join("package.json");
    if installed.exists() && typescript.exists() && fresh(&installed, &lock) {
        return Ok(());
    }
    step(
        "installing the end-to-end test's npm packages (playwright-core without a browser, typescript)",
    );
    run(Command::new("npm")
        .args(["ci", "--no-audit", "--no-fund"])
        .current_dir(&dir))
}

/// The cargo target directory.
pub(crate) fn target_dir() -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR").map_or_else(|| crate::root().join("target"), PathBuf::from)
}

pub(crate) fn modified(path: &Path) -> Option<std::time::SystemTime> {
    std::fs::metadata(path).and_then(|m| m.modified()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn binaryen_pin_matches_its_package_lock() {
        let dir = crate::root().join("xtask").join("binaryen");
        let version = format!("\"{BINARYEN_VERSION}.0.0\"");
        for file in ["package.json", "package-lock.json"] {
            let text = std::fs::read_to_string(dir.join(file)).expect("xtask/binaryen files");
            assert!(
                text.contains(&version),
                "xtask/binaryen/{file} must pin binaryen {version}"
            );
        }
    }

    #[test]
    fn cli_pin_matches_the_workspace_crate_pin() {
        let manifest =
            std::fs::read_to_string(crate::root().join("Cargo.toml")).expect("workspace manifest");
        let pin = format!("wasm-bindgen = \"={WASM_BINDGEN_VERSION}\"");
        assert!(
            manifest.contains(&pin),
            "Cargo.toml must pin {pin} to match the CLI xtask installs"
        );
    }
}
