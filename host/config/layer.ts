// One layer of settings (flags, environment, config file or defaults); layers are merged by precedence.
import { DEFAULT_PORT } from '../../schema/index.ts'

/** Settings as one origin gives them; an absent field falls through to the next layer. */
export interface Layer {
  metric?: string
  port?: number
  bind?: string
  interval?: number
  gpu?: number | 'all'
  source?: string
  prometheus?: string
  query?: string
  scale?: number
  token?: string
  mdns?: boolean
  nvmlLib?: string
}

/** The built-in defaults. Every interface: boards on the LAN are the point, and the pairing token guards it. */
export const DEFAULTS = {
  metric: 'vram',
  port: DEFAULT_PORT,
  bind: '0.0.0.0',
  interval: 1000,
  gpu: 'all',
  mdns: true,
} as const satisfies Layer

/** Field by field, the first layer that sets it wins. */
export const mergeLayers = (...layers: Layer[]): Layer => {
  const merged: Layer = {}
  for (const layer of [...layers].reverse()) {
    for (const [key, value] of Object.entries(layer)) {
      if (value !== undefined) (merged as Record<string, unknown>)[key] = value
    }
  }
  return merged
}
