// A live mirror of one of a board's screens: the host draws it with the board's own scene code
// (GET /api/devices/:id/screens/:output.png), fetched with the token whenever the figures or what the screen shows
// change, at most a few times a second.
import { useEffect, useRef, useState } from 'preact/hooks'
import type { Output } from '../../../schema/index.ts'

/** The shortest time between two fetches of the same screen. */
const MIN_GAP_MS = 300

export interface ScreenMirrorProps {
  device: string
  output: Output
  token: string
  /** Changes whenever the picture may have: the figures' seqs and what the screen shows. */
  changeKey: string
}

export const ScreenMirror = ({ device, output, token, changeKey }: ScreenMirrorProps) => {
  const [url, setUrl] = useState<string | null>(null)
  const [problem, setProblem] = useState<string | null>(null)
  const inFlight = useRef(false)
  const pending = useRef(false)
  const lastAt = useRef(0)
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined)
  const alive = useRef(true)
  const current = useRef<string | null>(null)

  const fetchPicture = async (): Promise<void> => {
    if (inFlight.current) {
      pending.current = true
      return
    }
    inFlight.current = true
    lastAt.current = performance.now()
    try {
      const path = `/api/devices/${encodeURIComponent(device)}/screens/${encodeURIComponent(output.id)}.png`
      const response = await fetch(path, { headers: { Authorization: `Bearer ${token}` }, cache: 'no-store' })
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { reason?: string } | null
        if (alive.current) setProblem(body?.reason ?? `HTTP ${response.status}`)
      } else {
        const blob = await response.blob()
        if (alive.current) {
          const next = URL.createObjectURL(blob)
          if (current.current !== null) URL.revokeObjectURL(current.current)
          current.current = next
          setUrl(next)
          setProblem(null)
        }
      }
    } catch (error) {
      if (alive.current) setProblem((error as Error).message)
    } finally {
      inFlight.current = false
      if (pending.current && alive.current) {
        pending.current = false
        schedule()
      }
    }
  }

  const schedule = (): void => {
    if (timer.current !== undefined) return
    const wait = Math.max(0, MIN_GAP_MS - (performance.now() - lastAt.current))
    timer.current = setTimeout(() => {
      timer.current = undefined
      void fetchPicture()
    }, wait)
  }

  useEffect(() => {
    schedule()
  }, [changeKey, token])

  useEffect(
    () => () => {
      alive.current = false
      clearTimeout(timer.current)
      if (current.current !== null) URL.revokeObjectURL(current.current)
    },
    [],
  )

  const width = output.width ?? 128
  const height = output.height ?? 64
  // Small screens are shown at a whole multiple of their size, so each of their pixels stays square and sharp.
  const scale = Math.max(1, Math.floor(256 / width))
  return (
    <figure class="screen">
      {url === null ? (
        <div class="screen-blank" style={{ aspectRatio: `${width} / ${height}`, maxWidth: `${width * scale}px` }}>
          {problem ?? 'drawing…'}
        </div>
      ) : (
        <img
          src={url}
          width={width * scale}
          height={height * scale}
          alt={`the ${output.kind === 'oled' ? 'OLED' : 'TFT'} '${output.id}' as the board shows it`}
          data-output={output.id}
          class={output.kind}
        />
      )}
      <figcaption>
        <span class="output-name">{output.id}</span> {`${output.kind.toUpperCase()} ${width}×${height}`}
        {problem !== null && url !== null ? <span class="error"> · {problem}</span> : null}
      </figcaption>
    </figure>
  )
}
