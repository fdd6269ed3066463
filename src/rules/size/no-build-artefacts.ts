// SIZE006: ship no build artefacts (an image-only check, run by `pyship audit`).
import { defineImageRule } from '../../lint/rule.js';

export default defineImageRule({
  code: 'SIZE006',
  name: 'no-build-artefacts',
  title: 'Ship no build artefacts',
  area: 'size',
  level: 'image',
  severity: 'info',
  scope: ['I'],
  sources: [],
  why: `C and Cython sources next to the compiled extensions built from them, setuptools \`build/\` directories, source
maps and the app's test directories copied into the runtime image make it larger and serve no purpose at run time.
\`pyship audit\` reads the image's own layers and reports them with the layer that added them. Copy only the installed
result (the venv) and the code that runs from the build stage.

Test directories: the app's (\`test/\` or \`tests/\` below the image's WORKDIR, outside site-packages, e.g. from
\`COPY . .\`) are reported from 100 kB in total. Those that come inside installed distributions are the packages' own
files: a web stack has little of them (FastAPI, uvicorn and Django install 0.2 MB, \`h11/tests\`), so they are reported
only when the \`tests/\` directories in site-/dist-packages add up to more than 5 MB (numpy ships about 14 MB, pandas
about 30 MB), naming the three distributions that ship the most. A \`test/\` directory inside a package is never
counted: it is often part of the package's API (\`django.test\`). The remedy there is a slimmer dependency; deleting
the directories in the build stage is possible but at your own risk, since a package may import from them.`,
  examples: [
    {
      bad: 'The final stage copies the whole build directory: `_speedups.c` next to `_speedups.cpython-313-x86_64-linux-gnu.so`, and `build/lib…`.',
      good: 'The final stage copies only `/opt/venv` from the build stage.',
    },
  ],
});
