/**
 * IPC channel names shared by the preload and the main process. This file
 * imports nothing, so the preload bundle stays free of Node-only code.
 */

/** `ipcRenderer.invoke` channel of commands; the handler returns a response envelope. */
export const COMMAND_CHANNEL = 'switchyard:command';

/** Channel on which the main process pushes engine events to the window. */
export const EVENT_CHANNEL = 'switchyard:event';

/** Scheme and host the renderer is served from, such as `app://switchyard/index.html`. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'switchyard';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
