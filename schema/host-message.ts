// Host → device messages of Sysboy protocol v1: one union discriminated by `type`.
import Type from 'typebox'
import {
  Chip,
  ErrorMessage,
  Heartbeat,
  Ident,
  MAX_SAFE,
  MetricName,
  PairingToken,
  ProtocolVersion,
  Seq,
  StreamEncoding,
  Text,
  Timestamp,
} from './common.ts'

export { BUILTIN_METRICS, type BuiltinMetric, INTERVAL_MS, STALE_AFTER_MS } from './constants.ts'
import {
  ALERTS_PER_SCREEN,
  type BuiltinMetric,
  CAROUSEL_MS,
  HISTORY_VALUES,
  INTERVAL_MS,
  OVERSHOOT_PCT,
  PERCENT,
  SCENES_PER_SCREEN,
  SETTLE_MS,
  STALE_AFTER_MS,
  UTC_OFFSET_MIN,
} from './constants.ts'

const sampleFields = {
  value: Type.Union([Type.Number({ ...PERCENT }), Type.Null()], {
    description: 'Needle position in percent of full scale; null when the host cannot read the figure.',
  }),
  reason: Type.Optional(Text(200, 'Why the value is null (what was tried).')),
  used: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAFE, description: 'Raw amount in use (bytes for memory).' })),
  total: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAFE, description: 'Raw capacity (bytes for memory).' })),
  raw: Type.Optional(Type.Number({ description: 'The figure in its own unit, before scaling to percent.' })),
  unit: Type.Optional(Text(16, 'Unit of `raw`, such as "B", "°C" or "B/s".')),
  source: Type.Optional(Text(32, 'Which source read the figure (nvml, nvidia-smi, amdgpu, ...).')),
  gpu: Type.Optional(Text(64, 'Which GPU the figure is for: an index, or "all".')),
  seq: Type.Optional(Seq('Counts samples from the sampler.')),
  ts: Type.Optional(Timestamp),
}

const builtinMetricFrame = <Name extends BuiltinMetric>(name: Name) =>
  Type.Object(
    { type: Type.Literal(name), ...sampleFields },
    { title: 'MetricSample', description: 'One sample of a built-in metric.' },
  )

export const NamedMetricFrame = Type.Object(
  { type: Type.Literal('metric'), name: MetricName, ...sampleFields },
  {
    title: 'NamedMetric',
    description: 'One sample of a metric named at run time. A device ignores names it has no binding for.',
  },
)

export const Binding = Type.Object(
  { output: Ident('Output id, from the device hello.'), metric: MetricName },
  { title: 'Binding', description: 'Which metric drives which output.' },
)

export const Ballistics = Type.Object(
  {
    settle_ms: Type.Integer({ ...SETTLE_MS, description: 'Time for the needle to reach 99 % of a step.' }),
    overshoot_pct: Type.Number({ ...OVERSHOOT_PCT, description: 'Largest overshoot, in percent of the step.' }),
  },
  { title: 'Ballistics', description: 'How the needle moves towards each new value.' },
)

export const CalibrationPoint = Type.Object(
  {
    percent: Type.Number({ ...PERCENT, description: 'Needle position in percent.' }),
    code: Type.Integer({ minimum: 0, maximum: 65_535, description: 'Output code that puts the needle there.' }),
  },
  { title: 'CalibrationPoint', description: 'One point of a calibration curve.' },
)

export const Calibration = Type.Object(
  {
    output: Ident('Output id, from the device hello.'),
    points: Type.Array(CalibrationPoint, {
      minItems: 2,
      maxItems: 16,
      description: 'Points in increasing percent; the device interpolates between them.',
    }),
  },
  { title: 'Calibration', description: 'Maps percent to output code for one output.' },
)


export const SceneSpec = Type.Object(
  {
    scene: Ident('The scene: `hub`, `metric` or `network` (the alert and state scenes take the screen over by themselves). A device refuses a scene it does not have, naming the field.'),
    metrics: Type.Array(MetricName, {
      maxItems: 8,
      description: 'The metrics it shows, in order: hub up to four, metric one, network rx then tx.',
    }),
  },
  { title: 'SceneSpec', description: 'One scene of a screen and the metrics it shows.' },
)

export const AlertLimit = Type.Object(
  {
    metric: MetricName,
    above: Type.Number({ ...PERCENT, description: 'The alert starts when the value (percent) goes above this.' }),
    clear_below: Type.Number({
      ...PERCENT,
      description: 'The alert ends when the value falls below this (hysteresis); at most `above`.',
    }),
  },
  { title: 'AlertLimit', description: 'A limit that lets an alert take the screen over and blink the status LED.' },
)

export const ScreenConfig = Type.Object(
  {
    output: Ident('Output id of a screen (kind `oled` or `tft`), from the device hello.'),
    scenes: Type.Array(SceneSpec, { minItems: SCENES_PER_SCREEN.minimum, maxItems: SCENES_PER_SCREEN.maximum, description: 'The scenes in carousel order.' }),
    carousel_ms: Type.Optional(
      Type.Integer({ ...CAROUSEL_MS, description: 'Time on each scene; absent: the button steps.' }),
    ),
    alerts: Type.Optional(Type.Array(AlertLimit, { maxItems: ALERTS_PER_SCREEN, description: 'Alert limits; absent: none.' })),
    brightness: Type.Optional(Type.Integer({ ...PERCENT, description: 'Brightness (contrast), percent.' })),
    rotation: Type.Optional(
      Type.Integer({ minimum: 0, maximum: 3, description: 'Rotation of the picture in quarter turns clockwise (1 is 90°).' }),
    ),
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_024, description: 'The screen width the layout was made for; a device with another refuses it.' })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_024, description: 'The screen height the layout was made for.' })),
  },
  { title: 'ScreenConfig', description: 'What one screen shows.' },
)

export const StreamRegion = Type.Object(
  {
    x: Type.Integer({ minimum: 0, maximum: 16_383, description: 'Left edge on the PC screen, pixels.' }),
    y: Type.Integer({ minimum: 0, maximum: 16_383, description: 'Top edge on the PC screen, pixels.' }),
  },
  { title: 'StreamRegion', description: "Where the streamed region sits on the PC's screen; its size is the TFT's." },
)

export const WhiteBalance = Type.Object(
  {
    red: Type.Number({ minimum: 0.25, maximum: 2, description: 'Gain on red.' }),
    green: Type.Number({ minimum: 0.25, maximum: 2, description: 'Gain on green.' }),
    blue: Type.Number({ minimum: 0.25, maximum: 2, description: 'Gain on blue.' }),
  },
  { title: 'WhiteBalance', description: 'Per-channel gains the host applies before sending, for a panel whose white is off.' },
)

export const StreamConfig = Type.Object(
  {
    output: Ident('Output id of a colour screen (kind `tft`) whose scenes include `stream`.'),
    source: Type.Union([Type.Literal('region'), Type.Literal('scene')], {
      title: 'StreamSource',
      description: "What is streamed: a region of the PC's screen, or a scene drawn by the host at the screen's size.",
    }),
    region: Type.Optional(StreamRegion),
    display: Type.Optional(Text(64, 'The X display to capture (default: $DISPLAY).')),
    scene: Type.Optional(Ident('With source `scene`: the scene the host draws (hub, metric, network).')),
    metrics: Type.Optional(Type.Array(MetricName, { maxItems: 8, description: 'With source `scene`: the metrics it shows.' })),
    fps: Type.Optional(Type.Integer({ minimum: 1, maximum: 60, description: 'Frames per second to aim for (default 30).' })),
    max_threshold: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 64,
        description:
          'Lossless when 0 (the default); above 0 the host may ignore per-channel changes up to this, raising it while frames fall behind the target FPS and lowering it when they keep up.',
      }),
    ),
    gamma: Type.Optional(Type.Number({ minimum: 0.5, maximum: 3, description: 'Gamma correction the host applies (1 = none).' })),
    white_balance: Type.Optional(WhiteBalance),
  },
  { title: 'StreamConfig', description: 'What the host streams to one colour screen, and how.' },
)

const sessionConfigFields = {
  id: Type.Optional(
    Seq(
      "Set by the host on a `config` it wants confirmed: the device answers `configured` with this id once it has applied it (after an error with this id for each part it refused). Absent in the welcome.",
    ),
  ),
  bindings: Type.Array(Binding, { minItems: 1, maxItems: 8, description: 'Which metric drives each output.' }),
  interval_ms: Type.Integer({ ...INTERVAL_MS, description: 'How often the host sends metric frames.' }),
  stale_after_ms: Type.Integer({
    ...STALE_AFTER_MS,
    description: 'With no frame for this long the device parks the needle at "no data".',
  }),
  ballistics: Type.Optional(Ballistics),
  calibration: Type.Optional(
    Type.Array(Calibration, { maxItems: 8, description: 'Calibration curves to store; absent keeps the stored ones.' }),
  ),
  screens: Type.Optional(
    Type.Array(ScreenConfig, { maxItems: 4, description: "What each screen shows; absent: each screen's default." }),
  ),
  streams: Type.Optional(
    Type.Array(StreamConfig, { maxItems: 4, description: 'What the host streams to each screen showing the `stream` scene.' }),
  ),
}

export const SessionConfig = Type.Object(sessionConfigFields, {
  title: 'SessionConfig',
  description: 'Session settings for one device.',
})

export const ConfigMessage = Type.Object(
  { type: Type.Literal('config'), ...sessionConfigFields },
  { title: 'SessionConfig', description: 'New session settings for the device.' },
)

export const CalibrationUndo = Type.Object(
  { type: Type.Literal('calibration_undo'), output: Ident('Output id, from the device hello.') },
  {
    title: 'CalibrationUndo',
    description:
      'Puts back the curve the output had before its last calibration, and stores it. With nothing to undo the device answers an error (bad_config).',
  },
)

export const HoldOutput = Type.Object(
  {
    type: Type.Literal('hold'),
    output: Ident('Output id of an analog output, from the device hello.'),
    code: Type.Integer({ minimum: 0, maximum: 65_535, description: "The raw output code to drive, bypassing the calibration curve; at most the output's largest code." }),
    for_ms: Type.Integer({
      minimum: 500,
      maximum: 30_000,
      description: 'How long the hold lasts unless another hold renews it; then the output goes back to live figures by itself.',
    }),
  },
  {
    title: 'HoldOutput',
    description:
      'Holds an analog output at a raw code while the calibration wizard runs. `release`, the end of the hold, or the end of the session returns it to live figures. A device answers an output it does not have, or a code beyond its bits, with an error (unknown_output, bad_config).',
  },
)

export const ReleaseOutput = Type.Object(
  { type: Type.Literal('release'), output: Ident('Output id, from the device hello.') },
  { title: 'ReleaseOutput', description: 'Ends a hold: the output shows live figures again. Releasing an output that is not held does nothing.' },
)

export const PairPending = Type.Object(
  {
    type: Type.Literal('pair_pending'),
    reason: Text(200, 'What the user does to let the board in, for the board to show.'),
  },
  {
    title: 'PairPending',
    description:
      'The answer to a hello without a credential: the host lists the board as wanting to pair and keeps the socket open until the user approves it (`paired`), denies it or the request expires (an error, then close).',
  },
)

export const Paired = Type.Object(
  {
    type: Type.Literal('paired'),
    token: { ...PairingToken, description: "The board's own credential: its hello presents it as `token` from then on." },
  },
  {
    title: 'Paired',
    description:
      "The board's own credential, issued when the user approved it. The board stores it in flash and presents it as hello.token from then on; the welcome follows on the same socket. Revoking it makes the host refuse it at once.",
  },
)

export const FIRMWARE_MAX_BYTES = 4 * 1024 * 1024

export const UpdateOffer = Type.Object(
  {
    type: Type.Literal('update'),
    version: Text(32, 'The version of the image (its app descriptor\'s).'),
    chip: Chip,
    size: Type.Integer({ minimum: 1, maximum: FIRMWARE_MAX_BYTES, description: 'Bytes of the image.' }),
    sha256: Type.String({ minLength: 64, maxLength: 64, pattern: '^[0-9a-f]+$', description: 'SHA-256 of the whole image, lowercase hex.' }),
    path: Type.String({
      minLength: 2,
      maxLength: 128,
      pattern: '^[A-Za-z0-9/_.-]+$',
      description: 'Where the image is: a path (starting with /) on the host and port the board is connected to; fetched over HTTP with the board\'s credential (Authorization: Bearer), in ranges.',
    }),
  },
  {
    title: 'UpdateOffer',
    description:
      "Starts an update over the air: the board fetches the app image, writes its inactive OTA slot, checks the size and the SHA-256, activates the slot and restarts. It marks the new image valid only once it has reached the host again; after a failed start the previous image boots. A board refuses an image for another chip, or one too large for its slot (error bad_config), and reports its progress in its status (`update`).",
  },
)

export const Welcome = Type.Object(
  {
    type: Type.Literal('welcome'),
    protocol: ProtocolVersion,
    host: Text(64, 'Host name of the PC.'),
    version: Text(32, 'Version of the sysboy host.'),
    config: SessionConfig,
    time: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_SAFE, description: "The host's clock when it sent the welcome, ms since the Unix epoch (a scene may show the time)." })),
    utc_offset_min: Type.Optional(
      Type.Integer({ ...UTC_OFFSET_MIN, description: "The host's offset from UTC, minutes, for a clock in local time." }),
    ),
  },
  { title: 'Welcome', description: 'The answer to hello: the session is open.' },
)

export const Ack = Type.Object(
  {
    type: Type.Literal('ack'),
    id: Seq('The id of the command acknowledged.'),
    ok: Type.Boolean({ description: 'Whether the command was carried out.' }),
    reason: Type.Optional(Text(200, 'Why not, when it was not.')),
    metric: Type.Optional(MetricName),
  },
  { title: 'Ack', description: 'Answers one device command; `metric` is the metric now shown, when that changed.' },
)

export const HistoryBurst = Type.Object(
  {
    type: Type.Literal('history'),
    name: MetricName,
    interval_ms: Type.Integer({ ...INTERVAL_MS, description: 'Time between two values.' }),
    values: Type.Array(Type.Union([Type.Number({ ...PERCENT }), Type.Null()]), {
      maxItems: HISTORY_VALUES,
      description: 'Recent values in percent, oldest first, the newest last; null where the host had no value.',
    }),
    ts: Type.Optional(Timestamp),
  },
  {
    title: 'HistoryBurst',
    description:
      "A metric's recent values, sent after the welcome (and when a screen starts showing the metric) so graphs start full. Only values within the metric's staleness bound are sent.",
  },
)

export const StreamRect = Type.Object(
  {
    type: Type.Literal('stream'),
    stream: Ident('Output id of the screen the pixels are for.'),
    seq: Seq('The stream frame this rectangle belongs to; one frame may take several rectangles.'),
    x: Type.Integer({ minimum: 0, maximum: 1_023, description: 'Left edge on the screen, pixels.' }),
    y: Type.Integer({ minimum: 0, maximum: 1_023, description: 'Top edge on the screen, pixels.' }),
    width: Type.Integer({ minimum: 1, maximum: 1_024, description: 'Width, pixels.' }),
    height: Type.Integer({ minimum: 1, maximum: 1_024, description: 'Height, pixels.' }),
    encoding: StreamEncoding,
    length: Type.Integer({ minimum: 1, maximum: 65_536, description: 'Bytes of the binary frame that follows; at most the `stream_buffer` of the hello.' }),
    last: Type.Boolean({ description: 'Whether this rectangle completes frame `seq`; the device answers `applied` with the stream and seq once it is shown.' }),
  },
  {
    title: 'StreamRect',
    description:
      "The header of one rectangle of streamed pixels; the next WebSocket frame is binary and holds exactly `length` bytes of them. The rectangle lies inside the screen, and its pixels (two bytes each) fit the device's `stream_buffer` whatever the encoding.",
  },
)

export const HostMessage = Type.Union(
  [
    Welcome,
    // Written out rather than mapped from BUILTIN_METRICS so that TypeScript keeps each variant's literal type.
    builtinMetricFrame('vram'),
    builtinMetricFrame('gpu_util'),
    builtinMetricFrame('gpu_temp'),
    builtinMetricFrame('cpu'),
    builtinMetricFrame('ram'),
    builtinMetricFrame('net_rx'),
    builtinMetricFrame('net_tx'),
    builtinMetricFrame('disk'),
    NamedMetricFrame,
    ConfigMessage,
    CalibrationUndo,
    HistoryBurst,
    StreamRect,
    Ack,
    ErrorMessage,
    Heartbeat,
    HoldOutput,
    ReleaseOutput,
    PairPending,
    Paired,
    UpdateOffer,
  ],
  { title: 'HostMessage', description: 'A message from the host to a device.' },
)
