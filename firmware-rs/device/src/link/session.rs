//! The host-link session: from finding the host to a live session and back to a backoff, one event at a time.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use sysboy_protocol::{
    decode_host_message, Ack, Applied, Binding, ButtonEvent, Configured, DeviceMessage, ErrorCode, ErrorReport, Heartbeat, HeldOutput,
    HistoryBurst, HoldOutput, HostMessage, MetricSample, NamedMetric, OutputKind, PairPending, Press, ScreenConfig, SessionConfig,
    StreamRect, APPLIED_EVERY_FRAMES, APPLIED_WITHIN_MS,
};

use super::config::LinkConfig;
use crate::button::Gesture;
use crate::meter::{max_code_for_bits, Calibration, Reading, UndoError};
use crate::ota::Updater;
use crate::screen::{self, ScreenSpec};
use crate::stream::{Refused, StreamError, StreamReceiver};
use crate::ws::HandshakeError;

/// Where the session is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkState {
    /// Looking for the host (mDNS, or the saved address).
    Discovering,
    /// Opening the TCP connection.
    Connecting,
    /// The WebSocket upgrade is under way.
    Handshaking,
    /// The hello is sent; waiting for the welcome.
    AwaitingWelcome,
    /// The hello carried no token and the host answered `pair_pending`: it holds the socket open until the user
    /// approves the board (`paired`, then the welcome). No welcome or silence timeout runs and nothing reconnects
    /// while the socket stays up; heartbeats go out as on a live link, and the socket's own end (a close, a reset,
    /// a write that times out) ends the wait.
    AwaitingApproval,
    /// The host sends frames and takes commands.
    Live,
    /// Waiting before the next attempt.
    Backoff {
        /// When to try again.
        until_ms: u64,
    },
    /// The host refused the token; waiting long before trying again, so as not to hammer it.
    AuthFailed {
        /// When to try again.
        until_ms: u64,
    },
}

/// What the device must do after an event.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// Send this message as one text frame.
    Send(DeviceMessage),
    /// Show this reading on the meter of this output.
    Show {
        /// Output id.
        output: String,
        /// The value, or why there is none.
        reading: Reading,
    },
    /// Apply a config from the host: stale timeout, ballistics and calibration to the meters, and save it. Its
    /// `screens` are taken out: they come as [`Action::ConfigureScreens`] when the device can show them.
    Apply(SessionConfig),
    /// Lay the screens out as these configs say (a screen none names takes its default); the link has checked
    /// them against the screens the hello announced. Only a device with screens is given it.
    ConfigureScreens(Vec<ScreenConfig>),
    /// A metric's recent values for the screens' graphs; only a device with screens is given it.
    History(HistoryBurst),
    /// A metric frame for the screens, whatever its metric (the screens know which they show); only a device
    /// with screens is given it, beside the [`Action::Show`]s of the meters bound to the metric.
    Figure(NamedMetric),
    /// A short press on a device with screens: step the screens to their next scene (no command goes to the
    /// host, so the meter keeps its metric).
    NextScene,
    /// The host answered a command.
    Acked(Ack),
    /// The host refused something we sent; worth a log line.
    Refused(ErrorReport),
    /// The link is down: meters must stop showing the last values as live.
    Forget,
    /// Close the connection (with a close frame, if the socket is still up).
    Disconnect,
    /// Send a `status` message: the board fills in what only it knows (heap, RSSI, addresses, uptime).
    ReportStatus,
    /// A stream rectangle was refused (the `bad_frame` error before this action tells the host); for the board's
    /// log and figures.
    StreamRefused(Refused),
    /// The host lists the board as wanting to pair; the reason says what the user does (for a log line or a
    /// screen). The link now waits in [`LinkState::AwaitingApproval`].
    PairPending(PairPending),
    /// The host issued the board its own credential: store it where the portal's token goes (settings
    /// `network.token`) so the next boot presents it. The link presents it in every later hello already.
    StoreToken(String),
    /// Drive this output at the raw `code`, bypassing calibration and ballistics, until a [`Action::Release`] of
    /// it or a [`Action::Forget`]; the link keeps the lease and releases it when it runs out.
    Hold {
        /// Output id (one the hello announced, analog).
        output: String,
        /// The raw code, at most the output's largest.
        code: u16,
    },
    /// The hold on this output ended (released by the host or its lease ran out): it shows live figures again.
    Release {
        /// Output id.
        output: String,
    },
}

/// One output held at a raw code, until its lease runs out.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Hold {
    output: String,
    code: u16,
    until_ms: u64,
}

/// The metric the first output shows until the host or the saved settings say otherwise.
pub const DEFAULT_METRIC: &str = "vram";

/// The host-link state machine. The caller drives the sockets and passes in the clock and random numbers.
#[derive(Debug, Clone)]
pub struct HostLink {
    config: LinkConfig,
    state: LinkState,
    bindings: Vec<Binding>,
    /// The screens the hello announces, to check the host's screens configs against.
    screens: Vec<ScreenSpec>,
    /// The stream's headers and payloads in order, on a device whose hello announces encodings.
    stream: Option<StreamReceiver>,
    attempts: u32,
    last_rx_ms: u64,
    last_tx_ms: u64,
    last_status_ms: u64,
    heartbeat_seq: u32,
    command_id: u32,
    undo_requests: Vec<String>,
    /// Whether this session's host sent a welcome: only a sysboy host is told which frames were applied.
    welcomed: bool,
    /// The seq of the newest metric frame applied and not yet reported, with how many frames that covers.
    unreported: Option<u32>,
    unreported_frames: u32,
    /// When the last report went out in this session.
    last_applied_ms: Option<u64>,
    /// Outputs held at a raw code by the calibration wizard, with their leases; empty (unallocated) otherwise.
    holds: Vec<Hold>,
    /// The update over the air the host offered, if any; refuses every offer on a board without slots.
    updater: Updater,
}

impl HostLink {
    /// A link that starts by looking for the host, with the bindings saved from the last session. Without saved
    /// bindings the first output shows [`DEFAULT_METRIC`], so a bare server's seed frame moves the needle.
    pub fn new(config: LinkConfig, bindings: Vec<Binding>) -> Self {
        let bindings = match (bindings.is_empty(), config.hello.outputs.first()) {
            (true, Some(output)) => alloc::vec![Binding { output: output.id.clone(), metric: String::from(DEFAULT_METRIC) }],
            _ => bindings,
        };
        let screens = ScreenSpec::from_hello(&config.hello);
        let stream = StreamReceiver::from_hello(&config.hello);
        let updater = Updater::new(config.hello.chip, 0);
        Self {
            config,
            state: LinkState::Discovering,
            bindings,
            screens,
            stream,
            attempts: 0,
            last_rx_ms: 0,
            last_tx_ms: 0,
            last_status_ms: 0,
            heartbeat_seq: 0,
            command_id: 0,
            undo_requests: Vec::new(),
            welcomed: false,
            unreported: None,
            unreported_frames: 0,
            last_applied_ms: None,
            holds: Vec::new(),
            updater,
        }
    }

    /// The link with the board's updater (its chip and slot size, and what the boot found): a board with OTA slots
    /// takes the host's `update` offers. Without one every offer is refused.
    pub fn with_updater(mut self, updater: Updater) -> Self {
        self.updater = updater;
        self
    }

    /// The update under way or the last one's outcome; the session's IO drives the download through it.
    pub fn updater(&mut self) -> &mut Updater {
        &mut self.updater
    }

    /// How the update stands, for the status's `update`.
    pub fn update_progress(&self) -> Option<sysboy_protocol::UpdateProgress> {
        self.updater.progress().cloned()
    }

    /// Where the session is.
    pub fn state(&self) -> LinkState {
        self.state
    }

    /// Which metric drives each output.
    pub fn bindings(&self) -> &[Binding] {
        &self.bindings
    }

    /// The token the hello presents: the install-wide one the board was set up with, or the credential the host
    /// issued it (`paired`).
    pub fn token(&self) -> Option<&str> {
        self.config.hello.token.as_deref()
    }

    /// The outputs held at a raw code now, for the status's `held` (empty when none is).
    pub fn held(&self) -> Vec<HeldOutput> {
        self.holds.iter().map(|hold| HeldOutput { output: hold.output.clone(), code: hold.code }).collect()
    }

    /// The largest stream payload the hello announces, bytes; `None` when the device takes no stream. The
    /// session's WebSocket buffers must take a binary frame of it.
    pub fn stream_buffer(&self) -> Option<usize> {
        self.stream.as_ref().map(StreamReceiver::buffer)
    }

    /// The host was found: open the connection.
    pub fn found_host(&mut self) {
        if self.state == LinkState::Discovering {
            self.state = LinkState::Connecting;
        }
    }

    /// The TCP connection is open: write the upgrade request.
    pub fn connected(&mut self) {
        if self.state == LinkState::Connecting {
            self.state = LinkState::Handshaking;
        }
    }

    /// The upgrade succeeded: send the hello.
    pub fn upgraded(&mut self, now_ms: u64) -> Vec<Action> {
        if self.state != LinkState::Handshaking {
            return Vec::new();
        }
        self.state = LinkState::AwaitingWelcome;
        self.last_rx_ms = now_ms;
        self.welcomed = false;
        self.unreported = None;
        self.unreported_frames = 0;
        self.last_applied_ms = None;
        if let Some(stream) = &mut self.stream {
            stream.reset();
        }
        alloc::vec![self.send(now_ms, DeviceMessage::Hello(self.config.hello.clone()))]
    }

    /// The upgrade failed; a refused token waits long, anything else backs off.
    pub fn upgrade_failed(&mut self, now_ms: u64, error: HandshakeError, random: u32) -> Vec<Action> {
        if error.is_unauthorized() {
            self.refused_token(now_ms)
        } else {
            self.connection_lost(now_ms, random)
        }
    }

    /// The connection failed or closed: back off, then look for the host again.
    pub fn connection_lost(&mut self, now_ms: u64, random: u32) -> Vec<Action> {
        // The download runs beside the session and ends with it.
        self.updater.fail(now_ms, "the session with the host ended");
        if let LinkState::AuthFailed { .. } = self.state {
            return alloc::vec![self.forget()];
        }
        let ceiling = u64::from(self.config.backoff_min_ms)
            .saturating_mul(1 << self.attempts.min(20))
            .min(u64::from(self.config.backoff_max_ms));
        // "Equal jitter": at least half the ceiling, so retries never bunch up at zero.
        let half = ceiling / 2;
        let delay = half + u64::from(random) % (ceiling - half + 1);
        self.attempts = self.attempts.saturating_add(1);
        self.state = LinkState::Backoff { until_ms: now_ms + delay };
        alloc::vec![self.forget()]
    }

    /// The session is gone: every hold ends with it (the board's meters forget and release on [`Action::Forget`]).
    fn forget(&mut self) -> Action {
        self.holds.clear();
        Action::Forget
    }

    /// Advances the timers: retries after a backoff, heartbeats, the welcome and silence timeouts, the holds'
    /// leases (a hold that ran out is released and the host hears it in a status), and reports an applied frame
    /// held back (the caller polls once the socket has been quiet a moment, so it goes out then).
    pub fn poll(&mut self, now_ms: u64, random: u32) -> Vec<Action> {
        let mut actions = Vec::new();
        if self.state == LinkState::Live && self.unreported.is_some() {
            actions.push(self.report_applied(now_ms));
        }
        actions.extend(self.expire_holds(now_ms));
        actions.extend(self.poll_timers(now_ms, random));
        actions
    }

    /// Releases the holds whose lease ran out by `now_ms`, then asks for a status when any did.
    fn expire_holds(&mut self, now_ms: u64) -> Vec<Action> {
        if self.holds.iter().all(|hold| hold.until_ms > now_ms) {
            return Vec::new();
        }
        let mut actions = Vec::new();
        self.holds.retain(|hold| {
            let running = hold.until_ms > now_ms;
            if !running {
                actions.push(Action::Release { output: hold.output.clone() });
            }
            running
        });
        actions.extend(self.status_changed(now_ms));
        actions
    }

    fn poll_timers(&mut self, now_ms: u64, random: u32) -> Vec<Action> {
        match self.state {
            LinkState::Backoff { until_ms } | LinkState::AuthFailed { until_ms } if now_ms >= until_ms => {
                self.state = LinkState::Discovering;
                Vec::new()
            }
            LinkState::AwaitingWelcome if self.silent_for(now_ms) >= u64::from(self.config.welcome_timeout_ms) => {
                self.drop_link(now_ms, random)
            }
            LinkState::Live if self.silent_for(now_ms) >= u64::from(self.config.silence_ms) => self.drop_link(now_ms, random),
            LinkState::Live if now_ms.saturating_sub(self.last_status_ms) >= u64::from(self.config.status_ms) => {
                self.last_status_ms = now_ms;
                alloc::vec![Action::ReportStatus]
            }
            LinkState::Live | LinkState::AwaitingApproval if now_ms.saturating_sub(self.last_tx_ms) >= u64::from(self.config.heartbeat_ms) => {
                self.heartbeat_seq = self.heartbeat_seq.wrapping_add(1);
                let beat = Heartbeat { seq: Some(self.heartbeat_seq), ts: None };
                alloc::vec![self.send(now_ms, DeviceMessage::Heartbeat(beat))]
            }
            _ => Vec::new(),
        }
    }

    /// A button gesture: while live, it becomes a command to the host; on a device with screens a short press
    /// steps the screens' scenes instead, and the host hears of it through the status.
    pub fn gesture(&mut self, now_ms: u64, button: &str, gesture: Gesture) -> Vec<Action> {
        if self.state != LinkState::Live {
            return Vec::new();
        }
        if gesture == Gesture::NextMetric && !self.screens.is_empty() {
            return alloc::vec![Action::NextScene];
        }
        self.command_id = self.command_id.wrapping_add(1);
        let press = match gesture {
            Gesture::NextMetric => Press::Short,
            Gesture::ResetSettings => Press::Long,
        };
        let event = ButtonEvent { id: self.command_id, button: String::from(button), press };
        alloc::vec![self.send(now_ms, DeviceMessage::Button(event))]
    }

    /// A binary frame from the host. On a device that takes streams it is the payload of the last `stream`
    /// header: `draw` (the board's: [`Decoder::check`](crate::stream::Decoder::check), then
    /// [`Screens::show_stream`](crate::screen::Screens::show_stream)) checks and shows it, and a rectangle with
    /// `last` is answered with `applied` at once. A payload without its header, of another length than its header
    /// said, or that `draw` refuses gets a `bad_frame` error, and the stream goes on with the next header. A device
    /// that takes no stream refuses every binary frame with a `binary_frame` error.
    pub fn received_binary<F>(&mut self, now_ms: u64, payload: &[u8], draw: F) -> Vec<Action>
    where
        F: FnOnce(&StreamRect, &[u8]) -> Result<(), StreamError>,
    {
        self.last_rx_ms = now_ms;
        let Some(stream) = &mut self.stream else {
            return alloc::vec![self.refuse(now_ms, ErrorCode::BinaryFrame, String::from("frames are JSON text"))];
        };
        let rect = match stream.payload(payload.len()) {
            Ok(rect) => rect,
            Err(refused) => return self.refuse_stream(now_ms, refused),
        };
        match draw(&rect, payload) {
            Err(error) => self.refuse_stream(now_ms, Refused { rect: Some(rect), error }),
            Ok(()) if rect.last => {
                let applied = Applied { seq: rect.seq, stream: Some(rect.stream) };
                alloc::vec![self.send(now_ms, DeviceMessage::Applied(applied))]
            }
            Ok(()) => Vec::new(),
        }
    }

    /// A stream header: held for its payload, or refused with a `bad_frame` error.
    fn stream_header(&mut self, now_ms: u64, rect: &StreamRect) -> Vec<Action> {
        let Some(stream) = &mut self.stream else {
            let reason = String::from("stream: this device takes no stream (its hello announced no encodings)");
            return alloc::vec![self.refuse(now_ms, ErrorCode::BadFrame, reason)];
        };
        match stream.header(rect) {
            Ok(()) => Vec::new(),
            Err(refused) => self.refuse_stream(now_ms, refused),
        }
    }

    /// The `bad_frame` error for a refused rectangle, and the refusal for the board.
    fn refuse_stream(&mut self, now_ms: u64, refused: Refused) -> Vec<Action> {
        alloc::vec![self.refuse(now_ms, ErrorCode::BadFrame, format!("{refused}")), Action::StreamRefused(refused)]
    }

    /// A text frame from the host.
    pub fn received_text(&mut self, now_ms: u64, frame: &[u8]) -> Vec<Action> {
        self.last_rx_ms = now_ms;
        let message = match decode_host_message(frame) {
            Ok(message) => message,
            Err(error) => return alloc::vec![self.refuse(now_ms, error.code(), format!("{error}"))],
        };
        // A built-in metric frame's type is its metric name.
        let kind = message.type_name();
        match message {
            HostMessage::Welcome(welcome) => {
                self.welcomed = true;
                // The running image reached the host: it is kept.
                self.updater.reached_host();
                let mut actions = self.apply(now_ms, welcome.config);
                actions.extend(self.go_live(now_ms));
                actions
            }
            HostMessage::Config(config) => {
                let mut actions = self.apply(now_ms, config);
                // The status names the curves stored on the board: the host hears of a new one at once.
                let calibrated = actions.iter().any(|action| {
                    matches!(action, Action::Apply(SessionConfig { calibration: Some(curves), .. }) if !curves.is_empty())
                });
                if calibrated {
                    actions.extend(self.status_changed(now_ms));
                }
                actions
            }
            HostMessage::CalibrationUndo(undo) => match self.output_bits(&undo.output) {
                Some(_) => {
                    self.undo_requests.push(undo.output);
                    Vec::new()
                }
                None => {
                    let reason = format!("calibration_undo: {}", self.unknown_output(&undo.output));
                    alloc::vec![self.refuse(now_ms, ErrorCode::BadConfig, reason)]
                }
            },
            HostMessage::Ack(ack) => alloc::vec![Action::Acked(ack)],
            HostMessage::Error(report) if report.code == ErrorCode::Unauthorized => self.refused_token(now_ms),
            HostMessage::Error(report) => alloc::vec![Action::Refused(report)],
            HostMessage::Heartbeat(_) => Vec::new(),
            HostMessage::Update(offer) => match self.updater.offer(now_ms, &offer) {
                // The status with state downloading goes out through the updater's reports.
                Ok(()) => Vec::new(),
                Err(refused) => alloc::vec![self.refuse(now_ms, ErrorCode::BadConfig, format!("update to {}: {refused}", offer.version))],
            },
            HostMessage::PairPending(pending) if self.state == LinkState::AwaitingWelcome => {
                self.state = LinkState::AwaitingApproval;
                alloc::vec![Action::PairPending(pending)]
            }
            // Only a hello that asked to pair is answered so; anywhere else it changes nothing.
            HostMessage::PairPending(_) => Vec::new(),
            HostMessage::Paired(paired) if self.state == LinkState::AwaitingApproval => {
                self.config.hello.token = Some(paired.token.clone());
                // The welcome follows on this socket, and its timeout runs from here.
                self.state = LinkState::AwaitingWelcome;
                alloc::vec![Action::StoreToken(paired.token)]
            }
            // A credential nobody asked for (the hello carried a token, or the link is live) would replace the one
            // the board was set up with: it is refused and changes nothing.
            HostMessage::Paired(_) => {
                let reason = String::from("paired: this board is not waiting for approval (only a hello without a token is answered so)");
                alloc::vec![self.refuse(now_ms, ErrorCode::BadFrame, reason)]
            }
            HostMessage::Hold(hold) => self.hold(now_ms, hold),
            HostMessage::Release(release) => self.release(now_ms, &release.output),
            HostMessage::Stream(rect) => self.stream_header(now_ms, &rect),
            HostMessage::History(burst) if !self.screens.is_empty() => alloc::vec![Action::History(burst)],
            HostMessage::History(_) => Vec::new(),
            HostMessage::Metric(named) => self.frame(now_ms, named),
            HostMessage::Vram(sample)
            | HostMessage::GpuUtil(sample)
            | HostMessage::GpuTemp(sample)
            | HostMessage::Cpu(sample)
            | HostMessage::Ram(sample)
            | HostMessage::NetRx(sample)
            | HostMessage::NetTx(sample)
            | HostMessage::Disk(sample) => self.frame(now_ms, named(kind, sample)),
        }
    }

    /// What a screen shows changed (the board's screens say so): the host hears it in a status at once, rather
    /// than at the next period.
    pub fn shown_changed(&mut self, now_ms: u64) -> Vec<Action> {
        self.status_changed(now_ms)
    }

    /// Something the status reports changed (what a screen shows, a stored calibration curve, a hold): a live
    /// link sends a status at once, rather than at the next period.
    pub fn status_changed(&mut self, now_ms: u64) -> Vec<Action> {
        if self.state != LinkState::Live {
            return Vec::new();
        }
        self.last_status_ms = now_ms;
        alloc::vec![Action::ReportStatus]
    }

    /// A hold from the calibration wizard: an analog output the hello announced, at a code it can drive, held
    /// for `for_ms` from now (a hold of a held output renews its lease). Anything else is refused with an error
    /// (`unknown_output`, `bad_config`) and changes nothing. A hold that starts or moves is reported in a status.
    fn hold(&mut self, now_ms: u64, hold: HoldOutput) -> Vec<Action> {
        let HoldOutput { output, code, for_ms } = hold;
        let bits = match self.config.hello.outputs.iter().find(|known| known.id == output) {
            Some(known) if !matches!(known.kind, OutputKind::Oled | OutputKind::Tft) => known.bits,
            Some(_) => {
                let reason = format!("hold: '{output}' is a screen, not an analog output");
                return alloc::vec![self.refuse(now_ms, ErrorCode::UnknownOutput, reason)];
            }
            None => {
                let reason = format!("hold: {}", self.unknown_output(&output));
                return alloc::vec![self.refuse(now_ms, ErrorCode::UnknownOutput, reason)];
            }
        };
        let max_code = max_code_for_bits(bits);
        if code > max_code {
            let reason = format!("hold: code {code} is past '{output}''s largest code, {max_code}");
            return alloc::vec![self.refuse(now_ms, ErrorCode::BadConfig, reason)];
        }
        let until_ms = now_ms.saturating_add(u64::from(for_ms));
        let moved = match self.holds.iter_mut().find(|held| held.output == output) {
            Some(held) => {
                held.until_ms = until_ms;
                core::mem::replace(&mut held.code, code) != code
            }
            None => {
                self.holds.push(Hold { output: output.clone(), code, until_ms });
                true
            }
        };
        let mut actions = alloc::vec![Action::Hold { output, code }];
        if moved {
            actions.extend(self.status_changed(now_ms));
        }
        actions
    }

    /// The wizard let go of `output`: it shows live figures again. An output that is not held is left alone.
    fn release(&mut self, now_ms: u64, output: &str) -> Vec<Action> {
        let Some(index) = self.holds.iter().position(|held| held.output == output) else { return Vec::new() };
        let held = self.holds.remove(index);
        let mut actions = alloc::vec![Action::Release { output: held.output }];
        actions.extend(self.status_changed(now_ms));
        actions
    }

    /// A metric frame. A server that streams without a welcome (a bare WebSocket server sending the seed
    /// example) is a live host too: its frames go to the current bindings. The host that welcomed the device hears
    /// which frame it applied: at once when the last report is [`APPLIED_WITHIN_MS`] old or
    /// [`APPLIED_EVERY_FRAMES`] frames wait, else at the next poll, so a burst costs one report per few frames.
    fn frame(&mut self, now_ms: u64, frame: NamedMetric) -> Vec<Action> {
        let seq = frame.seq;
        let mut actions = self.show(&frame.name, frame.value, frame.reason.as_deref());
        if !self.screens.is_empty() {
            actions.push(Action::Figure(frame));
        }
        // A bare server's frames make the session live; a host that holds the board for approval does not.
        if self.state != LinkState::AwaitingApproval {
            actions.extend(self.go_live(now_ms));
        }
        if let (true, Some(seq)) = (self.welcomed, seq) {
            self.unreported = Some(seq);
            self.unreported_frames = self.unreported_frames.saturating_add(1);
            let due = self.last_applied_ms.is_none_or(|last| now_ms.saturating_sub(last) >= u64::from(APPLIED_WITHIN_MS));
            if due || self.unreported_frames >= APPLIED_EVERY_FRAMES {
                actions.push(self.report_applied(now_ms));
            }
        }
        actions
    }

    /// Tells the host the newest frame applied, which opens its flow-control window by every frame up to it.
    fn report_applied(&mut self, now_ms: u64) -> Action {
        let seq = self.unreported.take().unwrap_or_default();
        self.unreported_frames = 0;
        self.last_applied_ms = Some(now_ms);
        self.send(now_ms, DeviceMessage::Applied(Applied { seq, stream: None }))
    }

    /// Enters Live from AwaitingWelcome (or from AwaitingApproval, should a host welcome without `paired`): the
    /// backoff starts over and the host hears how the device is.
    fn go_live(&mut self, now_ms: u64) -> Vec<Action> {
        if !matches!(self.state, LinkState::AwaitingWelcome | LinkState::AwaitingApproval) {
            return Vec::new();
        }
        self.state = LinkState::Live;
        self.attempts = 0;
        self.last_status_ms = now_ms;
        alloc::vec![Action::ReportStatus]
    }

    fn show(&self, metric: &str, value: Option<f64>, reason: Option<&str>) -> Vec<Action> {
        let reading = match value {
            Some(value) => Reading::Value(value as f32),
            None => Reading::Unknown(String::from(reason.unwrap_or("the host cannot read this figure"))),
        };
        // Frames for metrics with no binding are ignored, as the protocol asks.
        self.bindings
            .iter()
            .filter(|binding| binding.metric == metric)
            .map(|binding| Action::Show { output: binding.output.clone(), reading: reading.clone() })
            .collect()
    }

    /// The next calibration undo the host asked for, by output id, for the board to carry out; the session's IO
    /// asks after each frame and answers a refusal with [`HostLink::undo_refused`].
    pub fn take_calibration_undo(&mut self) -> Option<String> {
        (!self.undo_requests.is_empty()).then(|| self.undo_requests.remove(0))
    }

    /// The board could not undo `output`'s calibration: the host hears why, and the session goes on.
    pub fn undo_refused(&mut self, now_ms: u64, output: &str, error: UndoError) -> Action {
        self.refuse(now_ms, ErrorCode::BadConfig, format!("calibration_undo for '{output}' refused: {error}"))
    }

    /// Applies a config, less the calibration curves this device cannot take: each of those is answered with a
    /// `bad_config` error naming the output, and the output keeps its curve. Its screens are checked whole: a
    /// layout the screens cannot show is answered with a `bad_config` error naming the field, and the screens
    /// keep what they show; the rest of the config applies either way. A config with an `id` has its errors carry
    /// that id and is confirmed with `configured` once applied (after [`Action::Apply`], so the board has applied
    /// it and queued its save first): `ok` is false when any part was refused.
    fn apply(&mut self, now_ms: u64, mut config: SessionConfig) -> Vec<Action> {
        let mut refusals = Vec::new();
        let screens = config.screens.take().unwrap_or_default();
        // A device without screens has nothing to lay out; only a config that names screens is refused.
        let screens = match screen::check(&self.screens, &screens) {
            Ok(()) => {
                if let Some(stream) = &mut self.stream {
                    stream.configure(&screens);
                }
                (!self.screens.is_empty()).then_some(screens)
            }
            Err(error) => {
                refusals.push(format!("{error}"));
                None
            }
        };
        if let Some(curves) = config.calibration.take() {
            let mut kept = Vec::new();
            for curve in curves {
                match self.curve_refusal(&curve) {
                    Some(reason) => refusals.push(reason),
                    None => kept.push(curve),
                }
            }
            config.calibration = Some(kept);
        }
        self.bindings = config.bindings.clone();
        let id = config.id;
        let ok = refusals.is_empty();
        let mut actions: Vec<Action> = refusals
            .into_iter()
            .map(|reason| {
                let mut refusal = self.refuse(now_ms, ErrorCode::BadConfig, reason);
                if let Action::Send(DeviceMessage::Error(report)) = &mut refusal {
                    report.id = id;
                }
                refusal
            })
            .collect();
        actions.push(Action::Apply(config));
        actions.extend(screens.map(Action::ConfigureScreens));
        if let Some(id) = id {
            actions.push(self.send(now_ms, DeviceMessage::Configured(Configured { id, ok })));
        }
        actions
    }

    /// Why this device cannot take `curve`, if it cannot: an output it does not have, or a curve that does not
    /// rise or reaches past the output's largest code.
    fn curve_refusal(&self, curve: &sysboy_protocol::Calibration) -> Option<String> {
        let Some(bits) = self.output_bits(&curve.output) else {
            return Some(format!("calibration: {}", self.unknown_output(&curve.output)));
        };
        let error = Calibration::from_points(&curve.points, max_code_for_bits(bits)).err()?;
        Some(format!("calibration for '{}' refused: {error}", curve.output))
    }

    /// The resolution of the output called `id`, when the hello announced one.
    fn output_bits(&self, id: &str) -> Option<u8> {
        self.config.hello.outputs.iter().find(|output| output.id == id).map(|output| output.bits)
    }

    fn unknown_output(&self, id: &str) -> String {
        let known: Vec<&str> = self.config.hello.outputs.iter().map(|output| output.id.as_str()).collect();
        format!("unknown output '{id}'; this device has {}", known.join(", "))
    }

    fn refused_token(&mut self, now_ms: u64) -> Vec<Action> {
        self.state = LinkState::AuthFailed { until_ms: now_ms + u64::from(self.config.auth_backoff_ms) };
        alloc::vec![Action::Disconnect, self.forget()]
    }

    fn drop_link(&mut self, now_ms: u64, random: u32) -> Vec<Action> {
        let mut actions = alloc::vec![Action::Disconnect];
        actions.extend(self.connection_lost(now_ms, random));
        actions
    }

    fn refuse(&mut self, now_ms: u64, code: ErrorCode, mut reason: String) -> Action {
        if reason.is_empty() {
            reason.push_str(code.as_str());
        }
        if let Some((cut, _)) = reason.char_indices().nth(200) {
            reason.truncate(cut);
        }
        self.send(now_ms, DeviceMessage::Error(ErrorReport { code, reason, id: None }))
    }

    fn send(&mut self, now_ms: u64, message: DeviceMessage) -> Action {
        self.last_tx_ms = now_ms;
        Action::Send(message)
    }

    fn silent_for(&self, now_ms: u64) -> u64 {
        now_ms.saturating_sub(self.last_rx_ms)
    }
}

/// A built-in metric's frame as a named one: the message's type is the metric's name.
fn named(name: &str, sample: MetricSample) -> NamedMetric {
    let MetricSample { value, reason, used, total, raw, unit, source, gpu, seq, ts } = sample;
    NamedMetric { name: String::from(name), value, reason, used, total, raw, unit, source, gpu, seq, ts }
}
