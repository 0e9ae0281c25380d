// The page's link to the host: REST calls with the pairing token, and the pushed event stream (GET /api/events) read
// with fetch, because EventSource cannot send the Authorization header; it reconnects with capped backoff when the
// stream drops.
import { EventStreamParser } from './event-stream.ts'

/** How the stream stands, for the state line. */
export type LinkState =
  | { kind: 'connecting' }
  | { kind: 'live'; since: number }
  | { kind: 'reconnecting'; attempt: number; reason: string }
  | { kind: 'refused'; reason: string }

/** An answer of the REST API: its status and its JSON body (null when it had none). */
export interface Answer {
  status: number
  body: unknown
}

/** Why the host refused the token, in the words the page shows; undefined for other statuses. */
export const tokenRefusal = (status: number): string | undefined => {
  if (status === 401) return 'the pairing token is wrong'
  if (status === 429) return 'too many wrong tokens; wait a minute'
  return undefined
}

/** One REST call with the token; the body, when there is one, as JSON. */
export const callHost = async (token: string, method: string, path: string, body?: unknown): Promise<Answer> => {
  const headers: Record<string, string> = { Authorization: `Bearer ${token}` }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
  const text = await response.text()
  let parsed: unknown = null
  if (text !== '') {
    try {
      parsed = JSON.parse(text)
    } catch {
      parsed = { reason: text.slice(0, 200) }
    }
  }
  return { status: response.status, body: parsed }
}

/** The reason an error answer carries, or its status. */
export const reasonOf = (answer: Answer): string => {
  const refused = tokenRefusal(answer.status)
  if (refused !== undefined) return refused
  const body = answer.body as { reason?: unknown } | null
  return typeof body?.reason === 'string' ? body.reason : `HTTP ${answer.status}`
}

export interface WatchOptions {
  token: string
  /** Each event, its data parsed as JSON. */
  onEvent(name: string, data: unknown): void
  onState(state: LinkState): void
  /** Backoff bounds, ms (defaults 500 and 8 000). */
  minDelayMs?: number
  maxDelayMs?: number
}

/** Reads the event stream until stopped; gives the function that stops it. */
export const watchHost = (options: WatchOptions): (() => void) => {
  const stop = new AbortController()
  const minDelay = options.minDelayMs ?? 500
  const maxDelay = options.maxDelayMs ?? 8_000
  const run = async (): Promise<void> => {
    let attempt = 0
    options.onState({ kind: 'connecting' })
    while (!stop.signal.aborted) {
      let reason: string
      try {
        const response = await fetch('/api/events', {
          headers: { Authorization: `Bearer ${options.token}`, Accept: 'text/event-stream' },
          signal: stop.signal,
          cache: 'no-store',
        })
        const refused = tokenRefusal(response.status)
        if (response.status === 401 && refused !== undefined) {
          options.onState({ kind: 'refused', reason: refused })
          return
        }
        if (!response.ok || response.body === null) {
          reason = refused ?? `HTTP ${response.status}`
        } else {
          attempt = 0
          options.onState({ kind: 'live', since: Date.now() })
          const parser = new EventStreamParser()
          const decoder = new TextDecoder()
          const reader = response.body.getReader()
          for (;;) {
            const { value, done } = await reader.read()
            if (done) break
            for (const event of parser.push(decoder.decode(value, { stream: true }))) {
              let data: unknown
              try {
                data = JSON.parse(event.data)
              } catch {
                continue
              }
              options.onEvent(event.event, data)
            }
          }
          reason = 'the host closed the stream'
        }
      } catch (error) {
        if (stop.signal.aborted) return
        reason = (error as Error).message || 'the host cannot be reached'
      }
      attempt += 1
      options.onState({ kind: 'reconnecting', attempt, reason })
      // Capped exponential backoff with jitter, so many pages do not come back in step.
      const delay = Math.min(maxDelay, minDelay * 2 ** (attempt - 1)) * (0.75 + Math.random() * 0.5)
      // The listener goes with its wait, so a host away for days does not pile one up per attempt.
      await new Promise<void>((resolve) => {
        const wake = (): void => {
          clearTimeout(timer)
          stop.signal.removeEventListener('abort', wake)
          resolve()
        }
        const timer = setTimeout(wake, delay)
        stop.signal.addEventListener('abort', wake)
      })
    }
  }
  void run()
  return () => stop.abort()
}
