// SEC001: the final image must not run as root — the most requested missing check in hadolint.
import { defineRule } from '../../lint/rule.js';
import { chainInstructions, finalStage } from '../../dockerfile/query.js';
import { expandWord } from '../../dockerfile/words.js';
import type { ScopeChecks } from '../../lint/rule.js';
import { secs } from '../../runtime/record.js';
import type { ImageFacts } from '../../image/facts.js';

/** Is this `USER` value (`name[:group]`, `uid[:gid]`) root by name or uid? The one test every SEC001 check makes. */
export const isRootUser = (user: string): boolean => /^(root|0)(:.*)?$/.test(user.trim());

/** The uid a user name has in the image's /etc/passwd (a number is its own uid). */
function uidOf(image: ImageFacts, user: string): number | undefined {
  const name = user.split(':')[0]!;
  if (/^\d+$/.test(name)) return Number(name);
  const passwd = image.contents.get('etc/passwd')?.toString('utf8') ?? '';
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f[0] === name && f[2] !== undefined && /^\d+$/.test(f[2])) return Number(f[2]);
  }
  return undefined;
}

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\napp:x:10001:10001::/home/app:/bin/sh\n';

/** In a running container (`pyship smoke`): the uid PID 1 really has. */
const runtime: ScopeChecks = {
  checkRuntime({ record: r, report, note }) {
    if (r.exited) return;
    if (r.uid === 0) report(`PID 1${r.pid1 ? ` (${r.pid1})` : ''} runs as uid 0 (root) in the container`);
    else if (r.uid === undefined) note('SEC001: could not read the uid of PID 1 (no cat, python or id in the image)');
  },
  runtimeRows: ({ figures: f }) => [
    { label: `uid of PID 1${f.pid1 ? ` (${f.pid1})` : ''}`, value: f.uid === undefined ? 'unknown' : String(f.uid), judged: f.uid !== undefined },
  ],
  runtimeExamples: [{ bad: { uid: 0, pid1: 'gunicorn' }, good: { uid: 10001, pid1: 'gunicorn' } }],
};

export default defineRule({
  code: 'SEC001',
  name: 'no-root-user',
  title: "Don't run as root",
  area: 'security',
  severity: 'error',
  scope: ['D', 'I', 'R'],
  fix: 'unsafe',
  sources: ['hadolint:DL3002', 'trivy:DS-0002', 'checkov:CKV_DOCKER_3', 'dockle:CIS-DI-0001'],
  why: `A process running as root in a container is root on the host's kernel: one escape or one writable host
mount and the attacker owns the machine. The final stage's effective user is what matters: a \`USER\` in an earlier
stage that the final stage is built \`FROM\` is inherited, one in a stage it only copies from is not.

Unlike hadolint (which only flags an explicit \`USER root\`), pyship also flags a final stage with no \`USER\` at all,
because that is how most images end up running as root. A base image's own non-root default counts only where it
is known: \`pyship audit\` sees the image's configured user.

The fix adds a system user with a fixed UID and switches to it after the last install step. It is unsafe: files
the app writes at run time must be writable by that user.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir flask==3.1.0\nCMD ["flask", "run"]\n',
      good: 'FROM python:3.13-slim-trixie\nRUN pip install --no-cache-dir flask==3.1.0\nRUN useradd --create-home --uid 10001 app\nUSER app\nCMD ["flask", "run"]\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie AS base\nUSER app\nFROM base\nUSER root\nCMD ["python", "app.py"]\n',
      good: 'FROM python:3.13-slim-trixie AS base\nUSER root\nFROM base\nUSER 10001:10001\nCMD ["python", "app.py"]\n',
    },
  ],
  ...runtime,
  check({ dockerfile: df, report }) {
    const final = finalStage(df);
    if (!final || final.base.scratch) return;
    const chain = chainInstructions(df, final);
    const lastUser = [...chain].reverse().find((i) => i.keyword === 'USER');
    if (lastUser) {
      const { value, unresolved } = expandWord(lastUser.args, (n) => lastUser.state.env.get(n) ?? lastUser.state.args.get(n) ?? undefined, df.escape);
      if (unresolved.length === 0 && isRootUser(value)) {
        report({ span: lastUser.argsSpan, message: `the final image runs as \`${value.trim()}\`: switch to a non-root user after the installs` });
      }
      return;
    }
    const anchor = [...final.instructions].reverse().find((i) => i.keyword === 'RUN' || i.keyword === 'COPY' || i.keyword === 'ADD') ?? final.from;
    const alpine = /alpine/i.test(final.base.resolved ?? final.base.raw);
    const add = alpine ? 'RUN adduser -D -u 10001 app' : 'RUN useradd --create-home --uid 10001 app';
    report({
      span: final.from.span,
      message: 'no `USER` in the final stage: the container runs as root',
      fix: { description: 'add a non-root user and `USER app` after the last install step', edits: [{ start: anchor.span.end, end: anchor.span.end, text: `\n${add}\nUSER app` }] },
    });
  },
  imageExamples: [
    {
      bad: { config: { user: '' }, history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'etc/passwd', data: PASSWD }] }] },
      good: { config: { user: 'app' }, history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'etc/passwd', data: PASSWD }] }] },
    },
    {
      bad: { config: { user: 'admin' }, history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'etc/passwd', data: PASSWD + 'admin:x:0:0::/root:/bin/sh\n' }] }] },
      good: { config: { user: '10001:10001' }, history: [{ by: 'ADD file:4a1b in /', files: [{ path: 'etc/passwd', data: PASSWD }] }] },
    },
  ],
  checkImage({ image, report }) {
    const user = image.config.user.trim();
    if (user === '' || isRootUser(user)) {
      report({ at: 'user', message: user === '' ? 'the image runs as root: Config.User is empty' : `the image runs as root: Config.User is "${user}"` });
    } else if (uidOf(image, user) === 0) {
      report({ at: 'user', message: `the image runs as root: user "${user.split(':')[0]}" has uid 0 in /etc/passwd` });
    }
  },
});
