/**
 * A test client of the engine contract over the web host's WebSocket: it
 * collects every server message and waits, with a deadline, for matching ones.
 */
import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { serverMessageSchema, type CommandError, type ServerMessage } from '../../app/core/contract.js';

const TIMEOUT_MS = 10_000;

export class ContractClient {
  readonly messages: ServerMessage[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(serverMessageSchema.parse(JSON.parse(String(data))));
      for (const wake of this.waiters) wake();
    });
  }

  static async open(url: string, origin: string): Promise<ContractClient> {
    const socket = new WebSocket(url, { origin });
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return new ContractClient(socket);
  }

  send(frame: unknown): void {
    this.socket.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  async waitFor(predicate: (message: ServerMessage) => boolean, what: string): Promise<ServerMessage> {
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      const found = this.messages.find(predicate);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`Timed out after ${TIMEOUT_MS} ms waiting for ${what}; received ${JSON.stringify(this.messages)}.`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      this.waiters = [];
    }
  }

  /** Waits for the response to request `id` and returns its result, failing when it is an error. */
  async result(id: number): Promise<unknown> {
    const response = await this.waitFor((message) => message.type === 'response' && message.id === id, `the response to request ${id}`);
    assert.equal(response.type, 'response');
    if (response.type !== 'response' || !response.ok) return assert.fail(`Request ${id} failed: ${JSON.stringify(response)}`);
    return response.result;
  }

  /** Waits for the response to request `id` and returns its error, failing when it succeeded. */
  async error(id: number): Promise<CommandError> {
    const response = await this.waitFor((message) => message.type === 'response' && message.id === id, `the response to request ${id}`);
    assert.equal(response.type, 'response');
    if (response.type !== 'response' || response.ok) return assert.fail(`Request ${id} succeeded: ${JSON.stringify(response)}`);
    return response.error;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}

