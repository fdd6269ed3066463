// What counts as a secret (SEC009): one definition for the Dockerfile rule, its project part and the image audit.

/** Parts of a variable name (split at `_`) that name a secret. */
const SECRET_PARTS = new Set(['PASSWORD', 'PASSWORDS', 'PASSWD', 'PASS', 'PWORD', 'SECRET', 'SECRETS', 'TOKEN', 'TOKENS', 'CREDENTIAL', 'CREDENTIALS', 'AUTH', 'APIKEY']);
/** Adjacent parts that name a secret (`CACHE_KEY` alone is fine). */
const SECRET_PAIRS = new Set(['API_KEY', 'SECRET_KEY', 'PRIVATE_KEY', 'ACCESS_KEY']);
/** A part after the secret word that makes the name a setting about the secret, not the secret itself. */
const ABOUT_PARTS = new Set([
  'FILE', 'FILES', 'PATH', 'PATHS', 'DIR', 'DIRS', 'VERSION', 'URL', 'URLS', 'URI', 'HOST', 'HOSTNAME', 'PORT', 'DOMAIN',
  'ENDPOINT', 'SERVER', 'PROVIDER', 'BACKEND', 'BACKENDS', 'METHOD', 'METHODS', 'TYPE', 'MODE', 'SCHEME', 'STRATEGY',
  'ENABLED', 'DISABLED', 'REQUIRED', 'NAME', 'USER', 'USERNAME', 'LOGIN', 'EXPIRY', 'EXPIRES', 'EXPIRE', 'EXPIRATION',
  'TTL', 'TIMEOUT', 'LIFETIME', 'AGE', 'LENGTH', 'LEN', 'HEADER', 'REGISTRATION', 'AUTHORIZATION', 'POLICY', 'ALGORITHM',
  'ROUNDS', 'HASHERS', 'VALIDATORS', 'SIZE', 'LIMIT', 'FORMAT', 'PREFIX', 'ID', 'REF', 'REGION',
]);
/** A part before the secret word that makes the name a switch: `DISABLE_TOKEN_AUTH`. */
const SWITCH_PARTS = new Set(['ENABLE', 'DISABLE', 'USE', 'NO', 'SKIP', 'ALLOW', 'REQUIRE', 'IS', 'HAS', 'WITH', 'WITHOUT']);
/** Prefixes of variables that build tools publish into client bundles by design. */
const PUBLIC_PREFIX = /^(VITE_|REACT_APP_|NEXT_PUBLIC_|NUXT_PUBLIC_|EXPO_PUBLIC_|GATSBY_)/i;
/** Well-known names that hold a path or a public key, not a secret. */
const ALLOWED_NAMES = new Set(['GPG_KEY', 'GPG_KEYS', 'GOOGLE_APPLICATION_CREDENTIALS']);

/** Does a variable name say it holds a secret? (`DATABASE_PASSWORD`, `GITHUB_TOKEN`, `AWS_SECRET_ACCESS_KEY`) */
export function isSecretName(name: string): boolean {
  const up = name.toUpperCase();
  if (ALLOWED_NAMES.has(up) || PUBLIC_PREFIX.test(up)) return false;
  const parts = up.split(/[_-]+/).filter((p) => p !== '');
  if (parts.includes('PUBLIC')) return false;
  let first = -1;
  let last = -1;
  for (let i = 0; i < parts.length; i++) {
    const hit = SECRET_PARTS.has(parts[i]!) || (i + 1 < parts.length && SECRET_PAIRS.has(parts[i] + '_' + parts[i + 1]));
    if (!hit) continue;
    if (first < 0) first = i;
    last = SECRET_PAIRS.has(parts[i] + '_' + parts[i + 1]) ? i + 1 : i;
  }
  if (first < 0) return false;
  if (parts.slice(last + 1).some((p) => ABOUT_PARTS.has(p))) return false;
  if (parts.slice(0, first).some((p) => SWITCH_PARTS.has(p))) return false;
  // nginx's proxy_pass / uwsgi_pass / fastcgi_pass name an upstream, not a password
  if (parts[first] === 'PASS' && first === last && /^(PROXY|UWSGI|FASTCGI|GRPC|SCGI|MEMCACHED)$/.test(parts[first - 1] ?? '')) return false;
  return true;
}

/** Values that cannot be a secret: switches and placeholders. */
export const NOT_A_SECRET = /^(true|false|yes|no|on|off|0|1|none|null|nil|unset|disabled?|enabled?)$/i;
/** Placeholder values people give a secret so a build step (collectstatic…) runs: not a leak. */
export const PLACEHOLDER = /^(.{0,3}|x+|foo|bar|baz|temp|tmp|unused|secret|password|token)$|dummy|fake|placeholder|change[-_]?me|not[-_]?a?[-_]?secret|build|collectstatic|insecure|example|sample|test/i;

/** `scheme://user:password@` with a literal password. */
// the lookbehind (not \b) lets a scheme start only where no scheme character precedes it: with \b, `a.a.a…` was
// rescanned from every dot, quadratic on a hostile line
export const URL_PASSWORD = /(?<![a-z0-9+.-])[a-z][a-z0-9+.-]*:\/\/[^\s\/:@'"$`]+:([^\s\/@'"]+)@/gi;

/** Basenames of files that hold credentials. */
export function secretFile(path: string): string | undefined {
  const p = path.replace(/\/+$/, '');
  const base = p.slice(p.lastIndexOf('/') + 1);
  const lower = base.toLowerCase();
  if (/^id_(rsa|dsa|ecdsa|ed25519)(_sk)?$/.test(lower)) return base;
  if (['.netrc', '_netrc', '.pypirc', '.git-credentials', '.env', '.pgpass', '.ssh'].includes(lower)) return base;
  if (/(^|\/)\.aws\/credentials$/.test(p) || /(^|\/)\.docker\/config\.json$/.test(p)) return p.split('/').slice(-2).join('/');
  // public signing keys of package repositories are often called *.key too (nginx_signing.key, Release.key)
  const signing = /gpg|pgp|sign|release|repo|keyring|archive|apt|yum|rpm|(^|[-_.])pub(lic)?([-_.]|key)/.test(lower);
  if (lower.endsWith('.key') && !signing) return base;
  if (lower.endsWith('.pem') && /(^|[^a-z])(priv)?key([^a-z]|$)|privkey|private/.test(lower) && !/(^|[-_.])(pub|public)[-_.]?key/.test(lower)) return base;
  return undefined;
}

/**
 * Credentials recognisable by their shape alone, whatever variable holds them: GitHub, GitLab, Slack, AWS key ids,
 * OpenAI/Anthropic/Stripe keys, JWTs. Each needs its vendor prefix and a long enough body, so ordinary words don't match.
 */
export const TOKEN_SHAPE =
  /(?<![A-Za-z0-9_-])(?:gh[pousr]_[A-Za-z0-9]{16,}|github_pat_[A-Za-z0-9_]{20,}|glpat-[A-Za-z0-9_-]{16,}|xox[abeoprs]-[A-Za-z0-9-]{10,}|(?:AKIA|ASIA)[0-9A-Z]{16}|sk-(?:proj-|ant-)?(?=[A-Za-z0-9_-]*\d)[A-Za-z0-9_-]{20,}|[sr]k_live_[A-Za-z0-9]{16,}|eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})(?![A-Za-z0-9_])/g;

/** The first line of a PEM private key (PKCS#1, PKCS#8, EC, OpenSSH, PGP). */
export const PRIVATE_KEY_HEADER = /-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----/g;

/** A credential after `Authorization:` (`Bearer …`, `Basic …`, `token …`), literal or not. */
export const AUTH_HEADER = /\bAuthorization:\s*(?:(?:Bearer|Basic|Token|Digest|Bot)\s+)?(?!(?:Bearer|Basic|Token|Digest|Bot)\b)([^\s"'\\]+)/gi;

/** What a token is, by its prefix, for messages that must not show it. */
export function tokenKind(token: string): string {
  if (/^(gh[pousr]_|github_pat_)/.test(token)) return 'a GitHub token';
  if (token.startsWith('glpat-')) return 'a GitLab token';
  if (token.startsWith('xox')) return 'a Slack token';
  if (/^(AKIA|ASIA)/.test(token)) return 'an AWS access key id';
  if (token.startsWith('eyJ')) return 'a JSON Web Token';
  return 'an API key';
}
