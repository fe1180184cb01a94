/**
 * The desktop app's device host: each device worker runs in an Electron
 * `utilityProcess`, a Node child that Electron supervises and kills with the
 * app.
 */
import { createInterface } from 'node:readline';
import { utilityProcess, type UtilityProcess } from 'electron';
import type { EngineToWorker } from '../core/worker-protocol.js';
import type { DeviceHost, DeviceProcess } from '../engine/host.js';

export class UtilityProcessHost implements DeviceHost {
  /**
   * `workerPath` is the compiled worker entry that `workerEntry()` returns:
   * the bundle `dist/app/worker-bundle/main.cjs`, or `dist/app/worker/main.js`
   * when the bundle was not built. A utilityProcess cannot run the .ts source.
   */
  constructor(private readonly workerPath: string) {}

  spawn(deviceId: string): DeviceProcess {
    const child = utilityProcess.fork(this.workerPath, [deviceId], {
      serviceName: `Switchyard device ${deviceId}`,
      stdio: 'pipe',
    });
    return new UtilityDeviceProcess(child);
  }
}

class UtilityDeviceProcess implements DeviceProcess {
  private exited = false;

  constructor(private readonly child: UtilityProcess) {
    child.once('exit', () => {
      this.exited = true;
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: EngineToWorker): void {
    if (this.exited) throw new Error(`Cannot send "${message.type}" to worker pid=${this.child.pid ?? 'none'}: the process has exited.`);
    this.child.postMessage(message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.child.on('message', listener);
  }

  /** utilityProcess reports only an exit code; a worker killed by a signal shows as its code with a null signal. */
  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.child.on('exit', (code) => listener(code, null));
  }

  /** `UtilityProcess.kill` sends SIGTERM on POSIX, so SIGKILL goes to the pid directly to make the supervisor's last step final. */
  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (this.exited) return;
    const pid = this.child.pid;
    if (signal === 'SIGKILL' && pid !== undefined) process.kill(pid, 'SIGKILL');
    else this.child.kill();
  }

  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): void {
    pipeLines(this.child.stdout, (line) => listener(line, 'stdout'));
    pipeLines(this.child.stderr, (line) => listener(line, 'stderr'));
  }
}

function pipeLines(stream: NodeJS.ReadableStream | null, onLine: (line: string) => void): void {
  if (!stream) return;
  createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine);
}
