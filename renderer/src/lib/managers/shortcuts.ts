/** Keyboard shortcuts declared as data: one table per screen, matched against KeyboardEvents. */

export interface Shortcut<A extends string = string> {
  /** KeyboardEvent.key, compared case-insensitively for letters. */
  key: string;
  ctrl?: boolean;
  shift?: boolean;
  alt?: boolean;
  action: A;
  /** Shown in the on-screen shortcut list. */
  label: string;
}

export interface KeyLike {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
}

/** Ctrl and Cmd are the same modifier here, so the table works on macOS too. */
export function matchShortcut<A extends string>(event: KeyLike, table: readonly Shortcut<A>[]): Shortcut<A> | undefined {
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  const ctrl = event.ctrlKey || event.metaKey;
  return table.find(
    (s) =>
      (s.key.length === 1 ? s.key.toLowerCase() : s.key) === key &&
      Boolean(s.ctrl) === ctrl &&
      Boolean(s.alt) === event.altKey &&
      Boolean(s.shift) === event.shiftKey,
  );
}

/** A key event typed into a text field must not trigger grid shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  if (!target || typeof (target as Element).closest !== 'function') return false;
  const el = target as HTMLElement;
  if (el.isContentEditable) return true;
  const tag = el.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') {
    const type = (el as HTMLInputElement).type;
    return !['checkbox', 'radio', 'button', 'submit', 'range'].includes(type);
  }
  return false;
}

export function describeShortcut(s: Shortcut): string {
  const names: Record<string, string> = { ArrowLeft: '←', ArrowRight: '→', ArrowUp: '↑', ArrowDown: '↓', ' ': 'Space', Escape: 'Esc' };
  const parts: string[] = [];
  if (s.ctrl) parts.push('Ctrl');
  if (s.shift) parts.push('Shift');
  if (s.alt) parts.push('Alt');
  parts.push(names[s.key] ?? (s.key.length === 1 ? s.key.toUpperCase() : s.key));
  return parts.join('+');
}

export type ReviewAction =
  | 'left' | 'right' | 'up' | 'down' | 'pageUp' | 'pageDown' | 'home' | 'end'
  | 'extendLeft' | 'extendRight' | 'extendUp' | 'extendDown'
  | 'accept' | 'reject' | 'needsFix' | 'edit' | 'undo' | 'selectAll' | 'clearSelection' | 'toggleSelect' | 'details';

export const REVIEW_SHORTCUTS: readonly Shortcut<ReviewAction>[] = [
  { key: 'ArrowLeft', action: 'left', label: 'Previous crop' },
  { key: 'ArrowRight', action: 'right', label: 'Next crop' },
  { key: 'ArrowUp', action: 'up', label: 'Row above' },
  { key: 'ArrowDown', action: 'down', label: 'Row below' },
  { key: 'ArrowLeft', shift: true, action: 'extendLeft', label: 'Extend selection left' },
  { key: 'ArrowRight', shift: true, action: 'extendRight', label: 'Extend selection right' },
  { key: 'ArrowUp', shift: true, action: 'extendUp', label: 'Extend selection up' },
  { key: 'ArrowDown', shift: true, action: 'extendDown', label: 'Extend selection down' },
  { key: 'PageUp', action: 'pageUp', label: 'Page up' },
  { key: 'PageDown', action: 'pageDown', label: 'Page down' },
  { key: 'Home', action: 'home', label: 'First crop' },
  { key: 'End', action: 'end', label: 'Last crop' },
  { key: 'a', action: 'accept', label: 'Accept' },
  { key: 'r', action: 'reject', label: 'Reject' },
  { key: 'f', action: 'needsFix', label: 'Mark as needs fix' },
  { key: 'e', action: 'edit', label: 'Edit alignment' },
  { key: 'u', action: 'undo', label: 'Undo' },
  { key: 'z', ctrl: true, action: 'undo', label: 'Undo' },
  { key: 'a', ctrl: true, action: 'selectAll', label: 'Select all shown' },
  { key: 'Escape', action: 'clearSelection', label: 'Clear selection' },
  { key: ' ', action: 'toggleSelect', label: 'Toggle selection' },
  { key: 'Enter', action: 'details', label: 'Show details' },
];

export type EditorAction = 'save' | 'reset' | 'next' | 'prev' | 'close' | 'nextPoint' | 'prevPoint' | 'nudgeLeft' | 'nudgeRight' | 'nudgeUp' | 'nudgeDown' | 'bigLeft' | 'bigRight' | 'bigUp' | 'bigDown';

export const EDITOR_SHORTCUTS: readonly Shortcut<EditorAction>[] = [
  { key: 's', ctrl: true, action: 'save', label: 'Save' },
  { key: 'Enter', action: 'save', label: 'Save' },
  { key: 'Backspace', action: 'reset', label: 'Reset points' },
  { key: 'PageDown', action: 'next', label: 'Next crop' },
  { key: 'PageUp', action: 'prev', label: 'Previous crop' },
  { key: 'Escape', action: 'close', label: 'Back to review' },
  { key: 'Tab', action: 'nextPoint', label: 'Next point' },
  { key: 'Tab', shift: true, action: 'prevPoint', label: 'Previous point' },
  { key: 'ArrowLeft', action: 'nudgeLeft', label: 'Move point 1 px' },
  { key: 'ArrowRight', action: 'nudgeRight', label: 'Move point 1 px' },
  { key: 'ArrowUp', action: 'nudgeUp', label: 'Move point 1 px' },
  { key: 'ArrowDown', action: 'nudgeDown', label: 'Move point 1 px' },
  { key: 'ArrowLeft', shift: true, action: 'bigLeft', label: 'Move point 10 px' },
  { key: 'ArrowRight', shift: true, action: 'bigRight', label: 'Move point 10 px' },
  { key: 'ArrowUp', shift: true, action: 'bigUp', label: 'Move point 10 px' },
  { key: 'ArrowDown', shift: true, action: 'bigDown', label: 'Move point 10 px' },
];
