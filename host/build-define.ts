// What `npm run build` bakes into the executable with `define` (host/build-config.ts): each such identifier is
// replaced by its value there, and from source it is not declared at all, so reading it throws a ReferenceError.

/** The value `read` gives (a build-time define), or `fromSource` where the identifier is not defined. */
export const buildDefine = <T>(read: () => T, fromSource: T): T => {
  try {
    return read()
  } catch (error) {
    if (error instanceof ReferenceError) return fromSource
    throw error
  }
}
