import { ReactNode } from 'react';
import { Button, ButtonProps, Tooltip } from '@material-ui/core';

/**
 * A button that, when disabled for a reason, says why in a tooltip. Disabled
 * buttons get no pointer events, so the tooltip hangs on a wrapping span.
 */
export const GuardedButton = (
  props: ButtonProps & { disabledReason?: string; children: ReactNode },
) => {
  const { disabledReason, disabled, ...rest } = props;
  const button = (
    <Button
      variant="outlined"
      color="primary"
      size="small"
      {...rest}
      disabled={disabled || Boolean(disabledReason)}
    />
  );
  if (!disabledReason) {
    return button;
  }
  return (
    <Tooltip title={disabledReason}>
      <span>{button}</span>
    </Tooltip>
  );
};
