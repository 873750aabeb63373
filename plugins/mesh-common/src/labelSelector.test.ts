import {
  LabelSelectorSyntaxError,
  formatLabelSelector,
  matchesSelector,
  parseLabelSelector,
} from './labelSelector';

describe('parseLabelSelector', () => {
  it('parses equality and set-based requirements', () => {
    expect(
      parseLabelSelector(
        'app=backend, tier==web,env!=dev,team in (a, b),zone notin (x),canary,!legacy',
      ),
    ).toEqual({
      requirements: [
        { key: 'app', operator: 'Equals', value: 'backend' },
        { key: 'tier', operator: 'Equals', value: 'web' },
        { key: 'env', operator: 'NotEquals', value: 'dev' },
        { key: 'team', operator: 'In', values: ['a', 'b'] },
        { key: 'zone', operator: 'NotIn', values: ['x'] },
        { key: 'canary', operator: 'Exists' },
        { key: 'legacy', operator: 'DoesNotExist' },
      ],
    });
  });

  it('accepts prefixed keys and an empty selector', () => {
    expect(
      parseLabelSelector('app.kubernetes.io/name=backend').requirements[0].key,
    ).toBe('app.kubernetes.io/name');
    expect(parseLabelSelector('  ')).toEqual({ requirements: [] });
  });

  it.each([
    ['app=back end'],
    ['app in ()'],
    ['app in (a,(b))'],
    ['app in (a'],
    ['app=a,,b=c'],
    ['-bad=x'],
    [`app=${'x'.repeat(64)}`],
    ['Bad_Prefix/key=x'],
  ])('rejects %p', selector => {
    expect(() => parseLabelSelector(selector)).toThrow(
      LabelSelectorSyntaxError,
    );
  });

  it('formats back to a canonical string', () => {
    expect(
      formatLabelSelector(parseLabelSelector('a = b,c in (d,e), !f')),
    ).toBe('a=b,c in (d,e),!f');
  });
});

describe('matchesSelector', () => {
  const selector = parseLabelSelector(
    'app=backend,version in (v1,v2),!legacy,env!=dev',
  );
  it('matches when every requirement holds', () => {
    expect(matchesSelector({ app: 'backend', version: 'v2' }, selector)).toBe(
      true,
    );
    expect(
      matchesSelector({ app: 'backend', version: 'v2', env: 'prod' }, selector),
    ).toBe(true);
  });
  it('does not match otherwise', () => {
    expect(matchesSelector({ app: 'backend', version: 'v3' }, selector)).toBe(
      false,
    );
    expect(
      matchesSelector({ app: 'backend', version: 'v1', legacy: '' }, selector),
    ).toBe(false);
    expect(
      matchesSelector({ app: 'backend', version: 'v1', env: 'dev' }, selector),
    ).toBe(false);
    expect(matchesSelector({ version: 'v1' }, selector)).toBe(false);
    expect(matchesSelector(undefined, parseLabelSelector('x notin (a)'))).toBe(
      true,
    );
  });
});
