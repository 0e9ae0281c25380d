//! The calibration maths behind the module's `calibration_*` exports: the board's own [`Calibration`] of a host's
//! points for an output of some bits, so a page that proposes, checks or reads a curve gets the board's codes,
//! positions and refusals, not a second copy of them.

use sysboy_device::meter::{max_code_for_bits, Calibration};
use sysboy_protocol::CalibrationPoint;

use crate::abi::{self, MeterAbiError};

/// The curve the board drives an output of `bits` with for `points`: checked as the board checks a host's curve, or,
/// with no points, the straight line from 0 to the largest code that a fresh meter starts with.
pub fn curve(points: &[CalibrationPoint], bits: u32) -> Result<Calibration, MeterAbiError> {
    let max_code = max_code_for_bits(abi::bits(bits)?);
    if points.is_empty() {
        return Ok(Calibration::linear(max_code));
    }
    Ok(Calibration::from_points(points, max_code)?)
}

/// Whether the board takes `points` as the curve of an output of `bits`, and if not why: what a page asks before it
/// sends a curve. Unlike [`curve`], no points is a refusal, as it is on the board.
pub fn check(points: &[CalibrationPoint], bits: u32) -> Result<(), MeterAbiError> {
    let max_code = max_code_for_bits(abi::bits(bits)?);
    Calibration::from_points(points, max_code)?;
    Ok(())
}

/// The output code the board drives for a needle at `percent` through [`curve`]: [`Calibration::code_for`] of the
/// percent as the board takes a figure, an `f32`.
pub fn code_at(points: &[CalibrationPoint], bits: u32, percent: f64) -> Result<u16, MeterAbiError> {
    Ok(curve(points, bits)?.code_for(percent as f32))
}

/// Where a needle driven at `code` stands, percent, through [`curve`]: [`Calibration::percent_for`].
pub fn percent_at(points: &[CalibrationPoint], bits: u32, code: f64) -> Result<f32, MeterAbiError> {
    let curve = curve(points, bits)?;
    Ok(curve.percent_for(abi::output_code(code)?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use sysboy_device::meter::{CalibrationError, Meter, MeterConfig, Reading, TICK_MS};

    fn points(points: &[(f64, u16)]) -> Vec<CalibrationPoint> {
        points.iter().map(|&(percent, code)| CalibrationPoint { percent, code }).collect()
    }

    #[test]
    fn gives_the_device_s_codes_through_a_curve_and_its_straight_line_without() {
        let bent = points(&[(0.0, 10), (50.0, 400), (100.0, 1000)]);
        let device = Calibration::from_points(&bent, 1023).unwrap();
        for percent in [-5.0, 0.0, 12.3, 25.0, 37.5, 50.0, 75.0, 99.9, 100.0, 120.0] {
            assert_eq!(code_at(&bent, 10, percent), Ok(device.code_for(percent as f32)), "{percent} %");
        }
        assert_eq!(code_at(&bent, 10, 25.0), Ok(205));
        assert_eq!(code_at(&bent, 10, f64::NAN), Ok(10));
        let linear = Calibration::linear(1023);
        for percent in [0.0, 33.3, 50.0, 100.0] {
            assert_eq!(code_at(&[], 10, percent), Ok(linear.code_for(percent as f32)), "{percent} %");
        }
        assert_eq!(code_at(&[], 10, 50.0), Ok(512));
        assert_eq!(code_at(&[], 16, 100.0), Ok(u16::MAX));
    }

    #[test]
    fn reads_a_code_back_to_the_device_s_position() {
        let bent = points(&[(10.0, 100), (50.0, 300), (100.0, 900)]);
        let device = Calibration::from_points(&bent, 4095).unwrap();
        for code in [0.0, 100.0, 200.0, 333.0, 600.0, 900.0, 4095.0, 65_535.0] {
            assert_eq!(percent_at(&bent, 12, code), Ok(device.percent_for(code as u16)), "code {code}");
        }
        assert_eq!(percent_at(&bent, 12, 200.0), Ok(30.0));
        assert_eq!(percent_at(&[], 10, 1023.0), Ok(100.0));
        assert_eq!(percent_at(&[], 10, 341.0), Ok(Calibration::linear(1023).percent_for(341)));
    }

    #[test]
    fn a_code_read_back_is_where_the_board_s_meter_drives_it() {
        // A meter on the board with the same curve, settled on a figure: the code it drives reads back to the figure.
        let bent = points(&[(0.0, 0), (50.0, 700), (100.0, 1023)]);
        let mut meter = Meter::new(MeterConfig::new(1023).unwrap()).unwrap();
        meter.set_calibration(&bent).unwrap();
        meter.show(0, Reading::Value(62.5));
        let code = (0..=300).map(|tick| meter.tick(tick * TICK_MS)).last().unwrap();
        assert_eq!(code_at(&bent, 10, 62.5), Ok(code));
        assert!((percent_at(&bent, 10, f64::from(code)).unwrap() - 62.5).abs() < 0.1);
    }

    #[test]
    fn checks_a_curve_as_the_board_checks_a_host_s() {
        let max = 1023;
        let cases = [
            points(&[(0.0, 0), (50.0, 600), (100.0, 1000)]),
            points(&[(0.0, 0), (50.0, 600), (100.0, 600)]),
            points(&[(0.0, 0), (50.0, 10), (40.0, 20)]),
            points(&[(0.0, 0)]),
            points(&[]),
            (0..17).map(|i| CalibrationPoint { percent: f64::from(i), code: i as u16 }).collect(),
            points(&[(0.0, 0), (100.0, 2000)]),
            points(&[(0.0, 0), (120.0, 20)]),
        ];
        for case in &cases {
            let device = Calibration::from_points(case, max).map(drop).map_err(MeterAbiError::from);
            assert_eq!(check(case, 10), device, "{case:?}");
        }
        assert_eq!(check(&cases[1], 10), Err(MeterAbiError::Calibration(CalibrationError::NotIncreasing(2))));
        assert_eq!(
            check(&cases[1], 10).unwrap_err().to_string(),
            "calibration point 2 does not increase in both percent and code"
        );
        assert_eq!(check(&cases[4], 10), Err(MeterAbiError::Calibration(CalibrationError::PointCount(0))));
    }

    #[test]
    fn refuses_a_bad_curve_bits_or_code_when_reading() {
        let falling = points(&[(0.0, 500), (100.0, 100)]);
        assert_eq!(code_at(&falling, 10, 50.0), Err(MeterAbiError::Calibration(CalibrationError::NotIncreasing(1))));
        assert_eq!(percent_at(&falling, 10, 300.0), Err(MeterAbiError::Calibration(CalibrationError::NotIncreasing(1))));
        assert_eq!(code_at(&[], 17, 50.0), Err(MeterAbiError::BadBits(17)));
        assert_eq!(check(&falling, 0), Err(MeterAbiError::BadBits(0)));
        for bad in [-1.0, 1.5, 65_536.0, f64::NAN] {
            assert_eq!(percent_at(&[], 10, bad), Err(MeterAbiError::BadCode), "{bad}");
        }
    }

    #[test]
    fn reads_its_points_from_the_scratch_buffer_as_a_meter_does() {
        let mut scratch = [0u8; abi::SCRATCH_LEN];
        for (index, (percent, code)) in [(0.0f64, 10.0f64), (50.0, 400.0), (100.0, 1000.0)].iter().enumerate() {
            scratch[index * abi::POINT_LEN..][..8].copy_from_slice(&percent.to_le_bytes());
            scratch[index * abi::POINT_LEN + 8..][..8].copy_from_slice(&code.to_le_bytes());
        }
        let read = abi::points(&scratch, 3).unwrap();
        assert_eq!(code_at(&read, 10, 75.0), Ok(700));
        assert_eq!(code_at(&abi::points(&scratch, 0).unwrap(), 10, 75.0), Ok(767));
    }
}
