/**
 * Aging a team photo, for every front end (the CLI's `age PHOTO --out`, the studio's ageTeam): every chosen face ages
 * together into one GIF of the whole photo at its own resolution, streamed frame by frame; optionally a close-up GIF
 * per face and a PNG strip of the frames; each face recorded.
 */
import { insertAgingOutput } from '../db/outputs.js';
import { ageTeam, type AgedTeam, type AgedTeamFace, type AgeTeamOptions, type TeamProgress } from '../ml/aging/age-team.js';
import { GifStream } from '../ml/aging/gif-stream.js';
import type { AgingModel } from '../ml/aging/model.js';
import { cutRegion, type Region } from '../ml/aging/team-compose.js';
import { StripSpool } from '../ml/aging/strip-spool.js';
import type { VisionHost } from '../ml/vision/host.js';
import type { Photo } from '../ml/prep/photo.js';
import { DEFAULT_FPS } from './age-files.js';
import type { AgingCatalogue } from './age-record.js';
import { photoFinished, stageStarts, type AgeProgress } from './age-stages.js';

export interface TeamFiles {
  /** The group GIF. */
  readonly gif: string;
  /** A PNG strip of the group frames, left to right. */
  readonly strip?: string | null;
  /** Where a face's close-up GIF goes (its box and as much again around it), or null for none. */
  faceGif?(face: AgedTeamFace): string | null;
}

export interface TeamJob {
  readonly host: VisionHost;
  readonly model: AgingModel;
  /** The photo's absolute path. */
  readonly photo: string;
  /** The photo already decoded (else it is loaded from `photo`). */
  readonly image?: Photo;
  readonly options: Omit<AgeTeamOptions, 'onProgress'>;
  readonly fps?: number;
  readonly files: TeamFiles;
  readonly catalogue: AgingCatalogue | null;
  /** The contract's age.progress stages (one face's, in the same order as agePhotoToFiles), with the face count. */
  readonly onProgress?: (p: TeamStageProgress) => void;
}

export interface TeamStageProgress extends AgeProgress {
  /** Faces aged before this stage, of `faces`. */
  readonly facesDone: number;
  readonly faces: number;
}

export interface AgedTeamFiles {
  readonly team: AgedTeam;
  readonly gif: string;
  readonly strip: string | null;
  /** Per aged face, its close-up GIF (null when not written) and its aging_outputs id when recorded. */
  readonly faces: { readonly face: AgedTeamFace; readonly gif: string | null; readonly outputId: number | null }[];
}

/** The face's box grown by half its size on every side, clipped to the photo. */
export function closeUp(box: readonly number[], width: number, height: number): Region {
  const [x, y, w, h] = box as [number, number, number, number];
  return {
    x0: Math.max(0, Math.floor(x - w / 2)),
    y0: Math.max(0, Math.floor(y - h / 2)),
    x1: Math.min(width, Math.ceil(x + 1.5 * w)),
    y1: Math.min(height, Math.ceil(y + 1.5 * h)),
  };
}

function cutMask(mask: Uint8Array, width: number, r: Region): Uint8Array {
  const w = r.x1 - r.x0;
  const out = new Uint8Array(w * (r.y1 - r.y0));
  for (let y = r.y0; y < r.y1; y++) out.set(mask.subarray(y * width + r.x0, y * width + r.x1), (y - r.y0) * w);
  return out;
}

export async function ageTeamToFiles(job: TeamJob): Promise<AgedTeamFiles> {
  const fps = job.fps ?? DEFAULT_FPS;
  let group: GifStream | null = null;
  const strip = job.files.strip ? new StripSpool(job.files.strip) : null;
  const closeUps: { face: AgedTeamFace; file: string; region: Region; gif: GifStream }[] = [];
  const report = job.onProgress ?? (() => undefined);
  const onProgress = (p: TeamProgress): void => report({ ...stageStarts(p.stage, p.face), facesDone: p.facesDone, faces: p.faces });
  let team: AgedTeam;
  try {
    team = await ageTeam(job.host, job.model, job.image ?? job.photo, { ...job.options, onProgress }, {
      start: ({ width, height, faces, changing }) => {
        group = new GifStream(width, height, changing, { fps });
        for (const face of faces) {
          const file = job.files.faceGif?.(face) ?? null;
          if (!file) continue;
          const region = closeUp(face.box, width, height);
          closeUps.push({ face, file, region, gif: new GifStream(region.x1 - region.x0, region.y1 - region.y0, cutMask(changing, width, region), { fps }) });
        }
      },
      frame: async (_k, frame) => {
        await group!.add(frame);
        for (const c of closeUps) await c.gif.add(cutRegion(frame, c.region));
        await strip?.add(frame);
      },
    });
    await group!.write(job.files.gif);
    for (const c of closeUps) await c.gif.write(c.file);
    await strip?.write();
  } finally {
    // The strip's spooled frames go however the run ends.
    strip?.discard();
  }
  const faces = team.faces.map((face) => {
    const gif = closeUps.find((c) => c.face === face)?.file ?? null;
    const outputId = job.catalogue
      ? insertAgingOutput(job.catalogue.db, {
          modelId: job.model.choice.id,
          modelName: job.model.choice.name,
          photoPath: job.catalogue.name(job.photo),
          faceIndex: face.face,
          sourceAge: face.sourceAge,
          sourceAgeEstimated: face.sourceAgeEstimated,
          gender: face.gender,
          ages: face.ages.ages,
          gifFile: job.catalogue.name(gif ?? job.files.gif),
          stripFile: job.files.strip ? job.catalogue.name(job.files.strip) : null,
        })
      : null;
    return { face, gif, outputId };
  });
  report({ ...photoFinished(), facesDone: team.faces.length, faces: team.faces.length });
  return { team, gif: job.files.gif, strip: job.files.strip ?? null, faces };
}
