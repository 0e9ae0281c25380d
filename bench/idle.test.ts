import { describe, expect, test } from 'bun:test'
import { extraEnv } from './idle.ts'

describe('BENCH_IDLE_ENV', () => {
  test('gives every NAME=value word, a value that holds = or nothing included', () => {
    expect(extraEnv(' MIMALLOC_PURGE_DELAY=-1\tBUN_GC_TIMER_DISABLE=1  A=b=c EMPTY=')).toEqual({
      MIMALLOC_PURGE_DELAY: '-1',
      BUN_GC_TIMER_DISABLE: '1',
      A: 'b=c',
      EMPTY: '',
    })
    expect(extraEnv(undefined)).toEqual({})
    expect(extraEnv('   ')).toEqual({})
  })

  test('refuses a word that is not NAME=value, naming it, rather than run without it', () => {
    expect(() => extraEnv('MIMALLOC_PURGE_DELAY=-1 BUN_GC_TIMER_DISABLE')).toThrow("BENCH_IDLE_ENV: 'BUN_GC_TIMER_DISABLE' is not NAME=value")
    expect(() => extraEnv('1X=2')).toThrow("'1X=2' is not NAME=value")
    expect(() => extraEnv('=2')).toThrow("'=2' is not NAME=value")
  })
})
