import fs from 'node:fs';
import path from 'node:path';
import { fileRef, type Served } from '../../contract/files.js';
import type { EvalFigures, EvalReport, Split } from '../../contract/types.js';
import type { AgingModel } from '../../ml/aging/model.js';
import type { ServiceContext } from '../context.js';
import { throttle } from '../events.js';
import { exclusiveJob } from '../jobs.js';
import type { HandlerGroup } from './types.js';

export const REPORTS_DIR = 'reports';

interface ReportNote {
  id: string;
  modelName: string;
  split: Split;
  createdAt: string;
  file: string;
  figures: EvalFigures;
}

function noteToReport(n: ReportNote): Served<EvalReport> {
  return { id: n.id, modelName: n.modelName, split: n.split, createdAt: n.createdAt, reportUrl: fileRef(n.file), figures: n.figures };
}

export function evalHandlers(ctx: ServiceContext, modelFor: (id: number | null | undefined) => Promise<AgingModel>): HandlerGroup<'evalRun' | 'evalList'> {
  const dir = path.join(ctx.dataDir, REPORTS_DIR);
  return {
    async evalRun({ modelId, split }) {
      return exclusiveJob(ctx, 'evaluation', async (signal) => {
        const { evaluateModel, writeEvalHtml } = await import('../../workflows/eval.js');
        const model = await modelFor(modelId);
        const progress = throttle((done: number, total: number) => ctx.bus.emit({ type: 'eval.progress', stage: 'faces', done, total }), 200);
        // Independent check estimators too when the environment names their folder (evaluateModel).
        const report = await evaluateModel({ dataDir: ctx.dataDir, db: ctx.db, model, options: { split: split ?? 'test' }, onProgress: progress, signal });
        const createdAt = new Date().toISOString();
        const id = `eval-${createdAt.replace(/[:.]/g, '-')}`;
        const file = `${REPORTS_DIR}/${id}.html`;
        await writeEvalHtml(report, path.join(ctx.dataDir, file));
        const figures: EvalFigures = {
          faces: report.faces,
          mse: report.reconstruction.mse,
          l1: report.reconstruction.l1,
          psnr: report.reconstruction.psnr,
          ssim: report.reconstruction.ssim,
          mig: report.mig.mig,
          migAge: report.mig.age,
          migGender: report.mig.gender,
          slope: report.aging.photo.slope,
          ageMae: report.aging.photo.mae,
          samePerson: report.aging.photo.samePerson,
          estimatorMae: report.estimator.ageMae,
          differentPeopleShare: report.estimator.differentPeopleShare,
          estimatorSlope: report.estimator.realSlope,
          seconds: report.seconds,
        };
        for (const c of report.check) {
          figures[`${c.name}Slope`] = c.photo.slope;
          figures[`${c.name}AgeMae`] = c.photo.mae;
          figures[`${c.name}RealSlope`] = c.realSlope;
        }
        const note: ReportNote = { id, modelName: model.choice.name, split: split ?? 'test', createdAt, file, figures };
        fs.writeFileSync(path.join(dir, `${id}.json`), JSON.stringify(note));
        ctx.bus.emit({ type: 'eval.progress', stage: 'done', done: report.faces, total: report.faces });
        return noteToReport(note);
      });
    },
    async evalList() {
      if (!fs.existsSync(dir)) return { reports: [] };
      const notes = fs
        .readdirSync(dir)
        .filter((n) => n.endsWith('.json'))
        .map((n) => JSON.parse(fs.readFileSync(path.join(dir, n), 'utf8')) as ReportNote)
        .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      return { reports: notes.map(noteToReport) };
    },
  };
}
