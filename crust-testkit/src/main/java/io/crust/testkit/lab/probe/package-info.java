/**
 * Small programs the lab starts inside namespaces (with {@code LabHost.startJava}) to measure NAT
 * behaviour, map ports through a gateway, and time a link. They talk plain text over UDP and
 * report on stdout one line per result; the lab self-test reads those lines.
 */
package io.crust.testkit.lab.probe;
