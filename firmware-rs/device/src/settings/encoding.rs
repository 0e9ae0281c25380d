//! The bytes of the one settings record: a fixed header (format version, save generation), then every setting in
//! a compact binary form.
//!
//! JSON was the first format, one record per part; all the settings in one JSON record would not fit a flash page
//! (8 outputs with 16-point curves and their undo curves take about 11 KiB as JSON). This form takes at most about
//! 3.7 KiB: strings are a length byte and UTF-8, lists a count byte, curve points a little-endian `f64` and `u16`
//! (the protocol's own types, so a curve reads back exactly as it was set).
//!
//! Layout after the header: `wifi?` (ssid, password), `host?`, `token?`, bindings (output, metric), the Wi-Fi
//! country (two ASCII bytes), calibrations (output, current curve, previous curve?). `?` is a byte 0 (absent) or 1
//! (present) before the value.

use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{Binding, CalibrationPoint};

use super::country::Country;
use super::record::{Network, RecordError, StoredCalibration, WifiCredentials};
use super::store::Settings;

/// The settings format this firmware writes.
pub const FORMAT_VERSION: u8 = 2;

/// The header every format keeps, so a store can order records it cannot read: version, then generation.
const HEADER_LEN: usize = 5;

/// The format version and save generation of a stored record, if it has a header at all.
pub fn header(bytes: &[u8]) -> Option<(u8, u32)> {
    let header: &[u8; HEADER_LEN] = bytes.get(..HEADER_LEN)?.try_into().ok()?;
    Some((header[0], u32::from_le_bytes([header[1], header[2], header[3], header[4]])))
}

/// The stored bytes of `settings`, saved as generation `generation`. The settings must pass their rules (every
/// string then fits its length byte and every list its count byte); `Invalid` otherwise.
pub fn encode(settings: &Settings, generation: u32) -> Result<Vec<u8>, RecordError> {
    let mut out = Writer(alloc::vec![FORMAT_VERSION]);
    out.0.extend_from_slice(&generation.to_le_bytes());
    let network = &settings.network;
    out.option(network.wifi.as_ref(), |out, wifi| {
        out.str(&wifi.ssid)?;
        out.str(&wifi.password)
    })?;
    out.option(network.host.as_ref(), |out, host| out.str(host))?;
    out.option(network.token.as_ref(), |out, token| out.str(token))?;
    out.list(&network.bindings, |out, binding| {
        out.str(&binding.output)?;
        out.str(&binding.metric)
    })?;
    out.0.extend_from_slice(&network.country.code());
    out.list(&settings.calibrations, |out, calibration| {
        out.str(&calibration.output)?;
        out.curve(&calibration.current)?;
        out.option(calibration.previous.as_ref(), |out, previous| out.curve(previous))
    })?;
    Ok(out.0)
}

/// Reads settings from their stored bytes (the header included); the rules are checked by the caller.
pub fn decode(bytes: &[u8]) -> Result<Settings, RecordError> {
    let (version, _) = header(bytes).ok_or(RecordError::Garbled)?;
    if version != FORMAT_VERSION {
        return Err(RecordError::WrongVersion(version));
    }
    let mut input = Reader(&bytes[HEADER_LEN..]);
    let wifi = input.option(|input| Ok(WifiCredentials { ssid: input.str()?, password: input.str()? }))?;
    let host = input.option(Reader::str)?;
    let token = input.option(Reader::str)?;
    let bindings = input.list(|input| Ok(Binding { output: input.str()?, metric: input.str()? }))?;
    let country = core::str::from_utf8(input.take(2)?).ok().and_then(|code| Country::from_code(code).ok()).ok_or(RecordError::Invalid)?;
    let calibrations = input.list(|input| {
        Ok(StoredCalibration { output: input.str()?, current: input.curve()?, previous: input.option(Reader::curve)? })
    })?;
    if !input.0.is_empty() {
        return Err(RecordError::Garbled);
    }
    Ok(Settings { network: Network { wifi, host, token, bindings, country }, calibrations })
}

struct Writer(Vec<u8>);

impl Writer {
    fn count(&mut self, count: usize) -> Result<(), RecordError> {
        self.0.push(u8::try_from(count).map_err(|_| RecordError::Invalid)?);
        Ok(())
    }

    fn str(&mut self, value: &str) -> Result<(), RecordError> {
        self.count(value.len())?;
        self.0.extend_from_slice(value.as_bytes());
        Ok(())
    }

    fn option<T>(&mut self, value: Option<&T>, write: impl FnOnce(&mut Self, &T) -> Result<(), RecordError>) -> Result<(), RecordError> {
        match value {
            None => {
                self.0.push(0);
                Ok(())
            }
            Some(value) => {
                self.0.push(1);
                write(self, value)
            }
        }
    }

    fn list<T>(&mut self, items: &[T], mut write: impl FnMut(&mut Self, &T) -> Result<(), RecordError>) -> Result<(), RecordError> {
        self.count(items.len())?;
        items.iter().try_for_each(|item| write(self, item))
    }

    fn curve(&mut self, points: &[CalibrationPoint]) -> Result<(), RecordError> {
        self.list(points, |out, point| {
            out.0.extend_from_slice(&point.percent.to_le_bytes());
            out.0.extend_from_slice(&point.code.to_le_bytes());
            Ok(())
        })
    }
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, len: usize) -> Result<&'a [u8], RecordError> {
        if self.0.len() < len {
            return Err(RecordError::Garbled);
        }
        let (taken, rest) = self.0.split_at(len);
        self.0 = rest;
        Ok(taken)
    }

    fn byte(&mut self) -> Result<u8, RecordError> {
        Ok(self.take(1)?[0])
    }

    fn str(&mut self) -> Result<String, RecordError> {
        let len = usize::from(self.byte()?);
        let bytes = self.take(len)?;
        core::str::from_utf8(bytes).map(String::from).map_err(|_| RecordError::Garbled)
    }

    fn option<T>(&mut self, read: impl FnOnce(&mut Self) -> Result<T, RecordError>) -> Result<Option<T>, RecordError> {
        match self.byte()? {
            0 => Ok(None),
            1 => read(self).map(Some),
            _ => Err(RecordError::Garbled),
        }
    }

    fn list<T>(&mut self, mut read: impl FnMut(&mut Self) -> Result<T, RecordError>) -> Result<Vec<T>, RecordError> {
        let count = self.byte()?;
        (0..count).map(|_| read(self)).collect()
    }

    fn curve(&mut self) -> Result<Vec<CalibrationPoint>, RecordError> {
        self.list(|input| {
            let percent = f64::from_le_bytes(input.take(8)?.try_into().map_err(|_| RecordError::Garbled)?);
            let code = u16::from_le_bytes(input.take(2)?.try_into().map_err(|_| RecordError::Garbled)?);
            Ok(CalibrationPoint { percent, code })
        })
    }
}
