// A bare WebSocket server (no sysboy host): answers any hello with a minimal welcome, then sends the seed frame
// `{"type":"vram","value":60.5}` every 200 ms. Run inside a namespace: bun bare-server.ts ADDR PORT
const [bind, port] = [process.argv[2] ?? '127.0.0.1', Number(process.argv[3] ?? '8077')]
const welcome = JSON.stringify({
  type: 'welcome',
  protocol: 1,
  host: 'bare',
  version: '0',
  config: { bindings: [{ output: 'meter', metric: 'vram' }], interval_ms: 200, stale_after_ms: 2000 },
})
Bun.serve({
  hostname: bind,
  port,
  fetch: (request, server) => (server.upgrade(request) ? undefined : new Response('upgrade required', { status: 426 })),
  websocket: {
    open: (ws) => {
      const timer = setInterval(() => ws.send('{"type":"vram","value":60.5}'), 200)
      ws.data = timer as unknown as undefined
    },
    message: (ws) => {
      ws.send(welcome)
      ws.send('{"type":"vram","value":60.5}')
    },
    close: (ws) => clearInterval(ws.data as unknown as ReturnType<typeof setInterval>),
  },
})
console.log(`bare server on ${bind}:${port}`)
