//! The numbers of the WebAssembly module's interface (see [`crate::renderer`] for the calls): scene, reading and
//! link codes, pixel depths, limits and result codes. The host's loader uses the same numbers.

use core::fmt;

use crate::state::{Missing, Scene};

/// Scene code of [`Scene::Hub`].
pub const SCENE_HUB: u32 = 0;
/// Scene code of [`Scene::Metric`].
pub const SCENE_METRIC: u32 = 1;
/// Scene code of [`Scene::Network`].
pub const SCENE_NETWORK: u32 = 2;
/// Scene code of [`Scene::Alert`].
pub const SCENE_ALERT: u32 = 3;
/// Scene code of [`Scene::State`].
pub const SCENE_STATE: u32 = 4;

/// Reading code: a live value.
pub const READING_LIVE: u32 = 0;
/// Reading code: [`Missing::Unreadable`].
pub const READING_UNREADABLE: u32 = 1;
/// Reading code: [`Missing::Stale`].
pub const READING_STALE: u32 = 2;
/// Reading code: [`Missing::NoData`].
pub const READING_NO_DATA: u32 = 3;

/// Link code: live (no link state to show).
pub const LINK_LIVE: u32 = 0;
/// Link code: the set-up portal is open (access point name, then address).
pub const LINK_PORTAL_OPEN: u32 = 1;
/// Link code: joining a Wi-Fi network (its SSID).
pub const LINK_JOINING: u32 = 2;
/// Link code: no host found.
pub const LINK_NO_HOST: u32 = 3;
/// Link code: the host refused the pairing token.
pub const LINK_TOKEN_REFUSED: u32 = 4;
/// Link code: no figure within the stale timeout.
pub const LINK_NO_DATA: u32 = 5;
/// Link code: the board asked to pair and waits for the user's approval (its device id).
pub const LINK_AWAITING_APPROVAL: u32 = 6;

/// Depth code: 1-bit ([`embedded_graphics::pixelcolor::BinaryColor`]), one byte a pixel, 0 or 1.
pub const DEPTH_BINARY: u32 = 1;
/// Depth code: RGB565, two bytes a pixel, a little-endian `u16`.
pub const DEPTH_RGB565: u32 = 16;

/// Figure slots.
pub const SLOTS: usize = 8;
/// Bytes of the scratch buffer the host writes strings into.
pub const SCRATCH_LEN: usize = 256;
/// The longest metric name, in bytes.
pub const METRIC_MAX: usize = 32;
/// The longest unit, in bytes.
pub const UNIT_MAX: usize = 16;
/// The longest link string (access point name, address, SSID, device id), in bytes.
pub const LINK_TEXT_MAX: usize = 64;
/// The narrowest or shortest screen rendered.
pub const MIN_SIDE: u32 = 32;
/// The widest or tallest screen rendered.
pub const MAX_SIDE: u32 = 320;
/// Bytes of the framebuffer: a [`MAX_SIDE`] square in RGB565.
pub const FRAMEBUFFER_LEN: usize = (MAX_SIDE * MAX_SIDE * 2) as usize;

/// Result code of a call that succeeded.
pub const OK: u32 = 0;

/// Why a call was refused; its [`AbiError::code`] is what the module returns.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AbiError {
    /// The slot is not one of the [`SLOTS`].
    BadSlot,
    /// The string is not UTF-8.
    BadText,
    /// A string is longer than its limit, or runs past the scratch buffer.
    TooLong,
    /// A scene, reading, link or depth code is not one of those above.
    BadCode,
    /// The size is outside [`MIN_SIDE`]..=[`MAX_SIDE`], or the figure count is more than [`SLOTS`].
    BadSize,
}

impl AbiError {
    /// The result code the module returns for it (never [`OK`]).
    pub const fn code(self) -> u32 {
        match self {
            Self::BadSlot => 1,
            Self::BadText => 2,
            Self::TooLong => 3,
            Self::BadCode => 4,
            Self::BadSize => 5,
        }
    }
}

impl fmt::Display for AbiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::BadSlot => "no such figure slot",
            Self::BadText => "string is not UTF-8",
            Self::TooLong => "string too long",
            Self::BadCode => "unknown code",
            Self::BadSize => "unsupported size or figure count",
        })
    }
}

impl core::error::Error for AbiError {}

/// The scene of a scene code.
pub fn scene(code: u32) -> Result<Scene, AbiError> {
    match code {
        SCENE_HUB => Ok(Scene::Hub),
        SCENE_METRIC => Ok(Scene::Metric),
        SCENE_NETWORK => Ok(Scene::Network),
        SCENE_ALERT => Ok(Scene::Alert),
        SCENE_STATE => Ok(Scene::State),
        _ => Err(AbiError::BadCode),
    }
}

/// Why a reading code has no value, or `None` for a live one.
pub fn missing(code: u32) -> Result<Option<Missing>, AbiError> {
    match code {
        READING_LIVE => Ok(None),
        READING_UNREADABLE => Ok(Some(Missing::Unreadable)),
        READING_STALE => Ok(Some(Missing::Stale)),
        READING_NO_DATA => Ok(Some(Missing::NoData)),
        _ => Err(AbiError::BadCode),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_every_scene_code_and_refuses_others() {
        let scenes = [Scene::Hub, Scene::Metric, Scene::Network, Scene::Alert, Scene::State];
        for (code, expected) in (0..).zip(scenes) {
            assert_eq!(scene(code), Ok(expected));
        }
        assert_eq!(scene(5), Err(AbiError::BadCode));
    }

    #[test]
    fn decodes_reading_codes() {
        assert_eq!(missing(READING_LIVE), Ok(None));
        assert_eq!(missing(READING_UNREADABLE), Ok(Some(Missing::Unreadable)));
        assert_eq!(missing(READING_STALE), Ok(Some(Missing::Stale)));
        assert_eq!(missing(READING_NO_DATA), Ok(Some(Missing::NoData)));
        assert_eq!(missing(4), Err(AbiError::BadCode));
    }

    #[test]
    fn error_codes_are_distinct_and_never_ok() {
        let errors = [AbiError::BadSlot, AbiError::BadText, AbiError::TooLong, AbiError::BadCode, AbiError::BadSize];
        for (i, a) in errors.iter().enumerate() {
            assert_ne!(a.code(), OK);
            for b in &errors[i + 1..] {
                assert_ne!(a.code(), b.code());
            }
        }
    }
}
