// `sysboy pair`: the boards waiting to pair with a running host; `sysboy pair <device>` approves one, `--deny` refuses
// it; `sysboy revoke <device>` deletes a paired board's credential and closes its session.
import type { Settings } from '../config/resolve.ts'
import type { PairRequestInfo } from '../server/pair-requests.ts'
import type { Console } from './console.ts'
import { CliError, EXIT, type ExitCode } from './exit-codes.ts'
import { hostRequest, hostUrl } from './host-api.ts'
import { table } from './table.ts'

/** The host's reason for a 404 or 409, or a plain one. */
const reasonOf = async (response: Response, fallback: string): Promise<string> => {
  try {
    return ((await response.json()) as { reason?: string }).reason ?? fallback
  } catch {
    return fallback
  }
}

export const runPair = async (settings: Settings, device: string | undefined, deny: boolean, console: Console): Promise<ExitCode> => {
  if (device === undefined) {
    if (deny) throw new CliError('pair --deny needs the device to refuse: sysboy pair --deny <device>', EXIT.usage)
    const requests = (await (await hostRequest(settings, 'GET', '/api/pairing')).json()) as PairRequestInfo[]
    if (requests.length === 0) {
      console.out(`no boards are waiting to pair with ${hostUrl(settings.bind, settings.port)}`)
      return EXIT.ok
    }
    console.out(table(['device', 'chip', 'firmware', 'address', 'waiting since'], requests.map((r) => [r.device, r.chip, r.firmware, r.address, r.since])))
    console.out('approve one with: sysboy pair <device>   refuse it with: sysboy pair --deny <device>')
    return EXIT.ok
  }
  const action = deny ? 'deny' : 'approve'
  const response = await hostRequest(settings, 'POST', `/api/pairing/${encodeURIComponent(device)}/${action}`, [404, 409])
  if (response.status === 404) throw new CliError(await reasonOf(response, `no board '${device}' is waiting to pair`), EXIT.usage)
  // Already paired (revoke first) or no room for another credential: the host says which.
  if (response.status === 409) throw new CliError(await reasonOf(response, `the host refused to pair '${device}'`), EXIT.usage)
  console.out(deny ? `${device}: refused; it is not paired` : `${device}: paired; it has its own credential now (sysboy revoke ${device} takes it back)`)
  return EXIT.ok
}

export const runRevoke = async (settings: Settings, device: string | undefined, console: Console): Promise<ExitCode> => {
  if (device === undefined) throw new CliError('revoke needs the device whose credential to delete: sysboy revoke <device>', EXIT.usage)
  const response = await hostRequest(settings, 'DELETE', `/api/credentials/${encodeURIComponent(device)}`, [404])
  if (response.status === 404) throw new CliError(await reasonOf(response, `board '${device}' has no credential`), EXIT.usage)
  console.out(`${device}: credential revoked; the board is disconnected and must pair again`)
  return EXIT.ok
}
