// Writes the fuzz targets' seeds into firmware-rs/fuzz/seeds/<target>/: every golden vector, and real traffic
// captured with tcpdump while real clients meet the simulated device in a network namespace (busybox udhcpc,
// dig, curl and Chromium on the portal; the real host's upgrade, frames and mDNS answers; python-zeroconf's
// answers). Run by scripts/fuzz-seeds.sh, as root; the seeds are committed, so `npm run fuzz` needs none of this.
import { spawn, spawnSync } from 'bun'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadVectors } from '../../schema/vector-file.ts'
import { launchInNamespace } from '../../tests/fixtures/portal/browser.ts'
import { AP_ADDRESS, AP_TAP, PortalDesk } from '../../tests/fixtures/portal/desk.ts'

const seeds = join(import.meta.dir, 'seeds')
const SAMPLE_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=' // RFC 6455 §1.3, the accept the ws_handshake target expects

rmSync(seeds, { recursive: true, force: true })
const write = (target: string, name: string, bytes: Uint8Array): void => {
  mkdirSync(join(seeds, target), { recursive: true })
  writeFileSync(join(seeds, target, name), bytes)
}
/** The targets' sequence framing (firmware-rs/fuzz/src/lib.rs `messages`): a 2-byte length before each message. */
const framed = (messages: Uint8Array[]): Uint8Array =>
  Buffer.concat(messages.flatMap((m) => [Buffer.from([m.length >> 8, m.length & 0xff]), Buffer.from(m)]))
/** A final, unmasked server frame. */
const serverFrame = (opcode: number, payload: Uint8Array): Buffer => {
  const n = payload.length
  const head = n < 126 ? [0x80 | opcode, n] : [0x80 | opcode, 126, n >> 8, n & 0xff]
  return Buffer.concat([Buffer.from(head), Buffer.from(payload)])
}

// The golden vectors: the frame text both decoders are given.
const frames = loadVectors().map(({ file, frame }) => ({ file, text: Buffer.from(frame) }))
for (const { file, text } of frames) {
  const name = file.replace(/\.json$/, '')
  write('protocol_frames', name, text)
  write('link_session', name, framed([text]))
  write('ws_frames', name, Buffer.concat([Buffer.from([128]), serverFrame(1, text)]))
}
write('link_session', 'every-vector', framed(frames.map((f) => f.text)))

interface Flow { proto: 'udp' | 'tcp'; src: string; sport: number; dst: string; dport: number; payloads: Buffer[] }

/** The UDP datagrams and TCP streams (payloads in sequence order, retransmissions dropped) of a pcap file. */
const readPcap = (bytes: Buffer): Flow[] => {
  const linkType = bytes.readUInt32LE(20)
  const linkHeader = linkType === 1 ? 14 : linkType === 113 ? 16 : linkType === 276 ? 20 : -1
  if (linkHeader < 0) throw new Error(`link type ${linkType} is not read`)
  const flows = new Map<string, Flow & { seen: Set<number> }>()
  for (let at = 24; at + 16 <= bytes.length;) {
    const length = bytes.readUInt32LE(at + 8)
    const packet = bytes.subarray(at + 16, at + 16 + length)
    at += 16 + length
    const ip = packet.subarray(linkHeader)
    if (ip.length < 20 || ip[0] >> 4 !== 4) continue
    const ihl = (ip[0] & 0x0f) * 4
    const total = Math.min(ip.readUInt16BE(2), ip.length)
    const proto = ip[9] === 17 ? 'udp' : ip[9] === 6 ? 'tcp' : undefined
    if (!proto) continue
    const l4 = ip.subarray(ihl, total)
    const src = [...ip.subarray(12, 16)].join('.'), dst = [...ip.subarray(16, 20)].join('.')
    const sport = l4.readUInt16BE(0), dport = l4.readUInt16BE(2)
    const key = `${proto} ${src}:${sport} ${dst}:${dport}`
    const flow = flows.get(key) ?? { proto, src, sport, dst, dport, payloads: [], seen: new Set<number>() }
    flows.set(key, flow)
    if (proto === 'udp') {
      flow.payloads.push(Buffer.from(l4.subarray(8)))
    } else {
      const payload = l4.subarray((l4[12] >> 4) * 4)
      const seq = l4.readUInt32BE(4)
      if (payload.length > 0 && !flow.seen.has(seq)) {
        flow.seen.add(seq)
        flow.payloads.push(Buffer.from(payload))
      }
    }
  }
  return [...flows.values()]
}

/** Runs a client for the bytes it sends; whether it likes every answer is the portal tests' business. */
const send = (desk: PortalDesk, args: string[]): void => {
  try {
    desk.exec(args)
  } catch (error) {
    console.error(`sysboy: ${error}`)
  }
}

const captureTraffic = async (): Promise<Flow[]> => {
  const desk = await PortalDesk.open(42.3)
  const pcap = join(tmpdir(), `sysboy-capture-${process.pid}.pcap`)
  const ns = desk.namespace.name
  const tcpdump = spawn(['ip', 'netns', 'exec', ns, 'tcpdump', '-i', 'any', '-y', 'LINUX_SLL', '-U', '-s', '0', '-w', pcap], { stderr: 'ignore' })
  let zeroconf: ReturnType<typeof spawn> | undefined
  try {
    await Bun.sleep(1000)
    const device = await desk.startDevice()
    await device.waitForEvent('access point', (e) => e.event === 'access_point', 10_000)
    desk.exec(['busybox', 'udhcpc', '-i', AP_TAP, '-f', '-q', '-n', '-t', '5', '-O', '114', '-s', join(import.meta.dir, '../../tests/fixtures/portal/udhcpc-script.sh')])
    for (const args of [['connectivitycheck.gstatic.com'], ['captive.apple.com', 'AAAA'], ['example.org', 'ANY'], ['sysboy.setup', 'MX'], ['_http._tcp.local', 'PTR']]) {
      send(desk, ['dig', '+time=2', '+tries=1', `@${AP_ADDRESS}`, ...args])
    }
    send(desk, ['curl', '-s', '-o', '/dev/null', 'http://connectivitycheck.gstatic.com/generate_204', '--resolve', `connectivitycheck.gstatic.com:80:${AP_ADDRESS}`])
    send(desk, ['curl', '-s', '-o', '/dev/null', '-I', `http://${AP_ADDRESS}/status`])
    send(desk, ['curl', '-s', '-o', '/dev/null', '-X', 'DELETE', `http://${AP_ADDRESS}/`])
    send(desk, ['curl', '-s', '-o', '/dev/null', '-X', 'POST', `http://${AP_ADDRESS}/rescan`])
    desk.submit('wrong', 'Cafe Guest')
    desk.usePortalDns()
    const browser = await launchInNamespace(ns)
    const page = await browser.browser.newPage()
    await page.goto('http://connectivitycheck.gstatic.com/generate_204', { timeout: 20_000 })
    await page.locator('button.network').first().click().catch(() => {})
    await browser.close()
    // python-zeroconf announces a second Sysboy host while the device looks for one.
    zeroconf = spawn([join(import.meta.dir, '../../.cache/venv/bin/python'), '-c', `
import socket, time
from zeroconf import IPVersion, ServiceInfo, Zeroconf
zc = Zeroconf(ip_version=IPVersion.V4Only)
zc.register_service(ServiceInfo('_sysboy._tcp.local.', 'zeroconf-desk._sysboy._tcp.local.', addresses=[socket.inet_aton('192.168.1.77'), socket.inet_aton('172.17.0.1')], port=8077, properties={'path': '/ws', 'v': '1'}, server='zeroconf-desk.local.'))
time.sleep(20)
zc.close()
`].map((a) => a), { stdout: 'ignore', stderr: 'inherit', env: { ...process.env } })
    const joined = desk.submit('correct-horse-42')
    if (joined !== '303') throw new Error(`the join answered ${joined}`)
    await device.waitForEvent('live link', (e) => e.event === 'live', 30_000)
    await Bun.sleep(3000)
  } finally {
    zeroconf?.kill()
    tcpdump.kill('SIGINT')
    await tcpdump.exited
    await desk.close()
  }
  const flows = readPcap(readFileSync(pcap))
  rmSync(pcap, { force: true })
  return flows
}

// python-zeroconf's own answer packets for a Sysboy host (PTR, SRV, TXT, A; then a goodbye), built offline.
const zeroconfAnswers = spawnSync([join(import.meta.dir, '../../.cache/venv/bin/python'), '-c', `
import socket
from zeroconf import DNSAddress, DNSOutgoing, DNSPointer, DNSService, DNSText, const
def answer(ttl, addresses):
    out = DNSOutgoing(const._FLAGS_QR_RESPONSE | const._FLAGS_AA)
    name = 'zeroconf-desk._sysboy._tcp.local.'
    out.add_answer_at_time(DNSPointer('_sysboy._tcp.local.', const._TYPE_PTR, const._CLASS_IN, ttl, name), 0)
    out.add_answer_at_time(DNSService(name, const._TYPE_SRV, const._CLASS_IN | const._CLASS_UNIQUE, ttl, 0, 0, 8077, 'zeroconf-desk.local.'), 0)
    out.add_answer_at_time(DNSText(name, const._TYPE_TXT, const._CLASS_IN | const._CLASS_UNIQUE, ttl, b'\x07path=/ws\x03v=1'), 0)
    for address in addresses:
        out.add_answer_at_time(DNSAddress('zeroconf-desk.local.', const._TYPE_A, const._CLASS_IN | const._CLASS_UNIQUE, ttl, socket.inet_aton(address)), 0)
    return out.packets()[0].hex()
print(answer(120, ['172.17.0.1', '192.168.1.77']))
print(answer(0, ['192.168.1.77']))
`])
if (zeroconfAnswers.exitCode !== 0) throw new Error(`python-zeroconf: ${zeroconfAnswers.stderr.toString()}`)
const [announce, goodbye] = zeroconfAnswers.stdout.toString().trim().split('\n').map((hex) => Buffer.from(hex, 'hex'))
write('mdns_answer', 'zeroconf-announce', framed([announce]))
write('mdns_answer', 'zeroconf-announce-then-goodbye', framed([announce, goodbye]))

const flows = await captureTraffic()
let count = 0
for (const [index, flow] of flows.entries()) {
  const name = `captured-${flow.proto}-${flow.dport}-${index}`
  if (flow.proto === 'udp' && flow.dport === 67) write('portal_dhcp', name, framed(flow.payloads))
  if (flow.proto === 'udp' && flow.dport === 53) flow.payloads.forEach((q, i) => write('portal_dns', `${name}-${i}`, Buffer.concat([Buffer.from([128]), q])))
  if (flow.proto === 'udp' && flow.dport === 5353) {
    const answers = flow.payloads.filter((p) => p.length > 12 && p[2] & 0x80)
    if (answers.length > 0) write('mdns_answer', name, framed(answers))
  }
  if (flow.proto === 'tcp' && flow.dport === 80 && flow.payloads.length > 0) {
    const request = Buffer.concat(flow.payloads)
    write('portal_http', name, request)
    const head = request.indexOf('\r\n\r\n')
    if (request.subarray(0, 5).toString() === 'POST ' && head > 0) write('portal_form', name, request.subarray(head + 4))
  } else if (flow.proto === 'tcp' && flow.sport === 8077 && flow.payloads.length > 0) {
    const stream = Buffer.concat(flow.payloads)
    const head = stream.indexOf('\r\n\r\n')
    if (head < 0 || !stream.subarray(0, 12).toString().startsWith('HTTP/1.1 101')) continue
    const response = stream.subarray(0, head + 4).toString().replace(/(Sec-WebSocket-Accept: )\S+/i, `$1${SAMPLE_ACCEPT}`)
    write('ws_handshake', name, Buffer.concat([Buffer.from([128]), Buffer.from(response), stream.subarray(head + 4, head + 4 + 64)]))
    write('ws_frames', name, Buffer.concat([Buffer.from([128]), stream.subarray(head + 4, head + 4 + 4000)]))
  } else continue
  count++
}
// The update's images: crafted ones (sysboy_device::ota::craft), written by a small Rust program in the target's layout.
const otaSeeds = spawnSync(['cargo', 'run', '-q', '--example', 'ota_seeds'], { cwd: import.meta.dir, stdout: 'inherit', stderr: 'pipe' })
if (otaSeeds.exitCode !== 0) throw new Error(`the ota_image seeds: ${otaSeeds.stderr.toString().trim()}`)
console.log(`sysboy: ${frames.length} vectors and ${count} captured flows written to ${seeds}`)
