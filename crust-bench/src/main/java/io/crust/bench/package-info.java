/**
 * Benchmark programs run by {@code crust-bench/run.sh}: each prints one JSON line with its figures,
 * including the CPU time of its own process, so the script can put the numbers side by side in
 * docs/performance.md. Not a library: nothing here is API.
 */
package io.crust.bench;
