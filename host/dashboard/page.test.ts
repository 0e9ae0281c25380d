import { describe, expect, it } from 'bun:test'
import { DASHBOARD_HTML } from './page.ts'

describe('dashboard page', () => {
  it('is the HTML text, reading the REST API with the bearer token', () => {
    expect(typeof DASHBOARD_HTML).toBe('string')
    expect(DASHBOARD_HTML).toStartWith('<!doctype html>')
    expect(DASHBOARD_HTML).toContain("fetch(path, { headers: { Authorization: `Bearer ${token}` } })")
    expect(DASHBOARD_HTML).toContain("api('/api/devices')")
  })

  it('never puts API strings in as HTML', () => {
    expect(DASHBOARD_HTML).not.toContain('innerHTML')
  })
})
