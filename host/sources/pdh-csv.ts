// Parses Windows `typeperf` CSV (PDH "GPU Adapter Memory(*)\Dedicated Usage") and `reg query` adapter memory sizes.

/** Splits one CSV line of typeperf (every field quoted). */
const csvFields = (line: string): string[] => [...line.matchAll(/"((?:[^"]|"")*)"/g)].map((match) => (match[1] ?? '').replace(/""/g, '"'))

/** The adapter instance named in a counter path, e.g. "luid_0x00000000_0x0000D1B7_phys_0". */
const instanceOf = (counterPath: string): string => /\(([^)]*)\)/.exec(counterPath)?.[1] ?? counterPath

/** Reads typeperf's stream: a header line names the instances, then each line is one sample of all of them. */
export class TypeperfCsv {
  private instances: string[] = []

  /** Feeds one line; returns the sample's bytes per instance when the line is a data line. */
  line(text: string): { instance: string; used: number }[] | undefined {
    const fields = csvFields(text)
    if (fields.length < 2) return undefined
    if (fields[0]?.startsWith('(PDH-CSV')) {
      this.instances = fields.slice(1).map(instanceOf)
      return undefined
    }
    if (this.instances.length === 0) return undefined
    const values = fields.slice(1).map((field) => (field.trim() === '' ? Number.NaN : Number(field)))
    return this.instances
      .map((instance, column) => ({ instance, used: values[column] ?? Number.NaN }))
      .filter((entry) => Number.isFinite(entry.used))
  }
}

/** Dedicated memory sizes from `reg query ...\{4d36e968-...} /s /v HardwareInformation.qwMemorySize`, in order. */
export const parseRegMemorySizes = (text: string): number[] =>
  [...text.matchAll(/HardwareInformation\.qwMemorySize\s+REG_QWORD\s+0x([0-9a-f]+)/gi)].map((match) =>
    Number.parseInt(match[1] ?? '0', 16),
  )
