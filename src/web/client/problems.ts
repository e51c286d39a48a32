// RFC 9457 problem details from the API, turned into messages for the form's fields. No DOM here.

export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  /** Field path (e.g. `parameters.toDate`) -> messages. */
  errors?: Record<string, string[]>;
  [extension: string]: unknown;
}

export function isProblem(value: unknown): value is Problem {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    ('title' in value || 'detail' in value || 'errors' in value)
  );
}

export interface FieldMessages {
  /** Messages by the form's field key (one of the keys passed in). */
  fields: Record<string, string[]>;
  /** Messages no field shows: about the request as a whole, or a field the form does not have. */
  general: string[];
}

/** Starts with a capital letter: `must be ...` -> `Must be ...`. */
const sentence = (message: string): string => message.charAt(0).toUpperCase() + message.slice(1);

/**
 * Spreads a problem's `errors` over the form's fields. `fieldKeys` are the keys the form shows errors
 * for, named as the API names them (`format`, `parameters.fromDate`); an error on a path below one of
 * them (`parameters.tags.0`) goes to that field. The rest, and a problem without `errors`, becomes a
 * general message.
 */
export function fieldMessages(problem: Problem, fieldKeys: readonly string[]): FieldMessages {
  const fields: Record<string, string[]> = {};
  const general: string[] = [];
  const errors = problem.errors && typeof problem.errors === 'object' ? problem.errors : {};
  const byLength = [...fieldKeys].sort((a, b) => b.length - a.length);
  for (const [path, messages] of Object.entries(errors)) {
    if (!Array.isArray(messages)) continue;
    const key = byLength.find((k) => path === k || path.startsWith(`${k}.`));
    for (const message of messages.map(String)) {
      if (key !== undefined) {
        const list = (fields[key] ??= []);
        if (!list.includes(sentence(message))) list.push(sentence(message));
      } else {
        const name = path.replace(/^parameters\./, '');
        general.push(path === '$' || path === '' ? sentence(message) : `${name}: ${message}`);
      }
    }
  }
  if (Object.keys(fields).length === 0 && general.length === 0) general.push(summary(problem));
  return { fields, general };
}

/** One line for a problem: its detail, else its title, else the status. */
export function summary(problem: Problem): string {
  return (
    problem.detail ?? problem.title ?? `The request failed${problem.status ? ` (${problem.status})` : ''}.`
  );
}
