// Reviewed verdicts for the corpus test of init (corpus-apps.test.ts): where MANIFEST.tsv's free text can't be
// matched by rule, a person read the app and the decision and wrote down whether they agree, and why. Each verdict
// holds the value it was given for; when pyship's value changes, the test asks for a new review.

export interface Verdict {
  /** pyship's value the verdict was given for ('-' for no decision). */
  value: string;
  verdict: 'agree' | 'disagree' | 'manifest-wrong';
  why: string;
}

/** `app/field` → verdict. */
export const VERDICTS: Record<string, Verdict> = {
  // Python (issue 12 kind 5): the newest minor every compiled pin has wheels for
  'bonbast-api/python': { value: '3.12', verdict: 'manifest-wrong', why: 'pdm.lock:465 pendulum 3.0.0 has wheels up to cp312 only (its sdist needs Rust); MANIFEST counted pydantic-core/uvloop/httptools (cp313) but not pendulum' },
  'uv-docker-example/python': { value: '3.13', verdict: 'manifest-wrong', why: 'uv.lock:345 pydantic-core 2.33.2 (and uvloop 0.21.0, httptools 0.6.4, pulled by fastapi[standard]) have wheels up to cp313; other packages\' cp314 wheels do not lift that' },
  'shynet/python': { value: '3.9', verdict: 'disagree', why: 'poetry.lock:1373 PyYAML 5.4.1 has wheels up to cp39 and its sdist does not build under Cython 3; MANIFEST counts the project Dockerfile pre-installing it with Cython<3, which the generated image does not do' },
  // health check and port (issue 12 kind 4)
  'antenna/health-check': { value: '/__lbheartbeat__', verdict: 'agree', why: 'MANIFEST lists /__lbheartbeat__ too (antenna/app.py:224); Dockerflow\'s /__heartbeat__ (app.py:223) checks the backends, /__lbheartbeat__ is the cheap liveness check a HEALTHCHECK wants' },
  'market-access-api/health-check': { value: '/pingdom/ping.xml', verdict: 'agree', why: 'MANIFEST lists it; /check/ (api/healthcheck/views.py:13 authentication_classes = (HawkAuthentication,)) answers 401 to a health check' },
  'kinto/health-check': { value: 'no health route: any HTTP answer below 500 from /', verdict: 'disagree', why: 'the /v1 prefix is computed at run time (kinto/core/initialization.py:752 config.include("kinto.core", route_prefix=api_version), api_version from the package version): pyship does not run code, so it checks any answer below 500 from / (which redirects to /v1/) and names /__lbheartbeat__ in a note' },
  'saphyel-recipes/port': { value: '8000', verdict: 'disagree', why: 'Dockerfile:10 ENV PORT 80: the generated image runs as uid 10001, which cannot bind a port below 1024; it listens on 8000 and the note says to publish it as 80 (-p 80:8000)' },
  // build steps, static files, system packages, entries and servers the rules cannot match (issue 12 kinds 2, 3, 8)
  'babybuddy/build-steps': { value: 'assets: gulp, sass (no build script) in .: left out, package.json has no build script to run; compilemessages: a RUN in the build stage (gettext stays out of the final image); collectstatic: a RUN in the runtime stage, as the app user', verdict: 'disagree', why: 'compilemessages and collectstatic placed; the gulp asset build is left out with the reason: package.json has no build script, and pyship does not run gulpfile.js tasks, so babybuddy/static lacks the bundled CSS/JS until it is added by hand' },
  'django-channels-chat/entry': { value: 'chat.asgi:application (ASGI)', verdict: 'agree', why: 'the repo has no asgi.py (MANIFEST says so): pyship writes Channels 2\'s documented chat/asgi.py, which sets Django up and loads chat.routing:application through get_default_application()' },
  'django-channels-chat/system-packages': { value: 'libmariadb3 at run time; gcc, libc6-dev, libmariadb-dev, pkg-config to build', verdict: 'agree', why: 'libmariadb3 at run time, and the compiler and headers mysqlclient needs to build; MANIFEST names the same (libmysqlclient is the MySQL name of that library)' },
  'djangoproject.com/build-steps': { value: 'compilemessages: a RUN in the build stage (gettext stays out of the final image); collectstatic: a RUN in the runtime stage, as the app user', verdict: 'disagree', why: 'compilemessages and collectstatic placed, but not `make compile-scss` (pysassc from the Makefile): collectstatic then collects without static/css/output.css' },
  'docker-django-example/system-packages': { value: 'libpq5 at run time', verdict: 'agree', why: 'libpq5 for psycopg without [binary], as MANIFEST says; curl is only its own HEALTHCHECK tool (pyship\'s is Python)' },
  'docker-django-example/build-steps': { value: 'assets: esbuild, tailwindcss, @tailwindcss/cli (no build script) in assets: left out, package.json has no build script to run; collectstatic: a RUN in the runtime stage, as the app user', verdict: 'disagree', why: 'the assets are built by `yarn build:js` and `yarn build:css` (two scripts, no `build`), which the project\'s own Dockerfile runs; pyship only runs a `build` script and leaves the asset stage out with that reason' },
  'docker-flask-example/static-files': { value: '-', verdict: 'disagree', why: 'the same asset gap as its build-steps: yarn build:js/build:css and `flask digest compile` are not run, so /public is empty' },
  'docker-flask-example/migrations': { value: 'alembic upgrade head: compose one-off `migrate` (`docker compose run --rm migrate`), never at container start; manual, never automated (they drop or recreate data): flask db reset', verdict: 'agree', why: 'flask-db is a wrapper of alembic (alembic.ini, db/versions): the one-off runs alembic upgrade head; its destructive `flask db reset` setup is listed as manual, as MANIFEST says it is run by hand' },
  'docker-flask-example/system-packages': { value: 'libpq5 at run time', verdict: 'agree', why: 'libpq5 for pure-Python psycopg, as MANIFEST says; curl is only its own HEALTHCHECK tool' },
  'docker-flask-example/build-steps': { value: 'assets: esbuild, tailwindcss, @tailwindcss/cli (no build script) in assets: left out, package.json has no build script to run', verdict: 'disagree', why: 'as docker-django-example: yarn build:js/build:css (no `build` script) are left out, and so is `flask digest compile`' },
  'dsuwala-homepage/build-steps': { value: 'none', verdict: 'agree', why: '`conda env create -f environment.yml` is the dependency install, which the generated build stage does with micromamba from that file' },
  'flask-on-docker/entry': { value: 'project:app (WSGI)', verdict: 'agree', why: 'the same object: services/web/manage.py only does `from project import app` (MANIFEST says so too); gunicorn serves project:app directly' },
  'flask-on-docker/build-steps': { value: 'none', verdict: 'agree', why: 'a flake8 lint gate is CI work, not a production build step (the generated CI runs pyship check and bandit); `pip wheel` is the dependency install the build stage does' },
  'flask-tutorial-flaskr/server': { value: 'gunicorn (installed beside the lock: gunicorn==23.0.0)', verdict: 'agree', why: 'no production server is configured (MANIFEST: flask run in the README): pyship adds gunicorn, a production WSGI server, pinned beside the lock with a note; the Flask docs\' waitress would do as well' },
  'graditude/build-steps': { value: 'assets: yarn build:production in frontend: left out, pyship cannot tell where it writes its output (no outDir/output path in the bundler config); add a Node stage by hand; assets: npm run build in .: left out, pyship cannot tell where it writes its output (no outDir/output path in the bundler config); add a Node stage by hand; collectstatic: a RUN in the runtime stage, as the app user', verdict: 'agree', why: 'collectstatic placed; the React frontend is its own image in the project (frontend/docker/production/react/Dockerfile), outside backend/, so leaving it out of the Django image (with the reason) is right' },
  'ihatemoney/package-manager': { value: 'uv', verdict: 'manifest-wrong', why: 'ihatemoney has a uv lock (uv.lock:1 version = 1, revision = 2) and its Makefile:1-4 runs uv (VIRTUALENV = uv venv, PIP := uv pip): MANIFEST says "no lock"' },
  'ihatemoney/build-steps': { value: 'translations: compiled by the package build hook when the image installs the project', verdict: 'agree', why: 'the hatch build hook (hatch_build.py) compiles the catalogues when the image installs the project, as MANIFEST says' },
  'kinto/static-files': { value: '-', verdict: 'disagree', why: 'the kinto-admin SPA (scripts/pull-kinto-admin.sh, a download at image build) is not fetched: /v1/admin has no build in the image' },
  'kinto/build-steps': { value: 'none', verdict: 'disagree', why: '`kinto init` (which writes the ini the app reads) and the kinto-admin download are not build steps pyship knows; the image needs an ini passed in until they are added by hand' },
  'linkding/system-packages': { value: 'libpq5, libxml2 at run time; gcc, libc6-dev, libpq-dev, libxml2-dev to build', verdict: 'disagree', why: 'libpq5 and uWSGI\'s build are there, but not libicu (linkding compiles an ICU SQLite extension in its own Dockerfile, a build step pyship does not know) nor libpcre2 (uWSGI routing, which pyship\'s uwsgi.ini does not use)' },
  'litestar-fullstack/static-files': { value: '-', verdict: 'agree', why: 'the Vite SPA is built in the generated assets stage (bun + vite, see its build-steps decision) and copied into the image; pyship keeps static files of non-Django apps under build-steps' },
};

/** Apps where init may exit 2, with the error it must give (none: every app gets packaging). */
export const AMBIGUOUS: Record<string, string> = {};
