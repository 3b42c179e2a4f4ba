import { initBackend } from '../tf/backend.js';
import { faceApi, faceApiModelDir, type FaceApiModule, type FaceApiNet } from './face-api.js';

/** load/predict/dispose lifecycle shared by the face-api nets that Chronoface runs on aligned crops. */
export abstract class FaceApiModel<Net extends FaceApiNet> {
  private net: Net | undefined;

  constructor(
    private readonly create: (api: FaceApiModule) => Net,
    protected readonly modelDir = faceApiModelDir(),
  ) {}

  get loaded(): boolean {
    return this.net !== undefined;
  }

  async load(): Promise<void> {
    if (this.net) return;
    const api = faceApi(); // registers the wasm backend (face-api's node-wasm build requires it) before one is chosen
    await initBackend();
    const net = this.create(api);
    await net.loadFromDisk(this.modelDir);
    this.net = net;
  }

  protected requireNet(): Net {
    if (!this.net) throw new Error(`${this.constructor.name}: call load() first`);
    return this.net;
  }

  dispose(): void {
    this.net?.dispose(false);
    this.net = undefined;
  }
}
