/** A training run's state; 'interrupted' when its trainer process died without finishing it. */
export type RunStatus = 'running' | 'completed' | 'cancelled' | 'failed' | 'interrupted';
