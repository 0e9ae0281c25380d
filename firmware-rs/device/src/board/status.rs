//! The `status` message from what a board measures: its link, signal, heap figures, uptime, address, reset
//! reason, missing parts, what its status light shows and its stored calibration curves. The session fills in
//! the host, what the screens show and the held outputs itself.

use alloc::string::ToString;
use alloc::vec::Vec;
use core::net::Ipv4Addr;

use sysboy_protocol::{Calibration, Light, Link, Part, ResetReason, Status};

/// The heap as the board's allocator counts it, bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeapFigures {
    /// The heap the device logic may use.
    pub size: usize,
    /// In use now.
    pub used: usize,
    /// The most ever in use.
    pub peak: usize,
}

/// What a board measured for one `status` message.
#[derive(Debug, Clone, PartialEq)]
pub struct Measured {
    /// The kind of network link.
    pub link: Link,
    /// The station's signal strength, dBm, when it has one.
    pub rssi: Option<i8>,
    /// The heap figures.
    pub heap: HeapFigures,
    /// Milliseconds since boot.
    pub uptime_ms: u64,
    /// The board's address on the station network, once it has one.
    pub ip: Option<Ipv4Addr>,
    /// Why the board last started, when it can tell.
    pub reset_reason: Option<ResetReason>,
    /// Parts that did not answer; `None` when all did.
    pub missing: Option<Vec<Part>>,
    /// What the status light shows ([`BoardState::light`](crate::status_light::BoardState::light)).
    pub light: Option<Light>,
    /// The calibration curves stored on the board, one per output that has one (an output without one is
    /// linear).
    pub calibration: Option<Vec<Calibration>>,
}

/// The `status` message for `measured`: free heap now and at its lowest, the rest as measured; no host, no
/// screens and no held outputs (the session names the host it is connected to, asks the board what its screens
/// show and the link what it holds).
pub fn status(measured: Measured) -> Status {
    let Measured { link, rssi, heap, uptime_ms, ip, reset_reason, missing, light, calibration } = measured;
    Status {
        link,
        rssi,
        heap_free: free(heap.size, heap.used),
        heap_min: Some(free(heap.size, heap.peak)),
        uptime_ms,
        host: None,
        ip: ip.map(|ip| ip.to_string()),
        reset_reason,
        missing,
        screens: None,
        light,
        calibration,
        held: None,
        update: None,
    }
}

/// Bytes of `size` left when `used` are taken, none when more are (a figure past the budget), at most `u32::MAX`.
fn free(size: usize, used: usize) -> u32 {
    u32::try_from(size.saturating_sub(used)).unwrap_or(u32::MAX)
}

#[cfg(test)]
mod tests {
    use alloc::vec;

    use super::*;

    fn measured() -> Measured {
        Measured {
            link: Link::Wifi,
            rssi: Some(-61),
            heap: HeapFigures { size: 100_000, used: 30_000, peak: 45_000 },
            uptime_ms: 12_345,
            ip: Some(Ipv4Addr::new(192, 168, 1, 40)),
            reset_reason: Some(ResetReason::PowerOn),
            missing: Some(vec![Part::Mcp4725]),
            light: Some(Light::Live),
            calibration: Some(vec![Calibration {
                output: "meter".into(),
                points: vec![
                    sysboy_protocol::CalibrationPoint { percent: 0.0, code: 0 },
                    sysboy_protocol::CalibrationPoint { percent: 100.0, code: 900 },
                ],
            }]),
        }
    }

    #[test]
    fn the_status_gives_free_heap_now_and_at_its_lowest() {
        let status = status(measured());
        assert_eq!(status.heap_free, 70_000);
        assert_eq!(status.heap_min, Some(55_000));
        assert_eq!(status.link, Link::Wifi);
        assert_eq!(status.rssi, Some(-61));
        assert_eq!(status.uptime_ms, 12_345);
        assert_eq!(status.ip.as_deref(), Some("192.168.1.40"));
        assert_eq!(status.reset_reason, Some(ResetReason::PowerOn));
        assert_eq!(status.missing, Some(vec![Part::Mcp4725]));
        assert_eq!(status.host, None, "the session names the host");
        assert_eq!(status.screens, None, "and the screens");
        assert_eq!(status.held, None, "and the held outputs");
        assert_eq!(status.light, Some(Light::Live));
        assert_eq!(status.calibration.as_ref().map(|curves| curves[0].points[1].code), Some(900));
    }

    #[test]
    fn a_heap_past_its_budget_reads_as_none_free() {
        let mut over = measured();
        over.heap = HeapFigures { size: 1_000, used: 1_500, peak: 2_000 };
        let status = status(over);
        assert_eq!((status.heap_free, status.heap_min), (0, Some(0)));
    }
}
