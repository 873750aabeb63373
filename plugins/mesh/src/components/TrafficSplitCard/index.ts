export { TrafficSplitCard } from './TrafficSplitCard';
