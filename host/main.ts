// The sysboy executable's entry point: `sysboy --metric vram` and its subcommands (see host/cli/).
import { runCli } from './cli/cli.ts'
import { processConsole } from './cli/console.ts'

const code = await runCli(process.argv.slice(2), process.env, processConsole())
process.exit(code)
