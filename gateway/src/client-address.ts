import { isIP, isIPv4 } from 'node:net'

/*
 * Who the client is: which peers may name it in X-Forwarded-For, and the key its IP budget is
 * kept under.
 */

/** Whether `entry` is an IP address or a CIDR range (`10.0.0.0/8`, `fd00::/8`). */
export function isAddressRange(entry: string): boolean {
  const [address = '', prefix, extra] = entry.split('/')
  const family = isIP(address)
  if (family === 0 || extra !== undefined) return false
  if (prefix === undefined) return true
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

const IPV4_MAPPED = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i

/**
 * The key of a client's IP budget. An IPv6 client is its /64: that is what one subscriber or host
 * gets, so keying each address apart would give one client 2^64 budgets to rotate through. An
 * IPv4-mapped address is the IPv4 client it maps.
 */
export function clientKey(ip: string): string {
  const mapped = IPV4_MAPPED.exec(ip)?.[1]
  if (mapped) return mapped
  if (isIPv4(ip) || isIP(ip) === 0) return ip
  return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`
}

/** The eight 16-bit groups of an IPv6 address, in hex without leading zeros. */
function ipv6Groups(ip: string): string[] {
  const [address = ''] = ip.split('%') // a zone (`fe80::1%eth0`) names an interface, not the host
  const [head = '', tail] = address.split('::')
  const groups = (part: string) =>
    part === ''
      ? []
      : part.split(':').flatMap((g) => {
          if (!g.includes('.')) return [g]
          // A trailing IPv4 part (`64:ff9b::192.0.2.1`) is two groups.
          const [a = 0, b = 0, c = 0, d = 0] = g.split('.').map(Number)
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)]
        })
  const first = groups(head)
  const last = tail === undefined ? [] : groups(tail)
  const zeros = Array.from({ length: 8 - first.length - last.length }, () => '0')
  return [...first, ...zeros, ...last].map((g) => Number.parseInt(g, 16).toString(16))
}
