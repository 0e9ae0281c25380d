//! Ballistics: a second-order filter that eases the needle to its target at a fixed tick, VU-like.
//!
//! The filter is solved exactly over one tick for a target held during it (zero-order hold), so the overshoot
//! and the time to 99 % are what the settings say whatever the tick, and frame timing never enters it.

use core::f32::consts::PI;
use core::fmt;

use libm::{cosf, expf, logf, sinf, sqrtf};

/// Why ballistics settings were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BallisticsError {
    /// `settle_ms` outside 50..=5000.
    SettleOutOfRange(u32),
    /// Overshoot outside 0..=1.5 %.
    OvershootOutOfRange,
    /// A tick of 0 ms, or longer than the settle time.
    BadTick(u32),
}

impl fmt::Display for BallisticsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::SettleOutOfRange(ms) => write!(f, "settle time {ms} ms is outside 50..5000 ms"),
            Self::OvershootOutOfRange => f.write_str("overshoot is outside 0..1.5 %"),
            Self::BadTick(ms) => write!(f, "a tick of {ms} ms cannot drive ballistics"),
        }
    }
}

impl core::error::Error for BallisticsError {}

/// How the needle moves: time to reach 99 % of a step, largest overshoot, and the fixed tick it is stepped at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BallisticsConfig {
    settle_ms: u32,
    overshoot_pct: f32,
    tick_ms: u32,
}

impl Default for BallisticsConfig {
    /// A VU meter: 300 ms to 99 %, 1 % overshoot, stepped every 10 ms.
    fn default() -> Self {
        Self { settle_ms: 300, overshoot_pct: 1.0, tick_ms: 10 }
    }
}

impl BallisticsConfig {
    /// Checks the settings.
    pub fn new(settle_ms: u32, overshoot_pct: f32, tick_ms: u32) -> Result<Self, BallisticsError> {
        Self::default().with_settle_ms(settle_ms).with_overshoot_pct(overshoot_pct).with_tick_ms(tick_ms).checked()
    }

    /// Takes the host's settings, keeping this tick.
    pub fn from_message(message: &sysboy_protocol::Ballistics, tick_ms: u32) -> Result<Self, BallisticsError> {
        Self::new(u32::from(message.settle_ms), message.overshoot_pct as f32, tick_ms)
    }

    /// Sets the time to 99 % of a step.
    pub fn with_settle_ms(mut self, settle_ms: u32) -> Self {
        self.settle_ms = settle_ms;
        self
    }

    /// Sets the largest overshoot, in percent of the step.
    pub fn with_overshoot_pct(mut self, overshoot_pct: f32) -> Self {
        self.overshoot_pct = overshoot_pct;
        self
    }

    /// Sets the tick the filter is stepped at.
    pub fn with_tick_ms(mut self, tick_ms: u32) -> Self {
        self.tick_ms = tick_ms;
        self
    }

    /// The tick, ms.
    pub fn tick_ms(&self) -> u32 {
        self.tick_ms
    }

    /// The time to 99 %, ms.
    pub fn settle_ms(&self) -> u32 {
        self.settle_ms
    }

    /// Returns the settings if they can drive a filter.
    pub fn checked(self) -> Result<Self, BallisticsError> {
        if !(50..=5000).contains(&self.settle_ms) {
            return Err(BallisticsError::SettleOutOfRange(self.settle_ms));
        }
        if !(0.0..=1.5).contains(&self.overshoot_pct) {
            return Err(BallisticsError::OvershootOutOfRange);
        }
        if self.tick_ms == 0 || self.tick_ms > self.settle_ms {
            return Err(BallisticsError::BadTick(self.tick_ms));
        }
        Ok(self)
    }
}

/// The needle filter: position and speed, stepped once per tick towards a target.
#[derive(Debug, Clone, PartialEq)]
pub struct Ballistics {
    config: BallisticsConfig,
    // One tick of the exact solution, as a 2×2 matrix on (position − target, speed).
    step: [[f32; 2]; 2],
    position: f32,
    speed: f32,
}

impl Ballistics {
    /// A filter at rest at `position`.
    pub fn new(config: BallisticsConfig, position: f32) -> Result<Self, BallisticsError> {
        let config = config.checked()?;
        Ok(Self { step: step_matrix(&config), config, position, speed: 0.0 })
    }

    /// Changes the settings, keeping the needle where it is and moving.
    pub fn reconfigure(&mut self, config: BallisticsConfig) -> Result<(), BallisticsError> {
        let config = config.checked()?;
        self.step = step_matrix(&config);
        self.config = config;
        Ok(())
    }

    /// The settings in use.
    pub fn config(&self) -> &BallisticsConfig {
        &self.config
    }

    /// Where the needle is, percent.
    pub fn position(&self) -> f32 {
        self.position
    }

    /// Puts the needle at rest at `position` (where something else, a hold, has driven it).
    pub fn rest_at(&mut self, position: f32) {
        self.position = position;
        self.speed = 0.0;
    }

    /// Advances one tick towards `target` percent and returns the new position.
    pub fn step(&mut self, target: f32) -> f32 {
        let error = self.position - target;
        let [[a, b], [c, d]] = self.step;
        let next_error = a * error + b * self.speed;
        self.speed = c * error + d * self.speed;
        self.position = target + next_error;
        self.position
    }
}

/// The damping ratio that gives `overshoot_pct` on a step; none gives critical damping.
fn damping(overshoot_pct: f32) -> f32 {
    if overshoot_pct <= 0.0 {
        return 1.0;
    }
    let ln = logf(overshoot_pct / 100.0);
    -ln / sqrtf(PI * PI + ln * ln)
}

/// The step response at normalised time `t` (natural frequency 1).
fn step_response(zeta: f32, t: f32) -> f32 {
    if zeta >= 0.9999 {
        return 1.0 - (1.0 + t) * expf(-t);
    }
    let wd = sqrtf(1.0 - zeta * zeta);
    1.0 - expf(-zeta * t) * (cosf(wd * t) + zeta / wd * sinf(wd * t))
}

/// The normalised time at which the step response first reaches 99 %, by bisection over its rising part.
fn time_to_99(zeta: f32) -> f32 {
    let (mut low, mut high) = (0.0_f32, if zeta >= 0.9999 { 20.0 } else { PI / sqrtf(1.0 - zeta * zeta) });
    for _ in 0..60 {
        let middle = 0.5 * (low + high);
        if step_response(zeta, middle) < 0.99 {
            low = middle;
        } else {
            high = middle;
        }
    }
    high
}

fn step_matrix(config: &BallisticsConfig) -> [[f32; 2]; 2] {
    let zeta = damping(config.overshoot_pct);
    let wn = time_to_99(zeta) / (config.settle_ms as f32 / 1000.0);
    let dt = config.tick_ms as f32 / 1000.0;
    let sigma = zeta * wn;
    let decay = expf(-sigma * dt);
    // sin(wd·dt)/wd and cos(wd·dt); their limits at critical damping are dt and 1.
    let (cos, sin_over_wd) = if zeta >= 0.9999 {
        (1.0, dt)
    } else {
        let wd = wn * sqrtf(1.0 - zeta * zeta);
        (cosf(wd * dt), sinf(wd * dt) / wd)
    };
    [
        [decay * (cos + sigma * sin_over_wd), decay * sin_over_wd],
        [-decay * wn * wn * sin_over_wd, decay * (cos - sigma * sin_over_wd)],
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Steps from 0 to 100 % and returns (ms to reach 99 %, peak position).
    fn step_from_zero(config: BallisticsConfig) -> (u32, f32) {
        let mut needle = Ballistics::new(config, 0.0).unwrap();
        let (mut reached, mut peak) = (None, 0.0_f32);
        for tick in 1..=(5 * config.settle_ms / config.tick_ms) {
            let position = needle.step(100.0);
            peak = peak.max(position);
            if reached.is_none() && position >= 99.0 {
                reached = Some(tick * config.tick_ms);
            }
        }
        (reached.expect("the needle never reached 99 %"), peak)
    }

    #[test]
    fn needle_reaches_99_percent_of_step_in_about_300_ms() {
        let (ms, _) = step_from_zero(BallisticsConfig::default());
        assert!((290..=310).contains(&ms), "reached 99 % after {ms} ms");
    }

    #[test]
    fn overshoot_stays_under_1_5_percent() {
        for overshoot in [0.0, 1.0, 1.5] {
            let (_, peak) = step_from_zero(BallisticsConfig::default().with_overshoot_pct(overshoot));
            assert!(peak <= 100.0 + overshoot + 0.01, "overshoot {overshoot}: peak {peak}");
            assert!(peak <= 101.5 + 0.01);
        }
    }

    #[test]
    fn critically_damped_needle_never_overshoots() {
        let (_, peak) = step_from_zero(BallisticsConfig::default().with_overshoot_pct(0.0));
        assert!(peak <= 100.0 + 1e-3, "peak {peak}");
    }

    #[test]
    fn settle_time_does_not_depend_on_the_tick() {
        for tick in [1, 5, 10, 20] {
            let (ms, _) = step_from_zero(BallisticsConfig::default().with_tick_ms(tick));
            assert!(ms.abs_diff(300) <= tick, "tick {tick} ms: 99 % after {ms} ms");
        }
    }

    #[test]
    fn slow_settings_take_longer() {
        let (ms, _) = step_from_zero(BallisticsConfig::default().with_settle_ms(1200));
        assert!((1190..=1210).contains(&ms), "reached 99 % after {ms} ms");
    }

    #[test]
    fn refuses_settings_outside_the_schema_ranges() {
        assert_eq!(BallisticsConfig::new(10, 1.0, 10), Err(BallisticsError::SettleOutOfRange(10)));
        assert_eq!(BallisticsConfig::new(300, 2.0, 10), Err(BallisticsError::OvershootOutOfRange));
        assert_eq!(BallisticsConfig::new(300, f32::NAN, 10), Err(BallisticsError::OvershootOutOfRange));
        assert_eq!(BallisticsConfig::new(300, 1.0, 0), Err(BallisticsError::BadTick(0)));
    }
}
