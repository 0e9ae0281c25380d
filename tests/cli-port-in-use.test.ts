import { describe, expect, it } from 'bun:test'
import { createServer } from 'node:net'
import { cleanEnv, runSysboy } from './cli-harness.ts'

describe('sysboy on a port in use', () => {
  it('says the port is in use and exits with code 4', async () => {
    const other = createServer()
    await new Promise<void>((resolve) => other.listen(0, '127.0.0.1', resolve))
    const port = (other.address() as { port: number }).port
    try {
      const { code, stderr } = await runSysboy(['--metric', 'cpu', '--bind', '127.0.0.1', '--port', String(port), '--no-mdns'], cleanEnv())
      expect(stderr).toBe(`sysboy: port ${port} on 127.0.0.1 is in use: stop the other program or pass --port <n>\n`)
      expect(code).toBe(4)
    } finally {
      other.close()
    }
  })
})
