/** Every workflow the worker runs. */
export * from './petition-case.js';
export * from './accountability.js';
export * from './duty-period.js';
export * from './early-warning.js';
export * from './recommendation.js';
export * from './rollups.js';
export * from './report-batch.js';
