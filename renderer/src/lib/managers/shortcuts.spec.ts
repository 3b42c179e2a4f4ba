import { describe, expect, it } from 'vitest';
import { describeShortcut, EDITOR_SHORTCUTS, isTypingTarget, matchShortcut, REVIEW_SHORTCUTS } from './shortcuts.js';

const key = (k: string, mods: Partial<{ ctrl: boolean; shift: boolean; alt: boolean; meta: boolean }> = {}) => ({
  key: k,
  ctrlKey: mods.ctrl ?? false,
  shiftKey: mods.shift ?? false,
  altKey: mods.alt ?? false,
  metaKey: mods.meta ?? false,
});

describe('review shortcuts', () => {
  it('maps the documented keys to actions', () => {
    expect(matchShortcut(key('a'), REVIEW_SHORTCUTS)?.action).toBe('accept');
    expect(matchShortcut(key('A'), REVIEW_SHORTCUTS)?.action).toBe('accept'); // Caps Lock
    expect(matchShortcut(key('A', { shift: true }), REVIEW_SHORTCUTS)).toBeUndefined();
    expect(matchShortcut(key('r'), REVIEW_SHORTCUTS)?.action).toBe('reject');
    expect(matchShortcut(key('e'), REVIEW_SHORTCUTS)?.action).toBe('edit');
    expect(matchShortcut(key('u'), REVIEW_SHORTCUTS)?.action).toBe('undo');
    expect(matchShortcut(key('z', { ctrl: true }), REVIEW_SHORTCUTS)?.action).toBe('undo');
    expect(matchShortcut(key('z', { meta: true }), REVIEW_SHORTCUTS)?.action).toBe('undo');
    expect(matchShortcut(key('a', { ctrl: true }), REVIEW_SHORTCUTS)?.action).toBe('selectAll');
    expect(matchShortcut(key('ArrowDown'), REVIEW_SHORTCUTS)?.action).toBe('down');
    expect(matchShortcut(key('ArrowDown', { shift: true }), REVIEW_SHORTCUTS)?.action).toBe('extendDown');
    expect(matchShortcut(key('z'), REVIEW_SHORTCUTS)).toBeUndefined();
    expect(matchShortcut(key('a', { alt: true }), REVIEW_SHORTCUTS)).toBeUndefined();
  });

  it('has no two shortcuts on the same chord', () => {
    for (const table of [REVIEW_SHORTCUTS, EDITOR_SHORTCUTS]) {
      const chords = table.map(describeShortcut);
      expect(new Set(chords).size).toBe(chords.length);
    }
  });

  it('describes chords for the help list', () => {
    expect(describeShortcut({ key: 'z', ctrl: true, action: 'undo', label: '' })).toBe('Ctrl+Z');
    expect(describeShortcut({ key: 'ArrowLeft', shift: true, action: 'x', label: '' })).toBe('Shift+←');
  });

  it('ignores keys typed into text fields', () => {
    const fake = (tagName: string, type = '') => ({ tagName, type, isContentEditable: false, closest: () => null }) as unknown as EventTarget;
    expect(isTypingTarget(fake('INPUT', 'text'))).toBe(true);
    expect(isTypingTarget(fake('INPUT', 'number'))).toBe(true);
    expect(isTypingTarget(fake('INPUT', 'checkbox'))).toBe(false);
    expect(isTypingTarget(fake('TEXTAREA'))).toBe(true);
    expect(isTypingTarget(fake('DIV'))).toBe(false);
    expect(isTypingTarget(null)).toBe(false);
  });
});
