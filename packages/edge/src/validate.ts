import { MandateError, type FieldError } from '@mandate/core';
import type { z } from 'zod';

/** Validates `raw` with the operation's schema; zod issues become one AWS-style ValidationException. */
export function validateInput<S extends z.ZodType>(schema: S, raw: unknown): z.infer<S> {
  const r = schema.safeParse(raw, { error: awsIssueMessage });
  if (r.success) return r.data;
  throw zodToValidation(r.error.issues);
}

/**
 * Validates several parts of one request (query, headers) at once, so one ValidationException lists
 * every bad member, as AWS does, instead of the first part's only.
 */
export function validateParts<T extends readonly [z.ZodType, unknown][]>(parts: T): { [K in keyof T]: z.infer<T[K][0]> } {
  const issues: z.core.$ZodIssue[] = [];
  const out = parts.map(([schema, raw]) => {
    const r = schema.safeParse(raw, { error: awsIssueMessage });
    if (r.success) return r.data;
    issues.push(...r.error.issues);
    return undefined;
  });
  if (issues.length > 0) throw zodToValidation(issues);
  return out as { [K in keyof T]: z.infer<T[K][0]> };
}

export function zodToValidation(issues: readonly z.core.$ZodIssue[]): MandateError {
  const fieldList: FieldError[] = issues.map((i) => ({ name: i.path.map(String).join('.') || 'body', message: i.message }));
  const n = fieldList.length;
  const details = fieldList.map((f) => `Value at '${f.name}' failed to satisfy constraint: ${f.message}`).join('; ');
  return new MandateError('validation', `${n} validation error${n === 1 ? '' : 's'} detected: ${details}`, { reason: 'FieldValidationFailed', fieldList });
}

/** Phrases generic zod issues the way AWS services do ("Member must not be null", ...). */
function awsIssueMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'invalid_type':
      return iss.input === undefined || iss.input === null ? 'Member must not be null' : `Member must be of type ${iss.expected}`;
    case 'too_small':
      return iss.origin === 'string' ? `Member must have length greater than or equal to ${iss.minimum}`
        : iss.origin === 'array' ? `Member must have length greater than or equal to ${iss.minimum}`
        : `Member must have value greater than or equal to ${iss.minimum}`;
    case 'too_big':
      return iss.origin === 'string' || iss.origin === 'array' || iss.origin === 'set'
        ? `Member must have length less than or equal to ${iss.maximum}`
        : `Member must have value less than or equal to ${iss.maximum}`;
    case 'invalid_value':
      if (iss.input === undefined || iss.input === null) return 'Member must not be null';
      return `Member must satisfy enum value set: [${iss.values.map(String).join(', ')}]`;
    case 'invalid_format':
      return iss.format === 'regex' && 'pattern' in iss ? `Member must satisfy regular expression pattern: ${String(iss.pattern)}` : `Member must be a valid ${iss.format}`;
    case 'unrecognized_keys':
      return `Unknown member${iss.keys.length === 1 ? '' : 's'}: ${iss.keys.join(', ')}`;
    default:
      return undefined;
  }
}
