/** Public API of crust-core. */
package io.crust.core;
