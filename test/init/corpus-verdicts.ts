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
  'saphyel-recipes/python': { value: '3.15', verdict: 'disagree', why: 'only lower-bounded ranges and no lock: the newest stable (3.15.0, 2026-10-01); MANIFEST names 3.14, the newest when it was written' },
  // health check and port (issue 12 kind 4)
  'antenna/health-check': { value: '/__lbheartbeat__', verdict: 'agree', why: 'MANIFEST lists /__lbheartbeat__ too (antenna/app.py:224); Dockerflow\'s /__heartbeat__ (app.py:223) checks the backends, /__lbheartbeat__ is the cheap liveness check a HEALTHCHECK wants' },
  'market-access-api/health-check': { value: '/pingdom/ping.xml', verdict: 'agree', why: 'MANIFEST lists it; /check/ (api/healthcheck/views.py:13 authentication_classes = (HawkAuthentication,)) answers 401 to a health check' },
  'kinto/health-check': { value: 'no health route: any HTTP answer below 500 from /', verdict: 'disagree', why: 'the /v1 prefix is computed at run time (kinto/core/initialization.py:752 config.include("kinto.core", route_prefix=api_version), api_version from the package version): pyship does not run code, so it checks any answer below 500 from / (which redirects to /v1/) and names /__lbheartbeat__ in a note' },
  'saphyel-recipes/port': { value: '8000', verdict: 'disagree', why: 'Dockerfile:10 ENV PORT 80: the generated image runs as uid 10001, which cannot bind a port below 1024; it listens on 8000 and the note says to publish it as 80 (-p 80:8000)' },
};

/** Apps where init may exit 2, with the error it must give (none: every app gets packaging). */
export const AMBIGUOUS: Record<string, string> = {};
