/** Topologies the "Open example" control loads. Every endpoint is on loopback. */
import type { Topology } from '../core/topology.js';

export interface Example {
  title: string;
  topology: Topology;
}

export const EXAMPLES: readonly Example[] = [
  {
    title: 'Task broker (monitored queue)',
    topology: {
      version: 1,
      name: 'task-broker',
      devices: [
        {
          id: 'broker',
          kind: 'monitored-queue',
          in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:5559'] },
          out: { type: 'DEALER', bind: ['tcp://127.0.0.1:5560'] },
          mon: { type: 'PUB', bind: ['tcp://127.0.0.1:5561'] },
        },
      ],
      layout: { broker: { x: 120, y: 80 } },
    },
  },
  {
    title: 'Pipeline (streamer) and news feed (forwarder)',
    topology: {
      version: 1,
      name: 'pipeline-and-feed',
      devices: [
        {
          id: 'pipeline',
          kind: 'streamer',
          in: { type: 'PULL', bind: ['tcp://127.0.0.1:5557'] },
          out: { type: 'PUSH', bind: ['tcp://127.0.0.1:5558'] },
        },
        {
          id: 'feed',
          kind: 'forwarder',
          in: { type: 'XSUB', bind: ['tcp://127.0.0.1:5562'] },
          out: { type: 'XPUB', bind: ['tcp://127.0.0.1:5563'] },
        },
      ],
      layout: { pipeline: { x: 80, y: 80 }, feed: { x: 80, y: 240 } },
    },
  },
];
