// The config file's streams (`streams`: what the host streams to each tft output id), checked at start for what is
// wrong on every device: two streams to one output id, a source without what it needs, and a file whose screens and
// streams disagree about which screens show the stream. Whether a device can take one is asked per device.
import type { ScreenConfig } from '../../schema/index.ts'
import type { StreamConfig } from '../stream/stream-config.ts'
import { checkStreamSource } from '../stream/stream-config.ts'
import { ConfigError } from './file.ts'

const showsStream = (screen: ScreenConfig): boolean => screen.scenes.some((s) => s.scene === 'stream')

/** The file's streams, each checked alone and against the file's screens; `path` names the file in errors. */
export const fileStreamsOf = (streams: readonly StreamConfig[] | undefined, screens: readonly ScreenConfig[], path: string): StreamConfig[] => {
  const all = streams ?? []
  for (const [i, stream] of all.entries()) {
    const at = `streams.${i}`
    const first = all.findIndex((s) => s.output === stream.output)
    if (first < i) throw new ConfigError(`${path}: ${at}.output: '${stream.output}' is streamed to already (streams.${first})`)
    const refused = checkStreamSource(stream, at)
    if (refused !== undefined) throw new ConfigError(`${path}: ${refused.field}: ${refused.reason}`)
    const j = screens.findIndex((s) => s.output === stream.output)
    if (j >= 0 && !showsStream(screens[j] as ScreenConfig)) {
      throw new ConfigError(
        `${path}: ${at}.output: the layout for '${stream.output}' (screens.${j}) does not show the stream; add {"scene": "stream", "metrics": []} to screens.${j}.scenes, or drop the layout`,
      )
    }
  }
  for (const [j, screen] of screens.entries()) {
    const k = screen.scenes.findIndex((s) => s.scene === 'stream')
    if (k >= 0 && !all.some((s) => s.output === screen.output)) {
      throw new ConfigError(`${path}: screens.${j}.scenes.${k}.scene: '${screen.output}' shows the stream, but streams names no stream to it`)
    }
  }
  return [...all]
}
