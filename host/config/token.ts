// The per-install pairing token: generated on first run and stored in the config file, readable by its owner only.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { ConfigError } from './file.ts'

/** 24 random bytes from the Web Crypto global (no node:crypto to load): 32 characters of base64url, the alphabet the hello frame accepts. */
export const newToken = (): string => Buffer.from(crypto.getRandomValues(new Uint8Array(24))).toString('base64url')

/** Writes `token` into the config file at `path` (creating it), keeping its other fields; mode 0600. */
export const storeToken = (path: string, token: string): void => {
  try {
    const existing: Record<string, unknown> = existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>) : {}
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    writeFileSync(path, `${JSON.stringify({ ...existing, token }, null, 2)}\n`, { mode: 0o600 })
    // writeFileSync's mode only applies to a new file; an existing one is tightened too.
    chmodSync(path, 0o600)
  } catch (error) {
    throw new ConfigError(
      `${path}: cannot store the pairing token: ${(error as Error).message}; pass --token or set SYSBOY_TOKEN`,
    )
  }
}

/** The token to use: the one the settings carry, else a new one stored for next time. */
export const pairingToken = (configured: string | undefined, configPath: string): { token: string; created: boolean } => {
  if (configured !== undefined) return { token: configured, created: false }
  const token = newToken()
  storeToken(configPath, token)
  return { token, created: true }
}
