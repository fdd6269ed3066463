// Synthetic images for the audit tests: a small "python base" and a bad and a good image built on it.
import type { ImageSpec, TarSpec } from './archive.js';

export const NOW = new Date('2026-06-15T12:00:00Z');
const RECENT = '2026-06-14T12:00:00Z';
const BASE_TIME = '2026-06-01T10:00:00Z';

export const SECRET_VALUE = 'ghp_realtokenvalue0123456789';
export const ENV_FILE_SECRET = 'supersecretvalue42';

const PASSWD = 'root:x:0:0:root:/root:/bin/bash\napp:x:10001:10001::/home/app:/bin/sh\nsneaky:x:0:0::/root:/bin/sh\n';

export const baseLayers: TarSpec[][] = [
  [
    { path: 'etc', type: 'dir' },
    { path: 'etc/passwd', data: PASSWD },
    { path: 'usr', type: 'dir' },
    { path: 'usr/bin', type: 'dir' },
    { path: 'bin', type: 'symlink', linkname: 'usr/bin' },
    { path: 'usr/bin/sh', size: 1000, mode: 0o755 },
    // the base's own setuid binary: not the image's doing
    { path: 'usr/bin/passwd', size: 2000, mode: 0o4755 },
    { path: 'usr/bin/ps', size: 100, mode: 0o755 },
  ],
  [
    { path: 'usr/bin/python3', size: 5000, mode: 0o755 },
    { path: 'usr/lib/python3/dist-packages/pkg/__init__.py', size: 10 },
    { path: 'usr/lib/python3/dist-packages/pkg/__pycache__/__init__.cpython-313.pyc', size: 20 },
    { path: 'usr/lib/python3/dist-packages/pip-25.1.dist-info', type: 'dir' },
    { path: 'usr/lib/python3/dist-packages/pip-25.1.dist-info/METADATA', size: 10 },
  ],
];

export const baseHistory = [
  { created_by: '/bin/sh -c #(nop) ADD file:0123abcd in / ', created: BASE_TIME },
  { created_by: '/bin/sh -c apt-get update && apt-get install -y python3 && rm -rf /var/lib/apt/lists/*', created: BASE_TIME },
  { created_by: '/bin/sh -c #(nop)  CMD ["python3"]', empty_layer: true, created: BASE_TIME },
];

const SITE = 'usr/local/lib/python3.13/site-packages';

export function badImage(): ImageSpec {
  return {
    created: '2026-05-01T00:00:00Z',
    layers: [
      ...baseLayers,
      [
        { path: 'usr/bin/gcc-14', size: 3000, mode: 0o755 },
        { path: 'usr/bin/gcc', type: 'symlink', linkname: 'gcc-14' },
        { path: 'var/lib/apt/lists/deb.debian.org_debian_dists_trixie_InRelease', size: 100_000 },
        { path: 'var/lib/apt/lists/lock', size: 0 },
        { path: 'usr/local/bin/suidtool', size: 500, mode: 0o4755 },
        { path: 'usr/local/bin/capped', size: 500, mode: 0o755, xattrs: { 'security.capability': Buffer.from([1, 0, 0, 2, 0, 4, 0, 0]) } },
      ],
      [
        { path: 'app', type: 'dir' },
        { path: 'app/.git', type: 'dir' },
        { path: 'app/.git/HEAD', data: 'ref: refs/heads/main\n' },
        { path: 'app/.git/config', size: 100 },
        { path: 'app/__pycache__', type: 'dir' },
        { path: 'app/__pycache__/main.cpython-312.pyc', size: 100 },
        { path: 'app/main.py', size: 100 },
        { path: 'app/.env', data: `SECRET_KEY=${ENV_FILE_SECRET}\n` },
        { path: 'app/id_rsa', data: '-----BEGIN OPENSSH PRIVATE KEY-----\n' },
        { path: 'app/certs/ca.pem', size: 100 },
      ],
      [
        { path: 'root/.cache/pip/http/a/b/c', size: 5000 },
        { path: `${SITE}/flask/__init__.py`, size: 300 },
        { path: `${SITE}/flask/app.py`, size: 300 },
        { path: `${SITE}/flask/_speedups.c`, size: 4000 },
        { path: `${SITE}/flask/_speedups.cpython-313-x86_64-linux-gnu.so`, size: 4000 },
        { path: `${SITE}/flask-3.1.0.dist-info`, type: 'dir' },
        { path: `${SITE}/flask-3.1.0.dist-info/METADATA`, size: 100 },
        { path: `${SITE}/requests-2.32.0.dist-info/METADATA`, size: 100 },
        { path: 'opt/big.bin', size: 2_000_000 },
        { path: 'opt/data/blob', size: 1_500_000 },
      ],
      [
        { path: 'app/.wh.id_rsa' },
        { path: 'opt/.wh.big.bin' },
      ],
      [
        { path: 'opt/data/blob', size: 1_500_000, uid: 10001, gid: 10001 },
      ],
    ],
    history: [
      ...baseHistory,
      { created_by: `|1 GITHUB_TOKEN=${SECRET_VALUE} /bin/sh -c apt-get update && apt-get install -y gcc`, created: RECENT },
      { created_by: 'COPY . /app # buildkit', created: RECENT },
      { created_by: 'RUN /bin/sh -c pip install flask==3.1.0 # buildkit', created: RECENT },
      { created_by: 'RUN /bin/sh -c rm -f /app/id_rsa /opt/big.bin # buildkit', created: RECENT },
      { created_by: 'RUN /bin/sh -c chown -R app /opt/data # buildkit', created: RECENT },
      { created_by: 'EXPOSE map[80/tcp:{}]', empty_layer: true, created: RECENT },
      { created_by: 'CMD ["gunicorn" "-b" ":80" "app:app"]', empty_layer: true, created: RECENT },
    ],
    config: {
      User: '',
      ExposedPorts: { '80/tcp': {} },
      Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', `DATABASE_URL=postgres://app:${SECRET_VALUE}x@db/app`],
      Cmd: ['gunicorn', '-b', ':80', 'app:app'],
      Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost/'] },
      WorkingDir: '/app',
    },
  };
}

export function goodImage(): ImageSpec {
  return {
    created: RECENT,
    layers: [
      ...baseLayers,
      [{ path: 'usr/bin/tini', size: 800, mode: 0o755 }],
      [
        { path: 'opt/venv/pyvenv.cfg', data: 'home = /usr/bin\ninclude-system-site-packages = false\n' },
        { path: 'opt/venv/bin/python', type: 'symlink', linkname: '/usr/bin/python3' },
        { path: 'opt/venv/bin/gunicorn', size: 200, mode: 0o755 },
        { path: 'opt/venv/lib/python3.13/site-packages/flask/__init__.py', size: 300 },
        { path: 'opt/venv/lib/python3.13/site-packages/flask/__pycache__/__init__.cpython-313.pyc', size: 300 },
        { path: 'opt/venv/lib/python3.13/site-packages/flask-3.1.0.dist-info', type: 'dir' },
        { path: 'opt/venv/lib/python3.13/site-packages/flask-3.1.0.dist-info/METADATA', size: 100 },
        { path: 'opt/venv/lib/python3.13/site-packages/gunicorn-23.0.0.dist-info', type: 'dir' },
      ],
      [
        { path: 'app', type: 'dir', uid: 10001 },
        { path: 'app/main.py', size: 100, uid: 10001 },
        { path: 'app/certs/ca.pem', size: 100 },
      ],
    ],
    history: [
      ...baseHistory,
      { created_by: 'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends tini && rm -rf /var/lib/apt/lists/* # buildkit', created: RECENT },
      { created_by: 'COPY /opt/venv /opt/venv # buildkit', created: RECENT },
      { created_by: 'COPY --chown=app:app . /app # buildkit', created: RECENT },
      { created_by: 'ENV PYTHONFAULTHANDLER=1 PATH=/opt/venv/bin:$PATH', empty_layer: true, created: RECENT },
      { created_by: 'USER app', empty_layer: true, created: RECENT },
    ],
    config: {
      User: 'app',
      ExposedPorts: { '8000/tcp': {} },
      Env: ['PATH=/opt/venv/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'PYTHONFAULTHANDLER=1', 'SECRET_KEY_FILE=/run/secrets/key'],
      Entrypoint: ['tini', '--'],
      Cmd: ['gunicorn', '--bind', '0.0.0.0:8000', 'app:app'],
      Healthcheck: { Test: ['CMD', 'python', '-c', 'import urllib.request; urllib.request.urlopen("http://127.0.0.1:8000/")'] },
      Labels: { 'org.opencontainers.image.revision': '0123abc' },
      WorkingDir: '/app',
    },
  };
}
