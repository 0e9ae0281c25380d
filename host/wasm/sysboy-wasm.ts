// Loads the host's WebAssembly module (firmware-rs/wasm: the board's scenes and meter maths) in Bun or a browser,
// from its bytes, an already compiled module, or its URL; no Node APIs, no imports into the module.

/** The module's bytes, or the module compiled (`WebAssembly.compile`, `compileStreaming`). */
export type SysboyWasmSource = BufferSource | WebAssembly.Module

/** An instance of the module: a fresh memory, fresh scene and meter slots. */
export const instantiateSysboyWasm = async (source: SysboyWasmSource): Promise<WebAssembly.Instance> => {
  // A Module has no members, so TypeScript cannot narrow the union by `instanceof`: the cast says what it is.
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source as BufferSource)
  return WebAssembly.instantiate(module, {})
}

/**
 * Fetches and compiles the module at `url` (in a page, the URL its bundle gives for `SYSBOY_WASM_URL`), streaming
 * when the server says `application/wasm`. Compile once and instantiate as often as needed.
 */
export const compileSysboyWasm = async (url: string | URL): Promise<WebAssembly.Module> => {
  const response = await fetch(url)
  if (!response.ok) throw new Error(`the sysboy WebAssembly module did not load from ${url}: HTTP ${response.status}`)
  if (response.headers.get('content-type')?.split(';')[0]?.trim() === 'application/wasm') return WebAssembly.compileStreaming(response)
  return WebAssembly.compile(await response.arrayBuffer())
}
