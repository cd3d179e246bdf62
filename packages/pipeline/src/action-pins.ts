/** One `uses:` line of a workflow, with the comment YAML parsers drop. */
export interface ActionReference {
  line: number;
  /** What follows `uses:`, e.g. `actions/checkout@de0f…` or `./.github/workflows/e2e.yml`. */
  target: string;
  /** The text of a trailing `# …` comment, trimmed. */
  comment?: string;
}

const USES_LINE = /^\s*(?:-\s+)?uses:\s*(['"]?)([^\s'"#]+)\1\s*(?:#\s*(.*?))?\s*$/;
const PINNED = /^(?<action>[\w.-]+\/[\w.-]+(?:\/[\w./-]+)?)@(?<ref>[^@\s]+)$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;
const RELEASE_VERSION = /^v\d+\.\d+\.\d+$/;

export function findActionReferences(text: string): ActionReference[] {
  const references: ActionReference[] = [];
  text.split('\n').forEach((content, index) => {
    const match = USES_LINE.exec(content);
    const target = match?.[2];
    if (!target) return;
    const reference: ActionReference = { line: index + 1, target };
    const comment = match[3];
    if (comment) reference.comment = comment;
    references.push(reference);
  });
  return references;
}

/** A reference pinned the way this repository pins: a commit SHA, and the release it is. */
export interface ActionPin {
  action: string;
  sha: string;
  version: string;
}

/** Workflows of this repository, called by path: they change with the commit that uses them. */
export function isLocal(reference: ActionReference): boolean {
  return reference.target.startsWith('./');
}

/**
 * The pin of an action reference, or why it is not one: a tag or branch can be moved to other
 * code after review, a full commit SHA cannot; the `# vX.Y.Z` comment is what a person (and
 * Dependabot) reads to know which release the SHA is.
 */
export function actionPin(reference: ActionReference): ActionPin | string {
  const match = PINNED.exec(reference.target);
  const action = match?.groups?.action;
  const ref = match?.groups?.ref;
  if (!action || !ref) return `${reference.target} is not owner/repo@ref`;
  if (!COMMIT_SHA.test(ref)) return `${reference.target} is not pinned to a full 40-hex commit SHA`;
  const version = reference.comment?.split(/\s+/)[0];
  if (!version || !RELEASE_VERSION.test(version)) {
    return `${reference.target} has no "# vX.Y.Z" comment naming the release of that SHA`;
  }
  return { action, sha: ref, version };
}
