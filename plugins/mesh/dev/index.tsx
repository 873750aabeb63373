import { createDevApp } from '@backstage/frontend-dev-utils';

import plugin from '../src/alpha';

// frontend-dev-utils still bundles an older @backstage/frontend-plugin-api,
// whose FrontendPlugin type differs from the one this plugin is built with.
createDevApp({ features: [plugin as any] });
