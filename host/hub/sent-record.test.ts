import { describe, expect, it } from 'bun:test'
import { HISTORY_VALUES } from '../../schema/index.ts'
import { SentRecord } from './sent-record.ts'

describe('SentRecord', () => {
  it('keeps the newest frame sent of each metric and when it went', () => {
    const record = new SentRecord()
    record.frame('cpu', { type: 'cpu', value: 10 }, 100, false)
    record.frame('cpu', { type: 'cpu', value: 20 }, 200, false)
    expect(record.latest('cpu')).toEqual({ frame: { type: 'cpu', value: 20 }, at: 200 })
    expect(record.latest('ram')).toBeUndefined()
  })

  it('keeps the history a device holds of a metric on its screens: the burst, then one value per frame, gaps as NaN', () => {
    const record = new SentRecord()
    record.burst('cpu', [1, null, 3])
    record.frame('cpu', { type: 'cpu', value: null, reason: 'no /proc' }, 0, true)
    record.frame('cpu', { type: 'cpu', value: 5 }, 0, true)
    expect(record.history('cpu')).toEqual([1, Number.NaN, 3, Number.NaN, 5])
    record.burst('cpu', [7])
    expect(record.history('cpu')).toEqual([7])
  })

  it('keeps no history of a metric only a meter shows, and at most HISTORY_VALUES of any', () => {
    const record = new SentRecord()
    record.frame('vram', { type: 'vram', value: 1 }, 0, false)
    expect(record.history('vram')).toEqual([])
    for (let i = 0; i < 200; i++) record.frame('ram', { type: 'ram', value: i / 2 }, i, true)
    const history = record.history('ram')
    expect(history).toHaveLength(HISTORY_VALUES)
    expect(history.at(-1)).toBe(99.5)
  })
})
