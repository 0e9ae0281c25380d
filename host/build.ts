// `npm run build`: compiles the host into one executable per platform in dist/, with the version baked in.
//
// Bun cross-compiles by downloading the other platforms' runtimes from GitHub. Where GitHub is out of reach the
// same runtimes come from npm (@oven/bun-<platform>), fetched once with `npm pack` into .cache/bun-runtimes and
// handed to Bun as the executable to use.
//
// The scenes module (firmware-rs/scenes for wasm32) is built first, into host/screens/generated/, and embedded.
// So are the firmware images of scripts/firmware-build.sh (target/firmware/, or the folder --firmware names), with
// the version and SHA-256 read from each (host/firmware/prepare.ts): the host serves them to /install and to
// boards updating over the air. A build without them fails and says how to make them.
//
// Usage: bun host/build.ts [--outdir DIR] [--firmware DIR] [TARGET...]   (targets: linux-x64 linux-arm64 windows-x64 darwin-arm64 darwin-x64)
// The version is package.json's, unless SYSBOY_BUILD_VERSION names another (a CI build number, say).
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import pkg from '../package.json' with { type: 'json' }
import { SCENES_WASM, buildScenesWasm } from './screens/build-scenes.ts'
import { executableBuildConfig } from './build-config.ts'
import type { FirmwareFacts } from './firmware/catalog.ts'
import { FIRMWARE_DIR, GENERATED_DIR, prepareFirmware } from './firmware/prepare.ts'

const ROOT = join(import.meta.dir, '..')
const RUNTIME_CACHE = join(ROOT, '.cache', 'bun-runtimes')
const VERSION = process.env.SYSBOY_BUILD_VERSION || pkg.version

interface Target {
  /** Bun's --target name. */
  bun: Bun.Build.CompileTarget
  /** The npm package holding that platform's Bun runtime. */
  runtime: string
  outfile: string
  /** Used when this machine is that platform: Bun's own executable, no download. */
  native: boolean
}

const TARGETS: Record<string, Target> = {
  'linux-x64': { bun: 'bun-linux-x64', runtime: 'bun-linux-x64', outfile: 'sysboy-linux-x64', native: process.platform === 'linux' && process.arch === 'x64' },
  'linux-arm64': { bun: 'bun-linux-arm64', runtime: 'bun-linux-aarch64', outfile: 'sysboy-linux-arm64', native: process.platform === 'linux' && process.arch === 'arm64' },
  'windows-x64': { bun: 'bun-windows-x64', runtime: 'bun-windows-x64', outfile: 'sysboy-windows-x64.exe', native: false },
  'darwin-arm64': { bun: 'bun-darwin-arm64', runtime: 'bun-darwin-aarch64', outfile: 'sysboy-darwin-arm64', native: process.platform === 'darwin' && process.arch === 'arm64' },
  'darwin-x64': { bun: 'bun-darwin-x64', runtime: 'bun-darwin-x64', outfile: 'sysboy-darwin-x64', native: process.platform === 'darwin' && process.arch === 'x64' },
}

const fail = (message: string): never => {
  console.error(`build: ${message}`)
  process.exit(1)
}

const run = async (command: string[], cwd: string): Promise<void> => {
  const proc = Bun.spawn(command, { cwd, stdout: 'ignore', stderr: 'pipe' })
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (code !== 0) fail(`${command.join(' ')} failed (exit ${code}): ${stderr.trim().split('\n').at(-1) ?? ''}`)
}

/** The Bun runtime for `target`, of the same version as the Bun running this build. */
const runtimeFor = async (target: Target): Promise<string> => {
  if (target.native) return process.execPath
  const dir = join(RUNTIME_CACHE, `${target.runtime}-${Bun.version}`)
  const binary = join(dir, 'package', 'bin', target.bun.startsWith('bun-windows') ? 'bun.exe' : 'bun')
  if (existsSync(binary)) return binary
  mkdirSync(dir, { recursive: true })
  const spec = `@oven/${target.runtime}@${Bun.version}`
  console.log(`build: fetching the ${target.bun} runtime from npm (${spec})`)
  const tarball = `oven-${target.runtime}-${Bun.version}.tgz`
  if (!existsSync(join(RUNTIME_CACHE, tarball))) {
    await run(['npm', 'pack', spec, '--pack-destination', RUNTIME_CACHE, '--silent'], ROOT)
  }
  await run(['tar', 'xzf', join(RUNTIME_CACHE, tarball), '-C', dir], ROOT)
  if (!existsSync(binary)) fail(`${spec} has no ${binary.slice(dir.length + 1)}; found ${readdirSync(dir).join(', ')}`)
  return binary
}

const megabytes = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`

const build = async (name: string, target: Target, outdir: string, firmware: readonly FirmwareFacts[]): Promise<void> => {
  const executablePath = await runtimeFor(target)
  const outfile = join(outdir, target.outfile)
  const result = await Bun.build(
    executableBuildConfig({ entry: join(ROOT, 'host', 'main.ts'), target: target.bun, outfile, executablePath, native: target.native, version: VERSION, firmware }),
  )
  if (!result.success) fail(`${name}: ${result.logs.map((log) => String(log)).join('; ')}`)
  // Bun stores embedded files as they are, so the executable without the images is its size less theirs.
  const size = statSync(outfile).size
  const images = readdirSync(GENERATED_DIR).reduce((sum, file) => sum + statSync(join(GENERATED_DIR, file)).size, 0)
  console.log(`build: ${outfile}: ${megabytes(size)}, of which the firmware images ${megabytes(images)} (${megabytes(size - images)} without them)`)
}

const main = async (): Promise<void> => {
  const args = process.argv.slice(2)
  let outdir = join(ROOT, 'dist')
  let firmwareDir: string | undefined
  const names: string[] = []
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--outdir') outdir = args[++i] ?? fail('--outdir needs a directory')
    else if (args[i] === '--firmware') firmwareDir = resolve(args[++i] ?? fail('--firmware needs a directory'))
    else names.push(args[i] as string)
  }
  for (const name of names) if (!(name in TARGETS)) fail(`unknown target '${name}'; targets: ${Object.keys(TARGETS).join(', ')}`)
  mkdirSync(outdir, { recursive: true })
  console.log(`build: sysboy ${VERSION} with Bun ${Bun.version}`)
  console.log(`build: the scenes module (scripts/scenes-wasm.sh) into ${SCENES_WASM.slice(ROOT.length + 1)}`)
  await buildScenesWasm().catch((error: unknown) => fail((error as Error).message))
  let firmware: FirmwareFacts[] = []
  try {
    firmware = prepareFirmware(firmwareDir ?? FIRMWARE_DIR, firmwareDir !== undefined)
  } catch (error) {
    fail((error as Error).message)
  }
  for (const image of firmware) {
    const merged = image.merged === null ? 'no merged image' : `merged image ${image.merged.size} B`
    console.log(`build: firmware ${image.version} for ${image.chip}: app image ${image.size} B (sha256 ${image.sha256.slice(0, 12)}…), ${merged}`)
  }
  for (const name of names.length > 0 ? names : Object.keys(TARGETS)) await build(name, TARGETS[name] as Target, outdir, firmware)
}

await main()
