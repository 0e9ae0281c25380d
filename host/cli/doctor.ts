// `sysboy doctor`: every source of every metric, whether it works on this PC, and why not.
import type { Settings } from '../config/resolve.ts'
import { probeSources } from '../sources/index.ts'
import type { Console } from './console.ts'
import { EXIT, type ExitCode } from './exit-codes.ts'
import { sourceOptionsFor } from './source-options.ts'
import { table } from './table.ts'

export const runDoctor = async (settings: Settings, console: Console): Promise<ExitCode> => {
  const results = await probeSources({ ...sourceOptionsFor(settings, settings.metric), source: undefined })
  console.out(table(['metric', 'source', 'works', 'detail'], results.map((r) => [r.metric, r.source, r.works ? 'yes' : 'no', r.detail])))
  const main = results.filter((r) => r.metric === settings.metric)
  const working = main.filter((r) => r.works).map((r) => r.source)
  console.out(
    working.length > 0
      ? `${settings.metric} works here through ${working.join(', ')}`
      : `${settings.metric} cannot be read here; sysboy serves "unknown" for it (see the reasons above)`,
  )
  return EXIT.ok
}
