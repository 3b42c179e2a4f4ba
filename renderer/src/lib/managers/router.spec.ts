import { describe, expect, it } from 'vitest';
import { formatHash, parseHash, Router } from './router.svelte.js';

describe('router', () => {
  it('parses screens and ids from the hash', () => {
    expect(parseHash('#/align/42')).toEqual({ screen: 'align', id: 42 });
    expect(parseHash('#/train')).toEqual({ screen: 'train', id: null });
    expect(parseHash('')).toEqual({ screen: 'review', id: null });
    expect(parseHash('#/nowhere/3')).toEqual({ screen: 'review', id: 3 });
    expect(parseHash('#/align/-1')).toEqual({ screen: 'align', id: null });
  });
  it('formats what it parses', () => {
    for (const h of ['#/align/7', '#/age', '#/datasets']) expect(formatHash(parseHash(h))).toBe(h);
  });
  it('goes and syncs', () => {
    const r = new Router('#/age');
    expect(r.route.screen).toBe('age');
    r.sync('#/align/5');
    expect(r.route).toEqual({ screen: 'align', id: 5 });
  });
});
