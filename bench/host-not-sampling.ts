// The idle benchmark's probe of the host's floor: sysboy itself, run as host/main.ts runs it and with the same
// arguments, except that its sampler is never started, so it reads no metric and sends no frame. Its server, hub,
// status line and timers run as they do in sysboy; a device is admitted and kept alive as the host keeps any device
// alive when it has nothing else to send (a heartbeat every 10 s). bench/idle.ts compiles it as the host is compiled
// (host/build-config.ts), so sysboy against it is what the host's frames cost, and it against the bare server is the
// least the host can cost while a device is connected.
//
// Usage (compiled): host-not-sampling --metric vram ... (sysboy's own arguments)
import { runCli } from '../host/cli/cli.ts'
import { processConsole } from '../host/cli/console.ts'
import { Sampler } from '../host/sampler.ts'

// A sampler that was never started samples nothing: its refresh() and sampleNow() return at once (host/sampler.ts).
Sampler.prototype.start = function start(): void {}

const code = await runCli(process.argv.slice(2), process.env, processConsole())
process.exit(code)
