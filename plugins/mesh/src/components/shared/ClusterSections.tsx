import { Fragment, ReactNode } from 'react';
import { WarningPanel } from '@backstage/core-components';
import { Box, Typography } from '@material-ui/core';
import type {
  ClusterMeshStatus,
  ClusterMeshStatusOk,
} from '@mesh-portal/backstage-plugin-mesh-common';

/** Warning for a cluster that could not be read. */
export const ClusterErrorPanel = (props: {
  cluster: string;
  message: string;
  statusCode?: number;
}) => (
  <WarningPanel
    severity="error"
    title={`Cluster ${props.cluster} could not be read`}
    message={
      props.statusCode
        ? `${props.message} (HTTP ${props.statusCode})`
        : props.message
    }
  />
);

/**
 * Renders each cluster of a status: good clusters through `render`, failed
 * ones as a warning beside them, so one unreachable cluster hides nothing.
 */
export const ClusterSections = (props: {
  clusters: ClusterMeshStatus[];
  render: (cluster: ClusterMeshStatusOk) => ReactNode;
}) => {
  const { clusters, render } = props;
  const showHeadings = clusters.length > 1;
  return (
    <>
      {clusters.map(cluster => (
        <Fragment key={cluster.cluster}>
          {showHeadings && (
            <Typography variant="subtitle2" component="h3" gutterBottom>
              Cluster {cluster.cluster}
            </Typography>
          )}
          <Box mb={showHeadings ? 3 : 0}>
            {cluster.ok ? (
              render(cluster)
            ) : (
              <ClusterErrorPanel
                cluster={cluster.cluster}
                message={cluster.error.message}
                statusCode={cluster.error.statusCode}
              />
            )}
          </Box>
        </Fragment>
      ))}
    </>
  );
};
