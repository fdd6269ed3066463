// Notes that speak of the Dockerfile pyship generates (its Python, its server command, its layout) mean nothing when
// the project's own Dockerfile is kept and none is generated: the command drops them then, so the summary stays true.

/** Notes about the generated Dockerfile alone, by what they say. */
const GENERATED_ONLY: readonly RegExp[] = [
  // python-choice.ts: the project's Dockerfile builds on another Python than the generated one
  /\bthe generated one uses \d/,
  // python-choice.ts: the generated image's Python, and how to move it
  /^the image uses Python \d/,
  // spec.ts: options of the project's server command that the generated server config replaces
  /options not carried over \(the generated server config/,
  // spec.ts: pyship's server settings beside the project's own file, which only the generated CMD reads
  /is the project's own: pyship's \w+ settings go in /,
  /^[\w.]+\.pyship\.ini carries over the serving options of /,
  // steps.ts: where the generated Dockerfile copies the asset build's output
  /^the asset build's output is copied to /,
];

/** `notes` without those about the generated Dockerfile when `kept` (the project's Dockerfile is kept as it is). */
export function dropGeneratedDockerfileNotes(notes: readonly string[], kept: boolean): string[] {
  return kept ? notes.filter((n) => !GENERATED_ONLY.some((re) => re.test(n))) : [...notes];
}
