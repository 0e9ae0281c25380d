// Every protocol schema by name, for code that needs the values rather than the types.
export * from './common.ts'
export * from './host-message.ts'
export * from './device-message.ts'
