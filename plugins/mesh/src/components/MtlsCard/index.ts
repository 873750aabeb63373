export { MtlsCard } from './MtlsCard';
