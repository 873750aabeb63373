export { KialiCard } from './KialiCard';
