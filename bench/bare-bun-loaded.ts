// The idle benchmark's probe of what the host's code costs by being there: the bare Bun server (bare-bun-server.ts,
// which runs on import) with all that the executable loads at the start of `sysboy --metric vram` loaded beside it,
// none of it run. bench/idle.ts compiles it as the host is compiled (host/build-config.ts), and the bare server the
// same way ('bare compiled'), so the difference between the two is the host's loaded code and data alone, and between
// it and sysboy what the host does as it runs. (At its start the host also loads the few hundred bytes that list its
// embedded firmware; the probe is built without firmware images.)
//
// Usage (compiled): bare-bun-loaded PORT [INTERVAL_MS]; NVML is libnvidia-ml.so.1, or SYSBOY_NVML_LIB.
import { runCli } from '../host/cli/cli.ts'
import { processConsole } from '../host/cli/console.ts'
import './bare-bun-server.ts'

// What host/main.ts imports, held where the bundler cannot see it unused, so the host's modules stay in the executable
// and are evaluated at start.
;(globalThis as { sysboyCode?: unknown }).sysboyCode = [runCli, processConsole]
