import { afterAll, beforeAll, describe, expect, it } from 'bun:test'
import { closeSync, copyFileSync, mkdtempSync, openSync, readSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ROOT, RunningSysboy, cleanEnv, runSysboy } from './cli-harness.ts'

// A version only this build has, so --version proves it was baked in at build time.
const VERSION = `0.0.0-test.${process.pid}`
const outdir = mkdtempSync(join(tmpdir(), 'sysboy-dist-'))

const head = (path: string, bytes = 4096): Buffer => {
  const buffer = Buffer.alloc(bytes)
  const fd = openSync(path, 'r')
  readSync(fd, buffer, 0, bytes, 0)
  closeSync(fd)
  return buffer
}

beforeAll(async () => {
  const proc = Bun.spawn([process.execPath, join(ROOT, 'host', 'build.ts'), '--outdir', outdir], {
    env: { ...process.env, SYSBOY_BUILD_VERSION: VERSION },
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (code !== 0) throw new Error(`npm run build failed: ${stderr}`)
}, 300_000)

// Five executables are half a gigabyte; they do not outlive the test.
afterAll(() => rmSync(outdir, { recursive: true, force: true }))

describe('sysboy executables', () => {
  it('builds one file per platform', () => {
    expect(readdirSync(outdir).sort()).toEqual([
      'sysboy-darwin-arm64',
      'sysboy-darwin-x64',
      'sysboy-linux-arm64',
      'sysboy-linux-x64',
      'sysboy-windows-x64.exe',
    ])
  })

  describe('linux-x64, alone in an empty directory', () => {
    const alone = mkdtempSync(join(tmpdir(), 'sysboy-alone-'))
    const exe = join(alone, 'sysboy')

    beforeAll(() => copyFileSync(join(outdir, 'sysboy-linux-x64'), exe))
    afterAll(() => rmSync(alone, { recursive: true, force: true }))

    it('prints the version baked in at build time', async () => {
      expect(await runSysboy(['--version'], cleanEnv(), exe)).toEqual({ code: 0, stdout: `${VERSION}\n`, stderr: '' })
    })

    it('prints help', async () => {
      const { code, stdout } = await runSysboy(['--help'], cleanEnv(), exe)
      expect(code).toBe(0)
      expect(stdout).toStartWith(`sysboy ${VERSION}: live PC figures`)
    })

    it('serves figures, the REST API and the embedded dashboard', async () => {
      const host = new RunningSysboy(['--metric', 'ram', '--bind', '127.0.0.1', '--port', '0', '--no-mdns', '--token', 'binary-test-token'], cleanEnv(), exe, alone)
      try {
        const port = await host.port()
        await host.waitFor(/^ram: [\d.]+ %.* from procfs/)
        const page = await fetch(`http://127.0.0.1:${port}/`)
        expect(await page.text()).toStartWith('<!doctype html>')
        const api = await fetch(`http://127.0.0.1:${port}/api/metrics`, { headers: { Authorization: 'Bearer binary-test-token' } })
        const latest = (await api.json()) as Record<string, { value: number | null }>
        expect(typeof latest.ram?.value).toBe('number')
        expect(readdirSync(alone)).toEqual(['sysboy'])
      } finally {
        expect(await host.stop()).toBe(0)
      }
    }, 30_000)
  })

  it('makes a Windows x64 PE executable', () => {
    const h = head(join(outdir, 'sysboy-windows-x64.exe'))
    expect(h.toString('latin1', 0, 2)).toBe('MZ')
    const pe = h.readUInt32LE(0x3c)
    expect(h.toString('latin1', pe, pe + 4)).toBe('PE\0\0')
    expect(h.readUInt16LE(pe + 4)).toBe(0x8664) // IMAGE_FILE_MACHINE_AMD64
  })

  it('makes 64-bit Mach-O executables for arm64 and x86-64', () => {
    for (const [file, cpu] of [['sysboy-darwin-arm64', 0x0100000c], ['sysboy-darwin-x64', 0x01000007]] as const) {
      const h = head(join(outdir, file))
      expect(h.readUInt32LE(0)).toBe(0xfeedfacf) // MH_MAGIC_64
      expect(h.readUInt32LE(4)).toBe(cpu)
      expect(h.readUInt32LE(12)).toBe(2) // MH_EXECUTE
    }
  })

  it('makes an ELF aarch64 executable for linux-arm64', () => {
    const h = head(join(outdir, 'sysboy-linux-arm64'))
    expect(h.toString('latin1', 0, 4)).toBe('\x7fELF')
    expect(h[4]).toBe(2) // 64-bit
    expect(h.readUInt16LE(0x12)).toBe(183) // EM_AARCH64
  })
})
