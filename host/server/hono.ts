// The one place the host picks its Hono router: TrieRouter, which builds a tree of the routes as they are added and
// matches paths exactly, as the default does (tests/server-rest.test.ts). The default SmartRouter picks RegExpRouter,
// which builds regular expressions of every route at the first request; on an idle host that first request is a
// board's /ws upgrade. Built host, cold start, one device: peak RSS 6 s after the start 42.9-43.3 MB against
// 43.2-43.7 MB with RegExpRouter; at 120 s 42.7 against 43.3 MB (bench/idle.ts, same run). A host answers a handful of
// requests a minute; matching speed is not what it needs. hono/quick's LinearRouter costs less at the start (40.9-41.5
// MB in most runs, 43.0 at 120 s) but serves /api/devices/ as /api/devices (honojs/hono#5406).
import { Hono as DefaultHono } from 'hono'
import { TrieRouter } from 'hono/router/trie-router'
import type { BlankEnv, BlankSchema, Env, Schema } from 'hono/types'

export class Hono<E extends Env = BlankEnv, S extends Schema = BlankSchema, BasePath extends string = '/'> extends DefaultHono<E, S, BasePath> {
  constructor() {
    super({ router: new TrieRouter() })
  }
}
