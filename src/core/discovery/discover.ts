import type { DiscoveryService } from '@nestjs/core';

/** A provider marked with some metadata, and its instance. */
export interface Discovered<TMetadata, TInstance> {
  readonly metadata: TMetadata;
  readonly instance: TInstance;
  /** The provider's class name (for messages). */
  readonly className: string;
}

/**
 * Every provider of the app whose class carries `key` (set by a class decorator), with its instance:
 * the one way the app finds consumers, subscribers, delivery targets and provisioning strategies.
 * `nameOf` makes a name used twice stop start-up, saying which classes share it.
 */
export function discover<TMetadata, TInstance>(
  discovery: DiscoveryService,
  key: symbol,
  what: string,
  nameOf?: (metadata: TMetadata) => string,
): Array<Discovered<TMetadata, TInstance>> {
  const found: Array<Discovered<TMetadata, TInstance>> = [];
  for (const wrapper of discovery.getProviders()) {
    const metadata = wrapper.metatype && (Reflect.getMetadata(key, wrapper.metatype) as TMetadata | undefined);
    if (!metadata || !wrapper.instance) continue;
    const item = { metadata, instance: wrapper.instance as TInstance, className: wrapper.metatype!.name };
    if (nameOf) {
      const twin = found.find((other) => nameOf(other.metadata) === nameOf(metadata));
      if (twin) {
        throw new Error(`Two ${what} are named "${nameOf(metadata)}" (${twin.className} and ${item.className}): names must be unique.`);
      }
    }
    found.push(item);
  }
  return found;
}
