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
maps and test directories copied from a build stage make the runtime image larger and serve no purpose at run time.
\`pyship audit\` reads the image's layers and reports them with the layer that added them. Copy only the installed
result (the venv) from the build stage.`,
  examples: [
    {
      bad: 'The final stage copies the whole build directory: `_speedups.c` next to `_speedups.cpython-313-x86_64-linux-gnu.so`, and `build/lib…`.',
      good: 'The final stage copies only `/opt/venv` from the build stage.',
    },
  ],
});
