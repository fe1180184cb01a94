/**
 * Topologies the "Open example" control loads: the files in examples/, read
 * as text at build time and parsed with the same reader as `switchyard run`,
 * so the UI and the CLI show the same topologies. Every endpoint is on
 * loopback.
 */
import { readTopology } from '../core/file.js';
import type { Topology } from '../core/topology.js';
import brokerText from '../../examples/broker.json?raw';
import pipelineText from '../../examples/pipeline-streamer.json?raw';
import pubsubText from '../../examples/pubsub-forwarder.json?raw';
import routerRouterText from '../../examples/router-router.json?raw';
import steerableText from '../../examples/steerable-queue.yaml?raw';

export interface Example {
  title: string;
  topology: Topology;
}

function example(title: string, file: string, text: string): Example {
  const result = readTopology(text);
  if (!result.ok) {
    const details = result.problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ');
    throw new Error(`The example file examples/${file} is not a valid topology (${details}). Fix the file and rebuild the UI.`);
  }
  return { title, topology: result.document };
}

export const EXAMPLES: readonly Example[] = [
  example('Task broker (monitored queue)', 'broker.json', brokerText),
  example('News feed (forwarder)', 'pubsub-forwarder.json', pubsubText),
  example('Pipeline (streamer)', 'pipeline-streamer.json', pipelineText),
  example('ROUTER to ROUTER broker (monitored queue)', 'router-router.json', routerRouterText),
  example('Steerable queue (queue with ctrl)', 'steerable-queue.yaml', steerableText),
];
