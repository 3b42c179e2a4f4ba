import type { ApiEvent, ChronofaceApi, ExportBackground, ExportFormat, ExportImageFormat, ExportSummary, RequestOf, Split } from '../../../../contract/api.js';
import { SPLITS } from '../../../../contract/types.js';

export interface ExportProgress {
  done: number;
  total: number;
  skipped: number;
  cropsPerSecond: number;
}

/** The Export dialog of the Datasets screen: the user's choices, the running export's progress, and where it went. */
export class ExportDialog {
  open = $state(false);
  outDir = $state('');
  format = $state<ExportFormat>('imagefolder');
  includePending = $state(false);
  /** null: every dataset. */
  datasetId = $state<number | null>(null);
  splits = $state<Record<Split, boolean>>({ train: true, val: true, test: true });
  /** null: the crops' own size. */
  size = $state<number | null>(null);
  /** '': as prepared. */
  background = $state<ExportBackground | ''>('');
  imageFormat = $state<ExportImageFormat>('png');
  landmarks = $state(false);
  force = $state(false);

  running = $state(false);
  progress = $state<ExportProgress | null>(null);
  result = $state<ExportSummary | null>(null);
  error = $state<string | null>(null);

  constructor(private readonly api: () => ChronofaceApi) {}

  /** The request the choices spell; defaults are left out, as the CLI's flags would be. */
  request(): RequestOf<'datasetsExport'> {
    const splits = SPLITS.filter((s) => this.splits[s]);
    return {
      outDir: this.outDir.trim(),
      format: this.format,
      ...(this.includePending ? { includePending: true } : {}),
      ...(this.datasetId !== null ? { datasetId: this.datasetId } : {}),
      ...(splits.length < SPLITS.length ? { splits } : {}),
      ...(this.size !== null ? { size: this.size } : {}),
      ...(this.background ? { background: this.background } : {}),
      ...(this.imageFormat !== 'png' ? { imageFormat: this.imageFormat } : {}),
      ...(this.landmarks ? { landmarks: true } : {}),
      ...(this.force ? { force: true } : {}),
    };
  }

  /** Why the export cannot start yet, or null. */
  get problem(): string | null {
    if (!this.outDir.trim()) return 'Choose the folder to export to.';
    if (!SPLITS.some((s) => this.splits[s])) return 'Choose at least one split.';
    if (this.background === 'removed' && this.imageFormat === 'jpg') return 'A transparent background needs PNG or WebP.';
    return null;
  }

  show(datasetId: number | null): void {
    this.datasetId = datasetId;
    this.result = null;
    this.error = null;
    this.open = true;
  }

  onEvent(e: ApiEvent): void {
    if (e.type === 'export.progress' && this.running) this.progress = { done: e.done, total: e.total, skipped: e.skipped, cropsPerSecond: e.cropsPerSecond };
  }

  async browse(): Promise<void> {
    try {
      const r = await this.api().pickFolder({ title: 'Choose the export folder' });
      if (r.path) this.outDir = r.path;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }

  async start(): Promise<void> {
    if (this.running || this.problem) return;
    this.running = true;
    this.error = null;
    this.result = null;
    this.progress = { done: 0, total: 0, skipped: 0, cropsPerSecond: 0 };
    try {
      this.result = await this.api().datasetsExport(this.request());
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.running = false;
    }
  }

  async cancel(): Promise<void> {
    if (!this.running) return;
    try {
      await this.api().datasetsCancel({ job: 'export' });
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    }
  }
}
