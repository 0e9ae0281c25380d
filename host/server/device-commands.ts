// Carries out device commands (button, select_metric, identify) and answers each with an ack.
import type { DeviceMessage, ErrorMessage, HostMessage, SessionConfig } from '../../schema/index.ts'
import type { DeviceSession } from '../hub/device-session.ts'

type Command = Extract<DeviceMessage, { type: 'button' | 'select_metric' | 'identify' }>

export interface CommandContext {
  /** The metrics this host offers, in the order a button press cycles through them. */
  metrics: readonly string[]
  now: number
}

const rebind = (config: SessionConfig, output: string, metric: string): SessionConfig => ({
  ...config,
  bindings: config.bindings.some((b) => b.output === output)
    ? config.bindings.map((b) => (b.output === output ? { output, metric } : b))
    : [...config.bindings, { output, metric }],
})

const offered = (metrics: readonly string[]): string => metrics.join(', ')

/** The output a button drives: the output at the button's position, else the first output. */
const outputForButton = (session: DeviceSession, button: string): string | undefined => {
  const index = session.hello.buttons.findIndex((b) => b.id === button)
  if (index < 0) return undefined
  return (session.hello.outputs[index] ?? session.hello.outputs[0])?.id
}

/** The config that rebinds the output; sending it to the device is what makes the switch happen. */
const switchTo = (session: DeviceSession, output: string, metric: string): HostMessage => ({
  type: 'config',
  ...rebind(session.config, output, metric),
})

/**
 * The replies to one command, in order: an error first when it names a bad metric or output, then the ack, then
 * the new config when the command changes what the device shows. Nothing is applied here: the caller applies a
 * config reply as it sends it.
 */
export const carryOut = (command: Command, session: DeviceSession, context: CommandContext): HostMessage[] => {
  const { id } = command
  switch (command.type) {
    case 'identify':
      session.identifiedAt = context.now
      return [{ type: 'ack', id, ok: true }]
    case 'button': {
      if (command.press === 'long') return [{ type: 'ack', id, ok: false, reason: 'a long press is handled on the device' }]
      const output = outputForButton(session, command.button)
      if (output === undefined) return [{ type: 'ack', id, ok: false, reason: `unknown button '${command.button}'` }]
      const current = session.config.bindings.find((b) => b.output === output)?.metric
      const at = current === undefined ? -1 : context.metrics.indexOf(current)
      const next = context.metrics[(at + 1) % context.metrics.length]
      if (next === undefined) return [{ type: 'ack', id, ok: false, reason: 'this host offers no metrics' }]
      const config = switchTo(session, output, next)
      return [{ type: 'ack', id, ok: true, metric: next }, config]
    }
    case 'select_metric': {
      const refuse = (code: ErrorMessage['code'], reason: string): HostMessage[] => [
        { type: 'error', code, reason, id },
        { type: 'ack', id, ok: false, reason },
      ]
      if (!session.hello.outputs.some((o) => o.id === command.output)) {
        return refuse('unknown_output', `unknown output '${command.output}'; this device has ${session.hello.outputs.map((o) => o.id).join(', ')}`)
      }
      if (!context.metrics.includes(command.metric)) {
        return refuse('unknown_metric', `unknown metric '${command.metric}'; this host offers ${offered(context.metrics)}`.slice(0, 200))
      }
      const config = switchTo(session, command.output, command.metric)
      return [{ type: 'ack', id, ok: true, metric: command.metric }, config]
    }
  }
}
