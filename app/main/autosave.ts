/**
 * Autosave of the open document and crash detection, in plain Node so that it
 * is tested without Electron. While the app runs, a marker file exists in the
 * user data folder; a clean quit removes it. Finding the marker at start means
 * the last session ended without a clean quit, so the app offers the autosaved
 * document.
 */
import { access, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { topologySchema, type Topology } from '../core/topology.js';

export const AUTOSAVE_FILE = 'autosave.topology.json';
export const RUNNING_MARKER_FILE = 'session-running';

/** Delay between a document change and its autosave, so a drag in the editor writes once. */
export const AUTOSAVE_DELAY_MS = 1_000;

export class Autosave {
  private timer: NodeJS.Timeout | undefined;
  private pending: Topology | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly folder: string,
    private readonly onError: (message: string) => void,
    private readonly delayMs = AUTOSAVE_DELAY_MS,
  ) {}

  get autosavePath(): string {
    return join(this.folder, AUTOSAVE_FILE);
  }

  get markerPath(): string {
    return join(this.folder, RUNNING_MARKER_FILE);
  }

  /**
   * Marks the session as running and returns the document autosaved by a
   * session that ended without a clean quit, if there is a readable one.
   */
  async beginSession(): Promise<Topology | undefined> {
    await mkdir(this.folder, { recursive: true });
    const crashed = await exists(this.markerPath);
    await writeFile(this.markerPath, `${process.pid}\n`);
    if (!crashed) return undefined;
    return this.readAutosave();
  }

  /** Schedules a write of `document`; later calls within the delay replace it. */
  schedule(document: Topology): void {
    this.pending = document;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.flush(), this.delayMs);
  }

  /** Writes the pending document now, if any. */
  async flush(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const document = this.pending;
    this.pending = undefined;
    if (document) this.writing = this.writing.then(() => this.write(document));
    await this.writing;
  }

  /** Writes what is pending and removes the marker, so the next start offers no restore. */
  async endSession(): Promise<void> {
    await this.flush();
    await rm(this.markerPath, { force: true });
  }

  /** Removes the autosaved document, after the user declined to restore it or saved the document. */
  async discard(): Promise<void> {
    await rm(this.autosavePath, { force: true });
  }

  private async readAutosave(): Promise<Topology | undefined> {
    let text: string;
    try {
      text = await readFile(this.autosavePath, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const parsed = topologySchema.safeParse(JSON.parse(text));
      if (parsed.success) return parsed.data;
      this.onError(`The autosaved topology "${this.autosavePath}" is not valid and was not offered for restore: ${parsed.error.message}`);
    } catch (error) {
      this.onError(`The autosaved topology "${this.autosavePath}" is not JSON and was not offered for restore: ${String(error)}`);
    }
    return undefined;
  }

  /** Writes through a temporary file and a rename, so a crash mid-write leaves the previous autosave intact. */
  private async write(document: Topology): Promise<void> {
    const temporary = `${this.autosavePath}.tmp`;
    try {
      await writeFile(temporary, `${JSON.stringify(document, null, 2)}\n`);
      await rename(temporary, this.autosavePath);
    } catch (error) {
      this.onError(`Autosave to "${this.autosavePath}" failed: ${String(error)}. Save the topology with File > Save.`);
    }
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
