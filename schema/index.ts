// Sysboy protocol v1: the schemas and their TypeScript types, the single source for both ends.
import type { Static } from 'typebox'
import type * as S from './schemas.ts'

// Values here come from modules that load no schema builder; the TypeBox schemas themselves are in ./schemas.ts.
export { APPLIED_EVERY_FRAMES, APPLIED_WITHIN_MS, DEFAULT_PORT, DEVICE_PATH, MAX_U32, MDNS_SERVICE, PROTOCOL_VERSION } from './constants.ts'
export { BUILTIN_METRICS, HISTORY_VALUES, INTERVAL_MS, STALE_AFTER_MS, type BuiltinMetric } from './constants.ts'
export { decodeDeviceMessage, decodeHostMessage, isMetricName, isPairingToken, type DecodeResult } from './decode.ts'

export type HostMessage = Static<typeof S.HostMessage>
export type DeviceMessage = Static<typeof S.DeviceMessage>
export type HostMessageType = HostMessage['type']
export type DeviceMessageType = DeviceMessage['type']
export type SessionConfig = Static<typeof S.SessionConfig>
export type Binding = Static<typeof S.Binding>
export type Ballistics = Static<typeof S.Ballistics>
export type Calibration = Static<typeof S.Calibration>
export type CalibrationPoint = Static<typeof S.CalibrationPoint>
export type Welcome = Static<typeof S.Welcome>
export type Ack = Static<typeof S.Ack>
export type Hello = Static<typeof S.Hello>
export type Output = Static<typeof S.Output>
export type Button = Static<typeof S.Button>
export type ButtonEvent = Static<typeof S.ButtonEvent>
export type SelectMetric = Static<typeof S.SelectMetric>
export type Chip = Static<typeof S.Chip>
export type ScreenConfig = Static<typeof S.ScreenConfig>
export type SceneSpec = Static<typeof S.SceneSpec>
export type AlertLimit = Static<typeof S.AlertLimit>
export type HistoryBurst = Static<typeof S.HistoryBurst>
export type ScreenShown = Static<typeof S.ScreenShown>
export type Status = Static<typeof S.Status>
export type ErrorCode = Static<typeof S.ErrorCode>
export type ErrorMessage = Static<typeof S.ErrorMessage>
export type Heartbeat = Static<typeof S.Heartbeat>
export type Applied = Static<typeof S.Applied>
export type HoldOutput = Static<typeof S.HoldOutput>
export type ReleaseOutput = Static<typeof S.ReleaseOutput>
export type PairPending = Static<typeof S.PairPending>
export type Paired = Static<typeof S.Paired>
export type Light = Static<typeof S.Light>
export type HeldOutput = Static<typeof S.HeldOutput>
export type Configured = Static<typeof S.Configured>
export type UpdateOffer = Static<typeof S.UpdateOffer>
export type UpdateProgress = Static<typeof S.UpdateProgress>
export type UpdateState = Static<typeof S.UpdateState>
/** A metric frame, built-in or named. */
export type MetricFrame = Extract<HostMessage, { value: number | null }>
