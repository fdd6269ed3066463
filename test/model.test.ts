// The Dockerfile model's promises, each pinned: exact spans, continuations, encodings, heredocs, flags, state, shell.
import { describe, expect, it } from 'vitest';
import { parseDockerfile } from '../src/dockerfile/parse.js';
import { mounts } from '../src/dockerfile/arguments.js';
import { runScript, stageCommands } from '../src/dockerfile/shell.js';
import { aptCall, hasFlag, pipInstall } from '../src/dockerfile/commands.js';
import { finalStage, startCommand, startServers } from '../src/dockerfile/query.js';

const slice = (text: string, s: { start: number; end: number }) => text.slice(s.start, s.end);

describe('parse: positions and layout', () => {
  it('spans are offsets into the original text, also with CRLF, a BOM and tabs', () => {
    const text = '\ufeffFROM python:3.13-slim-trixie\r\n\tRUN echo hi \\\r\n\t  && echo there\r\nCMD ["python"]\r\n';
    const df = parseDockerfile(text);
    expect(df.bodyStart).toBe(1);
    expect(df.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'CMD']);
    const run = df.instructions[1]!;
    expect(slice(text, run.keywordSpan)).toBe('RUN');
    expect(slice(text, run.span)).toBe('RUN echo hi \\\r\n\t  && echo there');
    const cmds = runScript(run)!.commands;
    expect(cmds.map((c) => slice(text, c.argv[0]!.span))).toEqual(['echo', 'echo']);
    expect(slice(text, cmds[1]!.argv[1]!.span)).toBe('there');
  });

  it('comment lines inside a continuation are dropped from the arguments but kept as comments', () => {
    const text = 'FROM python:3.13-slim-trixie\nRUN apt-get update \\\n    # a note with  two spaces of indent\n    && apt-get install -y curl\n';
    const df = parseDockerfile(text);
    const run = df.instructions[1]!;
    expect(run.args).not.toMatch(/note/);
    expect(df.comments.find((c) => c.inContinuation)?.text).toBe('a note with  two spaces of indent');
    const install = runScript(run)!.commands.find((c) => aptCall(c)?.subcommand === 'install')!;
    expect(slice(text, install.span)).toBe('apt-get install -y curl');
  });

  it('lower-case instructions, the escape directive and ONBUILD', () => {
    const text = '# escape=`\nfrom python:3.13-slim-trixie\nrun echo a `\n  b\nONBUILD RUN pip install flask\n';
    const df = parseDockerfile(text);
    expect(df.escape).toBe('`');
    expect(df.instructions.map((i) => i.keyword)).toEqual(['FROM', 'RUN', 'ONBUILD']);
    expect(df.instructions[1]!.args).toBe('echo a   b');
    const onbuild = df.instructions[2]!.onbuild!;
    expect(onbuild.keyword).toBe('RUN');
    expect(slice(text, onbuild.keywordSpan)).toBe('RUN');
  });

  it('heredocs: RUN scripts and COPY files, with exact body spans', () => {
    const text = 'FROM python:3.13-slim-trixie\nRUN <<EOF\nset -e\npip install flask==3.1.0\nEOF\nCOPY <<-"END" /app/start.sh\n\texec gunicorn app:app\n\tEND\nCMD ["sh", "/app/start.sh"]\n';
    const df = parseDockerfile(text);
    const [run, copy] = [df.instructions[1]!, df.instructions[2]!];
    expect(run.heredocs[0]!.content).toBe('set -e\npip install flask==3.1.0\n');
    expect(slice(text, run.heredocs[0]!.contentSpan)).toBe('set -e\npip install flask==3.1.0\n');
    const pip = runScript(run)!.commands.find((c) => pipInstall(c))!;
    expect(slice(text, pip.span)).toBe('pip install flask==3.1.0');
    expect(copy.heredocs[0]).toMatchObject({ name: 'END', quoted: true, chomp: true });
    expect(df.instructions.length).toBe(4);
    expect(df.problems).toEqual([]);
  });

  it('flags and --mount options with spans', () => {
    const text = 'FROM python:3.13-slim-trixie AS build\nRUN --mount=type=cache,target=/root/.cache/pip,id=pip --network=none pip install x==1\nFROM python:3.13-slim-trixie\nCOPY --from=build --chown=app:app /opt/venv /opt/venv\n';
    const df = parseDockerfile(text);
    const run = df.instructions[1]!;
    expect(run.flags.map((f) => f.name)).toEqual(['mount', 'network']);
    expect(mounts(run)[0]).toMatchObject({ type: 'cache', target: '/root/.cache/pip', id: 'pip' });
    expect(slice(text, run.flags[0]!.span)).toBe('--mount=type=cache,target=/root/.cache/pip,id=pip');
    const copy = df.instructions[3]!;
    expect(copy.flags.map((f) => [f.name, f.value])).toEqual([['from', 'build'], ['chown', 'app:app']]);
    expect(copy.words.map((w) => w.value)).toEqual(['/opt/venv', '/opt/venv']);
  });

  it('exec form vs shell form', () => {
    const df = parseDockerfile('FROM x:1\nCMD ["gunicorn", "-b", "0.0.0.0:8000", "app:app"]\nENTRYPOINT exec python app.py\n');
    expect(df.instructions[1]!.json).toEqual(['gunicorn', '-b', '0.0.0.0:8000', 'app:app']);
    expect(df.instructions[2]!.json).toBeUndefined();
  });
});

describe('stages and effective state', () => {
  const text = `ARG PY=3.13
FROM python:\${PY}-slim-trixie AS base
ENV APP_HOME=/srv/app PATH=/opt/venv/bin:$PATH
WORKDIR $APP_HOME
USER 10001
FROM base AS final
WORKDIR src
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN echo hi
FROM registry.example.com:5000/team/python:3.12@sha256:abc AS pinned
`;
  const df = parseDockerfile(text);

  it('base images: ARG defaults resolved, registry/repository/tag/digest, stage references', () => {
    expect(df.stages[0]!.base).toMatchObject({ raw: 'python:${PY}-slim-trixie', resolved: 'python:3.13-slim-trixie', repository: 'python', tag: '3.13-slim-trixie' });
    expect(df.stages[1]!.base.stage).toBe(0);
    expect(df.stages[2]!.base).toMatchObject({ registry: 'registry.example.com:5000', repository: 'team/python', tag: '3.12', digest: 'sha256:abc' });
    expect(df.stages.map((s) => s.name)).toEqual(['base', 'final', 'pinned']);
  });

  it('ENV, WORKDIR, USER and SHELL carry through FROM <stage>', () => {
    const run = df.instructions.find((i) => i.keyword === 'RUN')!;
    expect(run.state.env.get('APP_HOME')).toBe('/srv/app');
    expect(run.state.env.get('PATH')).toBe('/opt/venv/bin:');
    expect(run.state.workdir).toBe('/srv/app/src');
    expect(run.state.user).toBe('10001');
    expect(run.state.shell).toEqual(['/bin/bash', '-o', 'pipefail', '-c']);
    expect(df.globalArgs.get('PY')).toBe('3.13');
  });
});

describe('shell vocabulary', () => {
  it('recognises pip in every spelling', () => {
    const text = 'FROM x:1\nRUN pip install a==1 && pip3 install b==1 && python -m pip install c==1 && python3 -m pip install d==1 && /opt/venv/bin/pip install e==1 && uv pip install f==1 && python3.12 -m pip install g==1 && pip3.11 install h==1\n';
    const df = parseDockerfile(text);
    const pkgs = [...stageCommands(df)].map(({ cmd }) => pipInstall(cmd)?.packages.map((p) => p.value)).filter(Boolean).flat();
    expect(pkgs).toEqual(['a==1', 'b==1', 'c==1', 'd==1', 'e==1', 'f==1', 'g==1', 'h==1']);
  });

  it('strips wrappers and sees bundled flags', () => {
    const df = parseDockerfile('FROM x:1\nRUN sudo -E apt-get install -qy curl && env DEBIAN_FRONTEND=noninteractive apt-get install -y git\n');
    const cmds = [...stageCommands(df)].map(({ cmd }) => cmd);
    expect(cmds[0]!.wrappers).toEqual(['sudo']);
    expect(aptCall(cmds[0]!)?.packages.map((p) => p.value)).toEqual(['curl']);
    expect(hasFlag(cmds[0]!, '-y')).toBe(true);
    expect(cmds[1]!.assignments.map((a) => a.name)).toEqual(['DEBIAN_FRONTEND']);
  });

  it('skips shell rules under a PowerShell SHELL', () => {
    const df = parseDockerfile('FROM mcr.microsoft.com/windows/servercore:ltsc2022\nSHELL ["powershell", "-Command"]\nRUN Invoke-WebRequest https://x -OutFile y; pip install flask\n');
    expect(runScript(df.instructions[2]!)).toBeUndefined();
  });

  it('start command: ENTRYPOINT init + CMD server, sh -c strings parsed', () => {
    const df = parseDockerfile('FROM x:1\nENTRYPOINT ["tini", "--"]\nCMD ["sh", "-c", "exec gunicorn -b 0.0.0.0:$PORT app:app"]\n');
    const start = startCommand(df, finalStage(df)!);
    expect(start.entrypoint?.keyword).toBe('ENTRYPOINT');
    expect(startServers(df, finalStage(df)!).map((s) => s.server)).toEqual(['gunicorn']);
  });
});
