/**
 * The main-process side of the IPC bridge, in plain Node so that it is tested
 * without Electron. It checks who sent a command and what the command
 * contains before passing it to the engine.
 */
import { parseCommand, requestEnvelopeSchema, type ResponseEnvelope } from '../core/contract.js';
import { dispatch, type ContractEngine } from '../engine/transport-ws.js';
import { APP_HOST, APP_SCHEME } from './channels.js';

/** The sender of an IPC message as Electron reports it, reduced to the fields the check uses. */
export interface IpcSender {
  /** `event.sender.id`: the webContents that sent the message. */
  webContentsId: number;
  /** `event.senderFrame.url`, or null when the frame is gone. */
  frameUrl: string | null;
  /** True when the sending frame is the top frame of its page. */
  isMainFrame: boolean;
}

export type SenderCheck = { ok: true } | { ok: false; reason: string };

/**
 * Accepts a sender only when it is the top frame of our own window and shows
 * our own renderer, so a page that somehow loaded into the window, or a
 * frame inside it, cannot drive devices.
 */
export function checkSender(sender: IpcSender, windowWebContentsId: number | undefined): SenderCheck {
  if (windowWebContentsId === undefined || sender.webContentsId !== windowWebContentsId) {
    return { ok: false, reason: `webContents ${sender.webContentsId} is not the Switchyard window` };
  }
  if (!sender.isMainFrame) {
    return { ok: false, reason: 'the message came from a subframe' };
  }
  if (sender.frameUrl === null) {
    return { ok: false, reason: 'the sending frame no longer exists' };
  }
  let url: URL;
  try {
    url = new URL(sender.frameUrl);
  } catch {
    return { ok: false, reason: `the frame URL "${sender.frameUrl}" is not a valid URL` };
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) {
    return { ok: false, reason: `the frame URL "${sender.frameUrl}" is not the Switchyard renderer` };
  }
  return { ok: true };
}

/**
 * Handles one `invoke` on the command channel: checks the sender, then the
 * envelope and the payload against the contract, then runs the command.
 * Always resolves with a response envelope, never rejects.
 */
export async function handleIpcCommand(
  engine: ContractEngine,
  sender: IpcSender,
  windowWebContentsId: number | undefined,
  message: unknown,
  log: (message: string) => void = () => undefined,
): Promise<ResponseEnvelope> {
  const id = requestIdOf(message);
  const senderCheck = checkSender(sender, windowWebContentsId);
  if (!senderCheck.ok) {
    log(`Rejected an IPC command because ${senderCheck.reason}.`);
    return { type: 'response', id, ok: false, error: { code: 'invalid-request', message: `Command rejected: ${senderCheck.reason}.` } };
  }

  const envelope = requestEnvelopeSchema.safeParse(message);
  if (!envelope.success) {
    const text = `The IPC message is not a request envelope {type:"request", id, command, payload}: ${envelope.error.message}`;
    log(text);
    return { type: 'response', id, ok: false, error: { code: 'invalid-request', message: text } };
  }

  const parsed = parseCommand(envelope.data.command, envelope.data.payload);
  if (!parsed.ok) {
    log(`Request ${id}: ${parsed.error.message}`);
    return { type: 'response', id, ok: false, error: parsed.error };
  }

  try {
    const result = await dispatch(engine, parsed.value);
    return { type: 'response', id, ok: true, result };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    log(`Command "${parsed.value.command}" failed: ${text}`);
    return { type: 'response', id, ok: false, error: { code: 'command-failed', message: text } };
  }
}

function requestIdOf(message: unknown): number {
  if (typeof message === 'object' && message !== null && 'id' in message && typeof message.id === 'number') return message.id;
  return 0;
}
