//! The numbers of the module's meter interface (the `meter_*` exports): slots, the scratch buffer, needle state
//! codes, result codes, and the checks that turn the host's plain numbers into the device's types. The host's
//! wrapper (host/wasm/virtual-meter.ts) uses the same numbers.

use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use sysboy_device::meter::{CalibrationError, MeterConfigError, NeedleState, NoData, MAX_POINTS};
use sysboy_protocol::CalibrationPoint;

/// Meter slots: one for each analog output a dashboard shows at once.
pub const SLOTS: usize = 8;
/// Bytes of the meter scratch buffer: calibration points in, reasons in and out.
pub const SCRATCH_LEN: usize = 512;
/// Bytes of one calibration point in the scratch buffer: the percent, then the code, each a little-endian `f64`.
pub const POINT_LEN: usize = 16;

/// Needle state code: [`NeedleState::Live`].
pub const STATE_LIVE: u32 = 0;
/// Needle state code: parked, no figure yet ([`NoData::Waiting`]).
pub const STATE_WAITING: u32 = 1;
/// Needle state code: parked, no figure within the stale timeout ([`NoData::Stale`]).
pub const STATE_STALE: u32 = 2;
/// Needle state code: parked, the figure is unknown ([`NoData::Unknown`]; its reason is in the scratch buffer).
pub const STATE_UNKNOWN: u32 = 3;
/// Needle state code: [`NeedleState::Sweeping`].
pub const STATE_SWEEPING: u32 = 4;
/// Needle state code: [`NeedleState::Portal`].
pub const STATE_PORTAL: u32 = 5;

/// Result code of a call that succeeded.
pub const OK: u32 = 0;

/// Why a meter call was refused. [`MeterAbiError::code`] is what the module returns; its text (the device's own for
/// [`MeterAbiError::Config`] and [`MeterAbiError::Calibration`]) is what `meter_reason` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MeterAbiError {
    /// The slot is not one of the [`SLOTS`].
    BadSlot(u32),
    /// The slot holds no meter (never created, or released).
    EmptySlot(u32),
    /// An output has 1 to 16 bits.
    BadBits(u32),
    /// A time is not a finite number of milliseconds, 0 or more.
    BadTime,
    /// The code of this calibration point is not a whole number in 0..=65535.
    BadPointCode(usize),
    /// An output code is not a whole number in 0..=65535.
    BadCode,
    /// A reason is not UTF-8.
    BadText,
    /// A reason runs past the scratch buffer.
    TooLong,
    /// The device refused the meter's settings.
    Config(MeterConfigError),
    /// The device refused the calibration curve.
    Calibration(CalibrationError),
}

impl MeterAbiError {
    /// The result code the module returns for it (never [`OK`]).
    pub const fn code(self) -> u32 {
        match self {
            Self::BadSlot(_) => 1,
            Self::EmptySlot(_) => 2,
            Self::BadBits(_) => 3,
            Self::BadTime => 4,
            Self::BadPointCode(_) => 5,
            Self::BadText => 6,
            Self::TooLong => 7,
            Self::Config(_) => 8,
            Self::Calibration(_) => 9,
            Self::BadCode => 10,
        }
    }
}

impl fmt::Display for MeterAbiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadSlot(slot) => write!(f, "no meter slot {slot}: the module has slots 0 to {}", SLOTS - 1),
            Self::EmptySlot(slot) => write!(f, "meter slot {slot} holds no meter"),
            Self::BadBits(bits) => write!(f, "an output has 1 to 16 bits, got {bits}"),
            Self::BadTime => f.write_str("a time must be a finite number of milliseconds, 0 or more"),
            Self::BadPointCode(index) => write!(f, "calibration point {index} has a code that is not a whole number in 0..=65535"),
            Self::BadCode => f.write_str("an output code must be a whole number in 0..=65535"),
            Self::BadText => f.write_str("the reason is not UTF-8"),
            Self::TooLong => write!(f, "the reason is longer than the {SCRATCH_LEN}-byte scratch buffer"),
            Self::Config(error) => write!(f, "{error}"),
            Self::Calibration(error) => write!(f, "{error}"),
        }
    }
}

impl core::error::Error for MeterAbiError {}

impl From<MeterConfigError> for MeterAbiError {
    fn from(error: MeterConfigError) -> Self {
        Self::Config(error)
    }
}

impl From<CalibrationError> for MeterAbiError {
    fn from(error: CalibrationError) -> Self {
        Self::Calibration(error)
    }
}

/// The slot index of a slot number.
pub fn slot(slot: u32) -> Result<usize, MeterAbiError> {
    usize::try_from(slot).ok().filter(|&index| index < SLOTS).ok_or(MeterAbiError::BadSlot(slot))
}

/// The milliseconds of a time the host gives as a number (a JavaScript number carries no `u64`); a fraction is
/// dropped.
pub fn time(ms: f64) -> Result<u64, MeterAbiError> {
    // 2^53: the largest whole number a JavaScript number holds exactly.
    if ms.is_finite() && (0.0..=9_007_199_254_740_992.0).contains(&ms) {
        Ok(ms as u64)
    } else {
        Err(MeterAbiError::BadTime)
    }
}

/// The bits of an output, 1 to 16.
pub fn bits(bits: u32) -> Result<u8, MeterAbiError> {
    u8::try_from(bits).ok().filter(|bits| (1..=16).contains(bits)).ok_or(MeterAbiError::BadBits(bits))
}

/// The output code the host gives as a number: a whole number in 0..=65535.
pub fn output_code(code: f64) -> Result<u16, MeterAbiError> {
    // A cast saturates and drops fractions (NaN gives 0), so only a whole number in range comes back unchanged.
    let whole = code as u16;
    if f64::from(whole) == code {
        Ok(whole)
    } else {
        Err(MeterAbiError::BadCode)
    }
}

/// The `count` calibration points at the start of `scratch`, [`POINT_LEN`] bytes each. More than fit is the
/// device's own refusal of too many points; the device checks the rest (range, order, largest code).
pub fn points(scratch: &[u8], count: u32) -> Result<Vec<CalibrationPoint>, MeterAbiError> {
    let count = usize::try_from(count).unwrap_or(usize::MAX);
    if count > scratch.len() / POINT_LEN {
        return Err(MeterAbiError::Calibration(CalibrationError::PointCount(count)));
    }
    let word = |at: usize| {
        let mut bytes = [0; 8];
        bytes.copy_from_slice(&scratch[at..at + 8]);
        f64::from_le_bytes(bytes)
    };
    (0..count)
        .map(|index| {
            let code = output_code(word(index * POINT_LEN + 8)).map_err(|_| MeterAbiError::BadPointCode(index))?;
            Ok(CalibrationPoint { percent: word(index * POINT_LEN), code })
        })
        .collect()
}

/// The most calibration points the scratch buffer carries (more than the device takes, so that it says why).
pub const MAX_SCRATCH_POINTS: usize = SCRATCH_LEN / POINT_LEN;
const _: () = assert!(MAX_SCRATCH_POINTS > MAX_POINTS);

/// The code of a needle state.
pub fn state(state: &NeedleState) -> u32 {
    match state {
        NeedleState::Live => STATE_LIVE,
        NeedleState::Parked(NoData::Waiting) => STATE_WAITING,
        NeedleState::Parked(NoData::Stale) => STATE_STALE,
        NeedleState::Parked(NoData::Unknown(_)) => STATE_UNKNOWN,
        NeedleState::Sweeping => STATE_SWEEPING,
        NeedleState::Portal => STATE_PORTAL,
    }
}

/// Writes `text` into `scratch` as UTF-8, cut on a character boundary where it does not fit; returns its bytes.
pub fn write_text(scratch: &mut [u8], text: &dyn fmt::Display) -> u32 {
    struct Cut<'a> {
        buffer: &'a mut [u8],
        len: usize,
    }
    impl fmt::Write for Cut<'_> {
        fn write_str(&mut self, text: &str) -> fmt::Result {
            let room = self.buffer.len() - self.len;
            let mut take = text.len().min(room);
            while !text.is_char_boundary(take) {
                take -= 1;
            }
            self.buffer[self.len..self.len + take].copy_from_slice(&text.as_bytes()[..take]);
            self.len += take;
            if take < text.len() {
                Err(fmt::Error)
            } else {
                Ok(())
            }
        }
    }
    let mut cut = Cut { buffer: scratch, len: 0 };
    // A cut text is still the text up to the cut; the error only stops the formatting.
    let _ = write!(cut, "{text}");
    cut.len as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn takes_slots_0_to_7_only() {
        assert_eq!(slot(0), Ok(0));
        assert_eq!(slot(7), Ok(7));
        assert_eq!(slot(8), Err(MeterAbiError::BadSlot(8)));
        assert_eq!(slot(u32::MAX), Err(MeterAbiError::BadSlot(u32::MAX)));
    }

    #[test]
    fn refuses_times_a_clock_cannot_give() {
        assert_eq!(time(0.0), Ok(0));
        assert_eq!(time(1234.9), Ok(1234));
        for bad in [-1.0, f64::NAN, f64::INFINITY, 1e300] {
            assert_eq!(time(bad), Err(MeterAbiError::BadTime), "{bad}");
        }
    }

    #[test]
    fn takes_1_to_16_bits() {
        assert_eq!(bits(1), Ok(1));
        assert_eq!(bits(16), Ok(16));
        assert_eq!(bits(0), Err(MeterAbiError::BadBits(0)));
        assert_eq!(bits(17), Err(MeterAbiError::BadBits(17)));
        assert_eq!(bits(256 + 10), Err(MeterAbiError::BadBits(266)));
    }

    fn scratch_of(points: &[(f64, f64)]) -> [u8; SCRATCH_LEN] {
        let mut scratch = [0; SCRATCH_LEN];
        for (index, (percent, code)) in points.iter().enumerate() {
            scratch[index * POINT_LEN..][..8].copy_from_slice(&percent.to_le_bytes());
            scratch[index * POINT_LEN + 8..][..8].copy_from_slice(&code.to_le_bytes());
        }
        scratch
    }

    #[test]
    fn reads_points_from_the_scratch_buffer() {
        let scratch = scratch_of(&[(0.0, 10.0), (50.5, 700.0), (100.0, 1023.0)]);
        let points = points(&scratch, 3).unwrap();
        assert_eq!(points.len(), 3);
        assert_eq!((points[1].percent, points[1].code), (50.5, 700));
    }

    #[test]
    fn refuses_codes_that_are_not_u16_and_more_points_than_fit() {
        let scratch = scratch_of(&[(0.0, 0.0), (100.0, 70_000.0)]);
        assert_eq!(points(&scratch, 2), Err(MeterAbiError::BadPointCode(1)));
        let scratch = scratch_of(&[(0.0, 0.5), (100.0, 10.0)]);
        assert_eq!(points(&scratch, 2), Err(MeterAbiError::BadPointCode(0)));
        let too_many = MAX_SCRATCH_POINTS as u32 + 1;
        assert_eq!(points(&scratch, too_many), Err(MeterAbiError::Calibration(CalibrationError::PointCount(too_many as usize))));
    }

    #[test]
    fn takes_whole_codes_0_to_65535_only() {
        assert_eq!(output_code(0.0), Ok(0));
        assert_eq!(output_code(65_535.0), Ok(u16::MAX));
        for bad in [-1.0, 0.5, 65_536.0, f64::NAN, f64::INFINITY] {
            assert_eq!(output_code(bad), Err(MeterAbiError::BadCode), "{bad}");
        }
    }

    #[test]
    fn cuts_text_on_a_character_boundary() {
        let mut scratch = [0; 4];
        assert_eq!(write_text(&mut scratch, &"aé€"), 3);
        assert_eq!(&scratch[..3], "aé".as_bytes());
    }

    #[test]
    fn device_refusals_keep_the_device_s_words() {
        let error = MeterAbiError::from(CalibrationError::NotIncreasing(2));
        assert_eq!(alloc::format!("{error}"), alloc::format!("{}", CalibrationError::NotIncreasing(2)));
    }

    #[test]
    fn error_codes_are_distinct_and_never_ok() {
        let errors = [
            MeterAbiError::BadSlot(9),
            MeterAbiError::EmptySlot(0),
            MeterAbiError::BadBits(0),
            MeterAbiError::BadTime,
            MeterAbiError::BadPointCode(0),
            MeterAbiError::BadText,
            MeterAbiError::TooLong,
            MeterAbiError::Config(MeterConfigError::ZeroStaleTimeout),
            MeterAbiError::Calibration(CalibrationError::PercentOutOfRange),
            MeterAbiError::BadCode,
        ];
        for (i, a) in errors.iter().enumerate() {
            assert_ne!(a.code(), OK);
            for b in &errors[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
    }
}
