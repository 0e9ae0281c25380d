//! A thin stand-in for `sysboy_device::link`, which is being written: what one session says and what each host
//! frame means for the needle. It holds no policy beyond the protocol's own rules, and goes as soon as the
//! device crate's link state machine lands (the station then feeds that instead).

use serde_json::json;
use sysboy_device::meter::Reading;
use sysboy_protocol::{
    decode_host_message, encode, Button, ButtonEvent, Chip, DeviceMessage, ErrorCode, Heartbeat, Hello, HostMessage, MetricSample, Output, OutputKind, Press,
    SessionConfig, PROTOCOL_VERSION,
};

/// The simulated device's one output.
pub const OUTPUT: &str = "meter";
/// The simulated device's one button.
pub const BUTTON: &str = "select";

/// What a host frame asks of the device.
#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    /// The session is open; the needle shows `metric`.
    Welcomed { host: String, metric: Option<String>, stale_after_ms: u32 },
    /// A reading for the needle.
    Show(Reading),
    /// New settings: the needle shows `metric`.
    Configured { metric: Option<String>, stale_after_ms: u32 },
    /// A command was answered.
    Acked { id: u32, ok: bool, metric: Option<String>, reason: Option<String> },
    /// The host refused the pairing token (or rate-limits the guesses).
    Unauthorized(String),
    /// The host reported another error.
    Error(String),
    /// Nothing for the device (a heartbeat, a metric it does not show, a frame it cannot read).
    Nothing,
}

/// One session with the host.
#[derive(Debug, Default)]
pub struct Session {
    metric: Option<String>,
    next_id: u32,
}

impl Session {
    /// The hello that opens the session.
    pub fn hello(device_id: &str) -> String {
        let hello = DeviceMessage::Hello(Hello {
            protocol: PROTOCOL_VERSION,
            device: device_id.into(),
            firmware: env!("CARGO_PKG_VERSION").into(),
            chip: Chip::Sim,
            outputs: vec![Output { id: OUTPUT.into(), kind: OutputKind::Pwm, bits: 10 }],
            buttons: vec![Button { id: BUTTON.into() }],
            token: None,
        });
        encode(&hello).unwrap_or_default()
    }

    /// A heartbeat to keep an idle session alive.
    pub fn heartbeat(seq: u32) -> String {
        encode(&DeviceMessage::Heartbeat(Heartbeat { seq: Some(seq), ts: None })).unwrap_or_default()
    }

    /// The frame for a button press, with its command id.
    pub fn button(&mut self, press: Press) -> (u32, String) {
        self.next_id += 1;
        let event = DeviceMessage::Button(ButtonEvent { id: self.next_id, button: BUTTON.into(), press });
        (self.next_id, encode(&event).unwrap_or_default())
    }

    /// What one host frame means.
    pub fn receive(&mut self, text: &str) -> Action {
        let message = match decode_host_message(text.as_bytes()) {
            Ok(message) => message,
            Err(error) => {
                log::warn!("host: frame ignored: {error}");
                return Action::Nothing;
            }
        };
        match message {
            HostMessage::Welcome(welcome) => {
                self.bind(&welcome.config);
                Action::Welcomed { host: welcome.host, metric: self.metric.clone(), stale_after_ms: welcome.config.stale_after_ms }
            }
            HostMessage::Config(config) => {
                self.bind(&config);
                Action::Configured { metric: self.metric.clone(), stale_after_ms: config.stale_after_ms }
            }
            HostMessage::Ack(ack) => {
                if ack.ok && ack.metric.is_some() {
                    self.metric = ack.metric.clone();
                }
                Action::Acked { id: ack.id, ok: ack.ok, metric: ack.metric, reason: ack.reason }
            }
            HostMessage::Error(error) if matches!(error.code, ErrorCode::Unauthorized | ErrorCode::RateLimited) => Action::Unauthorized(error.reason),
            HostMessage::Error(error) => Action::Error(error.reason),
            HostMessage::Heartbeat(_) => Action::Nothing,
            HostMessage::Metric(named) => self.reading(&named.name, named.value, named.reason),
            other => {
                let name = other.type_name();
                match sample(other) {
                    Some(sample) => self.reading(name, sample.value, sample.reason),
                    None => Action::Nothing,
                }
            }
        }
    }

    fn bind(&mut self, config: &SessionConfig) {
        if let Some(binding) = config.bindings.iter().find(|b| b.output == OUTPUT) {
            self.metric = Some(binding.metric.clone());
        }
    }

    fn reading(&self, name: &str, value: Option<f64>, reason: Option<String>) -> Action {
        // Before the welcome names a metric, the seed frame's `vram` is what a bare server sends.
        let shown = self.metric.as_deref().unwrap_or("vram");
        if name != shown {
            return Action::Nothing;
        }
        match value {
            Some(percent) => Action::Show(Reading::Value(percent as f32)),
            None => Action::Show(Reading::Unknown(reason.unwrap_or_else(|| "the host cannot read it".into()))),
        }
    }
}

fn sample(message: HostMessage) -> Option<MetricSample> {
    match message {
        HostMessage::Vram(s)
        | HostMessage::GpuUtil(s)
        | HostMessage::GpuTemp(s)
        | HostMessage::Cpu(s)
        | HostMessage::Ram(s)
        | HostMessage::NetRx(s)
        | HostMessage::NetTx(s)
        | HostMessage::Disk(s) => Some(s),
        _ => None,
    }
}

/// An event's detail for the status stream.
pub fn ack_detail(id: u32, ok: bool, metric: &Option<String>, reason: &Option<String>) -> serde_json::Value {
    json!({ "id": id, "ok": ok, "metric": metric, "reason": reason })
}
