/** SigV4's basic ISO-8601 timestamp, `yyyymmddThhmmssZ` (the `x-amz-date` header). */
export const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Epoch ms of an `x-amz-date`, or undefined when it is not one or names a time that does not exist
 * (month 13, February 30, 24:00): Date.UTC would silently roll those over into another instant.
 * Runs on every signed request, so it checks the fields instead of formatting the date back.
 */
export function parseAmzDate(text: string): number | undefined {
  const m = AMZ_DATE.exec(text);
  return m === null ? undefined : amzDateOf(m);
}

/** parseAmzDate for a string already matched against AMZ_DATE (the authenticator matches once for both checks). */
export function amzDateOf(m: RegExpExecArray): number | undefined {
  const month = +m[2]!;
  const day = +m[3]!;
  const hour = +m[4]!;
  const minute = +m[5]!;
  const second = +m[6]!;
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return undefined;
  const t = Date.UTC(+m[1]!, month - 1, day, hour, minute, second);
  // Days 29-31 may not exist in this month; a rolled-over date lands in the next one.
  if (day > 28 && new Date(t).getUTCMonth() !== month - 1) return undefined;
  return t;
}
