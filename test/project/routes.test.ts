// The route table: full paths through each framework's prefixes, file:line, and which route a health check uses.
import { describe, expect, it } from 'vitest';
import { loadProject } from '../../src/project/project.js';
import type { Project } from '../../src/project/model.js';
import { constantView, healthName, healthRoutes, joinPath, routeTable, type Route } from '../../src/project/routes.js';
import { chooseHealth } from '../../src/init/health.js';
import { lintProject, tempFiles } from '../helpers.js';
import healthcheck from '../../src/rules/ops/healthcheck.js';

const project = (files: Record<string, string>): Project => {
  const dir = tempFiles({ 'pyproject.toml': '[project]\nname = "x"\nversion = "0"\n', ...files }, 'pyship-routes-');
  return loadProject(dir, dir);
};
const paths = (p: Project): string[] => routeTable(p).map((r) => r.path).sort();
const route = (p: Project, path: string): Route | undefined => routeTable(p).find((r) => r.path === path);

describe('route prefixes', () => {
  it('FastAPI: include_router and APIRouter prefixes, nested across modules, a prefix from a settings constant', () => {
    const p = project({
      'app/core/config.py': 'class Settings(BaseSettings):\n    API_V1_STR: str = "/api/v1"\n\nsettings = Settings()\n',
      'app/main.py': 'from fastapi import FastAPI\nfrom app.api.main import api_router\nfrom app.core.config import settings\n\napp = FastAPI()\napp.include_router(api_router, prefix=settings.API_V1_STR)\n',
      'app/api/main.py': 'from fastapi import APIRouter\nfrom app.api.routes import items, utils\n\napi_router = APIRouter()\napi_router.include_router(utils.router)\napi_router.include_router(items.router, prefix="/items")\n',
      'app/api/routes/utils.py': 'from fastapi import APIRouter\n\nrouter = APIRouter(prefix="/utils", tags=["utils"])\n\n\n@router.get("/health-check/")\nasync def health_check() -> bool:\n    return True\n',
      'app/api/routes/items.py': 'from fastapi import APIRouter\n\nrouter = APIRouter()\n\n\n@router.get("/")\ndef read_items():\n    return []\n\n\n@router.post("/{id}")\ndef create(id: int):\n    pass\n',
    });
    expect(route(p, '/api/v1/utils/health-check/')).toMatchObject({ file: 'app/api/routes/utils.py', line: 6, framework: 'fastapi', get: true, resolved: true });
    expect(route(p, '/api/v1/items/')).toBeDefined();
    expect(route(p, '/api/v1/items/{id}')?.get).toBe(false);
  });

  it('FastAPI: a router handed to an app factory as an argument', () => {
    const p = project({
      'src/app/setup.py': 'from fastapi import APIRouter, FastAPI\n\ndef create_application(router: APIRouter, **kwargs) -> FastAPI:\n    application = FastAPI(**kwargs)\n    application.include_router(router)\n    return application\n',
      'src/app/api/__init__.py': 'from fastapi import APIRouter\nfrom .v1 import router as v1_router\n\nrouter = APIRouter(prefix="/api")\nrouter.include_router(v1_router)\n',
      'src/app/api/v1/__init__.py': 'from fastapi import APIRouter\nfrom .health import router as health_router\n\nrouter = APIRouter(prefix="/v1")\nrouter.include_router(health_router)\n',
      'src/app/api/v1/health.py': 'from fastapi import APIRouter\n\nrouter = APIRouter(tags=["health"])\n\n@router.get("/health")\ndef health():\n    return {}\n',
      'src/app/main.py': 'from .api import router\nfrom .setup import create_application\n\napp = create_application(router=router)\n',
    });
    expect(route(p, '/api/v1/health')).toMatchObject({ resolved: true, file: 'src/app/api/v1/health.py', line: 5 });
  });

  it('FastAPI: a router included nowhere pyship can follow is marked unresolved', () => {
    const p = project({ 'svc/health.py': 'from fastapi import APIRouter\nrouter = APIRouter(prefix="/internal")\n\n@router.get("/health")\ndef h():\n    return 1\n' });
    expect(route(p, '/internal/health')).toMatchObject({ resolved: false });
    expect(route(p, '/internal/health')?.unresolved).toMatch(/router is not included/);
  });

  it('Flask: Blueprint url_prefix, and register_blueprint(url_prefix=) replacing it', () => {
    const p = project({
      'hello/app.py': 'from flask import Flask\nfrom hello.up.views import up\n\ndef create_app():\n    app = Flask(__name__)\n    from .api import api as api_blueprint\n    app.register_blueprint(up)\n    app.register_blueprint(api_blueprint, url_prefix="/api/v1")\n    return app\n',
      'hello/up/views.py': 'from flask import Blueprint\n\nup = Blueprint("up", __name__, url_prefix="/up")\n\n@up.get("/")\ndef index():\n    return ""\n\n@up.get("/databases")\ndef databases():\n    return ""\n',
      'hello/api/__init__.py': 'from flask import Blueprint\n\napi = Blueprint("api", __name__, url_prefix="/ignored")\n\nfrom . import posts\n',
      'hello/api/posts.py': 'from . import api\n\n@api.route("/posts/", methods=["GET", "POST"])\ndef posts():\n    pass\n\n@api.route("/posts/<int:id>", methods=["PUT"])\ndef edit(id):\n    pass\n',
    });
    expect(paths(p)).toEqual(['/api/v1/posts/', '/api/v1/posts/<int:id>', '/up/', '/up/databases']);
    expect(route(p, '/api/v1/posts/<int:id>')?.get).toBe(false);
  });

  it('Flask nested blueprints and a FastAPI sub-application mount', () => {
    const flask = project({
      'shop/__init__.py': 'from flask import Flask, Blueprint\nparent = Blueprint("parent", __name__, url_prefix="/parent")\nchild = Blueprint("child", __name__, url_prefix="/child")\n\n@child.route("/healthz")\ndef healthz():\n    return "ok"\n\nparent.register_blueprint(child)\napp = Flask(__name__)\napp.register_blueprint(parent)\n',
    });
    expect(paths(flask)).toEqual(['/parent/child/healthz']);
    const fastapi = project({
      'main.py': 'from fastapi import FastAPI\napp = FastAPI()\nadmin = FastAPI()\n\n@admin.get("/health")\ndef health():\n    return {}\n\napp.mount("/admin", admin)\n',
    });
    expect(paths(fastapi)).toEqual(['/admin/health']);
  });

  it('Django: include() chains from ROOT_URLCONF, re_path, imported urlpatterns, a third-party include', () => {
    const p = project({
      'manage.py': 'import os\nos.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")\n',
      'config/settings.py': 'ROOT_URLCONF = "config.urls"\n',
      'config/urls.py': 'from django.urls import include, path, re_path\nfrom ops.urls import urlpatterns as ops_urls\n\nurlpatterns = [\n    path("up/", include("up.urls")),\n    path("healthz/", include("health_check.urls")),\n    re_path(r"^api/v1/", include(("api.urls", "api"), namespace="api")),\n] + ops_urls\n',
      'up/urls.py': 'from django.urls import path\nfrom up import views\n\nurlpatterns = [\n    path("", views.index, name="index"),\n    path("databases", views.databases),\n]\n',
      'api/urls.py': 'from django.urls import path, re_path\nfrom .views import StatusView\n\nurlpatterns = [\n    re_path(r"^status/$", StatusView.as_view()),\n    path("items/<int:pk>/", StatusView.as_view()),\n]\n',
      'api/views.py': 'class StatusView(APIView):\n    permission_classes = (IsAuthenticated,)\n',
      'ops/urls.py': 'from django.urls import path\nurlpatterns = [path("pingdom/ping.xml", ping)]\n',
    });
    expect(paths(p)).toEqual(['/api/v1/status/', '/healthz/', '/pingdom/ping.xml', '/up/', '/up/databases']);
    expect(route(p, '/up/')).toMatchObject({ file: 'up/urls.py', line: 5, framework: 'django', resolved: true, auth: false });
    expect(route(p, '/api/v1/status/')?.auth).toBe(true);
    expect(route(p, '/healthz/')).toMatchObject({ file: 'config/urls.py', line: 6 });
  });

  it('Django: a view that turns authentication off is open', () => {
    const p = project({
      'settings.py': 'ROOT_URLCONF = "urls"\n',
      'urls.py': 'from django.urls import path\nfrom views import Ping, Check\nurlpatterns = [path("ping/", Ping.as_view()), path("check/", login_required(Check.as_view()))]\n',
      'views.py': 'class Ping(APIView):\n    authentication_classes = ()\n    permission_classes = (AllowAny,)\n\n\nclass Check(View):\n    pass\n',
    });
    expect(route(p, '/ping/')?.auth).toBe(false);
    expect(route(p, '/check/')?.auth).toBe(true);
  });

  it('Starlette: Route inside Mount, and a Mount of a routes list', () => {
    const p = project({
      'app.py': 'from starlette.applications import Starlette\nfrom starlette.routing import Mount, Route\n\napi = [\n    Route("/health", health),\n]\n\napp = Starlette(routes=[\n    Route("/", home),\n    Mount("/api", routes=api),\n    Mount("/admin", routes=[Route("/users", users, methods=["POST"])]),\n])\n',
    });
    expect(paths(p)).toEqual(['/', '/admin/users', '/api/health']);
  });

  it('Litestar: a Controller path and handler paths', () => {
    const p = project({
      'app/system.py': 'from litestar import Controller, get, post\n\nclass SystemController(Controller):\n    path = "/system"\n    tags = ["System"]\n\n    @get(\n        operation_id="Health",\n        path="/health",\n        exclude_from_auth=True,\n    )\n    async def health(self) -> dict:\n        return {}\n\n    @post("/reload", guards=[admin])\n    async def reload(self) -> None:\n        pass\n\n\n@get("/ping")\nasync def ping() -> str:\n    return "pong"\n',
    });
    expect(route(p, '/system/health')).toMatchObject({ framework: 'litestar', get: true, auth: false, line: 7 });
    expect(route(p, '/system/reload')).toMatchObject({ get: false, auth: true });
    expect(route(p, '/ping')).toBeDefined();
  });

  it('aiohttp: router.add_get, add_route with a method, RouteTableDef', () => {
    const p = project({
      'polls/routes.py': 'def setup_routes(app):\n    app.router.add_get("/", index)\n    app.router.add_route("POST", "/vote", vote)\n',
      'polls/views.py': 'from aiohttp import web\nroutes = web.RouteTableDef()\n\n@routes.get("/healthz")\nasync def healthz(request):\n    return web.Response()\n',
    });
    expect(routeTable(p).map((r) => `${r.path} ${r.framework} ${r.get}`).sort()).toEqual(['/ aiohttp true', '/healthz aiohttp true', '/vote aiohttp false']);
  });

  it('Falcon: add_route, also through a subclass that names the route first', () => {
    const p = project({
      'svc/app.py': 'import falcon\n\nclass App(falcon.App):\n    def setup(self):\n        self.add_route("heartbeat", "/__heartbeat__", Heartbeat())\n\napp = falcon.App()\napp.add_route("/__lbheartbeat__", LB())\n',
    });
    expect(paths(p)).toEqual(['/__heartbeat__', '/__lbheartbeat__']);
  });

  it('Pyramid: config.include route_prefix on add_route and cornice services; a prefix computed at run time is unresolved', () => {
    const p = project({
      'svc/__init__.py': 'from pyramid.config import Configurator\n\ndef main(global_config, **settings):\n    config = Configurator(settings=settings)\n    config.include("svc.views", route_prefix="/v2")\n    config.include("svc.core", route_prefix=api_version)\n',
      'svc/views/__init__.py': 'from pyramid.view import view_config\n\ndef includeme(config):\n    config.add_route("home", "/")\n',
      'svc/core/heartbeat.py': 'from cornice import Service\n\nheartbeat = Service(name="heartbeat", path="/__heartbeat__")\n\n@heartbeat.get()\ndef get(request):\n    return {}\n',
    });
    expect(route(p, '/v2/')).toMatchObject({ framework: 'pyramid', resolved: true });
    expect(route(p, '/__heartbeat__')).toMatchObject({ resolved: false, get: true });
    expect(route(p, '/__heartbeat__')?.unresolved).toMatch(/svc\/__init__\.py:6 api_version/);
  });

  it('bad input: unclosed calls, include cycles and self-including urls neither throw nor hang', () => {
    const p = project({
      'a.py': 'from fastapi import APIRouter\nfrom b import rb\nra = APIRouter(prefix="/a")\nra.include_router(rb)\n\n@ra.get("/health")\ndef h():\n    pass\n',
      'b.py': 'from fastapi import APIRouter\nfrom a import ra\nrb = APIRouter(prefix="/b")\nrb.include_router(ra)\n',
      'broken.py': `@app.get("/x"\n${'y = ("'.repeat(2000)}\npath(\n`,
      'settings.py': 'ROOT_URLCONF = "urls"\n',
      'urls.py': 'from django.urls import include, path\nurlpatterns = [path("x/", include("urls")), path(settings.CONTEXT, include(urlpatterns))]\n',
    });
    const t0 = Date.now();
    const routes = routeTable(p);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(routes.find((r) => r.path.endsWith('/health'))?.resolved).toBe(false);
  });

  it('joins prefixes with one slash and keeps a trailing one', () => {
    expect(joinPath('/api/', '/v1', 'health/')).toBe('/api/v1/health/');
    expect(joinPath('/up', '')).toBe('/up');
    expect(joinPath('up/', '')).toBe('/up/');
  });
});

describe('health routes', () => {
  it('names: health-like last segments; common words only near the root; never a parameter', () => {
    expect(['/health', '/api/v1/utils/health-check/', '/__lbheartbeat__', '/pingdom/ping.xml', '/up/', '/healthz/'].map(healthName)).toEqual(['health', 'health-check', '__lbheartbeat__', 'ping', 'up', 'healthz']);
    expect(['/api/mfa/status', '/orders/{id}/health', '/healthy', '/users/<id>/ping'].map(healthName)).toEqual([undefined, undefined, undefined, undefined]);
  });

  const r = (path: string, extra: Partial<Route> = {}): Route => ({ path, file: 'a.py', line: 1, framework: 'flask', get: true, resolved: true, auth: false, ...extra });

  it('prefers open liveness routes over deep or authenticated checks', () => {
    expect(healthRoutes([r('/__heartbeat__'), r('/__lbheartbeat__')])[0]!.path).toBe('/__lbheartbeat__');
    expect(healthRoutes([r('/check/health', { auth: true }), r('/pingdom/ping.xml')])[0]!.path).toBe('/pingdom/ping.xml');
    expect(healthRoutes([r('/readyz'), r('/livez')])[0]!.path).toBe('/livez');
    expect(healthRoutes([r('/health', { get: false })])).toEqual([]);
  });

  it('without a usable route: any HTTP answer below 500, with a note, never /health', () => {
    const none = chooseHealth([r('/items')], 8000, { http: true });
    expect(none).toMatchObject({ mode: 'any-answer', path: '/' });
    expect(none.argv.join(' ')).toContain('status >= 500');
    expect(none.argv.join(' ')).not.toContain('/health');
    const unresolved = chooseHealth([r('/__heartbeat__', { resolved: false, unresolved: 'x.py:3 api_version' })], 8000, { http: true });
    expect(unresolved.mode).toBe('any-answer');
    expect(unresolved.notes.join('\n')).toMatch(/__heartbeat__ .*x\.py:3 api_version/);
    expect(chooseHealth([r('/health', { auth: true })], 8000, { http: true }).mode).toBe('any-answer');
    const tcp = chooseHealth([], 9000, { http: false });
    expect(tcp.mode).toBe('tcp');
    expect(tcp.argv.join(' ')).toContain('create_connection');
  });

  it('a usable route: GET it, with its file:line as evidence', () => {
    const c = chooseHealth([r('/up/', { file: 'up/urls.py', line: 6 }), r('/up/databases')], 8080, { http: true });
    expect(c).toMatchObject({ mode: 'route', path: '/up/' });
    expect(c.evidence[0]).toMatch(/^up\/urls\.py:6 /);
    expect(c.argv.join(' ')).toContain('"PORT", "8080"');
  });
});

describe('OPS008 advice', () => {
  const DF = 'FROM python:3.13-slim-trixie\nEXPOSE 8000\nCMD ["gunicorn", "--bind", "0.0.0.0:8000", "app:app"]\n';
  const advice = (files: Record<string, string>): string => lintProject({ Dockerfile: DF, ...files }, [healthcheck]).map((f) => f.message).join('\n');

  it("suggests the project's own health route with its full path", () => {
    const msg = advice({ 'app.py': 'from flask import Flask, Blueprint\nops = Blueprint("ops", __name__, url_prefix="/ops")\n\n@ops.get("/healthz")\ndef healthz():\n    return "ok"\n\napp = Flask(__name__)\napp.register_blueprint(ops)\n' });
    expect(msg).toContain("urlopen('http://127.0.0.1:8000/ops/healthz'");
    expect(msg).toContain("the app's health route /ops/healthz");
  });

  it('without a health route, a check that needs none, never an invented /health', () => {
    const msg = advice({ 'app.py': 'from flask import Flask\napp = Flask(__name__)\n\n@app.get("/items")\ndef items():\n    return []\n' });
    expect(msg).toContain('status >= 500');
    expect(msg).not.toContain('/health');
  });
});

describe('prefix evidence', () => {
  it('each prefix of the chosen route is cited with its file:line', () => {
    const p = project({
      'settings.py': 'ROOT_URLCONF = "site_urls"\n',
      'site_urls.py': 'from django.urls import include, path\n\nurlpatterns = [\n    path("ops/", include("ops.urls")),\n]\n',
      'ops/urls.py': 'from django.urls import path\nurlpatterns = [path("healthz/", healthz)]\n',
    });
    const c = chooseHealth(routeTable(p), 8000, { http: true });
    expect(c.path).toBe('/ops/healthz/');
    expect(c.evidence).toEqual(['ops/urls.py:2 django route /ops/healthz/', 'prefix: site_urls.py:4 "ops/", include("ops.urls")']);
    const f = project({
      'main.py': 'from fastapi import FastAPI\nfrom routes import router\napp = FastAPI()\napp.include_router(router, prefix="/api")\n',
      'routes.py': 'from fastapi import APIRouter\nrouter = APIRouter(prefix="/utils")\n@router.get("/health-check/")\ndef h():\n    pass\n',
    });
    expect(chooseHealth(routeTable(f), 8000, { http: true }).evidence).toEqual(['routes.py:3 fastapi route /api/utils/health-check/', 'prefix: main.py:4 "/api"', 'prefix: routes.py:2 "/utils"']);
  });
});

describe('a view that returns a constant: the liveness check of an app with no health route', () => {
  it.each([
    ['@app.route("/hello")\ndef hello():\n    return "Hello, World!"\n', true],
    ['    @app.route("/hello")\n    def hello():\n        # a comment\n        return \'ok\'\n\n    return app\n', true],
    ['@app.get("/")\nasync def root():\n    return {"Hello": "World", "ok": True}\n', true],
    ['@app.get("/")\ndef root():\n    db = get_db()\n    return "x"\n', false],
    ['@app.get("/items/{id}")\ndef item(id):\n    return "x"\n', false],
    ['@app.get("/")\ndef root():\n    return f"{settings.NAME}"\n', false],
    ['@app.get("/")\ndef root():\n    return render_template("index.html")\n', false],
    ['@app.get("/")\n', false],
  ])('%j → %s', (text, want) => {
    expect(constantView(text, 1)).toBe(want);
  });

  it('chooses such a route over "any answer below 500 from /", and says why', () => {
    const f = project({
      'app.py': 'from flask import Flask\napp = Flask(__name__)\n@app.route("/")\ndef index():\n    return render_template("index.html", posts=db.all())\n@app.route("/hello")\ndef hello():\n    return "Hello, World!"\n',
    });
    const h = chooseHealth(routeTable(f), 5000, { http: true, constant: (r) => constantView(f.file(r.file)?.text ?? '', r.line) });
    expect([h.mode, h.path, h.evidence[0]]).toEqual(['route', '/hello', 'app.py:6 flask route /hello: its view returns a constant, so it needs no database or service']);
    expect(chooseHealth(routeTable(f), 5000, { http: true }).mode).toBe('any-answer');
  });
});
