// The Windows (typeperf, reg) and macOS (ioreg) parsers, on text captured from those tools.
import { describe, expect, it } from 'bun:test'
import { parseIoregAccelerators } from './ioreg-text.ts'
import { parseRegMemorySizes, TypeperfCsv } from './pdh-csv.ts'

describe('typeperf parser', () => {
  it('reads each adapter\'s dedicated usage from the CSV stream', () => {
    const csv = new TypeperfCsv()
    const lines = [
      '',
      '"(PDH-CSV 4.0)","\\\\DESK\\GPU Adapter Memory(luid_0x00000000_0x0000D1B7_phys_0)\\Dedicated Usage","\\\\DESK\\GPU Adapter Memory(luid_0x00000000_0x0000EA5B_phys_0)\\Dedicated Usage"',
      '"05/12/2024 10:00:01.123","2147483648.000000","0.000000"',
      '"05/12/2024 10:00:02.125","3221225472.000000"," "',
    ]
    const samples = lines.map((line) => csv.line(line))
    expect(samples[0]).toBeUndefined()
    expect(samples[1]).toBeUndefined()
    expect(samples[2]).toEqual([
      { instance: 'luid_0x00000000_0x0000D1B7_phys_0', used: 2147483648 },
      { instance: 'luid_0x00000000_0x0000EA5B_phys_0', used: 0 },
    ])
    expect(samples[3]).toEqual([{ instance: 'luid_0x00000000_0x0000D1B7_phys_0', used: 3221225472 }])
  })

  it('reads adapter memory sizes from reg query', () => {
    const text = [
      'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e968-e325-11ce-bfc1-08002be10318}\\0000',
      '    HardwareInformation.qwMemorySize    REG_QWORD    0x200000000',
      '',
      'HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Class\\{4d36e968-e325-11ce-bfc1-08002be10318}\\0001',
      '    HardwareInformation.qwMemorySize    REG_QWORD    0x20000000',
      'End of search: 2 match(es) found.',
    ].join('\r\n')
    expect(parseRegMemorySizes(text)).toEqual([8 * 1024 ** 3, 512 * 1024 ** 2])
  })
})

describe('ioreg parser', () => {
  it('reads unified memory in use on Apple silicon, leaving the total to RAM', () => {
    const text = `+-o AGXAcceleratorG13X  <class AGXAcceleratorG13X, id 0x1000003a5, registered, matched, active, busy 0 (0 ms), retain 105>
    {
      "IOClass" = "AGXAcceleratorG13X"
      "PerformanceStatistics" = {"In use system memory (driver)"=0,"Alloc system memory"=2617507840,"Tiler Utilization %"=3,"recoveryCount"=0,"Renderer Utilization %"=5,"Device Utilization %"=7,"In use system memory"=620675072,"lastRecoveryTime"=0}
      "AGXParameterBufferMaxSize" = 201326592
    }
`
    expect(parseIoregAccelerators(text)).toEqual([{ used: 620675072, total: undefined }])
  })

  it('reads VRAM of a discrete GPU from its used and free bytes', () => {
    const text = `+-o AMDRadeonX6000_AMDNavi14GraphicsAccelerator  <class AMDRadeonX6000_AMDNavi14GraphicsAccelerator, id 0x100000455, registered, matched, active, busy 0 (1 ms), retain 40>
    {
      "PerformanceStatistics" = {"Device Unit 0 Utilization %"=0,"vramFreeBytes"=3221225472,"vramUsedBytes"=1073741824,"GPU Activity(%)"=4,"Device Utilization %"=4}
    }
+-o IntelAccelerator  <class IntelAccelerator, id 0x100000460, registered, matched, active, busy 0 (0 ms), retain 20>
    {
      "IOClass" = "IntelAccelerator"
    }
`
    expect(parseIoregAccelerators(text)).toEqual([{ used: 1073741824, total: 4294967296 }])
  })
})
