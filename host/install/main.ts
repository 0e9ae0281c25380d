// The install page's script: ESP Web Tools' button (bundled from node_modules, nothing from elsewhere), what this
// sysboy carries, and a plain word when this browser or this address cannot flash a board.
// The prebuilt browser bundle: the package's unbundled build names @material/web internals that its 2.x no longer has.
import 'esp-web-tools/dist/web/install-button.js'
import type { InstallManifest } from '../firmware/firmware-routes.ts'

const element = (id: string): HTMLElement => {
  const found = document.getElementById(id)
  if (found === null) throw new Error(`the page has no #${id}`)
  return found
}

const showLimits = (): void => {
  if (!window.isSecureContext) {
    const local = `http://localhost${location.port === '' ? '' : `:${location.port}`}/install`
    const link = element('localhost-link') as HTMLAnchorElement
    link.href = local
    link.textContent = local
    element('not-secure').hidden = false
  } else if (!('serial' in navigator)) {
    element('no-serial').hidden = false
  }
}

const showFirmware = async (): Promise<void> => {
  const said = element('firmware')
  try {
    const response = await fetch('/firmware/manifest.json')
    if (!response.ok) {
      said.textContent = 'This sysboy carries no firmware to install (it was built without the images). Use a release build, or flash with cargo espflash.'
      element('install').hidden = true
      return
    }
    const manifest = (await response.json()) as InstallManifest
    const chips = manifest.builds.map((b) => b.chipFamily).join(' and ')
    said.textContent = `This sysboy carries Sysboy firmware ${manifest.version} for ${chips}.`
  } catch (error) {
    said.textContent = `The firmware list did not load: ${(error as Error).message}. Is sysboy still running?`
  }
}

showLimits()
void showFirmware()
