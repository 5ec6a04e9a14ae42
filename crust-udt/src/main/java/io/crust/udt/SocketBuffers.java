package io.crust.udt;

/**
 * The socket buffer sizes an endpoint asked for and what the kernel granted, as it reports them.
 * Linux caps a request at {@code net.core.rmem_max} / {@code net.core.wmem_max} without an error (about
 * 200 KiB on a stock kernel) and reports twice the size it keeps for data; a capped receive buffer
 * overflows, and so drops datagrams, during a burst at high rates (see docs/udt.md).
 *
 * @param requestedBytes what the endpoint asked for ({@link UdtConfig#socketBufferBytes()})
 * @param receiveBytes SO_RCVBUF as the kernel reports it, or -1 if it cannot be read
 * @param sendBytes SO_SNDBUF as the kernel reports it, or -1 if it cannot be read
 */
public record SocketBuffers(int requestedBytes, int receiveBytes, int sendBytes) {
    /** {@return whether the kernel granted less than was asked for in either direction} */
    public boolean capped() {
        return (receiveBytes >= 0 && receiveBytes < requestedBytes) || (sendBytes >= 0 && sendBytes < requestedBytes);
    }
}
