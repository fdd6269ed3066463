// DF008: EXPOSE takes `port[/proto]` or `from-to[/proto]`, ports 0–65535, tcp/udp/sctp in lowercase; no host mappings.
import { defineRule, type Report } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { rewriteInstruction, stateLookup } from './_util.js';

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export default defineRule({
  code: 'DF008',
  name: 'expose-format',
  title: 'EXPOSE valid ports with lowercase protocols',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['hadolint:DL3011', 'buildkit:ExposeInvalidFormat', 'buildkit:ExposeProtoCasing'],
  why: `\`EXPOSE\` documents the ports the container listens on, and tools read it (\`docker run -P\`, orchestrators,
pyship's own checks). A port above 65535, a non-numeric port or an unknown protocol fails the build or is silently
meaningless; an IP address or a host mapping (\`EXPOSE 127.0.0.1:80:80\`, \`EXPOSE 80:8000\`) belongs to
\`docker run -p\`, not to the image, and BuildKit will turn it into an error.

Invalid ports are errors; host mappings and an upper-case protocol (\`80/TCP\`) are warnings, and the fix lowercases
the protocol. Ports from variables are checked after expansion; unresolved ones are not flagged.`,
  examples: [
    { bad: 'FROM python:3.13-slim-trixie\nEXPOSE 8000/TCP\n', good: 'FROM python:3.13-slim-trixie\nEXPOSE 8000/tcp\n' },
    { bad: 'FROM python:3.13-slim-trixie\nEXPOSE 80000\n', good: 'FROM python:3.13-slim-trixie\nEXPOSE 8000 9000-9010/udp\n' },
    {
      bad: 'FROM python:3.13-slim-trixie\nEXPOSE 0.0.0.0:8000:8000\n',
      good: 'FROM python:3.13-slim-trixie\nARG PORT=8000\nEXPOSE ${PORT}\nEXPOSE $UNKNOWN_PORT\n',
    },
    { bad: 'FROM python:3.13-slim-trixie\nARG PORT=http\nEXPOSE $PORT\n', good: 'FROM python:3.13-slim-trixie\nARG PORT=8080\nEXPOSE $PORT\n' },
  ],
  check({ dockerfile: df, report }) {
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if (instr.keyword !== 'EXPOSE') continue;
      const lookup = stateLookup(instr);
      for (const w of instr.words) {
        const { value, unresolved } = expandWord(w.raw, lookup, df.escape);
        if (unresolved.length > 0) continue;
        // one word may expand to several ports: EXPOSE $PORTS
        for (const tok of value.split(/\s+/).filter((t) => t !== '')) {
          const r = judge(tok);
          if (!r) continue;
          const out: Report = { span: w.span, message: r.message, severity: r.error ? 'error' : undefined };
          if (r.proto && tok === w.raw && df.text.slice(w.span.start, w.span.end) === w.raw) {
            const slash = w.raw.lastIndexOf('/');
            const edit = rewriteInstruction(df, instr, [{ start: w.span.start + slash + 1, end: w.span.end, text: r.proto }]);
            if (edit) out.fix = { description: `lowercase the protocol: \`${r.proto}\``, edits: [edit] };
          }
          report(out);
        }
      }
    }
  },
});

function judge(tok: string): { message: string; error: boolean; proto?: string } | undefined {
  if (tok.includes(':')) {
    return { message: `\`EXPOSE ${tok}\` maps a host address or port: EXPOSE takes only the container port (\`${tok.split(':').pop()}\`); publish with \`docker run -p\``, error: false };
  }
  const slash = tok.indexOf('/');
  const port = slash < 0 ? tok : tok.slice(0, slash);
  const proto = slash < 0 || slash === tok.length - 1 ? undefined : tok.slice(slash + 1);
  const m = /^(\d+)(?:-(\d+))?$/.exec(port);
  if (!m) return { message: `\`EXPOSE ${tok}\`: \`${port}\` is not a port number`, error: true };
  const lo = Number(m[1]);
  const hi = m[2] === undefined ? lo : Number(m[2]);
  if (lo > 65535 || hi > 65535) return { message: `\`EXPOSE ${tok}\`: ports range from 0 to 65535`, error: true };
  if (hi < lo) return { message: `\`EXPOSE ${tok}\`: the range ends before it starts`, error: true };
  if (proto !== undefined) {
    if (!PROTOCOLS.has(proto.toLowerCase())) return { message: `\`EXPOSE ${tok}\`: unknown protocol \`${proto}\` (tcp, udp or sctp)`, error: true };
    if (proto !== proto.toLowerCase()) {
      return { message: `protocol in \`EXPOSE ${tok}\` should be lowercase: \`${port}/${proto.toLowerCase()}\``, error: false, proto: proto.toLowerCase() };
    }
  }
  return undefined;
}
