//! Button: a debouncer sampled at a fixed tick that turns presses into gestures.
//!
//! # Overview
//! Call [`Button::sample`] every tick with the pin level (pressed or not). A level counts once it has held for
//! the debounce time. A press released before the long-press time is [`Gesture::NextMetric`]; holding it for
//! the long-press time (5 s) gives [`Gesture::ResetSettings`] at once, and its release gives nothing more.
//!
//! # Configuration
//! [`ButtonConfig::new`] takes the tick; `with_debounce_ms` and `with_long_press_ms` change the rest.
//!
//! # Example
//! ```
//! use sysboy_device::button::{Button, ButtonConfig, Gesture};
//! let mut button = Button::new(ButtonConfig::new(10).unwrap());
//! let mut seen = None;
//! for tick in 0..20 {
//!     seen = seen.or(button.sample(tick < 10));
//! }
//! assert_eq!(seen, Some(Gesture::NextMetric));
//! ```

use core::fmt;

/// What a press meant.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gesture {
    /// A short press: show the next metric.
    NextMetric,
    /// A long press: forget the settings and go back to the portal.
    ResetSettings,
}

/// Why button settings were refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonConfigError {
    /// A tick of 0 ms.
    ZeroTick,
    /// A long press no longer than the debounce time.
    LongPressTooShort,
}

impl fmt::Display for ButtonConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ZeroTick => f.write_str("the button tick must be above 0 ms"),
            Self::LongPressTooShort => f.write_str("the long press must be longer than the debounce time"),
        }
    }
}

impl core::error::Error for ButtonConfigError {}

/// Timing for one button.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonConfig {
    tick_ms: u32,
    debounce_ms: u32,
    long_press_ms: u32,
}

impl ButtonConfig {
    /// A button sampled every `tick_ms`, with 30 ms debounce and a 5 s long press.
    pub fn new(tick_ms: u32) -> Result<Self, ButtonConfigError> {
        Self { tick_ms, debounce_ms: 30, long_press_ms: 5000 }.checked()
    }

    /// Sets how long a level must hold before it counts.
    pub fn with_debounce_ms(mut self, debounce_ms: u32) -> Self {
        self.debounce_ms = debounce_ms;
        self
    }

    /// Sets how long a press must last to reset the settings.
    pub fn with_long_press_ms(mut self, long_press_ms: u32) -> Self {
        self.long_press_ms = long_press_ms;
        self
    }

    /// How often the pin is sampled.
    pub const fn tick_ms(&self) -> u32 {
        self.tick_ms
    }

    /// How long a press must last to reset the settings.
    pub const fn long_press_ms(&self) -> u32 {
        self.long_press_ms
    }

    /// Returns the settings if they are usable.
    pub fn checked(self) -> Result<Self, ButtonConfigError> {
        if self.tick_ms == 0 {
            return Err(ButtonConfigError::ZeroTick);
        }
        if self.long_press_ms <= self.debounce_ms {
            return Err(ButtonConfigError::LongPressTooShort);
        }
        Ok(self)
    }
}

/// One debounced button.
#[derive(Debug, Clone)]
pub struct Button {
    config: ButtonConfig,
    pressed: bool,
    // How long the raw level has differed from the debounced one.
    changing_ms: u32,
    held_ms: u32,
    long_fired: bool,
}

impl Button {
    /// A released button.
    pub fn new(config: ButtonConfig) -> Self {
        Self { config, pressed: false, changing_ms: 0, held_ms: 0, long_fired: false }
    }

    /// Takes one sample of the pin and returns the gesture it completes, if any.
    pub fn sample(&mut self, pressed: bool) -> Option<Gesture> {
        let tick = self.config.tick_ms;
        if pressed != self.pressed {
            self.changing_ms = self.changing_ms.saturating_add(tick);
            if self.changing_ms >= self.config.debounce_ms {
                self.pressed = pressed;
                self.changing_ms = 0;
                if pressed {
                    self.held_ms = 0;
                    self.long_fired = false;
                } else if !self.long_fired {
                    return Some(Gesture::NextMetric);
                }
            }
        } else {
            self.changing_ms = 0;
        }
        if self.pressed && !self.long_fired {
            self.held_ms = self.held_ms.saturating_add(tick);
            if self.held_ms >= self.config.long_press_ms {
                self.long_fired = true;
                return Some(Gesture::ResetSettings);
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;

    /// Samples `levels` every 10 ms and returns (ms, gesture) for each gesture.
    fn run(levels: impl IntoIterator<Item = bool>) -> Vec<(u32, Gesture)> {
        let mut button = Button::new(ButtonConfig::new(10).unwrap());
        let mut seen = Vec::new();
        for (tick, level) in levels.into_iter().enumerate() {
            if let Some(gesture) = button.sample(level) {
                seen.push((tick as u32 * 10, gesture));
            }
        }
        seen
    }

    fn held(ms: usize) -> impl Iterator<Item = bool> {
        core::iter::repeat_n(true, ms / 10).chain(core::iter::repeat_n(false, 10))
    }

    #[test]
    fn short_press_selects_the_next_metric_on_release() {
        assert_eq!(run(held(200)), [(220, Gesture::NextMetric)]);
    }

    #[test]
    fn long_press_resets_settings_after_5_seconds_without_waiting_for_release() {
        let seen = run(held(7000));
        assert_eq!(seen.len(), 1);
        assert_eq!(seen[0].1, Gesture::ResetSettings);
        assert!((5000..=5040).contains(&seen[0].0), "fired at {} ms", seen[0].0);
    }

    #[test]
    fn contact_bounce_is_not_a_press() {
        let bounce = [true, false, true, false, false, true, false, false, false, false];
        assert_eq!(run(bounce), []);
    }

    #[test]
    fn a_bouncy_press_counts_once() {
        let levels = [true, false, true].into_iter().chain(held(300)).chain([true, false, true, false]);
        let levels: Vec<bool> = levels.chain(core::iter::repeat_n(false, 10)).collect();
        assert_eq!(run(levels).len(), 1);
    }

    #[test]
    fn refuses_unusable_timing() {
        assert_eq!(ButtonConfig::new(0), Err(ButtonConfigError::ZeroTick));
        assert_eq!(ButtonConfig::new(10).unwrap().with_long_press_ms(20).checked(), Err(ButtonConfigError::LongPressTooShort));
    }
}
