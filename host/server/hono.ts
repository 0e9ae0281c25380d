// The one place the host picks its Hono: the `hono/quick` preset, whose LinearRouter matches a request by walking the
// routes. The default preset's RegExpRouter builds regular expressions of every route at the first request, and on an
// idle host that first request is a board's /ws upgrade. Measured on the built host (cold start, one device): peak RSS
// 6 s after the start 43.5 MB with RegExpRouter against 41.3 MB with LinearRouter in most runs; at 120 s, once Bun has
// compiled more code, 43.6 against 43.0 MB (bench/idle.ts). A host answers a handful of requests a minute; matching
// speed is not what it needs.
export { Hono } from 'hono/quick'
