import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectEngine } from './client.js';
import { EngineClientContext } from './editor/engine-client.js';
import { MonitorController } from './monitor/monitor-controller.js';
import { MonitorControllerContext } from './monitor/MonitorView.js';
import { trackRates } from './monitor/rates.js';
import { AppStoreContext, connectStoreToEngine, createAppStore } from './store.js';
import './styles.css';
import './theme.css';

const client = connectEngine();
const store = createAppStore(client);
connectStoreToEngine(store, client);
trackRates(store);
const monitor = new MonitorController(client);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no element with id "root" to render into.');

createRoot(container).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <EngineClientContext.Provider value={client}>
        <MonitorControllerContext.Provider value={monitor}>
          <App />
        </MonitorControllerContext.Provider>
      </EngineClientContext.Provider>
    </AppStoreContext.Provider>
  </StrictMode>,
);
