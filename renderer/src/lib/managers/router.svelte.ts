/** Hash routing (#/review, #/align/42): survives reloads, and leaves the query alone. */
export type Screen = 'datasets' | 'review' | 'align' | 'train' | 'age' | 'evaluate';
export const SCREENS: readonly Screen[] = ['datasets', 'review', 'align', 'train', 'age', 'evaluate'];

export interface Route {
  screen: Screen;
  id: number | null;
}

export function parseHash(hash: string): Route {
  const [name, id] = hash.replace(/^#\/?/, '').split('/');
  const screen = (SCREENS as readonly string[]).includes(name ?? '') ? (name as Screen) : 'review';
  const n = id === undefined ? NaN : Number(id);
  return { screen, id: Number.isInteger(n) && n > 0 ? n : null };
}

export function formatHash(route: Route): string {
  return route.id === null ? `#/${route.screen}` : `#/${route.screen}/${route.id}`;
}

export class Router {
  route = $state<Route>({ screen: 'review', id: null });

  constructor(initialHash: string) {
    this.route = parseHash(initialHash);
  }

  go(screen: Screen, id: number | null = null): void {
    this.route = { screen, id };
    const hash = formatHash(this.route);
    if (typeof location !== 'undefined' && location.hash !== hash) history.pushState(null, '', hash);
  }

  /** Follows back/forward. */
  sync(hash: string): void {
    this.route = parseHash(hash);
  }
}
