// A parser for text/event-stream (the host's GET /api/events), fed the body's text as it arrives in any chunks; the
// page reads the stream with fetch (EventSource cannot send the Authorization header).

/** One server-sent event: its name (`message` when the host named none) and its data lines joined. */
export interface ServerEvent {
  event: string
  data: string
}

/**
 * Splits text/event-stream into events, as the HTML standard's parsing rules say: lines end in CRLF, LF or CR;
 * a blank line dispatches; `:` starts a comment (the host's keep-alives); `data` lines join with "\n".
 */
export class EventStreamParser {
  #pending = ''
  #event = ''
  #data: string[] = []
  #sawCr = false

  /** Feeds a chunk of the body; gives the events it completed. */
  push(chunk: string): ServerEvent[] {
    const out: ServerEvent[] = []
    let text = chunk
    // A CRLF split across two chunks: the LF belongs to the line the CR already ended.
    if (this.#sawCr && text.startsWith('\n')) text = text.slice(1)
    this.#sawCr = false
    this.#pending += text
    for (;;) {
      const end = this.#pending.search(/[\r\n]/)
      if (end < 0) break
      const line = this.#pending.slice(0, end)
      let next = end + 1
      if (this.#pending[end] === '\r') {
        if (end + 1 === this.#pending.length) this.#sawCr = true
        else if (this.#pending[end + 1] === '\n') next = end + 2
      }
      this.#pending = this.#pending.slice(next)
      const event = this.#line(line)
      if (event !== undefined) out.push(event)
    }
    return out
  }

  #line(line: string): ServerEvent | undefined {
    if (line === '') {
      const event = this.#data.length === 0 ? undefined : { event: this.#event || 'message', data: this.#data.join('\n') }
      this.#event = ''
      this.#data = []
      return event
    }
    if (line.startsWith(':')) return undefined
    const colon = line.indexOf(':')
    const field = colon < 0 ? line : line.slice(0, colon)
    let value = colon < 0 ? '' : line.slice(colon + 1)
    if (value.startsWith(' ')) value = value.slice(1)
    if (field === 'event') this.#event = value
    else if (field === 'data') this.#data.push(value)
    return undefined
  }
}
