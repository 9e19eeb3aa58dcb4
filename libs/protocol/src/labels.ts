// Workspace labels: the `labels:` mapping of a workspace config and the `key=value` selectors of
// `GET /v1/workspaces?label=` and `mirage workspace list --label` (docs/protocol.md §6.8).

/** A label key: a letter or digit, then up to 62 letters, digits, `.`, `_`, `-` or `/`. */
export const LABEL_KEY_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,62}$/;
/** A label value: up to 63 letters, digits, `.`, `_` or `-` (empty allowed). */
export const LABEL_VALUE_PATTERN = /^[A-Za-z0-9._-]{0,63}$/;

export interface LabelSelector {
  key: string;
  value: string;
}

/** Parses `key=value`; throws an Error naming the selector when it is not one. */
export function parseLabelSelector(text: string): LabelSelector {
  const at = text.indexOf('=');
  const key = at < 0 ? '' : text.slice(0, at);
  const value = at < 0 ? '' : text.slice(at + 1);
  if (at < 0 || !LABEL_KEY_PATTERN.test(key) || !LABEL_VALUE_PATTERN.test(value)) {
    throw new Error(
      `invalid label selector: ${JSON.stringify(text)} (expected key=value, key of letters, digits, . _ - /, value of letters, digits, . _ -)`,
    );
  }
  return { key, value };
}

/** True when `labels` has every selector's key with exactly its value. */
export const matchesLabels = (labels: Readonly<Record<string, string>>, selectors: readonly LabelSelector[]): boolean =>
  selectors.every((selector) => Object.hasOwn(labels, selector.key) && labels[selector.key] === selector.value);
