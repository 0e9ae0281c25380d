// A bare WebSocket server (no sysboy host, no protocol beyond the seed example): after the upgrade it sends
// nothing but `{"type":"vram","value":60.5}`, every 200 ms, and ignores what the device says.
// Run inside a namespace: bun bare-server.ts ADDR PORT
const [bind, port] = [process.argv[2] ?? '127.0.0.1', Number(process.argv[3] ?? '8077')]
const SEED = '{"type":"vram","value":60.5}'
const timers = new Map<unknown, ReturnType<typeof setInterval>>()
Bun.serve({
  hostname: bind,
  port,
  fetch: (request, server) => (server.upgrade(request) ? undefined : new Response('upgrade required', { status: 426 })),
  websocket: {
    open: (ws) => {
      ws.send(SEED)
      timers.set(ws, setInterval(() => ws.send(SEED), 200))
    },
    message: () => {},
    close: (ws) => {
      clearInterval(timers.get(ws))
      timers.delete(ws)
    },
  },
})
console.log(`bare server on ${bind}:${port}`)
