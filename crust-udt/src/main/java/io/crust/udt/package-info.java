/** Public API of crust-udt. */
package io.crust.udt;
