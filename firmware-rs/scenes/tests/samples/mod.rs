//! Realistic sample figures and histories for the golden tests and the render benchmark: VRAM 5.2 of 8 GiB,
//! CPU 37 %, GPU at 63 °C, RAM 71 %, network 12.4 MB/s down and 812 KB/s up.

use sysboy_scenes::{Amount, Figure, History, LinkState, Missing, Reading, HISTORY_LEN};

/// 5.2 GiB, as the host reads it.
pub const VRAM_USED: u64 = 5_583_457_485;
/// 8 GiB.
pub const VRAM_TOTAL: u64 = 8 << 30;

/// The histories behind the sample figures, kept apart because figures borrow them.
pub struct Histories {
    pub vram: History,
    pub cpu: History,
    pub gpu_temp: History,
    pub ram: History,
    pub rx: History,
    pub tx: History,
}

/// A repeatable wobble in -1.0..=1.0 (an integer hash: the same on every machine).
fn wobble(seed: u32, i: u32) -> f32 {
    let mut x = seed.wrapping_mul(0x9e37_79b9) ^ i.wrapping_mul(0x85eb_ca6b);
    x ^= x >> 15;
    x = x.wrapping_mul(0xc2b2_ae35);
    x ^= x >> 13;
    (x % 2001) as f32 / 1000.0 - 1.0
}

/// A history of `len` samples around `level` (percent), drifting by `drift` and wobbling by `noise`.
fn history(seed: u32, len: usize, level: f32, drift: f32, noise: f32) -> History {
    let mut history = History::new();
    for i in 0..len as u32 {
        let ramp = (i as f32 / len as f32 - 0.5) * drift;
        history.push(Some(level + ramp + wobble(seed, i) * noise));
    }
    history
}

impl Histories {
    pub fn new() -> Self {
        let mut vram = history(1, 96, 58.0, 14.0, 3.0);
        // The host could not read the GPU for a moment: a gap, then the figure again.
        for _ in 0..6 {
            vram.push(None);
        }
        for i in 0..26 {
            vram.push(Some(63.0 + wobble(7, i) * 2.0));
        }
        let mut rx = History::new();
        let mut tx = History::new();
        for i in 0..HISTORY_LEN as u32 {
            // A download in bursts, and small uploads with a sync now and then.
            let download = if (i / 16) % 3 == 1 { 38.0 } else { 6.0 };
            let upload = if (i / 10) % 5 == 2 { 14.0 } else { 3.0 };
            rx.push(Some(download + wobble(3, i) * 4.0));
            tx.push(Some(upload + wobble(4, i) * 1.5));
        }
        Self {
            vram,
            cpu: history(2, HISTORY_LEN, 37.0, 10.0, 12.0),
            gpu_temp: history(5, 80, 62.0, 4.0, 1.0),
            ram: history(6, HISTORY_LEN, 71.0, 0.0, 0.5),
            rx,
            tx,
        }
    }

    pub fn vram(&self) -> Figure<'_> {
        let amount = Amount::Bytes { used: VRAM_USED, total: Some(VRAM_TOTAL) };
        Figure { metric: "vram", reading: Reading::Live { percent: 65.0, amount }, history: &self.vram }
    }

    pub fn cpu(&self) -> Figure<'_> {
        Figure { metric: "cpu", reading: Reading::Live { percent: 37.0, amount: Amount::Percent }, history: &self.cpu }
    }

    pub fn gpu_temp(&self) -> Figure<'_> {
        let reading = Reading::Live { percent: 63.0, amount: Amount::Celsius(63.0) };
        Figure { metric: "gpu_temp", reading, history: &self.gpu_temp }
    }

    pub fn ram(&self) -> Figure<'_> {
        Figure { metric: "ram", reading: Reading::Live { percent: 71.0, amount: Amount::Percent }, history: &self.ram }
    }

    pub fn rx(&self) -> Figure<'_> {
        let reading = Reading::Live { percent: 40.0, amount: Amount::Rate(12.4e6) };
        Figure { metric: "net_rx", reading, history: &self.rx }
    }

    pub fn tx(&self) -> Figure<'_> {
        let reading = Reading::Live { percent: 3.0, amount: Amount::Rate(812e3) };
        Figure { metric: "net_tx", reading, history: &self.tx }
    }

    /// The GPU temperature, gone stale.
    pub fn gpu_temp_stale(&self) -> Figure<'_> {
        Figure { metric: "gpu_temp", reading: Reading::Missing(Missing::Stale), history: &self.gpu_temp }
    }

    /// The four hub figures.
    pub fn hub(&self) -> [Figure<'_>; 4] {
        [self.vram(), self.cpu(), self.gpu_temp(), self.ram()]
    }
}

/// Every link state, with the names the golden files use.
pub const LINK_STATES: [(&str, LinkState<'static>); 6] = [
    ("portal", LinkState::PortalOpen { ap: "Sysboy-4F2A", address: "192.168.4.1" }),
    ("joining", LinkState::Joining { ssid: "HomeNet 5G" }),
    ("no-host", LinkState::NoHost),
    ("token-refused", LinkState::TokenRefused),
    // A board's id as the ESP32 firmware makes it: `sysboy-` and the end of its MAC.
    ("awaiting-approval", LinkState::AwaitingApproval { device: "sysboy-4f2a9c01" }),
    ("no-data", LinkState::NoData),
];
