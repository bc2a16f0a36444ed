//! Running commands: announce them, stream their output, capture it when asked.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::thread;

/// Describes a command for messages: program and arguments.
pub(crate) fn describe(cmd: &Command) -> String {
    let mut text = cmd.get_program().to_string_lossy().into_owned();
    for arg in cmd.get_args() {
        text.push(' ');
        text.push_str(&arg.to_string_lossy());
    }
    text
}

/// Runs `cmd` with inherited output; an error when it cannot start or exits non-zero.
pub(crate) fn run(cmd: &mut Command) -> Result<(), String> {
    let text = describe(cmd);
    println!("  $ {text}");
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run `{text}`: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{text}` failed with {status}"))
    }
}

/// Runs `cmd`, echoing stdout and stderr as they come, and returns (success, all output).
pub(crate) fn run_captured(cmd: &mut Command) -> Result<(bool, String), String> {
    let text = describe(cmd);
    println!("  $ {text}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{text}`: {e}"))?;
    let stdout = child.stdout.take().ok_or("child stdout was not piped")?;
    let stderr = child.stderr.take().ok_or("child stderr was not piped")?;
    let pump = |stream: Box<dyn std::io::Read + Send>, to_stderr: bool| {
        thread::spawn(move || {
            let mut captured = String::new();
            for line in BufReader::new(stream).lines().map_while(Result::ok) {
                if to_stderr {
                    let _ = writeln!(std::io::stderr(), "{line}");
                } else {
                    let _ = writeln!(std::io::stdout(), "{line}");
                }
                captured.push_str(&line);
                captured.push('\n');
            }
            captured
        })
    };
    let out = pump(Box::new(stdout), false);
    let err = pump(Box::new(stderr), true);
    let status = child
        .wait()
        .map_err(|e| format!("`{text}` did not finish: {e}"))?;
    let mut output = out.join().unwrap_or_default();
    output.push_str(&err.join().unwrap_or_default());
    Ok((status.success(), output))
}

/// The first line of `program --version`, if it runs.
pub(crate) fn version_of(program: &str) -> Option<String> {
    let output = Command::new(program).arg("--version").output().ok()?;
    output.status.success().then(|| {
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .trim()
            .to_owned()
    })
}
