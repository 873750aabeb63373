import { SvgIcon, SvgIconProps } from '@material-ui/core';

/** A small service-mesh glyph (three connected nodes). */
export const MeshIcon = (props: SvgIconProps) => (
  <SvgIcon {...props} viewBox="0 0 24 24">
    <path d="M12 2a3 3 0 0 0-1 5.83v2.34L6.76 12.6A3 3 0 1 0 7.8 14.3L12 11.9l4.2 2.4a3 3 0 1 0 1.04-1.7L13 10.17V7.83A3 3 0 0 0 12 2zm0 2a1 1 0 1 1 0 2 1 1 0 0 1 0-2zM5 14a1 1 0 1 1 0 2 1 1 0 0 1 0-2zm14 0a1 1 0 1 1 0 2 1 1 0 0 1 0-2z" />
  </SvgIcon>
);
