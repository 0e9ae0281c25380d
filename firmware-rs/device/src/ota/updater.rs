//! The update over the air as a state machine: from the host's offer to the activated slot, sans-IO.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::String;
use core::fmt;
use core::ops::Range;

use sysboy_protocol::{Chip, UpdateOffer, UpdateProgress, UpdateState};

use super::http::{ByteRange, ResponseHead};
use super::image::{self, ImageChecker};

/// The flash sector: erased before the first write into it.
pub const SECTOR: u32 = 4096;
/// The flash's write unit: writes start on a word and are whole words.
pub const WORD: u32 = 4;
/// Bytes asked for in one range request: 16 sectors.
pub const CHUNK: u32 = 16 * SECTOR;
/// A download that receives nothing for this long has failed.
pub const FETCH_TIMEOUT_MS: u64 = 15_000;
/// The longest `reason` the schema takes, in characters.
const REASON_MAX: usize = 200;

/// One piece of flash work for the update, as [`Steps::next_step`] hands them out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UpdateStep<'a> {
    /// Erase the inactive slot's sector at `offset` (a multiple of [`SECTOR`]): it comes before the first write
    /// into that sector. A failure goes back as [`Updater::fail`].
    Erase {
        /// Where in the slot.
        offset: u32,
    },
    /// Write `data` at `offset` of the inactive slot: both multiples of [`WORD`], inside sectors erased by earlier
    /// steps, each byte of the slot written once, in order; the image's last word is padded with 0xFF. A failure
    /// goes back as [`Updater::fail`].
    Write {
        /// Where in the slot.
        offset: u32,
        /// The bytes: the body piece's own, or a word joined from two pieces.
        data: &'a [u8],
    },
    /// Every byte is written and checked: make the inactive slot boot next (otadata: the next seq, state NEW),
    /// then call [`Updater::activated`], send the status it reports and restart.
    Activate {
        /// Bytes of the image in the slot.
        size: u32,
    },
}

/// A write of [`Steps`]: a word joined from the bytes carried over and the piece's first ones (or the image's
/// last bytes, padded), or whole words of the piece itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Write<'a> {
    Word(u32, [u8; WORD as usize]),
    Piece(u32, &'a [u8]),
}

/// The flash work for one piece of the body, borrowing it rather than copying it: the sectors its words enter
/// erased, then its words written, then at the image's end the activation. At most a word is copied.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Steps<'a> {
    /// The sectors still to erase, by offset.
    erase: Range<u32>,
    /// The writes in order, from the first without gaps (`Job::place` fills them so): the first `None` ends them.
    /// And how many were handed out.
    writes: [Option<Write<'a>>; 3],
    next: usize,
    activate: Option<u32>,
}

impl Steps<'_> {
    /// The next piece of flash work, in the order the flash needs it; `None` once all were handed out.
    pub fn next_step(&mut self) -> Option<UpdateStep<'_>> {
        if self.erase.start < self.erase.end {
            let offset = self.erase.start;
            self.erase.start += SECTOR;
            return Some(UpdateStep::Erase { offset });
        }
        if let Some(Some(write)) = self.writes.get(self.next) {
            self.next += 1;
            return Some(match write {
                Write::Word(offset, word) => UpdateStep::Write { offset: *offset, data: word },
                Write::Piece(offset, data) => UpdateStep::Write { offset: *offset, data },
            });
        }
        self.activate.take().map(|size| UpdateStep::Activate { size })
    }
}

/// Why an offer was refused; the host hears it as a `bad_config` error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OfferRefused {
    /// The board is the simulator without a chip: there is no image for it.
    NoImageForChip(Chip),
    /// The image is built for another chip.
    WrongChip {
        /// The offer's.
        offered: Chip,
        /// The board's.
        board: Chip,
    },
    /// The board has no OTA slot to write.
    NoSlot,
    /// The image does not fit the slot.
    TooLarge {
        /// The offer's size.
        size: u32,
        /// The slot's.
        slot: u32,
    },
    /// An update is already under way.
    Busy {
        /// The version being installed.
        version: String,
    },
    /// The SHA-256 is not 64 hex digits.
    BadHash,
}

impl fmt::Display for OfferRefused {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoImageForChip(chip) => write!(f, "no image for chip {}", chip.as_str()),
            Self::WrongChip { offered, board } => write!(f, "the image is for {}, this board is {}", offered.as_str(), board.as_str()),
            Self::NoSlot => f.write_str("this board has no OTA slot to update"),
            Self::TooLarge { size, slot } => write!(f, "the image is {size} bytes, larger than the {slot}-byte slot"),
            Self::Busy { version } => write!(f, "an update to {version} is under way"),
            Self::BadHash => f.write_str("the sha256 is not 64 hex digits"),
        }
    }
}

impl core::error::Error for OfferRefused {}

/// One download.
#[derive(Debug, Clone)]
struct Job {
    version: String,
    path: String,
    size: u32,
    sha256: [u8; 32],
    checker: ImageChecker,
    /// The bytes received past the last whole word (`received - written` of them), written with the next piece.
    carry: [u8; WORD as usize],
    /// Bytes of the image received (the offset of the next one).
    received: u32,
    /// Bytes handed out in writes (a multiple of [`WORD`] until the image's end): where the next write goes.
    written: u32,
    /// The end of the sectors erased so far.
    erased: u32,
    /// The range asked for, and whether its response head came.
    range: Option<(ByteRange, bool)>,
    /// The next tenth to report.
    next_tenth: u32,
    last_rx_ms: u64,
    /// Why the image check already failed, when the image stopped making sense mid-way.
    broken: Option<String>,
}

/// The update state machine. The link hands it the host's offer; the session's IO asks it which range to fetch
/// ([`Updater::next_fetch`]), gives it the response head ([`Updater::response`]) and the body
/// ([`Updater::body`]), carries out the [`UpdateStep`]s, and sends a status for every report it queues
/// ([`Updater::take_report`]). It never holds the image, nor a sector of it: each piece of the body is written
/// where it goes as it comes, but for up to 3 bytes that do not fill a word.
#[derive(Debug, Clone)]
pub struct Updater {
    chip: Chip,
    slot_size: u32,
    job: Option<Job>,
    /// The latest progress, for every status.
    last: Option<UpdateProgress>,
    /// Progress not yet sent.
    reports: VecDeque<UpdateProgress>,
    /// The running image reached the host and is to be confirmed.
    confirm: bool,
    confirmed: bool,
}

impl Updater {
    /// The updater of a `chip` board whose inactive slot holds `slot_size` bytes (0: the board cannot update).
    pub fn new(chip: Chip, slot_size: u32) -> Self {
        Self { chip, slot_size, job: None, last: None, reports: VecDeque::new(), confirm: false, confirmed: false }
    }

    /// Starts with what the boot found: a `rolled_back` progress (the new image restarted without reaching the
    /// host and the previous one runs again), reported in the first status of the session.
    pub fn with_outcome(mut self, outcome: UpdateProgress) -> Self {
        self.reports.push_back(outcome.clone());
        self.last = Some(outcome);
        self
    }

    /// Takes the host's offer: refuses another chip, an image larger than the slot, or a second update while one
    /// runs; else the download starts (state downloading, reported).
    pub fn offer(&mut self, now_ms: u64, offer: &UpdateOffer) -> Result<(), OfferRefused> {
        if let Some(job) = &self.job {
            return Err(OfferRefused::Busy { version: job.version.clone() });
        }
        if self.chip == Chip::Sim {
            return Err(OfferRefused::NoImageForChip(Chip::Sim));
        }
        if offer.chip != self.chip {
            return Err(OfferRefused::WrongChip { offered: offer.chip, board: self.chip });
        }
        if self.slot_size == 0 {
            return Err(OfferRefused::NoSlot);
        }
        if offer.size > self.slot_size {
            return Err(OfferRefused::TooLarge { size: offer.size, slot: self.slot_size });
        }
        let sha256 = parse_hash(&offer.sha256).ok_or(OfferRefused::BadHash)?;
        self.job = Some(Job {
            version: offer.version.clone(),
            path: offer.path.clone(),
            size: offer.size,
            sha256,
            checker: ImageChecker::new(image::chip_id(self.chip), self.slot_size),
            carry: [0xFF; WORD as usize],
            received: 0,
            written: 0,
            erased: 0,
            range: None,
            next_tenth: 1,
            last_rx_ms: now_ms,
            broken: None,
        });
        self.report(UpdateState::Downloading, None);
        Ok(())
    }

    /// Whether an update is under way.
    pub fn is_running(&self) -> bool {
        self.job.is_some()
    }

    /// The latest progress (the update under way, or how the last one ended), for the status.
    pub fn progress(&self) -> Option<&UpdateProgress> {
        self.last.as_ref()
    }

    /// The next progress report to send in a status; reports come at each change of state and every 10 %.
    pub fn take_report(&mut self) -> Option<UpdateProgress> {
        self.reports.pop_front()
    }

    /// The range to fetch next, when the download wants one and none is outstanding: open a connection to the
    /// host, send [`write_request`](super::http::write_request) for it, and read the answer.
    pub fn next_fetch(&mut self, now_ms: u64) -> Option<ByteRange> {
        let job = self.job.as_mut()?;
        if job.range.is_some() || job.received >= job.size {
            return None;
        }
        let range = ByteRange { start: job.received, end: (job.received.saturating_add(CHUNK)).min(job.size) - 1 };
        job.range = Some((range, false));
        job.last_rx_ms = now_ms;
        Some(range)
    }

    /// Where the image is on the host (the offer's path), while an update runs.
    pub fn path(&self) -> Option<&str> {
        self.job.as_ref().map(|job| job.path.as_str())
    }

    /// The range asked for and not all received yet.
    pub fn pending_range(&self) -> Option<ByteRange> {
        self.job.as_ref().and_then(|job| job.range.map(|(range, _)| range))
    }

    /// The response head for the range asked for: 206 with exactly that range of an image of the offered size,
    /// or 200 with the whole image when the range starts at 0. Anything else fails the update.
    pub fn response(&mut self, now_ms: u64, head: &ResponseHead) {
        let Some(job) = self.job.as_mut() else { return };
        let Some((range, _)) = job.range else {
            return self.fail(now_ms, "a response came without a request");
        };
        job.last_rx_ms = now_ms;
        let size = job.size;
        let problem = match head.status {
            206 => match head.content_range {
                Some(content) if content.range != Some(range) => {
                    Some(format!("the host sent {} for {range}", content.range.map_or(String::from("*"), |sent| format!("{sent}"))))
                }
                Some(content) if content.total != Some(size) => {
                    Some(format!("the host's image is {} bytes, the offer said {size}", content.total.map_or(String::from("*"), |total| format!("{total}"))))
                }
                Some(_) if head.content_length.is_some_and(|length| length != range.len()) => {
                    Some(format!("wrong length: Content-Length {} for {range}", head.content_length.unwrap_or_default()))
                }
                Some(_) => None,
                None => Some(String::from("a 206 without Content-Range")),
            },
            200 if range.start == 0 => match head.content_length {
                Some(length) if length == size => {
                    // The whole image in one answer.
                    job.range = Some((ByteRange { start: 0, end: size - 1 }, true));
                    return;
                }
                Some(length) => Some(format!("wrong length: the host's image is {length} bytes, the offer said {size}")),
                None => Some(String::from("a 200 without Content-Length")),
            },
            200 => Some(format!("the host ignored the range {range}")),
            401 => Some(String::from("the host refused the board's token (401)")),
            416 => Some(format!("the host refused the range {range} (416)")),
            status => Some(format!("the host answered HTTP {status}")),
        };
        match problem {
            Some(reason) => self.fail(now_ms, &reason),
            None => job.range = Some((range, true)),
        }
    }

    /// Body bytes of the range asked for. Returns the flash work they ask for (borrowing them), and at the end,
    /// when the size, the SHA-256 and the image check all hold, [`UpdateStep::Activate`] after it. Bytes past the
    /// range fail the update.
    pub fn body<'a>(&mut self, now_ms: u64, bytes: &'a [u8]) -> Steps<'a> {
        let Some(job) = self.job.as_mut() else { return Steps::default() };
        let Some((range, true)) = job.range else {
            self.fail(now_ms, "body bytes came before the response head");
            return Steps::default();
        };
        job.last_rx_ms = now_ms;
        let left = range.end + 1 - job.received;
        if bytes.len() as u64 > u64::from(left) {
            let reason = format!("wrong length: the host sent more than the {} bytes of {range}", range.len());
            self.fail(now_ms, &reason);
            return Steps::default();
        }
        if job.broken.is_none() {
            match job.checker.feed(bytes) {
                Ok(used) if used < bytes.len() => {
                    job.broken = Some(format!("the image ends at byte {}, the offer said {} bytes", job.checker.len(), job.size));
                }
                Ok(_) => {}
                Err(error) => job.broken = Some(format!("image check: {error}")),
            }
        }
        let mut steps = job.place(bytes);
        if job.received == range.end + 1 {
            job.range = None;
        }
        let tenth = (u64::from(job.received) * 10 / u64::from(job.size)) as u32;
        let crossed = tenth >= job.next_tenth && job.received < job.size;
        if crossed {
            job.next_tenth = tenth + 1;
        }
        if job.received < job.size {
            if crossed {
                self.report(UpdateState::Downloading, None);
            }
            return steps;
        }
        // Every byte is in, and written once these steps are carried out.
        self.report(UpdateState::Verifying, None);
        match self.verify() {
            Ok(size) => steps.activate = Some(size),
            // Nothing is activated: the running image stays.
            Err(reason) => self.fail(now_ms, &reason),
        }
        steps
    }

    /// The connection for the range asked for ended (closed, reset or failed). Unless every byte of the range
    /// came, that is a short read and the update fails.
    pub fn ended(&mut self, now_ms: u64, why: &str) {
        let Some(job) = &self.job else { return };
        if let Some((range, _)) = job.range {
            let got = job.received - range.start;
            let reason = format!("short read: {got} of the {} bytes of {range} ({why})", range.len());
            self.fail(now_ms, &reason);
        }
    }

    /// The slot is activated: the board restarts into it next (state restarting, reported).
    pub fn activated(&mut self, _now_ms: u64) {
        if self.job.is_some() {
            self.report(UpdateState::Restarting, None);
            self.job = None;
        }
    }

    /// The download gives up (a flash write failed, the connection broke, the session ended): state failed with
    /// `reason`, nothing activated, the running image stays.
    pub fn fail(&mut self, _now_ms: u64, reason: &str) {
        if self.job.is_none() {
            return;
        }
        let mut reason = String::from(if reason.is_empty() { "failed" } else { reason });
        if let Some((cut, _)) = reason.char_indices().nth(REASON_MAX) {
            reason.truncate(cut);
        }
        self.report(UpdateState::Failed, Some(reason));
        self.job = None;
    }

    /// The clock: a download that received nothing for [`FETCH_TIMEOUT_MS`] fails.
    pub fn poll(&mut self, now_ms: u64) {
        let Some(job) = &self.job else { return };
        if now_ms.saturating_sub(job.last_rx_ms) >= FETCH_TIMEOUT_MS {
            let reason = format!("timeout: nothing from the host for {} s", FETCH_TIMEOUT_MS / 1000);
            self.fail(now_ms, &reason);
        }
    }

    /// The session reached the host (its welcome): the running image is confirmed once per boot
    /// ([`Updater::take_confirm`]).
    pub fn reached_host(&mut self) {
        if !self.confirmed {
            self.confirm = true;
        }
    }

    /// Whether the running image is to be marked valid now (once per boot, after the first welcome).
    pub fn take_confirm(&mut self) -> bool {
        let confirm = core::mem::take(&mut self.confirm);
        self.confirmed |= confirm;
        confirm
    }

    /// The size, the SHA-256 and the image check, once every byte is in.
    fn verify(&mut self) -> Result<u32, String> {
        let job = self.job.as_mut().ok_or_else(|| String::from("no update"))?;
        let checker = core::mem::replace(&mut job.checker, ImageChecker::new(None, 0));
        let broken = job.broken.take();
        let done = checker.is_done();
        let finished = checker.finish();
        // The offer's hash is over the whole file, whatever it holds.
        let sha256 = match &finished {
            Ok(info) => Some(info.sha256),
            Err(_) => None,
        };
        if let Some(reason) = broken {
            return Err(reason);
        }
        let info = finished.map_err(|error| format!("image check: {error}"))?;
        if !done || info.len != job.size {
            return Err(format!("wrong length: the image is {} bytes, the offer said {}", info.len, job.size));
        }
        if sha256 != Some(job.sha256) {
            return Err(format!("SHA-256 mismatch: the image is {}, the offer said {}", hex(&info.sha256), hex(&job.sha256)));
        }
        if info.version != job.version {
            return Err(format!("the image's app descriptor says version {}, the offer said {}", info.version, job.version));
        }
        Ok(job.size)
    }

    fn report(&mut self, state: UpdateState, reason: Option<String>) {
        let Some(job) = &self.job else { return };
        let progress = UpdateProgress { state, version: job.version.clone(), written: job.written, total: job.size, reason };
        self.reports.push_back(progress.clone());
        self.last = Some(progress);
    }
}

impl Job {
    /// Places `bytes`, the next ones of the image, in the slot: the word the bytes carried over wait for, then
    /// the piece's whole words where they are, its last bytes (under a word) carried to the next piece, or padded
    /// at the image's end; every sector those writes enter for the first time erased before them.
    fn place<'a>(&mut self, bytes: &'a [u8]) -> Steps<'a> {
        const W: usize = WORD as usize;
        let mut steps = Steps::default();
        let mut writes = 0;
        let mut at = self.written;
        let mut carried = (self.received - self.written) as usize;
        let mut rest = bytes;
        if carried > 0 {
            let take = (W - carried).min(rest.len());
            self.carry[carried..carried + take].copy_from_slice(&rest[..take]);
            carried += take;
            rest = &rest[take..];
            if carried == W {
                steps.writes[writes] = Some(Write::Word(at, self.carry));
                writes += 1;
                at += WORD;
                carried = 0;
            }
        }
        if carried == 0 {
            let whole = rest.len() / W * W;
            if whole > 0 {
                steps.writes[writes] = Some(Write::Piece(at, &rest[..whole]));
                writes += 1;
                at += whole as u32;
            }
            rest = &rest[whole..];
            self.carry[..rest.len()].copy_from_slice(rest);
            carried = rest.len();
        }
        self.received += bytes.len() as u32;
        self.written = at;
        let mut end = at;
        if self.received == self.size && carried > 0 {
            let mut word = [0xFF; W];
            word[..carried].copy_from_slice(&self.carry[..carried]);
            steps.writes[writes] = Some(Write::Word(at, word));
            self.written += carried as u32;
            end += WORD;
        }
        let entered = end.next_multiple_of(SECTOR);
        if entered > self.erased {
            steps.erase = self.erased..entered;
            self.erased = entered;
        }
        steps
    }
}

/// 64 lowercase hex digits as bytes.
fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let bytes = text.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(bytes.chunks(2)) {
        let digit = |c: u8| (c as char).to_digit(16);
        *byte = (digit(pair[0])? * 16 + digit(pair[1])?) as u8;
    }
    Some(hash)
}

/// Bytes as lowercase hex, the first 8 of them (enough to tell two hashes apart in a reason).
fn hex(bytes: &[u8]) -> String {
    let mut text: String = bytes.iter().take(8).map(|byte| format!("{byte:02x}")).collect();
    text.push('…');
    text
}
