import { Config } from '@backstage/config';
import {
  AccessDenialQueryTemplates,
  defaultAccessDenialQueries,
  isPromqlDuration,
} from '@mesh-portal/backstage-plugin-mesh-common';

/** `mesh.accessPolicy`, with defaults applied. */
export interface AccessPolicyConfig {
  /** PromQL range the denials are counted over. */
  window: string;
  queries: AccessDenialQueryTemplates;
}

/** Reads and checks `mesh.accessPolicy` (config.d.ts documents every key). */
export function readAccessPolicyConfig(config: Config): AccessPolicyConfig {
  const access = config.getOptionalConfig('mesh.accessPolicy');
  const window = access?.getOptionalString('denialsWindow') ?? '1h';
  if (!isPromqlDuration(window)) {
    throw new Error(`mesh.accessPolicy.denialsWindow: ${window} is not a PromQL duration (e.g. 1h)`);
  }
  const queries = access?.getOptionalConfig('queries');
  return {
    window,
    queries: {
      wouldBeDenied: queries?.getOptionalString('wouldBeDenied') ?? defaultAccessDenialQueries.wouldBeDenied,
      denied: queries?.getOptionalString('denied') ?? defaultAccessDenialQueries.denied,
    },
  };
}
