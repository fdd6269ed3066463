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
export const VERDICTS: Record<string, Verdict> = {};

/** Apps where init may exit 2, with the error it must give (none: every app gets packaging). */
export const AMBIGUOUS: Record<string, string> = {};
