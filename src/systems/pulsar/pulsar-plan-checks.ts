/** Plan-time checks of a Pulsar cluster that need its client options. */
import type { Problem } from '../../scenario/problems.js';
import type { PlanCheck } from '../system.js';

export function checkPulsarPlan({ cluster, consumers, consumerOptions }: PlanCheck): Problem[] {
  if (consumerOptions.subscriptionType === 'Exclusive' && consumers > 1)
    return [
      {
        path: ['workload', 'consumers'],
        message: `an Exclusive Pulsar subscription admits one consumer; cluster "${cluster.name}" asks for ${consumers} (use Shared, Failover or Key_Shared)`,
      },
    ];
  return [];
}
