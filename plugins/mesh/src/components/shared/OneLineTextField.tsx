import { TextField, TextFieldProps, makeStyles } from '@material-ui/core';

const useStyles = makeStyles({
  // An outlined label that wraps runs across the field's border ("Weight for" over "v2"):
  // it stays on one line and is cut with an ellipsis where the field is narrower. A shrunk
  // label is drawn at 75 %, so it may take 133 % of the field's width less the padding.
  label: {
    whiteSpace: 'nowrap',
    overflow: 'hidden',
    textOverflow: 'ellipsis',
    maxWidth: 'calc(100% - 28px)',
  },
  shrunk: { maxWidth: 'calc(133% - 28px)' },
});

/**
 * An outlined, small text field as wide as its box, whose label never wraps onto the border.
 * Give the box the width; put what does not fit in the label into `helperText`.
 */
export const OneLineTextField = (props: TextFieldProps) => {
  const classes = useStyles();
  return (
    <TextField
      size="small"
      variant="outlined"
      fullWidth
      {...(props as object)}
      InputLabelProps={{
        ...props.InputLabelProps,
        classes: { root: classes.label, shrink: classes.shrunk },
      }}
    />
  );
};
