//! How a session's cluster time follows the page's clock: manual, or realtime × a speed, and
//! paused. Pure arithmetic over (wall time, cluster time) pairs, so it is tested natively.
//!
//! In realtime the cluster's time is `anchor_cluster + (wall − anchor_wall) × speed`. Changing
//! the speed, pausing, playing and every manual move re-anchor at the current pair, so cluster
//! time never jumps and never runs backwards.

/// The slowest and fastest realtime speeds (`0.1×` to `10×` in the playground; the API allows
/// a wider range for tests and demos).
pub const SPEED_MIN: f64 = 0.01;
/// See [`SPEED_MIN`].
pub const SPEED_MAX: f64 = 100.0;

/// How time moves in a session.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClockMode {
    /// Only explicit moves (`advance`, `step`) change the time.
    Manual,
    /// The cluster follows the page's clock, × the speed, unless paused.
    Realtime,
}

/// Why a clock change was refused.
#[derive(Clone, Debug, PartialEq)]
pub enum ClockError {
    /// The speed is not a finite number in [`SPEED_MIN`]..=[`SPEED_MAX`].
    Speed(f64),
}

impl std::fmt::Display for ClockError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Speed(speed) => write!(
                f,
                "speed must be a number from {SPEED_MIN} to {SPEED_MAX}, got {speed}"
            ),
        }
    }
}

/// The clock's state. `wall` arguments are the page's milliseconds (`Date.now()` or
/// `performance.now()`, as long as one source is used throughout).
#[derive(Clone, Debug, PartialEq)]
pub struct Clock {
    mode: ClockMode,
    speed: f64,
    paused: bool,
    anchor_wall: f64,
    anchor_cluster: i64,
}

impl Clock {
    /// A clock in `mode` at speed 1, running (realtime) from the pair (`wall`, `cluster`).
    pub fn new(mode: ClockMode, wall: f64, cluster: i64) -> Self {
        Self {
            mode,
            speed: 1.0,
            paused: false,
            anchor_wall: wall,
            anchor_cluster: cluster,
        }
    }

    /// The mode.
    pub fn mode(&self) -> ClockMode {
        self.mode
    }

    /// The realtime speed factor.
    pub fn speed(&self) -> f64 {
        self.speed
    }

    /// Whether realtime is paused (a manual clock is never "running").
    pub fn is_paused(&self) -> bool {
        self.paused
    }

    /// Whether time moves by itself: realtime and not paused.
    pub fn is_running(&self) -> bool {
        self.mode == ClockMode::Realtime && !self.paused
    }

    /// The cluster time the page's clock says it should be at `wall` (never before
    /// `cluster_now`: time only moves forward). A stopped clock says `cluster_now`.
    pub fn target(&self, wall: f64, cluster_now: i64) -> i64 {
        if !self.is_running() {
            return cluster_now;
        }
        let elapsed = ((wall - self.anchor_wall) * self.speed).max(0.0);
        let target = self.anchor_cluster.saturating_add(elapsed.floor() as i64);
        target.max(cluster_now)
    }

    /// How many wall milliseconds from `wall` until cluster time `at` is due (0 when it is due
    /// already); `None` when the clock does not run by itself.
    pub fn wall_delay(&self, at: i64, wall: f64, cluster_now: i64) -> Option<f64> {
        if !self.is_running() {
            return None;
        }
        let due_wall = self.anchor_wall + (at - self.anchor_cluster) as f64 / self.speed;
        let _ = cluster_now;
        Some((due_wall - wall).max(0.0))
    }

    /// Sets the realtime speed, re-anchored so cluster time does not jump.
    pub fn set_speed(&mut self, speed: f64, wall: f64, cluster_now: i64) -> Result<(), ClockError> {
        if !speed.is_finite() || !(SPEED_MIN..=SPEED_MAX).contains(&speed) {
            return Err(ClockError::Speed(speed));
        }
        self.reanchor(wall, cluster_now);
        self.speed = speed;
        Ok(())
    }

    /// Stops realtime at `cluster_now`.
    pub fn pause(&mut self, wall: f64, cluster_now: i64) {
        self.reanchor(wall, cluster_now);
        self.paused = true;
    }

    /// Resumes realtime from `cluster_now`.
    pub fn play(&mut self, wall: f64, cluster_now: i64) {
        self.paused = false;
        self.reanchor(wall, cluster_now);
    }

    /// Records that the cluster is at `cluster_now` at `wall` (after a manual move, or a catch
    /// up that stopped short of its target to yield to the page).
    pub fn reanchor(&mut self, wall: f64, cluster_now: i64) {
        self.anchor_wall = wall;
        self.anchor_cluster = cluster_now;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn realtime_follows_the_wall_clock_times_the_speed() {
        let mut clock = Clock::new(ClockMode::Realtime, 1_000.0, 50);
        assert_eq!(clock.target(1_500.0, 50), 550);
        clock.set_speed(10.0, 1_500.0, 550).expect("valid speed");
        assert_eq!(
            clock.target(1_600.0, 550),
            1_550,
            "10 × 100 ms after re-anchoring"
        );
        clock.set_speed(0.1, 1_600.0, 1_550).expect("valid speed");
        assert_eq!(clock.target(2_600.0, 1_550), 1_650);
    }

    #[test]
    fn time_never_runs_backwards_and_a_paused_clock_stands_still() {
        let mut clock = Clock::new(ClockMode::Realtime, 1_000.0, 0);
        assert_eq!(clock.target(900.0, 0), 0, "a wall clock stepping back");
        assert_eq!(
            clock.target(1_100.0, 500),
            500,
            "the cluster is already ahead"
        );
        clock.pause(1_100.0, 100);
        assert_eq!(clock.target(9_000.0, 100), 100);
        assert_eq!(clock.wall_delay(200, 9_000.0, 100), None);
        clock.play(9_000.0, 100);
        assert_eq!(clock.target(9_050.0, 100), 150);
    }

    #[test]
    fn wall_delay_scales_with_the_speed() {
        let mut clock = Clock::new(ClockMode::Realtime, 0.0, 0);
        assert_eq!(clock.wall_delay(1_000, 0.0, 0), Some(1_000.0));
        clock.set_speed(4.0, 0.0, 0).expect("valid speed");
        assert_eq!(clock.wall_delay(1_000, 0.0, 0), Some(250.0));
        assert_eq!(clock.wall_delay(1_000, 500.0, 0), Some(0.0), "overdue");
    }

    #[test]
    fn a_manual_clock_never_moves_by_itself() {
        let clock = Clock::new(ClockMode::Manual, 0.0, 7);
        assert!(!clock.is_running());
        assert_eq!(clock.target(1e9, 7), 7);
        assert_eq!(clock.wall_delay(8, 0.0, 7), None);
    }

    #[test]
    fn bad_speeds_are_refused_and_change_nothing() {
        let mut clock = Clock::new(ClockMode::Realtime, 0.0, 0);
        let before = clock.clone();
        for speed in [0.0, -1.0, f64::NAN, f64::INFINITY, 1_000.0] {
            assert!(clock.set_speed(speed, 10.0, 10).is_err(), "{speed}");
            assert_eq!(clock, before);
        }
    }
}
