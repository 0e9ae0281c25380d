import { describe, expect, it } from 'bun:test'
import { FlowWindow } from './flow-window.ts'

/** Offers `count` frames of `key` numbered from `first`; returns what was sent now. */
const offerMany = (window: FlowWindow<string>, key: string, first: number, count: number): string[] => {
  const sent: string[] = []
  for (let seq = first; seq < first + count; seq++) {
    const { send } = window.offer(key, seq, `${key}#${seq}`)
    if (send !== undefined) sent.push(send)
  }
  return sent
}

describe('FlowWindow', () => {
  it('sends until the window is full, then holds only the newest of each key', () => {
    const window = new FlowWindow<string>(4)
    expect(offerMany(window, 'vram', 1, 300)).toEqual(['vram#1', 'vram#2', 'vram#3', 'vram#4'])
    expect(window.inFlight).toBe(4)
    expect(window.waiting).toBe(1)
    expect(window.applied(4)).toEqual(['vram#300'])
  })

  it('counts a replaced waiting item as superseded', () => {
    const window = new FlowWindow<string>(1)
    expect(window.offer('cpu', 1, 'a')).toEqual({ send: 'a', superseded: false })
    expect(window.offer('cpu', 2, 'b')).toEqual({ send: undefined, superseded: false })
    expect(window.offer('cpu', 3, 'c')).toEqual({ send: undefined, superseded: true })
    expect(window.offer('ram', 4, 'd')).toEqual({ send: undefined, superseded: false })
  })

  it('takes one acknowledgement for every frame sent before it, so a device may batch them', () => {
    const window = new FlowWindow<string>(4)
    offerMany(window, 'vram', 1, 4)
    window.offer('vram', 5, 'vram#5')
    window.offer('cpu', 6, 'cpu#6')
    expect(window.applied(3)).toEqual(['vram#5', 'cpu#6'])
    expect(window.inFlight).toBe(3)
    expect(window.waiting).toBe(0)
  })

  it('sends the waiting items oldest offer first, no more than the window opens', () => {
    const window = new FlowWindow<string>(2)
    offerMany(window, 'vram', 1, 2)
    window.offer('cpu', 3, 'cpu#3')
    window.offer('ram', 4, 'ram#4')
    window.offer('cpu', 5, 'cpu#5')
    expect(window.applied(1)).toEqual(['ram#4'])
    expect(window.applied(2)).toEqual(['cpu#5'])
  })

  it('ignores an acknowledgement of a frame not in flight', () => {
    const window = new FlowWindow<string>(2)
    offerMany(window, 'vram', 10, 3)
    expect(window.applied(99)).toEqual([])
    expect(window.applied(10)).toEqual(['vram#12'])
    expect(window.applied(10)).toEqual([])
    expect(window.inFlight).toBe(2)
  })

  it('acknowledges a seq sent twice no further than its first sending', () => {
    const window = new FlowWindow<string>(3)
    window.offer('vram', 7, 'vram#7')
    window.offer('cpu', 8, 'cpu#8')
    window.offer('vram', 7, 'vram#7 again')
    window.applied(7)
    expect(window.inFlight).toBe(2)
    window.applied(7)
    expect(window.inFlight).toBe(0)
  })

  it('keeps a new offer behind items already waiting, so the newest never overtakes an older key', () => {
    const window = new FlowWindow<string>(1)
    window.offer('vram', 1, 'vram#1')
    window.offer('cpu', 2, 'cpu#2')
    expect(window.applied(1)).toEqual(['cpu#2'])
    expect(window.offer('vram', 3, 'vram#3').send).toBeUndefined()
  })

  it('refuses a window that holds nothing', () => {
    expect(() => new FlowWindow<string>(0)).toThrow(RangeError)
  })
})
