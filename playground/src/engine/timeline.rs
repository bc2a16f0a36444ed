//! Scripts and time travel. A session is a seed plus a command log
//! (`rill_core::scenario::World`): the engine plays a scenario script's commands at their
//! times (the session's clock stops at the next one: [`Session::set_horizon`]), keeps
//! checkpoints (clones of the world) as time goes, and jumps to any time by replaying the
//! history from the nearest checkpoint before it. Commands recorded after a jump target are
//! kept as the plan ahead, so playing on re-runs them; a command the person gives in the past
//! forks history there and drops them.

use std::collections::VecDeque;

use rill_core::scenario::{
    Applied, Command as WorldCommand, CompareOp, ExpectValue, Expectation, ParseError, Subject,
    World, WorldConfig, command_line, parse, replay_onto, to_kafka_cli, to_text,
};
use rill_wasm::HostError;
use rill_wasm::session::{ClockMode, Session};
use wasm_bindgen_futures::spawn_local;

use super::Engine;
use crate::model::step::StepSaid;
use crate::model::{Action, ClusterView, Persistence};

/// Cluster milliseconds between two checkpoints (a jump replays at most this much time plus
/// the commands in it).
pub const CHECKPOINT_EVERY_MS: i64 = 10_000;

/// Checkpoints kept at most; past it every other one is dropped (spacing doubles).
pub const CHECKPOINTS_MAX: usize = 48;

/// Wall milliseconds between two frames while time runs and nothing happens.
pub const CLOCK_TICK_MS: i32 = 250;

/// How a script starts.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScriptOptions {
    /// Play at once (else paused at the start, or at `until`).
    pub autoplay: bool,
    /// Realtime speed (0.01..=100).
    pub speed: f64,
    /// Run straight to this point first.
    pub until: Option<Until>,
}

impl Default for ScriptOptions {
    fn default() -> Self {
        Self {
            autoplay: false,
            speed: 1.0,
            until: None,
        }
    }
}

/// Where [`ScriptOptions::until`] stops.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Until {
    /// After the script's last command and its last `advance`.
    End,
    /// This many milliseconds after the start.
    At(i64),
}

impl Until {
    /// `end`, or a duration (`30s`, `1500ms`, `2m`, or plain milliseconds).
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if text.eq_ignore_ascii_case("end") {
            return Some(Self::End);
        }
        if let Ok(ms) = text.parse::<i64>() {
            return (ms >= 0).then_some(Self::At(ms));
        }
        rill_core::scenario::parse_duration(text).map(Self::At)
    }
}

/// Why a script was not loaded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScriptError {
    /// It does not parse: where and what was expected.
    Parse(ParseError),
    /// Its header makes no cluster.
    Config(String),
}

impl std::fmt::Display for ScriptError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Parse(e) => write!(f, "the scenario does not parse: {e}"),
            Self::Config(e) => write!(f, "the scenario's header makes no cluster: {e}"),
        }
    }
}

/// A command still to apply, at its cluster time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Planned {
    /// Cluster time it is due.
    pub at: i64,
    /// The command.
    pub command: WorldCommand,
}

/// Where the plan came from.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) enum PlanKind {
    /// Nothing planned.
    #[default]
    None,
    /// A scenario script being played.
    Script,
    /// The history recorded after a jump back in time.
    Recorded,
}

/// One line of the history panel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Cluster time.
    pub at: i64,
    /// The command as script text.
    pub text: String,
    /// Already applied (else planned, ahead of the present view).
    pub done: bool,
}

/// The `expect` lines a script checked so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ExpectTally {
    /// Held.
    pub passed: u32,
    /// Did not hold.
    pub failed: u32,
}

/// What the engine knows about the session's timeline.
#[derive(Debug, Default)]
pub(crate) struct Timeline {
    /// A clone of the world as it stood before its first recorded command: replays start here.
    origin: Option<World>,
    /// Whether the origin is a fresh world of its config (a script, or a new cluster) rather
    /// than a recovered one: only then does a shared script rebuild the same state.
    origin_fresh: bool,
    checkpoints: Vec<World>,
    pub(super) plan: VecDeque<Planned>,
    kind: PlanKind,
    /// The end of the timeline: the latest time reached or planned.
    end: i64,
    /// When the person forked history by acting in the past.
    forked_at: Option<i64>,
    /// Bumped whenever a player task must stop.
    generation: u64,
    expects: ExpectTally,
    /// The origin's view time (times are shown from it).
    start: i64,
    /// Paused because the embed went out of sight (it resumes when it comes back).
    paused_offscreen: bool,
    /// A timer will draw the next frame (the clock ticks while time runs).
    tick_pending: bool,
}

/// A script's commands with their times from `start` (the `advance`s become times), and the
/// end time (after the last `advance`).
fn plan_of(commands: Vec<WorldCommand>, start: i64) -> (VecDeque<Planned>, i64) {
    let mut at = start;
    let mut plan = VecDeque::new();
    for command in commands {
        match command {
            WorldCommand::Advance { ms } => at += ms.max(0),
            command => plan.push_back(Planned { at, command }),
        }
    }
    (plan, at)
}

/// Applies to `world` every planned command due by `until` (at its time; refusals are part
/// of scripts and change nothing), then moves it to `until`. Returns the `expect` tally.
fn run_plan_to(world: &mut World, plan: &mut VecDeque<Planned>, until: i64) -> ExpectTally {
    run_plan_reporting(world, plan, until).0
}

/// Whether the plan's next command is `expect error == name`: the script means the refusal
/// just made (as `rill_core::scenario::run` reads it), so the page shows it as the outcome the
/// scenario expects rather than as a failure.
fn refusal_expected(plan: &VecDeque<Planned>, name: &str) -> bool {
    plan.iter()
        .map(|p| &p.command)
        .find(|c| !matches!(c, WorldCommand::Advance { .. }))
        .is_some_and(|c| {
            matches!(c, WorldCommand::Expect(Expectation {
                subject: Subject::Error,
                op: CompareOp::Eq,
                value: ExpectValue::Word(word),
            }) if word == name)
        })
}

/// [`run_plan_to`], and the first command the world refused (its line and the error, and
/// whether an `expect error` right after it expects the refusal), so a script's failing
/// command is shown rather than dropped.
fn run_plan_reporting(
    world: &mut World,
    plan: &mut VecDeque<Planned>,
    until: i64,
) -> (ExpectTally, Option<(HostError, bool)>) {
    let mut tally = ExpectTally::default();
    let mut failure = None;
    while let Some(next) = plan.front() {
        if next.at > until {
            break;
        }
        let gap = next.at - world.now();
        if gap > 0 {
            let _ = world.advance(gap);
        }
        if let Some(next) = plan.pop_front() {
            let line = command_line(&next.command);
            let applied = world.apply(next.command);
            if let Err(error) = &applied
                && failure.is_none()
            {
                let expected = refusal_expected(plan, &error.name());
                failure = Some((script_failure(&line, error), expected));
            }
            count(&mut tally, &applied);
        }
    }
    let gap = until - world.now();
    if gap > 0 {
        let _ = world.advance(gap);
    }
    (tally, failure)
}

/// The page's error for a script command the world refused: Kafka's error name kept, the
/// command's line in front of the message.
fn script_failure(line: &str, error: &rill_core::scenario::CommandError) -> HostError {
    match error {
        rill_core::scenario::CommandError::Kafka { code, message } => HostError::Kafka {
            code: *code,
            message: format!("`{line}`: {message}"),
        },
        other => HostError::InvalidArgument(format!("`{line}`: {other}")),
    }
}

fn count(tally: &mut ExpectTally, applied: &Result<Applied, rill_core::scenario::CommandError>) {
    if let Ok(Applied::Checked(outcome)) = applied {
        if outcome.passed {
            tally.passed += 1;
        } else {
            tally.failed += 1;
        }
    }
}

/// Whether checkpoint `cp`'s history is a prefix of `full` (its last `advance` may be cut
/// short: it was taken while time ran).
fn is_prefix(cp: &[(i64, WorldCommand)], full: &[(i64, WorldCommand)]) -> bool {
    let Some((last, head)) = cp.split_last() else {
        return true;
    };
    if head.len() >= full.len() || full[..head.len()] != *head {
        return false;
    }
    let theirs = &full[head.len()];
    match (last, theirs) {
        ((a, WorldCommand::Advance { ms: mine }), (b, WorldCommand::Advance { ms })) => {
            a == b && mine <= ms
        }
        _ => last == theirs,
    }
}

impl Engine {
    /// Parses `text` and starts its scenario in a new in-memory session (the current one is
    /// closed), run straight to `options.until` when given, paused unless `options.autoplay`.
    /// A script that does not parse changes nothing and says where (line and column) on the
    /// page.
    ///
    /// # Errors
    /// [`ScriptError`].
    pub fn load_script(&self, text: &str, options: ScriptOptions) -> Result<(), ScriptError> {
        let result = self.try_load_script(text, options);
        if let Err(error) = &result {
            self.fail(
                crate::model::Place::Page,
                HostError::InvalidArgument(error.to_string()),
            );
        }
        result
    }

    fn try_load_script(&self, text: &str, options: ScriptOptions) -> Result<(), ScriptError> {
        let script = parse(text).map_err(ScriptError::Parse)?;
        let origin =
            World::new(script.config.clone()).map_err(|e| ScriptError::Config(e.to_string()))?;
        let mut world = origin.clone();
        let start = world.now();
        let (mut plan, script_end) = plan_of(script.commands(), start);
        let mut tally = ExpectTally::default();
        let mut refused = None;
        if let Some(until) = options.until {
            let until = match until {
                Until::End => script_end,
                Until::At(ms) => start + ms,
            };
            world.set_collect_events(false);
            let failure;
            (tally, failure) = run_plan_reporting(&mut world, &mut plan, until);
            world.set_collect_events(true);
            refused = failure;
        }
        let at = world.now();
        let session = Session::new(world, ClockMode::Realtime, None, Vec::new());
        // Nothing moves before the player runs: pausing and setting the speed catch the clock
        // up first, which must not carry the world past where the script put it.
        session.set_horizon(Some(at));
        if !options.autoplay {
            session.pause();
        }
        let _ = session.set_speed(options.speed);
        if let Some(old) = self.0.session.borrow_mut().take() {
            old.close();
        }
        {
            let mut timeline = self.0.timeline.borrow_mut();
            let generation = timeline.generation + 1;
            *timeline = Timeline {
                origin: Some(origin),
                origin_fresh: true,
                checkpoints: Vec::new(),
                kind: if plan.is_empty() {
                    PlanKind::None
                } else {
                    PlanKind::Script
                },
                plan,
                end: script_end,
                forked_at: None,
                generation,
                expects: tally,
                start,
                paused_offscreen: false,
                tick_pending: false,
            };
        }
        self.attach_replaced(session, Persistence::Memory(None));
        self.start_player();
        match refused {
            Some((error, true)) => self.refused_as_expected(crate::model::Place::Page, error),
            Some((error, false)) => self.fail(crate::model::Place::Page, error),
            None => {}
        }
        Ok(())
    }

    /// Called when a session is attached by [`Engine::open`]: its world as it stands is the
    /// origin replays start from.
    pub(crate) fn begin_timeline(&self, session: &Session) {
        let (origin, fresh) = session.read_world(|w| {
            let fresh = w.cluster().topics(false).is_empty();
            (w.clone(), fresh)
        });
        let mut timeline = self.0.timeline.borrow_mut();
        let generation = timeline.generation + 1;
        *timeline = Timeline {
            start: origin.now(),
            end: origin.now(),
            origin: Some(origin),
            origin_fresh: fresh,
            generation,
            ..Timeline::default()
        };
    }

    fn attach_replaced(&self, session: Session, persistence: Persistence) {
        let weak = std::rc::Rc::downgrade(&self.0);
        session.subscribe(std::rc::Rc::new(move |event, at| {
            if let Some(inner) = weak.upgrade() {
                let engine = Engine(inner);
                engine.0.pending.borrow_mut().push((event.clone(), at));
                engine.request_frame();
            }
        }));
        let view = session.read(|c| ClusterView::read(c, &self.0.read_options.borrow()));
        let start = self.0.timeline.borrow().start;
        *self.0.session.borrow_mut() = Some(session);
        self.0.pending.borrow_mut().clear();
        self.0.dispatcher.dispatch(Action::Replaced {
            persistence,
            view,
            origin: start,
        });
        self.request_frame();
    }

    /// Plays the plan: waits (the clock stopped there) until each command's time, applies it.
    fn start_player(&self) {
        let this = self.clone();
        let generation = self.0.timeline.borrow().generation;
        spawn_local(async move {
            loop {
                if this.0.timeline.borrow().generation != generation {
                    return;
                }
                let Some(session) = this.session() else {
                    return;
                };
                let next = this.0.timeline.borrow().plan.front().map(|p| p.at);
                let Some(at) = next else {
                    session.set_horizon(None);
                    let mut timeline = this.0.timeline.borrow_mut();
                    if timeline.generation == generation {
                        timeline.kind = PlanKind::None;
                    }
                    return;
                };
                session.set_horizon(Some(at));
                session.sleep_until(at).await;
                if this.0.timeline.borrow().generation != generation || session.is_closed() {
                    return;
                }
                this.apply_due(&session);
            }
        });
    }

    /// Applies every planned command due by now; returns their text.
    fn apply_due(&self, session: &Session) -> Vec<String> {
        let mut said = Vec::new();
        loop {
            let due = {
                let mut timeline = self.0.timeline.borrow_mut();
                match timeline.plan.front() {
                    Some(p) if p.at <= session.now() => timeline.plan.pop_front(),
                    _ => None,
                }
            };
            let Some(planned) = due else {
                break;
            };
            let line = command_line(&planned.command);
            let applied = session.apply(planned.command);
            if let Err(error) = &applied {
                let shown = match error {
                    HostError::Kafka { code, message } => HostError::Kafka {
                        code: *code,
                        message: format!("`{line}`: {message}"),
                    },
                    other => HostError::InvalidArgument(format!("`{line}`: {other}")),
                };
                let expected = refusal_expected(&self.0.timeline.borrow().plan, error.type_name());
                if expected {
                    self.refused_as_expected(crate::model::Place::Page, shown);
                } else {
                    self.fail(crate::model::Place::Page, shown);
                }
            }
            said.push(line);
            let mut timeline = self.0.timeline.borrow_mut();
            count(
                &mut timeline.expects,
                &applied
                    .map_err(|e| rill_core::scenario::CommandError::InvalidArgument(e.to_string())),
            );
        }
        self.request_frame();
        said
    }

    /// A step onto the next planned command, when it comes before anything else within
    /// `limit_ms`: `Some(what)` naming what was done. `None`: step as usual.
    pub(crate) fn step_plan(
        &self,
        session: &Session,
        limit_ms: i64,
    ) -> Option<Result<StepSaid, HostError>> {
        let at = self.0.timeline.borrow().plan.front().map(|p| p.at)?;
        let now = session.now();
        let wake = session.read_world(World::next_wakeup);
        if at - now > limit_ms || wake.is_some_and(|w| w < at) {
            return None;
        }
        if let Err(e) = session.advance((at - now).max(0)) {
            return Some(Err(e));
        }
        let said = self.apply_due(session);
        Some(Ok(StepSaid::Planned {
            moved_ms: at - now,
            commands: said,
        }))
    }

    /// After each frame: a checkpoint when due, and while time runs, another frame in
    /// [`CLOCK_TICK_MS`] so the clock shown moves even when nothing happens. A paused session
    /// (an embed out of sight) sets no timer.
    pub(crate) fn after_frame(&self, session: &Session) {
        self.maybe_checkpoint(session);
        if session.is_paused() || session.is_closed() {
            return;
        }
        {
            let mut timeline = self.0.timeline.borrow_mut();
            if timeline.tick_pending {
                return;
            }
            timeline.tick_pending = true;
        }
        let weak = std::rc::Rc::downgrade(&self.0);
        super::frames::after(CLOCK_TICK_MS, move || {
            if let Some(inner) = weak.upgrade() {
                let engine = Engine(inner);
                engine.0.timeline.borrow_mut().tick_pending = false;
                engine.request_frame();
            }
        });
    }

    /// Takes a checkpoint when the last one is [`CHECKPOINT_EVERY_MS`] old (called each frame).
    fn maybe_checkpoint(&self, session: &Session) {
        let mut timeline = self.0.timeline.borrow_mut();
        let Some(origin) = &timeline.origin else {
            return;
        };
        let last = timeline.checkpoints.last().unwrap_or(origin).now();
        let now = session.now();
        if now - last < CHECKPOINT_EVERY_MS * (1 << (timeline.checkpoints.len() / CHECKPOINTS_MAX))
        {
            return;
        }
        let world = session.read_world(Clone::clone);
        timeline.checkpoints.push(world);
        if timeline.checkpoints.len() > CHECKPOINTS_MAX {
            let mut keep = false;
            timeline.checkpoints.retain(|_| {
                keep = !keep;
                keep
            });
        }
        timeline.end = timeline.end.max(now);
    }

    /// The whole timeline: the recorded history, then the plan.
    fn full_history(&self, session: &Session) -> Vec<(i64, WorldCommand)> {
        let mut full = session.read_world(|w| w.history().to_vec());
        let timeline = self.0.timeline.borrow();
        full.extend(timeline.plan.iter().map(|p| (p.at, p.command.clone())));
        full
    }

    /// Shows the session as it stood at cluster time `at` (clamped to the timeline), paused:
    /// a replay from the nearest checkpoint. What was recorded after `at` stays ahead as the
    /// plan (playing on re-runs it); a command given now forks history.
    pub fn jump_to(&self, at: i64) {
        let Some(session) = self.session() else {
            return;
        };
        let full = self.full_history(&session);
        let now = session.now();
        let (start, end) = {
            let t = self.0.timeline.borrow();
            (t.start, t.end.max(now))
        };
        let at = at.clamp(start, end);
        let history_len = session.read_world(|w| w.history().len());
        let recorded = &full[..history_len];
        let base = {
            let timeline = self.0.timeline.borrow();
            let Some(origin) = &timeline.origin else {
                return;
            };
            timeline
                .checkpoints
                .iter()
                .rev()
                .find(|cp| cp.now() <= at && is_prefix(cp.history(), recorded))
                .unwrap_or(origin)
                .clone()
        };
        let mut world = base;
        world.set_collect_events(false);
        let upto = at.min(now);
        if let Err(error) = replay_onto(&mut world, recorded, upto) {
            self.fail(
                crate::model::Place::Page,
                HostError::InvalidArgument(error.to_string()),
            );
            return;
        }
        // The rest of the timeline ahead of `at`: commands only (the clock supplies time).
        let mut plan: VecDeque<Planned> = full
            .iter()
            .enumerate()
            .filter(|(i, (t, c))| {
                *t > upto && !matches!(c, WorldCommand::Advance { .. }) || *i >= history_len
            })
            .map(|(_, (t, c))| Planned {
                at: *t,
                command: c.clone(),
            })
            .collect();
        // Past the present: run the planned commands up to `at`.
        let tally = if at > upto {
            run_plan_to(&mut world, &mut plan, at)
        } else {
            ExpectTally::default()
        };
        world.set_collect_events(true);
        session.pause();
        if let Err(error) = session.replace_world(world) {
            self.fail(crate::model::Place::Page, error);
            return;
        }
        {
            let mut timeline = self.0.timeline.borrow_mut();
            timeline.generation += 1;
            timeline.end = end;
            timeline.kind = if plan.is_empty() {
                PlanKind::None
            } else {
                PlanKind::Recorded
            };
            timeline.plan = plan;
            timeline.expects.passed += tally.passed;
            timeline.expects.failed += tally.failed;
        }
        let view = session.read(|c| ClusterView::read(c, &self.0.read_options.borrow()));
        self.0.pending.borrow_mut().clear();
        let persistence =
            Persistence::Memory(session.is_detached().then(|| {
                "time travel runs in memory; the stored cluster is kept as it was".into()
            }));
        self.0.dispatcher.dispatch(Action::Replaced {
            persistence,
            view,
            origin: start,
        });
        self.start_player();
        self.request_frame();
    }

    /// Back to the latest time: a jump to the end of the timeline, which keeps the history,
    /// the clock and what lives only in the page (group members, producers). A stored cluster
    /// stays detached from its store: reopening the store instead would be a reload (the
    /// recovered cluster has no history and no clients), so the page says that saving stopped
    /// when time travel began.
    pub fn return_to_latest(&self) {
        self.jump_to(i64::MAX);
    }

    /// Whether the session let go of its store to travel in time: what is on screen is not
    /// saved, the store keeps the state from before.
    pub fn detached_from_store(&self) -> bool {
        self.session().is_some_and(|s| s.is_detached())
    }

    /// Jumps to the previous command's time (or the start).
    pub fn travel_back(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let now = session.now();
        let start = self.0.timeline.borrow().start;
        let target = self
            .entries()
            .iter()
            .rev()
            .map(|e| e.at)
            .find(|at| *at < now)
            .unwrap_or(start);
        self.jump_to(target);
    }

    /// Jumps to the next command's time (or the end of the timeline).
    pub fn travel_forward(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let now = session.now();
        let end = self.0.timeline.borrow().end.max(now);
        let target = self
            .entries()
            .iter()
            .map(|e| e.at)
            .find(|at| *at > now)
            .unwrap_or(end);
        self.jump_to(target);
    }

    /// Before a command of the person: when the plan is recorded history (the view is in the
    /// past), history forks here and the plan is dropped.
    pub(crate) fn fork_if_in_past(&self) {
        let Some(session) = self.session() else {
            return;
        };
        let mut timeline = self.0.timeline.borrow_mut();
        if timeline.kind != PlanKind::Recorded {
            return;
        }
        let now = session.now();
        timeline.plan.clear();
        timeline.kind = PlanKind::None;
        timeline.generation += 1;
        timeline.forked_at = Some(now);
        timeline.end = now;
        timeline.checkpoints.retain(|cp| cp.now() <= now);
        drop(timeline);
        session.set_horizon(None);
    }

    /// Every command of the timeline (recorded and planned), `advance`s left out.
    pub fn entries(&self) -> Vec<Entry> {
        self.entries_around(usize::MAX)
    }

    /// The commands of the timeline, at most `max` recorded ones (the latest) and `max`
    /// planned ones (the next), `advance`s left out.
    pub fn entries_around(&self, max: usize) -> Vec<Entry> {
        let Some(session) = self.session() else {
            return Vec::new();
        };
        let mut entries: Vec<Entry> = session.read_world(|w| {
            let done: Vec<&(i64, WorldCommand)> = w
                .history()
                .iter()
                .filter(|(_, c)| !matches!(c, WorldCommand::Advance { .. }))
                .collect();
            done[done.len().saturating_sub(max)..]
                .iter()
                .map(|(at, c)| Entry {
                    at: *at,
                    text: command_line(c),
                    done: true,
                })
                .collect()
        });
        let timeline = self.0.timeline.borrow();
        entries.extend(timeline.plan.iter().take(max).map(|p| Entry {
            at: p.at,
            text: command_line(&p.command),
            done: false,
        }));
        entries
    }

    /// (start, now, end) of the timeline, cluster ms.
    pub fn span(&self) -> Option<(i64, i64, i64)> {
        let session = self.session()?;
        let now = session.now();
        let timeline = self.0.timeline.borrow();
        Some((timeline.start, now, timeline.end.max(now)))
    }

    /// Where history forked, if the person acted in the past.
    pub fn forked_at(&self) -> Option<i64> {
        self.0.timeline.borrow().forked_at
    }

    /// Whether the view is in the past (recorded commands lie ahead).
    pub fn in_past(&self) -> bool {
        self.0.timeline.borrow().kind == PlanKind::Recorded
    }

    /// The `expect` lines checked so far.
    pub fn expects(&self) -> ExpectTally {
        self.0.timeline.borrow().expects
    }

    /// Whether a shared script rebuilds this session exactly (it started from a fresh world).
    pub fn shareable_exactly(&self) -> bool {
        self.0.timeline.borrow().origin_fresh
    }

    /// The whole timeline as a script (header, every command with its `advance`s, the plan
    /// ahead included, up to the end) and the time shown, ms from the start.
    pub fn script(&self) -> Option<(String, i64)> {
        let session = self.session()?;
        let full = self.full_history(&session);
        let (config, start, now): (WorldConfig, i64, i64) =
            session.read_world(|w| (w.config().clone(), self.0.timeline.borrow().start, w.now()));
        let end = self.0.timeline.borrow().end.max(now);
        let mut at = start;
        let mut commands = Vec::new();
        for (t, command) in full {
            if let WorldCommand::Advance { ms } = command {
                commands.push(WorldCommand::Advance { ms });
                at = t + ms;
                continue;
            }
            if t > at {
                commands.push(WorldCommand::Advance { ms: t - at });
                at = t;
            }
            commands.push(command);
        }
        if end > at {
            commands.push(WorldCommand::Advance { ms: end - at });
        }
        // Consecutive advances read as one.
        let mut merged: Vec<WorldCommand> = Vec::with_capacity(commands.len());
        for command in commands {
            match (merged.last_mut(), &command) {
                (Some(WorldCommand::Advance { ms: last }), WorldCommand::Advance { ms: more }) => {
                    *last += more
                }
                _ => merged.push(command),
            }
        }
        Some((to_text(&config, &merged), now - start))
    }

    /// What happened so far as a shell script of Kafka's own tools.
    pub fn kafka_cli(&self) -> Option<String> {
        let session = self.session()?;
        Some(session.read_world(|w| to_kafka_cli(w.config(), w.history())))
    }

    /// An embed went out of sight (`false`) or came back: a playing clock pauses while it is
    /// out of sight, so no timer fires, and plays again when it is back.
    pub fn set_visible(&self, visible: bool) {
        let Some(session) = self.session() else {
            return;
        };
        let mut timeline = self.0.timeline.borrow_mut();
        if !visible && !session.is_paused() {
            timeline.paused_offscreen = true;
            drop(timeline);
            session.pause();
        } else if visible && timeline.paused_offscreen {
            timeline.paused_offscreen = false;
            drop(timeline);
            session.play();
            self.request_frame();
        }
    }

    /// Closes the session (an embed removed from its page).
    pub fn close(&self) {
        self.0.timeline.borrow_mut().generation += 1;
        if let Some(session) = self.0.session.borrow_mut().take() {
            session.close();
        }
    }

    /// Says on the page that a scenario could not be loaded.
    pub fn load_failed(&self, why: &str) {
        self.fail(
            crate::model::Place::Page,
            HostError::InvalidArgument(format!("the scenario could not be loaded: {why}")),
        );
    }

    /// The world's state hash (tests: a shared link reproduces it).
    pub fn state_hash(&self) -> Option<u64> {
        Some(self.session()?.read_world(World::state_hash))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rill_core::scenario::replay;

    const SCRIPT: &str = "seed 3\nbrokers 3\n\
        kafka-topics --create --topic t --partitions 2 --replication-factor 3\n\
        advance 2s\n\
        kafka-console-producer --topic t --property parse.key=true --property key.separator=:\n\
        a:1\nb:2\n\n\
        advance 3s\n\
        kill broker 1\n\
        advance 12s\n\
        expect isr t-0 != [0, 1, 2]\n";

    #[test]
    fn a_refused_script_command_is_reported_with_its_line() {
        let text = "brokers 3\nseed 1\n\
            kafka-topics --create --topic t --partitions 1 --replication-factor 1\n\
            advance 1s\n\
            kafka-topics --create --topic t --partitions 1 --replication-factor 1\n\
            advance 1s\n\
            kill broker 9\n";
        let script = parse(text).expect("parses");
        let mut world = World::new(script.config.clone()).expect("world");
        let (mut plan, end) = plan_of(script.commands(), world.now());
        let (_, failure) = run_plan_reporting(&mut world, &mut plan, end);
        let (failure, expected) = failure.expect("the second create is refused");
        assert!(!expected, "no expect error line follows it");
        assert_eq!(failure.type_name(), "TOPIC_ALREADY_EXISTS");
        assert!(
            failure
                .to_string()
                .contains("kafka-topics --create --topic t"),
            "{failure}"
        );
        // A script whose commands all succeed reports none.
        let script = parse(SCRIPT).expect("parses");
        let mut world = World::new(script.config.clone()).expect("world");
        let (mut plan, end) = plan_of(script.commands(), world.now());
        assert!(run_plan_reporting(&mut world, &mut plan, end).1.is_none());
    }

    #[test]
    fn a_refusal_the_script_expects_is_told_apart() {
        let text = "brokers 3\nseed 1\n\
            kafka-topics --create --topic t --partitions 3 --replication-factor 1\n\
            advance 1s\n\
            kafka-topics --alter --topic t --partitions 2\n\
            advance 1s\n\
            expect error == INVALID_PARTITIONS\n";
        let script = parse(text).expect("parses");
        let mut world = World::new(script.config.clone()).expect("world");
        let (mut plan, end) = plan_of(script.commands(), world.now());
        let (tally, failure) = run_plan_reporting(&mut world, &mut plan, end);
        let (failure, expected) = failure.expect("the alter is refused");
        assert_eq!(failure.type_name(), "INVALID_PARTITIONS");
        assert!(expected, "the next line expects it");
        assert_eq!(tally.passed, 1);
        // Another error name, or another subject, is no expectation of this refusal.
        let expect = |line: &str| {
            let script = parse(&format!("brokers 1\n{line}\n")).expect("parses");
            plan_of(script.commands(), 0).0
        };
        assert!(refusal_expected(
            &expect("expect error == INVALID_PARTITIONS"),
            "INVALID_PARTITIONS"
        ));
        assert!(!refusal_expected(
            &expect("expect error == TOPIC_ALREADY_EXISTS"),
            "INVALID_PARTITIONS"
        ));
        assert!(!refusal_expected(
            &expect("expect error != INVALID_PARTITIONS"),
            "INVALID_PARTITIONS"
        ));
        assert!(!refusal_expected(&VecDeque::new(), "INVALID_PARTITIONS"));
    }

    #[test]
    fn until_parses_end_and_durations() {
        assert_eq!(Until::parse("end"), Some(Until::End));
        assert_eq!(Until::parse("1500"), Some(Until::At(1500)));
        assert_eq!(Until::parse("30s"), Some(Until::At(30_000)));
        assert_eq!(Until::parse("soon"), None);
        assert_eq!(Until::parse("-5"), None);
    }

    #[test]
    fn a_plan_run_to_the_end_equals_the_script_run() {
        let script = parse(SCRIPT).expect("parses");
        let mut world = World::new(script.config.clone()).expect("world");
        let (mut plan, end) = plan_of(script.commands(), world.now());
        assert_eq!(end - world.now(), 17_000);
        let tally = run_plan_to(&mut world, &mut plan, end);
        assert!(plan.is_empty());
        assert_eq!(
            tally,
            ExpectTally {
                passed: 1,
                failed: 0
            }
        );
        let report = rill_core::scenario::run(SCRIPT).expect("runs");
        assert_eq!(world.state_hash(), report.world.state_hash());
        // And replaying its history from the seed gives the same state.
        let again = replay(world.config(), world.history(), world.now()).expect("replays");
        assert_eq!(again.state_hash(), world.state_hash());
    }

    #[test]
    fn a_checkpoint_cut_inside_an_advance_is_a_prefix() {
        let full = vec![
            (0, WorldCommand::Heal),
            (0, WorldCommand::Advance { ms: 100 }),
            (100, WorldCommand::Heal),
        ];
        assert!(is_prefix(&[], &full));
        assert!(is_prefix(&full[..1], &full));
        assert!(is_prefix(
            &[
                (0, WorldCommand::Heal),
                (0, WorldCommand::Advance { ms: 40 })
            ],
            &full
        ));
        assert!(!is_prefix(
            &[
                (0, WorldCommand::Heal),
                (0, WorldCommand::Advance { ms: 140 })
            ],
            &full
        ));
        assert!(!is_prefix(&[(0, WorldCommand::Advance { ms: 1 })], &full));
    }
}
