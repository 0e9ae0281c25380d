//! The screens' state machine: what each screen shows, from the host's config, the frames, the link and the
//! button, with the clock passed in.

use alloc::string::String;
use alloc::vec::Vec;

use embedded_graphics::draw_target::DrawTarget;
use embedded_graphics::pixelcolor::Rgb565;
use sysboy_protocol::{HistoryBurst, NamedMetric, ScreenConfig, ScreenShown};
use sysboy_scenes::palette::SceneColor;
use sysboy_scenes::state::{self, Alert, History, LinkState, Missing, Reading, Scene, View, HUB_FIGURES};

use super::check::{check, ScreenConfigError, MAX_SCREENS, STREAM_SCENE};
use super::figure::Figure;
use super::{ScreenSpec, DEFAULT_BRIGHTNESS};
use crate::link::Action;
use crate::status_light::BoardState;
use crate::stream::Pixels;

/// What a screen shows before the session config says: with no frame for this long, a figure is stale.
const DEFAULT_STALE_AFTER_MS: u32 = 5_000;

/// The history of a figure slot left empty, for the fixed array a frame's view is built in.
static NO_HISTORY: History = History::new();

/// The screens to draw again, from [`Screens::tick`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Redraw(u8);

impl Redraw {
    /// Whether no screen needs drawing.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether screen `screen` (its index in the specs) needs drawing.
    pub const fn contains(self, screen: usize) -> bool {
        screen < MAX_SCREENS && self.0 & (1 << screen) != 0
    }

    /// The screens that need drawing, by index.
    pub fn screens(self) -> impl Iterator<Item = usize> {
        (0..MAX_SCREENS).filter(move |&screen| self.contains(screen))
    }
}

/// What a configured scene is: one the scenes crate draws, or the host's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Drawn(Scene),
    Stream,
}

impl Kind {
    /// The scene's name in the protocol.
    const fn name(self) -> &'static str {
        match self {
            Self::Drawn(scene) => scene.name(),
            Self::Stream => STREAM_SCENE,
        }
    }
}

/// A configured scene and its figures, as indices into the figure table.
#[derive(Debug, Clone)]
struct SceneLayout {
    kind: Kind,
    figures: Vec<usize>,
}

/// An alert limit on one figure, and whether it is on.
#[derive(Debug, Clone)]
struct Limit {
    figure: usize,
    above: f32,
    clear_below: f32,
    on: bool,
}

impl Limit {
    /// Judges the figure's live value: on above `above`, off again below `clear_below`, off without a live value
    /// (an alert is never raised or held on a figure that is not live).
    fn judge(&mut self, percent: Option<f32>) {
        self.on = match percent {
            None => false,
            Some(percent) if self.on => percent >= self.clear_below,
            Some(percent) => percent > self.above,
        };
    }
}

/// What a screen shows now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Shows {
    /// The configured scene at this index.
    Scene(usize),
    /// The alert of the limit at this index.
    Alert(usize),
    /// The link's state, or "no data".
    State,
}

/// A screen's stream: whether it is live, and whether its picture is the stream's or was drawn over.
#[derive(Debug, Clone, Copy, Default)]
struct StreamState {
    /// A rectangle came within the stale timeout.
    live: bool,
    /// When the last one came.
    heard_ms: u64,
    /// The screen shows the stream scene: its picture is the host's.
    streamed: bool,
    /// Something drew over the streamed picture, and no status has said so yet.
    covered: bool,
}

/// One screen's layout and where it is in it.
#[derive(Debug, Clone)]
struct Screen {
    /// No config from the host: one hub of the first metrics that arrive.
    default: bool,
    scenes: Vec<SceneLayout>,
    carousel_ms: Option<u32>,
    limits: Vec<Limit>,
    brightness: u8,
    rotation: u8,
    index: usize,
    stepped_at_ms: u64,
    shows: Shows,
    stream: StreamState,
}

impl Screen {
    /// The default layout: a hub with `figures`, no carousel, no alerts.
    fn default_layout(figures: Vec<usize>) -> Self {
        Self {
            default: true,
            scenes: alloc::vec![SceneLayout { kind: Kind::Drawn(Scene::Hub), figures }],
            carousel_ms: None,
            limits: Vec::new(),
            brightness: DEFAULT_BRIGHTNESS,
            rotation: 0,
            index: 0,
            stepped_at_ms: 0,
            shows: Shows::State,
            stream: StreamState::default(),
        }
    }

    /// Whether `shows` is the stream scene.
    fn streams(&self, shows: Shows) -> bool {
        matches!(shows, Shows::Scene(index) if self.scenes[index].kind == Kind::Stream)
    }

    /// Whether the default hub can take one more figure.
    fn has_room(&self) -> bool {
        self.default && self.scenes[0].figures.len() < HUB_FIGURES
    }

    /// Whether what it shows now draws `figure`.
    fn shows_figure(&self, figure: usize) -> bool {
        match self.shows {
            Shows::Scene(index) => self.scenes[index].figures.contains(&figure),
            Shows::Alert(limit) => self.limits[limit].figure == figure,
            Shows::State => false,
        }
    }
}

/// How one screen is to be laid out by a new config, by metric name.
enum Plan<'c> {
    Configured(&'c ScreenConfig),
    Default(Vec<String>),
}

/// Everything the board's screens show, and what each shows now. See the [module](super) docs.
#[derive(Debug, Clone)]
pub struct Screens {
    specs: Vec<ScreenSpec>,
    screens: Vec<Screen>,
    figures: Vec<Figure>,
    stale_after_ms: u32,
    board: BoardState,
    portal: (String, String),
    joining: String,
    device: String,
    redraw: u8,
    shown_changed: bool,
}

impl Screens {
    /// The board's screens (at most [`MAX_SCREENS`]; any past that are left out), each with the default layout
    /// and all to be drawn. Until [`Screens::board_state`] says the board is live they show the state scene.
    pub fn new(mut specs: Vec<ScreenSpec>) -> Self {
        specs.truncate(MAX_SCREENS);
        let screens = specs.iter().map(|_| Screen::default_layout(Vec::new())).collect();
        let redraw = (1u8 << specs.len()) - 1;
        Self {
            specs,
            screens,
            figures: Vec::new(),
            stale_after_ms: DEFAULT_STALE_AFTER_MS,
            board: BoardState::Starting,
            portal: (String::new(), String::new()),
            joining: String::new(),
            device: String::new(),
            redraw,
            shown_changed: false,
        }
    }

    /// The screens, in the order the other methods index them.
    pub fn specs(&self) -> &[ScreenSpec] {
        &self.specs
    }

    /// The metrics the screens show, alert limits included: frames of each must reach [`Screens::frame`].
    pub fn metrics(&self) -> impl Iterator<Item = &str> {
        self.figures.iter().map(|figure| figure.metric.as_str())
    }

    /// Lays the screens out as the host's `configs` say; a screen that none names takes the default layout. The
    /// whole list is checked first, and a refused one changes nothing. A screen keeps its scene index when the
    /// new layout has as many scenes, so the welcome of a reconnect does not jump it back.
    pub fn configure(&mut self, configs: &[ScreenConfig], now_ms: u64) -> Result<(), ScreenConfigError> {
        check(&self.specs, configs)?;
        let before = self.shown();
        let plans: Vec<Plan<'_>> = self
            .specs
            .iter()
            .zip(&self.screens)
            .map(|(spec, screen)| match configs.iter().find(|config| config.output == spec.output) {
                Some(config) => Plan::Configured(config),
                // A default hub keeps the figures it has gathered.
                None if screen.default => Plan::Default(screen.scenes[0].figures.iter().map(|&f| self.figures[f].metric.clone()).collect()),
                None => Plan::Default(Vec::new()),
            })
            .collect();
        self.figures = self.figures_for(&plans);
        for (screen, plan) in self.screens.iter_mut().zip(&plans) {
            let (index, stream) = (screen.index, screen.stream);
            *screen = match plan {
                Plan::Default(metrics) => Screen::default_layout(metrics.iter().filter_map(|metric| index_of(&self.figures, metric)).collect()),
                Plan::Configured(config) => configured(config, &self.figures),
            };
            screen.index = if index < screen.scenes.len() { index } else { 0 };
            screen.stepped_at_ms = now_ms;
            screen.shows = Shows::State;
            // The stream and its picture outlive a new layout: the picture was drawn over only if the screen now
            // shows something else, which settling finds.
            screen.stream = stream;
        }
        self.redraw = (1u8 << self.specs.len()) - 1;
        let changed = self.shown_changed;
        self.settle();
        // Scene indices mean other scenes in a new layout: what is reported is compared, not the indices.
        self.shown_changed = changed || self.shown() != before;
        Ok(())
    }

    /// The figure table the plans need, in the order they name metrics: figures already kept are moved over with
    /// their readings and histories, the rest start empty.
    fn figures_for(&mut self, plans: &[Plan<'_>]) -> Vec<Figure> {
        let mut kept = core::mem::take(&mut self.figures);
        let mut figures = Vec::new();
        let mut add = |metric: &str| {
            if index_of(&figures, metric).is_none() {
                let figure = match kept.iter().position(|figure| figure.metric == metric) {
                    Some(at) => kept.swap_remove(at),
                    None => Figure::new(String::from(metric)),
                };
                figures.push(figure);
            }
        };
        for plan in plans {
            match plan {
                Plan::Default(metrics) => metrics.iter().for_each(|metric| add(metric)),
                Plan::Configured(config) => {
                    config.scenes.iter().flat_map(|scene| &scene.metrics).for_each(|metric| add(metric));
                    config.alerts.iter().flatten().for_each(|limit| add(&limit.metric));
                }
            }
        }
        figures
    }

    /// Sets how long a figure stays live without a frame (the session config's `stale_after_ms`).
    pub fn set_stale_after_ms(&mut self, stale_after_ms: u32) {
        self.stale_after_ms = stale_after_ms;
    }

    /// Takes a metric frame: the figure's reading and one more sample of its history. A metric no screen shows is
    /// ignored, except that a default hub with room takes it on.
    pub fn frame(&mut self, frame: &NamedMetric, now_ms: u64) {
        let Some(figure) = self.figure_for(&frame.name) else { return };
        self.figures[figure].frame(frame, now_ms);
        self.mark_showing(figure);
        self.settle();
    }

    /// Puts a history burst in place of that metric's history, so its graphs start full.
    pub fn history(&mut self, burst: &HistoryBurst) {
        let Some(figure) = self.figure_for(&burst.name) else { return };
        self.figures[figure].history(burst);
        self.mark_showing(figure);
    }

    /// The link is down: no reading may pass for live any more, and the histories go too (the next session's
    /// history bursts fill them again).
    pub fn forget(&mut self) {
        self.figures.iter_mut().for_each(Figure::forget);
        self.screens.iter_mut().for_each(|screen| screen.stream.live = false);
        self.redraw = (1u8 << self.specs.len()) - 1;
        self.settle();
    }

    /// What the board is doing, as the status light derives it from what the board heard
    /// ([`StatusLight::state`](crate::status_light::StatusLight::state)): off a live session every screen shows
    /// the state scene with it. Calling it with an unchanged state does nothing, so a display loop may call it
    /// every tick.
    pub fn board_state(&mut self, state: BoardState) {
        if state != self.board {
            self.board = state;
            self.mark_state_screens();
            self.settle();
        }
    }

    /// The set-up portal's access point name and the address to open, for the state scene.
    pub fn portal_named(&mut self, ap: &str, address: &str) {
        if self.portal.0 != ap || self.portal.1 != address {
            self.portal = (String::from(ap), String::from(address));
            self.mark_state_screens();
        }
    }

    /// The network being joined, for the state scene.
    pub fn joining_named(&mut self, ssid: &str) {
        if self.joining != ssid {
            self.joining = String::from(ssid);
            self.mark_state_screens();
        }
    }

    /// The board's id as its hello names it, which the state scene shows while the board waits for approval, so
    /// that the user can tell it in the dashboard or type it in `sysboy pair <device>`.
    pub fn device_named(&mut self, device: &str) {
        if self.device != device {
            self.device = String::from(device);
            self.mark_state_screens();
        }
    }

    /// A short press: every screen with more than one scene steps to its next, and its carousel starts over.
    pub fn press(&mut self, now_ms: u64) {
        for screen in &mut self.screens {
            if screen.scenes.len() > 1 {
                screen.index = (screen.index + 1) % screen.scenes.len();
                screen.stepped_at_ms = now_ms;
            }
        }
        self.settle();
    }

    /// Advances to `now_ms`: figures without a frame for the stale timeout go stale, carousels step, alerts are
    /// judged. Gives the screens to draw again since the last tick (and clears them).
    pub fn tick(&mut self, now_ms: u64) -> Redraw {
        for figure in 0..self.figures.len() {
            if self.figures[figure].refresh(now_ms, self.stale_after_ms) {
                self.mark_showing(figure);
            }
        }
        for screen in &mut self.screens {
            if screen.stream.live && now_ms.saturating_sub(screen.stream.heard_ms) >= u64::from(self.stale_after_ms) {
                screen.stream.live = false;
            }
        }
        for screen in &mut self.screens {
            let Some(period) = screen.carousel_ms else { continue };
            if screen.scenes.len() > 1 && now_ms.saturating_sub(screen.stepped_at_ms) >= u64::from(period) {
                screen.index = (screen.index + 1) % screen.scenes.len();
                screen.stepped_at_ms = now_ms;
            }
        }
        self.settle();
        Redraw(core::mem::take(&mut self.redraw))
    }

    /// What each screen shows now, for the status.
    pub fn shown(&self) -> Vec<ScreenShown> {
        self.specs
            .iter()
            .zip(&self.screens)
            .map(|(spec, screen)| {
                let output = spec.output.clone();
                match screen.shows {
                    // At most MAX_SCENES (8) scenes, so the index fits.
                    Shows::Scene(index) => ScreenShown { output, scene: screen.scenes[index].kind.name().into(), index: Some(index as u8), alert: None },
                    Shows::Alert(limit) => {
                        let metric = self.figures[screen.limits[limit].figure].metric.clone();
                        ScreenShown { output, scene: Scene::Alert.name().into(), index: None, alert: Some(metric) }
                    }
                    Shows::State => ScreenShown { output, scene: Scene::State.name().into(), index: None, alert: None },
                }
            })
            .collect()
    }

    /// Whether what a screen shows changed since the last call: the host is then told at once. The status that
    /// tells it reports every cover of a streamed picture, so from here on such a screen may show the stream again.
    pub fn take_shown_changed(&mut self) -> bool {
        self.screens.iter_mut().for_each(|screen| screen.stream.covered = false);
        core::mem::take(&mut self.shown_changed)
    }

    /// A checked stream rectangle for the screen called `output` (see [`crate::stream`]): the stream is live until
    /// the stale timeout, and the pixels are drawn on `target`, that screen, while it shows the stream scene.
    /// Says whether they were drawn; a screen showing another scene keeps its picture (the host sends the whole
    /// frame again once the status says `stream`). Another output draws nothing.
    pub fn show_stream<D: DrawTarget<Color = Rgb565>>(&mut self, output: &str, pixels: &Pixels<'_>, now_ms: u64, target: &mut D) -> Result<bool, D::Error> {
        let Some(index) = self.specs.iter().position(|spec| spec.output == output) else { return Ok(false) };
        let stream = &mut self.screens[index].stream;
        stream.live = true;
        stream.heard_ms = now_ms;
        self.settle();
        if !self.shows_stream(index) {
            return Ok(false);
        }
        pixels.draw(target)?;
        Ok(true)
    }

    /// Whether screen `screen` shows the stream scene now (its picture is the host's).
    pub fn shows_stream(&self, screen: usize) -> bool {
        self.screens.get(screen).is_some_and(|shown| shown.streams(shown.shows))
    }

    /// Whether any alert is on (the status light blinks while one is).
    pub fn alerting(&self) -> bool {
        self.screens.iter().any(|screen| screen.limits.iter().any(|limit| limit.on))
    }

    /// Screen `screen`'s brightness, percent (its config's, else [`DEFAULT_BRIGHTNESS`]); `None` past the last.
    pub fn brightness(&self, screen: usize) -> Option<u8> {
        self.screens.get(screen).map(|screen| screen.brightness)
    }

    /// Screen `screen`'s rotation in quarter turns, 0 or 2 (a quarter turn is refused); `None` past the last.
    pub fn rotation(&self, screen: usize) -> Option<u8> {
        self.screens.get(screen).map(|screen| screen.rotation)
    }

    /// Carries out the part of a link action that is the screens': the config's stale timeout, a screens config,
    /// a history burst, a metric frame, a short press, or the link going down. Other actions are not theirs.
    /// The link has already checked a screens config against the hello, so a refusal here means the board's
    /// screens differ from what its hello announced.
    pub fn act(&mut self, action: &Action, now_ms: u64) -> Result<(), ScreenConfigError> {
        match action {
            Action::Apply(config) => self.set_stale_after_ms(config.stale_after_ms),
            Action::ConfigureScreens(configs) => return self.configure(configs, now_ms),
            Action::History(burst) => self.history(burst),
            Action::Figure(frame) => self.frame(frame, now_ms),
            Action::NextScene => self.press(now_ms),
            Action::Forget => self.forget(),
            _ => {}
        }
        Ok(())
    }

    /// Draws screen `screen` as it is now on `target` (a screen past the last draws nothing). The view is built
    /// on the stack from borrowed state: nothing is allocated.
    pub fn draw<C: SceneColor, D: DrawTarget<Color = C>>(&self, screen: usize, target: &mut D) -> Result<(), D::Error> {
        let Some(shown) = self.screens.get(screen) else { return Ok(()) };
        let empty = state::Figure { metric: "", reading: Reading::Missing(Missing::NoData), history: &NO_HISTORY };
        let mut figures = [empty; HUB_FIGURES];
        let (scene, count, alert) = match shown.shows {
            Shows::Scene(index) => {
                let layout = &shown.scenes[index];
                // The stream's picture is the host's: nothing is drawn over it.
                let Kind::Drawn(scene) = layout.kind else { return Ok(()) };
                for (slot, &figure) in figures.iter_mut().zip(&layout.figures) {
                    *slot = self.scene_figure(figure);
                }
                (scene, layout.figures.len().min(HUB_FIGURES), None)
            }
            Shows::Alert(limit) => {
                let limit = &shown.limits[limit];
                figures[0] = self.scene_figure(limit.figure);
                (Scene::Alert, 1, Some(Alert { figure: figures[0], limit: limit.above }))
            }
            Shows::State => (Scene::State, 0, None),
        };
        let link = (shown.shows == Shows::State).then(|| self.link_state());
        let view = View { figures: &figures[..count], link, alert };
        sysboy_scenes::draw(scene, &view, target)
    }

    /// Figure `figure` as a scene draws it.
    fn scene_figure(&self, figure: usize) -> state::Figure<'_> {
        let figure = &self.figures[figure];
        state::Figure { metric: &figure.metric, reading: figure.reading(), history: &figure.history }
    }

    /// What the state scene shows: the board's state off a live session, "no data" on one.
    fn link_state(&self) -> LinkState<'_> {
        match self.board {
            BoardState::PortalOpen => LinkState::PortalOpen { ap: &self.portal.0, address: &self.portal.1 },
            BoardState::Joining => LinkState::Joining { ssid: &self.joining },
            BoardState::TokenRefused => LinkState::TokenRefused,
            // Found and answered, not yet let in: what to do on the PC, never "no host".
            BoardState::AwaitingApproval => LinkState::AwaitingApproval { device: &self.device },
            // Booting, or unreachable with the access point down: no host yet.
            BoardState::Starting | BoardState::NoHost | BoardState::Fault => LinkState::NoHost,
            BoardState::Live | BoardState::Alert | BoardState::Updating => LinkState::NoData,
        }
    }

    /// The figure of `metric`, if a screen shows it; a default hub with room takes on a metric it has not seen.
    fn figure_for(&mut self, metric: &str) -> Option<usize> {
        if let Some(figure) = index_of(&self.figures, metric) {
            return Some(figure);
        }
        if !self.screens.iter().any(Screen::has_room) {
            return None;
        }
        let figure = self.figures.len();
        self.figures.push(Figure::new(String::from(metric)));
        for (i, screen) in self.screens.iter_mut().enumerate() {
            if screen.has_room() {
                screen.scenes[0].figures.push(figure);
                self.redraw |= 1 << i;
            }
        }
        Some(figure)
    }

    /// Decides what each screen shows: the state scene off a live session, else the first alert that is on, else
    /// the scene at its index while it has something fresh to show (a figure, or for the stream scene its
    /// stream), else the state scene's "no data". A change is drawn and reported. A screen whose streamed picture
    /// was drawn over keeps what it shows until the cover is reported.
    fn settle(&mut self) {
        let live = matches!(self.board, BoardState::Live | BoardState::Alert | BoardState::Updating);
        let fresh = self.figures.iter().any(Figure::is_fresh);
        for (i, screen) in self.screens.iter_mut().enumerate() {
            for limit in &mut screen.limits {
                limit.judge(self.figures[limit.figure].live_percent());
            }
            let wanted = match screen.limits.iter().position(|limit| limit.on) {
                _ if !live => Shows::State,
                Some(limit) => Shows::Alert(limit),
                None => match screen.scenes[screen.index].kind {
                    Kind::Stream if screen.stream.live => Shows::Scene(screen.index),
                    Kind::Drawn(_) if fresh => Shows::Scene(screen.index),
                    Kind::Stream | Kind::Drawn(_) => Shows::State,
                },
            };
            let shows = if screen.stream.covered && screen.streams(wanted) { screen.shows } else { wanted };
            if screen.streams(shows) {
                screen.stream.streamed = true;
            } else if core::mem::take(&mut screen.stream.streamed) {
                screen.stream.covered = true;
            }
            if shows != screen.shows {
                screen.shows = shows;
                self.redraw |= 1 << i;
                self.shown_changed = true;
            }
        }
    }

    /// Marks the screens that draw `figure` now for drawing.
    fn mark_showing(&mut self, figure: usize) {
        for (i, screen) in self.screens.iter().enumerate() {
            if screen.shows_figure(figure) {
                self.redraw |= 1 << i;
            }
        }
    }

    /// Marks the screens that show the state scene for drawing.
    fn mark_state_screens(&mut self) {
        for (i, screen) in self.screens.iter().enumerate() {
            if screen.shows == Shows::State {
                self.redraw |= 1 << i;
            }
        }
    }
}

/// Where `metric` is in `figures`.
fn index_of(figures: &[Figure], metric: &str) -> Option<usize> {
    figures.iter().position(|figure| figure.metric == metric)
}

/// A screen laid out as `config` says (already checked), its metrics found in `figures`.
fn configured(config: &ScreenConfig, figures: &[Figure]) -> Screen {
    // `check` has made sure every scene is known and every metric is in the table.
    let find = |metric: &String| index_of(figures, metric).unwrap_or_default();
    let kind = |name: &str| match name {
        STREAM_SCENE => Kind::Stream,
        name => Kind::Drawn(Scene::from_name(name).unwrap_or(Scene::Hub)),
    };
    let scenes = config.scenes.iter().map(|spec| SceneLayout { kind: kind(&spec.scene), figures: spec.metrics.iter().map(find).collect() }).collect();
    let limits = config
        .alerts
        .iter()
        .flatten()
        .map(|limit| Limit { figure: find(&limit.metric), above: limit.above as f32, clear_below: limit.clear_below as f32, on: false })
        .collect();
    Screen {
        default: false,
        scenes,
        carousel_ms: config.carousel_ms,
        limits,
        brightness: config.brightness.unwrap_or(DEFAULT_BRIGHTNESS),
        rotation: config.rotation.unwrap_or(0),
        index: 0,
        stepped_at_ms: 0,
        shows: Shows::State,
        stream: StreamState::default(),
    }
}

#[cfg(feature = "embassy-net")]
impl Screens {
    /// Takes the names the state scene shows from a provisioning event: the access point's name and address,
    /// and the network being joined (or joined, for a rejoin). Other events name nothing the screens show.
    pub fn hear_provisioning(&mut self, event: &crate::net::provisioning::ProvisioningEvent<'_>) {
        use crate::net::provisioning::ProvisioningEvent;
        match event {
            ProvisioningEvent::AccessPoint { ssid, address, .. } => self.portal_named(ssid, &alloc::string::ToString::to_string(address)),
            ProvisioningEvent::Joining(ssid) | ProvisioningEvent::Joined(ssid) => self.joining_named(ssid),
            _ => {}
        }
    }
}
