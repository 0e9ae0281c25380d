// The one import of Hono's Bun adapter: `hono/bun` moves to `@hono/bun` in Hono v5, so only this file changes.
export { type BunWebSocketData, getConnInfo, upgradeWebSocket, websocket } from 'hono/bun'
