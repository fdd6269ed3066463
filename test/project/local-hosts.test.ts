// Settings made for a developer's machine (src/project/local-hosts.ts): services at localhost with no override, and
// ALLOWED_HOSTS opened only by a platform variable; one source per case, then the corpus apps that have them.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import { detectLocalHosts } from '../../src/project/local-hosts.js';
import { projectDir } from '../init/helpers.js';
import { APPS_DIR, appsPresent, skipNote } from '../corpus-apps.js';

skipNote('the corpus cases of settings made for a developer machine');

const detect = (files: Record<string, string>, scan = Object.keys(files).filter((f) => f.endsWith('.py'))): ReturnType<typeof detectLocalHosts> => {
  const dir = projectDir(files);
  return detectLocalHosts(loadProject(dir, dir), scan);
};
const hosts = (files: Record<string, string>): string[] => detect(files).services.map((s) => `${s.what} ${s.host} @ ${s.file}:${s.line}`);

describe('services at localhost', () => {
  it('a Django server database with no HOST (the client connects to localhost) and one with HOST localhost', () => {
    expect(hosts({ 'settings.py': "DATABASES = {\n    'default': {\n        'ENGINE': 'django.db.backends.mysql',\n        'NAME': 'chat',\n    }\n}\n" }))
      .toEqual(['database localhost:3306 @ settings.py:1']);
    expect(hosts({ 'settings.py': "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': '127.0.0.1', 'PORT': '6543'}}\n" }))
      .toEqual(['database 127.0.0.1:6543 @ settings.py:1']);
  });

  it('not a database whose HOST comes from the environment, nor SQLite, nor a real host', () => {
    expect(hosts({ 'settings.py': "import os\nDATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': os.environ.get('DB_HOST', 'localhost')}}\n" })).toEqual([]);
    expect(hosts({ 'settings.py': "DATABASES = {'default': {'ENGINE': 'django.db.backends.sqlite3', 'NAME': 'db.sqlite3'}}\n" })).toEqual([]);
    expect(hosts({ 'settings.py': "DATABASES = {'default': {'ENGINE': 'django.db.backends.postgresql', 'HOST': 'db'}}\n" })).toEqual([]);
  });

  it('a Redis channel layer tuple and a URL, but not in a comment, nor as the default of an environment read', () => {
    expect(hosts({ 'settings.py': "CHANNEL_LAYERS = {'default': {'CONFIG': {'hosts': [('127.0.0.1', 6379)]}}}\n# 'hosts': [('localhost', 6380)]\n" }))
      .toEqual(['cache/broker 127.0.0.1:6379 @ settings.py:1']);
    expect(hosts({ 'app.py': 'import os\nBROKER = os.getenv("BROKER_URL", "amqp://guest:guest@localhost//")\nURL = get_env("DATABASE_URL", "postgresql://a:b@localhost:5432/x")\n' })).toEqual([]);
  });

  it('shows a URL as host:port only, never its password', () => {
    const found = detect({ 'db.py': 'ENGINE_URL = "postgresql+asyncpg://user:hunter2@localhost/app"\n' });
    expect(found.services.map((s) => s.host)).toEqual(['localhost:5432']);
    expect(JSON.stringify(found)).not.toContain('hunter2');
  });

  it('a YAML config file the module names: host under a database block, with its port', () => {
    const found = detect({
      'app/settings.py': "from pathlib import Path\nCONFIG = Path(__file__).parent.parent / 'config' / 'app.yaml'\n",
      'config/app.yaml': 'postgres:\n  user: u\n  host: localhost\n  port: 5433\n\nhost: 127.0.0.1\nport: 8080\n',
      'config/app_test.yaml': 'postgres:\n  host: localhost\n',
    });
    // the bind address at the top is the server's, not a service: pyship's server binds 0.0.0.0 itself
    expect(found.services.map((s) => `${s.what} ${s.host} @ ${s.file}:${s.line}`)).toEqual(['database localhost:5433 @ config/app.yaml:3']);
  });
});

describe('ALLOWED_HOSTS opened by a platform variable', () => {
  const settings = (cond: string): string => `import os\n${cond}\nif IS_PLATFORM:\n    ALLOWED_HOSTS = ["*"]\nelse:\n    ALLOWED_HOSTS = [".localhost", "127.0.0.1"]\n`;

  it('through a name assigned from the environment, with the value that opens it', () => {
    const g = detect({ 'settings.py': settings('IS_PLATFORM = "DYNO" in os.environ and "CI" not in os.environ') }).gates;
    expect(g.map((x) => `${x.name}=${x.value} @ ${x.file}:${x.line} else ${x.otherwise}`)).toEqual(['DYNO=1 @ settings.py:4 else [".localhost", "127.0.0.1"]']);
  });

  it('an equality test gives its value; hosts read from the environment are no gate', () => {
    expect(detect({ 'settings.py': settings('IS_PLATFORM = os.environ.get("PLATFORM") == "prod"') }).gates.map((x) => `${x.name}=${x.value}`)).toEqual(['PLATFORM=prod']);
    expect(detect({ 'settings.py': 'import os\nALLOWED_HOSTS = os.environ.get("HOSTS", "localhost").split(",")\n' }).gates).toEqual([]);
    expect(detect({ 'settings.py': 'DEBUG = True\nif DEBUG:\n    ALLOWED_HOSTS = ["*"]\nelse:\n    ALLOWED_HOSTS = ["localhost"]\n' }).gates).toEqual([]);
  });
});

describe.skipIf(!appsPresent)('corpus apps', () => {
  const app = (name: string, sub = ''): ReturnType<typeof loadProject> => loadProject(join(APPS_DIR, name, sub), join(APPS_DIR, name, sub));
  it('aiohttp-demos-polls: Postgres at localhost in config/polls.yaml', () => {
    const p = app('aiohttp-demos-polls', 'demos/polls');
    const f = detectLocalHosts(p, ['aiohttpdemo_polls/main.py', 'aiohttpdemo_polls/settings.py', 'aiohttpdemo_polls/db.py']);
    expect(f.services.map((s) => `${s.what} ${s.host} @ ${s.file}:${s.line}`)).toEqual(['database localhost:5432 @ config/polls.yaml:5']);
  });
  it('django-channels-chat: MySQL with no HOST and Redis at 127.0.0.1:6379', () => {
    const f = detectLocalHosts(app('django-channels-chat'), ['chat/settings.py']);
    expect(f.services.map((s) => `${s.what} ${s.host}`)).toEqual(['database localhost:3306', 'cache/broker 127.0.0.1:6379']);
  });
  it('python-getting-started: ALLOWED_HOSTS opened by DYNO', () => {
    const f = detectLocalHosts(app('python-getting-started'), ['gettingstarted/settings.py']);
    expect(f.gates.map((g) => `${g.name}=${g.value}`)).toEqual(['DYNO=1']);
    expect(f.services).toEqual([]);
  });
});

describe('Django settings left for a developer machine', () => {
  const settings = (files: Record<string, string>): string[] => detect(files).settings.map((x) => `${x.file}:${x.line} ${x.what.split(':')[0]}`);

  it('an empty ALLOWED_HOSTS, DEBUG = True, a SECRET_KEY made at random per process (also in a module-level except)', () => {
    expect(settings({ 'settings.py': 'INSTALLED_APPS = []\nDEBUG = True\nALLOWED_HOSTS = []\n' })).toEqual([
      'settings.py:2 DEBUG = True', 'settings.py:3 ALLOWED_HOSTS is empty',
    ]);
    expect(settings({ 'prod.py': 'try:\n    with open("data/secretkey.txt") as f:\n        SECRET_KEY = f.read().strip()\nexcept Exception:\n    SECRET_KEY = get_random_secret_key()\n' }))
      .toEqual(['prod.py:5 SECRET_KEY falls back to a random value made by each process']);
  });

  it('not settings read from the environment, not a module that is no settings, not inside a condition', () => {
    expect(settings({ 'settings.py': 'import os\nSECRET_KEY = os.environ["SECRET_KEY"]\nDEBUG = os.environ.get("DEBUG") == "1"\nALLOWED_HOSTS = os.environ["HOSTS"].split()\n' })).toEqual([]);
    expect(settings({ 'app.py': 'DEBUG = True\n' })).toEqual([]);
    expect(settings({ 'settings.py': 'SECRET_KEY = "x"\nif os.environ.get("DEV"):\n    DEBUG = True\n    ALLOWED_HOSTS = []\n' })).toEqual([]);
  });
});
