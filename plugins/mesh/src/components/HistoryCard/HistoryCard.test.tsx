import { screen } from '@testing-library/react';
import { describeRequest, HistoryCard } from './HistoryCard';
import { renderWithMesh } from '../../__testUtils__/renderWithMesh';
import { auditEntry, FakeMeshApi } from '../../__testUtils__/fixtures';

describe('HistoryCard', () => {
  it('lists applied changes', async () => {
    await renderWithMesh(<HistoryCard />);
    expect(await screen.findByText('user:default/alice')).toBeInTheDocument();
    expect(
      screen.getByText('Traffic split v1 90% / v2 10%'),
    ).toBeInTheDocument();
    expect(screen.getByText('VirtualService backend')).toBeInTheDocument();
    expect(screen.getByText('Success')).toBeInTheDocument();
  });

  it('says which fields an apply took over from whom', async () => {
    const api = new FakeMeshApi();
    api.history = {
      items: [
        {
          ...auditEntry,
          takeOvers: [
            {
              kind: 'VirtualService',
              name: 'backend',
              namespace: 'shop',
              manager: 'kubectl',
              fields: ['.spec.http'],
            },
          ],
        },
      ],
    };
    await renderWithMesh(<HistoryCard />, { api });
    expect(
      await screen.findByText(
        'Took over .spec.http of VirtualService backend from kubectl',
      ),
    ).toBeInTheDocument();
  });

  it('describes access policy changes', () => {
    expect(
      describeRequest({
        action: 'access',
        mode: 'enforce',
        service: 'payments',
      }),
    ).toBe('Access policy enforce (payments)');
    expect(describeRequest({ action: 'access', mode: 'dry-run' })).toBe(
      'Access policy dry-run',
    );
  });

  it('says when nothing was applied yet', async () => {
    const api = new FakeMeshApi();
    api.history = { items: [] };
    await renderWithMesh(<HistoryCard />, { api });
    expect(
      await screen.findByText(/No mesh changes have been applied/),
    ).toBeInTheDocument();
  });

  it('shows progress while loading', async () => {
    const api = new FakeMeshApi();
    api.getHistory = () => new Promise(() => {});
    await renderWithMesh(<HistoryCard />, { api });
    expect(screen.getByTestId('progress')).toBeInTheDocument();
  });
});
