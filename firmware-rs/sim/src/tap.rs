//! The simulated radio: an embassy-net driver over a Linux TAP device, standing in for the ESP32's Wi-Fi.
//!
//! A thread blocks reading frames from the TAP and wakes the stack; frames go out with a plain `write`. A
//! second thread watches the interface's `IFF_UP` flag, so `ip link set <tap> down` on the kernel side looks
//! to the stack like a lost Wi-Fi link: embassy-net drops its address and DHCPs again when the link returns.
//! (embassy-net-tuntap is not used: it panics when a write fails on a downed interface and reports the link
//! as always up.)

use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{self, Read};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Waker};
use std::thread;
use std::time::Duration;

use embassy_net::driver::{Capabilities, Driver, HardwareAddress, LinkState, RxToken, TxToken};

use crate::heap::LinkFrame;

/// The Ethernet MTU the simulated radio carries (IP MTU 1500 plus the 14-byte header).
const FRAME_MAX: usize = 1514;
/// Frames waiting for the stack beyond this are dropped, as esp-radio drops them: its RX queue holds
/// `ControllerConfig::rx_queue_size` frames (5 by default, which esp32/src/radio.rs keeps) and `recv_cb_sta` answers a
/// full one with `ESP_ERR_NO_MEM` ("RX QUEUE FULL"), the frame lost (esp-radio 1.0.0-beta.1, src/wifi/mod.rs).
const QUEUE_MAX: usize = 5;
/// How often the link watcher looks at the interface flags.
const LINK_POLL: Duration = Duration::from_millis(50);

const TUNSETIFF: libc::c_ulong = 0x4004_54ca;
/// `_IOW('T', 226, int)`: sets the carrier the kernel side sees (linux/if_tun.h).
const TUNSETCARRIER: libc::c_ulong = 0x4004_54e2;
const IFF_TAP: libc::c_short = 0x0002;
const IFF_NO_PI: libc::c_short = 0x1000;

/// `struct ifreq` as the TUN and interface-flag ioctls read it: a name and a short of flags.
#[repr(C)]
struct InterfaceRequest {
    name: [u8; libc::IFNAMSIZ],
    flags: libc::c_short,
    _rest: [u8; 22],
}

impl InterfaceRequest {
    fn new(name: &str, flags: libc::c_short) -> io::Result<Self> {
        let mut request = Self { name: [0; libc::IFNAMSIZ], flags, _rest: [0; 22] };
        if name.is_empty() || name.len() >= libc::IFNAMSIZ || name.contains('\0') {
            return Err(io::Error::new(io::ErrorKind::InvalidInput, format!("'{name}' is not a usable interface name")));
        }
        request.name[..name.len()].copy_from_slice(name.as_bytes());
        Ok(request)
    }
}

/// What the reader and link threads share with the driver.
struct Shared {
    received: Mutex<VecDeque<LinkFrame>>,
    waker: Mutex<Option<Waker>>,
    up: AtomicBool,
}

impl Shared {
    fn wake(&self) {
        if let Some(waker) = self.waker.lock().unwrap_or_else(|e| e.into_inner()).take() {
            waker.wake();
        }
    }

    fn register(&self, cx: &Context<'_>) {
        *self.waker.lock().unwrap_or_else(|e| e.into_inner()) = Some(cx.waker().clone());
    }
}

/// An opened TAP device, driven by embassy-net.
pub struct TapDevice {
    file: Arc<File>,
    shared: Arc<Shared>,
    mac: [u8; 6],
}

impl TapDevice {
    /// Attaches to the TAP interface `name` (created beforehand with `ip tuntap add mode tap`).
    pub fn open(name: &str, mac: [u8; 6]) -> io::Result<Self> {
        let file = OpenOptions::new().read(true).write(true).open("/dev/net/tun")?;
        let mut request = InterfaceRequest::new(name, IFF_TAP | IFF_NO_PI)?;
        // SAFETY: TUNSETIFF reads and writes one `struct ifreq`, which `request` is laid out as.
        if unsafe { libc::ioctl(file.as_raw_fd(), TUNSETIFF as _, &mut request) } < 0 {
            return Err(io::Error::last_os_error());
        }
        let shared = Arc::new(Shared { received: Mutex::new(VecDeque::new()), waker: Mutex::new(None), up: AtomicBool::new(false) });
        let file = Arc::new(file);
        shared.up.store(interface_up(name)?, Ordering::Relaxed);
        spawn_reader(file.clone(), shared.clone())?;
        spawn_link_watch(name.to_owned(), shared.clone())?;
        Ok(Self { file, shared, mac })
    }
}

/// Switches the carrier the kernel side of a TAP sees: off, its peer (the phone) loses the link as a Wi-Fi
/// client does when its access point goes away.
#[derive(Clone)]
pub struct Carrier {
    file: Arc<File>,
}

impl Carrier {
    /// Sets the carrier on or off.
    pub fn set(&self, on: bool) {
        let on = libc::c_int::from(on);
        // SAFETY: TUNSETCARRIER reads one int from the pointer, which points at `on`.
        if unsafe { libc::ioctl(self.file.as_raw_fd(), TUNSETCARRIER as _, &on) } < 0 {
            log::warn!("tap: cannot switch the carrier: {}", io::Error::last_os_error());
        }
    }
}

impl TapDevice {
    /// The switch of this TAP's carrier.
    pub fn carrier(&self) -> Carrier {
        Carrier { file: self.file.clone() }
    }

    /// A probe of whether the kernel side is up (`ip link set <tap> up`), for whoever does not own the TAP.
    pub fn up_probe(&self) -> Box<dyn Fn() -> bool> {
        let shared = self.shared.clone();
        Box::new(move || shared.up.load(Ordering::Relaxed))
    }
}

fn spawn_reader(file: Arc<File>, shared: Arc<Shared>) -> io::Result<()> {
    thread::Builder::new().name("tap-rx".into()).spawn(move || {
        let mut buf = [0u8; FRAME_MAX + 4];
        loop {
            match (&*file).read(&mut buf) {
                Ok(0) => thread::sleep(LINK_POLL),
                Ok(n) => {
                    let mut queue = shared.received.lock().unwrap_or_else(|e| e.into_inner());
                    if queue.len() < QUEUE_MAX {
                        queue.push_back(LinkFrame::copy_of(&buf[..n]));
                    }
                    drop(queue);
                    shared.wake();
                }
                Err(error) if error.kind() == io::ErrorKind::Interrupted => {}
                Err(error) => {
                    log::warn!("tap: read failed: {error}");
                    thread::sleep(LINK_POLL);
                }
            }
        }
    })?;
    Ok(())
}

fn spawn_link_watch(name: String, shared: Arc<Shared>) -> io::Result<()> {
    thread::Builder::new().name("tap-link".into()).spawn(move || loop {
        thread::sleep(LINK_POLL);
        let up = interface_up(&name).unwrap_or(false);
        if shared.up.swap(up, Ordering::Relaxed) != up {
            log::info!("tap: link {}", if up { "up" } else { "down" });
            shared.wake();
        }
    })?;
    Ok(())
}

/// Whether the interface is administratively up (the kernel side's `ip link set ... up`).
fn interface_up(name: &str) -> io::Result<bool> {
    // SAFETY: a plain socket(2) call; the descriptor is closed below.
    let socket = unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) };
    if socket < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut request = InterfaceRequest::new(name, 0)?;
    // SAFETY: SIOCGIFFLAGS fills the flags of one `struct ifreq`, which `request` is laid out as.
    let result = unsafe { libc::ioctl(socket, libc::SIOCGIFFLAGS as _, &mut request) };
    let error = io::Error::last_os_error();
    // SAFETY: `socket` is ours and open.
    unsafe { libc::close(socket) };
    if result < 0 {
        return Err(error);
    }
    Ok(request.flags & libc::IFF_UP as libc::c_short != 0)
}

impl Driver for TapDevice {
    type RxToken<'a> = TapRx;
    type TxToken<'a> = TapTx;

    fn receive(&mut self, cx: &mut Context<'_>) -> Option<(Self::RxToken<'_>, Self::TxToken<'_>)> {
        let frame = self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).pop_front();
        match frame {
            Some(frame) => Some((TapRx { frame }, TapTx { fd: self.file.as_raw_fd() })),
            None => {
                self.shared.register(cx);
                // A frame may have landed between the pop and the registration.
                if !self.shared.received.lock().unwrap_or_else(|e| e.into_inner()).is_empty() {
                    cx.waker().wake_by_ref();
                }
                None
            }
        }
    }

    fn transmit(&mut self, _cx: &mut Context<'_>) -> Option<Self::TxToken<'_>> {
        Some(TapTx { fd: self.file.as_raw_fd() })
    }

    fn link_state(&mut self, cx: &mut Context<'_>) -> LinkState {
        self.shared.register(cx);
        if self.shared.up.load(Ordering::Relaxed) {
            LinkState::Up
        } else {
            LinkState::Down
        }
    }

    fn capabilities(&self) -> Capabilities {
        let mut capabilities = Capabilities::default();
        capabilities.max_transmission_unit = FRAME_MAX;
        capabilities
    }

    fn hardware_address(&self) -> HardwareAddress {
        HardwareAddress::Ethernet(self.mac)
    }
}

/// One received frame.
pub struct TapRx {
    frame: LinkFrame,
}

impl RxToken for TapRx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(mut self, f: F) -> R {
        f(&mut self.frame)
    }
}

/// Room for one frame to send.
pub struct TapTx {
    fd: RawFd,
}

impl TxToken for TapTx {
    fn consume<R, F: FnOnce(&mut [u8]) -> R>(self, len: usize, f: F) -> R {
        let mut frame = LinkFrame::zeroed(len);
        let result = f(&mut frame);
        // SAFETY: writes `len` bytes from our own buffer to the TAP descriptor, which outlives the token.
        let written = unsafe { libc::write(self.fd, frame.as_ptr().cast(), frame.len()) };
        if written < 0 {
            // The interface is down (EIO) or busy: the frame is lost, as it would be on the air.
            log::debug!("tap: frame dropped: {}", io::Error::last_os_error());
        }
        result
    }
}
