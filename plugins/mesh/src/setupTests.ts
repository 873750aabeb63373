import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// Dialog tests drive several user events through MUI; on the project's 2-core machine, with the
// mesh and the portal running beside them, one can take longer than jest's default 5 s.
jest.setTimeout(30_000);
// findBy*/waitFor: the same machine can take more than the default 1 s to render a card.
configure({ asyncUtilTimeout: 5_000 });
