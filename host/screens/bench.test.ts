import { beforeAll, describe, expect, it } from 'bun:test'
import { benchScenes } from './bench.ts'
import { buildScenesWasm } from './build-scenes.ts'
import { SCENES } from './screen-config.ts'

beforeAll(async () => {
  await buildScenesWasm()
}, 300_000)

describe('benchScenes', () => {
  it('gives microseconds per draw of every scene, on an OLED and on a TFT', async () => {
    for (const size of [{}, { width: 320, height: 240, depth: 16 as const }]) {
      const perDraw = await benchScenes({ iterations: 5, ...size })
      expect(Object.keys(perDraw)).toEqual([...SCENES])
      for (const us of Object.values(perDraw)) expect(us).toBeGreaterThan(0)
    }
  })
})
