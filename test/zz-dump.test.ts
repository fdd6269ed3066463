import { it } from 'vitest';
import { join } from 'node:path';
import { loadProject } from '../src/project/project.js';
import { routeTable } from '../src/project/routes.js';
import { projectPort } from '../src/project/port.js';
import { chooseHealth } from '../src/init/health.js';
it('dump', () => {
  for (const a of ['aiohttp-demos-polls/demos/polls', 'channels-multichat/multichat', 'django-on-docker/app', 'fastapi-tdd-docker/project', 'flask-on-docker/services/web', 'flask-tutorial-flaskr/examples/tutorial', 'graditude/backend', 'quart-blog/examples/blog', 'docker-django-example/src', 'shynet/shynet']) {
    const p = loadProject(join('/work/shared/corpus/apps', a));
    const port = projectPort(p);
    const h = chooseHealth(routeTable(p), port.port, { http: true });
    console.log(`SUB ${a} root=${p.root.replace('/work/shared/corpus/apps/', '')} repo=${p.repository().root.replace('/work/shared/corpus/apps/', '')}: health ${h.mode === 'route' ? h.path : h.mode}; port ${port.port} [${port.evidence[0]}]`);
  }
});
