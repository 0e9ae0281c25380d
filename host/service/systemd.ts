// A systemd user unit that runs sysboy at login (Linux).
import { join } from 'node:path'
import type { ServiceFile } from './service-file.ts'

// systemd splits ExecStart itself: quote what has spaces or quotes, and double `%` and `$`, which it expands.
const quote = (arg: string): string => {
  const escaped = arg.replaceAll('%', '%%').replaceAll('$', '$$$$')
  return /[\s"'\\;]/.test(escaped) || escaped === '' ? `"${escaped.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"` : escaped
}

// No network-online.target: a user unit cannot depend on it. The user manager does not see the system's units, so
// Wants=/After= on it would only log a missing unit and order nothing. sysboy binds every interface by default, and
// Restart= covers a --bind address that is not up yet at login.
export const systemdUnit = (command: readonly string[], env: Record<string, string | undefined>, home: string): ServiceFile => {
  const configHome = env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== '' ? env.XDG_CONFIG_HOME : join(home, '.config')
  return {
    kind: 'systemd user unit',
    path: join(configHome, 'systemd', 'user', 'sysboy.service'),
    content: `[Unit]
Description=Sysboy host: live PC figures for Sysboy panel meters

[Service]
ExecStart=${command.map(quote).join(' ')}
Restart=on-failure
RestartSec=5

[Install]
WantedBy=default.target
`,
    nextStep: 'systemctl --user daemon-reload && systemctl --user enable --now sysboy',
  }
}
