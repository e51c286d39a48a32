// An OpenTelemetry SDK for tests: spans and metrics go to the SDK's in-memory exporters. Registered
// globally once per test file (vitest runs each file in its own process); the app's code reaches it only
// through @opentelemetry/api, as it reaches Azure Monitor's SDK in Azure.
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type DataPoint,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

export interface TestTelemetry {
  spans: InMemorySpanExporter;
  /** The data points of metric `name` as collected now (cumulative since the start). */
  points(name: string): Promise<DataPoint<unknown>[]>;
  /** The sum of a counter's points whose attributes include `attributes`. */
  count(name: string, attributes?: Record<string, string>): Promise<number>;
}

let installed: TestTelemetry | undefined;

export function installTestTelemetry(): TestTelemetry {
  if (installed) return installed;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const spans = new InMemorySpanExporter();
  trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
  );
  const exporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
  // Exports only when asked (forceFlush), never on its own during a test.
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 24 * 3600 * 1000 });
  metrics.setGlobalMeterProvider(new MeterProvider({ readers: [reader] }));

  const points = async (name: string): Promise<DataPoint<unknown>[]> => {
    exporter.reset();
    await reader.forceFlush();
    const found: DataPoint<unknown>[] = [];
    for (const resource of exporter.getMetrics()) {
      for (const scope of resource.scopeMetrics) {
        for (const metric of scope.metrics) {
          if (metric.descriptor.name === name) found.push(...(metric.dataPoints as DataPoint<unknown>[]));
        }
      }
    }
    return found;
  };
  const count = async (name: string, attributes: Record<string, string> = {}): Promise<number> => {
    let total = 0;
    for (const point of await points(name)) {
      const matches = Object.entries(attributes).every(([key, value]) => point.attributes[key] === value);
      if (matches && typeof point.value === 'number') total += point.value;
    }
    return total;
  };
  installed = { spans, points, count };
  return installed;
}
