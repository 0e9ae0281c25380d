// Benchmark: an update over the air at 10 Mbit/s. The simulated esp32c3 (release build), factory-flashed with the
// current C3 app, takes the next build (target/firmware/next) from the real host built to carry it: the time from the
// offer (POST /api/devices/:id/update) to the board restarting into it (downloaded in ranges, checked, activated).
// Needs root (namespaces) and the images of scripts/firmware-build.sh. BENCH_OTA_ROUNDS sets the rounds (default 3).
import { NEXT_DIR, buildCarryingHost, openOtaDesk, otaImages, timeUpdate } from '../tests/netns/ota-desk.ts'
import type { TimedUpdate } from '../tests/netns/ota-desk.ts'

const RATE_MBIT = 10

export const main = async (): Promise<TimedUpdate[]> => {
  const rounds = Number(process.env.BENCH_OTA_ROUNDS ?? '3')
  const images = otaImages()
  const host = await buildCarryingHost(NEXT_DIR)
  const results: TimedUpdate[] = []
  try {
    for (let i = 0; i < rounds; i += 1) {
      const ota = await openOtaDesk({ hostBinary: host.binary, factory: images.factory, rateMbit: RATE_MBIT, simProfile: 'release' })
      try {
        const device = ota.startBoard()
        await device.waitForEvent('live', (e) => e.event === 'live', 30_000)
        const timed = await timeUpdate(ota, device, images.next.length)
        results.push(timed)
        console.log(`ota round ${i + 1}: ${images.factoryVersion} → ${images.nextVersion}, ${timed.bytes} B in ${timed.seconds.toFixed(2)} s (${timed.mbitPerSecond.toFixed(2)} Mbit/s)`)
      } finally {
        await ota.close()
      }
    }
  } finally {
    host.remove()
  }
  const seconds = results.map((r) => r.seconds).sort((a, b) => a - b)
  const median = seconds[Math.floor(seconds.length / 2)] ?? Number.NaN
  console.log(
    `ota: update of the ${images.next.length} B C3 app at ${RATE_MBIT} Mbit/s, offer to restart: median ${median.toFixed(2)} s, worst ${(seconds.at(-1) ?? Number.NaN).toFixed(2)} s over ${rounds} rounds ` +
      `(${((images.next.length * 8) / median / 1e6).toFixed(2)} Mbit/s of image)`,
  )
  return results
}

if (import.meta.main) await main()
