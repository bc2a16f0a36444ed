//! Running a script: the header makes the [`World`], each command is applied at the world's
//! time (`advance` moves it), and each `expect` is evaluated where it stands.

use std::fmt;

use super::command::{Command, CommandError, Subject};
use super::parse::{ParseError, Script, parse};
use super::text::{command_line, expectation_text};
use super::world::{Applied, ExpectOutcome, World};

/// One evaluated `expect` line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectResult {
    /// Its line.
    pub line: usize,
    /// The expectation as text (without `expect`).
    pub text: String,
    /// What it found.
    pub outcome: ExpectOutcome,
}

/// A command the world refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Its line.
    pub line: usize,
    /// The command as text.
    pub command: String,
    /// Why.
    pub error: CommandError,
    /// Whether an `expect error` line checked it before the next command.
    pub expected: bool,
}

/// What running a script gave.
#[derive(Clone, Debug)]
pub struct RunReport {
    /// The world at the end.
    pub world: World,
    /// Every `expect`, in order.
    pub expects: Vec<ExpectResult>,
    /// Every refused command, in order.
    pub refusals: Vec<Refusal>,
}

impl RunReport {
    /// Whether every `expect` held and every refusal was expected.
    pub fn passed(&self) -> bool {
        self.expects.iter().all(|e| e.outcome.passed) && self.refusals.iter().all(|r| r.expected)
    }
}

/// Why [`run_checked`] failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunError {
    /// The script does not parse.
    Parse(ParseError),
    /// The header makes no world.
    Config(CommandError),
    /// An `expect` did not hold.
    ExpectFailed {
        /// Its line.
        line: usize,
        /// The expectation.
        text: String,
        /// The operator and value expected.
        expected: String,
        /// What the world had.
        actual: String,
    },
    /// A command was refused and no `expect error` line said so.
    Refused {
        /// Its line.
        line: usize,
        /// The command.
        command: String,
        /// Why.
        error: CommandError,
    },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Parse(error) => write!(f, "{error}"),
            Self::Config(error) => write!(f, "header: {error}"),
            Self::ExpectFailed {
                line,
                text,
                expected,
                actual,
            } => write!(
                f,
                "line {line}: expect {text} failed: expected {expected}, actual {actual}"
            ),
            Self::Refused {
                line,
                command,
                error,
            } => write!(
                f,
                "line {line}: {command} was refused: {error} (write `expect error == {}` after it if that is the point)",
                error.name()
            ),
        }
    }
}

impl std::error::Error for RunError {}

/// Parses and runs `text`.
///
/// # Errors
/// The [`ParseError`] when it does not parse (the header's config errors come as
/// [`RunError::Config`]).
pub fn run(text: &str) -> Result<RunReport, RunError> {
    let script = parse(text).map_err(RunError::Parse)?;
    run_script(&script)
}

/// Runs a parsed script.
///
/// # Errors
/// [`RunError::Config`] when its header makes no world.
pub fn run_script(script: &Script) -> Result<RunReport, RunError> {
    let mut world = World::new(script.config.clone()).map_err(RunError::Config)?;
    world.set_collect_events(false);
    let mut expects = Vec::new();
    let mut refusals: Vec<Refusal> = Vec::new();
    for step in &script.steps {
        if let Command::Expect(expectation) = &step.command
            && expectation.subject == Subject::Error
            && let Some(last) = refusals.last_mut()
            && !last.expected
            && world.last_error().is_some()
        {
            last.expected = true;
        }
        match world.apply(step.command.clone()) {
            Ok(Applied::Checked(outcome)) => {
                if let Command::Expect(expectation) = &step.command {
                    expects.push(ExpectResult {
                        line: step.line,
                        text: expectation_text(expectation),
                        outcome,
                    });
                }
            }
            Ok(_) => {}
            Err(error) => refusals.push(Refusal {
                line: step.line,
                command: command_line(&step.command),
                error,
                expected: false,
            }),
        }
    }
    world.set_collect_events(true);
    Ok(RunReport {
        world,
        expects,
        refusals,
    })
}

/// Runs `text` and fails with the first problem in line order: an `expect` that did not hold
/// (both values named) or a refused command no `expect error` line accounted for.
///
/// # Errors
/// [`RunError`].
pub fn run_checked(text: &str) -> Result<RunReport, RunError> {
    let report = run(text)?;
    let failed_expect =
        report
            .expects
            .iter()
            .find(|e| !e.outcome.passed)
            .map(|e| RunError::ExpectFailed {
                line: e.line,
                text: e.text.clone(),
                expected: e.outcome.expected.clone(),
                actual: e.outcome.actual.clone(),
            });
    let refused = report
        .refusals
        .iter()
        .find(|r| !r.expected)
        .map(|r| RunError::Refused {
            line: r.line,
            command: r.command.clone(),
            error: r.error.clone(),
        });
    let line = |error: &RunError| match error {
        RunError::ExpectFailed { line, .. } | RunError::Refused { line, .. } => *line,
        _ => 0,
    };
    match (failed_expect, refused) {
        (Some(a), Some(b)) => Err(if line(&a) <= line(&b) { a } else { b }),
        (Some(error), None) | (None, Some(error)) => Err(error),
        (None, None) => Ok(report),
    }
}
