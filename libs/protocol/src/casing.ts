// The one place that maps request field spellings. The daemon accepts snake_case (Python client)
// and camelCase (early TS client); only top-level fields are renamed, never nested values such as
// a workspace `config`, whose keys belong to the user.

const CAMEL_HUMP = /[A-Z]/g;
const HAS_CAPITAL = /[A-Z]/;

export function toSnakeCase(name: string): string {
  // Most names are already snake_case: a test is much cheaper than a replace with a callback.
  return HAS_CAPITAL.test(name) ? name.replace(CAMEL_HUMP, (letter) => `_${letter.toLowerCase()}`) : name;
}

export class CasingConflictError extends Error {
  constructor(readonly field: string) {
    super(`field given twice, as ${field} and in camelCase`);
  }
}

/**
 * Returns a copy of `fields` with every top-level key in snake_case.
 * Throws CasingConflictError when both spellings of one field are present.
 */
export function normalizeFieldNames(fields: Record<string, unknown>): Record<string, unknown> {
  const normalized: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    const snake = toSnakeCase(key);
    if (Object.prototype.hasOwnProperty.call(normalized, snake)) throw new CasingConflictError(snake);
    // defineProperty, not assignment: a `__proto__` field must stay a field, not become the prototype.
    if (snake === '__proto__') Object.defineProperty(normalized, snake, { value, enumerable: true, writable: true, configurable: true });
    else normalized[snake] = value;
  }
  return normalized;
}
