/**
 * One Chart.js chart in a Preact component: drawn into a canvas, redrawn when its data changes, destroyed with
 * the component. Chart.js styles its canvas through the DOM (not <style> tags), which the console's CSP allows.
 */
import { Chart, type ChartConfiguration, type ChartType } from 'chart.js/auto';
import { useEffect, useRef } from 'preact/hooks';

/** Brand-friendly colours with enough contrast on white; datasets cycle through them. */
export const PALETTE = [
  '#6b3e1f',
  '#0b5cad',
  '#1d6b33',
  '#a4161a',
  '#8a4b00',
  '#5b3a8c',
  '#00756f',
  '#5c5349',
];

export function ChartCanvas<T extends ChartType>(props: {
  config: ChartConfiguration<T>;
  label: string;
  testId: string;
}) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const chart = useRef<Chart<T> | null>(null);
  useEffect(() => {
    if (!canvas.current) return;
    chart.current?.destroy();
    chart.current = new Chart(canvas.current, {
      ...props.config,
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        ...props.config.options,
      },
    } as ChartConfiguration<T>);
    return () => {
      chart.current?.destroy();
      chart.current = null;
    };
  }, [props.config]);
  return (
    <div class="mk-chart">
      <canvas ref={canvas} role="img" aria-label={props.label} data-testid={props.testId} />
    </div>
  );
}
