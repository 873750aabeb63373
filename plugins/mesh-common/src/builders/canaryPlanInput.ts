import type { CanaryPreset } from '../api/actions';
import type {
  IstioDestinationRule,
  IstioVirtualService,
  KubeService,
  KubeWorkload,
} from '../kube/types';

/**
 * Input of {@link planCanary}.
 *
 * @public
 */
export interface CanaryPlanInput {
  service: KubeService;
  /** The service's workloads; their pod-template `version` labels become subsets. */
  workloads: KubeWorkload[];
  /** The VirtualService now routing the service (the user's, or ours from an earlier edit). */
  existingVirtualService?: IstioVirtualService;
  /** The DestinationRule now defining the service's subsets. */
  existingDestinationRule?: IstioDestinationRule;
  /** Percentages per subset, integers summing to 100. */
  weights?: Record<string, number>;
  preset?: CanaryPreset;
  stable?: string;
  canary?: string;
  /** Service port for destinations (needed when the service has several ports). */
  port?: number;
  /** Pod label naming the version (default `version`). */
  versionLabel?: string;
  entityRef?: string;
}
