// The credentials file (credentials.json beside config.json): the boards paired by approval, each credential kept as
// its SHA-256. Readable by its owner only, and replaced whole on each change so a crash never leaves half a file.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { credentialsFile } from '../../schema/generated/checks.ts'
import type { CredentialsFile, StoredCredential } from '../../schema/host-config.ts'
import { printable } from '../../schema/printable.ts'
import { ConfigError } from './file.ts'

/** Where the credentials of the install whose config is `configPath` are kept. */
export const credentialsPathFor = (configPath: string): string => join(dirname(configPath), 'credentials.json')

/** The stored credentials; a missing file holds none. */
export const readCredentials = (path: string): StoredCredential[] => {
  let text: string
  try {
    text = readFileSync(path, 'utf8')
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []
    throw new ConfigError(`${path}: cannot read the credentials file: ${(error as Error).message}`)
  }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch (error) {
    throw new ConfigError(`${path}: not valid JSON: ${printable((error as Error).message, 160)}; delete it to forget every paired board`)
  }
  if (!credentialsFile.check(value)) {
    throw new ConfigError(`${path}: not a sysboy credentials file ({"credentials": [{"device", "sha256", "issued"}]}); delete it to forget every paired board`)
  }
  return (value as CredentialsFile).credentials
}

/** Replaces the file with `entries`: written beside it with mode 0600, then renamed over it. */
export const writeCredentials = (path: string, entries: readonly StoredCredential[]): void => {
  const temporary = `${path}.${process.pid}.tmp`
  const file: CredentialsFile = { credentials: [...entries] }
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
    writeFileSync(temporary, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 })
    chmodSync(temporary, 0o600)
    renameSync(temporary, path)
  } catch (error) {
    throw new ConfigError(`${path}: cannot store the paired boards: ${(error as Error).message}`)
  }
}
