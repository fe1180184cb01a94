/**
 * Electron main process: hosts the engine, runs each device in a
 * utilityProcess, and serves the renderer to one sandboxed window that
 * reaches the engine only through the preload bridge. Startup is the flat
 * list of setup steps at the bottom of this file.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, dialog, ipcMain, Menu, type BrowserWindow } from 'electron';
import { EVENT_NAMES } from '../core/contract.js';
import { Engine } from '../engine/engine.js';
import { workerEntry } from '../engine/host.js';
import { Logger, printingSink } from '../engine/logger.js';
import { Autosave } from './autosave.js';
import { COMMAND_CHANNEL, EVENT_CHANNEL } from './channels.js';
import { DocumentFiles } from './files.js';
import { handleIpcCommand } from './ipc-bridge.js';
import { buildMenuTemplate } from './menu.js';
import { registerRendererScheme, serveRenderer } from './renderer-protocol.js';
import { UtilityProcessHost } from './utility-host.js';
import { createMainWindow, loadRenderer, setupWebContentsSecurity } from './window.js';

const mainDirectory = dirname(fileURLToPath(import.meta.url));
/** The compiled layout: this file is dist/app/main/main.js, the renderer build is dist/renderer. */
const RENDERER_DIRECTORY = join(mainDirectory, '..', '..', 'renderer');
const PRELOAD_PATH = join(mainDirectory, 'preload.cjs');

const logger = new Logger();

function setupLogging(): void {
  logger.addSink(printingSink((line) => process.stderr.write(`${line}\n`), 'info'));
}

/** Lets SWITCHYARD_USER_DATA move the autosave and the crash marker, so end-to-end tests use a folder of their own. */
function setupUserDataFolder(): void {
  const folder = process.env.SWITCHYARD_USER_DATA;
  if (folder) app.setPath('userData', folder);
}

/**
 * Returns false when another instance already runs, because two instances
 * would share one autosave file. That instance's window comes to the front.
 */
function setupSingleInstance(): boolean {
  return app.requestSingleInstanceLock();
}

function setupFocusOnSecondInstance(window: BrowserWindow): void {
  app.on('second-instance', () => {
    if (window.isMinimized()) window.restore();
    window.focus();
  });
}

function setupEngine(): Engine {
  const worker = workerEntry();
  return new Engine({ host: new UtilityProcessHost(worker.path), logger });
}

function setupIpc(engine: Engine, window: BrowserWindow): void {
  const windowId = window.webContents.id;
  ipcMain.handle(COMMAND_CHANNEL, (event, message: unknown) =>
    handleIpcCommand(
      engine,
      { webContentsId: event.sender.id, frameUrl: event.senderFrame?.url ?? null, isMainFrame: event.senderFrame?.parent === null },
      windowId,
      message,
      (text) => logger.warn('ipc', text),
    ),
  );
}

function setupEventForwarding(engine: Engine, window: BrowserWindow, files: DocumentFiles, autosave: Autosave): void {
  for (const event of EVENT_NAMES) {
    engine.on(event, (payload) => {
      if (!window.isDestroyed()) window.webContents.send(EVENT_CHANNEL, { type: 'event', event, payload });
    });
  }
  engine.on('document:changed', ({ document }) => {
    files.noteDocument(document);
    autosave.schedule(document);
  });
}

function setupMenu(engine: Engine, files: DocumentFiles): void {
  const runDevices = (command: 'device:start' | 'device:stop') => {
    engine.handle(command, {}).catch((error: unknown) => {
      dialog.showErrorBox('Switchyard', error instanceof Error ? error.message : String(error));
    });
  };
  const template = buildMenuTemplate({
    newDocument: () => void files.newDocument(),
    open: () => void files.open(),
    save: () => void files.save(),
    saveAs: () => void files.saveAs(),
    exportAs: () => void files.exportAs(),
    startAll: () => runDevices('device:start'),
    stopAll: () => runDevices('device:stop'),
    quit: () => app.quit(),
  });
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

/** Offers the document autosaved by a session that ended without a clean quit. */
async function setupRestore(engine: Engine, window: BrowserWindow, autosave: Autosave): Promise<void> {
  const recovered = await autosave.beginSession();
  if (!recovered) return;
  const choice = await dialog.showMessageBox(window, {
    type: 'question',
    buttons: ['Restore', 'Discard'],
    defaultId: 0,
    cancelId: 1,
    message: `Switchyard did not quit cleanly last time. Restore the unsaved topology "${recovered.name}"?`,
  });
  if (choice.response !== 0) {
    await autosave.discard();
    return;
  }
  await engine.handle('document:replace', { document: recovered });
}

/** Stops every device and writes the autosave before the app quits; quit requests during that wait for it. */
function setupQuit(engine: Engine, autosave: Autosave): void {
  let phase: 'running' | 'closing' | 'closed' = 'running';
  app.on('before-quit', (event) => {
    if (phase === 'closed') return;
    event.preventDefault();
    if (phase === 'closing') return;
    phase = 'closing';
    void (async () => {
      logger.info('app', 'stopping every device before quitting');
      await engine.close();
      await autosave.endSession();
      phase = 'closed';
      app.quit();
    })();
  });
  app.on('window-all-closed', () => app.quit());
}

async function main(): Promise<void> {
  setupLogging();

  setupUserDataFolder();

  if (!setupSingleInstance()) {
    app.quit();
    return;
  }

  registerRendererScheme();

  await app.whenReady();

  serveRenderer(RENDERER_DIRECTORY);

  setupWebContentsSecurity((text) => logger.warn('security', text));

  const engine = setupEngine();

  const window = createMainWindow(PRELOAD_PATH);

  const autosave = new Autosave(app.getPath('userData'), (text) => logger.warn('autosave', text));

  const files = new DocumentFiles(engine, window, () => void autosave.discard());

  setupFocusOnSecondInstance(window);

  setupIpc(engine, window);

  setupEventForwarding(engine, window, files, autosave);

  setupMenu(engine, files);

  setupQuit(engine, autosave);

  await loadRenderer(window);

  await setupRestore(engine, window, autosave);
}

main().catch((error: unknown) => {
  logger.error('app', `Startup failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  app.exit(1);
});
