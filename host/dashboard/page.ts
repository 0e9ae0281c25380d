// The dashboard page as text, imported so `bun build --compile` embeds it in the executable.
import page from './dashboard.html' with { type: 'text' }

// bun-types describes every *.html import as an HTML bundle; with `type: 'text'` Bun gives the file's text.
export const DASHBOARD_HTML: string = page as unknown as string
