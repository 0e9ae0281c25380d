// PUT /api/devices/:id/config from the page, and what its answer means: the device confirmed the config (200), the
// host sent it but the device did not confirm in time (202), or the host or the device refused a field (400).
import type { SessionConfig } from '../../schema/index.ts'
import { callHost, reasonOf } from './host-link.ts'

export type Outcome =
  | { kind: 'confirmed' }
  | { kind: 'unconfirmed'; reason: string }
  | { kind: 'refused'; reason: string; field?: string; byDevice: boolean }
  | { kind: 'failed'; reason: string }

export const outcomeOf = (status: number, body: unknown): Outcome => {
  const answer = (body ?? {}) as { confirmed?: unknown; reason?: unknown; field?: unknown; from?: unknown }
  const reason = typeof answer.reason === 'string' ? answer.reason : ''
  if (status === 200) return answer.confirmed === false ? { kind: 'unconfirmed', reason } : { kind: 'confirmed' }
  if (status === 202) return { kind: 'unconfirmed', reason }
  if (status === 400) {
    return {
      kind: 'refused',
      reason: reason || 'refused',
      byDevice: answer.from === 'device',
      ...(typeof answer.field === 'string' ? { field: answer.field } : {}),
    }
  }
  return { kind: 'failed', reason: reasonOf({ status, body }) }
}

/** The outcome in a sentence for the page. */
export const outcomeWords = (outcome: Outcome): string => {
  switch (outcome.kind) {
    case 'confirmed':
      return 'Applied: the device confirmed it.'
    case 'unconfirmed':
      return `Sent, not confirmed by the device${outcome.reason === '' ? '.' : `: ${outcome.reason}`}`
    case 'refused':
      return `${outcome.byDevice ? 'The device' : 'The host'} refused it: ${outcome.reason}`
    case 'failed':
      return `Not sent: ${outcome.reason}`
  }
}

export const sendConfig = async (token: string, device: string, config: SessionConfig): Promise<Outcome> => {
  try {
    const answer = await callHost(token, 'PUT', `/api/devices/${encodeURIComponent(device)}/config`, config)
    return outcomeOf(answer.status, answer.body)
  } catch (error) {
    return { kind: 'failed', reason: (error as Error).message }
  }
}
