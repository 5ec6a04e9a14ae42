/** Test helpers shared by every module's tests, and the NAT lab harness. */
package io.crust.testkit;
