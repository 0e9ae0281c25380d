// Pairing by approval: boards that asked to pair wait here for Approve or Deny; boards holding their own credential
// can have it revoked (asked twice, since the board is then refused until it pairs again).
import { useState } from 'preact/hooks'
import { callHost, reasonOf } from '../host-link.ts'
import type { CredentialInfo } from '../../server/credentials.ts'
import type { PairRequestInfo } from '../../server/pair-requests.ts'

const when = (iso: string): string => new Date(iso).toLocaleTimeString()

export const Pairing = ({ pairing, credentials, token }: { pairing: PairRequestInfo[]; credentials: CredentialInfo[]; token: string }) => {
  const [message, setMessage] = useState('')
  const [confirming, setConfirming] = useState<string | null>(null)

  const act = async (what: string, method: string, path: string): Promise<void> => {
    try {
      const answer = await callHost(token, method, path)
      setMessage(answer.status >= 200 && answer.status < 300 ? `${what}.` : `${what} failed: ${reasonOf(answer)}`)
    } catch (error) {
      setMessage(`${what} failed: ${(error as Error).message}`)
    }
  }

  return (
    <section aria-labelledby="pairing-heading" class="pairing">
      <h2 id="pairing-heading">Boards that want to pair</h2>
      {pairing.length === 0 ? <p class="empty">None waiting.</p> : null}
      <ul class="requests" id="pairing-requests">
        {pairing.map((r) => (
          <li class="request" data-device={r.device}>
            <span class="request-id">{r.device}</span>
            <span>{r.chip}</span>
            <span>{r.firmware}</span>
            <span>{r.address}</span>
            <span>{`since ${when(r.since)}`}</span>
            <span class="buttons">
              <button type="button" aria-label={`Approve ${r.device}`} onClick={() => void act(`Approved ${r.device}`, 'POST', `/api/pairing/${encodeURIComponent(r.device)}/approve`)}>
                Approve
              </button>
              <button type="button" aria-label={`Deny ${r.device}`} onClick={() => void act(`Denied ${r.device}`, 'POST', `/api/pairing/${encodeURIComponent(r.device)}/deny`)}>
                Deny
              </button>
            </span>
          </li>
        ))}
      </ul>
      <h2 id="credentials-heading">Paired boards</h2>
      {credentials.length === 0 ? <p class="empty">No board holds its own credential.</p> : null}
      <ul class="credentials" id="credentials" aria-labelledby="credentials-heading">
        {credentials.map((c) => (
          <li class="credential" data-device={c.device}>
            <span class="request-id">{c.device}</span>
            <span>{`paired ${new Date(c.issued).toLocaleString()}`}</span>
            {confirming === c.device ? (
              <span class="buttons" role="group" aria-label={`revoke ${c.device}?`}>
                <span>Revoke {c.device}? It is refused until it pairs again.</span>
                <button
                  type="button"
                  class="danger"
                  onClick={() => {
                    setConfirming(null)
                    void act(`Revoked ${c.device}`, 'DELETE', `/api/credentials/${encodeURIComponent(c.device)}`)
                  }}
                >
                  Yes, revoke
                </button>
                <button type="button" onClick={() => setConfirming(null)}>
                  Cancel
                </button>
              </span>
            ) : (
              <span class="buttons">
                <button type="button" aria-label={`Revoke ${c.device}`} onClick={() => setConfirming(c.device)}>
                  Revoke
                </button>
              </span>
            )}
          </li>
        ))}
      </ul>
      <p role="status" class="outcome">
        {message}
      </p>
    </section>
  )
}
