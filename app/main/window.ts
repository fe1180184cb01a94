/**
 * The main window and the rules every web page in the app runs under:
 * sandboxed renderer, no navigation, no new windows, no permissions, and the
 * CSP header on every response.
 */
import { app, BrowserWindow, session } from 'electron';
import { APP_ORIGIN } from './channels.js';
import { CONTENT_SECURITY_POLICY } from './renderer-protocol.js';

/** Applies the security rules to every webContents the app creates, including any a bug might open. */
export function setupWebContentsSecurity(log: (message: string) => void): void {
  session.defaultSession.setPermissionRequestHandler((_webContents, permission, callback) => {
    log(`Denied the renderer's request for the "${permission}" permission.`);
    callback(false);
  });
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({
      responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] },
    });
  });
  app.on('web-contents-created', (_event, contents) => {
    contents.on('will-navigate', (event, url) => {
      event.preventDefault();
      log(`Blocked navigation to "${url}".`);
    });
    contents.on('will-redirect', (event, url) => {
      event.preventDefault();
      log(`Blocked a redirect to "${url}".`);
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
      log('Blocked a <webview>.');
    });
    contents.setWindowOpenHandler(({ url }) => {
      log(`Blocked a new window for "${url}".`);
      return { action: 'deny' };
    });
  });
}

export function createMainWindow(preloadPath: string): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 820,
    minWidth: 800,
    minHeight: 500,
    title: 'Switchyard',
    show: false,
    webPreferences: {
      preload: preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  return window;
}

export function loadRenderer(window: BrowserWindow): Promise<void> {
  return window.loadURL(`${APP_ORIGIN}/index.html`);
}
