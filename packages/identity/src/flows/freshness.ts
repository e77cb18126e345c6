/**
 * When a provider token counts as expired. Tokens are renewed a little before `expires_in` runs out so an
 * agent never receives one that dies in flight: 60 s, or 10 % of the lifetime for short-lived tokens.
 */
export const EXPIRY_MARGIN_MS = 60_000;

export function isFresh(expiresAt: number | undefined, now: number): boolean {
  return expiresAt === undefined || expiresAt - now > EXPIRY_MARGIN_MS;
}
