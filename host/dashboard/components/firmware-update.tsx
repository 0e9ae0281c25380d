// A board's firmware update on its card: the "Update to X" button when the host carries a newer image for its chip
// (asked twice, since the board restarts), the board's progress as it reports it, and why it failed or went back.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { UpdateProgress } from '../../../schema/index.ts'
import { callHost, reasonOf } from '../host-link.ts'
import { updatePercent, updateRunning, updateWords } from '../update-progress.ts'

export interface FirmwareUpdateProps {
  device: string
  /** The board's running version. */
  firmware: string
  /** The newer version the host carries for the board, or null. */
  available: string | null
  /** The board's last report of an update, if any. */
  progress: UpdateProgress | undefined
  token: string
  /** A prefix for element ids, unique per card. */
  idPrefix: string
}

type Outcome = { kind: 'sent' | 'failed'; text: string }

const Progress = ({ progress, id }: { progress: UpdateProgress; id: string }) => {
  const ended = progress.state === 'failed' || progress.state === 'rolled_back'
  return (
    <div class={`update-progress update-${progress.state}`} data-state={progress.state}>
      <p id={id} class={ended ? 'update-words error' : 'update-words'} role="status">
        {updateWords(progress)}
      </p>
      {ended ? null : (
        <progress aria-labelledby={id} max={100} value={updatePercent(progress)}>
          {updatePercent(progress)} %
        </progress>
      )}
    </div>
  )
}

export const FirmwareUpdate = ({ device, firmware, available, progress, token, idPrefix }: FirmwareUpdateProps) => {
  const [asking, setAsking] = useState(false)
  const [posting, setPosting] = useState(false)
  const [outcome, setOutcome] = useState<Outcome | null>(null)
  const confirmButton = useRef<HTMLButtonElement>(null)
  const startButton = useRef<HTMLButtonElement>(null)
  const running = updateRunning(progress)

  useEffect(() => {
    if (asking) confirmButton.current?.focus()
  }, [asking])

  // Once the board reports progress, that is the news; the host's "sent" has done its job.
  useEffect(() => {
    if (progress !== undefined) setOutcome((o) => (o?.kind === 'sent' ? null : o))
  }, [progress?.state])

  if (available === null && progress === undefined) return null

  const start = async (): Promise<void> => {
    setAsking(false)
    setPosting(true)
    setOutcome(null)
    try {
      const answer = await callHost(token, 'POST', `/api/devices/${encodeURIComponent(device)}/update`)
      setOutcome(
        answer.status === 202
          ? { kind: 'sent', text: `Sent ${available ?? ''} to the board; it reports its progress here.` }
          : { kind: 'failed', text: `Not started: ${reasonOf(answer)}` },
      )
    } catch (error) {
      setOutcome({ kind: 'failed', text: `Not started: ${(error as Error).message}` })
    } finally {
      setPosting(false)
    }
  }

  const headingId = `${idPrefix}-update`
  return (
    <section class="update" aria-labelledby={headingId}>
      <h4 id={headingId}>Firmware update</h4>
      {progress === undefined ? null : <Progress progress={progress} id={`${idPrefix}-update-words`} />}
      {available === null ? null : asking ? (
        <div class="update-confirm" role="group" aria-label={`Confirm the update to ${available}`}>
          <p>
            Install {available} on {device} (now {firmware})? The board restarts into it, and goes back to {firmware} if the new
            firmware does not reach this host.
          </p>
          <div class="buttons">
            <button type="button" ref={confirmButton} onClick={() => void start()}>
              Install {available}
            </button>
            <button
              type="button"
              onClick={() => {
                setAsking(false)
                startButton.current?.focus()
              }}
            >
              Cancel
            </button>
          </div>
        </div>
      ) : (
        <div class="actions">
          <button type="button" ref={startButton} disabled={running || posting} onClick={() => setAsking(true)}>
            Update to {available}
          </button>
          {running ? <span class="hint">An update is running.</span> : null}
        </div>
      )}
      {outcome === null ? null : (
        <p class={`outcome ${outcome.kind === 'sent' ? 'confirmed' : 'failed'}`} role="status">
          {outcome.text}
        </p>
      )}
    </section>
  )
}
