/**
 * Message rates per device, computed from consecutive counter samples the
 * engine sends (at least twice a second while a device runs). Kept in a small
 * store of its own, so that a chart redraws when a sample arrives without
 * touching the rest of the UI.
 */
import { create } from 'zustand';
import type { StoreApi } from 'zustand';
import type { DeviceCounters } from '../../core/worker-protocol.js';
import type { AppState } from '../store.js';

export interface RateSample {
  /** Seconds since the epoch, as uPlot expects on its x axis. */
  time: number;
  /** Messages per second received on the in socket. */
  inRate: number;
  /** Messages per second sent on the out socket. */
  outRate: number;
  /** Monitor messages per second dropped because the monitor socket would block. */
  monitorDropRate: number;
}

/** Samples kept per device: two minutes at two samples a second. */
export const MAX_RATE_SAMPLES = 240;

interface RateState {
  samples: Record<string, RateSample[]>;
}

export const useRateStore = create<RateState>()(() => ({ samples: {} }));

/** Returns the rates between two counter samples of one device, or undefined when time did not advance. */
export function rateBetween(previous: DeviceCounters, next: DeviceCounters): RateSample | undefined {
  const seconds = (next.at - previous.at) / 1000;
  if (!(seconds > 0)) return undefined;
  // A restarted worker starts counting from zero, so a negative difference reads as zero.
  const per = (a: number, b: number) => Math.max(0, b - a) / seconds;
  return {
    time: next.at / 1000,
    inRate: per(previous.in.receivedMessages, next.in.receivedMessages),
    outRate: per(previous.out.sentMessages, next.out.sentMessages),
    monitorDropRate: per(previous.monitorDropped, next.monitorDropped),
  };
}

/** Follows the app store's counters and appends a rate sample for each new counter sample. Returns the unsubscribe function. */
export function trackRates(appStore: StoreApi<AppState>): () => void {
  return appStore.subscribe((state, previousState) => {
    if (state.counters === previousState.counters) return;
    const updates: Record<string, RateSample[]> = {};
    for (const [device, counters] of Object.entries(state.counters)) {
      const previous = previousState.counters[device];
      if (!previous || previous === counters) continue;
      const sample = rateBetween(previous, counters);
      if (!sample) continue;
      const existing = useRateStore.getState().samples[device] ?? [];
      updates[device] = [...existing, sample].slice(-MAX_RATE_SAMPLES);
    }
    if (Object.keys(updates).length > 0) {
      useRateStore.setState((current) => ({ samples: { ...current.samples, ...updates } }));
    }
  });
}

/** Formats a rate as `0/s`, `950/s`, `12.3k/s` or `1.20M/s`. */
export function formatRate(perSecond: number): string {
  if (perSecond < 1000) return `${Math.round(perSecond)}/s`;
  if (perSecond < 1_000_000) return `${(perSecond / 1000).toFixed(1)}k/s`;
  return `${(perSecond / 1_000_000).toFixed(2)}M/s`;
}
