//! The portal's HTTP answers: one request in, one reply out. Probes redirect to the portal while the device is
//! unprovisioned, the page and `/status` show the state, and `POST /join` hands a checked submission back.

use alloc::string::String;
use core::net::Ipv4Addr;

use super::form::{self, FieldErrors, Submission};
use super::http::{HttpError, Method, Request};
use super::page;
use super::state::{PortalState, Progress};

/// One reply, ready for [`super::http::write_head`] and the body after it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// Status code.
    pub status: u16,
    /// Content type; empty for none.
    pub content_type: &'static str,
    /// `Location`, for redirects.
    pub location: Option<String>,
    /// Body (left unsent for HEAD).
    pub body: String,
}

impl Reply {
    fn new(status: u16, content_type: &'static str, body: impl Into<String>) -> Self {
        Self { status, content_type, location: None, body: body.into() }
    }

    fn redirect(status: u16, location: &str) -> Self {
        Self { status, content_type: "text/plain; charset=utf-8", location: Some(location.into()), body: String::new() }
    }

    /// The answer to a request the parser refused: 413 or 400, and the server goes on serving.
    pub fn refused(error: HttpError) -> Self {
        let mut reply = Self::new(error.status(), "text/plain; charset=utf-8", alloc::format!("{error}\n"));
        reply.body.shrink_to_fit();
        reply
    }
}

/// The OS connectivity probes, and what each expects when the network is really online.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Probe {
    /// Android and Chrome: `/generate_204`, `/gen_204`.
    Android,
    /// Apple: `/hotspot-detect.html`, `/library/test/success.html`.
    Apple,
    /// Windows 10+: `/connecttest.txt`.
    WindowsConnectTest,
    /// Older Windows: `/ncsi.txt`.
    WindowsNcsi,
    /// Firefox: `/success.txt`, `/canonical.html`.
    Firefox,
}

impl Probe {
    /// The probe a path belongs to.
    pub fn from_path(path: &str) -> Option<Self> {
        match path {
            "/generate_204" | "/gen_204" => Some(Self::Android),
            "/hotspot-detect.html" | "/library/test/success.html" => Some(Self::Apple),
            "/connecttest.txt" => Some(Self::WindowsConnectTest),
            "/ncsi.txt" => Some(Self::WindowsNcsi),
            "/success.txt" | "/canonical.html" => Some(Self::Firefox),
            _ => None,
        }
    }

    /// The answer that tells the OS the network is online.
    fn online(self) -> Reply {
        match self {
            Self::Android => Reply::new(204, "", ""),
            Self::Apple => Reply::new(200, "text/html", "<HTML><HEAD><TITLE>Success</TITLE></HEAD><BODY>Success</BODY></HTML>"),
            Self::WindowsConnectTest => Reply::new(200, "text/plain", "Microsoft Connect Test"),
            Self::WindowsNcsi => Reply::new(200, "text/plain", "Microsoft NCSI"),
            Self::Firefox => Reply::new(200, "text/plain", "success\n"),
        }
    }
}

/// What a portal request asks the provisioning driver to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortalRequest {
    /// Save these settings and join (a checked `POST /join`).
    Join(Submission),
    /// Scan again for the list (`POST /rescan`).
    Rescan,
}

/// The portal's HTTP side.
pub struct PortalServer {
    address: Ipv4Addr,
    url: String,
    /// What the page shows; the provisioning task keeps it current.
    pub state: PortalState,
}

impl PortalServer {
    /// A portal served at `address`, redirecting to [`super::url`].
    pub fn new(address: Ipv4Addr) -> Self {
        Self { address, url: super::url(address), state: PortalState::default() }
    }

    /// Answers one request; a checked `POST /join` also returns the submission to save and join, and
    /// `POST /rescan` the wish for a new scan.
    pub fn respond(&mut self, request: &Request<'_>) -> (Reply, Option<PortalRequest>) {
        if let Some(probe) = Probe::from_path(request.path) {
            let reply = if self.state.provisioned { probe.online() } else { Reply::redirect(302, &self.url) };
            return (reply, None);
        }
        // A page of any other site (the browser's start page, a bookmark) leads to the portal too.
        let ours = request.host.is_none_or(|host| {
            let name = host.rsplit_once(':').map_or(host, |(name, _)| name);
            name == "sysboy.setup" || name.parse::<Ipv4Addr>() == Ok(self.address)
        });
        if !ours {
            return (Reply::redirect(302, &self.url), None);
        }
        match (request.method, request.path) {
            (Method::Get | Method::Head, "/" | "/index.html") => (Reply::new(200, "text/html; charset=utf-8", page::render(&self.state)), None),
            (Method::Get | Method::Head, "/status") => (Reply::new(200, "application/json", page::status_json(&self.state)), None),
            (Method::Post, "/join") => {
                let (reply, submission) = self.join(request);
                (reply, submission.map(PortalRequest::Join))
            }
            (Method::Post, "/rescan") => {
                self.state.scanning = true;
                (Reply::redirect(303, "/"), Some(PortalRequest::Rescan))
            }
            (Method::Other, _) | (Method::Post, "/" | "/status") | (Method::Get | Method::Head, "/join" | "/rescan") => {
                (Reply::new(405, "text/plain; charset=utf-8", "method not allowed\n"), None)
            }
            _ => (Reply::new(404, "text/plain; charset=utf-8", "not found\n"), None),
        }
    }

    fn join(&mut self, request: &Request<'_>) -> (Reply, Option<Submission>) {
        let is_form = request.content_type.is_none_or(|kind| kind.starts_with("application/x-www-form-urlencoded"));
        if !is_form {
            return (Reply::new(400, "text/plain; charset=utf-8", "the form must be application/x-www-form-urlencoded\n"), None);
        }
        match form::read(request.body, &self.state.networks) {
            Ok(submission) => {
                self.state.values = form::FormValues {
                    ssid: submission.wifi.ssid.clone(),
                    host: submission.host.clone().unwrap_or_default(),
                    token: submission.token.clone().unwrap_or_default(),
                    country: submission.country.as_str().into(),
                };
                self.state.errors = FieldErrors::default();
                self.state.progress = Progress::Joining { ssid: submission.wifi.ssid.clone() };
                // Post/redirect/get: a reload shows progress instead of sending the form again.
                (Reply::redirect(303, "/"), Some(submission))
            }
            Err(refused) => {
                let refused = *refused;
                self.state.values = refused.values;
                self.state.errors = refused.errors;
                (Reply::new(422, "text/html; charset=utf-8", page::render(&self.state)), None)
            }
        }
    }
}
