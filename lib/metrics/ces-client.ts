/**
 * Cloud Eye "add custom metric data" on sdk-core, with the official SDK's
 * names (CesClient.createMetricData, CreateMetricDataRequest, MetricDataItem):
 *
 *   POST /V1.0/{project_id}/metric-data   [ {metric, ttl, collect_time, value, unit, type}, ... ]
 *
 * IAM action ces:metricData:create. Answers 201 with an empty body.
 */
import { CoreServiceClient } from '../cloud/service-client';
import { invalidRequest, type ServiceLabel } from '../dcs/errors';
import type { CoreEndpointConfig } from '../dcs/sdk-core';

export interface MetricInfo {
  namespace: string;
  metric_name: string;
  dimensions: Array<{ name: string; value: string }>;
}

export interface MetricDataItem {
  metric: MetricInfo;
  /** Seconds the data is kept, 1 to 604800. */
  ttl: number;
  /** UNIX ms, within [now - 3 d, now + 10 min]. */
  collect_time: number;
  value: number;
  unit?: string;
  type?: 'int' | 'float';
}

export interface CreateMetricDataRequest {
  body: MetricDataItem[];
}

export const CES_SERVICE: ServiceLabel = { name: 'Cloud Eye', endpointSettings: 'CES_ENDPOINT/DCS_REGION' };
/** At most 10,000 items per request (and 512 KB): one invocation's batch is far below. */
export const MAX_METRIC_ITEMS = 10_000;

export class CesClient {
  readonly #core: CoreServiceClient;

  constructor(config: CoreEndpointConfig, now?: () => number) {
    this.#core = new CoreServiceClient(config, CES_SERVICE, now);
  }

  async createMetricData(request: CreateMetricDataRequest, options: { deadlineEpochMs?: number } = {}): Promise<void> {
    const items = request.body;
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_METRIC_ITEMS) {
      throw invalidRequest('invalid_metric_data', `body must hold 1 to ${MAX_METRIC_ITEMS} metric data items`);
    }
    await this.#core.send({ operation: 'createMetricData', method: 'POST', url: '/V1.0/{project_id}/metric-data', pathParams: {}, body: items }, options.deadlineEpochMs);
  }
}
