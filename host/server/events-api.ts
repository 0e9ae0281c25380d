// GET /api/events: the dashboard's Server-Sent Events (hello, metrics, devices, pairing, credentials), read by the
// page with fetch streaming and the same Bearer token as the rest of /api.
import type { Context } from 'hono'
import { Hono } from './hono.ts'
import type { LiveEvents, Subscriber } from './live-events.ts'

/** Bytes a page may leave unread before its stream is dropped: a page that stopped reading costs the host no more. */
const MAX_UNREAD_BYTES = 1024 * 1024

const encoder = new TextEncoder()

/** Bun's server as Hono's Bun adapter passes it: it can lift the idle timeout of one request. */
interface IdleTimeouts {
  timeout?: (request: Request, seconds: number) => void
}

export const eventsApi = (events: LiveEvents, hello: () => unknown): Hono => {
  const api = new Hono()
  api.get('/events', (c: Context) => {
    // A quiet stream is no idle connection: keep-alive comments come every 15 s, past Bun's default 10 s.
    ;(c.env as IdleTimeouts | undefined)?.timeout?.(c.req.raw, 0)
    let unsubscribe: (() => void) | undefined
    const stop = (): void => {
      unsubscribe?.()
      unsubscribe = undefined
    }
    const body = new ReadableStream<Uint8Array>(
      {
        start: (controller) => {
          const write = (text: string): void => {
            if ((controller.desiredSize ?? 0) < -MAX_UNREAD_BYTES) {
              controller.error(new Error('the page stopped reading'))
              throw new Error('the page stopped reading')
            }
            controller.enqueue(encoder.encode(text))
          }
          const subscriber: Subscriber = {
            event: (kind, data) => write(`event: ${kind}\ndata: ${data}\n\n`),
            comment: (text) => write(`: ${text}\n\n`),
          }
          unsubscribe = events.subscribe(subscriber, hello())
          c.req.raw.signal.addEventListener('abort', stop, { once: true })
        },
        cancel: stop,
      },
      new ByteLengthQueuingStrategy({ highWaterMark: 64 * 1024 }),
    )
    return new Response(body, {
      headers: { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-store', 'X-Accel-Buffering': 'no' },
    })
  })
  return api
}
