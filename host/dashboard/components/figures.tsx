// The host's figures, one card each: the figure in its own unit, the percent of the needle's scale, its source (or why
// it is unknown), and a sparkline of the last minutes.
import type { MetricFrame } from '../../../schema/index.ts'
import type { Series } from '../host-state.ts'
import { readingOf } from '../units.ts'
import { Sparkline } from './sparkline.tsx'

const EMPTY: Series = { times: [], values: [] }

export const FigureCard = ({ frame, series }: { frame: MetricFrame; series: Series | undefined }) => {
  const reading = readingOf(frame)
  const known = reading.percent !== null
  return (
    <article class={`figure${known ? '' : ' unknown'}`} data-metric={reading.metric} aria-labelledby={`figure-${reading.metric}`}>
      <h3 id={`figure-${reading.metric}`}>{reading.metric}</h3>
      <p class="value">{reading.headline}</p>
      {known && reading.scale !== '' ? <p class="scale">{reading.scale}</p> : null}
      {known ? (
        <p class="source">{reading.source === '' ? 'source not named' : `from ${reading.source}`}</p>
      ) : (
        <p class="reason">{reading.reason}</p>
      )}
      <Sparkline name={reading.metric} series={series ?? EMPTY} />
    </article>
  )
}

export const Figures = ({ metrics, history }: { metrics: Record<string, MetricFrame>; history: Record<string, Series> }) => {
  const frames = Object.entries(metrics).sort(([a], [b]) => a.localeCompare(b))
  return (
    <section aria-labelledby="figures-heading">
      <h2 id="figures-heading">Figures</h2>
      {frames.length === 0 ? <p class="empty">No figures yet.</p> : null}
      <div class="figures" id="figures">
        {frames.map(([key, frame]) => (
          <FigureCard key={key} frame={frame} series={history[frame.type === 'metric' ? frame.name : frame.type]} />
        ))}
      </div>
    </section>
  )
}
