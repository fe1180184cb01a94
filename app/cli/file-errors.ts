/**
 * Sentences for file system errors of the CLI, in place of Node's raw
 * `ENOENT: no such file or directory, open '…'` text.
 */
import { statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Returns the nearest folder above `path` that exists, or the first path
 * component that is a file (which makes the OS report ENOTDIR).
 */
function nearestExisting(path: string): { path: string; isFolder: boolean } {
  let current = dirname(resolve(path));
  for (;;) {
    const info = statSync(current, { throwIfNoEntry: false });
    if (info) return { path: current, isFolder: info.isDirectory() };
    const parent = dirname(current);
    if (parent === current) return { path: current, isFolder: true };
    current = parent;
  }
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function rawMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Describes why reading the file at `path` failed, with the fix. */
export function readErrorMessage(path: string, error: unknown): string {
  const start = `Cannot read "${path}"`;
  switch (errorCode(error)) {
    case 'ENOENT':
      return `${start}: the file does not exist. Check the path.`;
    case 'EISDIR':
      return `${start}: it is a folder, not a file. Give the path of a topology file (.json or .yaml) inside it.`;
    case 'ENOTDIR':
      return `${start}: "${nearestExisting(path).path}" is a file, not a folder. Check the path.`;
    case 'EACCES':
    case 'EPERM':
      return `${start}: permission denied. Make the file readable for this user or copy it somewhere readable.`;
    default:
      return `${start}: ${rawMessage(error)}. Check the path and the file.`;
  }
}

/**
 * Describes why writing the file at `path` failed, with the fix. `option` is
 * the command-line option that chose the path, such as `-o`, and `fileName`
 * the name to suggest when `path` is a folder.
 */
export function writeErrorMessage(path: string, error: unknown, option: string, fileName: string): string {
  const start = `Cannot write "${path}"`;
  const chooseOtherPath = `choose another path with ${option}`;
  switch (errorCode(error)) {
    case 'ENOENT': {
      const folder = dirname(path);
      return `${start}: the folder "${folder}" does not exist. Create it or ${chooseOtherPath}.`;
    }
    case 'EISDIR':
      return `${start}: it is a folder. Give a file path inside it with ${option}, such as "${join(path, fileName)}".`;
    case 'ENOTDIR':
      return `${start}: "${nearestExisting(path).path}" is a file, not a folder. Give a path inside a folder, or ${chooseOtherPath}.`;
    case 'EACCES':
    case 'EPERM':
      return `${start}: permission denied. Make the folder writable for this user or ${chooseOtherPath}.`;
    case 'EROFS':
      return `${start}: the file system is read-only. ${capitalise(chooseOtherPath)}.`;
    case 'ENOSPC':
      return `${start}: no space is left on the device. Free some space or ${chooseOtherPath}.`;
    default:
      return `${start}: ${rawMessage(error)}. ${capitalise(chooseOtherPath)}.`;
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
