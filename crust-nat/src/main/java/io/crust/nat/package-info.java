/** Public API of crust-nat. */
package io.crust.nat;
