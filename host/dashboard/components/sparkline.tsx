// A metric's last minutes as a small uPlot line (percent, 0–100), redrawn as values come; a text summary stands in
// for the picture for screen readers.
import { useEffect, useRef } from 'preact/hooks'
import uPlot from 'uplot'
import type { Series } from '../host-state.ts'
import { HISTORY_MINUTES } from '../host-state.ts'

const HEIGHT = 44

const summary = (name: string, series: Series): string => {
  const known = series.values.filter((v): v is number => v !== null)
  if (known.length === 0) return `${name}: no values in the last ${HISTORY_MINUTES} minutes`
  return `${name} over the last ${HISTORY_MINUTES} minutes: from ${Math.min(...known).toFixed(1)} % to ${Math.max(...known).toFixed(1)} %, now ${(known.at(-1) as number).toFixed(1)} %`
}

export const Sparkline = ({ name, series }: { name: string; series: Series }) => {
  const box = useRef<HTMLDivElement>(null)
  const plot = useRef<uPlot | null>(null)

  useEffect(() => {
    const element = box.current
    if (element === null) return
    const chart = new uPlot(
      {
        width: Math.max(60, element.clientWidth),
        height: HEIGHT,
        legend: { show: false },
        cursor: { show: false },
        select: { show: false, left: 0, top: 0, width: 0, height: 0 },
        axes: [{ show: false }, { show: false }],
        scales: {
          // The last minutes, or what there is of them (a minute at least), so a fresh page's line is not a sliver.
          x: { time: true, range: (_u, min, max) => [Math.max(Math.min(min, max - 60), max - HISTORY_MINUTES * 60), max] },
          y: { range: [0, 100] },
        },
        series: [{}, { stroke: '#1a5fb4', width: 1.5, fill: 'rgba(26, 95, 180, 0.12)', spanGaps: false, points: { show: false } }],
      },
      [series.times, series.values],
      element,
    )
    plot.current = chart
    const resize = new ResizeObserver(() => chart.setSize({ width: Math.max(60, element.clientWidth), height: HEIGHT }))
    resize.observe(element)
    return () => {
      resize.disconnect()
      chart.destroy()
      plot.current = null
    }
  }, [])

  useEffect(() => {
    plot.current?.setData([series.times, series.values])
  }, [series])

  return (
    <div class="sparkline">
      <div ref={box} aria-hidden="true" />
      <span class="visually-hidden">{summary(name, series)}</span>
    </div>
  )
}
