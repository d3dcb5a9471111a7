import type { PipelineView } from '../api/types.js';

/**
 * A pipeline's flow on one line.
 *
 * @example
 * describeFlow(pipeline) // 'shop-web → enrich → crm-out, warehouse[track]'
 */
export function describeFlow(pipeline: PipelineView): string {
  const { sources, transforms, destinations } = pipeline.spec;
  const steps = [
    sources.join(', '),
    ...transforms.map((step) => (step.onError === 'fail' ? step.connector : `${step.connector} (on error: ${step.onError})`)),
    destinations.map((d) => (d.actions ? `${d.connector}[${d.actions.join(',')}]` : d.connector)).join(', ') || '(no destinations)',
  ];
  return steps.join(' → ');
}
