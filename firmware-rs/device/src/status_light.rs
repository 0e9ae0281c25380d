//! The status light: what the board is doing, shown on one LED so a user needs no serial console.
//!
//! # Overview
//! [`StatusLight`] hears what the board already reports ([`Heard`]: the provisioning driver's events, the
//! station's reports and the host link's state) and derives one [`BoardState`]. Each state has a [`Look`]: a
//! colour and a [`Pattern`] in time. The caller ticks it with `now_ms` and drives the LED with
//! [`StatusLight::colour_at`] (an addressable RGB LED) or [`StatusLight::lit_at`] (a plain LED); the light keeps
//! no clock and allocates nothing. The patterns alone tell the states apart, so a plain LED says as much as it
//! can without colour.
//!
//! | state | colour | pattern | means |
//! |---|---|---|---|
//! | [`BoardState::Starting`] | white | solid | booting or restarting |
//! | [`BoardState::PortalOpen`] | blue | breathe | no home network: join `Sysboy-…` and fill in the portal |
//! | [`BoardState::Joining`] | amber | slow blink | joining the home network (or rejoining it) |
//! | [`BoardState::NoHost`] | cyan | one flash | on the network, no session with the host yet |
//! | [`BoardState::TokenRefused`] | red | two flashes | the host refused the pairing token |
//! | [`BoardState::AwaitingApproval`] | yellow | wink | the board asked to pair: approve it on the PC (the dashboard or `sysboy pair`) |
//! | [`BoardState::Live`] | green | solid | the host's figures reach the needle |
//! | [`BoardState::Alert`] | red | blink | live, and a figure is past its alert limit (a screen shows it) |
//! | [`BoardState::Updating`] | magenta | fast blink | a firmware update is being written |
//! | [`BoardState::Fault`] | red | three flashes | the access point did not start and there is no network |
//!
//! # Configuration
//! [`StatusLight::with_brightness`] scales the colours (addressable LEDs are painfully bright at full scale).
//!
//! # Example
//! ```
//! use sysboy_device::status_light::{BoardState, Heard, Pattern, StatusLight};
//! let mut light = StatusLight::new();
//! light.hear(Heard::AccessPointUp);
//! assert_eq!(light.state(), BoardState::PortalOpen);
//! assert_eq!(light.look().pattern, Pattern::Breathe);
//! let _rgb = light.colour_at(1_000);
//! ```

use core::fmt;

use sysboy_protocol::Light;

use crate::link::LinkState;

/// A colour of the light, 8 bits a channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Rgb {
    /// Red.
    pub r: u8,
    /// Green.
    pub g: u8,
    /// Blue.
    pub b: u8,
}

impl Rgb {
    /// Dark.
    pub const OFF: Self = Self::new(0, 0, 0);
    /// Starting.
    pub const WHITE: Self = Self::new(255, 255, 255);
    /// The portal.
    pub const BLUE: Self = Self::new(0, 0, 255);
    /// Joining: red and green mixed towards red, as amber reads on an RGB LED.
    pub const AMBER: Self = Self::new(255, 110, 0);
    /// No host.
    pub const CYAN: Self = Self::new(0, 255, 255);
    /// Token refused and faults.
    pub const RED: Self = Self::new(255, 0, 0);
    /// Live.
    pub const GREEN: Self = Self::new(0, 255, 0);
    /// Updating.
    pub const MAGENTA: Self = Self::new(255, 0, 255);
    /// Awaiting approval: red and green nearly even, well clear of amber's red.
    pub const YELLOW: Self = Self::new(255, 220, 0);

    /// A colour from its channels.
    pub const fn new(r: u8, g: u8, b: u8) -> Self {
        Self { r, g, b }
    }

    /// This colour at `level` of 255.
    pub const fn scaled(self, level: u8) -> Self {
        const fn scale(channel: u8, level: u8) -> u8 {
            ((channel as u16 * level as u16 + 127) / 255) as u8
        }
        Self::new(scale(self.r, level), scale(self.g, level), scale(self.b, level))
    }

    /// `#rrggbb`, for reports.
    pub fn hex(self) -> [u8; 7] {
        const DIGITS: &[u8; 16] = b"0123456789abcdef";
        let mut out = [b'#'; 7];
        for (i, channel) in [self.r, self.g, self.b].into_iter().enumerate() {
            out[1 + 2 * i] = DIGITS[usize::from(channel >> 4)];
            out[2 + 2 * i] = DIGITS[usize::from(channel & 0xf)];
        }
        out
    }
}

/// How the light changes in time.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pattern {
    /// Always on.
    Solid,
    /// Fades up and down over [`BREATHE_MS`]; a plain LED is on for the brighter half.
    Breathe,
    /// [`SLOW_BLINK_MS`] on, as long off.
    SlowBlink,
    /// [`FAST_BLINK_MS`] on, as long off.
    FastBlink,
    /// [`BLINK_MS`] on, as long off: between the slow and the fast blink, so neither is mistaken for it.
    Blink,
    /// This many short flashes, then a pause; the count is the message.
    Flashes(u8),
    /// On, with a short dark wink every [`WINK_PERIOD_MS`]: "waiting on you", and unlike solid it shows the board
    /// is not yet doing its job.
    Wink,
}

/// One breath, dim to bright to dim.
pub const BREATHE_MS: u64 = 2_400;
/// The half period of [`Pattern::SlowBlink`].
pub const SLOW_BLINK_MS: u64 = 500;
/// The half period of [`Pattern::FastBlink`].
pub const FAST_BLINK_MS: u64 = 100;
/// The half period of [`Pattern::Blink`].
pub const BLINK_MS: u64 = 250;
/// One flash of [`Pattern::Flashes`], and the gap between two.
pub const FLASH_MS: u64 = 150;
/// The dark pause after a group of flashes: long enough that the groups are counted, not seen as a blink.
pub const FLASH_PAUSE_MS: u64 = 1_200;
/// One wink period: on for all of it but the last [`WINK_MS`].
pub const WINK_PERIOD_MS: u64 = 1_500;
/// The dark wink at the end of each [`WINK_PERIOD_MS`].
pub const WINK_MS: u64 = 200;
/// A breath never goes fully dark, so it is not mistaken for a blink.
const BREATHE_FLOOR: f32 = 0.06;

impl Pattern {
    /// The brightness at `now_ms`, 0 (dark) to 255 (full).
    pub fn level(self, now_ms: u64) -> u8 {
        match self {
            Self::Breathe => {
                let phase = (now_ms % BREATHE_MS) as f32 / BREATHE_MS as f32;
                // A raised cosine: starts dim, peaks half-way, no corners for the eye to catch.
                let wave = (1.0 - libm::cosf(2.0 * core::f32::consts::PI * phase)) / 2.0;
                let level = BREATHE_FLOOR + (1.0 - BREATHE_FLOOR) * wave;
                (level * 255.0 + 0.5) as u8
            }
            _ if self.lit_at(now_ms) => 255,
            _ => 0,
        }
    }

    /// Whether a plain (on/off) LED is on at `now_ms`.
    pub fn lit_at(self, now_ms: u64) -> bool {
        match self {
            Self::Solid => true,
            Self::Breathe => now_ms % BREATHE_MS >= BREATHE_MS / 4 && now_ms % BREATHE_MS < 3 * BREATHE_MS / 4,
            Self::SlowBlink => now_ms % (2 * SLOW_BLINK_MS) < SLOW_BLINK_MS,
            Self::FastBlink => now_ms % (2 * FAST_BLINK_MS) < FAST_BLINK_MS,
            Self::Blink => now_ms % (2 * BLINK_MS) < BLINK_MS,
            Self::Wink => now_ms % WINK_PERIOD_MS < WINK_PERIOD_MS - WINK_MS,
            Self::Flashes(0) => false,
            Self::Flashes(count) => {
                let count = u64::from(count);
                let period = 2 * FLASH_MS * count + FLASH_PAUSE_MS;
                let at = now_ms % period;
                at < 2 * FLASH_MS * count && at % (2 * FLASH_MS) < FLASH_MS
            }
        }
    }

    /// The pattern's name in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Solid => "solid",
            Self::Breathe => "breathe",
            Self::SlowBlink => "slow_blink",
            Self::FastBlink => "fast_blink",
            Self::Blink => "blink",
            Self::Wink => "wink",
            Self::Flashes(1) => "flash",
            Self::Flashes(2) => "double_flash",
            Self::Flashes(3) => "triple_flash",
            Self::Flashes(_) => "flashes",
        }
    }
}

/// What the board is doing, as the light shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BoardState {
    /// Booting or restarting: nothing heard yet.
    Starting,
    /// The access point and its portal are up and the board has no home network.
    PortalOpen,
    /// A join of the home network is under way (or a rejoin after it went away), or the board has joined and
    /// waits for its address.
    Joining,
    /// On the home network, but with no session with the host: searching, connecting or backing off.
    NoHost,
    /// The host refused the pairing token; shown until a session goes live again.
    TokenRefused,
    /// The board has no token and asked to pair: the host holds it until the user approves it on the PC.
    AwaitingApproval,
    /// A session is live: the host's figures reach the needle.
    Live,
    /// A session is live and a figure is past its alert limit: a screen shows the alert, the light blinks.
    Alert,
    /// A firmware update is being written.
    Updating,
    /// The access point did not start and the board has no network: it cannot be reached at all.
    Fault,
}

impl BoardState {
    /// How this state looks.
    pub const fn look(self) -> Look {
        let (colour, pattern) = match self {
            Self::Starting => (Rgb::WHITE, Pattern::Solid),
            Self::PortalOpen => (Rgb::BLUE, Pattern::Breathe),
            Self::Joining => (Rgb::AMBER, Pattern::SlowBlink),
            Self::NoHost => (Rgb::CYAN, Pattern::Flashes(1)),
            Self::TokenRefused => (Rgb::RED, Pattern::Flashes(2)),
            Self::AwaitingApproval => (Rgb::YELLOW, Pattern::Wink),
            Self::Live => (Rgb::GREEN, Pattern::Solid),
            Self::Alert => (Rgb::RED, Pattern::Blink),
            Self::Updating => (Rgb::MAGENTA, Pattern::FastBlink),
            Self::Fault => (Rgb::RED, Pattern::Flashes(3)),
        };
        Look { colour, pattern }
    }

    /// The state's name in reports.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Starting => "starting",
            Self::PortalOpen => "portal",
            Self::Joining => "joining",
            Self::NoHost => "no_host",
            Self::TokenRefused => "token_refused",
            Self::AwaitingApproval => "awaiting_approval",
            Self::Live => "live",
            Self::Alert => "alert",
            Self::Updating => "updating",
            Self::Fault => "fault",
        }
    }

    /// The colour's name in reports.
    pub const fn colour_name(self) -> &'static str {
        match self {
            Self::Starting => "white",
            Self::PortalOpen => "blue",
            Self::Joining => "amber",
            Self::NoHost => "cyan",
            Self::TokenRefused | Self::Fault | Self::Alert => "red",
            Self::Live => "green",
            Self::Updating => "magenta",
            Self::AwaitingApproval => "yellow",
        }
    }

    /// The protocol's name for this state, as the status to the host reports the light.
    pub const fn light(self) -> Light {
        match self {
            Self::Starting => Light::Starting,
            Self::PortalOpen => Light::PortalOpen,
            Self::Joining => Light::Joining,
            Self::NoHost => Light::NoHost,
            Self::TokenRefused => Light::TokenRefused,
            Self::AwaitingApproval => Light::AwaitingApproval,
            Self::Live => Light::Live,
            Self::Alert => Light::Alert,
            Self::Updating => Light::Updating,
            Self::Fault => Light::Fault,
        }
    }
}

impl fmt::Display for BoardState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A state's colour and pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Look {
    /// The colour at full level.
    pub colour: Rgb,
    /// How it changes in time.
    pub pattern: Pattern,
}

/// What the light hears: the board's own reports, reduced to what changes the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    /// The access point is on the air with its portal.
    AccessPointUp,
    /// The access point is off the air.
    AccessPointDown,
    /// The access point did not start.
    AccessPointFailed,
    /// A join (or rejoin) of the home network started.
    Joining,
    /// A join succeeded.
    Joined,
    /// A join failed.
    JoinFailed,
    /// The joined network went away; rejoins follow.
    NetworkLost,
    /// A rejoin brought the network back.
    NetworkBack,
    /// The station has an address (true) or has none (false).
    Address(bool),
    /// The host link is in this state.
    Link(LinkState),
    /// A firmware update started.
    UpdateStarted,
    /// The firmware update ended (either way).
    UpdateEnded,
    /// The board restarts now.
    Restarting,
    /// A figure is past its alert limit (true) or none is (false), as the screens judge it.
    Alert(bool),
}

/// The status light: the board's state from what it heard, and that state's look in time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusLight {
    access_point: bool,
    access_point_failed: bool,
    joining: bool,
    joined: bool,
    rejoining: bool,
    address: bool,
    link: LinkState,
    token_refused: bool,
    updating: bool,
    restarting: bool,
    alert: bool,
    brightness: u8,
}

impl Default for StatusLight {
    fn default() -> Self {
        Self::new()
    }
}

impl StatusLight {
    /// A light that has heard nothing yet: [`BoardState::Starting`], at full brightness.
    pub const fn new() -> Self {
        Self {
            access_point: false,
            access_point_failed: false,
            joining: false,
            joined: false,
            rejoining: false,
            address: false,
            link: LinkState::Discovering,
            token_refused: false,
            updating: false,
            restarting: false,
            alert: false,
            brightness: 255,
        }
    }

    /// Scales every colour to `brightness` of 255.
    pub const fn with_brightness(mut self, brightness: u8) -> Self {
        self.brightness = brightness;
        self
    }

    /// Takes in one thing the board heard.
    pub fn hear(&mut self, heard: Heard) {
        match heard {
            Heard::AccessPointUp => {
                self.access_point = true;
                self.access_point_failed = false;
            }
            Heard::AccessPointDown => self.access_point = false,
            Heard::AccessPointFailed => self.access_point_failed = true,
            Heard::Joining => self.joining = true,
            Heard::Joined => {
                self.joining = false;
                self.joined = true;
            }
            Heard::JoinFailed => self.joining = false,
            Heard::NetworkLost => {
                self.rejoining = true;
                self.joined = false;
            }
            Heard::NetworkBack => {
                self.rejoining = false;
                self.joining = false;
                self.joined = true;
            }
            Heard::Address(address) => self.address = address,
            Heard::Link(link) => {
                match link {
                    LinkState::AuthFailed { .. } => self.token_refused = true,
                    // Only a session that goes live shows the token is good again; a retry may be refused too. A
                    // board that asks to pair has no token to refuse: the request is the news.
                    LinkState::Live | LinkState::AwaitingApproval => self.token_refused = false,
                    _ => {}
                }
                self.link = link;
            }
            Heard::UpdateStarted => self.updating = true,
            Heard::UpdateEnded => self.updating = false,
            Heard::Restarting => self.restarting = true,
            Heard::Alert(alert) => self.alert = alert,
        }
    }

    /// What the board is doing.
    pub fn state(&self) -> BoardState {
        // Most urgent first: what the user must not interrupt, then what they can act on.
        if self.updating {
            BoardState::Updating
        } else if self.restarting {
            BoardState::Starting
        } else if self.joining || self.rejoining {
            BoardState::Joining
        } else if self.address {
            // With an address the station's view decides: the portal may still be up beside it.
            if self.token_refused {
                BoardState::TokenRefused
            } else if self.link == LinkState::Live {
                // An alert needs live figures: off the session, the screens show the link's state instead.
                if self.alert { BoardState::Alert } else { BoardState::Live }
            } else if self.link == LinkState::AwaitingApproval {
                BoardState::AwaitingApproval
            } else {
                BoardState::NoHost
            }
        } else if self.joined {
            // Joined, the address still to come: the portal may be up, but the join is the news.
            BoardState::Joining
        } else if self.access_point {
            BoardState::PortalOpen
        } else if self.access_point_failed {
            BoardState::Fault
        } else {
            BoardState::Starting
        }
    }

    /// The current state's colour and pattern.
    pub fn look(&self) -> Look {
        self.state().look()
    }

    /// The RGB LED's colour at `now_ms`, brightness applied.
    pub fn colour_at(&self, now_ms: u64) -> Rgb {
        let look = self.look();
        look.colour.scaled(self.brightness).scaled(look.pattern.level(now_ms))
    }

    /// Whether a plain LED is on at `now_ms`.
    pub fn lit_at(&self, now_ms: u64) -> bool {
        self.look().pattern.lit_at(now_ms)
    }
}

#[cfg(feature = "embassy-net")]
mod heard_from {
    use super::Heard;
    use crate::net::provisioning::ProvisioningEvent;
    use crate::net::station::StationReport;

    impl Heard {
        /// What a provisioning event says about the board's state, if anything.
        pub fn from_provisioning(event: &ProvisioningEvent<'_>) -> Option<Self> {
            // Events that do not change what the light shows (settings saved, the long press, radio restarts)
            // fall through, so new kinds of event need no change here unless they should.
            Some(match event {
                ProvisioningEvent::AccessPoint { .. } => Self::AccessPointUp,
                ProvisioningEvent::AccessPointFailed(_) => Self::AccessPointFailed,
                ProvisioningEvent::AccessPointOff => Self::AccessPointDown,
                ProvisioningEvent::Joining(_) => Self::Joining,
                ProvisioningEvent::Joined(_) => Self::Joined,
                ProvisioningEvent::JoinFailed { .. } => Self::JoinFailed,
                ProvisioningEvent::LinkLost => Self::NetworkLost,
                ProvisioningEvent::LinkBack => Self::NetworkBack,
                ProvisioningEvent::Restarting => Self::Restarting,
                #[allow(unreachable_patterns)]
                _ => return None,
            })
        }

        /// What a station report says about the board's state, if anything.
        pub fn from_station(report: &StationReport<'_>) -> Option<Self> {
            Some(match report {
                StationReport::Link(state) | StationReport::Ended { state, .. } => Self::Link(*state),
                StationReport::NoNetwork(none) => Self::Address(!none),
                StationReport::NetworkUp(_) => Self::Address(true),
                #[allow(unreachable_patterns)]
                _ => return None,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn heard(events: &[Heard]) -> StatusLight {
        let mut light = StatusLight::new();
        events.iter().for_each(|event| light.hear(*event));
        light
    }

    /// The states a fresh board goes through from the portal to a live session.
    const PORTAL_TO_LIVE: &[Heard] = &[
        Heard::Link(LinkState::Discovering),
        Heard::Address(false),
        Heard::AccessPointUp,
        Heard::Joining,
        Heard::Joined,
        Heard::Address(true),
        Heard::Link(LinkState::Connecting),
        Heard::Link(LinkState::Handshaking),
        Heard::Link(LinkState::AwaitingWelcome),
        Heard::Link(LinkState::Live),
    ];

    #[test]
    fn a_board_that_has_heard_nothing_shows_it_is_starting() {
        assert_eq!(StatusLight::new().state(), BoardState::Starting);
        assert_eq!(StatusLight::new().look(), Look { colour: Rgb::WHITE, pattern: Pattern::Solid });
    }

    #[test]
    fn a_fresh_board_goes_portal_then_joining_then_no_host_then_live() {
        let mut light = StatusLight::new();
        let mut seen = alloc::vec::Vec::new();
        for event in PORTAL_TO_LIVE {
            light.hear(*event);
            if seen.last() != Some(&light.state()) {
                seen.push(light.state());
            }
        }
        assert_eq!(
            seen,
            [BoardState::Starting, BoardState::PortalOpen, BoardState::Joining, BoardState::NoHost, BoardState::Live]
        );
    }

    #[test]
    fn joined_but_without_an_address_is_still_joining() {
        let light = heard(&[Heard::Joining, Heard::Joined, Heard::Address(false)]);
        assert_eq!(light.state(), BoardState::Joining);
    }

    #[test]
    fn a_failed_join_with_the_portal_up_shows_the_portal_again() {
        let light = heard(&[Heard::AccessPointUp, Heard::Joining, Heard::JoinFailed]);
        assert_eq!(light.state(), BoardState::PortalOpen);
    }

    #[test]
    fn a_refused_token_shows_red_double_flashes_until_the_next_session_goes_live() {
        let mut light = heard(PORTAL_TO_LIVE);
        light.hear(Heard::Link(LinkState::AuthFailed { until_ms: 300_000 }));
        assert_eq!(light.state(), BoardState::TokenRefused);
        assert_eq!(light.look(), Look { colour: Rgb::RED, pattern: Pattern::Flashes(2) });
        // The retry after the long wait goes through the states again; the refusal stays shown meanwhile.
        for link in [LinkState::Discovering, LinkState::Connecting, LinkState::Handshaking, LinkState::Backoff { until_ms: 1 }] {
            light.hear(Heard::Link(link));
            assert_eq!(light.state(), BoardState::TokenRefused, "after {link:?}");
        }
        light.hear(Heard::Link(LinkState::AwaitingWelcome));
        assert_eq!(light.state(), BoardState::TokenRefused);
        light.hear(Heard::Link(LinkState::Live));
        assert_eq!(light.state(), BoardState::Live);
    }

    #[test]
    fn a_dropped_session_shows_no_host_rather_than_live() {
        let mut light = heard(PORTAL_TO_LIVE);
        light.hear(Heard::Link(LinkState::Backoff { until_ms: 5_000 }));
        assert_eq!(light.state(), BoardState::NoHost);
    }

    #[test]
    fn a_lost_network_shows_joining_until_it_is_back_even_between_failed_rejoins() {
        let mut light = heard(PORTAL_TO_LIVE);
        light.hear(Heard::NetworkLost);
        assert_eq!(light.state(), BoardState::Joining);
        light.hear(Heard::Link(LinkState::Backoff { until_ms: 5_000 }));
        light.hear(Heard::Joining);
        light.hear(Heard::JoinFailed);
        assert_eq!(light.state(), BoardState::Joining, "a failed rejoin is still a board trying to rejoin");
        light.hear(Heard::NetworkBack);
        assert_eq!(light.state(), BoardState::NoHost, "back on the network, the session is still to be made");
    }

    #[test]
    fn an_access_point_that_failed_without_a_network_is_a_fault() {
        let light = heard(&[Heard::AccessPointFailed]);
        assert_eq!(light.state(), BoardState::Fault);
        assert_eq!(light.look().pattern, Pattern::Flashes(3));
        let recovered = heard(&[Heard::AccessPointFailed, Heard::AccessPointUp]);
        assert_eq!(recovered.state(), BoardState::PortalOpen);
    }

    #[test]
    fn an_update_outranks_everything_and_ends_back_where_it_was() {
        let mut light = heard(PORTAL_TO_LIVE);
        light.hear(Heard::UpdateStarted);
        light.hear(Heard::NetworkLost);
        assert_eq!(light.state(), BoardState::Updating);
        light.hear(Heard::UpdateEnded);
        assert_eq!(light.state(), BoardState::Joining);
    }

    #[test]
    fn an_alert_blinks_red_while_live_and_gives_way_to_the_link_s_own_troubles() {
        let mut light = heard(PORTAL_TO_LIVE);
        light.hear(Heard::Alert(true));
        assert_eq!(light.state(), BoardState::Alert);
        assert_eq!(light.look(), Look { colour: Rgb::RED, pattern: Pattern::Blink });
        assert!(light.lit_at(0) && !light.lit_at(BLINK_MS) && light.lit_at(2 * BLINK_MS));
        light.hear(Heard::Link(LinkState::Backoff { until_ms: 5_000 }));
        assert_eq!(light.state(), BoardState::NoHost, "an alert without a session is not shown as one");
        light.hear(Heard::Link(LinkState::Live));
        assert_eq!(light.state(), BoardState::Alert);
        light.hear(Heard::Alert(false));
        assert_eq!(light.state(), BoardState::Live);
    }

    #[test]
    fn a_board_asking_to_pair_winks_yellow_until_its_session_goes_live() {
        let mut light = heard(&[Heard::Address(true), Heard::Link(LinkState::AwaitingWelcome)]);
        assert_eq!(light.state(), BoardState::NoHost);
        light.hear(Heard::Link(LinkState::AwaitingApproval));
        assert_eq!(light.state(), BoardState::AwaitingApproval);
        assert_eq!(light.look(), Look { colour: Rgb::YELLOW, pattern: Pattern::Wink });
        assert_eq!(light.state().light(), Light::AwaitingApproval);
        assert!(light.lit_at(0) && light.lit_at(WINK_PERIOD_MS - WINK_MS - 1));
        assert!(!light.lit_at(WINK_PERIOD_MS - WINK_MS) && light.lit_at(WINK_PERIOD_MS));
        light.hear(Heard::Link(LinkState::AwaitingWelcome));
        assert_eq!(light.state(), BoardState::NoHost, "approved: the welcome is on its way");
        light.hear(Heard::Link(LinkState::Live));
        assert_eq!(light.state(), BoardState::Live);
        light.hear(Heard::Link(LinkState::AuthFailed { until_ms: 1 }));
        light.hear(Heard::Link(LinkState::AwaitingApproval));
        assert_eq!(light.state(), BoardState::AwaitingApproval, "a new request outranks an old refusal");
    }

    #[test]
    fn each_state_reports_as_its_protocol_light() {
        assert_eq!(BoardState::PortalOpen.light().as_str(), "portal_open");
        assert_eq!(BoardState::AwaitingApproval.light().as_str(), BoardState::AwaitingApproval.as_str());
        assert_eq!(BoardState::TokenRefused.light(), Light::TokenRefused);
    }

    #[test]
    fn a_restart_shows_starting() {
        let mut light = heard(PORTAL_TO_LIVE);
        light.hear(Heard::Restarting);
        assert_eq!(light.state(), BoardState::Starting);
    }

    #[test]
    fn every_state_has_a_pattern_of_its_own_so_a_plain_led_tells_them_apart() {
        // Starting and Live share "solid": starting lasts a moment, and both mean "nothing to do".
        let states = [
            BoardState::PortalOpen,
            BoardState::Joining,
            BoardState::NoHost,
            BoardState::TokenRefused,
            BoardState::AwaitingApproval,
            BoardState::Live,
            BoardState::Alert,
            BoardState::Updating,
            BoardState::Fault,
        ];
        for (i, a) in states.iter().enumerate() {
            for b in &states[i + 1..] {
                let differ = (0..10_000).step_by(10).any(|t| a.look().pattern.lit_at(t) != b.look().pattern.lit_at(t));
                assert!(differ, "{a} and {b} look the same on a plain LED");
            }
        }
    }

    #[test]
    fn a_double_flash_is_two_flashes_then_a_pause() {
        let pattern = Pattern::Flashes(2);
        let period = 4 * FLASH_MS + FLASH_PAUSE_MS;
        let edges: alloc::vec::Vec<u64> =
            (1..period).filter(|t| pattern.lit_at(*t) != pattern.lit_at(t - 1)).collect();
        assert_eq!(edges, [FLASH_MS, 2 * FLASH_MS, 3 * FLASH_MS], "on, off, on, then dark to the end of the period");
        assert!(pattern.lit_at(0) && pattern.lit_at(period));
    }

    #[test]
    fn a_breath_rises_and_falls_without_going_dark() {
        let levels: alloc::vec::Vec<u8> = (0..BREATHE_MS).step_by(100).map(|t| Pattern::Breathe.level(t)).collect();
        let low = *levels.iter().min().unwrap();
        assert!(low > 0 && low < 30, "dimmest: {low}");
        assert_eq!(Pattern::Breathe.level(BREATHE_MS / 2), 255);
        assert!(Pattern::Breathe.level(BREATHE_MS / 4) > low && Pattern::Breathe.level(BREATHE_MS / 4) < 255);
    }

    #[test]
    fn blinks_alternate_at_their_rates() {
        assert!(Pattern::SlowBlink.lit_at(0) && !Pattern::SlowBlink.lit_at(SLOW_BLINK_MS) && Pattern::SlowBlink.lit_at(2 * SLOW_BLINK_MS));
        assert!(Pattern::FastBlink.lit_at(0) && !Pattern::FastBlink.lit_at(FAST_BLINK_MS));
        assert_eq!(Pattern::Solid.level(12_345), 255);
    }

    #[test]
    fn the_colour_follows_the_pattern_and_the_brightness() {
        let light = heard(&[Heard::Link(LinkState::AuthFailed { until_ms: 1 }), Heard::Address(true)]).with_brightness(32);
        assert_eq!(light.colour_at(0), Rgb::new(32, 0, 0));
        assert_eq!(light.colour_at(FLASH_MS), Rgb::OFF);
        assert!(light.lit_at(0) && !light.lit_at(FLASH_MS));
    }

    #[test]
    fn colours_print_as_hex() {
        assert_eq!(&Rgb::AMBER.hex(), b"#ff6e00");
        assert_eq!(Rgb::WHITE.scaled(128), Rgb::new(128, 128, 128));
    }
}

#[cfg(all(test, feature = "embassy-net"))]
mod event_tests {
    use core::net::Ipv4Addr;

    use super::*;
    use crate::net::provisioning::ProvisioningEvent;
    use crate::net::station::StationReport;
    use crate::radio::JoinError;

    #[test]
    fn the_provisioning_drivers_events_drive_the_light_from_portal_to_joining() {
        let mut light = StatusLight::new();
        let events = [
            ProvisioningEvent::AccessPoint { ssid: "Sysboy-setup", address: Ipv4Addr::new(192, 168, 4, 1), networks: 2 },
            ProvisioningEvent::Joining("HomeNet"),
        ];
        let mut seen = alloc::vec::Vec::new();
        for event in &events {
            light.hear(Heard::from_provisioning(event).expect("both change the light"));
            seen.push(light.state());
        }
        assert_eq!(seen, [BoardState::PortalOpen, BoardState::Joining]);
        light.hear(Heard::from_provisioning(&ProvisioningEvent::JoinFailed { ssid: "HomeNet", error: JoinError::NotFound }).unwrap());
        assert_eq!(light.state(), BoardState::PortalOpen);
        assert_eq!(Heard::from_provisioning(&ProvisioningEvent::ResetPressed), None);
    }

    #[test]
    fn the_stations_reports_drive_the_light_to_a_refused_token() {
        let mut light = StatusLight::new();
        let refused = LinkState::AuthFailed { until_ms: 300_000 };
        for report in [StationReport::NoNetwork(false), StationReport::Ended { state: refused, reason: "401" }] {
            light.hear(Heard::from_station(&report).expect("both change the light"));
        }
        assert_eq!(light.state(), BoardState::TokenRefused);
        assert_eq!(Heard::from_station(&StationReport::Attempt("10.0.0.1:8077")), None);
    }
}
