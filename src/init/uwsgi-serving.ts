// A project's own uwsgi.ini often serves the static files itself (static-map, static-*, route): pyship's uwsgi config,
// written beside it, must keep that serving or nothing answers at STATIC_URL. Its sockets, user and daemon options stay
// behind: the generated config binds $PORT and the image picks the user.

import type { UwsgiServing } from '../templates/spec.js';

/** Options about serving files and answering requests from the config: static files, their headers, routing. */
const SERVING = /^(static-[\w-]+|route(-[\w-]+)?|final-route(-[\w-]+)?|error-route(-[\w-]+)?|response-route(-[\w-]+)?|check-static(-docroot)?|offload-threads|mimefile)$/;
const MAX_LINES = 2000;

/** The serving options of a uwsgi ini's [uwsgi] section (a bounded read of the text). */
export function uwsgiServing(text: string, file: string): UwsgiServing {
  const out: UwsgiServing = { lines: [], evidence: [], maps: [], routes: false };
  let section = '';
  // open if-blocks: their header lines, and whether one was written yet
  const blocks: { header: string; written: boolean }[] = [];
  text.split('\n').slice(0, MAX_LINES).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || /^[;#]/.test(line)) return;
    const sec = /^\[([^\]]+)\]$/.exec(line);
    if (sec) {
      section = sec[1]!.trim();
      return;
    }
    if (section !== 'uwsgi') return;
    const kv = /^([\w-]+)\s*=\s*(.*)$/.exec(line);
    if (!kv) return;
    const [, key, value] = kv as unknown as [string, string, string];
    if (/^if-/.test(key)) {
      blocks.push({ header: `${key} = ${value}`, written: false });
      return;
    }
    if (key === 'endif') {
      const b = blocks.pop();
      if (b?.written) out.lines.push('endif =');
      return;
    }
    if (!SERVING.test(key)) return;
    for (const b of blocks) {
      if (!b.written) out.lines.push(b.header);
      b.written = true;
    }
    out.lines.push(`${key} = ${value}`);
    out.evidence.push(`${file}:${i + 1} ${key} = ${value}`);
    if (/^route|^final-route|^error-route|^response-route/.test(key)) out.routes = true;
    const map = key === 'static-map' && blocks.length === 0 ? /^([^=]+)=(.+)$/.exec(value) : null;
    if (map) out.maps.push({ mount: map[1]!.trim(), dir: map[2]!.trim(), at: `${file}:${i + 1}` });
  });
  // an if-block the file never closes: close it, so the generated config stays valid
  for (const b of blocks.reverse()) if (b.written) out.lines.push('endif =');
  return out;
}

/** The static-map that serves a collected STATIC_ROOT (absolute, under /app), if any. */
export function mapServing(s: UwsgiServing, staticRoot: string, workdir = '/app'): UwsgiServing['maps'][number] | undefined {
  const norm = (d: string): string => (d.startsWith('/') ? d : `${workdir}/${d}`).replace(/\/+$/, '').replace(/\/\.\//g, '/');
  return s.maps.find((m) => norm(m.dir) === staticRoot.replace(/\/+$/, ''));
}
