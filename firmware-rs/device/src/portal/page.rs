//! The portal page: the networks in range, the form with a reason beside each refused field, and the progress
//! of the join. Every string that did not come from this file is escaped.

use alloc::string::String;
use core::fmt::Write;

use super::escape::{escape, escape_into, json_string_into};
use super::form::{FieldErrors, FormValues};
use super::state::{PortalState, Progress};
use crate::radio::{JoinError, ScanEntry};

const STYLE: &str = "body{font:16px system-ui,sans-serif;max-width:32em;margin:1em auto;padding:0 1em;color:#222}\
h1{font-size:1.4em}ul{list-style:none;padding:0}li{display:flex;gap:.6em;align-items:center;margin:.2em 0}\
button.network{flex:1;text-align:left;padding:.5em;border:1px solid #bbb;border-radius:6px;background:#f6f6f6}\
.signal{font-family:monospace;width:4em}.security{color:#555;width:6em}label{display:block;margin-top:.8em}\
input{width:100%;box-sizing:border-box;padding:.5em;font-size:1em}.reason{color:#b00020;font-size:.9em}\
.progress{padding:.8em;border-radius:6px;background:#eef4ff}.progress.failed{background:#fdecee}\
.progress.joined{background:#e8f7ec}button[type=submit]{margin-top:1em;padding:.6em 1.4em;font-size:1em}";

/// Signal bars for a received strength, with the figure in dBm.
pub fn signal(rssi: i8) -> &'static str {
    match rssi {
        -55..=0 => "▂▄▆█",
        -67..=-56 => "▂▄▆_",
        -78..=-68 => "▂▄__",
        _ => "▂___",
    }
}

/// The whole page for `state`.
pub fn render(state: &PortalState) -> String {
    let mut page = String::with_capacity(4096);
    page.push_str("<!doctype html><html lang=en><head><meta charset=utf-8>");
    page.push_str("<meta name=viewport content=\"width=device-width,initial-scale=1\">");
    if matches!(state.progress, Progress::Joining { .. }) {
        page.push_str("<meta http-equiv=refresh content=1>");
    }
    let _ = write!(page, "<title>Sysboy set-up</title><style>{STYLE}</style></head><body><h1>Sysboy set-up</h1>");
    progress(&mut page, &state.progress);
    networks(&mut page, &state.networks);
    form(&mut page, &state.values, &state.errors, &state.progress);
    // Picking a network fills in its name; the name is read from the escaped attribute, never pasted as code.
    page.push_str(
        "<script>for(const b of document.querySelectorAll('button.network'))b.onclick=()=>{\
document.getElementById('ssid').value=b.dataset.ssid;document.getElementById('password').focus()}</script>",
    );
    page.push_str("</body></html>");
    page
}

fn progress(page: &mut String, progress: &Progress) {
    let (class, text): (&str, String) = match progress {
        Progress::Idle => return,
        Progress::Joining { ssid } => ("joining", alloc::format!("Saved. Joining “{}”…", escape(ssid))),
        Progress::Failed { ssid, error } => ("failed", alloc::format!("Could not join “{}”: {error}.", escape(ssid))),
        Progress::Joined { ssid } => (
            "joined",
            alloc::format!("Joined “{}”. Sysboy now restarts on your network and finds your PC; you can leave this access point.", escape(ssid)),
        ),
    };
    let _ = write!(page, "<p id=progress class=\"progress {class}\" data-state={class}>{text}</p>");
}

fn networks(page: &mut String, networks: &[ScanEntry]) {
    page.push_str("<h2>Networks in range</h2><ul id=networks>");
    if networks.is_empty() {
        page.push_str("<li>No networks heard. Type the name below.</li>");
    }
    for network in networks {
        page.push_str("<li><button type=button class=network data-ssid=\"");
        escape_into(page, &network.ssid);
        page.push_str("\">");
        escape_into(page, &network.ssid);
        let _ = write!(
            page,
            "</button><span class=signal title=\"{} dBm\">{}</span><span class=security>{}</span></li>",
            network.rssi,
            signal(network.rssi),
            network.security.label()
        );
    }
    page.push_str("</ul>");
}

fn form(page: &mut String, values: &FormValues, errors: &FieldErrors, progress: &Progress) {
    // A failed join is a reason beside the field it concerns.
    let (ssid_join, password_join) = match progress {
        Progress::Failed { error: JoinError::WrongPassword, .. } => (None, Some("the network refused this password")),
        Progress::Failed { error: JoinError::NotFound, .. } => (Some("no network of this name is in range"), None),
        Progress::Failed { error: JoinError::Timeout, .. } => (Some("the network did not answer in time; try again"), None),
        _ => (None, None),
    };
    page.push_str("<form method=post action=/join>");
    field(page, "ssid", "Network name (SSID)", "text", &values.ssid, errors.ssid.or(ssid_join), "maxlength=32 required");
    field(page, "password", "Password (empty for an open network)", "password", "", errors.password.or(password_join), "maxlength=63");
    field(page, "host", "PC address (optional: name or IP, with :port)", "text", &values.host, errors.host, "placeholder=\"found by mDNS when empty\"");
    field(page, "token", "Pairing token (optional, as `sysboy` prints it)", "text", &values.token, errors.token, "");
    page.push_str("<button type=submit>Save and join</button></form>");
}

fn field(page: &mut String, name: &str, label: &str, kind: &str, value: &str, reason: Option<&str>, extra: &str) {
    let _ = write!(page, "<label for={name}>{label}</label><input id={name} name={name} type={kind} value=\"");
    escape_into(page, value);
    let _ = write!(page, "\" {extra} autocomplete=off>");
    if let Some(reason) = reason {
        let _ = write!(page, "<div class=reason id={name}-reason>{}</div>", escape(reason));
    }
}

/// The `/status` answer: the join's progress as a small JSON object.
pub fn status_json(state: &PortalState) -> String {
    let mut out = String::from("{\"state\":\"");
    let (name, ssid, reason) = match &state.progress {
        Progress::Idle => ("idle", None, None),
        Progress::Joining { ssid } => ("joining", Some(ssid), None),
        Progress::Failed { ssid, error } => ("failed", Some(ssid), Some(*error)),
        Progress::Joined { ssid } => ("joined", Some(ssid), None),
    };
    out.push_str(name);
    out.push('"');
    if let Some(ssid) = ssid {
        out.push_str(",\"ssid\":\"");
        json_string_into(&mut out, ssid);
        out.push('"');
    }
    if let Some(reason) = reason {
        let _ = write!(out, ",\"reason\":\"{}\",\"message\":\"{reason}\"", reason.as_str());
    }
    out.push('}');
    out
}
