// Runs a fast-check property as many times as the run asks (SYSBOY_FUZZ_RUNS: 2,000 in `npm test`, 100,000 in the
// fuzz run) and prints its figures: cases, time, failures.
import fc from 'fast-check'

/** Cases per property when SYSBOY_FUZZ_RUNS is not set: enough to keep the properties honest, quick enough for `npm test`. */
const TEST_RUNS = 2_000

const positiveInteger = (name: string, fallback: number | undefined): number | undefined => {
  const text = process.env[name]
  if (text === undefined || text === '') return fallback
  const value = Number(text)
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`${name}=${text}: expected a whole number of 1 or more`)
  return value
}

/** How many cases each property runs. */
export const FUZZ_RUNS: number = positiveInteger('SYSBOY_FUZZ_RUNS', TEST_RUNS) ?? TEST_RUNS

/** A fixed seed (SYSBOY_FUZZ_SEED) replays a run; a failure prints the seed and path that found it. */
const seed = positiveInteger('SYSBOY_FUZZ_SEED', undefined)

const parameters = <Ts>(): fc.Parameters<Ts> => (seed === undefined ? { numRuns: FUZZ_RUNS } : { numRuns: FUZZ_RUNS, seed })

const report = <Ts>(name: string, details: fc.RunDetails<Ts>, startedAt: number): void => {
  const seconds = ((performance.now() - startedAt) / 1000).toFixed(1)
  const failures = details.failed ? 1 : 0
  console.log(`property "${name}": ${details.numRuns} cases, ${seconds} s, ${failures} failures`)
  if (!details.failed) return
  const cause = details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)
  // A counterexample can be a body of many kilobytes; the seed and path replay it in full.
  const shown = (text: string): string => (text.length <= 4_000 ? text : `${text.slice(0, 4_000)}… (${text.length} characters)`)
  throw new Error(`${shown(fc.defaultReportMessage(details) ?? '')}\nWhat failed: ${shown(cause)}`)
}

/** Checks a property FUZZ_RUNS times; throws fast-check's report (the shrunk counterexample and its seed) on a failure. */
export const holds = <Ts>(name: string, property: fc.IProperty<Ts>): void => {
  const startedAt = performance.now()
  report(name, fc.check(property, parameters<Ts>()), startedAt)
}

/** As `holds`, for a property that awaits (a request through the Hono app). */
export const holdsAsync = async <Ts>(name: string, property: fc.IAsyncProperty<Ts>): Promise<void> => {
  const startedAt = performance.now()
  report(name, await fc.check(property, parameters<Ts>()), startedAt)
}

/** The per-test timeout a property needs: a fuzz run of 100,000 cases takes far longer than a unit test. */
export const PROPERTY_TIMEOUT_MS: number = Math.max(30_000, FUZZ_RUNS * 5)
