// The "Install on a board" page as an HTML bundle: Bun bundles index.html with its script (ESP Web Tools, from
// node_modules) and styles, at `bun build --compile` time into the executable; the server serves it at /install.
import page from './index.html'

export const INSTALL_PAGE: Bun.HTMLBundle = page
