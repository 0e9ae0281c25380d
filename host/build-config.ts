// How an executable of the host's code is compiled: `npm run build` (host/build.ts) for sysboy itself, and the idle
// bench (bench/idle.ts) for its probe of the host's code loaded but never run, which must be compiled the same way.
import type { FirmwareFacts } from './firmware/catalog.ts'

/** JavaScriptCore's tier-up thresholds scaled by this while the host is idle (host/jit-policy.ts). */
export const JIT_POLICY = 16

export interface ExecutableBuild {
  entry: string
  /** Bun's --target name. */
  target: Bun.Build.CompileTarget
  outfile: string
  /** The Bun runtime to embed: this one for this machine's platform, else one fetched for the target. */
  executablePath: string
  /** The target is this machine's platform, so its chunks may be embedded as bytecode too. */
  native: boolean
  version: string
  firmware: readonly FirmwareFacts[]
}

export const executableBuildConfig = (build: ExecutableBuild): Bun.BuildConfig => ({
  entrypoints: [build.entry],
  // Bun's executables by default read .env and bunfig.toml from the directory they are run in: a .env there would
  // set SYSBOY_* (SYSBOY_NVML_LIB names a library to load) and a bunfig.toml's preload would run its code inside
  // the host. sysboy takes its settings from its flags, its environment and its own config file only
  // (tests/cli-config.test.ts).
  //
  // JavaScriptCore's tier-up thresholds scaled by 16 while the host is idle (Bun.unsafe.setJITPolicy; normal while a
  // stream runs, host/jit-policy.ts): the host's start runs once and its tick once a second, too little for compiled
  // code to pay for its memory and compile time. Idle, one device (bench/idle.ts, same run as the normal policy):
  // peak RSS 38.2 MB at 120 s against 43.1 MB, CPU over 120 s 0.109 % of a core against 0.150 %, steady 0.085 %
  // against 0.079 %.
  compile: { target: build.target, outfile: build.outfile, executablePath: build.executablePath, autoloadDotenv: false, autoloadBunfig: false, jitPolicy: JIT_POLICY },
  define: { SYSBOY_BUILD_VERSION: JSON.stringify(build.version), SYSBOY_FIRMWARE: JSON.stringify(build.firmware), SYSBOY_JIT_POLICY: String(JIT_POLICY) },
  minify: true,
  // What is imported lazily (mDNS, doctor, install-service, TypeBox for the words of a refusal) goes into chunks of
  // its own inside the executable, parsed only when first used: 4 MB less resident at idle (bench/idle.ts).
  splitting: true,
  // For this machine's own platform each chunk is embedded as JavaScriptCore bytecode as well as source, so the
  // host's code runs without being parsed first: less CPU to start (bench/idle.ts, its start column), for 5 MB more
  // on disk. Not for the others: bytecode depends on the platform it was made on, and Bun's cross-compiled
  // executables with it crash at launch (oven-sh/bun#18416, #24144). ESM bytecode needs an explicit format.
  bytecode: build.native,
  format: 'esm',
  // A failed build comes back with its logs for the caller to word (host/build.ts's `fail`, the bench's error), in
  // place of Bun's AggregateError, whose message is only "Bundle failed".
  throw: false,
})
