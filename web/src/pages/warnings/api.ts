/** The calls the warnings page makes beyond the shared ones. */
import type { AlertSeries } from '../../../../analytics/early-warning/alert-series.js';
import { request } from '../../api.js';

export const alertSeries = (id: string) => request<AlertSeries>(`/early-warning/alerts/${encodeURIComponent(id)}/series`);
export type { AlertSeries };
