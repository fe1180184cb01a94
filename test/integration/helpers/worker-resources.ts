/**
 * Bookkeeping for worker tests: creates worker processes, bind addresses and
 * peer sockets, and cleans them all up in one `after` hook.
 */
import { after } from 'node:test';
import type * as zmq from 'zeromq';
import { closeAll } from './sockets.js';
import { Addresses, WorkerUnderTest, type Transport } from './worker.js';

export interface WorkerTestResources {
  /** Forks a worker that the `after` hook kills if it still runs. */
  newWorker(env?: Record<string, string | undefined>): WorkerUnderTest;
  /** Creates bind addresses whose ipc folder the `after` hook removes. */
  addressesFor(transport: Transport): Addresses;
  /** Registers a peer socket for the `after` hook to close, and returns it. */
  peer<S extends zmq.Socket>(created: S): S;
}

/**
 * Registers an `after` hook in the calling test file, or in the suite it is
 * called from, that closes the peers, kills the workers still running and
 * removes the ipc folders, in that order. Call it once per file, at the top
 * level.
 */
export function trackWorkerResources(): WorkerTestResources {
  const workers: WorkerUnderTest[] = [];
  const addressSets: Addresses[] = [];
  const peers: zmq.Socket[] = [];

  after(async () => {
    closeAll(...peers);
    await Promise.all(workers.map((worker) => worker.dispose()));
    for (const addresses of addressSets) addresses.dispose();
  });

  return {
    newWorker(env = {}) {
      const worker = new WorkerUnderTest(env);
      workers.push(worker);
      return worker;
    },
    addressesFor(transport) {
      const addresses = new Addresses(transport);
      addressSets.push(addresses);
      return addresses;
    },
    peer(created) {
      peers.push(created);
      return created;
    },
  };
}
