// The YAML library, loaded on first use: most runs parse no YAML, and loading it costs start-up time.
import { createRequire } from 'node:module';

type YamlModule = typeof import('yaml');
let mod: YamlModule | undefined;

export function yaml(): YamlModule {
  return (mod ??= createRequire(import.meta.url)('yaml') as YamlModule);
}
