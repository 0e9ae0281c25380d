// The host's version: baked in by `host/build.ts` as a build-time define, else package.json's when run from source.
import pkg from '../package.json' with { type: 'json' }

// `bun build --define SYSBOY_BUILD_VERSION='"x.y.z"'` replaces this identifier; from source it is not declared.
declare const SYSBOY_BUILD_VERSION: string

const built = (): string | undefined => {
  try {
    return SYSBOY_BUILD_VERSION
  } catch {
    return undefined
  }
}

/** The version `sysboy --version` prints and the welcome frame and mDNS TXT record carry. */
export const VERSION: string = built() ?? pkg.version
