export { AccessCard } from './AccessCard';
