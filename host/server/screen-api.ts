// GET /api/devices/:id/screens/:output.png: a device's screen as it shows it now, drawn by the host with the board's
// own scene code from what the host sent the device.
import { Hono } from './hono.ts'
import type { Output, ScreenConfig, ScreenShown } from '../../schema/index.ts'
import { printable } from '../../schema/printable.ts'
import type { Hub } from '../hub/hub.ts'
import type { ScreenSize } from '../screens/render.ts'
import { isScreen } from '../screens/screen-config.ts'
import { deviceScreenView } from '../screens/screen-view.ts'

/** The size a screen is drawn at, as its hello gives it (a screen always has one); RGB565 unless it is 1-bit. */
export const screenSize = (output: Output): ScreenSize => ({
  width: output.width ?? 0,
  height: output.height ?? 0,
  depth: output.bits <= 1 ? 1 : 16,
})

/** Whether a screen shows the stream now: the scene its status names (its first scene before it said). */
const showsStream = (screen: ScreenConfig | undefined, shown: ScreenShown | undefined): boolean => {
  if (screen === undefined || shown?.scene === 'alert' || shown?.scene === 'state') return false
  if (shown === undefined) return screen.scenes[0]?.scene === 'stream'
  return shown.scene === 'stream' || (shown.index !== undefined && screen.scenes[shown.index]?.scene === 'stream')
}

/** The screen routes, relative to where the REST API mounts them (/api/devices). */
export const screenApi = (hub: Hub): Hono => {
  const api = new Hono()
  api.get('/:id/screens/:file', async (c) => {
    const id = c.req.param('id')
    const file = c.req.param('file')
    const session = hub.get(id)
    if (session === undefined) return c.json({ error: 'unknown_device', reason: `no connected device '${printable(id, 64)}'` }, 404)
    const name = file.endsWith('.png') ? file.slice(0, -'.png'.length) : file
    const output = session.hello.outputs.find((o) => o.id === name)
    const screens = session.hello.outputs.filter(isScreen).map((o) => `${o.id}.png`)
    const offered = screens.length > 0 ? `its screens: ${screens.join(', ')}` : 'it has no screen'
    if (output === undefined || !file.endsWith('.png')) {
      return c.json({ error: 'unknown_output', field: 'output', reason: `device '${session.id}' has no screen '${printable(file, 40)}'; ${offered}` }, 404)
    }
    if (!isScreen(output)) {
      return c.json({ error: 'unknown_output', field: 'output', reason: `output '${output.id}' of device '${session.id}' is a ${output.kind} output, not a screen; ${offered}` }, 404)
    }
    const shown = session.screensShown?.find((s) => s.output === output.id)
    const stream = session.stream(output.id)
    if (stream !== undefined && showsStream(session.config.screens?.find((s) => s.output === output.id), shown)) {
      // A streamed screen shows what the stream sent it: its frame once the device applies every frame sent.
      const size = screenSize(output)
      const frame = stream.shown()
      const pixels = frame === undefined ? new Uint8Array(size.width * size.height * 2) : new Uint8Array(frame.pixels.buffer, frame.pixels.byteOffset, frame.pixels.byteLength)
      const { framePng } = await import('../screens/render.ts')
      return c.body(framePng(pixels, size) as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' })
    }
    const now = Date.now()
    const view = deviceScreenView({ config: session.config, shown: session.screensShown?.find((s) => s.output === output.id), sent: session.sent }, output.id, now)
    if (view === undefined) return c.json({ error: 'bad_config', reason: `screen '${output.id}' has no config` }, 404)
    const size = screenSize(output)
    let png: Uint8Array
    try {
      // Loaded on the first picture asked for: a host nobody asks never loads the module or the PNG encoder.
      const { screenPng } = await import('../screens/screen-png.ts')
      png = await screenPng(view, size)
    } catch (error) {
      return c.json({ error: 'internal', reason: `cannot draw screen '${output.id}': ${printable((error as Error).message, 160)}` }, 500)
    }
    return c.body(png as Uint8Array<ArrayBuffer>, 200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' })
  })
  return api
}
