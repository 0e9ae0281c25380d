//! The portal page: the networks in range, the form with a reason beside each refused field, and the progress
//! of the join. Every string that did not come from this file is escaped.

use alloc::string::String;
use core::fmt::Write;

use super::escape::{escape, escape_into, json_string_into};
use super::form::{FieldErrors, FormValues};
use super::state::{PortalState, Progress};
use crate::radio::{JoinError, ScanEntry};
use crate::settings::Country;

const STYLE: &str = "body{font:16px system-ui,sans-serif;max-width:32em;margin:1em auto;padding:0 1em;color:#222}\
h1{font-size:1.4em}ul{list-style:none;padding:0}li{display:flex;gap:.6em;align-items:center;margin:.2em 0}\
button.network{flex:1;text-align:left;padding:.5em;border:1px solid #bbb;border-radius:6px;background:#f6f6f6}\
.signal{font-family:monospace;width:4em}.security{color:#555;width:6em}label{display:block;margin-top:.8em}\
input,select{width:100%;box-sizing:border-box;padding:.5em;font-size:1em}.reason{color:#b00020;font-size:.9em}\
.progress{padding:.8em;border-radius:6px;background:#eef4ff}.progress.failed{background:#fdecee}\
.progress.joined{background:#e8f7ec}button[type=submit]{margin-top:1em;padding:.6em 1.4em;font-size:1em}\
.lost{padding:.6em;border-radius:6px;background:#fff4d6}form.rescan input{width:auto;padding:.4em 1em}";

/// Keeps the page current without reloading it: `/status` is polled every second with a short timeout, and a
/// failed poll (the phone dropped while the access point moves to the home network's channel, contract row 4 in
/// [`crate::radio`]) shows a notice and tries again, so the same page shows the join's result once the phone is
/// back. A page drawn while a scan ran reloads for the new list when it is done, and a page drawn while joining
/// reloads for a failure (whose reasons sit beside the fields). Text goes in with `textContent`, never as HTML.
const POLL_SCRIPT: &str = "(()=>{const b=document.body,loaded=b.dataset.state,lost=document.getElementById('lost');\
const poll=async()=>{try{const c=new AbortController(),t=setTimeout(()=>c.abort(),2000);\
const s=await(await fetch('/status',{cache:'no-store',signal:c.signal})).json();clearTimeout(t);lost.hidden=true;\
if((b.dataset.scanning==='true'&&!s.scanning)||(loaded==='joining'&&s.state==='failed')){location.reload();return}\
const e=document.getElementById('progress');\
if(s.text&&e){e.textContent=s.text;e.className='progress '+s.state;e.dataset.state=s.state}\
b.dataset.state=s.state;if(s.state==='joined')return}catch(_){lost.hidden=false}setTimeout(poll,1000)};\
setTimeout(poll,1000)})()";

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
    if matches!(state.progress, Progress::Joining { .. }) || state.scanning {
        // Without scripts the page reloads itself instead of polling.
        page.push_str("<noscript><meta http-equiv=refresh content=2></noscript>");
    }
    let _ = write!(
        page,
        "<title>Sysboy set-up</title><style>{STYLE}</style></head><body data-state={} data-scanning={}><h1>Sysboy set-up</h1>",
        state_name(&state.progress),
        state.scanning
    );
    progress(&mut page, &state.progress);
    page.push_str(
        "<p id=lost class=lost role=status hidden>The connection to Sysboy dropped (its access point may be moving to \
your network's channel). Trying again… If it does not come back, join the Sysboy network again.</p>",
    );
    networks(&mut page, &state.networks, state.scanning);
    form(&mut page, &state.values, &state.errors, &state.progress);
    // Picking a network fills in its name; the name is read from the escaped attribute, never pasted as code.
    page.push_str(
        "<script>for(const b of document.querySelectorAll('button.network'))b.onclick=()=>{\
document.getElementById('ssid').value=b.dataset.ssid;document.getElementById('password').focus()};",
    );
    page.push_str(POLL_SCRIPT);
    page.push_str("</script></body></html>");
    page
}

/// The progress's name, as the page's `data-state` and `/status`'s `state` give it.
fn state_name(progress: &Progress) -> &'static str {
    match progress {
        Progress::Idle => "idle",
        Progress::Joining { .. } => "joining",
        Progress::Failed { .. } => "failed",
        Progress::Joined { .. } => "joined",
    }
}

/// The progress in words, unescaped (the page escapes it; `/status` carries it as a JSON string).
fn progress_text(progress: &Progress) -> Option<String> {
    Some(match progress {
        Progress::Idle => return None,
        Progress::Joining { ssid } => alloc::format!("Saved. Joining “{ssid}”…"),
        Progress::Failed { ssid, error } => alloc::format!("Could not join “{ssid}”: {error}."),
        Progress::Joined { ssid } => {
            alloc::format!("Joined “{ssid}”. Sysboy now restarts on your network and finds your PC; you can leave this access point.")
        }
    })
}

fn progress(page: &mut String, progress: &Progress) {
    let Some(text) = progress_text(progress) else { return };
    let class = state_name(progress);
    let _ = write!(page, "<p id=progress class=\"progress {class}\" data-state={class} role=status>{}</p>", escape(&text));
}

fn networks(page: &mut String, networks: &[ScanEntry], scanning: bool) {
    page.push_str("<h2>Networks in range</h2>");
    page.push_str("<form class=rescan method=post action=/rescan><input type=submit id=rescan value=\"Scan again\"></form>");
    page.push_str("<ul id=networks>");
    if scanning {
        page.push_str("<li id=scanning>Scanning…</li>");
    } else if networks.is_empty() {
        page.push_str("<li>No networks heard. Type the name below, or scan again.</li>");
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
    country(page, &values.country, errors.country);
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

/// The Wi-Fi country: a list of the codes the radio takes, the one typed (or world-safe) chosen.
fn country(page: &mut String, chosen: &str, reason: Option<&str>) {
    let chosen = Country::from_code(chosen.trim()).unwrap_or(Country::WORLD);
    page.push_str("<label for=country>Wi-Fi country (sets the channels the board may use)</label><select id=country name=country>");
    for (country, name) in Country::all() {
        let selected = if country == chosen { " selected" } else { "" };
        let _ = write!(page, "<option value={}{selected}>", country.as_str());
        escape_into(page, name);
        page.push_str("</option>");
    }
    page.push_str("</select>");
    if let Some(reason) = reason {
        let _ = write!(page, "<div class=reason id=country-reason>{}</div>", escape(reason));
    }
}

/// The `/status` answer: the join's progress as a small JSON object, with its sentence for the page, and the
/// scan's state.
pub fn status_json(state: &PortalState) -> String {
    let mut out = String::from("{\"state\":\"");
    let (ssid, reason) = match &state.progress {
        Progress::Idle => (None, None),
        Progress::Joining { ssid } | Progress::Joined { ssid } => (Some(ssid), None),
        Progress::Failed { ssid, error } => (Some(ssid), Some(*error)),
    };
    out.push_str(state_name(&state.progress));
    out.push('"');
    if let Some(text) = progress_text(&state.progress) {
        out.push_str(",\"text\":\"");
        json_string_into(&mut out, &text);
        out.push('"');
    }
    let _ = write!(out, ",\"scanning\":{},\"scans\":{}", state.scanning, state.scans);
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
