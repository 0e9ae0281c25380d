// The one error the config layer throws: a bad file, flag or variable, already worded as `where: field: reason`.
export class ConfigError extends Error {
  override readonly name = 'ConfigError'
}
