// Prometheus source: one PromQL instant query per read; its one series (or scalar) is the figure, never a guess among many.
import { describeError, known, unknown } from './figure.ts'
import type { MetricSource, Reading } from './source.ts'

export interface PrometheusOptions {
  metric: string
  /** Base URL of the Prometheus server, e.g. http://127.0.0.1:9090 (a path prefix is kept). */
  url: string
  /** PromQL expected to give a percent, or a raw figure when `scale` is set. */
  query: string
  /** The raw value that means 100 %; without it the query's value is taken as the percent. */
  scale?: number
  /** Unit of the query's value, sent with it as the frame's `unit`. */
  unit?: string
  timeoutMs?: number
}

interface QueryResponse {
  status?: string
  error?: string
  errorType?: string
  data?: { resultType?: string; result?: unknown }
}

const sampleValue = (pair: unknown): string | undefined =>
  Array.isArray(pair) && typeof pair[1] === 'string' ? pair[1] : undefined

/** The value of a query answer, or why there is none. */
export const queryValue = (body: QueryResponse): { value: number } | { reason: string } => {
  if (body.status !== 'success') {
    return { reason: `Prometheus refused the query: ${body.errorType ?? 'error'}: ${body.error ?? 'no reason given'}` }
  }
  const type = body.data?.resultType
  const result = body.data?.result
  let text: string | undefined
  if (type === 'scalar') text = sampleValue(result)
  else if (type === 'vector') {
    if (!Array.isArray(result) || result.length === 0) return { reason: 'the query gave an empty result' }
    // Which of several series is meant is for the query to say, not for the order Prometheus lists them in.
    if (result.length > 1) {
      return { reason: `the query gave ${result.length} series; it must give one: aggregate them (sum, max, avg) or filter by label` }
    }
    const first: unknown = result[0]
    text = typeof first === 'object' && first !== null && 'value' in first ? sampleValue(first.value) : undefined
  } else return { reason: `the query gave a ${type ?? 'missing'} result; an instant vector or scalar is needed` }
  const value = Number(text)
  if (text === undefined || !Number.isFinite(value)) return { reason: `the query gave ${text ?? 'no'} value, not a number` }
  return { value }
}

export const createPrometheusSource = (options: PrometheusOptions): MetricSource => {
  let base: URL
  try {
    base = new URL(options.url.endsWith('/') ? options.url : `${options.url}/`)
  } catch {
    throw new Error(`Prometheus URL "${options.url}" is not a URL; give one like http://127.0.0.1:9090`)
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new Error(`Prometheus URL "${options.url}" must start with http:// or https://`)
  }
  if (options.query.trim() === '') throw new Error('the Prometheus query is empty; give a PromQL expression')
  if (options.scale !== undefined && !(options.scale > 0)) {
    throw new Error(`the Prometheus scale must be a positive number, not ${options.scale}`)
  }
  const endpoint = new URL('api/v1/query', base)
  endpoint.searchParams.set('query', options.query)
  const timeoutMs = options.timeoutMs ?? 2_000
  return {
    name: 'prometheus',
    metric: options.metric,
    read: async (): Promise<Reading> => {
      let response: Response
      try {
        response = await fetch(endpoint, { signal: AbortSignal.timeout(timeoutMs) })
      } catch (error) {
        const timedOut = error instanceof Error && error.name === 'TimeoutError'
        const why = timedOut ? `no answer within ${timeoutMs} ms` : describeError(error)
        return unknown(`Prometheus at ${base.origin} unreachable: ${why}`)
      }
      let body: QueryResponse
      try {
        body = (await response.json()) as QueryResponse
      } catch {
        return unknown(`Prometheus at ${base.origin} answered HTTP ${response.status} without a JSON body`)
      }
      const answer = queryValue(body)
      if ('reason' in answer) return unknown(answer.reason)
      const percent = options.scale === undefined ? answer.value : (answer.value / options.scale) * 100
      return known({ percent, raw: answer.value, ...(options.unit === undefined ? {} : { unit: options.unit }) })
    },
    close: (): void => {},
  }
}
