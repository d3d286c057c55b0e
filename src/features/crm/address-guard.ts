/** The CRM webhook uses the shared outbound address guard (src/net/address-guard.ts). */
export {
  AddressNotAllowedError,
  type LookupAll,
  nonPublicRange,
  resolveAllowedAddresses,
  systemLookupAll,
} from '../../net/address-guard.js';
