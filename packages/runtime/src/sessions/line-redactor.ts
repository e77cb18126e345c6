/**
 * Agent output goes to the Mandate log, so obvious credentials are masked first: Mandate's workload
 * access tokens, JWTs (user tokens an agent might print), and the literal secrets Mandate handed to
 * that process (its access key secret).
 */
const PATTERNS = [
  /mwat1\.[A-Za-z0-9_.-]+/g,
  /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g,
];

export function makeLineRedactor(secrets: string[]): (line: string) => string {
  const lits = secrets.filter((s) => s.length >= 8);
  return (line) => {
    let out = line;
    for (const p of PATTERNS) out = out.replace(p, '[redacted]');
    for (const s of lits) if (out.includes(s)) out = out.split(s).join('[redacted]');
    return out;
  };
}
