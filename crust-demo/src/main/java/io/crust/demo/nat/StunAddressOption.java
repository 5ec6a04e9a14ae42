package io.crust.demo.nat;

import io.crust.nat.HostPort;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import picocli.CommandLine;

/** Parses the {@code --server HOST:PORT} option of the STUN commands ({@code [v6]:port} for IPv6). */
final class StunAddressOption {
    private StunAddressOption() {
    }

    static InetSocketAddress parse(CommandLine cli, String text) {
        HostPort hostPort;
        try {
            hostPort = HostPort.parse(text);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.ParameterException(cli, "--server must be HOST:PORT: " + e.getMessage());
        }
        try {
            return hostPort.resolve(); // the user typed it: a name is looked up, a literal is not
        } catch (UnknownHostException e) {
            throw new CommandLine.ParameterException(cli, "--server host not found: " + hostPort.host());
        }
    }

    static String text(InetSocketAddress a) {
        String ip = a.getAddress().getHostAddress();
        return (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + a.getPort();
    }
}
