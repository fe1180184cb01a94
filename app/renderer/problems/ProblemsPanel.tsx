/**
 * Validation problems of the open document, as the engine reports them with
 * every `document:changed`. Clicking one selects its device and focuses the
 * field its JSON path names.
 */
import type { Problem } from '../../core/contract.js';
import type { Topology } from '../../core/topology.js';
import { select } from '../editor/editor-store.js';
import { useAppStore } from '../store.js';

/** Returns the device id that a path such as `$.devices[2].in.bind[0]` points into, if any. */
export function deviceOfPath(document: Topology | null, path: string): string | undefined {
  const match = /^\$\.devices\[(\d+)\]/.exec(path);
  if (!match || !document) return undefined;
  return document.devices[Number(match[1])]?.id;
}

export function ProblemsPanel() {
  const problems = useAppStore((state) => state.problems);
  const document = useAppStore((state) => state.document);

  if (problems.length === 0) {
    return (
      <div className="problems-empty" data-testid="problems-empty">
        No problems. Validation runs as you edit; errors block a start, warnings do not.
      </div>
    );
  }

  const sorted = [...problems].sort((a, b) => severityRank(a) - severityRank(b));
  return (
    <ul className="problems" data-testid="problems">
      {sorted.map((problem, index) => {
        const device = deviceOfPath(document, problem.path);
        return (
          <li key={`${problem.path}-${index}`}>
            <button
              type="button"
              className={`problem problem-${problem.severity}`}
              data-testid="problem"
              data-severity={problem.severity}
              data-path={problem.path}
              onClick={() => {
                if (device) select({ node: device, path: problem.path });
              }}
            >
              <span className={`severity severity-${problem.severity}`}>{problem.severity}</span>
              <code className="problem-path">{problem.path}</code>
              <span className="problem-message">{problem.message}</span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}

function severityRank(problem: Problem): number {
  return problem.severity === 'error' ? 0 : 1;
}

/** Counts of errors and warnings, for the tab title. */
export function useProblemCounts(): { errors: number; warnings: number } {
  const errors = useAppStore((state) => state.problems.filter((problem) => problem.severity === 'error').length);
  const warnings = useAppStore((state) => state.problems.filter((problem) => problem.severity === 'warning').length);
  return { errors, warnings };
}
