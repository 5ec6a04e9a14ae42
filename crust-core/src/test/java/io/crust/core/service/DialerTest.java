package io.crust.core.service;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import org.junit.jupiter.api.Test;

class DialerTest {
    private static final InetSocketAddress V4_A = at("198.51.100.1");
    private static final InetSocketAddress V4_B = at("198.51.100.2");
    private static final InetSocketAddress V4_C = at("198.51.100.3");
    private static final InetSocketAddress V6_A = at("2001:db8::1");
    private static final InetSocketAddress V6_B = at("2001:db8::2");

    @Test
    void aHostWithGlobalIpv6TriesAPeersAddressesIpv6FirstAlternatingTheVersions() {
        assertThat(Dialer.interleaveFamilies(List.of(V4_A, V4_B, V4_C, V6_A, V6_B), true))
                .containsExactly(V6_A, V4_A, V6_B, V4_B, V4_C);
    }

    @Test
    void aHostWithoutGlobalIpv6TriesIpv4FirstAlternatingTheVersions() {
        assertThat(Dialer.interleaveFamilies(List.of(V6_A, V6_B, V4_A, V4_B), false))
                .containsExactly(V4_A, V6_A, V4_B, V6_B);
    }

    @Test
    void addressesOfOneVersionKeepTheirOrder() {
        assertThat(Dialer.interleaveFamilies(List.of(V4_C, V4_A, V4_B), true)).containsExactly(V4_C, V4_A, V4_B);
        assertThat(Dialer.interleaveFamilies(List.of(V6_B, V6_A), false)).containsExactly(V6_B, V6_A);
        assertThat(Dialer.interleaveFamilies(List.of(), true)).isEmpty();
    }

    private static InetSocketAddress at(String literal) {
        try {
            return new InetSocketAddress(InetAddress.getByName(literal), 5483); // a literal: no lookup
        } catch (UnknownHostException e) {
            throw new AssertionError(e);
        }
    }
}
