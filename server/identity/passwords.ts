/**
 * Password hashing with Argon2id (@node-rs/argon2's defaults: 19 MiB, 2 passes, 1 lane, the
 * OWASP minimum). An unknown user is checked against a fixed dummy hash, so a login for a name
 * that does not exist costs the same time as a wrong password.
 */
import { hash, verify } from '@node-rs/argon2';

export const MIN_PASSWORD_LENGTH = 10;

export function hashPassword(password: string): Promise<string> {
  // The package's default algorithm is Argon2id; its PHC string ($argon2id$...) records it.
  return hash(password);
}

let dummy: Promise<string> | undefined;

/** True when `password` matches `stored`; with no stored hash, spends the same work and fails. */
export async function checkPassword(stored: string | null, password: string): Promise<boolean> {
  if (stored === null) {
    dummy ??= hashPassword('an unknown user has no password');
    await verify(await dummy, password).catch(() => false);
    return false;
  }
  return verify(stored, password).catch(() => false);
}

export function passwordProblem(password: string): string | null {
  if (password.length < MIN_PASSWORD_LENGTH) return `at least ${MIN_PASSWORD_LENGTH} characters`;
  if (password.length > 200) return 'at most 200 characters';
  return null;
}
