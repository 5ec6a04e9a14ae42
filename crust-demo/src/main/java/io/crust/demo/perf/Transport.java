package io.crust.demo.perf;

/** What the perf tool measures. */
enum Transport {
    udt, tcp
}
