/** Refuses an update in its validator: the reason reaches the caller and nothing changes. */
export function refuse(reason: string): never {
  throw new Error(reason);
}
