import { readFileSync } from 'node:fs';
import type { z } from 'zod';

/** Every zod issue as `path: message`, joined: the start-up error names each bad key. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/** Reads a JSON configuration file and validates it; any problem becomes `makeError` with the file and the bad keys. */
export function readJsonConfig<S extends z.ZodType>(path: string, what: string, schema: S, makeError: (message: string) => Error): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw makeError(`cannot read the ${what} ${path}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw makeError(`${path}: ${describeIssues(parsed.error)}`);
  return parsed.data;
}
