// Kubernetes and Knative manifests read as containers: image, command, ports, probes, security context, with spans.
import type { Document, Node } from 'yaml';
import { mergedEntries, rangeSpan, resolveAlias, scalarString, stringList, yaml, yamlBool, yamlProblems } from './yaml.js';
import type { K8sContainer, Located, Probe, RuntimeProblem } from './runtime-model.js';

const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Pod', 'Job', 'CronJob', 'ReplicaSet', 'ReplicationController']);

/** The pod spec of a workload document, with where it sits. */
function podSpec(doc: Document, kind: string, apiVersion: string): { spec: Node | null; pod: Map<string, { key: Node; value: Node | null }> } | undefined {
  const top = mergedEntries(doc, doc.contents);
  const spec = top.get('spec')?.value ?? null;
  const get = (n: Node | null, ...path: string[]): Node | null => {
    let cur = n;
    for (const p of path) cur = mergedEntries(doc, cur).get(p)?.value ?? null;
    return cur;
  };
  let pod: Node | null;
  if (apiVersion.startsWith('serving.knative.dev/')) pod = kind === 'Service' || kind === 'Configuration' ? get(spec, 'template', 'spec') : null;
  else if (kind === 'Pod') pod = spec;
  else if (kind === 'CronJob') pod = get(spec, 'jobTemplate', 'spec', 'template', 'spec');
  else pod = get(spec, 'template', 'spec');
  if (!pod) return undefined;
  return { spec: pod, pod: mergedEntries(doc, pod) };
}

/** The containers of the workloads (and Knative services) in a Kubernetes manifest. */
export function parseManifest(file: string, text: string, problems: RuntimeProblem[]): K8sContainer[] {
  const out: K8sContainer[] = [];
  let docs: Document[];
  try {
    docs = yaml().parseAllDocuments(text, { merge: true, uniqueKeys: false }) as Document[];
  } catch {
    return out;
  }
  if (!Array.isArray(docs)) return out;
  for (const doc of docs) {
    const top = mergedEntries(doc, doc.contents);
    const kind = scalarString(top.get('kind')?.value);
    const apiVersion = scalarString(top.get('apiVersion')?.value) ?? '';
    if (doc.errors.length > 0) {
      // only complain about files that are manifests
      if (kind !== undefined || /^\s*(apiVersion|kind)\s*:/m.test(text)) problems.push(...yamlProblems(file, doc));
      continue;
    }
    if (!kind) continue;
    const knative = apiVersion.startsWith('serving.knative.dev/');
    if (!knative && !WORKLOADS.has(kind)) continue;
    const ps = podSpec(doc, kind, apiVersion);
    if (!ps) continue;
    const workload = scalarString(mergedEntries(doc, top.get('metadata')?.value).get('name')?.value) ?? '';
    const podSec = mergedEntries(doc, ps.pod.get('securityContext')?.value);
    const share = ps.pod.get('shareProcessNamespace');
    const shareBool = share ? yamlBool(share.value) : undefined;
    for (const [list, initContainer] of [['containers', false], ['initContainers', true]] as const) {
      const seq = ps.pod.get(list)?.value;
      if (!yaml().isSeq(seq)) continue;
      for (const item of seq.items as Node[]) {
        const c = resolveAlias(doc, item);
        const ce = mergedEntries(doc, c);
        const nameNode = ce.get('name')?.value;
        const loc = <T>(n: { key: Node; value: Node | null } | undefined, f: (n: Node | null) => T | undefined): Located<T> | undefined => {
          if (!n) return undefined;
          const value = f(n.value);
          return value === undefined ? undefined : { value, span: rangeSpan(n.value, rangeSpan(n.key)) };
        };
        const sec = mergedEntries(doc, ce.get('securityContext')?.value);
        const caps = mergedEntries(doc, sec.get('capabilities')?.value);
        const probes: Probe[] = [];
        for (const p of ['liveness', 'readiness', 'startup'] as const) {
          const pr = ce.get(`${p}Probe`);
          if (pr) probes.push({ kind: p, span: rangeSpan(pr.key) });
        }
        out.push({
          file, kind, workload, initContainer, knative,
          name: scalarString(nameNode) ?? '',
          span: rangeSpan(nameNode, rangeSpan(c)),
          containerSpan: rangeSpan(c),
          image: loc(ce.get('image'), scalarString),
          capDrop: loc(caps.get('drop'), (n) => stringList(doc, n)),
          capAdd: loc(caps.get('add'), (n) => stringList(doc, n)),
          runAsNonRoot: loc(sec.get('runAsNonRoot'), yamlBool) ?? loc(podSec.get('runAsNonRoot'), yamlBool),
          readOnlyRootFilesystem: loc(sec.get('readOnlyRootFilesystem'), yamlBool),
          allowPrivilegeEscalation: loc(sec.get('allowPrivilegeEscalation'), yamlBool),
          probes,
          shareProcessNamespace: share && shareBool !== undefined ? { value: shareBool, span: rangeSpan(share.value) } : undefined,
          command: loc(ce.get('command'), (n) => stringList(doc, n)),
          args: loc(ce.get('args'), (n) => stringList(doc, n)),
        });
      }
    }
  }
  return out;
}
