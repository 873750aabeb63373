/**
 * A value derived from an object, kept on the object itself under a non-enumerable symbol
 * property (invisible to JSON, Object.keys, spreads and deep equality), or in a WeakMap when
 * the object cannot take a property (frozen). The watch cache hands out the same pod object
 * until the pod changes; a status of 10,000 pods looks each pod up several times, and a
 * WeakMap lookup per pod cost more than the derivation it saved (measured: ~0.6 µs each at
 * 10,000 pods, where a property read is a few ns).
 */
export interface ObjectMemo<K extends object, V> {
  get(object: K): V | undefined;
  set(object: K, value: V): void;
}

export function objectMemo<K extends object, V>(description: string): ObjectMemo<K, V> {
  const key = Symbol(description);
  const fallback = new WeakMap<K, V>();
  return {
    get(object) {
      const kept = (object as Record<symbol, V | undefined>)[key];
      return kept !== undefined ? kept : fallback.get(object);
    },
    set(object, value) {
      if (Object.isExtensible(object)) {
        Object.defineProperty(object, key, { value, enumerable: false, writable: true, configurable: true });
      } else {
        fallback.set(object, value);
      }
    },
  };
}
