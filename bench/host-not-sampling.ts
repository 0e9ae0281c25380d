// The idle benchmark's probe of the host's floor: sysboy itself, run as host/main.ts runs it and with the same
// arguments, except that its sampler is never started. It reads its metric once before it serves, as sysboy does,
// and never again, so it sends its device no metric frame; its server, hub, REST API and timers run as in sysboy, and
// the device is admitted and kept alive as the host keeps any device alive when it has nothing else to send: a
// heartbeat once nothing was sent for 10 s or half the device's stale bound, whichever is shorter (every 1.5 s at the
// default interval of 1 s, every 10 s at 60 s). Its status line, drawn on each frame of its metric, is never drawn.
// bench/idle.ts compiles it as the host is compiled (host/build-config.ts), so sysboy against it is what the host's
// sampling and frames cost, and it against the bare server the least the host costs while a device is connected.
// (Like bench/bare-bun-loaded.ts it is built without firmware images, which the host lists at its start.)
//
// Usage (compiled): host-not-sampling --metric vram ... (sysboy's own arguments)
import { runCli } from '../host/cli/cli.ts'
import { processConsole } from '../host/cli/console.ts'
import { Sampler } from '../host/sampler.ts'

// A sampler that was never started samples nothing: its refresh() and sampleNow() return at once (host/sampler.ts).
Sampler.prototype.start = function start(): void {}

const code = await runCli(process.argv.slice(2), process.env, processConsole())
process.exit(code)
