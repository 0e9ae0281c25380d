// The one place the host picks its Hono: the `hono/quick` preset, whose LinearRouter matches a request by walking the
// routes. The default preset's RegExpRouter builds regular expressions of every route at the first request, and on an
// idle host that first request is a board's /ws upgrade: measured on the built host (cold start, one device connected,
// peak RSS after 6 s), 43.5 MB with it against 41.3 MB with LinearRouter in most runs (bench/idle.ts gives the whole
// run). A host answers a handful of requests a minute; matching speed is not what it needs.
export { Hono } from 'hono/quick'
