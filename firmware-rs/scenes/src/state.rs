//! What a scene draws from: plain values, borrowed for one frame. The board, the simulator and the host's WASM
//! module each keep their own storage and lend it here, so drawing allocates nothing.

/// How many samples a history keeps: one per pixel column of a 128-pixel-wide screen.
pub const HISTORY_LEN: usize = 128;

/// The most figures the hub scene shows.
pub const HUB_FIGURES: usize = 4;

/// A rolling history of one metric in percent of full scale, oldest first; a gap is a sample with no value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    samples: [u8; HISTORY_LEN],
    head: usize,
    len: usize,
}

/// A stored sample with no value (the host could not read the figure).
const GAP: u8 = u8::MAX;

impl History {
    /// An empty history.
    pub const fn new() -> Self {
        Self { samples: [GAP; HISTORY_LEN], head: 0, len: 0 }
    }

    /// Adds the newest sample (percent, clamped to 0..=100 and rounded to a whole percent); `None` is a gap.
    pub fn push(&mut self, percent: Option<f32>) {
        let sample = match percent {
            Some(p) if p.is_finite() => {
                let clamped = p.clamp(0.0, 100.0);
                (clamped + 0.5) as u8
            }
            _ => GAP,
        };
        self.samples[self.head] = sample;
        self.head = (self.head + 1) % HISTORY_LEN;
        if self.len < HISTORY_LEN {
            self.len += 1;
        }
    }

    /// Forgets every sample.
    pub fn clear(&mut self) {
        *self = Self::new();
    }

    /// How many samples it holds.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether it holds no sample.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The samples, oldest first, each a whole percent or `None` for a gap.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Option<u8>> + ExactSizeIterator + '_ {
        let start = (self.head + HISTORY_LEN - self.len) % HISTORY_LEN;
        (0..self.len).map(move |i| {
            let s = self.samples[(start + i) % HISTORY_LEN];
            if s == GAP { None } else { Some(s) }
        })
    }
}

impl Default for History {
    fn default() -> Self {
        Self::new()
    }
}

/// A figure's amount in its own unit, as the host's metric frame gives it (`raw`, `unit`, `used`, `total`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Amount<'a> {
    /// Only the percentage is known (or the unit is `%`).
    Percent,
    /// Bytes in use, and the capacity when known (memory).
    Bytes {
        /// Bytes in use.
        used: u64,
        /// The capacity, when known.
        total: Option<u64>,
    },
    /// Bytes per second (network, disk).
    Rate(f64),
    /// Degrees Celsius.
    Celsius(f32),
    /// Any other unit, shown as the number and the unit's text.
    Other {
        /// The number, in `unit`.
        raw: f32,
        /// The unit's text, as the host sent it.
        unit: &'a str,
    },
}

/// Why a figure has no value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The host said it cannot read the figure (its frame's value was null).
    Unreadable,
    /// The host's frame says its reading is stale.
    Stale,
    /// Nothing has come for it yet, or nothing for longer than the session's stale timeout.
    NoData,
}

/// A figure's reading: a live value, or why there is none. A stale value is never `Live`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Reading<'a> {
    /// The value in percent of full scale (for bars and graphs) and its amount (for the text).
    Live {
        /// The value in percent of full scale.
        percent: f32,
        /// The value in its own unit.
        amount: Amount<'a>,
    },
    /// No value, and why.
    Missing(Missing),
}

/// One figure a scene shows.
#[derive(Debug, Clone, Copy)]
pub struct Figure<'a> {
    /// The metric's name in the protocol (`vram`, `cpu`, a user's `queue_depth`...); scenes label it.
    pub metric: &'a str,
    /// Its current reading.
    pub reading: Reading<'a>,
    /// Its recent history, for graphs.
    pub history: &'a History,
}

/// The link's state, when it is not simply live; the state scene shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState<'a> {
    /// The set-up portal is open: the access point's name and the address to open on a phone.
    PortalOpen {
        /// The access point's name (SSID).
        ap: &'a str,
        /// The portal's address (`192.168.4.1`); the state scene shows it as `http://192.168.4.1`.
        address: &'a str,
    },
    /// Joining a Wi-Fi network.
    Joining {
        /// The network's name.
        ssid: &'a str,
    },
    /// On the network, but no host found or reachable.
    NoHost,
    /// The host refused the pairing token.
    TokenRefused,
    /// The board asked to pair and the host holds it until the user approves it on the PC (in the dashboard or
    /// with `sysboy pair <device>`).
    AwaitingApproval {
        /// The board's id as the host lists it and `sysboy pair` takes it (`sysboy-4f2a9c01`); empty when the
        /// board does not know it, and the scene then only names the command.
        device: &'a str,
    },
    /// Connected, but no figure has come within the stale timeout.
    NoData,
}

/// A metric past its limit, which takes the screen over.
#[derive(Debug, Clone, Copy)]
pub struct Alert<'a> {
    /// The figure past its limit.
    pub figure: Figure<'a>,
    /// The limit it passed, in percent.
    pub limit: f32,
}

/// The scenes, in the names the protocol uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scene {
    /// Up to four figures with names, values and small bars.
    Hub,
    /// One figure: a big value, its unit and a rolling graph as wide as the screen.
    Metric,
    /// Receive and transmit rates with two graphs on one scale (figures: rx then tx).
    Network,
    /// A metric past its limit.
    Alert,
    /// The link's state (portal, joining, no host, token refused, awaiting approval, no data).
    State,
}

impl Scene {
    /// The scene's name in the protocol.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Hub => "hub",
            Self::Metric => "metric",
            Self::Network => "network",
            Self::Alert => "alert",
            Self::State => "state",
        }
    }

    /// The scene with this protocol name.
    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Hub, Self::Metric, Self::Network, Self::Alert, Self::State].into_iter().find(|s| s.name() == name)
    }
}

/// Everything one frame of one screen draws from.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The figures of the scene (hub: up to [`HUB_FIGURES`]; metric: one; network: rx then tx).
    pub figures: &'a [Figure<'a>],
    /// The link's state; `None` when it is live.
    pub link: Option<LinkState<'a>>,
    /// The metric past its limit, if any.
    pub alert: Option<Alert<'a>>,
}
