//! The portal's HTTP edge in the simulator: a few workers, each accepting one connection at a time on port 80
//! of the access point, reading one request within the portal's limits and writing the portal's reply.

use core::cell::RefCell;

use embassy_net::tcp::TcpSocket;
use embassy_net::Stack;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_time::{with_timeout, Duration, Timer};
use embedded_io_async::Write;
use sysboy_device::portal::form::Submission;
use sysboy_device::portal::http::{self, Limits, Method, Parsed};
use sysboy_device::portal::server::{PortalServer, Reply};

/// Connections served at once: a browser opens several.
pub const WORKERS: usize = 3;
/// A client that has not sent its whole request by then is dropped.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(5);
/// Room for a request at the portal's limits.
const REQUEST_MAX: usize = Limits::PORTAL.head + Limits::PORTAL.body;

/// Accepted forms, waiting for the provisioning task.
pub type Submissions = Channel<CriticalSectionRawMutex, Submission, 2>;

/// One HTTP worker.
#[embassy_executor::task(pool_size = WORKERS)]
pub async fn serve(stack: Stack<'static>, portal: &'static RefCell<PortalServer>, submissions: &'static Submissions) -> ! {
    let (mut rx, mut tx) = ([0u8; 2048], [0u8; 4096]);
    let mut request = [0u8; REQUEST_MAX];
    loop {
        let mut socket = TcpSocket::new(stack, &mut rx, &mut tx);
        socket.set_timeout(Some(REQUEST_TIMEOUT));
        if socket.accept(80).await.is_err() {
            Timer::after(Duration::from_millis(50)).await;
            continue;
        }
        let reply = match with_timeout(REQUEST_TIMEOUT, read_request(&mut socket, &mut request, portal, submissions)).await {
            Ok(Some(reply)) => Some(reply),
            Ok(None) | Err(_) => None,
        };
        if let Some((reply, head_only)) = reply {
            let mut head = [0u8; 512];
            if let Ok(length) = http::write_head(&mut head, reply.status, reply.content_type, reply.body.len(), reply.location.as_deref()) {
                let body: &[u8] = if head_only { &[] } else { reply.body.as_bytes() };
                let written = async {
                    socket.write_all(&head[..length]).await?;
                    socket.write_all(body).await?;
                    socket.flush().await
                };
                if with_timeout(REQUEST_TIMEOUT, written).await.is_err() {
                    log::debug!("portal: a client stopped reading");
                }
            }
        }
        socket.close();
        let _ = with_timeout(Duration::from_millis(500), socket.flush()).await;
        socket.abort();
        let _ = with_timeout(Duration::from_millis(100), socket.flush()).await;
    }
}

/// Reads until a whole request (answered by the portal) or a refusal; None when the client went away.
async fn read_request(
    socket: &mut TcpSocket<'_>,
    buffer: &mut [u8],
    portal: &RefCell<PortalServer>,
    submissions: &Submissions,
) -> Option<(Reply, bool)> {
    let mut filled = 0;
    loop {
        match http::parse(&buffer[..filled], Limits::PORTAL) {
            Ok(Parsed::Complete(request, _)) => {
                let head_only = request.method == Method::Head;
                let (reply, submission) = portal.borrow_mut().respond(&request);
                if let Some(submission) = submission {
                    if submissions.try_send(submission).is_err() {
                        log::warn!("portal: a form arrived while two were waiting; dropped");
                    }
                }
                return Some((reply, head_only));
            }
            Ok(Parsed::Partial) => {}
            Err(error) => return Some((Reply::refused(error), false)),
        }
        // The limits refuse a request before it can outgrow the buffer.
        let read = socket.read(&mut buffer[filled..]).await.ok()?;
        if read == 0 {
            return None;
        }
        filled += read;
    }
}
