/**
 * React access to the engine client for the screens that send commands the
 * app store has no action for (pause, resume, export, monitor taps).
 */
import { createContext, useContext } from 'react';
import type { EngineClient } from '../client.js';

export const EngineClientContext = createContext<EngineClient | null>(null);

export function useEngineClient(): EngineClient {
  const client = useContext(EngineClientContext);
  if (!client) {
    throw new Error('useEngineClient was called outside <EngineClientContext.Provider>. Provide the client in main.tsx.');
  }
  return client;
}
