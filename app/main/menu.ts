/**
 * The application menu as a template: every file and device action with its
 * accelerator. Built by a plain function so its entries are checked without
 * Electron.
 */
import type { MenuItemConstructorOptions } from 'electron';

export interface MenuActions {
  newDocument(): void;
  open(): void;
  save(): void;
  saveAs(): void;
  exportAs(): void;
  startAll(): void;
  stopAll(): void;
  quit(): void;
}

export function buildMenuTemplate(actions: MenuActions, platform: NodeJS.Platform = process.platform): MenuItemConstructorOptions[] {
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'New', accelerator: 'CmdOrCtrl+N', click: () => actions.newDocument() },
      { label: 'Open…', accelerator: 'CmdOrCtrl+O', click: () => actions.open() },
      { type: 'separator' },
      { label: 'Save', accelerator: 'CmdOrCtrl+S', click: () => actions.save() },
      { label: 'Save As…', accelerator: 'CmdOrCtrl+Shift+S', click: () => actions.saveAs() },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: () => actions.exportAs() },
      { type: 'separator' },
      { label: 'Quit', accelerator: 'CmdOrCtrl+Q', click: () => actions.quit() },
    ],
  };
  const devices: MenuItemConstructorOptions = {
    label: '&Devices',
    submenu: [
      { label: 'Start All', accelerator: 'F5', click: () => actions.startAll() },
      { label: 'Stop All', accelerator: 'Shift+F5', click: () => actions.stopAll() },
    ],
  };
  const edit: MenuItemConstructorOptions = { role: 'editMenu' };
  const template = [file, edit, devices, { role: 'windowMenu' } as MenuItemConstructorOptions];
  return platform === 'darwin' ? [{ role: 'appMenu' }, ...template] : template;
}
