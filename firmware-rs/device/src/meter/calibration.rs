//! Calibration: the piecewise-linear curve from needle percent to output code, with one step of undo.

use alloc::vec::Vec;
use core::fmt;

use sysboy_protocol::CalibrationPoint;

/// Fewest points a curve may have.
pub const MIN_POINTS: usize = 2;
/// Most points a curve may have.
pub const MAX_POINTS: usize = 16;

/// Why a calibration curve was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CalibrationError {
    /// Fewer than 2 or more than 16 points.
    PointCount(usize),
    /// A percent outside 0..=100 or not a number.
    PercentOutOfRange,
    /// Point `index` does not rise above the one before it, in percent or in code.
    NotIncreasing(usize),
    /// A code (the first field) above the output's largest code (the second).
    CodeTooLarge(u16, u16),
}

impl fmt::Display for CalibrationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::PointCount(n) => write!(f, "a calibration needs {MIN_POINTS} to {MAX_POINTS} points, got {n}"),
            Self::PercentOutOfRange => f.write_str("a calibration percent is outside 0..100"),
            Self::NotIncreasing(i) => write!(f, "calibration point {i} does not increase in both percent and code"),
            Self::CodeTooLarge(code, max) => write!(f, "calibration code {code} is above the output's largest code ({max})"),
        }
    }
}

impl core::error::Error for CalibrationError {}

/// Why a calibration could not be undone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UndoError {
    /// The curve in use is the first one, or the last undo already went back.
    NothingToUndo,
    /// This board keeps no calibration history it can go back in.
    Unsupported,
}

impl fmt::Display for UndoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NothingToUndo => f.write_str("nothing to undo: no earlier calibration is stored"),
            Self::Unsupported => f.write_str("this board cannot undo a calibration"),
        }
    }
}

impl core::error::Error for UndoError {}

/// The largest code of an output with `bits` of resolution (1 to 16; more is taken as 16).
pub const fn max_code_for_bits(bits: u8) -> u16 {
    if bits >= 16 {
        u16::MAX
    } else {
        (1u16 << bits) - 1
    }
}

/// A validated curve: points strictly increasing in both percent and code.
#[derive(Debug, Clone, PartialEq)]
pub struct Calibration {
    points: Vec<(f32, u16)>,
}

impl Calibration {
    /// The straight line from 0 % → code 0 to 100 % → `max_code`, the curve a fresh device starts with.
    pub fn linear(max_code: u16) -> Self {
        Self { points: alloc::vec![(0.0, 0), (100.0, max_code.max(1))] }
    }

    /// Checks `points` (percent, code) for an output whose codes go up to `max_code`.
    pub fn new(points: &[(f32, u16)], max_code: u16) -> Result<Self, CalibrationError> {
        if !(MIN_POINTS..=MAX_POINTS).contains(&points.len()) {
            return Err(CalibrationError::PointCount(points.len()));
        }
        for (index, &(percent, code)) in points.iter().enumerate() {
            if !(0.0..=100.0).contains(&percent) {
                return Err(CalibrationError::PercentOutOfRange);
            }
            if code > max_code {
                return Err(CalibrationError::CodeTooLarge(code, max_code));
            }
            if index > 0 {
                let (last_percent, last_code) = points[index - 1];
                if percent <= last_percent || code <= last_code {
                    return Err(CalibrationError::NotIncreasing(index));
                }
            }
        }
        Ok(Self { points: points.to_vec() })
    }

    /// Takes the curve a host sent in a config frame.
    pub fn from_points(points: &[CalibrationPoint], max_code: u16) -> Result<Self, CalibrationError> {
        let points: Vec<(f32, u16)> = points.iter().map(|p| (p.percent as f32, p.code)).collect();
        Self::new(&points, max_code)
    }

    /// The curve as protocol points, for storing or reporting.
    pub fn to_points(&self) -> Vec<CalibrationPoint> {
        self.points.iter().map(|&(percent, code)| CalibrationPoint { percent: f64::from(percent), code }).collect()
    }

    /// The points, in increasing order.
    pub fn points(&self) -> &[(f32, u16)] {
        &self.points
    }

    /// The output code for a needle position; positions beyond the curve's ends get the end codes.
    pub fn code_for(&self, percent: f32) -> u16 {
        let first = self.points[0];
        let last = self.points[self.points.len() - 1];
        if percent.is_nan() || percent <= first.0 {
            return first.1;
        }
        if percent >= last.0 {
            return last.1;
        }
        for pair in self.points.windows(2) {
            let ((p0, c0), (p1, c1)) = (pair[0], pair[1]);
            if percent <= p1 {
                let share = (percent - p0) / (p1 - p0);
                let code = f32::from(c0) + share * f32::from(c1 - c0);
                return (code + 0.5) as u16;
            }
        }
        last.1
    }

    /// The needle position this curve drives at `code`: the inverse of [`Calibration::code_for`]; codes beyond
    /// the curve's ends get the end positions.
    pub fn percent_for(&self, code: u16) -> f32 {
        let first = self.points[0];
        let last = self.points[self.points.len() - 1];
        if code <= first.1 {
            return first.0;
        }
        if code >= last.1 {
            return last.0;
        }
        for pair in self.points.windows(2) {
            let ((p0, c0), (p1, c1)) = (pair[0], pair[1]);
            if code <= c1 {
                let share = f32::from(code - c0) / f32::from(c1 - c0);
                return p0 + share * (p1 - p0);
            }
        }
        last.0
    }
}

/// The curve in use and the one before it, so a bad calibration can be taken back.
#[derive(Debug, Clone, PartialEq)]
pub struct CalibrationHistory {
    current: Calibration,
    previous: Option<Calibration>,
}

impl CalibrationHistory {
    /// Starts with `current` and nothing to undo.
    pub fn new(current: Calibration) -> Self {
        Self { current, previous: None }
    }

    /// Restores a stored pair.
    pub fn restore(current: Calibration, previous: Option<Calibration>) -> Self {
        Self { current, previous }
    }

    /// The curve in use.
    pub fn current(&self) -> &Calibration {
        &self.current
    }

    /// The curve `undo` would go back to.
    pub fn previous(&self) -> Option<&Calibration> {
        self.previous.as_ref()
    }

    /// Puts `next` in use and keeps the old curve for undo. Setting the same curve again changes nothing.
    pub fn set(&mut self, next: Calibration) {
        if next != self.current {
            self.previous = Some(core::mem::replace(&mut self.current, next));
        }
    }

    /// Goes back to the previous curve. Only one step is kept, so a second undo has nothing to go back to (an
    /// undo that redid would let a host that retries flip the needle between two curves).
    pub fn undo(&mut self) -> Result<(), UndoError> {
        let previous = self.previous.take().ok_or(UndoError::NothingToUndo)?;
        self.current = previous;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_curve_is_linear_from_zero_to_max_code() {
        let curve = Calibration::linear(1023);
        assert_eq!(curve.code_for(0.0), 0);
        assert_eq!(curve.code_for(50.0), 512);
        assert_eq!(curve.code_for(100.0), 1023);
    }

    #[test]
    fn interpolates_between_points_and_clamps_outside() {
        let curve = Calibration::new(&[(0.0, 100), (50.0, 300), (100.0, 900)], 1023).unwrap();
        assert_eq!(curve.code_for(25.0), 200);
        assert_eq!(curve.code_for(75.0), 600);
        assert_eq!(curve.code_for(-5.0), 100);
        assert_eq!(curve.code_for(101.5), 900);
        assert_eq!(curve.code_for(f32::NAN), 100);
    }

    #[test]
    fn the_position_for_a_code_inverts_the_curve_and_clamps_outside() {
        let curve = Calibration::new(&[(10.0, 100), (50.0, 300), (100.0, 900)], 1023).unwrap();
        assert_eq!(curve.percent_for(200), 30.0);
        assert_eq!(curve.percent_for(600), 75.0);
        assert_eq!(curve.percent_for(0), 10.0);
        assert_eq!(curve.percent_for(1023), 100.0);
        for code in [120u16, 333, 777] {
            assert_eq!(curve.code_for(curve.percent_for(code)), code, "round trip of {code}");
        }
    }

    #[test]
    fn refuses_curves_that_do_not_increase_in_both_axes() {
        assert_eq!(Calibration::new(&[(0.0, 0), (50.0, 10), (40.0, 20)], 1023), Err(CalibrationError::NotIncreasing(2)));
        assert_eq!(Calibration::new(&[(0.0, 10), (50.0, 10)], 1023), Err(CalibrationError::NotIncreasing(1)));
        assert_eq!(Calibration::new(&[(0.0, 0)], 1023), Err(CalibrationError::PointCount(1)));
        let many: Vec<(f32, u16)> = (0..17).map(|i| (i as f32, i as u16)).collect();
        assert_eq!(Calibration::new(&many, 1023), Err(CalibrationError::PointCount(17)));
        assert_eq!(Calibration::new(&[(0.0, 0), (100.0, 2000)], 1023), Err(CalibrationError::CodeTooLarge(2000, 1023)));
        assert_eq!(Calibration::new(&[(0.0, 0), (f32::NAN, 20)], 1023), Err(CalibrationError::PercentOutOfRange));
    }

    #[test]
    fn takes_the_host_message_points() {
        let points = [CalibrationPoint { percent: 0.0, code: 5 }, CalibrationPoint { percent: 100.0, code: 1000 }];
        let curve = Calibration::from_points(&points, 1023).unwrap();
        assert_eq!(curve.to_points(), points);
    }

    #[test]
    fn undo_restores_the_previous_curve_once() {
        let mut history = CalibrationHistory::new(Calibration::linear(1023));
        assert_eq!(history.undo(), Err(UndoError::NothingToUndo));
        let bent = Calibration::new(&[(0.0, 0), (50.0, 700), (100.0, 1023)], 1023).unwrap();
        history.set(bent.clone());
        assert_eq!(history.current(), &bent);
        assert_eq!(history.undo(), Ok(()));
        assert_eq!(history.current(), &Calibration::linear(1023));
        assert_eq!(history.previous(), None);
        assert_eq!(history.undo(), Err(UndoError::NothingToUndo));
        assert_eq!(history.current(), &Calibration::linear(1023), "a refused undo changes nothing");
    }

    #[test]
    fn a_restored_pair_undoes_to_its_stored_previous_curve() {
        let bent = Calibration::new(&[(0.0, 0), (50.0, 700), (100.0, 1023)], 1023).unwrap();
        let mut history = CalibrationHistory::restore(bent, Some(Calibration::linear(1023)));
        assert_eq!(history.undo(), Ok(()));
        assert_eq!(history.current().code_for(50.0), 512);
    }

    #[test]
    fn an_output_s_bits_give_its_largest_code() {
        assert_eq!(max_code_for_bits(1), 1);
        assert_eq!(max_code_for_bits(10), 1023);
        assert_eq!(max_code_for_bits(12), 4095);
        assert_eq!(max_code_for_bits(16), u16::MAX);
    }
}
