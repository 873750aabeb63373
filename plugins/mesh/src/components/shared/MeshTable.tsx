import { ReactNode } from 'react';
import {
  Box,
  Table as MuiTable,
  TableCell,
  makeStyles,
} from '@material-ui/core';

const useStyles = makeStyles({
  // Cards are narrow at 1280–1440 px: the table scrolls sideways instead of breaking words
  // mid-letter ("Injecte d", "PERMI SSIVE"); long names still wrap, at hyphens and dots only.
  scroll: { overflowX: 'auto' },
  table: {
    '& th, & td': { wordBreak: 'normal', overflowWrap: 'normal' },
    '& th': { whiteSpace: 'nowrap' },
  },
  nowrap: { whiteSpace: 'nowrap' },
});

/** A small table for the mesh cards: headers never wrap, words never break. */
export const MeshTable = (props: { label: string; children: ReactNode }) => {
  const classes = useStyles();
  return (
    <Box className={classes.scroll}>
      <MuiTable size="small" aria-label={props.label} className={classes.table}>
        {props.children}
      </MuiTable>
    </Box>
  );
};

/** A cell whose content (a status, a mode, a yes/no) stays on one line. */
export const NoWrapCell = (props: { children: ReactNode }) => {
  const classes = useStyles();
  return <TableCell className={classes.nowrap}>{props.children}</TableCell>;
};
