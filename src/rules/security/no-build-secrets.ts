// SEC009: don't leak build secrets: secret-named ARG/ENV, passwords in URLs, literal secrets in RUN, copied key files.
import { defineRule, type ProjectRuleContext } from '../../lint/rule.js';
import { relative, sep } from 'node:path';
import { buildCommands } from '../../project/ci.js';
import { buildContexts, contextFiles } from '../../project/contexts.js';
import type { Instruction, Span } from '../../dockerfile/model.js';
import { keyValues } from '../../dockerfile/arguments.js';
import { runScript } from '../../dockerfile/shell.js';
import { AUTH_HEADER, isSecretName, NOT_A_SECRET, PLACEHOLDER, PRIVATE_KEY_HEADER, secretFile, TOKEN_SHAPE, tokenKind, URL_PASSWORD } from '../../secrets.js';
import { absPath, baseName, inSitePackages } from '../../image/filesystem.js';
import { historyInstruction } from '../../image/history.js';

function isLiteral(v: string): boolean {
  return v !== '' && !v.includes('$') && !v.includes('`');
}

export default defineRule({
  code: 'SEC009',
  name: 'no-build-secrets',
  title: "Don't leak build secrets",
  area: 'security',
  severity: 'error',
  scope: ['D', 'P', 'I'],
  sources: ['buildkit:SecretsUsedInArgOrEnv', 'trivy:DS-0031', 'dockle:CIS-DI-0010'],
  why: `Whatever a Dockerfile gives an image stays in it: \`ENV\` values in its config, build arguments and RUN command
lines in its history (\`docker history --no-trunc\`), copied files in a layer even when a later step deletes them.
Anyone who can pull the image can read them. Build secrets belong in \`RUN --mount=type=secret,id=…\` (or
\`--mount=type=ssh\`); run-time secrets come from the environment the container is started in.

pyship flags \`ARG\`/\`ENV\` whose name has a secret word as a \`_\`-separated part (\`PASSWORD\`, \`PASSWD\`, \`PASS\`,
\`SECRET\`, \`TOKEN\`, \`CREDENTIAL(S)\`, \`AUTH\`, \`API_KEY\`, \`SECRET_KEY\`, \`PRIVATE_KEY\`, \`ACCESS_KEY\` — not any
\`*_KEY\`), an \`ARG\` even without a default, as BuildKit's SecretsUsedInArgOrEnv does: the value passed with
\`--build-arg\` lands in the history. Unlike BuildKit it skips names that describe a secret rather than hold it
(\`*_FILE\`, \`*_PATH\`, \`*_DIR\`, \`*_VERSION\`, \`*_URL\`, \`AUTH_TYPE\`, \`TOKEN_EXPIRY\`, \`DISABLE_TOKEN_AUTH\`,
\`PUBLIC_*\`, \`GPG_KEY\`), variables front-end build tools publish by design (\`VITE_*\`, \`REACT_APP_*\`,
\`NEXT_PUBLIC_*\`) and \`ENV\` values that are switches (\`true\`, \`0\`) or empty. It also flags URLs with a literal
\`user:password@\`, secret-named variables given literal values inside RUN (except obvious placeholders such as
\`SECRET_KEY=dummy python manage.py collectstatic\`), credentials known by their shape wherever they appear in
RUN, CMD, ENTRYPOINT, ARG/ENV values and heredocs (COPY heredocs too): PEM private keys (\`-----BEGIN … PRIVATE
KEY-----\`), GitHub (\`ghp_…\`, \`github_pat_…\`), GitLab (\`glpat-…\`) and Slack (\`xox?-…\`) tokens, AWS key ids
(\`AKIA…\`), \`sk-…\` API keys, JWTs and literal \`Authorization:\` header credentials, and COPY/ADD of credential files (\`id_rsa\`, \`.netrc\`,
\`.pypirc\`, \`.env\`, \`*.key\`, \`*key*.pem\`, \`.aws/credentials\`, \`.docker/config.json\`) — but not CA bundles
(\`ca.pem\`, \`cert.pem\`, \`*.crt\`), \`settings.py\` or \`pkg=version\` lines, dockle's best-known false positives.
Findings never print the secret.

In project mode it also looks at what each build really sends: the contexts the compose files (\`build: context:\`)
and CI (\`docker build -f … DIR\`, \`docker/build-push-action\`) name for the Dockerfile, else the Dockerfile's
directory, each with the ignore file Docker applies (\`<Dockerfile>.dockerignore\` beside the Dockerfile first, then
the context's \`.dockerignore\`); a \`.dockerignore\` no build reads protects nothing.`,
  examples: [
    {
      bad: 'FROM python:3.13-slim-trixie\nARG PIP_INDEX_TOKEN\nRUN pip install --no-cache-dir --index-url "https://__token__:${PIP_INDEX_TOKEN}@pypi.example.com/simple" -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nRUN --mount=type=secret,id=pip_index_url,env=PIP_INDEX_URL pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nENV DATABASE_URL=postgres://app:s3cr3t@db:5432/app\nCOPY .env /app/.env\n',
      good: 'FROM python:3.13-slim-trixie\nENV DATABASE_HOST=db CACHE_KEY=v2 SECRET_KEY_FILE=/run/secrets/django\nCOPY certs/ca.pem /etc/ssl/certs/internal-ca.pem\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nCOPY id_rsa /root/.ssh/id_rsa\nRUN export GITHUB_TOKEN=ghp_0123456789abcdef && pip install --no-cache-dir -r requirements.txt\n',
      good: 'FROM python:3.13-slim-trixie\nRUN SECRET_KEY=dummy python manage.py collectstatic --noinput\nRUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN pip install --no-cache-dir -r requirements.txt\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nRUN curl -fsSL -H "Authorization: Bearer ghp_EXAMPLE0123456789EXAMPLE0123456789" -o /app/lib.tar.gz https://api.github.com/repos/acme/lib/tarball\nCOPY <<EOF /root/.ssh/id_ed25519\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW\n-----END OPENSSH PRIVATE KEY-----\nEOF\n',
      good: 'FROM python:3.13-slim-trixie\nRUN --mount=type=secret,id=gh_token,env=GH_TOKEN curl -fsSL -H "Authorization: Bearer $GH_TOKEN" -o /app/lib.tar.gz https://api.github.com/repos/acme/lib/tarball\nRUN --mount=type=ssh git clone git@github.com:acme/lib.git /src/lib\n',
    },
  ],
  check({ dockerfile: df, report }) {
    const urlsIn = (text: string, at: (i: number) => number, where: string): void => {
      for (const m of text.matchAll(URL_PASSWORD)) {
        const pw = m[1]!;
        if (!isLiteral(pw) || /^(\*+|x+|\.\.\.|<.*>|\{.*\}|%.*%)$/i.test(pw)) continue;
        const start = at(m.index!);
        report({ span: { start, end: at(m.index! + m[0].length - 1) + 1 }, message: `a URL with an embedded password in \`${where}\`: it is stored in the image; use a build secret (\`RUN --mount=type=secret\`) or pass it at run time` });
      }
    };
    // credentials known by their shape, whatever holds them; `taken` (this instruction's reports) keeps a token
    // already reported by its variable's name from being reported twice
    const taken: Span[] = [];
    const credentialsIn = (text: string, at: (i: number) => number, where: string, stored: string): void => {
      const hit = (i: number, len: number, message: string): void => {
        const span = { start: at(i), end: at(i + len - 1) + 1 };
        if (taken.some((t) => t.start < span.end && span.start < t.end)) return;
        taken.push(span);
        report({ span, message });
      };
      for (const m of text.matchAll(PRIVATE_KEY_HEADER)) {
        hit(m.index!, m[0].length, `a private key (PEM \`${m[0].replace(/^-+|-+$/g, '')}\`) in \`${where}\`: ${stored}; use \`RUN --mount=type=secret,id=…\` (or \`--mount=type=ssh\`)`);
      }
      for (const m of text.matchAll(TOKEN_SHAPE)) {
        hit(m.index!, m[0].length, `${tokenKind(m[0])} in \`${where}\` (value hidden): ${stored}; revoke it, and use \`RUN --mount=type=secret,id=…\``);
      }
      for (const m of text.matchAll(AUTH_HEADER)) {
        const cred = m[1]!;
        if (!isLiteral(cred) || cred.length < 8 || /^(\*+|x+|\.\.\.|<.*>|\{.*\}|%.*%)$/i.test(cred)) continue;
        hit(m.index! + m[0].length - cred.length, cred.length, `an \`Authorization\` header with a literal credential in \`${where}\` (value hidden): ${stored}; use \`RUN --mount=type=secret,id=…\``);
      }
    };
    const history = 'the command line is recorded in the image history';
    for (const outer of df.instructions) {
      const instr: Instruction = outer.onbuild ?? outer;
      if (instr.stage < 0) continue;
      taken.length = 0;
      const kw = instr.keyword;
      if (kw === 'ARG' || kw === 'ENV') {
        for (const kv of keyValues(instr, df.escape)) {
          if (isSecretName(kv.key)) {
            const v = kv.value;
            if (kw === 'ENV' && (v === undefined || v === '' || NOT_A_SECRET.test(v))) continue;
            if (kw === 'ARG' && v !== undefined && v !== '' && NOT_A_SECRET.test(v)) continue;
            const what = kw === 'ARG'
              ? 'a build argument is recorded in the image history'
              : 'an `ENV` value is stored in the image config';
            report({ span: kv.keySpan, message: `\`${kw} ${kv.key}\`: ${what}; use \`RUN --mount=type=secret,id=…\` at build time or the run-time environment` });
            continue;
          }
          if (kv.rawValue !== undefined && kv.valueSpan) {
            const vs = kv.valueSpan;
            const raw = kv.rawValue;
            urlsIn(raw, (i) => Math.min(vs.start + i, vs.end), `${kw} ${kv.key}`);
            credentialsIn(raw, (i) => Math.min(vs.start + i, vs.end), `${kw} ${kv.key}`, kw === 'ARG' ? 'a build argument is recorded in the image history' : 'an `ENV` value is stored in the image config');
          }
        }
        continue;
      }
      if (kw === 'RUN' || kw === 'CMD' || kw === 'ENTRYPOINT') {
        urlsIn(instr.args, instr.argOffset, kw);
        for (const h of instr.heredocs) urlsIn(h.content, (i) => h.contentSpan.start + i, kw);
      }
      if (kw === 'RUN') {
        const script = runScript(instr);
        for (const cmd of script?.commands ?? []) {
          const found: { name: string; value: string; span: Span }[] = cmd.assignments.map((a) => ({ name: a.name, value: a.value, span: a.span }));
          if (['export', 'declare', 'typeset', 'local', 'readonly'].includes(cmd.name)) {
            for (const w of cmd.argv.slice(1)) {
              const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(w.value);
              if (m) found.push({ name: m[1]!, value: w.dynamic ? '$' : m[2]!, span: w.span });
            }
          }
          for (const a of found) {
            if (!isSecretName(a.name) || !isLiteral(a.value) || NOT_A_SECRET.test(a.value) || PLACEHOLDER.test(a.value)) continue;
            taken.push(a.span);
            report({ span: a.span, message: `\`${a.name}\` is given a literal value in \`RUN\`: ${history}; use \`RUN --mount=type=secret,id=…,env=${a.name}\`` });
          }
        }
      }
      if (kw === 'RUN' || kw === 'CMD' || kw === 'ENTRYPOINT') {
        credentialsIn(instr.args, instr.argOffset, kw, history);
        for (const h of instr.heredocs) credentialsIn(h.content, (i) => h.contentSpan.start + i, kw, history);
      }
      if ((kw === 'COPY' || kw === 'ADD') && !instr.json) {
        for (const h of instr.heredocs) credentialsIn(h.content, (i) => h.contentSpan.start + i, `${kw} <<${h.name}`, 'the file stays in the image layer');
      }
      if (kw === 'COPY' || kw === 'ADD') {
        const words = instr.words;
        for (const w of words.slice(0, -1)) {
          if (!instr.json && /^\d*<<-?/.test(w.raw)) continue;
          // a download is public by definition
          if (/^[a-z][a-z0-9+.-]*:\/\//i.test(w.value)) continue;
          const name = secretFile(w.value);
          if (!name) continue;
          report({ span: w.span, message: `\`${kw}\` of \`${name}\`: a credential file stays in the image layer even if deleted later; use \`RUN --mount=type=secret\` (or \`--mount=type=ssh\`)` });
        }
      }
    }
  },
  projectExamples: [
    {
      bad: { '.github/workflows/ci.yml': 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build --build-arg PIP_TOKEN=${{ secrets.PIP_TOKEN }} -t app .\n' },
      good: { '.github/workflows/ci.yml': 'on: push\njobs:\n  b:\n    runs-on: ubuntu-latest\n    steps:\n      - run: docker build --secret id=pip_token,env=PIP_TOKEN --build-arg PIP_TOKEN_FILE=/run/secrets/pip_token -t app .\n' },
    },
    {
      bad: { 'build.sh': '#!/bin/sh\ndocker build --build-arg DB_PASSWORD=hunter2 -t app .\n', '.env': 'DB_PASSWORD=x\n' },
      good: { 'build.sh': '#!/bin/sh\ndocker build --build-arg APP_VERSION=1.2 -t app .\n', '.env': 'DB_PASSWORD=x\n', '.dockerignore': '.env\n', 'certs/ca.pem': 'x\n' },
    },
    {
      // compose sends the repository root: the `.dockerignore` beside the Dockerfile is not the one that applies
      bad: {
        'docker/Dockerfile': 'FROM python:3.13-slim-trixie\nCOPY . /app\n',
        'compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n',
        '.env': 'SECRET_KEY=x\n',
        'docker/.dockerignore': '.env\n',
      },
      good: {
        'docker/Dockerfile': 'FROM python:3.13-slim-trixie\nCOPY . /app\n',
        'compose.yaml': 'services:\n  web:\n    build:\n      context: .\n      dockerfile: docker/Dockerfile\n',
        '.env': 'SECRET_KEY=x\n',
        'docker/Dockerfile.dockerignore': '.env\n',
      },
    },
  ],
  checkProject({ project, dockerfiles, report }: ProjectRuleContext) {
    for (const b of buildCommands(project)) {
      for (const a of b.buildArgs) {
        if (!isSecretName(a.name)) continue;
        const v = a.value;
        if (v !== undefined && a.literal && (NOT_A_SECRET.test(v) || PLACEHOLDER.test(v))) continue;
        const how = !a.hasValue ? 'from the environment' : a.secretRef ? 'from a CI secret' : a.literal ? 'as a literal' : 'from a variable';
        report({ file: b.file, span: a.span, message: `\`--build-arg ${a.name}\` passes a secret ${how}: build arguments are recorded in the image history; use \`--secret id=…\` and \`RUN --mount=type=secret\`` });
      }
    }
    // what each build really sends: the contexts compose and CI name for the Dockerfile (else the one pyship was
    // given), each with the ignore file Docker applies to it
    const seen = new Set<string>();
    for (const d of dockerfiles) {
      const fallback = relative(project.root, d.context.contextDir).split(sep).join('/');
      for (const c of buildContexts(project, d.path, !fallback.startsWith('..') ? fallback : undefined)) {
        const key = `${c.dir}\0${c.ignoreFile ?? ''}`;
        if (seen.has(key)) continue;
        seen.add(key);
        for (const p of contextFiles(project, c)) {
          if (/(^|\/)(tests?|testdata|fixtures|examples?|node_modules)\//.test(p)) continue;
          const name = secretFile(p);
          if (!name) continue;
          const rel = c.dir === '' ? p : `${c.dir}/${p}`;
          const where = `the build context \`${c.dir === '' ? '.' : c.dir}\` (${c.source})`;
          // point at the ignore file that applies (or the Dockerfile), never at the secret file: a code frame would show its content
          if (c.ignoreFile !== undefined) {
            const end = c.ignore?.text.length ?? 0;
            report({ file: c.ignoreFile, span: { start: end, end }, message: `\`${rel}\` is sent in ${where}: a credential file can end up in the image (\`COPY . .\`); add it to \`${c.ignoreFile}\`, the ignore file this build applies` });
          } else {
            const ignore = c.dir === '' ? '.dockerignore' : `${c.dir}/.dockerignore`;
            report({ file: d.path, span: { start: 0, end: 0 }, message: `\`${rel}\` is sent in ${where}: a credential file can end up in the image (\`COPY . .\`); create \`${ignore}\` and list it there` });
          }
        }
      }
    }
  },
  imageExamples: [
    {
      bad: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }, { path: 'app/.env', data: 'SECRET_KEY=x7Hq2mVb9Lr4\n' }] }] },
      good: { history: [{ by: 'COPY . /app', files: [{ path: 'app/main.py', size: 100 }] }] },
    },
    {
      bad: { config: { env: ['API_TOKEN=x7Hq2mVb9Lr4'] }, history: [{ by: '|1 PIP_INDEX_URL=https://ci:x7Hq2mVb9Lr4@pypi.example.com/simple /bin/sh -c pip install app', files: [{ path: 'usr/local/bin/app', size: 100 }] }] },
      good: { config: { env: ['API_TOKEN_FILE=/run/secrets/api_token'] }, history: [{ by: 'RUN /bin/sh -c pip install app # buildkit', files: [{ path: 'usr/local/bin/app', size: 100 }] }] },
    },
  ],
  checkImage({ image, report }) {
    const urlPassword = new RegExp(URL_PASSWORD.source, 'i');
    for (const [name, value] of image.env) {
      if (isSecretName(name) && value !== '' && !NOT_A_SECRET.test(value) && !PLACEHOLDER.test(value)) {
        report({ at: { env: name }, message: `ENV ${name} holds a secret-named value in the image config (value hidden): pass it at run time or use a secret mount` });
      } else if (urlPassword.test(value)) {
        report({ at: { env: name }, message: `ENV ${name} holds a URL with a password in the image config (value hidden)` });
      }
    }
    image.history.forEach((h, i) => {
      const by = h.createdBy;
      const names = new Set<string>();
      for (const m of by.matchAll(/\b([A-Za-z_][A-Za-z0-9_]*)=("[^"]*"|'[^']*'|[^\s"';&|]+)/g)) {
        const v = m[2]!.replace(/^["']|["']$/g, '');
        if (isSecretName(m[1]!) && v !== '' && !v.startsWith('$') && !NOT_A_SECRET.test(v) && !PLACEHOLDER.test(v)) names.add(m[1]!);
      }
      // the config's own ENV lines repeat in history: reported once, above
      const isEnv = historyInstruction(by) === 'ENV';
      for (const n of names) if (!(isEnv && image.env.has(n))) report({ at: { history: i }, message: `history #${i + 1} records secret-named variable ${n} with a value (hidden): build secrets belong in RUN --mount=type=secret` });
      if (urlPassword.test(by) && !isEnv) report({ at: { history: i }, message: `history #${i + 1} records a URL with a password (hidden)` });
    });
    // secret files in the image's own layers, also those a later layer deletes (the layer still ships them)
    const seen = new Set<string>();
    for (const layer of image.layers) {
      if (!image.own(layer.index)) continue;
      for (const e of layer.entries) {
        if (e.type !== 'file' || inSitePackages(e.path) || /(^|\/)node_modules\//.test(e.path) || /(^|\/)(usr\/share|usr\/lib\/python3[.\d]*\/test)\//.test(e.path)) continue;
        const s = secretFile(e.path);
        if (!s || (baseName(e.path) === '.env' && e.size === 0)) continue;
        const key = `${e.path}\0${layer.index}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const visible = image.files.get(e.path)?.layer === layer.index;
        report({ at: { layer: layer.index }, message: `secret file ${absPath(e.path)} (${s}) is in ${image.layerName(layer.index)}${visible ? '' : ', deleted by a later layer but still shipped in this one'}: use RUN --mount=type=secret and .dockerignore it` });
      }
    }
  },
});
