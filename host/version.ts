// The host's version: baked in by `npm run build` as a build-time define (host/build-config.ts), else package.json's
// when run from source.
import pkg from '../package.json' with { type: 'json' }
import { buildDefine } from './build-define.ts'

// The build (host/build-config.ts) defines this identifier as the version it builds; from source it is not declared.
declare const SYSBOY_BUILD_VERSION: string

/** The version `sysboy --version` prints and the welcome frame and mDNS TXT record carry. */
export const VERSION: string = buildDefine(() => SYSBOY_BUILD_VERSION, pkg.version)
