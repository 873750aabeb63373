import { Content, Header, Page } from '@backstage/core-components';
import { MeshOverviewTable } from './MeshOverviewTable';

/**
 * The overview page content without a header (the new frontend system adds
 * the plugin header itself).
 */
export const MeshOverviewContent = () => (
  <Content>
    <MeshOverviewTable />
  </Content>
);

/**
 * Admin overview page of mesh adoption (legacy apps: with its own header).
 *
 * @public
 */
export const MeshOverviewPage = () => (
  <Page themeId="tool">
    <Header
      title="Service mesh"
      subtitle="Sidecars, mTLS and canaries across the catalog"
    />
    <MeshOverviewContent />
  </Page>
);
