// The firmware images inside the executable: `bun build --compile` embeds the files host/firmware/prepare.ts copied
// to generated/ (an empty file for an image the build had none of). Imported lazily by load.ts, so a host run from
// source before any build starts without them.
import c3App from './generated/sysboy-esp32c3-app.bin' with { type: 'file' }
import c3Merged from './generated/sysboy-esp32c3.bin' with { type: 'file' }
import c6App from './generated/sysboy-esp32c6-app.bin' with { type: 'file' }
import c6Merged from './generated/sysboy-esp32c6.bin' with { type: 'file' }
import type { FirmwareChip } from './catalog.ts'

/** Each chip's files, as paths Bun.file reads (inside the executable once compiled). */
export const EMBEDDED_FILES: Readonly<Record<FirmwareChip, { merged: string; app: string }>> = {
  esp32c3: { merged: c3Merged, app: c3App },
  esp32c6: { merged: c6Merged, app: c6App },
}
