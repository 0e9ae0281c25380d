// `npm run bench`: every benchmark in turn; each module exports main() and prints its own figures.
// Loaded one at a time, so one benchmark's imports do not weigh on another's figures; the type checker holds each to main().
const BENCHMARKS: Record<string, () => Promise<{ main: () => Promise<unknown> }>> = {
  sources: () => import('./sources.ts'),
  fanout: () => import('./fanout.ts'),
  idle: () => import('./idle.ts'),
  'idle-floor': () => import('./idle-floor.ts'),
  sim: () => import('./sim.ts'),
  screens: () => import('./screens.ts'),
  'stream-codec': () => import('./stream-codec.ts'),
  stream: () => import('./stream.ts'),
  ota: () => import('./ota.ts'),
}

// A module, so top-level await is allowed.
export {}

let failed = false
for (const [name, load] of Object.entries(BENCHMARKS)) {
  console.log(`\n== bench/${name}.ts`)
  const module = await load()
  try {
    await module.main()
  } catch (error) {
    failed = true
    console.error(`bench/${name}.ts failed: ${(error as Error).message}`)
  }
}
process.exit(failed ? 1 : 0)
