// The synthetic listing an audit's findings point into: the image's config as Dockerfile-like lines, then its history,
// secret values masked, so text reports can show a code frame. Rules name what they judge (an anchor); this maps it
// to its line.
import type { Span } from '../dockerfile/model.js';
import type { ImageAnchor } from '../lint/rule.js';
import { formatBytes, maskSecrets } from '../image/facts.js';
import type { ImageData } from '../image/model.js';

export interface ImageListing {
  text: string;
  spanOf(at: ImageAnchor): Span;
}

class Lines {
  text = '';
  add(line: string): Span {
    const start = this.text.length;
    const clean = line.replace(/[\r\n]+/g, ' ');
    const shown = clean.length > 400 ? clean.slice(0, 400) + '…' : clean;
    this.text += shown + '\n';
    return { start, end: start + shown.length };
  }
}

export function imageListing(img: ImageData): ImageListing {
  const cfg = img.config;
  const listing = new Lines();
  const head = listing.add(`# image ${img.ref}${img.created ? ` (created ${img.created})` : ''}, ${img.layers.length} layers, ${formatBytes(img.totalSize)}`);
  const user = listing.add(`USER ${cfg.user === '' ? '(none: root)' : cfg.user}`);
  const ports = new Map<string, Span>();
  for (const p of cfg.exposedPorts) ports.set(p, listing.add(`EXPOSE ${p}`));
  const envs = new Map<string, Span>();
  for (const e of cfg.env) envs.set(e.split('=')[0]!, listing.add(`ENV ${maskSecrets(e)}`));
  const labels = listing.add(`LABEL ${Object.keys(cfg.labels).length === 0 ? '(none)' : Object.entries(cfg.labels).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(' ')}`);
  const entrypoint = listing.add(`ENTRYPOINT ${JSON.stringify(cfg.entrypoint)}`);
  const cmd = listing.add(`CMD ${JSON.stringify(cfg.cmd)}`);
  const healthcheck = listing.add(`HEALTHCHECK ${cfg.healthcheck ? JSON.stringify(cfg.healthcheck.test) : '(none)'}`);
  if (cfg.stopSignal) listing.add(`STOPSIGNAL ${cfg.stopSignal}`);
  if (cfg.workingDir) listing.add(`WORKDIR ${cfg.workingDir}`);
  listing.add('# history (oldest first)');
  const history: Span[] = img.history.map((h, i) =>
    listing.add(`#${i + 1} ${h.layer !== undefined ? `layer ${h.layer} ${formatBytes(img.layers[h.layer]!.size)}` : '(no layer)'} ${maskSecrets(h.createdBy || h.comment || '')}`));
  const named: Record<Extract<ImageAnchor, string>, Span> = { image: head, user, labels, entrypoint, cmd, healthcheck };
  const layer = (l: number): Span => {
    const h = img.layers[l]?.history;
    const i = h ? img.history.indexOf(h) : -1;
    return i >= 0 ? history[i]! : head;
  };
  return {
    text: listing.text,
    spanOf: (at) => {
      if (typeof at === 'string') return named[at];
      if ('port' in at) return ports.get(at.port) ?? head;
      if ('env' in at) return envs.get(at.env) ?? head;
      if ('layer' in at) return layer(at.layer);
      return history[at.history] ?? head;
    },
  };
}
