import { describe, expect, it } from 'bun:test'
import { serviceFileFor } from './service-file.ts'

const command = ['/opt/sysboy dir/sysboy', '--metric', 'vram', '--bind', '0.0.0.0', '--query', 'sum(rate(x[5m])) > 50%']

describe('service files', () => {
  it('writes a systemd user unit under XDG_CONFIG_HOME, quoting what systemd would split or expand', () => {
    const file = serviceFileFor('linux', command, { XDG_CONFIG_HOME: '/home/u/.cfg' }, '/home/u')
    expect(file?.path).toBe('/home/u/.cfg/systemd/user/sysboy.service')
    expect(file?.content).toContain('ExecStart="/opt/sysboy dir/sysboy" --metric vram --bind 0.0.0.0 --query "sum(rate(x[5m])) > 50%%"\n')
    expect(file?.content).toContain('WantedBy=default.target')
    expect(file?.nextStep).toBe('systemctl --user daemon-reload && systemctl --user enable --now sysboy')
  })

  it('leaves network-online.target out of the user unit, which cannot depend on system targets', () => {
    const file = serviceFileFor('linux', command, {}, '/home/u')
    expect(file?.content).not.toContain('network-online')
    expect(file?.content).toStartWith('[Unit]\nDescription=Sysboy host: live PC figures for Sysboy panel meters\n\n[Service]\n')
  })

  it('writes a launchd agent with one string per argument, XML-escaped', () => {
    const file = serviceFileFor('darwin', command, {}, '/Users/u')
    expect(file?.path).toBe('/Users/u/Library/LaunchAgents/dev.sysboy.host.plist')
    expect(file?.content).toContain('<string>sum(rate(x[5m])) &gt; 50%</string>')
    expect(file?.content).toContain('<key>RunAtLoad</key>\n  <true/>')
    expect(file?.nextStep).toStartWith('launchctl bootstrap gui/$(id -u) ')
  })

  it('writes a Windows logon task with the arguments quoted for CommandLineToArgvW', () => {
    const file = serviceFileFor('win32', ['C:\\Program Files\\sysboy.exe', '--query', 'a "b"'], { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' })
    expect(file?.path).toBe('C:\\Users\\u\\AppData\\Roaming\\sysboy\\sysboy-task.xml')
    expect(file?.content).toContain('<Command>C:\\Program Files\\sysboy.exe</Command>')
    expect(file?.content).toContain('<Arguments>--query &quot;a \\&quot;b\\&quot;&quot;</Arguments>')
    expect(file?.encoding).toBe('utf16le')
    expect(file?.nextStep).toContain('schtasks /Create /TN sysboy /XML')
  })

  it('has nothing for other platforms', () => {
    expect(serviceFileFor('aix', command, {})).toBeUndefined()
  })
})
