/** The default store: records live only in the services' own objects, and nothing is written anywhere. */
import type { JsonValue } from '../../model/json.js';
import type { Store } from './store.js';

class MemoryStore implements Store {
  readonly durable = false;
  put(): void {}
  delete(): void {}
  append(): void {}
  records(): [] {
    return [];
  }
  logs(): Map<string, JsonValue[]> {
    return new Map();
  }
  scope(): Store {
    return this;
  }
  clear(): void {}
  flush(): void {}
  close(): void {}
}

/** A store that keeps nothing: the services' in-memory records are the only copy. */
export function memoryStore(): Store {
  return new MemoryStore();
}
