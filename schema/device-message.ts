// Device → host messages of Sysboy protocol v1: one union discriminated by `type`.
import Type from 'typebox'
import {
  APPLIED_EVERY_FRAMES,
  APPLIED_WITHIN_MS,
  ErrorMessage,
  Heartbeat,
  Ident,
  MAX_SAFE,
  MAX_U32,
  Chip,
  MetricName,
  PairingToken,
  ProtocolVersion,
  Seq,
  StreamEncoding,
  Text,
} from './common.ts'
import { Calibration } from './host-message.ts'

export { Chip }

export const OutputKind = Type.Union(
  [Type.Literal('pwm'), Type.Literal('i2c_dac'), Type.Literal('dac'), Type.Literal('oled'), Type.Literal('tft')],
  {
    title: 'OutputKind',
    description:
      'How an output shows its figures: an analog level by LEDC PWM, an external I2C DAC or the on-chip DAC; or a screen, a monochrome OLED or a colour TFT.',
  },
)

export const Output = Type.Object(
  {
    id: Ident('Output id, used in bindings and calibration.'),
    kind: OutputKind,
    bits: Type.Integer({
      minimum: 1,
      maximum: 16,
      description: "Resolution of the output code; for a screen, its colour depth (1 for a monochrome OLED, 16 for RGB565).",
    }),
    width: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_024, description: 'A screen\'s width, pixels.' })),
    height: Type.Optional(Type.Integer({ minimum: 1, maximum: 1_024, description: 'A screen\'s height, pixels.' })),
  },
  { title: 'Output', description: 'One output: an analog level that drives a meter, or a screen.' },
)

export const Button = Type.Object(
  { id: Ident('Button id, used in button events.') },
  { title: 'Button', description: 'One push button on the device.' },
)

export { PairingToken }

export const Hello = Type.Object(
  {
    type: Type.Literal('hello'),
    protocol: ProtocolVersion,
    device: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: '^[A-Za-z0-9_.:-]+$',
      description: 'Stable device id (the MAC address, say).',
    }),
    firmware: Text(32, 'Firmware version.'),
    chip: Chip,
    outputs: Type.Array(Output, { minItems: 1, maxItems: 8, description: 'The outputs this device drives.' }),
    buttons: Type.Array(Button, { maxItems: 8, description: 'The buttons this device has.' }),
    token: Type.Optional({
      ...PairingToken,
      description:
        "The install-wide pairing token or the board's own credential (from `paired`), unless it came as `Authorization: Bearer` on the upgrade. A hello with neither asks to pair: the host answers `pair_pending`.",
    }),
    stream_buffer: Type.Optional(
      Type.Integer({
        minimum: 1_024,
        maximum: 65_536,
        description: 'The largest binary frame of stream pixels the device takes; the host never sends a larger one.',
      }),
    ),
    encodings: Type.Optional(
      Type.Array(StreamEncoding, { minItems: 1, maxItems: 4, description: 'The stream encodings the device decodes; absent: none (no stream).' }),
    ),
    flow_control: Type.Optional(
      Type.Boolean({
        description:
          'True when the device answers metric frames with `applied`; the host then keeps at most a small window of frames unacknowledged. Without it the host falls back to its socket backpressure check.',
      }),
    ),
  },
  { title: 'Hello', description: 'The first frame of a session: who the device is and what it has.' },
)

export const Press = Type.Union([Type.Literal('short'), Type.Literal('long')], {
  title: 'Press',
  description: 'A short press selects the next metric; a long press is handled on the device.',
})

export const ButtonEvent = Type.Object(
  {
    type: Type.Literal('button'),
    id: Seq('Command id, echoed in the ack.'),
    button: Ident('Button id, from the hello.'),
    press: Press,
  },
  { title: 'ButtonEvent', description: 'A button was pressed.' },
)

export const SelectMetric = Type.Object(
  {
    type: Type.Literal('select_metric'),
    id: Seq('Command id, echoed in the ack.'),
    output: Ident('Output id, from the hello.'),
    metric: MetricName,
  },
  { title: 'SelectMetric', description: 'Asks the host to drive an output with another metric.' },
)

export const Identify = Type.Object(
  { type: Type.Literal('identify'), id: Seq('Command id, echoed in the ack.') },
  { title: 'Identify', description: 'Asks the host to point out this device (its dashboard entry flashes).' },
)

export const Link = Type.Union([Type.Literal('wifi'), Type.Literal('ethernet'), Type.Literal('sim')], {
  title: 'Link',
  description: 'The kind of network link the device is on.',
})

export const ResetReason = Type.Union(
  [
    Type.Literal('power_on'),
    Type.Literal('software'),
    Type.Literal('panic'),
    Type.Literal('watchdog'),
    Type.Literal('brownout'),
    Type.Literal('deep_sleep'),
    Type.Literal('external'),
    Type.Literal('unknown'),
  ],
  {
    title: 'ResetReason',
    description:
      'Why the device last started: power applied, a software restart, a panic, a watchdog, a brown-out, a wake from deep sleep, a reset from outside (the USB serial or JTAG), or a cause it cannot tell.',
  },
)

export const Part = Type.Union([Type.Literal('mcp4725'), Type.Literal('display')], {
  title: 'Part',
  description: 'A part the firmware was built for: the MCP4725 I2C DAC that drives the meter, or a screen.',
})

export const ScreenShown = Type.Object(
  {
    output: Ident('Output id of the screen, from the hello.'),
    scene: Ident('The scene it shows: one of its configured scenes, `alert` or `state`.'),
    index: Type.Optional(Type.Integer({ minimum: 0, maximum: 7, description: 'Which of the configured scenes, when it shows one.' })),
    alert: Type.Optional(MetricName),
  },
  { title: 'ScreenShown', description: 'What one screen shows now.' },
)

export const Light = Type.Union(
  [
    Type.Literal('starting'),
    Type.Literal('portal_open'),
    Type.Literal('joining'),
    Type.Literal('no_host'),
    Type.Literal('token_refused'),
    Type.Literal('awaiting_approval'),
    Type.Literal('live'),
    Type.Literal('alert'),
    Type.Literal('updating'),
    Type.Literal('fault'),
  ],
  { title: 'Light', description: 'What the status LED shows now (the board state it stands for).' },
)

export const HeldOutput = Type.Object(
  {
    output: Ident('Output id, from the hello.'),
    code: Type.Integer({ minimum: 0, maximum: 65_535, description: 'The raw code it is held at.' }),
  },
  { title: 'HeldOutput', description: 'An analog output held at a raw code by the calibration wizard.' },
)

export const UpdateState = Type.Union(
  [
    Type.Literal('downloading'),
    Type.Literal('verifying'),
    Type.Literal('restarting'),
    Type.Literal('failed'),
    Type.Literal('rolled_back'),
  ],
  {
    title: 'UpdateState',
    description:
      'Where an update over the air stands: fetching and writing, checking the written image, about to restart into it, given up (the running image stays), or back on the previous image after the new one failed to start.',
  },
)

export const UpdateProgress = Type.Object(
  {
    state: UpdateState,
    version: Text(32, 'The version being installed (or, with rolled_back, the one that failed).'),
    written: Type.Integer({ minimum: 0, maximum: MAX_U32, description: 'Bytes written to the inactive slot.' }),
    total: Type.Integer({ minimum: 0, maximum: MAX_U32, description: 'Bytes of the image.' }),
    reason: Type.Optional(Text(200, 'Why it failed or was rolled back.')),
  },
  { title: 'UpdateProgress', description: 'How an update over the air is going; sent at least every 10 % and at each change of state.' },
)

export const Status = Type.Object(
  {
    type: Type.Literal('status'),
    link: Link,
    rssi: Type.Optional(Type.Integer({ minimum: -127, maximum: 0, description: 'Received signal strength, dBm.' })),
    heap_free: Type.Integer({ minimum: 0, maximum: MAX_U32, description: 'Free heap, bytes.' }),
    heap_min: Type.Optional(Type.Integer({ minimum: 0, maximum: MAX_U32, description: 'Lowest free heap seen, bytes.' })),
    uptime_ms: Type.Integer({ minimum: 0, maximum: MAX_SAFE, description: 'Time since boot.' }),
    host: Type.Optional(Text(64, 'The host address the device is connected to.')),
    ip: Type.Optional(Text(45, 'The device address.')),
    reset_reason: Type.Optional(ResetReason),
    missing: Type.Optional(
      Type.Array(Part, { minItems: 1, maxItems: 8, description: 'Parts the firmware expects that did not answer; the device runs without them.' }),
    ),
    screens: Type.Optional(
      Type.Array(ScreenShown, { maxItems: 4, description: 'What each screen shows; sent again whenever that changes.' }),
    ),
    light: Type.Optional(Light),
    calibration: Type.Optional(
      Type.Array(Calibration, { maxItems: 8, description: 'The calibration curves stored on the board; sent again whenever one changes. An output without one is linear.' }),
    ),
    update: Type.Optional(UpdateProgress),
    held: Type.Optional(
      Type.Array(HeldOutput, { maxItems: 8, description: 'Outputs held at a raw code now; sent again whenever a hold starts or ends.' }),
    ),
  },
  { title: 'Status', description: 'How the device is doing.' },
)

export const Applied = Type.Object(
  {
    type: Type.Literal('applied'),
    seq: Seq('The `seq` of the newest metric frame (or, with `stream`, stream frame) the device has applied; it covers every frame of that kind received before it.'),
    stream: Type.Optional(Ident('The stream (its screen\'s output id) whose frame was shown; absent for metric frames.')),
  },
  {
    title: 'Applied',
    description:
      `Opens the host's flow-control window (sent only by a device whose hello set \`flow_control\`): within ${APPLIED_WITHIN_MS} ms of applying a metric frame, and at least every ${APPLIED_EVERY_FRAMES} frames.`,
  },
)

export const Configured = Type.Object(
  {
    type: Type.Literal('configured'),
    id: Seq('The id of the `config` applied.'),
    ok: Type.Boolean({ description: 'False when the device refused part of it; its errors with this id, sent just before, say which part and why.' }),
  },
  { title: 'Configured', description: 'Confirms a `config` that carried an id: the device has applied it (and stored what it stores).' },
)

export const DeviceMessage = Type.Union([Hello, ButtonEvent, SelectMetric, Identify, Status, ErrorMessage, Heartbeat, Applied, Configured], {
  title: 'DeviceMessage',
  description: 'A message from a device to the host.',
})

