// `npm run bench`: every benchmark in turn; each module exports main() and prints its own figures.
const BENCHMARKS = ['sources', 'fanout', 'idle', 'sim'] as const

// A module, so top-level await is allowed.
export {}

const isMissing = (error: unknown, name: string): boolean =>
  error instanceof Error && /Cannot find module|ResolveMessage|not found/i.test(error.message) && error.message.includes(name)

let failed = false
for (const name of BENCHMARKS) {
  console.log(`\n== bench/${name}.ts`)
  let module: { main?: () => Promise<unknown> }
  try {
    module = (await import(`./${name}.ts`)) as { main?: () => Promise<unknown> }
  } catch (error) {
    if (!isMissing(error, name)) throw error
    console.log(`(skipped: bench/${name}.ts is not there yet)`)
    continue
  }
  if (typeof module.main !== 'function') {
    console.log(`(skipped: bench/${name}.ts exports no main())`)
    continue
  }
  try {
    await module.main()
  } catch (error) {
    failed = true
    console.error(`bench/${name}.ts failed: ${(error as Error).message}`)
  }
}
process.exit(failed ? 1 : 0)
