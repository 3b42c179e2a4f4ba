import { ApiError } from '../../contract/api.js';
import { getCropDetail } from '../../db/crop-detail.js';
import { undoLastBatch } from '../../db/crop-history.js';
import { setCropLabels, setCropStatus, setStatusByFilter } from '../../db/review-edits.js';
import { getReviewRow, listReview, reviewIds } from '../../db/review.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import type { Aligner } from './align.js';
import { toDetail, toTile } from './shape.js';
import type { HandlerGroup } from './types.js';

type ReviewMethods = 'reviewList' | 'reviewIds' | 'reviewSetStatus' | 'reviewBulkStatus' | 'reviewUndo' | 'reviewDetail' | 'reviewSetLabels';

export function reviewHandlers(ctx: ServiceContext, aligner: Aligner): HandlerGroup<ReviewMethods> {
  const { db, bus } = ctx;
  const detail = (id: number) => {
    const d = getCropDetail(db, id);
    if (!d) throw notFound(`crop ${id} does not exist`);
    return toDetail(d);
  };
  return {
    async reviewList({ filter, sort, offset, limit }) {
      const page = listReview(db, { filter: filter ?? {}, ...(sort ? { sort } : {}), offset, limit });
      return { total: page.total, offset, items: page.rows.map(toTile) };
    },
    async reviewIds({ filter, sort }) {
      return { ids: reviewIds(db, { filter: filter ?? {}, ...(sort ? { sort } : {}) }) };
    },
    async reviewSetStatus({ ids, status }) {
      const r = setCropStatus(db, ids, status);
      if (r.changed) bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return r;
    },
    async reviewBulkStatus({ filter, status }) {
      const r = setStatusByFilter(db, filter ?? {}, status);
      if (r.changed) bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return r;
    },
    async reviewUndo() {
      const r = undoLastBatch(db);
      if (r.kind === 'alignment') {
        const reverted = await aligner.undo(r.batch!, r.entries);
        bus.emit({ type: 'catalogue.changed', what: 'crops' });
        return { batch: r.batch, reverted, ids: r.ids };
      }
      if (r.kind !== 'none') bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return { batch: r.batch, reverted: r.entries.length, ids: r.ids };
    },
    async reviewDetail({ id }) {
      return detail(id);
    },
    async reviewSetLabels({ id, age, gender }) {
      if (age === undefined && gender === undefined) throw new ApiError('invalid-argument', 'give an age, a gender or both');
      if (!getReviewRow(db, id)) throw notFound(`crop ${id} does not exist`);
      const r = setCropLabels(db, id, { ...(age !== undefined ? { age } : {}), ...(gender !== undefined ? { gender } : {}) });
      if (r.changed) bus.emit({ type: 'catalogue.changed', what: 'crops' });
      return { batch: r.batch, crop: detail(id) };
    },
  };
}
