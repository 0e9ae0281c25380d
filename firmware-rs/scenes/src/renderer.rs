//! The state behind the WebAssembly module, without the module: figure slots, histories, the link and the alert,
//! set call by call with numbers and strings from a scratch buffer, then rendered into a caller's buffer. The
//! `wasm` edge only exposes one `Renderer`; native tests drive this one directly.
//!
//! # Example
//!
//! ```
//! use sysboy_scenes::{abi, Renderer};
//!
//! let mut renderer = Renderer::new();
//! renderer.scratch()[..3].copy_from_slice(b"cpu");
//! renderer.set_figure(0, 3, 0, abi::READING_LIVE, 37.0, f64::NAN, -1.0, -1.0).unwrap();
//! let mut pixels = vec![0; abi::FRAMEBUFFER_LEN];
//! let len = renderer.render(abi::SCENE_HUB, 1, 128, 64, abi::DEPTH_BINARY, &mut pixels).unwrap();
//! assert_eq!(len, 128 * 64);
//! ```

use core::{convert::Infallible, ops::Range};

use embedded_graphics::{
    pixelcolor::{BinaryColor, Rgb565},
    prelude::*,
};

use crate::abi::{self, AbiError, LINK_TEXT_MAX, METRIC_MAX, SCRATCH_LEN, SLOTS, UNIT_MAX};
use crate::format::Text;
use crate::framebuffer::{Framebuffer, StoredColor};
use crate::palette::SceneColor;
use crate::scenes;
use crate::state::{Alert, Amount, Figure, History, LinkState, Missing, Reading, View};

/// Figure slots, a link state and an alert, and the scratch buffer strings arrive in.
pub struct Renderer {
    scratch: [u8; SCRATCH_LEN],
    slots: [Slot; SLOTS],
    link: Link,
    alert: Option<(usize, f32)>,
    rendered: usize,
}

/// One figure as the host last set it, and its history.
struct Slot {
    metric: Text<METRIC_MAX>,
    unit: Text<UNIT_MAX>,
    missing: Option<Missing>,
    percent: f32,
    raw: Option<f64>,
    used: Option<u64>,
    total: Option<u64>,
    history: History,
}

/// The link state, owning its strings.
enum Link {
    Live,
    PortalOpen { ap: Text<LINK_TEXT_MAX>, address: Text<LINK_TEXT_MAX> },
    Joining { ssid: Text<LINK_TEXT_MAX> },
    NoHost,
    TokenRefused,
    NoData,
    AwaitingApproval { device: Text<LINK_TEXT_MAX> },
}

impl Slot {
    const fn new() -> Self {
        Self {
            metric: Text::new(),
            unit: Text::new(),
            missing: Some(Missing::NoData),
            percent: 0.0,
            raw: None,
            used: None,
            total: None,
            history: History::new(),
        }
    }

    fn figure(&self) -> Figure<'_> {
        let reading = match self.missing {
            Some(missing) => Reading::Missing(missing),
            None => {
                let unit = Some(self.unit.as_str());
                Reading::Live { percent: self.percent, amount: Amount::from_frame(unit, self.raw, self.used, self.total) }
            }
        };
        Figure { metric: self.metric.as_str(), reading, history: &self.history }
    }
}

impl Renderer {
    /// Empty slots, a live link and no alert.
    pub const fn new() -> Self {
        Self {
            scratch: [0; SCRATCH_LEN],
            slots: [const { Slot::new() }; SLOTS],
            link: Link::Live,
            alert: None,
            rendered: 0,
        }
    }

    /// The buffer the host writes a call's strings into, back to back, before the call.
    pub fn scratch(&mut self) -> &mut [u8; SCRATCH_LEN] {
        &mut self.scratch
    }

    /// Empties every slot and history, and clears the link state and the alert.
    pub fn clear(&mut self) {
        *self = Self { scratch: self.scratch, rendered: self.rendered, ..Self::new() };
    }

    /// Sets a figure: its metric name is `scratch[..metric_len]`, its unit the next `unit_len` bytes (none when
    /// 0), `reading` a reading code, and the frame's numbers as the host has them: `raw` NaN and `used`/`total`
    /// negative mean absent. The amount is [`Amount::from_frame`]'s, as on the board.
    #[allow(clippy::too_many_arguments)]
    pub fn set_figure(
        &mut self,
        slot: u32,
        metric_len: u32,
        unit_len: u32,
        reading: u32,
        percent: f32,
        raw: f64,
        used: f64,
        total: f64,
    ) -> Result<(), AbiError> {
        let index = slot_index(slot)?;
        let missing = abi::missing(reading)?;
        let metric = self.text(0, metric_len, METRIC_MAX)?;
        let unit = self.text(metric.end, unit_len, UNIT_MAX)?;
        let (metric, unit) = (Text::truncated(self.str_at(metric)?), Text::truncated(self.str_at(unit)?));
        let bytes = |value: f64| (value >= 0.0).then_some(value as u64);
        let slot = &mut self.slots[index];
        slot.metric = metric;
        slot.unit = unit;
        slot.missing = missing;
        slot.percent = percent;
        slot.raw = (!raw.is_nan()).then_some(raw);
        slot.used = bytes(used);
        slot.total = bytes(total);
        Ok(())
    }

    /// Adds the newest sample to a slot's history, in percent; NaN is a gap.
    pub fn push_history(&mut self, slot: u32, percent: f32) -> Result<(), AbiError> {
        let index = slot_index(slot)?;
        self.slots[index].history.push((!percent.is_nan()).then_some(percent));
        Ok(())
    }

    /// Sets the link state from a link code; the portal's access point name is `scratch[..a_len]` and its
    /// address the next `b_len` bytes, a joining network's SSID is `scratch[..a_len]`.
    pub fn set_link(&mut self, code: u32, a_len: u32, b_len: u32) -> Result<(), AbiError> {
        let a = self.text(0, a_len, LINK_TEXT_MAX)?;
        let b = self.text(a.end, b_len, LINK_TEXT_MAX)?;
        self.link = match code {
            abi::LINK_LIVE => Link::Live,
            abi::LINK_PORTAL_OPEN => {
                Link::PortalOpen { ap: Text::truncated(self.str_at(a)?), address: Text::truncated(self.str_at(b)?) }
            }
            abi::LINK_JOINING => Link::Joining { ssid: Text::truncated(self.str_at(a)?) },
            abi::LINK_NO_HOST => Link::NoHost,
            abi::LINK_TOKEN_REFUSED => Link::TokenRefused,
            abi::LINK_NO_DATA => Link::NoData,
            abi::LINK_AWAITING_APPROVAL => Link::AwaitingApproval { device: Text::truncated(self.str_at(a)?) },
            _ => return Err(AbiError::BadCode),
        };
        Ok(())
    }

    /// Raises an alert on a slot's figure past `limit` percent; a negative slot clears it.
    pub fn set_alert(&mut self, slot: i32, limit: f32) -> Result<(), AbiError> {
        self.alert = match u32::try_from(slot) {
            Err(_) => None,
            Ok(slot) => Some((slot_index(slot)?, limit)),
        };
        Ok(())
    }

    /// Renders a scene (a scene code) of slots `0..figures` at `width`×`height` and `depth` (a depth code) into
    /// `framebuffer`, row-major from the top left; returns the bytes written.
    pub fn render(
        &mut self,
        scene: u32,
        figures: u32,
        width: u32,
        height: u32,
        depth: u32,
        framebuffer: &mut [u8],
    ) -> Result<usize, AbiError> {
        let scene = abi::scene(scene)?;
        let sides = abi::MIN_SIDE..=abi::MAX_SIDE;
        if !sides.contains(&width) || !sides.contains(&height) || figures as usize > SLOTS {
            return Err(AbiError::BadSize);
        }
        let size = Size::new(width, height);
        let all: [Figure<'_>; SLOTS] = core::array::from_fn(|i| self.slots[i].figure());
        let view = View {
            figures: &all[..figures as usize],
            link: self.link.state(),
            alert: self.alert.map(|(slot, limit)| Alert { figure: all[slot], limit }),
        };
        let len = match depth {
            abi::DEPTH_BINARY => draw_into::<BinaryColor>(scene, &view, size, framebuffer)?,
            abi::DEPTH_RGB565 => draw_into::<Rgb565>(scene, &view, size, framebuffer)?,
            _ => return Err(AbiError::BadCode),
        };
        self.rendered = len;
        Ok(len)
    }

    /// The bytes the last successful render wrote.
    pub fn rendered_len(&self) -> usize {
        self.rendered
    }

    /// The scratch range of a `len`-byte string starting at `start`, if it is within `max` and the scratch.
    fn text(&self, start: usize, len: u32, max: usize) -> Result<Range<usize>, AbiError> {
        let len = len as usize;
        if len > max || start + len > SCRATCH_LEN {
            return Err(AbiError::TooLong);
        }
        Ok(start..start + len)
    }

    fn str_at(&self, range: Range<usize>) -> Result<&str, AbiError> {
        core::str::from_utf8(&self.scratch[range]).map_err(|_| AbiError::BadText)
    }
}

impl Default for Renderer {
    fn default() -> Self {
        Self::new()
    }
}

impl Link {
    fn state(&self) -> Option<LinkState<'_>> {
        match self {
            Link::Live => None,
            Link::PortalOpen { ap, address } => Some(LinkState::PortalOpen { ap: ap.as_str(), address: address.as_str() }),
            Link::Joining { ssid } => Some(LinkState::Joining { ssid: ssid.as_str() }),
            Link::NoHost => Some(LinkState::NoHost),
            Link::TokenRefused => Some(LinkState::TokenRefused),
            Link::NoData => Some(LinkState::NoData),
            Link::AwaitingApproval { device } => Some(LinkState::AwaitingApproval { device: device.as_str() }),
        }
    }
}

fn slot_index(slot: u32) -> Result<usize, AbiError> {
    let index = slot as usize;
    if index < SLOTS { Ok(index) } else { Err(AbiError::BadSlot) }
}

fn draw_into<C: SceneColor + StoredColor>(
    scene: crate::state::Scene,
    view: &View<'_>,
    size: Size,
    bytes: &mut [u8],
) -> Result<usize, AbiError> {
    let mut screen = Framebuffer::<C>::new(bytes, size).ok_or(AbiError::BadSize)?;
    let drawn: Result<(), Infallible> = scenes::draw(scene, view, &mut screen);
    let Ok(()) = drawn;
    Ok(screen.as_bytes().len())
}
