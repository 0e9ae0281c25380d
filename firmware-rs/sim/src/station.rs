//! The station task: the I/O around `sysboy_device::link::HostLink`. It waits for an address, opens TCP and the
//! WebSocket when the link asks, feeds it frames, gestures and the clock, and carries out its actions on the
//! socket and the meter, as the ESP32 binary does over Wi-Fi.

use core::cell::RefCell;
use std::net::SocketAddrV4;

use embassy_futures::select::{select4, Either4};
use embassy_net::tcp::TcpSocket;
use embassy_net::{IpEndpoint, Stack};
use embassy_time::{Duration, Instant, Timer};
use serde_json::json;
use static_cell::StaticCell;
use sysboy_device::button::Gesture;
use sysboy_device::link::{Action, HostLink, LinkConfig, LinkState};
use sysboy_device::ws::close_code;
use sysboy_protocol::{encode, Binding, HostMessage, SessionConfig};

use crate::buttons::{Gestures, BUTTON};
use crate::host_socket::{HostSocket, SocketBuffers, SocketError};
use crate::now_ms;
use crate::panel::{link_name, Panel};
use crate::random::Random;

/// The simulated device's one output.
pub const OUTPUT: &str = "meter";
/// A TCP connect or upgrade that takes longer than this has failed.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// How often the link's timers are looked at while a session is open.
const POLL: Duration = Duration::from_millis(100);
/// TCP socket buffers: a few frames each way.
const TCP_BUFFER: usize = 4096;

/// Everything the station task needs.
pub struct Station {
    /// The network stack over the TAP.
    pub stack: Stack<'static>,
    /// The meter and the reported figures.
    pub panel: &'static RefCell<Panel>,
    /// Gestures from the button task.
    pub gestures: &'static Gestures,
    /// Keys, masks and jitter.
    pub random: Random,
    /// The host to connect to.
    pub host: Option<SocketAddrV4>,
    /// The host-link settings (who the device is, its timers).
    pub link: LinkConfig,
}

/// The memory one session works in, reused by each session in turn (static, as on the ESP32).
struct LinkBuffers {
    rx: [u8; TCP_BUFFER],
    tx: [u8; TCP_BUFFER],
    ws: SocketBuffers,
}

/// Whether the session goes on after a batch of actions.
#[derive(PartialEq, Eq)]
enum Flow {
    Continue,
    Close,
}

/// Runs the host link for ever.
#[embassy_executor::task]
pub async fn run(mut station: Station) -> ! {
    static BUFFERS: StaticCell<LinkBuffers> = StaticCell::new();
    let buffers = BUFFERS.init(LinkBuffers { rx: [0; TCP_BUFFER], tx: [0; TCP_BUFFER], ws: SocketBuffers::new() });
    let mut link = HostLink::new(station.link.clone(), Vec::new());
    let mut context = Context::default();
    loop {
        station.panel.borrow_mut().set_link(link.state());
        match link.state() {
            LinkState::Discovering => {
                if !station.stack.is_config_up() {
                    station.panel.borrow_mut().set_no_network(true);
                    station.stack.wait_config_up().await;
                    station.panel.borrow_mut().set_no_network(false);
                    let ip = crate::net::address(station.stack);
                    station.panel.borrow_mut().event(now_ms(), "network_up", json!({ "ip": ip }));
                }
                // mDNS discovery is not in the device crate yet: the host comes from the command line.
                match station.host {
                    Some(_) => link.found_host(),
                    None => {
                        station.panel.borrow_mut().set_no_host();
                        Timer::after(Duration::from_secs(1)).await;
                    }
                }
            }
            LinkState::Connecting => {
                let Some(host) = station.host else { continue };
                station.session(&mut link, &mut context, host, buffers).await;
            }
            LinkState::Backoff { until_ms } | LinkState::AuthFailed { until_ms } => {
                Timer::at(Instant::from_millis(until_ms)).await;
                let random = station.random.next_u32();
                link.poll(now_ms(), random);
            }
            // These states live inside a session; reaching them here means the socket is gone.
            LinkState::Handshaking | LinkState::AwaitingWelcome | LinkState::Live => {
                let random = station.random.next_u32();
                let actions = link.connection_lost(now_ms(), random);
                station.panel.borrow_mut().apply_all(&actions);
            }
        }
    }
}

/// What the station remembers across events: the last config, to rebind after an acknowledged button press.
#[derive(Default)]
struct Context {
    config: Option<SessionConfig>,
}

impl Station {
    async fn session(&mut self, link: &mut HostLink, context: &mut Context, host: SocketAddrV4, buffers: &mut LinkBuffers) {
        let LinkBuffers { rx, tx, ws: ws_buffers } = buffers;
        self.panel.borrow_mut().attempt(host.to_string());
        let mut socket = TcpSocket::new(self.stack, rx, tx);
        socket.set_timeout(Some(Duration::from_secs(15)));
        let endpoint = IpEndpoint::new((*host.ip()).into(), host.port());
        let connected = embassy_time::with_timeout(CONNECT_TIMEOUT, socket.connect(endpoint)).await;
        if !matches!(connected, Ok(Ok(()))) {
            let reason = match connected {
                Ok(Err(error)) => format!("TCP connect to {host} failed: {error:?}"),
                _ => format!("no answer from {host} within {} ms", CONNECT_TIMEOUT.as_millis()),
            };
            self.lost(link, &reason);
            socket.abort();
            return;
        }
        link.connected();
        self.panel.borrow_mut().set_link(link.state());
        let key = self.random.key();
        let opened = embassy_time::with_timeout(CONNECT_TIMEOUT, HostSocket::open(&mut socket, ws_buffers, &host.to_string(), "/ws", None, key)).await;
        let mut ws = match opened {
            Ok(Ok(ws)) => ws,
            Ok(Err(SocketError::Handshake(error))) => {
                let random = self.random.next_u32();
                let actions = link.upgrade_failed(now_ms(), error, random);
                self.ended(link, &actions, &error.to_string());
                socket.abort();
                return;
            }
            Ok(Err(error)) => {
                self.lost(link, &error.to_string());
                socket.abort();
                return;
            }
            Err(_) => {
                self.lost(link, &format!("no upgrade from {host} within {} ms", CONNECT_TIMEOUT.as_millis()));
                socket.abort();
                return;
            }
        };
        let actions = link.upgraded(now_ms());
        let mut flow = self.carry_out(&mut ws, context, &actions).await;
        while flow == Flow::Continue {
            self.panel.borrow_mut().set_link(link.state());
            let mask = self.random.mask();
            let event = select4(ws.receive(mask), self.gestures.receive(), Timer::after(POLL), self.stack.wait_config_down()).await;
            let now = now_ms();
            let random = self.random.next_u32();
            let actions = match event {
                Either4::First(Ok(text)) => link.received_text(now, text.as_bytes()),
                Either4::First(Err(error)) => {
                    self.lost(link, &error.to_string());
                    break;
                }
                Either4::Second(gesture) => {
                    let name = match gesture {
                        Gesture::NextMetric => "next_metric",
                        Gesture::ResetSettings => "reset_settings",
                    };
                    self.panel.borrow_mut().event(now, "gesture", json!({ "gesture": name, "link": link_name(link.state()) }));
                    link.gesture(now, BUTTON, gesture)
                }
                Either4::Third(()) => link.poll(now, random),
                Either4::Fourth(()) => {
                    self.lost(link, "the network went down");
                    break;
                }
            };
            flow = self.carry_out(&mut ws, context, &actions).await;
            // An acknowledged metric switch rebinds the output (see `rebind`): the link takes it as a config.
            let rebound = actions.iter().find_map(|action| match action {
                Action::Acked(ack) if ack.ok => ack.metric.as_deref().and_then(|metric| rebind(context, metric)),
                _ => None,
            });
            if let Some(frame) = rebound {
                let actions = link.received_text(now, frame.as_bytes());
                flow = self.carry_out(&mut ws, context, &actions).await;
            }
            if matches!(link.state(), LinkState::Backoff { .. } | LinkState::AuthFailed { .. }) {
                flow = Flow::Close;
            }
        }
        let _ = ws.close(close_code::GOING_AWAY, "", self.random.mask()).await;
        socket.abort();
        let _ = embassy_time::with_timeout(Duration::from_millis(200), socket.flush()).await;
        let state = link.state();
        if matches!(state, LinkState::AwaitingWelcome | LinkState::Live) {
            // The socket went away under a running session without the link hearing of it.
            self.lost(link, "session closed");
        }
        self.panel.borrow_mut().set_link(link.state());
    }

    /// Tells the link the connection is gone and reports why.
    fn lost(&mut self, link: &mut HostLink, reason: &str) {
        let random = self.random.next_u32();
        let actions = link.connection_lost(now_ms(), random);
        self.ended(link, &actions, reason);
    }

    fn ended(&mut self, link: &HostLink, actions: &[Action], reason: &str) {
        let mut panel = self.panel.borrow_mut();
        panel.apply_all(actions);
        panel.set_link(link.state());
        let event = if matches!(link.state(), LinkState::AuthFailed { .. }) { "auth_failed" } else { "disconnected" };
        panel.event(now_ms(), event, json!({ "reason": reason }));
    }

    async fn carry_out<S: embedded_io_async::Read + embedded_io_async::Write>(
        &mut self,
        ws: &mut HostSocket<'_, S>,
        context: &mut Context,
        actions: &[Action],
    ) -> Flow {
        for action in actions {
            match action {
                Action::Send(message) => {
                    let Ok(text) = encode(message) else { continue };
                    if let Err(error) = ws.send_text(&text, self.random.mask()).await {
                        log::warn!("host: send failed: {error}");
                        return Flow::Close;
                    }
                }
                Action::Disconnect => return Flow::Close,
                Action::Apply(config) => {
                    context.config = Some(config.clone());
                    self.panel.borrow_mut().apply(action);
                }
                other => self.panel.borrow_mut().apply(other),
            }
        }
        Flow::Continue
    }
}

/// The config frame that binds the button's output to `metric`, or None when there is no config to change.
///
/// The host answers a button press with `ack { metric }` and then streams the new metric without sending a
/// config; `HostLink` keeps its old bindings on an ack and would drop the new metric's frames. Until the link
/// rebinds on such an ack itself, the station hands it the equivalent config through its public API.
fn rebind(context: &Context, metric: &str) -> Option<String> {
    let mut config = context.config.clone()?;
    let binding = Binding { output: OUTPUT.into(), metric: metric.into() };
    match config.bindings.iter_mut().find(|b| b.output == OUTPUT) {
        Some(existing) if existing.metric == metric => return None,
        Some(existing) => *existing = binding,
        None => config.bindings.push(binding),
    }
    encode(&HostMessage::Config(config)).ok()
}
