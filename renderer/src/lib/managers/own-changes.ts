/**
 * The service announces every catalogue change, ours included. Marking our own changes lets screens tell them apart
 * from changes made elsewhere (another window, the CLI) that deserve a "refresh" notice.
 */
let until = 0;

export function markOwnChange(ms = 3000): void {
  until = Math.max(until, Date.now() + ms);
}

export function isOwnChange(): boolean {
  return Date.now() < until;
}
