// What `pyship init` serves: an app object a WSGI/ASGI server (or Celery) loads as `module:attr`. Shared by the
// readers that find one (app.ts, factories.ts), so neither imports the other for it.

/** aiohttp apps are neither WSGI nor ASGI: aiohttp's own server (or gunicorn's aiohttp worker) runs them. */
export type AppInterface = 'wsgi' | 'asgi' | 'aiohttp' | 'celery';

/** An app object the server can load: `module:attr` (with `()` for a factory). */
export interface AppCandidate {
  interface: AppInterface;
  framework: 'flask' | 'fastapi' | 'starlette' | 'celery' | 'django' | 'quart' | 'falcon' | 'litestar' | 'aiohttp' | 'pyramid' | 'channels';
  /** Importable module, e.g. `app`, `myproj.main` (relative to `importRoot`). */
  module: string;
  /** Attribute, e.g. `app`, or `create_app()` for a factory. */
  attr: string;
  /** Root-relative path of the file that defines it. */
  file: string;
  /** The directory Python imports `module` from: '' (project root) or e.g. `src`, `backend`. */
  importRoot: string;
  /** 1-based line of `file` that makes it (the assignment, or the factory's `def`). */
  line?: number;
}
