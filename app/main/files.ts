/**
 * File menu actions: open, save, save as and export through native dialogs.
 * Only the main process picks paths; the renderer never names a file.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { dialog, type BrowserWindow } from 'electron';
import type { ExportFormat } from '../core/contract.js';
import type { Topology } from '../core/topology.js';
import type { ContractEngine } from '../engine/transport-ws.js';

const TOPOLOGY_FILTERS = [
  { name: 'Topology (JSON)', extensions: ['json'] },
  { name: 'Topology (YAML)', extensions: ['yaml', 'yml'] },
];

function formatOfPath(path: string): 'json' | 'yaml' {
  const extension = extname(path).toLowerCase();
  return extension === '.yaml' || extension === '.yml' ? 'yaml' : 'json';
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The file behind the open document and whether the document changed since it was read or written. */
export class DocumentFiles {
  private path: string | undefined;
  private savedText: string | undefined;
  private currentText: string | undefined;

  constructor(
    private readonly engine: ContractEngine,
    private readonly window: BrowserWindow,
    private readonly onSaved: () => void,
  ) {}

  /** Records a document change from the engine and updates the window title. */
  noteDocument(document: Topology): void {
    this.currentText = JSON.stringify(document);
    this.savedText ??= this.currentText;
    this.updateTitle(document.name);
  }

  get dirty(): boolean {
    return this.currentText !== this.savedText;
  }

  async newDocument(): Promise<void> {
    await this.run('create a new topology', async () => {
      const state = await this.engine.handle('document:replace', { document: { version: 1, name: 'untitled', devices: [] } });
      this.markSaved(undefined, state.document);
    });
  }

  async open(): Promise<void> {
    const result = await dialog.showOpenDialog(this.window, { properties: ['openFile'], filters: TOPOLOGY_FILTERS });
    const path = result.filePaths[0];
    if (result.canceled || path === undefined) return;
    await this.run(`open "${path}"`, async () => {
      const text = await readFile(path, 'utf8');
      const state = await this.engine.handle('document:import', { text, format: formatOfPath(path) });
      this.markSaved(path, state.document);
    });
  }

  async save(): Promise<void> {
    if (this.path === undefined) {
      await this.saveAs();
      return;
    }
    await this.writeTo(this.path);
  }

  async saveAs(): Promise<void> {
    const result = await dialog.showSaveDialog(this.window, { filters: TOPOLOGY_FILTERS, defaultPath: this.path ?? 'topology.json' });
    if (result.canceled || !result.filePath) return;
    await this.writeTo(result.filePath);
  }

  async exportAs(): Promise<void> {
    const result = await dialog.showSaveDialog(this.window, {
      title: 'Export topology',
      defaultPath: 'topology.py',
      filters: [{ name: 'PyZMQ script', extensions: ['py'] }, ...TOPOLOGY_FILTERS],
    });
    if (result.canceled || !result.filePath) return;
    const path = result.filePath;
    const extension = extname(path).toLowerCase();
    const format: ExportFormat = extension === '.py' ? 'pyzmq' : formatOfPath(path);
    await this.run(`export to "${path}"`, async () => {
      const { text } = await this.engine.handle('document:export', { format });
      await writeFile(path, text);
    });
  }

  private async writeTo(path: string): Promise<void> {
    await this.run(`save "${path}"`, async () => {
      const { text } = await this.engine.handle('document:export', { format: formatOfPath(path) });
      await writeFile(path, text);
      const state = await this.engine.handle('document:get', {});
      this.markSaved(path, state.document);
      this.onSaved();
    });
  }

  private markSaved(path: string | undefined, document: Topology): void {
    this.path = path;
    this.savedText = JSON.stringify(document);
    this.currentText = this.savedText;
    this.updateTitle(document.name);
  }

  private updateTitle(name: string): void {
    const file = this.path === undefined ? '' : ` (${basename(this.path)})`;
    this.window.setTitle(`${name}${file}${this.dirty ? ' *' : ''} - Switchyard`);
    this.window.setDocumentEdited(this.dirty);
  }

  private async run(action: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (error) {
      dialog.showErrorBox('Switchyard', `Could not ${action}: ${messageOf(error)}`);
    }
  }
}
