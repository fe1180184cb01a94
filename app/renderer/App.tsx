import { useAppStore } from './store.js';
import { Toolbar } from './components/Toolbar.js';
import { Workbench } from './editor/Workbench.js';

export function App() {
  return (
    <div className="app">
      <Toolbar />
      <ConnectionBanner />
      <CommandErrorBanner />
      <Workbench />
    </div>
  );
}

function ConnectionBanner() {
  const connection = useAppStore((state) => state.connection);
  const error = useAppStore((state) => state.connectionError);
  if (connection === 'open') return null;
  return (
    <div className={`banner banner-${connection}`} data-testid="connection" data-state={connection}>
      {connection === 'connecting' ? 'Connecting to the Switchyard engine…' : error}
    </div>
  );
}

function CommandErrorBanner() {
  const error = useAppStore((state) => state.commandError);
  const dismiss = useAppStore((state) => state.dismissCommandError);
  if (!error) return null;
  return (
    <div className="banner banner-error" role="alert" data-testid="command-error">
      <span>{error}</span>
      <button type="button" onClick={dismiss}>
        Dismiss
      </button>
    </div>
  );
}
