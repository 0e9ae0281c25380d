// Where the host's WebAssembly module is, for a page: in the dashboard's Bun HTML bundle this import becomes the URL
// of the module copied beside the page (a hashed asset); under Bun itself it is the file's path (in the executable
// once compiled). Built by scripts/scenes-wasm.sh into host/screens/generated/ (git-ignored; `npm run build`).
import url from '../screens/generated/scenes.wasm' with { type: 'file' }

/** The module's URL in a browser bundle; its file path under Bun. */
export const SYSBOY_WASM_URL: string = url
