import { Box, makeStyles, Typography } from '@material-ui/core';

const useStyles = makeStyles(theme => ({
  bar: {
    display: 'flex',
    height: 28,
    borderRadius: theme.shape.borderRadius,
    overflow: 'hidden',
    backgroundColor: theme.palette.action.disabledBackground,
  },
  segment: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'center',
    overflow: 'hidden',
    whiteSpace: 'nowrap',
    color: theme.palette.common.white,
    fontSize: theme.typography.caption.fontSize,
    fontWeight: theme.typography.fontWeightBold as number,
    transition: 'width 300ms ease',
  },
}));

/** Segment colours: stable first, then canaries. */
export function segmentColor(index: number): string {
  const colors = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b'];
  return colors[index % colors.length];
}

/** Weights per subset as one horizontal stacked bar. */
export const WeightBar = (props: {
  weights: Array<{ name: string; weight: number }>;
}) => {
  const classes = useStyles();
  const label = props.weights.map(w => `${w.name} ${w.weight}%`).join(', ');
  return (
    <Box>
      <div
        className={classes.bar}
        role="img"
        aria-label={`Traffic split: ${label}`}
      >
        {props.weights
          .filter(w => w.weight > 0)
          .map(w => (
            <div
              key={w.name}
              className={classes.segment}
              style={{
                width: `${w.weight}%`,
                backgroundColor: segmentColor(
                  props.weights.findIndex(x => x.name === w.name),
                ),
              }}
            >
              {w.weight >= 8 ? `${w.name} ${w.weight}%` : ''}
            </div>
          ))}
      </div>
      <Box display="flex" mt={0.5} flexWrap="wrap">
        {props.weights.map((w, i) => (
          <Box key={w.name} display="flex" alignItems="center" mr={2}>
            <Box
              width={10}
              height={10}
              mr={0.5}
              style={{ backgroundColor: segmentColor(i), borderRadius: 2 }}
            />
            <Typography variant="caption">
              {w.name}: {w.weight}%
            </Typography>
          </Box>
        ))}
      </Box>
    </Box>
  );
};
