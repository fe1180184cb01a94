import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.js';
import { connectEngine } from './client.js';
import { AppStoreContext, connectStoreToEngine, createAppStore } from './store.js';
import './styles.css';

const client = connectEngine();
const store = createAppStore(client);
connectStoreToEngine(store, client);

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no element with id "root" to render into.');

createRoot(container).render(
  <StrictMode>
    <AppStoreContext.Provider value={store}>
      <App />
    </AppStoreContext.Provider>
  </StrictMode>,
);
