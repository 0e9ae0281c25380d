import { describe, expect, it } from 'bun:test'
import { readFileSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { DASHBOARD_PAGE } from './page.ts'

const sources = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sources(join(dir, entry.name)) : /\.(tsx?|html)$/.test(entry.name) && !entry.name.endsWith('.test.ts') ? [join(dir, entry.name)] : [],
  )

describe('dashboard page', () => {
  it('is an HTML bundle of index.html, for Bun.serve routes', () => {
    expect(DASHBOARD_PAGE.index).toEndWith('index.html')
    const html = readFileSync(join(import.meta.dir, 'index.html'), 'utf8')
    expect(html).toStartWith('<!doctype html>')
    expect(html).toContain('<script type="module" src="./main.tsx"></script>')
  })

  it('never puts strings in as HTML', () => {
    for (const file of sources(import.meta.dir)) {
      const text = readFileSync(file, 'utf8')
      expect(text, file).not.toContain('dangerouslySetInnerHTML')
      expect(text, file).not.toContain('innerHTML')
      expect(text, file).not.toContain('insertAdjacentHTML')
    }
  })

  it('loads nothing from another site', () => {
    for (const file of sources(import.meta.dir)) expect(readFileSync(file, 'utf8'), file).not.toMatch(/(src|href)=["']https?:/)
  })
})
