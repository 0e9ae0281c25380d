// The dashboard's entry point, bundled by Bun with index.html.
import { render } from 'preact'
import { App } from './components/app.tsx'

render(<App />, document.getElementById('app') as HTMLElement)
