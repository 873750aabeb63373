import { KubeJson, ListOptions } from './ClusterGateway';

/**
 * The reads a status needs: {@link ClusterGateway} answers them from the apiserver,
 * {@link WatchCache} from its informers' memory (falling back to a live reader).
 */
export interface ClusterReader {
  /** Objects of a kind, optionally of one namespace and matching a label selector. */
  list<T extends KubeJson = KubeJson>(
    cluster: string,
    apiVersion: string,
    kind: string,
    options?: ListOptions,
  ): Promise<T[]>;
  /** One object; null when it does not exist. */
  get<T extends KubeJson = KubeJson>(
    cluster: string,
    ref: { apiVersion: string; kind: string; name: string; namespace?: string },
  ): Promise<T | null>;
}
