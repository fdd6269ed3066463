// DF004: ADD only for what COPY cannot do (URLs, git, local tar archives to extract); plain files go with COPY.
import { defineRule } from '../../lint/rule.js';
import { expandWord } from '../../dockerfile/words.js';
import { rewriteInstruction, stateLookup } from './_util.js';

/** Archives ADD extracts (and compressed files that may be tarballs): hadolint DL3020's list, roughly. */
const ARCHIVE = /\.(tar|tgz|taz|tz|tb2|tbz|tbz2|txz|tlz|tzst|tar\.(gz|bz2|xz|zst|lz|lzma|z)|gz|bz2|xz|zst|lz|lzma|z)$/i;
const REMOTE = /^([a-z][a-z0-9+.-]*:\/\/|git@)/i;
/** Flags only ADD has: keep the ADD. */
const ADD_ONLY = new Set(['checksum', 'keep-git-dir', 'unpack']);

export default defineRule({
  code: 'DF004',
  name: 'copy-not-add',
  title: 'Use COPY, not ADD, for local files',
  area: 'df',
  severity: 'warning',
  scope: ['D'],
  fix: 'safe',
  sources: ['hadolint:DL3020'],
  why: `\`ADD\` does more than copy: it downloads URLs, clones git repositories and unpacks local tar archives. For a
plain file or directory that magic is only a risk (a file that happens to be a tarball gets unpacked) and makes the
reader wonder which of it was intended. \`COPY\` says "copy these files", nothing else.

Like hadolint, pyship accepts \`ADD\` for URLs, git sources and local archives (\`.tar\`, \`.tar.gz\`, \`.tgz\`,
\`.tar.xz\`, \`.tar.zst\`…). The fix replaces \`ADD\` with \`COPY\`, which for local non-archive sources does exactly
the same; it is not offered when the instruction uses a flag only \`ADD\` has (\`--checksum\`, \`--keep-git-dir\`).`,
  examples: [
    { bad: 'FROM python:3.13-slim-trixie\nADD . /app\n', good: 'FROM python:3.13-slim-trixie\nCOPY . /app\n' },
    {
      bad: 'FROM python:3.13-slim-trixie\nADD --chown=app:app requirements.txt app.py /app/\n',
      good: 'FROM python:3.13-slim-trixie\nCOPY --chown=app:app requirements.txt app.py /app/\n',
    },
    {
      bad: 'FROM python:3.13-slim-trixie\nadd ["app.py", "/app/"]\n',
      good: 'FROM python:3.13-slim-trixie\nADD vendor/wheels.tar.gz /wheels/\nADD https://example.com/model.bin /models/\nCOPY app.py /app/\n',
      fixed: 'FROM python:3.13-slim-trixie\ncopy ["app.py", "/app/"]\n',
    },
  ],
  check({ dockerfile: df, report }) {
    for (const top of df.instructions) {
      const instr = top.onbuild ?? top;
      if (instr.keyword !== 'ADD' || instr.words.length < 2 || instr.heredocs.length > 0) continue;
      const lookup = stateLookup(instr);
      let local = true;
      for (const w of instr.words.slice(0, -1)) {
        const { value: v, unresolved } = expandWord(instr.json ? w.value : w.raw, lookup, df.escape);
        if (unresolved.length > 0 || REMOTE.test(v) || ARCHIVE.test(v.replace(/\/+$/, ''))) {
          local = false;
          break;
        }
      }
      if (!local) continue;
      const canFix = !instr.flags.some((f) => ADD_ONLY.has(f.name));
      const kw = df.text.slice(instr.keywordSpan.start, instr.keywordSpan.end);
      const copy = kw === kw.toLowerCase() ? 'copy' : 'COPY';
      const edit = canFix ? rewriteInstruction(df, instr, [{ start: instr.keywordSpan.start, end: instr.keywordSpan.end, text: copy }]) : undefined;
      report({
        span: instr.keywordSpan,
        message: '`ADD` of local files: use `COPY` (ADD is for URLs, git sources and tar archives to unpack)',
        fix: edit ? { description: 'replace `ADD` with `COPY`', edits: [edit] } : undefined,
      });
    }
  },
});
