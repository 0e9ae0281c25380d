// The dashboard page as an HTML bundle: Bun bundles index.html with its script, styles and assets (uPlot, the WASM
// meter) when the host starts from source, and at `bun build --compile` time into the executable; Bun.serve serves
// it from `routes`.
import page from './index.html'

export const DASHBOARD_PAGE: Bun.HTMLBundle = page
