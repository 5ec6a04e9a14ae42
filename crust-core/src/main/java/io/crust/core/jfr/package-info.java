/**
 * JDK Flight Recorder events of crust-core: connections established, lost and upgraded, handshakes,
 * punch attempts and relay circuits. They cost nothing unless a recording enables them (for example
 * {@code java -XX:StartFlightRecording ...} or {@code jcmd PID JFR.start}); docs/observability.md
 * lists them with their fields.
 */
package io.crust.core.jfr;
