import type { ChronofaceApi, NoFacePhoto } from '../../../../contract/api.js';

const PAGE = 200;

/** The photos where no face was found (no crop yet), for the Review screen's "no face" section. */
export class NoFaceList {
  items = $state<NoFacePhoto[]>([]);
  total = $state(0);
  loaded = $state(false);
  loading = $state(false);
  error = $state<string | null>(null);
  /** The photo open in the editor, or null. */
  open = $state<NoFacePhoto | null>(null);

  private generation = 0;

  constructor(private readonly api: ChronofaceApi) {}

  /** First page again (after a prepare or a crop was created elsewhere). */
  async reload(datasetId?: number): Promise<void> {
    const gen = ++this.generation;
    this.loading = true;
    try {
      const res = await this.api.alignNoFace({ ...(datasetId !== undefined ? { datasetId } : {}), offset: 0, limit: PAGE });
      if (gen !== this.generation) return;
      this.items = res.items;
      this.total = res.total;
      this.error = null;
      this.loaded = true;
      if (this.open && !res.items.some((p) => p.imageId === this.open!.imageId)) this.open = null;
    } catch (err) {
      if (gen === this.generation) this.error = err instanceof Error ? err.message : String(err);
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }

  /** The next page, appended. */
  async more(datasetId?: number): Promise<void> {
    if (this.loading || this.items.length >= this.total) return;
    const gen = this.generation;
    this.loading = true;
    try {
      const res = await this.api.alignNoFace({ ...(datasetId !== undefined ? { datasetId } : {}), offset: this.items.length, limit: PAGE });
      if (gen !== this.generation) return;
      const seen = new Set(this.items.map((p) => p.imageId));
      this.items = [...this.items, ...res.items.filter((p) => !seen.has(p.imageId))];
      this.total = res.total;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      if (gen === this.generation) this.loading = false;
    }
  }

  /** A crop now exists for this photo: it leaves the list. */
  resolved(imageId: number): void {
    const before = this.items.length;
    this.items = this.items.filter((p) => p.imageId !== imageId);
    if (this.items.length < before) this.total = Math.max(0, this.total - 1);
    if (this.open?.imageId === imageId) this.open = null;
  }
}
