/**
 * A live uPlot chart of one device's rates: messages per second in and out,
 * and monitor messages dropped per second. The chart is created once and fed
 * with `setData` from a transient store subscription, so React does not
 * re-render per sample.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { useRateStore, type RateSample } from './rates.js';

function toColumns(samples: readonly RateSample[]): uPlot.AlignedData {
  return [
    samples.map((sample) => sample.time),
    samples.map((sample) => sample.inRate),
    samples.map((sample) => sample.outRate),
    samples.map((sample) => sample.monitorDropRate),
  ];
}

export function RateChart({ device, width = 300, height = 150 }: { device: string; width?: number; height?: number }) {
  const container = useRef<HTMLDivElement>(null);

  useEffect(() => {
    const element = container.current;
    if (!element) return;
    const styles = getComputedStyle(element);
    const color = (name: string, fallback: string) => styles.getPropertyValue(name).trim() || fallback;
    const plot = new uPlot(
      {
        width,
        height,
        legend: { show: true },
        scales: { y: { range: (_plot, _min, max) => [0, Math.max(10, max * 1.1)] } },
        axes: [{ stroke: color('--text-muted', '#5b6473') }, { stroke: color('--text-muted', '#5b6473'), size: 50 }],
        series: [
          {},
          { label: 'in/s', stroke: color('--chart-in', '#2f6fde'), width: 1.5 },
          { label: 'out/s', stroke: color('--chart-out', '#2f9e57'), width: 1.5 },
          { label: 'mon drops/s', stroke: color('--chart-drop', '#d4482b'), width: 1 },
        ],
      },
      toColumns(useRateStore.getState().samples[device] ?? []),
      element,
    );
    const unsubscribe = useRateStore.subscribe((state, previous) => {
      const samples = state.samples[device];
      if (samples && samples !== previous.samples[device]) plot.setData(toColumns(samples));
    });
    return () => {
      unsubscribe();
      plot.destroy();
    };
  }, [device, width, height]);

  return <div className="rate-chart" data-testid="rate-chart" ref={container} />;
}
