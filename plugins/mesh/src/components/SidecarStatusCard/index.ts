export { SidecarStatusCard } from './SidecarStatusCard';
