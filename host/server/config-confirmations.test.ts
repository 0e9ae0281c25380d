import { describe, expect, it } from 'bun:test'
import { ConfigConfirmations, fieldOfRefusal } from './config-confirmations.ts'

describe('ConfigConfirmations', () => {
  it('gives each config its own id and settles it on configured, with the errors of that id only', async () => {
    const confirmations = new ConfigConfirmations<string>()
    const a = confirmations.start('dev-a', 1_000)
    const b = confirmations.start('dev-b', 1_000)
    expect(a.id).not.toBe(b.id)
    expect(confirmations.error('dev-a', b.id, { code: 'bad_config', reason: 'not mine' })).toBe(false)
    expect(confirmations.error('dev-b', b.id, { code: 'bad_config', reason: 'refused' })).toBe(true)
    confirmations.configured('dev-a', a.id, true)
    confirmations.configured('dev-b', b.id, true)
    expect(await a.outcome).toEqual({ kind: 'confirmed' })
    expect(await b.outcome).toEqual({ kind: 'refused', errors: [{ code: 'bad_config', reason: 'refused' }] })
    expect(confirmations.size).toBe(0)
  })

  it('settles as unanswered after the timeout, and as closed when the session ends', async () => {
    const confirmations = new ConfigConfirmations<string>()
    const late = confirmations.start('dev', 20)
    expect(await late.outcome).toEqual({ kind: 'unanswered' })
    const gone = confirmations.start('dev', 10_000)
    confirmations.closed('dev')
    expect(await gone.outcome).toEqual({ kind: 'closed' })
    expect(confirmations.size).toBe(0)
  })

  it('reads the field a device refusal names', () => {
    expect(fieldOfRefusal('screens[1].output: screen "oled" is configured twice')).toBe('screens.1.output')
    expect(fieldOfRefusal('calibration[0].points[2].code: above 1023')).toBe('calibration.0.points.2.code')
    expect(fieldOfRefusal('no field here')).toBeUndefined()
  })
})
