// SEC012: don't disable TLS verification: pip --trusted-host, PIP_TRUSTED_HOST, PYTHONHTTPSVERIFY=0, curl -k, wget --no-check-certificate, git sslVerify.
import { defineRule } from '../../lint/rule.js';
import type { Instruction, Span } from '../../dockerfile/model.js';
import type { ShCommand, ShWord } from '../../dockerfile/shell.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { runScript } from '../../dockerfile/shell.js';
import { findFlag, pipCall, positionals } from '../../dockerfile/commands.js';

/** curl short options that take a value: the rest of a bundle after one of them is that value. */
const CURL_VALUE_SHORTS = new Set('dDeEFHKoOPrtTuUwxXyYzAbcCmQh'.split('').filter((c) => c !== 'O'));

/** `-k` / `--insecure` in curl's argv, also inside bundles such as `-fsSLk`. */
function curlInsecure(cmd: ShCommand): ShWord | undefined {
  for (let i = 1; i < cmd.argv.length; i++) {
    const w = cmd.argv[i]!;
    const v = w.value;
    if (v === '--') return undefined;
    if (v === '--insecure' || v === '--proxy-insecure' || v === '--doh-insecure') return w;
    if (!/^-[A-Za-z0-9#:]+$/.test(v) || v.startsWith('--')) continue;
    for (const c of v.slice(1)) {
      if (c === 'k') return w;
      if (CURL_VALUE_SHORTS.has(c)) {
        if (v.endsWith(c)) i++;
        break;
      }
    }
  }
  return undefined;
}

const FALSE = /^(false|0|no|off)$/i;

/** Environment variables that turn verification off, and whether a value does. */
function insecureEnv(name: string, value: string): boolean {
  switch (name) {
    case 'PIP_TRUSTED_HOST': case 'UV_INSECURE_HOST':
      return value.trim() !== '';
    case 'PYTHONHTTPSVERIFY':
      return value.trim() === '0';
    case 'GIT_SSL_NO_VERIFY':
      return value.trim() !== '' && !FALSE.test(value.trim());
    case 'PIP_CERT':
    default:
      return false;
  }
}

/** A command that turns verification off, with the word to point at and how it is spelled. */
function insecureCommand(cmd: ShCommand): { word: ShWord | undefined; what: string } | undefined {
  const pip = pipCall(cmd);
  if (pip) {
    const w = findFlag(cmd, '--trusted-host');
    if (w) return { word: w, what: `\`${cmd.name === 'uv' ? 'uv pip' : 'pip'} --trusted-host\`` };
    if (pip.subcommand === 'config') {
      const pos = positionals(cmd, pip.argsFrom);
      const key = pos.find((p) => /^[a-z]+\.trusted-host$/i.test(p.value));
      if (pos[0]?.value === 'set' && key) return { word: key, what: `\`pip config set ${key.value}\`` };
    }
  }
  // echo "trusted-host = mirror" >> /etc/pip.conf
  if ((cmd.name === 'echo' || cmd.name === 'printf') && cmd.redirects.some((r) => /(^|\/)pip\.(conf|ini)$/.test(r.target ?? ''))) {
    const w = cmd.argv.slice(1).find((x) => /(^|\s|\\n)trusted-host\s*=\s*\S/.test(x.value));
    if (w) return { word: w, what: '`trusted-host` in pip.conf' };
  }
  if (cmd.name === 'uv' || cmd.name === 'uvx') {
    const w = findFlag(cmd, '--allow-insecure-host', '--trusted-host');
    if (w) return { word: w, what: `\`uv ${w.value.replace(/=.*/, '')}\`` };
  }
  if (cmd.name === 'curl') {
    const w = curlInsecure(cmd);
    if (w) return { word: w, what: w.value.startsWith('--') ? `\`curl ${w.value}\`` : '`curl -k`' };
  }
  if (cmd.name === 'wget') {
    const w = findFlag(cmd, '--no-check-certificate');
    if (w) return { word: w, what: '`wget --no-check-certificate`' };
  }
  if (cmd.name === 'git') {
    const a = cmd.argv;
    for (let i = 1; i < a.length; i++) {
      const v = a[i]!.value;
      // git -c http.sslVerify=false … / git config [--global] http[.<url>].sslVerify false
      const m = /^http\.(?:.*\.)?sslverify(?:=(.*))?$/i.exec(v);
      if (!m) continue;
      const value = m[1] ?? a[i + 1]?.value ?? '';
      if (FALSE.test(value)) return { word: a[i], what: '`http.sslVerify=false`' };
    }
  }
  if (cmd.name === 'conda' || cmd.name === 'mamba' || cmd.name === 'micromamba') {
    const a = cmd.argv;
    const at = a.findIndex((w) => w.value === 'ssl_verify');
    if (at > 0 && FALSE.test(a[at + 1]?.value ?? '')) return { word: a[at], what: `\`${cmd.name} config --set ssl_verify false\`` };
  }
  if (cmd.name === 'npm' || cmd.name === 'yarn' || cmd.name === 'pnpm') {
    const a = cmd.argv;
    const at = a.findIndex((w) => /^strict-ssl(=|$)/.test(w.value));
    if (at > 0) {
      const v = a[at]!.value.includes('=') ? a[at]!.value.split('=')[1]! : a[at + 1]?.value ?? '';
      if (FALSE.test(v)) return { word: a[at], what: `\`${cmd.name} config set strict-ssl false\`` };
    }
  }
  return undefined;
}

export default defineRule({
  code: 'SEC012',
  name: 'no-disabled-tls-verification',
  title: "Don't disable TLS verification",
  area: 'security',
  severity: 'warning',
  scope: ['D'],
  sources: ['checkov:CKV2_DOCKER_2', 'checkov:CKV2_DOCKER_3', 'checkov:CKV2_DOCKER_4', 'checkov:CKV2_DOCKER_5', 'checkov:CKV2_DOCKER_14', 'checkov:CKV2_DOCKER_16'],
  why: `Turning certificate checks off lets anyone on the network path — a compromised proxy, a rogue Wi-Fi, a poisoned
DNS — hand the build a different package or script than the one asked for, and it goes straight into the image.
\`PYTHONHTTPSVERIFY=0\` in the image's ENV does the same for every HTTPS call the app makes at run time. The fix is to
trust the right CA (COPY it into \`/usr/local/share/ca-certificates/\` and run \`update-ca-certificates\`, or point
\`PIP_CERT\`/\`REQUESTS_CA_BUNDLE\` at it), not to skip verification.

pyship flags pip's \`--trusted-host\` (and \`pip config set global.trusted-host\`, \`PIP_TRUSTED_HOST\` in ENV/ARG or
inline), uv's \`--allow-insecure-host\`/\`UV_INSECURE_HOST\`, \`PYTHONHTTPSVERIFY=0\`, \`curl -k\`/\`--insecure\` (also in
bundles such as \`-fsSLk\`, but not \`-o k.txt\`), \`wget --no-check-certificate\`, \`git -c http.sslVerify=false\`,
\`GIT_SSL_NO_VERIFY\`, and conda's/npm's switches of the same kind, in RUN and in ENV/ARG. A \`curl -k\` in a
HEALTHCHECK against the container's own self-signed endpoint is not flagged.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir --trusted-host pypi.corp.example -r requirements.txt\nRUN curl -fsSLk https://example.com/tool.tar.gz -o /tmp/tool.tar.gz\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY corp-ca.crt /usr/local/share/ca-certificates/\nRUN update-ca-certificates\nENV PIP_CERT=/etc/ssl/certs/ca-certificates.crt\nRUN pip install --no-cache-dir -r requirements.txt\nRUN curl -fsSL https://example.com/tool.tar.gz -o /tmp/tool.tar.gz\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV PYTHONHTTPSVERIFY=0 PIP_TRUSTED_HOST=pypi.corp.example\nRUN wget --no-check-certificate -q https://example.com/data.csv\n',
      good: 'FROM python:3.13-slim-trixie\nENV PYTHONHTTPSVERIFY=1 PIP_INDEX_URL=https://pypi.corp.example/simple\nRUN wget -q https://example.com/data.csv\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN git -c http.sslVerify=false clone https://git.corp.example/lib.git /src/lib\n',
      good: 'FROM python:3.13-slim-trixie\nRUN curl -fsS -o k.txt https://example.com/k.txt && git clone https://git.corp.example/lib.git /src/lib\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const flag = (span: Span, what: string, where: string): void => {
      report({ span, message: `${what} in \`${where}\` turns off TLS verification: install the right CA certificate instead` });
    };
    for (const outer of df.instructions) {
      const instr: Instruction = outer.onbuild ?? outer;
      const kw = instr.keyword;
      if (kw === 'ENV' || kw === 'ARG') {
        for (const kv of keyValues(instr, df.escape)) {
          if (kv.value !== undefined && insecureEnv(kv.key, kv.value)) flag(kv.span, `\`${kv.key}\``, kw);
        }
        continue;
      }
      if ((kw === 'COPY' || kw === 'ADD') && instr.heredocs.length > 0 && /pip\.(conf|ini)$/.test(instr.words[instr.words.length - 1]?.value ?? '')) {
        for (const h of instr.heredocs) {
          const m = /^\s*trusted-host\s*=\s*\S/m.exec(h.content);
          if (m) flag({ start: h.contentSpan.start + m.index, end: h.contentSpan.start + m.index + m[0].length }, '`trusted-host` in pip.conf', kw);
        }
      }
      if (kw !== 'RUN') continue;
      for (const cmd of runScript(instr)?.commands ?? []) {
        const assigned: { name: string; value: string; span: Span }[] = [...cmd.assignments];
        if (cmd.name === 'export') {
          for (const w of cmd.argv.slice(1)) {
            const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.value);
            if (m) assigned.push({ name: m[1]!, value: m[2]!, span: w.span });
          }
        }
        for (const a of assigned) if (insecureEnv(a.name, a.value)) flag(a.span, `\`${a.name}\``, 'RUN');
        const hit = insecureCommand(cmd);
        if (hit) flag(hit.word?.span ?? cmd.span, hit.what, 'RUN');
      }
    }
  },
});
