import { ReactNode } from 'react';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import type { MeshStatusResponse } from '@mesh-portal/backstage-plugin-mesh-common';
import { useMeshStatus } from '../../hooks';

/**
 * The loading / error / no-cluster states every status card shares; renders
 * `children` once a status with at least one cluster is there.
 */
export const MeshCardBody = (props: {
  children: (status: MeshStatusResponse) => ReactNode;
}) => {
  const { status, loading, error } = useMeshStatus();
  if (loading) {
    return <Progress />;
  }
  if (error) {
    return (
      <ResponseErrorPanel error={error} title="Could not load mesh status" />
    );
  }
  if (!status || status.clusters.length === 0) {
    return (
      <EmptyState
        missing="data"
        title="No cluster runs this entity"
        description="No configured cluster has workloads matching the entity's backstage.io/kubernetes-id or backstage.io/kubernetes-label-selector annotation. Check the annotation and the backstage.io/kubernetes-namespace annotation in catalog-info.yaml."
      />
    );
  }
  return <>{props.children(status)}</>;
};
