// An update over the air in words for a device card: how far the board is (percent of the image written), its state
// said as the board's, and whether another update may be started now.
import type { UpdateProgress, UpdateState } from '../../schema/index.ts'

/** The states in which the board is busy with an update; the host refuses another offer until it reports the end. */
const BUSY: ReadonlySet<UpdateState> = new Set(['downloading', 'verifying', 'restarting'])

/** Whether the board is in the middle of an update. */
export const updateRunning = (progress: UpdateProgress | undefined): boolean => progress !== undefined && BUSY.has(progress.state)

/** The share of the image written, 0 to 100, whole percent; 0 while the size is not known. */
export const updatePercent = (progress: UpdateProgress): number =>
  progress.total <= 0 ? 0 : Math.min(100, Math.max(0, Math.floor((progress.written / progress.total) * 100)))

/** The state in words, with the percent while it downloads and the board's reason when it gave up. */
export const updateWords = (progress: UpdateProgress): string => {
  const version = progress.version
  const why = progress.reason === undefined || progress.reason === '' ? 'the board gave no reason' : progress.reason
  switch (progress.state) {
    case 'downloading':
      return `Downloading ${version}: ${updatePercent(progress)} %`
    case 'verifying':
      return `Checking the downloaded ${version}`
    case 'restarting':
      return `Restarting into ${version}`
    case 'failed':
      return `The update to ${version} failed: ${why}. The board still runs its firmware.`
    case 'rolled_back':
      return `${version} did not start, so the board went back to its previous firmware: ${why}`
    default:
      return `${(progress as UpdateProgress).state} ${version}`
  }
}
