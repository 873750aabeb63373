import { Grid } from '@material-ui/core';
import {
  MissingAnnotationEmptyState,
  useEntity,
} from '@backstage/plugin-catalog-react';
import {
  ANNOTATION_KUBERNETES_ID,
  ANNOTATION_KUBERNETES_LABEL_SELECTOR,
  isMeshAvailable,
} from '@mesh-portal/backstage-plugin-mesh-common';
import { MeshStatusProvider } from '../../hooks';
import { AccessCard } from '../AccessCard';
import { FindingsCard } from '../FindingsCard';
import { HistoryCard } from '../HistoryCard';
import { KialiCard } from '../KialiCard';
import { MtlsCard } from '../MtlsCard';
import { SidecarStatusCard } from '../SidecarStatusCard';
import { TrafficSplitCard } from '../TrafficSplitCard';

/**
 * The Mesh tab of an entity page: sidecars, traffic split, mTLS, access (who may
 * call the service), findings, Kiali links and change history, all from one
 * status request (access and canary health add their own, slower reads).
 *
 * @public
 */
export const EntityMeshContent = () => {
  const { entity } = useEntity();
  if (!isMeshAvailable(entity)) {
    return (
      <MissingAnnotationEmptyState
        annotation={[
          ANNOTATION_KUBERNETES_ID,
          ANNOTATION_KUBERNETES_LABEL_SELECTOR,
        ]}
      />
    );
  }
  return (
    <MeshStatusProvider>
      <Grid container spacing={3} alignItems="stretch">
        <Grid item xs={12}>
          <SidecarStatusCard />
        </Grid>
        {/* Full width: the split, its health per version and the guided run's steps are tables
            whose headers wrap at half width on 1280–1440 px screens. */}
        <Grid item xs={12}>
          <TrafficSplitCard />
        </Grid>
        <Grid item xs={12} md={8}>
          <MtlsCard />
        </Grid>
        <Grid item xs={12} md={4}>
          <KialiCard />
        </Grid>
        <Grid item xs={12}>
          <AccessCard />
        </Grid>
        <Grid item xs={12}>
          <FindingsCard />
        </Grid>
        {/* Full width: entity refs and object names in the audit table need the room. */}
        <Grid item xs={12}>
          <HistoryCard />
        </Grid>
      </Grid>
    </MeshStatusProvider>
  );
};
