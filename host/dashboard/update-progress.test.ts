import { describe, expect, it } from 'bun:test'
import type { UpdateProgress } from '../../schema/index.ts'
import { updatePercent, updateRunning, updateWords } from './update-progress.ts'

const progress = (fields: Partial<UpdateProgress>): UpdateProgress => ({ state: 'downloading', version: '0.2.0', written: 0, total: 1000, ...fields })

describe('an update over the air in words', () => {
  it('says how far a download is in whole percent, never past 100', () => {
    expect(updatePercent(progress({ written: 455 }))).toBe(45)
    expect(updatePercent(progress({ written: 1000 }))).toBe(100)
    expect(updatePercent(progress({ written: 5, total: 0 }))).toBe(0)
    expect(updateWords(progress({ written: 455 }))).toBe('Downloading 0.2.0: 45 %')
  })

  it('says each state as the board is doing it', () => {
    expect(updateWords(progress({ state: 'verifying', written: 1000 }))).toBe('Checking the downloaded 0.2.0')
    expect(updateWords(progress({ state: 'restarting', written: 1000 }))).toBe('Restarting into 0.2.0')
  })

  it("gives the board's reason when it failed or went back", () => {
    expect(updateWords(progress({ state: 'failed', reason: 'sha256 mismatch' }))).toBe('The update to 0.2.0 failed: sha256 mismatch. The board still runs its firmware.')
    expect(updateWords(progress({ state: 'rolled_back', reason: 'never reached the host' }))).toBe(
      '0.2.0 did not start, so the board went back to its previous firmware: never reached the host',
    )
    expect(updateWords(progress({ state: 'failed' }))).toContain('the board gave no reason')
  })

  it('counts an update as running until it ends', () => {
    expect(updateRunning(undefined)).toBe(false)
    expect(updateRunning(progress({ state: 'downloading' }))).toBe(true)
    expect(updateRunning(progress({ state: 'restarting' }))).toBe(true)
    expect(updateRunning(progress({ state: 'failed' }))).toBe(false)
    expect(updateRunning(progress({ state: 'rolled_back' }))).toBe(false)
  })
})
