// Issue 13, failure 5: no output path prints a secret's value (code frames, diffs, messages, every format), and
// SEC009 finds private keys and tokens inside RUN bodies and heredocs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { redact } from '../../src/redact.js';
import { formatReport, FORMATS } from '../../src/report/index.js';
import { rulesByCode } from '../../src/rules/index.js';
import type { Rule } from '../../src/lint/rule.js';
import { lint } from '../helpers.js';

const BIN = join(import.meta.dirname, '..', '..', 'bin', 'pyship.js');
const SEC009 = rulesByCode.get('SEC009') as Rule;

// values that must never be printed (fake, but shaped like the real thing)
const AWS = 'wJalrXUtnFEMIK7MDENGbPxRfiCYzEXAMPLEKEY';
const DB_PW = 'hunter2verysecret';
const URL_PW = 's3cr3tPassw0rd';
const GHP = 'ghp_EXAMPLE0123456789EXAMPLE0123456789';
const GLPAT = 'glpat-EXAMPLEexample0123';
const KEY_BODY = 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7';
const SSH_BODY = 'b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAAB';
const LEGACY = 'legacyformvalue42';
const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N';
const SECRETS = [AWS, DB_PW, URL_PW, GHP, GLPAT, KEY_BODY, SSH_BODY, LEGACY, JWT];

const DOCKERFILE = `FROM python:3.13-slim
ENV AWS_SECRET_ACCESS_KEY=${AWS}
ARG DB_PASSWORD=${DB_PW}
ENV DATABASE_URL=postgres://app:${URL_PW}@db:5432/app
ENV DB_PASS ${LEGACY}
ENV PYTHONUNBUFFERED=1 TOKEN_URL=https://auth.example.com/token
RUN curl -fsSL -H "Authorization: Bearer ${GHP}" https://api.github.com/user
RUN ["sh", "-c", "curl -H 'Authorization: token ${GLPAT}' https://gitlab.example.com/api/v4/user"]
RUN echo "-----BEGIN RSA PRIVATE KEY-----" > /k && echo ${KEY_BODY} >> /k
RUN <<EOT
mkdir -p /root/.ssh && cat > /root/.ssh/id_ed25519 <<'K'
-----BEGIN OPENSSH PRIVATE KEY-----
${SSH_BODY}
-----END OPENSSH PRIVATE KEY-----
K
EOT
COPY <<EOF /app/jwt.txt
${JWT}
EOF
CMD ["python", "-m", "app"]
`;

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'pyship-hostile-secrets-'));
  dirs.push(dir);
  for (const [p, c] of Object.entries(files)) writeFileSync(join(dir, p), c);
  return dir;
}

function cli(args: string[], cwd: string): { code: number | null; all: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1' } });
  return { code: r.status, all: r.stdout + r.stderr };
}

describe('redaction: one mask for every printed text', () => {
  it.each([
    [`ENV AWS_SECRET_ACCESS_KEY=${AWS}`, 'ENV AWS_SECRET_ACCESS_KEY=***'],
    [`ARG DB_PASSWORD="${DB_PW}"`, 'ARG DB_PASSWORD="***"'],
    [`ENV DATABASE_URL=postgres://app:${URL_PW}@db:5432/app`, 'ENV DATABASE_URL=postgres://app:***@db:5432/app'],
    [`ENV DB_PASS ${LEGACY}`, 'ENV DB_PASS ***'],
    [`RUN curl -H "Authorization: Bearer ${GHP}" x`, 'RUN curl -H "Authorization: Bearer ***" x'],
    [`RUN echo ${GLPAT} ${JWT}`, 'RUN echo *** ***'],
    ['      POSTGRES_PASSWORD: example-pw', '      POSTGRES_PASSWORD: ***'],
    ['{"password": "pw-in-json"}', '{"password": "***"}'],
    ['aws_access_key_id = AKIAIOSFODNN7EXAMPLE', 'aws_access_key_id = ***'],
    ['mysql --password=pw-on-flag -u root', 'mysql --password=*** -u root'],
    [`-----BEGIN RSA PRIVATE KEY-----\n${KEY_BODY}\n${KEY_BODY}\n-----END RSA PRIVATE KEY-----`, '-----BEGIN RSA PRIVATE KEY-----\n***\n***\n-----END RSA PRIVATE KEY-----'],
  ])('masks %j', (line, masked) => {
    expect(redact(line, { source: true })).toBe(masked);
  });

  // the boundary: a secret-looking name whose value is a setting, a reference, a switch or a version is shown
  it.each([
    'ENV PYTHONUNBUFFERED=1',
    'ENV TOKEN_URL=https://x',
    'ENV SECRET_KEY_FILE=/run/secrets/django CACHE_KEY=v2 GPG_KEY=ABCDEF0123456789',
    'RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN pip install -r requirements.txt',
    'RUN curl -H "Authorization: Bearer $GITHUB_TOKEN" https://api.github.com',
    'RUN pip install --index-url https://__token__:${PIP_TOKEN}@pypi.example.com/simple app',
    '      password: ${{ secrets.GITHUB_TOKEN }}',
    'permissions:\n  id-token: write',
    'RUN pip install "google-auth==2.38.0" django-secrets=1.2',
    'ENV DISABLE_TOKEN_AUTH=true AUTH_TYPE=oauth',
    'RUN grep -q "SECRET_KEY=" .env',
    'RUN sk-learn task-0123456789abcdefghij',
  ])('leaves %j alone', (line) => {
    expect(redact(line, { source: true })).toBe(line);
  });

  // the text format redacts whole files: every pattern must stay linear on hostile lines (`a-a-a…` took 270 s at
  // 400 KB with a name pattern that restarted inside names)
  it('is linear on hostile input', () => {
    const n = 200_000;
    const hostile = ['a-'.repeat(n), 'a.'.repeat(n), 'sk-'.repeat(n), '://a'.repeat(n), 'TOKEN='.repeat(n), 'eyJaaaaaaaaa.'.repeat(n / 4),
      '-----BEGIN RSA PRIVATE KEY-----\n'.repeat(n / 10), 'ENV A_TOKEN=abcdefgh\n'.repeat(n / 10), 'Authorization: '.repeat(n)];
    const t = performance.now();
    for (const h of hostile) redact(h, { source: true });
    // a guard against the quadratic kind (minutes), not a timing: it takes well under a second
    expect(performance.now() - t).toBeLessThan(15_000);
  }, 30_000);

  it('messages keep their wording: `ENV NAME holds…` is not a legacy ENV line', () => {
    const m = 'ENV AWS_SECRET_ACCESS_KEY holds a secret-named value in the image config (value hidden)';
    expect(redact(m)).toBe(m);
  });
});

describe('the text format masks values in code frames, carets still under the name', () => {
  it('SEC009 frames show the name and *** for ENV, ARG, URL passwords and a legacy ENV', () => {
    const findings = lint(DOCKERFILE, [SEC009]);
    const text = formatReport('text', { results: [{ file: 'Dockerfile', text: DOCKERFILE, findings }], rules: new Map(), toolVersion: '0' }, { color: false });
    for (const s of SECRETS) expect(text).not.toContain(s);
    expect(text).toContain('2 | ENV AWS_SECRET_ACCESS_KEY=***\n  |     ^^^^^^^^^^^^^^^^^^^^^\n');
    expect(text).toContain('3 | ARG DB_PASSWORD=***\n  |     ^^^^^^^^^^^\n');
    // the URL span covers the masked password: the carets measure the masked text
    expect(text).toContain('4 | ENV DATABASE_URL=postgres://app:***@db:5432/app\n  |                  ^^^^^^^^^^^^^^^^^^^\n');
    expect(text).toContain('5 | ENV DB_PASS ***\n');
  });

  it('a finding of another rule on a secret line masks it too', () => {
    const text = 'FROM python:3.13-slim-trixie\nENV API_TOKEN=tok-on-any-line\n';
    const findings = [{ code: 'X', severity: 'warning' as const, file: 'Dockerfile', span: { start: 29, end: 56 }, message: 'm', fix: null }];
    const out = formatReport('text', { results: [{ file: 'Dockerfile', text, findings }], rules: new Map(), toolVersion: '0' }, { color: false });
    expect(out).toContain('2 | ENV API_TOKEN=***\n  | ^^^^^^^^^^^^^^^^^\n');
  });

  it('a caret span starting inside a masked value is widened to the whole mask', () => {
    const text = `ENV API_TOKEN=${DB_PW} B=1\n`;
    const findings = [{ code: 'X', severity: 'warning' as const, file: 'Dockerfile', span: { start: 16, end: 20 }, message: 'm', fix: null }];
    const out = formatReport('text', { results: [{ file: 'Dockerfile', text, findings }], rules: new Map(), toolVersion: '0' }, { color: false });
    expect(out).toContain('1 | ENV API_TOKEN=*** B=1\n  |               ^^^\n');
  });

  it('messages and fix texts are masked in every format', () => {
    const findings = [{
      code: 'X', severity: 'error' as const, file: 'f', span: { start: 0, end: 1 }, message: `the container printed postgres://u:${URL_PW}@db and ${GHP}`,
      fix: { safety: 'safe' as const, description: `set API_TOKEN=${DB_PW}`, edits: [{ start: 0, end: 1, text: `ENV DB_PASSWORD ${LEGACY}` }] },
    }];
    for (const format of FORMATS) {
      const out = formatReport(format, { results: [{ file: 'f', text: 'x\n', findings }], rules: new Map(), toolVersion: '0' }, { color: false });
      for (const s of SECRETS) expect(out, format).not.toContain(s);
      // a masked edit would write *** into the file if a tool applied it: the fix goes out without its edits
      if (format === 'sarif') expect(out).not.toContain('insertedContent');
    }
  });
});

describe('SEC009 finds private keys and tokens in RUN bodies and heredocs, never showing them', () => {
  const found = (df: string) => lint(df, [SEC009]).filter((f) => f.code === 'SEC009');

  it.each([
    ['a PEM header in a shell-form RUN', `FROM python:3.13-slim-trixie\nRUN echo "-----BEGIN RSA PRIVATE KEY-----" > /k && echo ${KEY_BODY} >> /k\n`, /private key \(PEM `BEGIN RSA PRIVATE KEY`\) in `RUN`/],
    ['a PEM key in a RUN heredoc', `FROM python:3.13-slim-trixie\nRUN <<EOT\ncat > /k <<'K'\n-----BEGIN OPENSSH PRIVATE KEY-----\n${SSH_BODY}\n-----END OPENSSH PRIVATE KEY-----\nK\nEOT\n`, /private key .* in `RUN`/],
    ['a PEM key in a COPY heredoc', `FROM python:3.13-slim-trixie\nCOPY <<EOF /root/.ssh/id_rsa\n-----BEGIN PRIVATE KEY-----\n${KEY_BODY}\n-----END PRIVATE KEY-----\nEOF\n`, /private key .* in `COPY <<EOF`: the file stays in the image layer/],
    ['a Bearer ghp_ token in a RUN', `FROM python:3.13-slim-trixie\nRUN curl -H "Authorization: Bearer ${GHP}" https://api.github.com\n`, /a GitHub token in `RUN` \(value hidden\)/],
    ['a token in an exec-form RUN', `FROM python:3.13-slim-trixie\nRUN ["sh", "-c", "curl -H 'Authorization: token ${GLPAT}' https://gitlab.example.com"]\n`, /a GitLab token in `RUN`/],
    ['a literal Authorization credential of no known shape', 'FROM python:3.13-slim-trixie\nRUN curl -H "Authorization: Basic dXNlcjpwYXNzd29yZA==" https://example.com\n', /`Authorization` header with a literal credential in `RUN`/],
    ['a token under an ordinary ENV name', `FROM python:3.13-slim-trixie\nENV GH=${GHP}\n`, /a GitHub token in `ENV GH`/],
  ])('%s', (_what, df, message) => {
    const f = found(df);
    expect(f.map((x) => x.message)).toEqual(expect.arrayContaining([expect.stringMatching(message)]));
    for (const x of f) for (const s of SECRETS) expect(x.message).not.toContain(s);
  });

  it('reports a token given to a secret-named variable once', () => {
    expect(found(`FROM python:3.13-slim-trixie\nRUN export GITHUB_TOKEN=${GHP} && pip install -r requirements.txt\n`)).toHaveLength(1);
  });

  it.each([
    ['a token from a secret mount', 'FROM python:3.13-slim-trixie\nRUN --mount=type=secret,id=gh,env=GH_TOKEN curl -H "Authorization: Bearer $GH_TOKEN" https://api.github.com\n'],
    ['a quoted reference', 'FROM python:3.13-slim-trixie\nRUN curl -H "Authorization: Bearer ${GH_TOKEN}" https://api.github.com\n'],
    ['a check for a key without the PEM dashes', 'FROM python:3.13-slim-trixie\nRUN grep -q "BEGIN RSA PRIVATE KEY" /etc/app/key.pem || exit 1\n'],
    ['a public certificate', 'FROM python:3.13-slim-trixie\nCOPY <<EOF /usr/local/share/ca-certificates/ca.crt\n-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIUEXAMPLE\n-----END CERTIFICATE-----\nEOF\n'],
  ])('no finding for %s', (_what, df) => {
    expect(found(df)).toEqual([]);
  });
});

describe('pyship check prints no secret value in any format', () => {
  const dir = project({ Dockerfile: DOCKERFILE, '.env': `SECRET_KEY=${DB_PW}\n`, 'compose.yaml': `services:\n  web:\n    build: .\n    environment:\n      API_TOKEN: ${GHP}\n      DATABASE_URL: postgres://u:${URL_PW}@db/app\n` });

  it.each([...FORMATS])('--format %s', (format) => {
    const r = cli(['check', '--format', format, '.'], dir);
    expect(r.code).toBe(1);
    expect(r.all).toContain('SEC009');
    for (const s of SECRETS) expect(r.all).not.toContain(s);
  }, 90_000);

  it('--diff masks the context lines it prints', () => {
    const r = cli(['check', '--diff', 'Dockerfile'], dir);
    expect(r.all).toContain('+ENV PYTHONFAULTHANDLER=1');
    expect(r.all).toContain(' ENV AWS_SECRET_ACCESS_KEY=***');
    for (const s of SECRETS) expect(r.all).not.toContain(s);
  }, 90_000);

  it('--fix still writes the real value (only what is printed is masked)', () => {
    const fixDir = project({ Dockerfile: `FROM python:3.13-slim-trixie\nENV DB_PASSWORD ${LEGACY}\n` });
    const r = cli(['check', '--fix', '--no-project', 'Dockerfile'], fixDir);
    expect(r.all).not.toContain(LEGACY);
    expect(readFileSync(join(fixDir, 'Dockerfile'), 'utf8')).toContain(`ENV DB_PASSWORD=${LEGACY}\n`);
  }, 90_000);

  it('a config error quoting the offending line masks it', () => {
    const cfg = project({ Dockerfile: 'FROM python:3.13-slim-trixie\n', 'pyship.toml': `select = ["SEC"\ntoken = "${GHP}"\n` });
    const r = cli(['check', '.'], cfg);
    expect(r.code).toBe(2);
    expect(r.all).toMatch(/pyship\.toml:2:1: invalid TOML/);
    expect(r.all).not.toContain(GHP);
  }, 90_000);
});
