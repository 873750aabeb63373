import { Box, Typography, useTheme } from '@material-ui/core';
import type {
  CanaryThresholds,
  ServiceHealthSeries,
  VersionSeries,
} from '@mesh-portal/backstage-plugin-mesh-common';

const WIDTH = 240;
const HEIGHT = 48;
const PAD = 2;

/**
 * The `points` attribute of an SVG polyline for one series, in a `width` × `height` box:
 * time from `start` to `end` left to right, values from `min` (bottom) to `max` (top).
 */
export function sparklinePoints(
  points: Array<[number, number]>,
  box: {
    start: number;
    end: number;
    min: number;
    max: number;
    width: number;
    height: number;
  },
): string {
  const span = (a: number, b: number) => (b - a === 0 ? 1 : b - a);
  const x = (t: number) =>
    PAD + ((t - box.start) / span(box.start, box.end)) * (box.width - 2 * PAD);
  const y = (v: number) =>
    box.height -
    PAD -
    ((v - box.min) / span(box.min, box.max)) * (box.height - 2 * PAD);
  return points
    .map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`)
    .join(' ');
}

const latest = (series: VersionSeries) =>
  series.points[series.points.length - 1]?.[1];

/** One metric's series per version as lines in a small SVG, with the threshold dashed. */
const Sparkline = (props: {
  title: string;
  series: VersionSeries[];
  colors: Map<string, string>;
  format: (value: number) => string;
  threshold?: number;
  /** Values are at least this tall a range (e.g. 1 % for success rates near 100 %). */
  minSpan: number;
  range: string;
}) => {
  const { title, series, colors, format, threshold } = props;
  const theme = useTheme();
  const times = series.flatMap(s => s.points.map(p => p[0]));
  const values = [
    ...series.flatMap(s => s.points.map(p => p[1])),
    ...(threshold === undefined ? [] : [threshold]),
  ];
  if (times.length === 0) return null;
  let min = Math.min(...values);
  let max = Math.max(...values);
  if (max - min < props.minSpan) {
    const middle = (max + min) / 2;
    min = middle - props.minSpan / 2;
    max = middle + props.minSpan / 2;
  }
  const box = {
    start: Math.min(...times),
    end: Math.max(...times),
    min,
    max,
    width: WIDTH,
    height: HEIGHT,
  };
  const label = `${title} per version over the last ${props.range}: ${series
    .map(
      s => `${s.version} ${latest(s) === undefined ? '—' : format(latest(s)!)}`,
    )
    .join(', ')} (latest)`;
  return (
    <Box mr={3} mb={1}>
      <Typography variant="caption" color="textSecondary" component="p">
        {title} ({props.range})
      </Typography>
      <svg width={WIDTH} height={HEIGHT} role="img" aria-label={label}>
        <rect
          x={0.5}
          y={0.5}
          width={WIDTH - 1}
          height={HEIGHT - 1}
          fill="none"
          stroke={theme.palette.divider}
        />
        {threshold !== undefined && (
          <polyline
            points={sparklinePoints(
              [
                [box.start, threshold],
                [box.end, threshold],
              ],
              box,
            )}
            fill="none"
            stroke={theme.palette.error.main}
            strokeDasharray="3 3"
            strokeWidth={1}
          />
        )}
        {series.map(s => (
          <polyline
            key={s.version}
            points={sparklinePoints(s.points, box)}
            fill="none"
            stroke={colors.get(s.version)}
            strokeWidth={1.5}
          />
        ))}
      </svg>
    </Box>
  );
};

/**
 * Success rate and p99 of one service per version over the chart range, as small line charts
 * with the thresholds dashed and a legend of the versions' colours.
 */
export const HealthSparklines = (props: {
  series: ServiceHealthSeries;
  thresholds?: CanaryThresholds;
  range: string;
}) => {
  const { series, thresholds, range } = props;
  const theme = useTheme();
  const palette = [
    theme.palette.primary.main,
    theme.palette.secondary.main,
    theme.palette.success?.main ?? '#2e7d32',
    theme.palette.warning?.main ?? '#ed6c02',
  ];
  const versions = [
    ...new Set([...series.successRate, ...series.p99Ms].map(s => s.version)),
  ].sort();
  if (versions.length === 0) return null;
  const colors = new Map(
    versions.map((v, i) => [v, palette[i % palette.length]]),
  );
  return (
    <Box mt={1}>
      <Box display="flex" flexWrap="wrap">
        <Sparkline
          title="Success rate"
          series={series.successRate}
          colors={colors}
          format={v => `${Number(v.toFixed(2))} %`}
          threshold={thresholds?.minSuccessRate}
          minSpan={1}
          range={range}
        />
        <Sparkline
          title="p99"
          series={series.p99Ms}
          colors={colors}
          format={v => `${Math.round(v)} ms`}
          threshold={thresholds?.maxP99Ms}
          minSpan={10}
          range={range}
        />
      </Box>
      <Box display="flex" flexWrap="wrap">
        {versions.map(v => (
          <Box key={v} display="flex" alignItems="center" mr={2}>
            <Box
              width={12}
              height={3}
              mr={0.5}
              style={{ backgroundColor: colors.get(v) }}
            />
            <Typography variant="caption">{v}</Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
};
