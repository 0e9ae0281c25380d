// A Windows Task Scheduler task (XML for `schtasks /Create /XML`) that runs sysboy at logon.
import { win32 } from 'node:path'
import type { ServiceFile } from './service-file.ts'
import { xmlEscape } from './xml.ts'

// The rules CommandLineToArgvW undoes: quote args with spaces or quotes, backslash-escape inner quotes.
const quote = (arg: string): string =>
  /[\s"]/.test(arg) || arg === '' ? `"${arg.replace(/(\\*)"/g, '$1$1\\"').replace(/(\\+)$/, '$1$1')}"` : arg

export const windowsTask = (command: readonly string[], appData: string): ServiceFile => {
  const path = win32.join(appData, 'sysboy', 'sysboy-task.xml')
  const [program = 'sysboy.exe', ...args] = command
  return {
    kind: 'Windows scheduled task',
    path,
    content: `<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">
  <RegistrationInfo>
    <Description>Sysboy host: live PC figures for Sysboy panel meters</Description>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>${xmlEscape(program)}</Command>
      <Arguments>${xmlEscape(args.map(quote).join(' '))}</Arguments>
    </Exec>
  </Actions>
</Task>
`,
    nextStep: `schtasks /Create /TN sysboy /XML "${path}"`,
    // schtasks reads task files as UTF-16, as the XML declaration says.
    encoding: 'utf16le',
  }
}
