// Pure readers of the /proc files smoke takes from inside a container: listening sockets, process states, uids.

export interface ListeningSocket {
  /** Printable address: "0.0.0.0", "127.0.0.1", "::", "::1", "::ffff:127.0.0.1". */
  address: string;
  port: number;
  family: 4 | 6;
  loopback: boolean;
}

const LISTEN = '0A';

function ipv4(hex: string): string {
  // /proc/net/tcp prints the address as one 32-bit word in host (little-endian) order.
  const n = parseInt(hex, 16);
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, (n >>> 24) & 0xff].join('.');
}

function ipv6(hex: string): string {
  // Four 32-bit words, each in host order.
  const bytes: number[] = [];
  for (let w = 0; w < 4; w++) {
    const word = hex.slice(w * 8, w * 8 + 8);
    for (let b = 3; b >= 0; b--) bytes.push(parseInt(word.slice(b * 2, b * 2 + 2), 16));
  }
  if (bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff) {
    return `::ffff:${bytes.slice(12).join('.')}`;
  }
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  // compress the longest run of zero groups
  let best = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) return groups.join(':');
  return `${groups.slice(0, best).join(':')}::${groups.slice(best + bestLen).join(':')}`;
}

function isLoopback(address: string): boolean {
  return address.startsWith('127.') || address === '::1' || address.startsWith('::ffff:127.');
}

/** Listening TCP sockets from the text of /proc/net/tcp (family 4) or /proc/net/tcp6 (family 6). */
export function parseProcNetTcp(text: string, family: 4 | 6): ListeningSocket[] {
  const out: ListeningSocket[] = [];
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 4 || cols[3] !== LISTEN) continue;
    const [addrHex, portHex] = (cols[1] ?? '').split(':');
    if (!addrHex || !portHex) continue;
    const address = family === 4 ? ipv4(addrHex) : ipv6(addrHex);
    out.push({ address, port: parseInt(portHex, 16), family, loopback: isLoopback(address) });
  }
  return out;
}

export function formatSocket(s: ListeningSocket): string {
  return s.family === 6 && !s.address.startsWith('::ffff:') ? `[${s.address}]:${s.port}` : `${s.address}:${s.port}`;
}

/** Unique sockets (the same address:port can be listed once per listening process). */
export function uniqueSockets(sockets: readonly ListeningSocket[]): ListeningSocket[] {
  const seen = new Map<string, ListeningSocket>();
  for (const s of sockets) seen.set(formatSocket(s), s);
  return [...seen.values()].sort((a, b) => a.port - b.port || a.family - b.family || (a.address < b.address ? -1 : 1));
}

export interface ProcState {
  pid: number;
  comm: string;
  state: string;
  ppid: number;
}

/** One /proc/PID/stat line: "12 (python app) Z 1 …" (comm may contain spaces and parentheses). */
export function parseProcStat(line: string): ProcState | undefined {
  const open = line.indexOf('(');
  const close = line.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const pid = parseInt(line.slice(0, open).trim(), 10);
  const rest = line.slice(close + 1).trim().split(/\s+/);
  if (!Number.isFinite(pid) || rest.length < 2) return undefined;
  return { pid, comm: line.slice(open + 1, close), state: rest[0]!, ppid: parseInt(rest[1]!, 10) };
}

/** The effective uid from /proc/PID/status ("Uid:\treal\teffective\tsaved\tfs"). */
export function parseStatusUid(text: string): number | undefined {
  const m = /^Uid:\s+(\d+)\s+(\d+)/m.exec(text);
  return m ? Number(m[2]) : undefined;
}
