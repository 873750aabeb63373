import type { IstioHttpRouteDestination } from '../kube/types';

/**
 * Turns Istio weights into integer percentages summing to 100 (largest remainder). Absent
 * weights count 0; a lone destination, or all-zero weights, split evenly.
 *
 * @public
 */
export function toPercentages(
  destinations: IstioHttpRouteDestination[],
): Array<{ destination: IstioHttpRouteDestination; percent: number }> {
  if (destinations.length === 0) {
    return [];
  }
  const raw = destinations.map(d => Math.max(0, d.weight ?? 0));
  const sum = raw.reduce((a, b) => a + b, 0);
  const shares =
    sum === 0 ? raw.map(() => 100 / raw.length) : raw.map(w => (w * 100) / sum);
  const floors = shares.map(Math.floor);
  let missing = 100 - floors.reduce((a, b) => a + b, 0);
  const byRemainder = shares
    .map((share, index) => ({ index, remainder: share - floors[index] }))
    .sort((a, b) => b.remainder - a.remainder);
  for (const { index } of byRemainder) {
    if (missing <= 0) break;
    floors[index]++;
    missing--;
  }
  return destinations.map((destination, index) => ({
    destination,
    percent: floors[index],
  }));
}
