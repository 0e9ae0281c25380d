// The dashboard: the token, the state line, and what the host pushes: figures, devices, boards that want to pair.
import { useEffect, useReducer, useState } from 'preact/hooks'
import { callHost } from '../host-link.ts'
import { watchHost } from '../host-link.ts'
import type { LinkState } from '../host-link.ts'
import { hostReducer, initialState } from '../host-state.ts'
import type { HostState } from '../host-state.ts'
import { DeviceCard } from './device-card.tsx'
import { Figures } from './figures.tsx'
import { Pairing } from './pairing.tsx'

const TOKEN_KEY = 'sysboy-token'

/** The token from `#token=…` (then taken out of the address bar, so it is not left in history or screenshots), else
 * from this tab's session. */
export const initialToken = (): string => {
  const fromHash = new URLSearchParams(location.hash.slice(1)).get('token')
  if (fromHash !== null && fromHash !== '') {
    sessionStorage.setItem(TOKEN_KEY, fromHash)
    history.replaceState(null, '', `${location.pathname}${location.search}`)
    return fromHash
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? ''
}

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`

/** The state line: live with the device count and the time of the newest push, reconnecting, or why not. */
export const stateLine = (token: string, link: LinkState, state: HostState): string => {
  if (token === '') return 'Paste the pairing token, or open the link sysboy prints (it carries the token after #token=).'
  switch (link.kind) {
    case 'connecting':
      return 'Connecting to the host…'
    case 'live':
      return `Live · ${plural(state.devices.length, 'device')} connected · ${new Date(state.updatedAt ?? link.since).toLocaleTimeString()}`
    case 'reconnecting':
      return `Reconnecting to the host (attempt ${link.attempt}): ${link.reason}`
    case 'refused':
      return `Cannot read the host: ${link.reason}`
  }
}

const TokenForm = ({ token, onToken }: { token: string; onToken: (token: string) => void }) => {
  const [draft, setDraft] = useState(token)
  return (
    <form
      id="pair"
      class="token-form"
      onSubmit={(e) => {
        e.preventDefault()
        onToken(draft.trim())
      }}
    >
      <label for="token">Pairing token</label>
      <input
        id="token"
        type="password"
        autocomplete="off"
        placeholder="printed when sysboy starts"
        value={draft}
        onInput={(e) => setDraft((e.currentTarget as HTMLInputElement).value)}
      />
      <button type="submit">Connect</button>
    </form>
  )
}

export const App = () => {
  const [token, setToken] = useState(initialToken)
  const [state, dispatch] = useReducer(hostReducer, initialState)
  const [now, setNow] = useState(Date.now())

  useEffect(() => {
    if (token === '') return
    let seeded = false
    const stop = watchHost({
      token,
      onState: (link) => {
        dispatch({ type: 'link', state: link })
        // Each new stream seeds the sparklines with the host's history; live values are appended after it.
        if (link.kind === 'live' && !seeded) {
          seeded = true
          void callHost(token, 'GET', '/api/metrics/history')
            .then((answer) => {
              if (answer.status === 200 && typeof answer.body === 'object' && answer.body !== null) {
                dispatch({ type: 'history', data: answer.body as never, now: Date.now() })
              }
            })
            .catch(() => undefined)
        }
        if (link.kind !== 'live') seeded = false
      },
      onEvent: (name, data) => dispatch({ type: 'event', name, data, now: Date.now() }),
    })
    return stop
  }, [token])

  // A clock for what fades with time (an identified board stops being pointed out).
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1_000)
    return () => clearInterval(timer)
  }, [])

  const live = state.link.kind === 'live'
  return (
    <>
      <header class="top">
        <h1>sysboy</h1>
        <a class="install-link" href="/install">
          Install on a board
        </a>
        {state.hello === null ? null : (
          <p class="host">
            {state.hello.host} · sysboy {state.hello.version}
          </p>
        )}
        <p id="state" role="status" class={`state ${state.link.kind}`}>
          {stateLine(token, state.link, state)}
        </p>
        <TokenForm
          token={token}
          onToken={(next) => {
            sessionStorage.setItem(TOKEN_KEY, next)
            setToken(next)
          }}
        />
      </header>
      <main>
        <Figures metrics={live ? state.metrics : {}} history={state.history} />
        <section aria-labelledby="devices-heading">
          <h2 id="devices-heading">Devices</h2>
          {live && state.devices.length === 0 ? <p class="empty">No board connected.</p> : null}
          <div class="devices" id="devices">
            {(live ? state.devices : []).map((device) => (
              <DeviceCard key={device.id} device={device} hello={state.hello} metrics={state.metrics} token={token} now={now} />
            ))}
          </div>
        </section>
        {live ? <Pairing pairing={state.pairing} credentials={state.credentials} token={token} /> : null}
      </main>
    </>
  )
}
