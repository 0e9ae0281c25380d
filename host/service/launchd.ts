// A launchd agent that runs sysboy at login (macOS).
import { join } from 'node:path'
import type { ServiceFile } from './service-file.ts'
import { xmlEscape } from './xml.ts'

export const LAUNCHD_LABEL = 'dev.sysboy.host'

export const launchdAgent = (command: readonly string[], home: string): ServiceFile => {
  const path = join(home, 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)
  const args = command.map((arg) => `    <string>${xmlEscape(arg)}</string>`).join('\n')
  return {
    kind: 'launchd agent',
    path,
    content: `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key>
  <string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args}
  </array>
  <key>RunAtLoad</key>
  <true/>
  <key>KeepAlive</key>
  <dict>
    <key>SuccessfulExit</key>
    <false/>
  </dict>
  <key>StandardOutPath</key>
  <string>${xmlEscape(join(home, 'Library', 'Logs', 'sysboy.log'))}</string>
  <key>StandardErrorPath</key>
  <string>${xmlEscape(join(home, 'Library', 'Logs', 'sysboy.log'))}</string>
</dict>
</plist>
`,
    nextStep: `launchctl bootstrap gui/$(id -u) ${path}`,
  }
}
