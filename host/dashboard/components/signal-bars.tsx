// The board's Wi-Fi signal as four bars, from status.rssi; the bars are a picture with its words as the label.
import { signalBars } from '../device-words.ts'

export const SignalBars = ({ rssi }: { rssi: number | undefined }) => {
  if (rssi === undefined) return <span>not reported</span>
  const bars = signalBars(rssi)
  return (
    <span class="signal">
      <svg role="img" aria-label={`${bars} of 4 bars`} viewBox="0 0 20 16" width="20" height="16" data-bars={bars}>
        {[0, 1, 2, 3].map((i) => (
          <rect x={i * 5} y={12 - i * 4} width="4" height={4 + i * 4} rx="0.5" class={i < bars ? 'on' : 'off'} />
        ))}
      </svg>
      <span>{rssi} dBm</span>
    </span>
  )
}
