import { act, screen } from '@testing-library/react';
import { MeshStatusProvider, useMeshStatus } from './MeshStatusContext';
import { renderWithMesh } from '../__testUtils__/renderWithMesh';
import { FakeMeshApi, okCluster, statusOf } from '../__testUtils__/fixtures';

const ShownStatus = () => {
  const { status, error } = useMeshStatus();
  return <div>{error ? `error: ${error.message}` : `read: ${status?.entityRef ?? 'none'}`}</div>;
};

function setVisibility(state: 'visible' | 'hidden', options: { announce?: boolean } = {}) {
  Object.defineProperty(document, 'visibilityState', { value: state, configurable: true });
  if (options.announce) document.dispatchEvent(new Event('visibilitychange'));
}

async function advance(ms: number) {
  await act(async () => {
    jest.advanceTimersByTime(ms);
  });
}

describe('MeshStatusProvider refresh', () => {
  beforeEach(() => {
    jest.useFakeTimers({ advanceTimers: true });
    setVisibility('visible');
  });
  afterEach(() => {
    jest.useRealTimers();
    setVisibility('visible');
  });

  async function renderStatus(refreshMs?: number) {
    const api = new FakeMeshApi();
    api.status = { ...statusOf(okCluster()), entityRef: 'first', refreshMs };
    const getStatus = jest.spyOn(api, 'getStatus');
    await renderWithMesh(
      <MeshStatusProvider>
        <ShownStatus />
      </MeshStatusProvider>,
      { api },
    );
    expect(await screen.findByText('read: first')).toBeInTheDocument();
    return { api, getStatus };
  }

  it('re-reads a cached status every refreshMs while the tab is visible', async () => {
    const { api } = await renderStatus(1500);
    api.status = { ...api.status, entityRef: 'second' };
    await advance(1500);
    expect(await screen.findByText('read: second')).toBeInTheDocument();
  });

  it('does not re-read while the tab is hidden, and re-reads when it shows again', async () => {
    const { api, getStatus } = await renderStatus(1500);
    await act(async () => setVisibility('hidden', { announce: true }));
    const reads = getStatus.mock.calls.length;
    api.status = { ...api.status, entityRef: 'second' };
    await advance(6000);
    expect(getStatus).toHaveBeenCalledTimes(reads);
    expect(screen.getByText('read: first')).toBeInTheDocument();
    await act(async () => setVisibility('visible', { announce: true }));
    expect(await screen.findByText('read: second')).toBeInTheDocument();
  });

  it('keeps refreshing after a failed re-read, and shows the error meanwhile', async () => {
    const { api, getStatus } = await renderStatus(1500);
    getStatus.mockRejectedValueOnce(new Error('backend restarting'));
    await advance(1500);
    expect(await screen.findByText('error: backend restarting')).toBeInTheDocument();
    api.status = { ...api.status, entityRef: 'after' };
    await advance(1500);
    expect(await screen.findByText('read: after')).toBeInTheDocument();
  });

  it('does not poll a status the backend reads live (no refreshMs)', async () => {
    const { getStatus } = await renderStatus(undefined);
    const reads = getStatus.mock.calls.length;
    await advance(10_000);
    expect(getStatus).toHaveBeenCalledTimes(reads);
  });
});
