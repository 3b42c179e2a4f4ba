import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import sharp from "sharp";
import { openCatalogue } from "/work/main/dist/node/db/catalogue.js";
const UTKFACE_DIR = "/work/shared/datasets/utkface";
const tempDir = (p) => fs.mkdtempSync("/tmp/tr/fx-");
async function makeTrainFixture(opts = { count: 200 }) {
  const size = opts.size ?? 64;
  const dataDir = tempDir("train");
  const db = openCatalogue(dataDir);
  const files = fs.readdirSync(UTKFACE_DIR).filter((f) => /^\d+_[01]_\d_\d+\.jpg\.chip\.jpg$/.test(f)).sort().slice(0, opts.count);
  const ds = db.prepare("INSERT INTO datasets (name, format, root) VALUES ('utk', 'utkface', ?)").run(UTKFACE_DIR);
  const dsId = Number(ds.lastInsertRowid);
  fs.mkdirSync(path.join(dataDir, "crops"), { recursive: true });
  const counts = { train: 0, val: 0, test: 0 };
  const insImage = db.prepare(
    "INSERT INTO images (dataset_id, source_path, content_hash, width, height, format, age, gender, split, prepare_status) VALUES (?, ?, ?, 200, 200, ?, ?, ?, ?, ?)"
  );
  const insCrop = db.prepare(
    "INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, status) VALUES (?, ?, ?, '[1,0,0,0,1,0]', '[1,0,0,0,1,0]', '[]', ?, ?)"
  );
  await Promise.all(
    files.map(async (f, i) => {
      const rel = `crops/${String(i).padStart(5, "0")}.png`;
      await sharp(path.join(UTKFACE_DIR, f)).resize(size, size).png().toFile(path.join(dataDir, rel));
    })
  );
  db.transaction(() => {
    files.forEach((f, i) => {
      const [age, g] = f.split("_");
      const split = opts.splits === false ? null : i % 10 === 0 ? "val" : i % 10 === 1 ? "test" : "train";
      if (split) counts[split]++;
      const hash = crypto.createHash("sha1").update(f).digest("hex");
      const img = insImage.run(dsId, f, hash, "jpeg", Number(age), g === "0" ? "male" : "female", split, "done");
      insCrop.run(Number(img.lastInsertRowid), `crops/${String(i).padStart(5, "0")}.png`, size, JSON.stringify({ size, fixture: true }), opts.status ?? "accepted");
    });
  })();
  db.close();
  return { dataDir, counts };
}
export {
  makeTrainFixture
};
